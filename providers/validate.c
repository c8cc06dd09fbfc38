/*
 * Validation of an effective request against its model's catalog entry, and
 * the assets (file names) a request names. Part of the catalog (catalog.h).
 */
#include "providers/catalog.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "core/mem.h"
#include "providers/catalog_impl.h"

/* Strings longer than this are shortened in messages. */
#define VALUE_TEXT_MAX 48

/* One walk over a request: validating (first error wins) or collecting. */
struct walk {
    const struct catalog_model *model;
    char *err;       /* validating: the first error */
    bool is_collect; /* collecting asset names, never failing */
    char **names;
    size_t name_count;
};

enum image_kind {
    IMAGE_FILE,
    IMAGE_URL,
    IMAGE_DATA_URI,
    IMAGE_BASE64,
    IMAGE_INVALID,
};

/* The JSON text of v for a message, shortened: a new string. */
static char *value_text(const cJSON *v)
{
    char *s = cJSON_PrintUnformatted(v);
    char *text;

    if (!s)
        abort(); /* cJSON fails only when out of memory */
    if (strlen(s) <= VALUE_TEXT_MAX) {
        text = xstrdup(s);
    } else {
        s[VALUE_TEXT_MAX - 3] = '\0';
        text = xasprintf("%s...%s", s, cJSON_IsString(v) ? "\"" : "");
    }
    free(s);
    return text;
}

static int fail(struct walk *w, char *msg)
{
    if (w->is_collect || w->err) {
        free(msg);
        return w->is_collect ? 0 : -EINVAL;
    }
    w->err = msg;
    return -EINVAL;
}

static char *join(const char *parent, const char *key)
{
    return parent[0] ? xasprintf("%s.%s", parent, key) : xstrdup(key);
}

static bool is_base64_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=' ||
           c == '\n' || c == '\r';
}

/* Tells how an image-valued string names its image. */
static enum image_kind image_kind(const char *s)
{
    size_t len = strlen(s), i;

    if (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0)
        return strchr(s, ' ') || len < 10 ? IMAGE_INVALID : IMAGE_URL;
    if (strncmp(s, "data:", 5) == 0)
        return strchr(s, ',') ? IMAGE_DATA_URI : IMAGE_INVALID;
    for (i = 0; i < len && is_base64_char(s[i]); i++)
        ;
    /* A file name has a dot or is short; an encoded image is neither. */
    if (i == len && len >= 64)
        return IMAGE_BASE64;
    if (len == 0 || strchr(s, '/') || strcmp(s, ".") == 0 ||
        strcmp(s, "..") == 0 || strchr(s, '\n'))
        return IMAGE_INVALID;
    return IMAGE_FILE;
}

static void add_name(struct walk *w, const char *name)
{
    for (size_t i = 0; i < w->name_count; i++) {
        if (strcmp(w->names[i], name) == 0)
            return;
    }
    w->names = xrealloc(w->names, (w->name_count + 2) * sizeof(char *));
    w->names[w->name_count++] = xstrdup(name);
    w->names[w->name_count] = NULL;
}

static int check_image(struct walk *w, const cJSON *v, const char *disp)
{
    enum image_kind kind = image_kind(v->valuestring);
    char *text;
    int rc;

    if (kind == IMAGE_FILE && w->is_collect)
        add_name(w, v->valuestring);
    if (kind != IMAGE_INVALID)
        return 0;
    text = value_text(v);
    rc = fail(w, xasprintf("%s: %s must be a file name in this folder (no "
                           "\"/\" or \"..\"), an http(s) URL, a data: URI or "
                           "base64",
                           disp, text));
    free(text);
    return rc;
}

/* Number of characters (UTF-8 code points) in s. */
static size_t utf8_length(const char *s)
{
    size_t n = 0;

    for (; *s; s++) {
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    }
    return n;
}

/* JSON equality, with 5 and 5.0 equal. */
static bool same_value(const cJSON *a, const cJSON *b)
{
    if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
        return a->valuedouble == b->valuedouble;
    return cJSON_Compare(a, b, true);
}

