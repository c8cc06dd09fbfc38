/*
 * The effective request of a job (see request.h): the model's defaults,
 * the cascade of request.json files down to the job's folder, the sidecar.
 */
#include "jobs/request.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/fsutil.h"
#include "core/json.h"
#include "core/mem.h"
#include "providers/catalog.h"

void request_merge(cJSON *base, const cJSON *over)
{
    const cJSON *it;

    if (!cJSON_IsObject(base) || !cJSON_IsObject(over))
        return;
    cJSON_ArrayForEach(it, over)
    {
        cJSON *old = cJSON_GetObjectItemCaseSensitive(base, it->string);

        if (cJSON_IsObject(old) && cJSON_IsObject(it)) {
            request_merge(old, it);
            continue;
        }
        cJSON *copy = cJSON_Duplicate(it, true);

        if (!copy)
            abort(); /* cJSON fails only when out of memory */
        if (old)
            cJSON_ReplaceItemViaPointer(base, old, copy);
        else
            cJSON_AddItemToObject(base, it->string, copy);
    }
}

#define STRINGIFY_(x) #x
#define STRINGIFY(x)  STRINGIFY_(x)

/*
 * The innermost '{' or '[' open at pos, or 0 (strings skipped); *depth_out
 * (if not NULL) is how many are open there.
 */
static char open_container(const char *text, const char *pos, size_t *depth_out)
{
    char stack[1024];
    size_t depth = 0;
    bool is_string = false;

    for (const char *s = text; s < pos; s++) {
        if (is_string) {
            if (*s == '\\' && s + 1 < pos)
                s++;
            else if (*s == '"')
                is_string = false;
        } else if (*s == '"') {
            is_string = true;
        } else if (*s == '{' || *s == '[') {
            if (depth < sizeof(stack))
                stack[depth] = *s;
            depth++;
        } else if ((*s == '}' || *s == ']') && depth > 0) {
            depth--;
        }
    }
    if (depth_out)
        *depth_out = depth;
    return depth > 0 && depth <= sizeof(stack) ? stack[depth - 1] : 0;
}

/*
 * Where a parse error really is. cJSON reports a missing key quote one
 * character late ({"a": 1, oops}: after the 'o'); move back onto the
 * offending character when it sits where an object key should start.
 */
static const char *error_at(const char *text, const char *pos)
{
    const char *q = pos - 1, *before;

    if (pos <= text || *q == '"' || strchr(" \t\r\n", *q))
        return pos;
    for (before = q; before > text && strchr(" \t\r\n", before[-1]); before--)
        ;
    if (before > text && (before[-1] == '{' || before[-1] == ',') &&
        open_container(text, q, NULL) == '{')
        return q;
    return pos;
}

static int compare_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Finds a key written twice in one object of v (cJSON keeps both): returns
 * it (borrowed from the tree) and leaves in path (of size cap, holding len
 * characters on entry) that object's path, "" for v itself, "a.b[2]"; cut
 * to fit. Returns NULL when every key is once. Sorting keeps a huge object
 * fast; the fixed path keeps deep nesting cheap.
 */
static const char *find_duplicate(const cJSON *v, char *path, size_t len,
                                  size_t cap)
{
    const char *found = NULL;
    const cJSON *it;
    size_t n = 0, i;

    if (cJSON_IsObject(v)) {
        const char **keys =
            xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(*keys));

        cJSON_ArrayForEach(it, v)
        {
            keys[n++] = it->string;
        }
        qsort(keys, n, sizeof(*keys), compare_keys);
        for (i = 1; i < n && !found; i++) {
            if (strcmp(keys[i - 1], keys[i]) == 0)
                found = keys[i];
        }
        free(keys);
    }
    i = 0;
    for (it = v ? v->child : NULL; it && !found; it = it->next, i++) {
        int k = cJSON_IsObject(v) ? snprintf(path + len, cap - len, "%s%s",
                                             len ? "." : "", it->string)
                                  : snprintf(path + len, cap - len, "[%zu]", i);
        size_t sub = k < 0 ? len : len + (size_t)k;

        found = find_duplicate(it, path, sub < cap ? sub : cap - 1, cap);
        if (!found)
            path[len] = '\0';
    }
    return found;
}

