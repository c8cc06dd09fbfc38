/*
 * Helpers of the cloud catalog unit tests (test_catalog_cloud.c,
 * test_catalog_kling.c, test_catalog_seeds.c): the seed models' folders,
 * on top of catalog_fixture.h's loading, lookup and validation.
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
#include "tests/unit/catalog_fixture.h"

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