static bool enum_has(const cJSON *values, const cJSON *v)
{
    const cJSON *it;

    cJSON_ArrayForEach(it, values)
    {
        if (same_value(it, v))
            return true;
    }
    return false;
}

/* True when s is "WxH" within dims. */
static bool dims_ok(const struct catalog_dims *dims, const char *s)
{
    long wh[2];
    const char *p = s;

    if (!dims->is_set)
        return false;
    for (int i = 0; i < 2; i++) {
        char *end;

        if (*p < '1' || *p > '9')
            return false;
        wh[i] = strtol(p, &end, 10);
        if (end - p > 6)
            return false;
        p = end;
        if (i == 0 && *p++ != 'x')
            return false;
    }
    if (*p)
        return false;
    long big = wh[0] > wh[1] ? wh[0] : wh[1];
    long small = wh[0] > wh[1] ? wh[1] : wh[0];

    if (small < dims->min || big > dims->max_width || small > dims->max_height)
        return false;
    return !dims->is_even || (wh[0] % 2 == 0 && wh[1] % 2 == 0);
}

static int not_allowed(struct walk *w, const struct catalog_option *opt,
                       const cJSON *v, const char *disp)
{
    char *text = value_text(v), *allowed = catalog_allowed_text(opt);
    int rc = fail(w, xasprintf("%s: %s is not allowed for %s (allowed: %s)",
                               disp, text, w->model->short_name,
                               allowed ? allowed : "nothing"));

    free(text);
    free(allowed);
    return rc;
}

static int check_string(struct walk *w, const struct catalog_option *opt,
                        const cJSON *v, const char *disp)
{
    if (opt->max_length >= 0 &&
        utf8_length(v->valuestring) > (size_t)opt->max_length)
        return fail(w, xasprintf("%s: a text of %zu characters is too long "
                                 "(allowed: at most %ld characters)",
                                 disp, utf8_length(v->valuestring),
                                 opt->max_length));
    if (opt->enum_values && !enum_has(opt->enum_values, v) &&
        !dims_ok(&opt->dims, v->valuestring))
        return not_allowed(w, opt, v, disp);
    return 0;
}

static int check_number(struct walk *w, const struct catalog_option *opt,
                        const cJSON *v, const char *disp)
{
    double d = v->valuedouble;

    if (!(opt->types & CATALOG_NUMBER) &&
        (d != floor(d) || fabs(d) > 9007199254740992.0)) {
        char *text = value_text(v);
        int rc = fail(w, xasprintf("%s: %s must be an integer", disp, text));

        free(text);
        return rc;
    }
    if (opt->enum_values && !enum_has(opt->enum_values, v))
        return not_allowed(w, opt, v, disp);
    if ((opt->has_min && d < opt->min) || (opt->has_max && d > opt->max)) {
        char *text = value_text(v), *allowed = catalog_allowed_text(opt);
        int rc = fail(w, xasprintf("%s: %s is out of range (allowed: %s)", disp,
                                   text, allowed));

        free(text);
        free(allowed);
        return rc;
    }
    return 0;
}

static int check_value(struct walk *w, const struct catalog_option *opt,
                       const cJSON *v, const char *disp, const char *canon,
                       bool is_alias);

