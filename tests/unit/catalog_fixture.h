/*
 * Helpers of the catalog unit tests (test_catalog*.c, and through
 * catalog_cloud_fixture.h the cloud ones): loading the built-in catalog,
 * finding a model, and validating a request with its messages.
 */
#ifndef TESTS_UNIT_CATALOG_FIXTURE_H
#define TESTS_UNIT_CATALOG_FIXTURE_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/mem.h"
#include "providers/catalog.h"
#include "tests/check.h"

extern const char catalog_json[];

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

/* The built-in catalog with every model enabled, cloud ones included. */
static inline struct catalog *load_all(void)
{
    cJSON *root = cJSON_Parse(catalog_json), *it;
    struct catalog *cat = NULL;
    char *text, *err = NULL;

    cJSON_ArrayForEach(it, cJSON_GetObjectItem(root, "models"))
    {
        cJSON_DeleteItemFromObject(it, "enabled");
    }
    text = cJSON_Print(root);
    CHECK_INT_EQ(catalog_new_from_text(text, &cat, &err), 0);
    free(err);
    free(text);
    cJSON_Delete(root);
    return cat;
}

/* The model whose folder is exactly folder, enabled or not. */
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
    /* A shallow merge is enough here; the cascade is test_request's. */
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

#endif