/* Control characters become spaces: messages are one line. */
static void one_line(char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = ' ';
    }
}

int request_read_json(const char *path, const char *display_name, cJSON **out,
                      char **err)
{
    char where[200] = "";
    const char *key;
    char *data = NULL;
    const char *end = NULL;
    size_t size = 0;
    int line, col;
    int rc;

    *out = NULL;
    *err = NULL;
    rc = fsutil_read_file(path, REQUEST_MAX_BYTES, &data, &size);
    if (rc == -ENOENT)
        return rc;
    if (rc == -EFBIG) {
        *err = xasprintf("%s: larger than %d bytes, the most i2vfs reads",
                         display_name, REQUEST_MAX_BYTES);
        return rc;
    }
    if (rc < 0) {
        *err = xasprintf("%s: cannot be read: %s", display_name, strerror(-rc));
        return rc;
    }
    /* Reject NUL bytes inside: the parser would stop there silently. */
    if (strlen(data) != size) {
        json_line_col(data, strlen(data), &line, &col);
        *err = xasprintf("%s: invalid JSON at line %d, column %d (a NUL "
                         "byte)",
                         display_name, line, col);
        rc = -EINVAL;
        goto out;
    }
    *out = cJSON_ParseWithOpts(data, &end, true);
    if (!*out) {
        const char *at = end ? error_at(data, end) : data;
        size_t depth = 0;

        (void)open_container(data, at, &depth);
        json_line_col(data, (size_t)(at - data), &line, &col);
        *err = xasprintf(
            "%s: invalid JSON at line %d, column %d%s", display_name, line, col,
            strspn(data, " \t\r\n") == size ? " (the file is empty)"
            : depth >= CJSON_NESTING_LIMIT
                ? " (nested deeper than " STRINGIFY(CJSON_NESTING_LIMIT) ")"
                : "");
        rc = -EINVAL;
        goto out;
    }
    key = find_duplicate(*out, where, 0, sizeof(where));
    if (key) {
        *err = xasprintf("%s: \"%.64s\" is written twice%s%s (a key may "
                         "appear once in an object)",
                         display_name, key, *where ? " in " : "", where);
        one_line(*err);
        cJSON_Delete(*out);
        *out = NULL;
        rc = -EINVAL;
    }
out:
    free(data);
    return rc;
}

/* What a JSON value is, for "must be a JSON object, not …". */
static const char *json_kind(const cJSON *v)
{
    if (cJSON_IsArray(v))
        return "an array";
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsBool(v))
        return "a boolean";
    return "null";
}

/*
 * The cascade as a whole stays within REQUEST_MAX_BYTES too: files each
 * under the cap in many nested folders would add up to a request, and a
 * job record, too large to read back after a restart.
 */
static int check_size(const cJSON *acc, const char *display, char **err)
{
    char *text = cJSON_PrintUnformatted(acc);
    size_t len;

    if (!text)
        abort(); /* cJSON fails only when out of memory */
    len = strlen(text);
    cJSON_free(text);
    if (len <= REQUEST_MAX_BYTES)
        return 0;
    *err = xasprintf("%s: the effective request (every request.json from the "
                     "model folder down, and this file) is larger than %d "
                     "bytes, the most i2vfs takes",
                     display, REQUEST_MAX_BYTES);
    return -EFBIG;
}

/*
 * Reads store_root/rel (shown as display) and merges it into *acc. Missing
 * files are skipped; *found is set when the file was there.
 */
