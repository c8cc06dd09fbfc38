/*
 * Validation of one value against its option (see catalog_impl.h): string
 * lengths, enums and "WxH" sizes, integers and ranges, URLs and their file
 * types. Part of the catalog (catalog.h).
 */
#include "providers/catalog_impl.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "core/mem.h"

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

bool catalog_same_value(const cJSON *a, const cJSON *b)
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
        if (catalog_same_value(it, v))
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

/* Rejects v as not among what allowed describes; takes ownership of it. */
static int not_allowed(struct catalog_walk *w, const cJSON *v, const char *disp,
                       char *allowed)
{
    int rc = catalog_walk_reject(
        w, disp, v, "is not allowed for %s (allowed: %s)", w->model->short_name,
        allowed ? allowed : "nothing");

    free(allowed);
    return rc;
}

int catalog_walk_string(struct catalog_walk *w,
                        const struct catalog_option *opt, const cJSON *v,
                        const char *disp)
{
    if (opt->max_length >= 0 &&
        utf8_length(v->valuestring) > (size_t)opt->max_length)
        return catalog_walk_fail(
            w, xasprintf("%s: a text of %zu characters is too long "
                         "(allowed: at most %ld characters)",
                         disp, utf8_length(v->valuestring), opt->max_length));
    if (opt->enum_values && !enum_has(opt->enum_values, v) &&
        !dims_ok(&opt->dims, v->valuestring))
        return not_allowed(w, v, disp, catalog_allowed_text(opt));
    return 0;
}

int catalog_walk_number(struct catalog_walk *w,
                        const struct catalog_option *opt, const cJSON *v,
                        const char *disp)
{
    double d = v->valuedouble;

    if (!(opt->types & CATALOG_NUMBER) &&
        (d != floor(d) || fabs(d) > 9007199254740992.0))
        return catalog_walk_reject(w, disp, v, "must be an integer");
    if (opt->enum_values && !enum_has(opt->enum_values, v))
        return not_allowed(w, v, disp, catalog_allowed_text(opt));
    if ((opt->has_min && d < opt->min) || (opt->has_max && d > opt->max)) {
        char *allowed = catalog_allowed_text(opt);
        int rc = catalog_walk_reject(w, disp, v,
                                     "is out of range (allowed: %s)", allowed);

        free(allowed);
        return rc;
    }
    return 0;
}

/* An http(s) URL whose path ends in one of the option's extensions. */
int catalog_walk_url(struct catalog_walk *w, const struct catalog_option *opt,
                     const cJSON *v, const char *disp)
{
    const char *s = v->valuestring;
    size_t path_len = strcspn(s, "?#");
    bool is_ok = !opt->extensions[0]; /* no list: any file type */

    for (size_t i = 0; opt->extensions[i]; i++) {
        size_t el = strlen(opt->extensions[i]);

        if (path_len > el + 1 && s[path_len - el - 1] == '.' &&
            strncasecmp(s + path_len - el, opt->extensions[i], el) == 0)
            is_ok = true;
    }
    is_ok = is_ok && catalog_image_kind(s) == CATALOG_IMAGE_URL;
    if (is_ok)
        return 0;
    return not_allowed(w, v, disp, catalog_url_text(opt));
}
