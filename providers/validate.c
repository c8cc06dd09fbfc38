/*
 * Validation of an effective request against its model's catalog entry, and
 * the assets (file names) a request names: the walk over the request's
 * options. Single values: validate_value.c; rules: validate_rules.c; image
 * names: validate_image.c. Part of the catalog (catalog.h).
 */
#include "providers/catalog.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/mem.h"
#include "providers/catalog_impl.h"

int catalog_walk_fail(struct catalog_walk *w, char *msg)
{
    if (w->is_collect || w->err) {
        free(msg);
        return w->is_collect ? 0 : -EINVAL;
    }
    /* Keys are quoted as written: a control character would break the line. */
    for (char *p = msg; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    }
    w->err = msg;
    return -EINVAL;
}

int catalog_walk_reject(struct catalog_walk *w, const char *disp,
                        const cJSON *v, const char *fmt, ...)
{
    va_list ap;
    char *what = NULL, *text = catalog_value_text(v);
    int rc;

    va_start(ap, fmt);
    if (vasprintf(&what, fmt, ap) < 0)
        abort(); /* out of memory is fatal, as in mem.h */
    va_end(ap);
    rc = catalog_walk_fail(w, xasprintf("%s: %s %s", disp, text, what));
    free(what);
    free(text);
    return rc;
}

static char *join(const char *parent, const char *key)
{
    return parent[0] ? xasprintf("%s.%s", parent, key) : xstrdup(key);
}

static void add_name(struct catalog_walk *w, const char *name)
{
    for (size_t i = 0; i < w->name_count; i++) {
        if (strcmp(w->names[i], name) == 0)
            return;
    }
    w->names = xrealloc(w->names, (w->name_count + 2) * sizeof(char *));
    w->names[w->name_count++] = xstrdup(name);
    w->names[w->name_count] = NULL;
}

static int check_image(struct catalog_walk *w, const cJSON *v, const char *disp)
{
    enum catalog_image_kind kind = catalog_image_kind(v->valuestring);

    if (kind == CATALOG_IMAGE_FILE && w->is_collect && !w->image_cb)
        add_name(w, v->valuestring);
    if (kind != CATALOG_IMAGE_INVALID && w->image_cb) {
        w->name_count++;
        w->image_cb(w->image_arg, disp, v->valuestring);
    }
    if (kind != CATALOG_IMAGE_INVALID)
        return 0;
    return catalog_walk_reject(w, disp, v,
                               "must be a file name in this folder (no \"/\" "
                               "or \"..\"), an http(s) URL, a data: URI or "
                               "base64");
}

static int check_value(struct catalog_walk *w, const struct catalog_option *opt,
                       const cJSON *v, const char *disp, const char *canon,
                       bool is_alias);

static int check_array(struct catalog_walk *w, const struct catalog_option *opt,
                       const cJSON *v, const char *disp, const char *canon)
{
    size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
    char *item_canon = xasprintf("%s[]", canon);
    const struct catalog_option *item =
        catalog_option_find(w->model, item_canon);
    const cJSON *it;
    int rc = 0;

    if ((opt->min_items >= 0 && n < (size_t)opt->min_items) ||
        (opt->max_items >= 0 && n > (size_t)opt->max_items)) {
        char *allowed = catalog_items_text(opt);

        rc = catalog_walk_fail(
            w, xasprintf("%s: %zu item%s %s too %s (allowed: %s)", disp, n,
                         n == 1 ? "" : "s", n == 1 ? "is" : "are",
                         opt->min_items >= 0 && n < (size_t)opt->min_items
                             ? "few"
                             : "many",
                         allowed));
        free(allowed);
        if (rc < 0)
            goto out;
    }
    cJSON_ArrayForEach(it, v)
    {
        char *item_disp = xasprintf("%s[%zu]", disp, i++);

        if (!(opt->types & CATALOG_ARRAY) || !item) {
            /* image-array items, or items the catalog leaves unchecked */
            if (opt->types & CATALOG_IMAGE_ARRAY) {
                if (cJSON_IsString(it)) {
                    rc = check_image(w, it, item_disp);
                } else {
                    char *want = catalog_types_text(CATALOG_IMAGE);

                    rc = catalog_walk_reject(w, item_disp, it, "must be %s",
                                             want);
                    free(want);
                }
            }
        } else {
            rc = check_value(w, item, it, item_disp, item_canon, false);
        }
        free(item_disp);
        if (rc < 0)
            break;
    }
out:
    free(item_canon);
    return rc;
}