static int check_array(struct walk *w, const struct catalog_option *opt,
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
        char *allowed;

        if (opt->min_items >= 0 && opt->max_items >= 0)
            allowed = xasprintf("%ld to %ld", opt->min_items, opt->max_items);
        else if (opt->min_items >= 0)
            allowed = xasprintf("at least %ld", opt->min_items);
        else
            allowed = xasprintf("at most %ld", opt->max_items);
        rc = fail(w, xasprintf("%s: %zu item%s %s too %s (allowed: %s)", disp,
                               n, n == 1 ? "" : "s", n == 1 ? "is" : "are",
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
                    char *text = value_text(it);

                    rc = fail(w, xasprintf("%s: %s must be an image (a file "
                                           "name in this folder, an http(s) "
                                           "URL, a data: URI or base64)",
                                           item_disp, text));
                    free(text);
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

static int unknown_key(struct walk *w, const char *disp_parent,
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
    return fail(w, msg);
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
static int check_object(struct walk *w, const struct catalog_option *opt,
                        const cJSON *v, const char *disp, const char *canon,
                        bool is_alias)
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

        rc = fail(w, xasprintf("%s is required", path));
        free(path);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The items of list, each after prefix, separated by sep: a new string. */
static char *words(char **list, const char *prefix, const char *sep)
{
    char *text = xstrdup("");

    for (size_t i = 0; list[i]; i++) {
        char *next = xasprintf("%s%s%s%s", text, i ? sep : "", prefix, list[i]);

        free(text);
        text = next;
    }
    return text;
}

/* An http(s) URL whose path ends in one of the option's extensions. */
static int check_url(struct walk *w, const struct catalog_option *opt,
                     const cJSON *v, const char *disp)
{
    const char *s = v->valuestring;
    size_t path_len = strcspn(s, "?#");
    bool is_ok = !opt->extensions[0]; /* no list: any file type */
    char *text, *allowed;
    int rc;

    for (size_t i = 0; opt->extensions[i]; i++) {
        size_t el = strlen(opt->extensions[i]);

        if (path_len > el + 1 && s[path_len - el - 1] == '.' &&
            strncasecmp(s + path_len - el, opt->extensions[i], el) == 0)
            is_ok = true;
    }
    is_ok = is_ok && image_kind(s) == IMAGE_URL;
    if (is_ok)
        return 0;
    allowed = words(opt->extensions, ".", " or ");
    text = value_text(v);
    rc = fail(w, xasprintf("%s: %s is not allowed for %s (allowed: an http(s) "
                           "URL%s%s%s)",
                           disp, text, w->model->short_name,
                           allowed[0] ? " of a " : "", allowed,
                           allowed[0] ? " file" : ""));
    free(text);
    free(allowed);
    return rc;
}

static int check_value(struct walk *w, const struct catalog_option *opt,
                       const cJSON *v, const char *disp, const char *canon,
                       bool is_alias)
{
    unsigned t = opt->types;
    char *text, *want;
    int rc;

    if (opt->unsupported) {
        text = value_text(v);
        rc = fail(w, xasprintf("%s: %s is not supported by %s (%s)", disp, text,
                               w->model->short_name, opt->unsupported));
        free(text);
        return rc;
    }
    if (cJSON_IsString(v) && (t & CATALOG_IMAGE))
        return check_image(w, v, disp);
    if (cJSON_IsString(v) && (t & CATALOG_URL))
        return check_url(w, opt, v, disp);
    if (cJSON_IsString(v) && (t & CATALOG_STRING))
        return check_string(w, opt, v, disp);
    if (cJSON_IsNumber(v) && (t & (CATALOG_NUMBER | CATALOG_INTEGER)))
        return check_number(w, opt, v, disp);
    if (cJSON_IsBool(v) && (t & CATALOG_BOOLEAN))
        return 0;
    if (cJSON_IsObject(v) && (t & CATALOG_OBJECT))
        return check_object(w, opt, v, disp, canon, is_alias);
    if (cJSON_IsArray(v) && (t & (CATALOG_ARRAY | CATALOG_IMAGE_ARRAY)))
        return check_array(w, opt, v, disp, canon);
    text = value_text(v);
    want = catalog_types_text(t);
    rc = fail(w, xasprintf("%s: %s must be %s", disp, text, want));
    free(text);
    free(want);
    return rc;
}

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

static int check_exclusive(struct walk *w, const struct catalog_rule *r,
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
        rc = fail(w,
                  xasprintf("%s and %s cannot be used together", first, found));
        free(found);
    }
    free(first);
    return rc;
}

static int check_requires(struct walk *w, const struct catalog_rule *r,
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

        if (iv && (!r->if_equals || same_value(r->if_equals, iv)) &&
            (!tv || (r->then_equals && !same_value(r->then_equals, tv)))) {
            char *ie = r->if_equals ? value_text(r->if_equals) : NULL;
            char *te = r->then_equals ? value_text(r->then_equals) : NULL;

            rc = fail(w,
                      xasprintf("%s%s%s requires %s%s%s", ip, ie ? " " : "",
                                ie ? ie : "", tp, te ? " " : "", te ? te : ""));
            free(ie);
            free(te);
        }
        free(ip);
        free(tp);
    }
    return rc;
}

int catalog_validate(const struct catalog_model *model, const cJSON *request,
                     char **err)
{
    struct walk w = { .model = model };
    int rc;

    *err = NULL;
    if (!cJSON_IsObject(request)) {
        *err = xstrdup("the request must be a JSON object");
        return -EINVAL;
    }
    rc = check_object(&w, NULL, request, "", "", false);
    for (size_t i = 0; rc == 0 && i < model->rule_count; i++) {
        const struct catalog_rule *r = &model->rules[i];

        rc = r->kind == CATALOG_RULE_EXCLUSIVE ? check_exclusive(&w, r, request)
                                               : check_requires(&w, r, request);
    }
    if (rc < 0)
        *err = w.err;
    return rc;
}

int catalog_check_image(const struct catalog_model *model, const char *name,
                        const char *format, size_t bytes, long width,
                        long height, char **err)
{
    const struct catalog_image *img = &model->image;
    const char *sn = model->short_name;
    const char *fmt = strcasecmp(format, "jpg") == 0 ? "jpeg" : format;
    double aspect = height > 0 ? (double)width / (double)height : 0;
    size_t i;

    *err = NULL;
    for (i = 0; img->formats[i]; i++) {
        if (strcasecmp(img->formats[i], fmt) == 0)
            break;
    }
    if (!img->formats[i]) {
        char *allowed = words(img->formats, "", ", ");

        *err = xasprintf("%s: a %s image is not accepted by %s (allowed: %s)",
                         name, fmt, sn, allowed);
        free(allowed);
    } else if (img->max_bytes && bytes > (size_t)img->max_bytes) {
        *err = xasprintf("%s: %zu bytes is too large for %s (allowed: at "
                         "most %ld bytes)",
                         name, bytes, sn, img->max_bytes);
    } else if (img->min_px && (width < img->min_px || height < img->min_px)) {
        *err = xasprintf("%s: %ldx%ld is too small for %s (allowed: at least "
                         "%ld px wide and high)",
                         name, width, height, sn, img->min_px);
    } else if (img->max_px && (width > img->max_px || height > img->max_px)) {
        *err = xasprintf("%s: %ldx%ld is too large for %s (allowed: at most "
                         "%ld px wide and high)",
                         name, width, height, sn, img->max_px);
    } else if ((img->aspect_min > 0 && aspect < img->aspect_min - 1e-9) ||
               (img->aspect_max > 0 && aspect > img->aspect_max + 1e-9)) {
        char a[32], b[32];

        *err = xasprintf("%s: %ldx%ld has an aspect ratio (width / height) "
                         "of %.4g, which %s does not accept (allowed: %s to "
                         "%s)",
                         name, width, height, aspect, sn,
                         catalog_num_text(img->aspect_min, a, sizeof(a)),
                         catalog_num_text(img->aspect_max, b, sizeof(b)));
    }
    return *err ? -EINVAL : 0;
}

size_t catalog_assets(const struct catalog_model *model, const cJSON *request,
                      char ***names)
{
    struct walk w = { .model = model, .is_collect = true };

    w.names = xcalloc(1, sizeof(char *));
    if (cJSON_IsObject(request))
        (void)check_object(&w, NULL, request, "", "", false); /* never fails */
    *names = w.names;
    return w.name_count;
}

void catalog_names_free(char **names)
{
    if (!names)
        return;
    for (size_t i = 0; names[i]; i++)
        free(names[i]);
    free(names);
}
