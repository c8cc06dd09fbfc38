/*
 * Typed getters for reading catalog.json (see catalog_impl.h): each checks
 * one field of a catalog object and records the first error, with where.
 */
#include "providers/catalog_impl.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/mem.h"

int catalog_parse_fail(struct catalog_parse *p, const char *where,
                       const char *fmt, ...)
{
    va_list ap;
    char *msg = NULL;

    if (p->err)
        return -EINVAL;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        abort(); /* out of memory is fatal, as in mem.h */
    va_end(ap);
    p->err = xasprintf("catalog: %s: %s", where, msg);
    free(msg);
    return -EINVAL;
}

int catalog_parse_known(struct catalog_parse *p, const char *where,
                        const cJSON *obj, const char *const *known)
{
    const cJSON *it;

    if (!cJSON_IsObject(obj))
        return catalog_parse_fail(p, where, "must be an object");
    cJSON_ArrayForEach(it, obj)
    {
        size_t i;

        for (i = 0; known[i]; i++) {
            if (strcmp(known[i], it->string) == 0)
                break;
        }
        if (!known[i])
            return catalog_parse_fail(p, where, "unknown field \"%s\"",
                                      it->string);
    }
    return 0;
}

int catalog_parse_str(struct catalog_parse *p, const char *where,
                      const cJSON *obj, const char *key, bool is_required,
                      char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    *out = NULL;
    if (!v) {
        if (is_required)
            return catalog_parse_fail(p, where, "\"%s\" is missing", key);
        return 0;
    }
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return catalog_parse_fail(p, where, "\"%s\" must be a non-empty string",
                                  key);
    *out = xstrdup(v->valuestring);
    return 0;
}

int catalog_parse_bool(struct catalog_parse *p, const char *where,
                       const cJSON *obj, const char *key, bool fallback,
                       bool *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    *out = fallback;
    if (!v)
        return 0;
    if (!cJSON_IsBool(v))
        return catalog_parse_fail(p, where, "\"%s\" must be true or false",
                                  key);
    *out = cJSON_IsTrue(v);
    return 0;
}

int catalog_parse_num(struct catalog_parse *p, const char *where,
                      const cJSON *obj, const char *key, bool *is_set,
                      double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (is_set)
        *is_set = false;
    if (!v)
        return 0;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return catalog_parse_fail(p, where, "\"%s\" must be a number", key);
    if (is_set)
        *is_set = true;
    *out = v->valuedouble;
    return 0;
}

int catalog_parse_count(struct catalog_parse *p, const char *where,
                        const cJSON *obj, const char *key, long fallback,
                        long *out)
{
    bool is_set;
    double d = 0;
    int rc = catalog_parse_num(p, where, obj, key, &is_set, &d);

    *out = fallback;
    if (rc < 0 || !is_set)
        return rc;
    if (d < 0 || d != floor(d) || d > 1e15)
        return catalog_parse_fail(p, where, "\"%s\" must be a whole number",
                                  key);
    *out = (long)d;
    return 0;
}

int catalog_parse_str_list(struct catalog_parse *p, const char *where,
                           const cJSON *obj, const char *key, char ***out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    const cJSON *it;
    size_t n = 0;

    *out = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(char *));
    if (!v)
        return 0;
    if (!cJSON_IsArray(v))
        return catalog_parse_fail(p, where,
                                  "\"%s\" must be an array of strings", key);
    cJSON_ArrayForEach(it, v)
    {
        if (!cJSON_IsString(it) || !it->valuestring[0])
            return catalog_parse_fail(
                p, where, "\"%s\" must be an array of strings", key);
        (*out)[n++] = xstrdup(it->valuestring);
    }
    return 0;
}