/* Edit distance between a and b, capped at 3 for speed. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[64], prev_diag, tmp;

    if (la >= 63 || lb >= 63)
        return 3;
    if (la > lb + 3 || lb > la + 3)
        return 3;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        prev_diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t best = prev_diag + (a[i - 1] != b[j - 1]);

            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            tmp = row[j];
            row[j] = best;
            prev_diag = tmp;
        }
    }
    return row[lb];
}

static void consider(const char *key, const char *cand, const char **best,
                     size_t *best_d)
{
    size_t d = edit_distance(key, cand);

    if (d < *best_d && d * 3 <= strlen(key) + 2) {
        *best = cand;
        *best_d = d;
    }
}

static int unknown_key(struct catalog_walk *w, const char *disp_parent,
                       const char *canon_parent, const char *key)
{
    const struct catalog_model *m = w->model;
    const char *best = NULL;
    size_t best_d = 3;
    char *path = join(disp_parent, key), *msg;

    for (size_t i = 0; i < m->option_count; i++) {
        if (strcmp(m->options[i].parent, canon_parent) == 0 &&
            strcmp(m->options[i].key, "[]") != 0)
            consider(key, m->options[i].key, &best, &best_d);
    }
    if (strcmp(canon_parent, "providerOptions") == 0) {
        for (size_t i = 0; m->vendor_aliases[i]; i++)
            consider(key, m->vendor_aliases[i], &best, &best_d);
    }
    if (best) {
        char *sugg = join(disp_parent, best);

        msg = xasprintf("unknown option \"%s\" (did you mean \"%s\"?)", path,
                        sugg);
        free(sugg);
    } else {
        msg = xasprintf("unknown option \"%s\"", path);
    }
    free(path);
    return catalog_walk_fail(w, msg);
}

static bool in_list(char **list, const char *s)
{
    for (size_t i = 0; list && list[i]; i++) {
        if (strcmp(list[i], s) == 0)
            return true;
    }
    return false;
}

/*
 * Checks the members of object v at canonical path canon (NULL opt: the
 * request itself). is_alias: v is a vendor's options read as the model's
 * own, whose unknown keys belong to the paid model and are ignored.
 */