static int merge_file(cJSON *acc, const char *store_root, const char *rel,
                      const char *display, bool *found, char **err)
{
    char *path = fsutil_join(store_root, rel);
    cJSON *v = NULL;
    int rc = fsutil_is_beneath(store_root, path);

    *found = false;
    if (rc != 1) {
        *err = rc == 0 ? xasprintf("%s leads out of the store (a symbolic "
                                   "link): i2vfs never follows a link out",
                                   display)
                       : xasprintf("%s: cannot be resolved: %s", display,
                                   strerror(-rc));
        free(path);
        return -EINVAL;
    }
    rc = request_read_json(path, display, &v, err);
    free(path);
    if (rc == -ENOENT)
        return 0;
    if (rc < 0)
        return -EINVAL; /* *err says what: bad JSON, too big, unreadable */
    *found = true;
    if (!cJSON_IsObject(v)) {
        *err = xasprintf("%s: must be a JSON object ({ ... }), not %s", display,
                         json_kind(v));
        cJSON_Delete(v);
        return -EINVAL;
    }
    request_merge(acc, v);
    cJSON_Delete(v);
    return check_size(acc, display, err);
}

/* True for a clean relative path: no empty, "." or ".." components. */
static bool is_clean(const char *rel)
{
    const char *s = rel;

    if (!*s)
        return true;
    for (;;) {
        size_t n = strcspn(s, "/");

        if (n == 0 || (n == 1 && s[0] == '.') ||
            (n == 2 && s[0] == '.' && s[1] == '.'))
            return false;
        if (!s[n])
            return true;
        s += n + 1;
    }
}

int request_effective(const char *store_root, const struct catalog_model *model,
                      const char *dir_rel, const char *sidecar, cJSON **out,
                      int *has_request, char **err)
{
    const char *folder = catalog_model_folder(model);
    size_t flen = strlen(folder);
    const char *inside;
    cJSON *acc = NULL;
    char *rel = NULL;
    bool found;
    int rc = 0;

    *out = NULL;
    *err = NULL;
    *has_request = 0;
    if (strncmp(dir_rel, folder, flen) != 0 ||
        (dir_rel[flen] != '\0' && dir_rel[flen] != '/') || !is_clean(dir_rel)) {
        *err = xasprintf("%s: not a folder inside %s", dir_rel, folder);
        return -EINVAL;
    }
    inside = dir_rel[flen] ? dir_rel + flen + 1 : "";
    if (sidecar && (!*sidecar || strchr(sidecar, '/') || !is_clean(sidecar))) {
        *err = xasprintf("%s: not a file name", sidecar);
        return -EINVAL;
    }
    acc = catalog_model_defaults(model);
    /* The model folder first, then each folder down to dir_rel. */
    for (size_t n = 0;;) {
        char *sub = xstrndup(inside, n);
        char *display = sub[0] ? xasprintf("%s/request.json", sub)
                               : xstrdup("request.json");

        free(rel);
        rel = sub[0] ? xasprintf("%s/%s/request.json", folder, sub)
                     : xasprintf("%s/request.json", folder);
        rc = merge_file(acc, store_root, rel, display, &found, err);
        free(display);
        free(sub);
        if (rc < 0) {
            rc = -EINVAL;
            goto out;
        }
        if (found)
            *has_request = 1;
        if (!inside[n])
            break;
        n += strcspn(inside + n + (n ? 1 : 0), "/") + (n ? 1 : 0);
    }
    if (sidecar) {
        char *display =
            inside[0] ? xasprintf("%s/%s", inside, sidecar) : xstrdup(sidecar);

        free(rel);
        rel = xasprintf("%s/%s", dir_rel, sidecar);
        rc = merge_file(acc, store_root, rel, display, &found, err);
        free(display);
        if (rc < 0) {
            rc = -EINVAL;
            goto out;
        }
    }
    *out = acc;
    acc = NULL;
out:
    free(rel);
    cJSON_Delete(acc);
    return rc;
}
