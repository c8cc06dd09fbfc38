/*
 * Helpers of the cloud catalog unit tests (test_catalog_cloud.c,
 * test_catalog_kling.c, test_catalog_seeds.c): the seed models' folders,
 * loading, finding a model enabled or not, and validating a request.
 */
#ifndef TESTS_UNIT_CATALOG_CLOUD_FIXTURE_H
#define TESTS_UNIT_CATALOG_CLOUD_FIXTURE_H

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/fsutil.h"
#include "core/mem.h"
#include "providers/catalog.h"
#include "tests/check.h"

/* Every cloud model folder the seeds name. */
static const char *const gateway_kling[] = {
    "gateway/klingai/kling-v3.0-i2v",
    "gateway/klingai/kling-v2.6-i2v",
    "gateway/klingai/kling-v2.5-turbo-i2v",
    NULL,
};
static const char *const gateway_veo[] = {
    "gateway/google/veo-3.1-generate-001",
    "gateway/google/veo-3.1-fast-generate-001",
    "gateway/google/veo-3.0-generate-001",
    "gateway/google/veo-3.0-fast-generate-001",
    NULL,
};
/* Models that take image URLs only through the gateway. */
static const char *const gateway_url_only[] = {
    "gateway/alibaba/wan-v2.6-i2v",
    "gateway/alibaba/wan-v2.6-i2v-flash",
    "gateway/xai/grok-imagine-video",
    "gateway/bytedance/seedance-v1.5-pro",
    "gateway/bytedance/seedance-v1.0-pro",
    "gateway/bytedance/seedance-v1.0-pro-fast",
    "gateway/bytedance/seedance-v1.0-lite-i2v",
    NULL,
};
static const char *const kling_direct[] = {
    "kling/kling-v1-5",
    "kling/kling-v2-1",
    "kling/kling-v2-master",
    "kling/kling-v2-5-turbo",
    "kling/kling-v2-6",
    "kling/kling-v3",
    NULL,
};
static const char *const krea[] = {
    "krea/kling/kling-2.5",
    "krea/google/veo-3.1",
    "krea/minimax/hailuo-2.3",
    "krea/alibaba/wan-2.5",
    NULL,
};
static const char *const *const all_lists[] = {
    gateway_kling, gateway_veo, gateway_url_only, kling_direct, krea, NULL,
};

static inline struct catalog *load(void)
{
    struct catalog *cat = NULL;
    char *err = NULL;
    int rc = catalog_new(&cat, &err);

    if (rc != 0)
        fprintf(stderr, "catalog_new: %s\n", err ? err : "?");
    CHECK_INT_EQ(rc, 0);
    free(err);
    return cat;
}

static inline const struct catalog_model *model(const struct catalog *cat,
                                                const char *folder)
{
    const struct catalog_model *m = catalog_find_model_by_folder(cat, folder);

    if (!m)
        fprintf(stderr, "no model %s\n", folder);
    CHECK(m != NULL);
    return m;
}

/* Validates the defaults with json merged over them; NULL when valid. */
static inline char *validate(const struct catalog_model *m, const char *json)
{
    cJSON *req = catalog_model_defaults(m), *over = cJSON_Parse(json), *it;
    char *err = NULL;
    int rc;

    if (!over) {
        fprintf(stderr, "bad test JSON: %s\n", json);
        cJSON_Delete(req);
        return xstrdup("bad test JSON");
    }
    while ((it = over->child)) {
        cJSON_DetachItemViaPointer(over, it);
        cJSON_DeleteItemFromObject(req, it->string);
        cJSON_AddItemToObject(req, it->string, it);
    }
    rc = catalog_validate(m, req, &err);
    CHECK((rc == 0) == (err == NULL));
    CHECK(rc == 0 || rc == -EINVAL);
    cJSON_Delete(over);
    cJSON_Delete(req);
    return err;
}

#define EXPECT_OK(m, json)                                             \
    do {                                                               \
        char *e_ = validate(m, json);                                  \
        if (e_)                                                        \
            fprintf(stderr, "%s:%d: unexpected error: %s\n", __FILE__, \
                    __LINE__, e_);                                     \
        CHECK(e_ == NULL);                                             \
        free(e_);                                                      \
    } while (0)

#define EXPECT_ERR(m, json, msg)      \
    do {                              \
        char *e_ = validate(m, json); \
        CHECK_STR_EQ(e_, msg);        \
        free(e_);                     \
    } while (0)

/* "{"providerOptions": {"<vendor>": <inner>}}": a new string. */
static inline char *po(const char *vendor, const char *inner)
{
    return xasprintf("{\"providerOptions\": {\"%s\": %s}}", vendor, inner);
}

#define EXPECT_PO_OK(m, vendor, inner) \
    do {                               \
        char *j_ = po(vendor, inner);  \
        EXPECT_OK(m, j_);              \
        free(j_);                      \
    } while (0)

#define EXPECT_PO_ERR(m, vendor, inner, msg) \
    do {                                     \
        char *j_ = po(vendor, inner);        \
        EXPECT_ERR(m, j_, msg);              \
        free(j_);                            \
    } while (0)

static inline const char *short_name_of(const char *folder)
{
    static const struct {
        const char *folder, *name;
    } names[] = {
        { "gateway/klingai/kling-v3.0-i2v", "kling-v3" },
        { "gateway/klingai/kling-v2.6-i2v", "kling-v2-6" },
        { "gateway/klingai/kling-v2.5-turbo-i2v", "kling-v2-5-turbo" },
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(names[i].folder, folder) == 0)
            return names[i].name;
    }
    return strrchr(folder, '/') + 1;
}

#endif