static int check_object(struct catalog_walk *w,
                        const struct catalog_option *opt, const cJSON *v,
                        const char *disp, const char *canon, bool is_alias)
{
    const struct catalog_model *m = w->model;
    const cJSON *it;
    int rc = 0;

    cJSON_ArrayForEach(it, v)
    {
        char *cdisp = join(disp, it->string), *ccanon;
        const struct catalog_option *child;
        bool child_alias = false;

        if (strcmp(canon, "providerOptions") == 0 &&
            in_list(m->vendor_aliases, it->string)) {
            ccanon = join(canon, m->vendor_key);
            child_alias = true;
        } else {
            ccanon = join(canon, it->string);
        }
        child = catalog_option_find(m, ccanon);
        if (!child && strcmp(canon, "providerOptions") == 0 &&
            in_list(m->ignored_vendors, it->string)) {
            rc = 0; /* another service's options: not ours to check */
        } else if (!child) {
            if (!is_alias && !(opt && opt->is_open))
                rc = unknown_key(w, disp, canon, it->string);
        } else {
            rc = check_value(w, child, it, cdisp, ccanon, child_alias);
        }
        free(cdisp);
        free(ccanon);
        if (rc < 0)
            return rc;
    }
    for (size_t i = 0; i < m->option_count; i++) {
        const struct catalog_option *o = &m->options[i];

        if (!o->is_required || strcmp(o->parent, canon) != 0 ||
            cJSON_GetObjectItemCaseSensitive(v, o->key))
            continue;
        char *path = join(disp, o->key);

        rc = catalog_walk_fail(w, xasprintf("%s is required", path));
        free(path);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int check_value(struct catalog_walk *w, const struct catalog_option *opt,
                       const cJSON *v, const char *disp, const char *canon,
                       bool is_alias)
{
    unsigned t = opt->types;
    char *want;
    int rc;

    if (opt->unsupported)
        return catalog_walk_reject(w, disp, v, "is not supported by %s (%s)",
                                   w->model->short_name, opt->unsupported);
    if (cJSON_IsString(v) && (t & CATALOG_IMAGE))
        return check_image(w, v, disp);
    if (cJSON_IsString(v) && (t & CATALOG_URL))
        return catalog_walk_url(w, opt, v, disp);
    if (cJSON_IsString(v) && (t & CATALOG_STRING))
        return catalog_walk_string(w, opt, v, disp);
    if (cJSON_IsNumber(v) && (t & (CATALOG_NUMBER | CATALOG_INTEGER)))
        return catalog_walk_number(w, opt, v, disp);
    if (cJSON_IsBool(v) && (t & CATALOG_BOOLEAN))
        return 0;
    if (cJSON_IsObject(v) && (t & CATALOG_OBJECT))
        return check_object(w, opt, v, disp, canon, is_alias);
    if (cJSON_IsArray(v) && (t & (CATALOG_ARRAY | CATALOG_IMAGE_ARRAY)))
        return check_array(w, opt, v, disp, canon);
    want = catalog_types_text(t);
    rc = catalog_walk_reject(w, disp, v, "must be %s", want);
    free(want);
    return rc;
}

int catalog_validate(const struct catalog_model *model, const cJSON *request,
                     char **err)
{
    struct catalog_walk w = { .model = model };
    int rc;

    *err = NULL;
    if (!cJSON_IsObject(request)) {
        *err = xstrdup("the request must be a JSON object");
        return -EINVAL;
    }
    rc = check_object(&w, NULL, request, "", "", false);
    if (rc == 0)
        rc = catalog_walk_rules(&w, request);
    if (rc < 0)
        *err = w.err;
    return rc;
}

size_t catalog_assets(const struct catalog_model *model, const cJSON *request,
                      char ***names)
{
    struct catalog_walk w = { .model = model, .is_collect = true };

    w.names = xcalloc(1, sizeof(char *));
    if (cJSON_IsObject(request))
        (void)check_object(&w, NULL, request, "", "", false); /* never fails */
    *names = w.names;
    return w.name_count;
}

size_t catalog_image_options(const struct catalog_model *model,
                             const cJSON *request, catalog_image_cb cb,
                             void *arg)
{
    struct catalog_walk w = {
        .model = model, .is_collect = true, .image_cb = cb, .image_arg = arg
    };

    if (cJSON_IsObject(request))
        (void)check_object(&w, NULL, request, "", "", false); /* never fails */
    return w.name_count;
}

bool catalog_model_takes_base64(const struct catalog_model *model)
{
    return model->transport &
           (CATALOG_TRANSPORT_BASE64 | CATALOG_TRANSPORT_DATA_URI);
}

bool catalog_model_takes_url(const struct catalog_model *model)
{
    return model->transport & CATALOG_TRANSPORT_URL;
}

bool catalog_model_uploads_first(const struct catalog_model *model)
{
    return model->transport & CATALOG_TRANSPORT_UPLOAD;
}
