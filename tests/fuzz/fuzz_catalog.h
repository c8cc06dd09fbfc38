/*
 * The built-in catalog with every model enabled, cloud ones included (as
 * tests/unit/test_catalog.c loads it), so a fuzzer reaches every model.
 */
#ifndef TESTS_FUZZ_FUZZ_CATALOG_H
#define TESTS_FUZZ_FUZZ_CATALOG_H

#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "providers/catalog.h"

extern const char catalog_json[];

static inline struct catalog *fuzz_catalog_all(void)
{
    cJSON *root = cJSON_Parse(catalog_json), *it;
    struct catalog *cat = NULL;
    char *text, *err = NULL;

    cJSON_ArrayForEach(it, cJSON_GetObjectItem(root, "models"))
    {
        cJSON_DeleteItemFromObject(it, "enabled");
    }
    text = cJSON_Print(root);
    if (!text || catalog_new_from_text(text, &cat, &err) != 0) {
        fprintf(stderr, "catalog: %s\n", err ? err : "out of memory");
        abort();
    }
    cJSON_free(text);
    cJSON_Delete(root);
    return cat;
}

#endif
