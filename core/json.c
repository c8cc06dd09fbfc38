/*
 * Typed getters over cJSON and parsing with positions (see json.h).
 */
#include "core/json.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

/* The largest integer a double holds exactly. */
#define JSON_MAX_SAFE_INT 9007199254740992.0

void json_line_col(const char *text, size_t offset, int *line, int *col)
{
    int l = 1, c = 1;

    for (size_t i = 0; i < offset && text[i]; i++) {
        unsigned char ch = (unsigned char)text[i];

        if (ch == '\n') {
            l++;
            c = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c++; /* continuation bytes do not start a character */
        }
    }
    *line = l;
    *col = c;
}

/* Describes the parse error at text[offset] (size: the end of the text). */
static char *describe_at(const char *text, size_t size, size_t offset)
{
    unsigned char ch;

    if (size == 0)
        return xstrdup("empty text, expected a JSON value");
    if (offset >= size)
        return xstrdup("invalid JSON at the end of the text");
    ch = (unsigned char)text[offset];
    if (ch >= 0x20 && ch < 0x7f)
        return xasprintf("invalid JSON near '%c'", ch);
    return xasprintf("invalid JSON near byte 0x%02x", ch);
}

int json_parse(const char *text, size_t size, cJSON **out, char **error)
{
    const char *end = NULL;
    cJSON *root;
    /* cJSON wants a NUL-terminated copy when the input may lack one. */
    char *copy = xstrndup(text, size);
    size_t len = strlen(copy);

    root = cJSON_ParseWithLengthOpts(copy, len + 1, &end, true);
    if (!root) {
        /* end points at the error (or is left NULL by old versions). */
        size_t offset = end && end >= copy ? (size_t)(end - copy) : 0;
        int line, col;
        char *what;

        if (len < size && offset >= len)
            what = xstrdup("invalid JSON: a NUL byte in the text");
        else
            what = describe_at(copy, len, offset);
        json_line_col(copy, offset, &line, &col);
        *error = xasprintf("line %d, column %d: %s", line, col, what);
        free(what);
        free(copy);
        return -EINVAL;
    }
    free(copy);
    *out = root;
    return 0;
}

/* Finds key in obj: 0 and *item, -ENOENT or -EINVAL (see json.h). */
static int lookup(const cJSON *obj, const char *key, const cJSON **item)
{
    const cJSON *v;

    if (!cJSON_IsObject(obj))
        return -EINVAL;
    v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v || cJSON_IsNull(v))
        return -ENOENT;
    *item = v;
    return 0;
}

int json_get_string(const cJSON *obj, const char *key, const char **out)
{
    const cJSON *v = NULL;
    int rc = lookup(obj, key, &v);

    if (rc < 0)
        return rc;
    if (!cJSON_IsString(v) || !v->valuestring)
        return -EINVAL;
    *out = v->valuestring;
    return 0;
}

int json_get_int(const cJSON *obj, const char *key, int64_t *out)
{
    const cJSON *v = NULL;
    int rc = lookup(obj, key, &v);
    double d;

    if (rc < 0)
        return rc;
    if (!cJSON_IsNumber(v))
        return -EINVAL;
    d = v->valuedouble;
    if (!isfinite(d) || fabs(d) > JSON_MAX_SAFE_INT)
        return -ERANGE;
    if (d != floor(d))
        return -EINVAL;
    *out = (int64_t)d;
    return 0;
}

int json_get_double(const cJSON *obj, const char *key, double *out)
{
    const cJSON *v = NULL;
    int rc = lookup(obj, key, &v);

    if (rc < 0)
        return rc;
    if (!cJSON_IsNumber(v))
        return -EINVAL;
    *out = v->valuedouble;
    return 0;
}

int json_get_bool(const cJSON *obj, const char *key, bool *out)
{
    const cJSON *v = NULL;
    int rc = lookup(obj, key, &v);

    if (rc < 0)
        return rc;
    if (!cJSON_IsBool(v))
        return -EINVAL;
    *out = cJSON_IsTrue(v);
    return 0;
}

int json_get_object(const cJSON *obj, const char *key, const cJSON **out)
{
    const cJSON *v = NULL;
    int rc = lookup(obj, key, &v);

    if (rc < 0)
        return rc;
    if (!cJSON_IsObject(v))
        return -EINVAL;
    *out = v;
    return 0;
}

int json_get_array(const cJSON *obj, const char *key, const cJSON **out)
{
    const cJSON *v = NULL;
    int rc = lookup(obj, key, &v);

    if (rc < 0)
        return rc;
    if (!cJSON_IsArray(v))
        return -EINVAL;
    *out = v;
    return 0;
}

const char *json_type_name(const cJSON *value)
{
    if (!value || cJSON_IsInvalid(value))
        return "nothing";
    if (cJSON_IsNull(value))
        return "null";
    if (cJSON_IsBool(value))
        return "boolean";
    if (cJSON_IsNumber(value))
        return "number";
    if (cJSON_IsString(value))
        return "string";
    if (cJSON_IsArray(value))
        return "array";
    if (cJSON_IsObject(value))
        return "object";
    return "raw JSON";
}
