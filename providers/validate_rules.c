/*
 * Validation of a request against its model's rules (see catalog_impl.h):
 * options that exclude each other, and options that require others, read
 * under the model's vendor key and each of its aliases. Part of the
 * catalog (catalog.h).
 */
#include "providers/catalog_impl.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/mem.h"

/* The member of root at dotted path, or NULL. */
static const cJSON *lookup(const cJSON *root, const char *path)
{
    char *copy = xstrdup(path), *save = NULL;
    const cJSON *node = root;

    for (char *k = strtok_r(copy, ".", &save); k && node;
         k = strtok_r(NULL, ".", &save))
        node = cJSON_IsObject(node) ? cJSON_GetObjectItemCaseSensitive(node, k)
                                    : NULL;
    free(copy);
    return node;
}

/*
 * The vendor names a rule path is read under: the model's own vendor key
 * and its aliases, for paths under providerOptions.<vendor_key>. Returns
 * the length of the prefix to replace (0: the path is vendor-free).
 */
static size_t vendor_prefix(const struct catalog_model *m, const char *path)
{
    size_t len = strlen("providerOptions.") + strlen(m->vendor_key);

    if (strncmp(path, "providerOptions.", 16) == 0 &&
        strncmp(path + 16, m->vendor_key, strlen(m->vendor_key)) == 0 &&
        (path[len] == '.' || path[len] == '\0'))
        return len;
    return 0;
}

/* path read under vendor (NULL: as written): a new string. */
static char *under_vendor(const struct catalog_model *m, const char *path,
                          const char *vendor)
{
    size_t plen = vendor_prefix(m, path);

    if (!plen || !vendor)
        return xstrdup(path);
    return xasprintf("providerOptions.%s%s", vendor, path + plen);
}

/*
 * The i-th vendor name to read path under: the model's own key, then its
 * aliases; NULL for a vendor-free path. *is_last is set on the last one.
 */
static const char *vendor_at(const struct catalog_model *m, const char *path,
                             size_t i, bool *is_last)
{
    size_t alias_count = 0;

    while (m->vendor_aliases[alias_count])
        alias_count++;
    if (!vendor_prefix(m, path)) {
        *is_last = true;
        return NULL;
    }
    *is_last = i >= alias_count;
    return i == 0 ? m->vendor_key : m->vendor_aliases[i - 1];
}

/* Finds path in req under any vendor name; *disp set to where (new). */
static const cJSON *find_any(const struct catalog_model *m, const cJSON *req,
                             const char *path, char **disp)
{
    bool is_last = false;

    for (size_t i = 0; !is_last; i++) {
        char *p = under_vendor(m, path, vendor_at(m, path, i, &is_last));
        const cJSON *v = lookup(req, p);

        if (v) {
            *disp = p;
            return v;
        }
        free(p);
    }
    return NULL;
}

static int check_exclusive(struct catalog_walk *w, const struct catalog_rule *r,
                           const cJSON *req)
{
    char *first = NULL;
    int rc = 0;

    for (size_t g = 0; g < r->group_count && rc == 0; g++) {
        char *found = NULL;

        for (size_t k = 0; r->groups[g][k] && !found; k++)
            (void)find_any(w->model, req, r->groups[g][k], &found);
        if (!found)
            continue;
        if (!first) {
            first = found;
            continue;
        }
        rc = catalog_walk_fail(
            w, xasprintf("%s and %s cannot be used together", first, found));
        free(found);
    }
    free(first);
    return rc;
}

static int check_requires(struct catalog_walk *w, const struct catalog_rule *r,
                          const cJSON *req)
{
    const struct catalog_model *m = w->model;
    bool is_last = false;
    int rc = 0;

    for (size_t i = 0; !is_last && rc == 0; i++) {
        const char *vendor = vendor_at(m, r->if_path, i, &is_last);
        char *ip = under_vendor(m, r->if_path, vendor);
        char *tp = under_vendor(m, r->then_path, vendor);
        const cJSON *iv = lookup(req, ip), *tv = lookup(req, tp);

        if (iv && (!r->if_equals || catalog_same_value(r->if_equals, iv)) &&
            (!tv ||
             (r->then_equals && !catalog_same_value(r->then_equals, tv)))) {
            char *ie = r->if_equals ? catalog_value_text(r->if_equals) : NULL;
            char *te =
                r->then_equals ? catalog_value_text(r->then_equals) : NULL;

            rc = catalog_walk_fail(w, xasprintf("%s%s%s requires %s%s%s", ip,
                                                ie ? " " : "", ie ? ie : "", tp,
                                                te ? " " : "", te ? te : ""));
            free(ie);
            free(te);
        }
        free(ip);
        free(tp);
    }
    return rc;
}

int catalog_walk_rules(struct catalog_walk *w, const cJSON *request)
{
    const struct catalog_model *m = w->model;
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < m->rule_count; i++) {
        const struct catalog_rule *r = &m->rules[i];

        rc = r->kind == CATALOG_RULE_EXCLUSIVE ? check_exclusive(w, r, request)
                                               : check_requires(w, r, request);
    }
    return rc;
}
