/*
 * The model catalog (see catalog.h): parses providers/catalog.json, built
 * into the binary, into structs, and answers lookups and defaults.
 * Validation lives in validate.c, the generated docs in catalog_doc.c.
 */
#include "providers/catalog.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/mem.h"
#include "providers/catalog_impl.h"

/* The catalog text, embedded by providers/catalog_data.S. */
extern const char catalog_json[];

/* The first parse error, with where it happened. */
struct parse {
    char *err;
};

static int fail(struct parse *p, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct parse *p, const char *where, const char *fmt, ...)
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

/* Fails on any member of obj not in the NULL-terminated list known. */
static int check_fields(struct parse *p, const char *where, const cJSON *obj,
                        const char *const *known)
{
    const cJSON *it;

    if (!cJSON_IsObject(obj))
        return fail(p, where, "must be an object");
    cJSON_ArrayForEach(it, obj)
    {
        size_t i;

        for (i = 0; known[i]; i++) {
            if (strcmp(known[i], it->string) == 0)
                break;
        }
        if (!known[i])
            return fail(p, where, "unknown field \"%s\"", it->string);
    }
    return 0;
}

static int get_str(struct parse *p, const char *where, const cJSON *obj,
                   const char *key, bool is_required, char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    *out = NULL;
    if (!v) {
        if (is_required)
            return fail(p, where, "\"%s\" is missing", key);
        return 0;
    }
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return fail(p, where, "\"%s\" must be a non-empty string", key);
    *out = xstrdup(v->valuestring);
    return 0;
}

static int get_bool(struct parse *p, const char *where, const cJSON *obj,
                    const char *key, bool fallback, bool *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    *out = fallback;
    if (!v)
        return 0;
    if (!cJSON_IsBool(v))
        return fail(p, where, "\"%s\" must be true or false", key);
    *out = cJSON_IsTrue(v);
    return 0;
}

static int get_num(struct parse *p, const char *where, const cJSON *obj,
                   const char *key, bool *is_set, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (is_set)
        *is_set = false;
    if (!v)
        return 0;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return fail(p, where, "\"%s\" must be a number", key);
    if (is_set)
        *is_set = true;
    *out = v->valuedouble;
    return 0;
}

/* A whole number >= 0, or -1 (fallback) when absent. */
static int get_count(struct parse *p, const char *where, const cJSON *obj,
                     const char *key, long fallback, long *out)
{
    bool is_set;
    double d = 0;
    int rc = get_num(p, where, obj, key, &is_set, &d);

    *out = fallback;
    if (rc < 0 || !is_set)
        return rc;
    if (d < 0 || d != floor(d) || d > 1e15)
        return fail(p, where, "\"%s\" must be a whole number", key);
    *out = (long)d;
    return 0;
}

/* A NULL-terminated copy of an array of non-empty strings (absent: empty). */
static int get_str_list(struct parse *p, const char *where, const cJSON *obj,
                        const char *key, char ***out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    const cJSON *it;
    size_t n = 0;

    *out = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(char *));
    if (!v)
        return 0;
    if (!cJSON_IsArray(v))
        return fail(p, where, "\"%s\" must be an array of strings", key);
    cJSON_ArrayForEach(it, v)
    {
        if (!cJSON_IsString(it) || !it->valuestring[0])
            return fail(p, where, "\"%s\" must be an array of strings", key);
        (*out)[n++] = xstrdup(it->valuestring);
    }
    return 0;
}

static void str_list_free(char **list)
{
    if (!list)
        return;
    for (size_t i = 0; list[i]; i++)
        free(list[i]);
    free(list);
}

static const struct {
    const char *name;
    unsigned bit;
} type_names[] = {
    { "string", CATALOG_STRING },   { "number", CATALOG_NUMBER },
    { "integer", CATALOG_INTEGER }, { "boolean", CATALOG_BOOLEAN },
    { "object", CATALOG_OBJECT },   { "array", CATALOG_ARRAY },
    { "image", CATALOG_IMAGE },     { "image-array", CATALOG_IMAGE_ARRAY },
    { "url", CATALOG_URL },
};

static unsigned type_bit(const char *name)
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
        if (strcmp(type_names[i].name, name) == 0)
            return type_names[i].bit;
    }
    return 0;
}

static int parse_types(struct parse *p, const char *where, const cJSON *v,
                       unsigned *types)
{
    const cJSON *it;

    *types = 0;
    if (cJSON_IsString(v)) {
        *types = type_bit(v->valuestring);
    } else if (cJSON_IsArray(v)) {
        cJSON_ArrayForEach(it, v)
        {
            unsigned bit = cJSON_IsString(it) ? type_bit(it->valuestring) : 0;

            if (!bit) {
                *types = 0;
                break;
            }
            *types |= bit;
        }
    }
    if (!*types)
        return fail(p, where,
                    "\"type\" must be one of string, number, integer, "
                    "boolean, object, array, image, image-array, url (or a "
                    "list)");
    return 0;
}

/* True when value fits the option's declared types (for defaults, enums). */
static bool value_has_type(const cJSON *v, unsigned types)
{
    if (cJSON_IsString(v))
        return types & (CATALOG_STRING | CATALOG_IMAGE | CATALOG_URL);
    if (cJSON_IsNumber(v)) {
        if (types & CATALOG_NUMBER)
            return true;
        return (types & CATALOG_INTEGER) &&
               v->valuedouble == floor(v->valuedouble);
    }
    if (cJSON_IsBool(v))
        return types & CATALOG_BOOLEAN;
    if (cJSON_IsObject(v))
        return types & CATALOG_OBJECT;
    if (cJSON_IsArray(v))
        return types & (CATALOG_ARRAY | CATALOG_IMAGE_ARRAY);
    return false;
}

static int parse_dims(struct parse *p, const char *where, const cJSON *v,
                      struct catalog_dims *dims)
{
    static const char *const known[] = { "min", "max_width", "max_height",
                                         "even", NULL };
    int rc;

    if (!v)
        return 0;
    rc = check_fields(p, where, v, known);
    if (rc == 0)
        rc = get_count(p, where, v, "min", 2, &dims->min);
    if (rc == 0)
        rc = get_count(p, where, v, "max_width", -1, &dims->max_width);
    if (rc == 0)
        rc = get_count(p, where, v, "max_height", -1, &dims->max_height);
    if (rc == 0)
        rc = get_bool(p, where, v, "even", false, &dims->is_even);
    if (rc == 0 && (dims->max_width < 1 || dims->max_height < 1))
        return fail(p, where, "\"dimensions\" needs max_width and max_height");
    dims->is_set = true;
    return rc;
}

static void split_path(struct catalog_option *opt)
{
    size_t len = strlen(opt->path);

    if (len > 2 && strcmp(opt->path + len - 2, "[]") == 0) {
        opt->parent = xstrndup(opt->path, len - 2);
        opt->key = xstrdup("[]");
        return;
    }
    const char *dot = strrchr(opt->path, '.');

    opt->parent =
        dot ? xstrndup(opt->path, (size_t)(dot - opt->path)) : xstrdup("");
    opt->key = xstrdup(dot ? dot + 1 : opt->path);
}

static int parse_option_fields(struct parse *p, const char *where,
                               const cJSON *v, struct catalog_option *opt)
{
    static const char *const known[] = {
        "path",        "type",       "enum",        "min",         "max",
        "min_items",   "max_items",  "max_length",  "dimensions",  "default",
        "doc_default", "wire",       "description", "unsupported", "required",
        "open",        "extensions", NULL
    };
    const cJSON *e;
    int rc;

    rc = check_fields(p, where, v, known);
    if (rc == 0)
        rc = parse_types(p, where, cJSON_GetObjectItemCaseSensitive(v, "type"),
                         &opt->types);
    if (rc == 0)
        rc = get_num(p, where, v, "min", &opt->has_min, &opt->min);
    if (rc == 0)
        rc = get_num(p, where, v, "max", &opt->has_max, &opt->max);
    if (rc == 0)
        rc = get_count(p, where, v, "min_items", -1, &opt->min_items);
    if (rc == 0)
        rc = get_count(p, where, v, "max_items", -1, &opt->max_items);
    if (rc == 0)
        rc = get_count(p, where, v, "max_length", -1, &opt->max_length);
    if (rc == 0)
        rc = parse_dims(p, where,
                        cJSON_GetObjectItemCaseSensitive(v, "dimensions"),
                        &opt->dims);
    if (rc == 0)
        rc = get_str(p, where, v, "doc_default", false, &opt->doc_default);
    if (rc == 0)
        rc = get_str(p, where, v, "wire", false, &opt->wire);
    if (rc == 0)
        rc = get_str(p, where, v, "description", true, &opt->description);
    if (rc == 0)
        rc = get_str(p, where, v, "unsupported", false, &opt->unsupported);
    if (rc == 0)
        rc = get_bool(p, where, v, "required", false, &opt->is_required);
    if (rc == 0)
        rc = get_bool(p, where, v, "open", false, &opt->is_open);
    if (rc == 0)
        rc = get_str_list(p, where, v, "extensions", &opt->extensions);
    if (rc < 0)
        return rc;
    if (opt->extensions[0] && !(opt->types & CATALOG_URL))
        return fail(p, where, "\"extensions\" needs the type url");
    if (opt->has_min && opt->has_max && opt->min > opt->max)
        return fail(p, where, "min is above max");
    e = cJSON_GetObjectItemCaseSensitive(v, "enum");
    if (e) {
        const cJSON *it;

        if (!cJSON_IsArray(e) || cJSON_GetArraySize(e) == 0)
            return fail(p, where, "\"enum\" must be a non-empty array");
        cJSON_ArrayForEach(it, e)
        {
            if (!value_has_type(it, opt->types) || cJSON_IsObject(it) ||
                cJSON_IsArray(it))
                return fail(p, where, "an \"enum\" value has the wrong type");
        }
        opt->enum_values = cJSON_Duplicate(e, true);
    }
    e = cJSON_GetObjectItemCaseSensitive(v, "default");
    if (e) {
        if (!value_has_type(e, opt->types))
            return fail(p, where, "\"default\" has the wrong type");
        opt->default_value = cJSON_Duplicate(e, true);
    }
    return 0;
}

static int parse_option(struct parse *p, const char *model_where,
                        const cJSON *v, struct catalog_option *opt)
{
    char *where;
    int rc;

    opt->min_items = opt->max_items = opt->max_length = -1;
    rc = get_str(p, model_where, v, "path", true, &opt->path);
    if (rc < 0)
        return rc;
    where = xasprintf("%s option \"%s\"", model_where, opt->path);
    split_path(opt);
    rc = parse_option_fields(p, where, v, opt);
    free(where);
    return rc;
}

static int parse_rule_paths(struct parse *p, const char *where,
                            const struct catalog_model *m, const cJSON *arr,
                            char ***out)
{
    const cJSON *it;
    size_t n = 0;

    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0)
        return fail(p, where, "a group must be a non-empty array of paths");
    *out = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(char *));
    cJSON_ArrayForEach(it, arr)
    {
        if (!cJSON_IsString(it) || !catalog_option_find(m, it->valuestring))
            return fail(p, where, "a group names an unknown option");
        (*out)[n++] = xstrdup(it->valuestring);
    }
    return 0;
}

static int parse_rule(struct parse *p, const char *where,
                      const struct catalog_model *m, const cJSON *v,
                      struct catalog_rule *r)
{
    static const char *const known[] = { "kind",        "groups", "why",
                                         "if",          "equals", "then",
                                         "then_equals", NULL };
    char *kind = NULL;
    int rc;

    rc = check_fields(p, where, v, known);
    if (rc == 0)
        rc = get_str(p, where, v, "kind", true, &kind);
    if (rc == 0)
        rc = get_str(p, where, v, "why", false, &r->why);
    if (rc < 0)
        goto out;
    if (strcmp(kind, "exclusive") == 0) {
        const cJSON *groups = cJSON_GetObjectItemCaseSensitive(v, "groups");
        const cJSON *g;

        r->kind = CATALOG_RULE_EXCLUSIVE;
        if (!cJSON_IsArray(groups) || cJSON_GetArraySize(groups) < 2) {
            rc = fail(p, where, "\"groups\" must list at least two groups");
            goto out;
        }
        r->groups =
            xcalloc((size_t)cJSON_GetArraySize(groups), sizeof(char **));
        cJSON_ArrayForEach(g, groups)
        {
            rc = parse_rule_paths(p, where, m, g, &r->groups[r->group_count]);
            r->group_count++;
            if (rc < 0)
                goto out;
        }
    } else if (strcmp(kind, "requires") == 0) {
        const cJSON *e;

        r->kind = CATALOG_RULE_REQUIRES;
        rc = get_str(p, where, v, "if", true, &r->if_path);
        if (rc == 0)
            rc = get_str(p, where, v, "then", true, &r->then_path);
        if (rc < 0)
            goto out;
        if (!catalog_option_find(m, r->if_path) ||
            !catalog_option_find(m, r->then_path)) {
            rc = fail(p, where, "\"if\" or \"then\" names an unknown option");
            goto out;
        }
        e = cJSON_GetObjectItemCaseSensitive(v, "equals");
        if (e)
            r->if_equals = cJSON_Duplicate(e, true);
        e = cJSON_GetObjectItemCaseSensitive(v, "then_equals");
        if (e)
            r->then_equals = cJSON_Duplicate(e, true);
    } else {
        rc = fail(p, where, "\"kind\" must be exclusive or requires");
    }
out:
    free(kind);
    return rc;
}

static int parse_image(struct parse *p, const char *where, const cJSON *v,
                       struct catalog_image *img)
{
    static const char *const known[] = { "required",   "formats", "max_bytes",
                                         "min_px",     "max_px",  "aspect_min",
                                         "aspect_max", "note",    NULL };
    int rc;

    if (!v)
        return fail(p, where, "\"image\" is missing");
    rc = check_fields(p, where, v, known);
    if (rc == 0)
        rc = get_bool(p, where, v, "required", true, &img->is_required);
    if (rc == 0)
        rc = get_str_list(p, where, v, "formats", &img->formats);
    if (rc == 0)
        rc = get_count(p, where, v, "max_bytes", 0, &img->max_bytes);
    if (rc == 0)
        rc = get_count(p, where, v, "min_px", 0, &img->min_px);
    if (rc == 0)
        rc = get_count(p, where, v, "max_px", 0, &img->max_px);
    if (rc == 0)
        rc = get_num(p, where, v, "aspect_min", NULL, &img->aspect_min);
    if (rc == 0)
        rc = get_num(p, where, v, "aspect_max", NULL, &img->aspect_max);
    if (rc == 0)
        rc = get_str(p, where, v, "note", false, &img->note);
    if (rc == 0 && !img->formats[0])
        rc = fail(p, where, "\"image.formats\" must list the formats");
    return rc;
}

static int parse_transport(struct parse *p, const char *where, const cJSON *obj,
                           unsigned *out)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {
        { "file", CATALOG_TRANSPORT_FILE },
        { "url", CATALOG_TRANSPORT_URL },
        { "base64", CATALOG_TRANSPORT_BASE64 },
        { "data-uri", CATALOG_TRANSPORT_DATA_URI },
        { "upload-first", CATALOG_TRANSPORT_UPLOAD },
    };
    char **list = NULL;
    int rc = get_str_list(p, where, obj, "image_transport", &list);

    *out = 0;
    for (size_t i = 0; rc == 0 && list[i]; i++) {
        size_t k;

        for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
            if (strcmp(names[k].name, list[i]) == 0)
                break;
        }
        if (k == sizeof(names) / sizeof(names[0]))
            rc = fail(p, where,
                      "image_transport \"%s\" is not one of file, url, "
                      "base64, data-uri, upload-first",
                      list[i]);
        else
            *out |= names[k].bit;
    }
    if (rc == 0 && !*out)
        rc = fail(p, where, "\"image_transport\" is missing");
    str_list_free(list);
    return rc;
}

static const struct catalog_route *route_find(const struct catalog *cat,
                                              const char *name)
{
    for (size_t i = 0; i < cat->route_count; i++) {
        if (strcmp(cat->routes[i].name, name) == 0)
            return &cat->routes[i];
    }
    return NULL;
}

/* Checks that every option's parent is an object or array option. */
static int check_tree(struct parse *p, const char *where,
                      const struct catalog_model *m)
{
    for (size_t i = 0; i < m->option_count; i++) {
        const struct catalog_option *o = &m->options[i];
        const struct catalog_option *parent;

        if (catalog_option_find(m, o->path) != o)
            return fail(p, where, "option \"%s\" is listed twice", o->path);
        if (!o->parent[0])
            continue;
        parent = catalog_option_find(m, o->parent);
        if (!parent)
            return fail(p, where, "option \"%s\" has no parent \"%s\"", o->path,
                        o->parent);
        if (strcmp(o->key, "[]") == 0 ? !(parent->types & CATALOG_ARRAY)
                                      : !(parent->types & CATALOG_OBJECT))
            return fail(p, where, "the parent of \"%s\" cannot hold it",
                        o->path);
    }
    return 0;
}

static int parse_model(struct parse *p, struct catalog *cat, size_t index,
                       const cJSON *v, struct catalog_model *m)
{
    static const char *const known[] = { "enabled",
                                         "route",
                                         "folder",
                                         "id",
                                         "short_name",
                                         "title",
                                         "description",
                                         "vendor_key",
                                         "vendor_aliases",
                                         "ignored_vendors",
                                         "image",
                                         "image_transport",
                                         "options",
                                         "rules",
                                         "notes",
                                         "example",
                                         NULL };
    char where[64];
    char *route = NULL;
    const cJSON *arr, *it;
    int rc;

    snprintf(where, sizeof(where), "models[%zu]", index);
    rc = check_fields(p, where, v, known);
    if (rc == 0)
        rc = get_str(p, where, v, "folder", true, &m->folder);
    if (rc < 0)
        return rc;
    /* Messages from here on name the folder rather than the index. */
    snprintf(where, sizeof(where), "model \"%.48s\"", m->folder);
    rc = get_bool(p, where, v, "enabled", true, &m->is_enabled);
    if (rc == 0)
        rc = get_str(p, where, v, "route", true, &route);
    if (rc == 0)
        rc = get_str(p, where, v, "id", true, &m->id);
    if (rc == 0)
        rc = get_str(p, where, v, "short_name", false, &m->short_name);
    if (rc == 0)
        rc = get_str(p, where, v, "title", true, &m->title);
    if (rc == 0)
        rc = get_str(p, where, v, "description", true, &m->description);
    if (rc == 0)
        rc = get_str(p, where, v, "vendor_key", true, &m->vendor_key);
    if (rc == 0)
        rc = get_str_list(p, where, v, "vendor_aliases", &m->vendor_aliases);
    if (rc == 0)
        rc = get_str_list(p, where, v, "ignored_vendors", &m->ignored_vendors);
    if (rc == 0)
        rc = get_str_list(p, where, v, "notes", &m->notes);
    if (rc == 0)
        rc = parse_image(p, where, cJSON_GetObjectItemCaseSensitive(v, "image"),
                         &m->image);
    if (rc == 0)
        rc = parse_transport(p, where, v, &m->transport);
    if (rc < 0)
        goto out;
    if (!m->short_name)
        m->short_name = xstrdup(m->id);
    m->route = route_find(cat, route);
    if (!m->route) {
        rc = fail(p, where, "route \"%s\" is not in routes", route);
        goto out;
    }
    {
        size_t rl = strlen(m->route->folder);

        if (strncmp(m->folder, m->route->folder, rl) != 0 ||
            m->folder[rl] != '/' || m->folder[strlen(m->folder) - 1] == '/' ||
            strstr(m->folder, "//") || strstr(m->folder, "/./") ||
            strstr(m->folder, "/../") || strstr(m->folder, "/.")) {
            rc = fail(p, where, "the folder must be inside \"%s/\"",
                      m->route->folder);
            goto out;
        }
    }
    arr = cJSON_GetObjectItemCaseSensitive(v, "options");
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0) {
        rc = fail(p, where, "\"options\" must be a non-empty array");
        goto out;
    }
    m->options = xcalloc((size_t)cJSON_GetArraySize(arr), sizeof(*m->options));
    cJSON_ArrayForEach(it, arr)
    {
        rc = parse_option(p, where, it, &m->options[m->option_count]);
        m->option_count++;
        if (rc < 0)
            goto out;
    }
    rc = check_tree(p, where, m);
    if (rc < 0)
        goto out;
    arr = cJSON_GetObjectItemCaseSensitive(v, "rules");
    if (arr && !cJSON_IsArray(arr)) {
        rc = fail(p, where, "\"rules\" must be an array");
        goto out;
    }
    m->rules = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*m->rules));
    cJSON_ArrayForEach(it, arr)
    {
        rc = parse_rule(p, where, m, it, &m->rules[m->rule_count]);
        m->rule_count++;
        if (rc < 0)
            goto out;
    }
    it = cJSON_GetObjectItemCaseSensitive(v, "example");
    if (it) {
        if (!cJSON_IsObject(it)) {
            rc = fail(p, where, "\"example\" must be an object");
            goto out;
        }
        m->example = cJSON_Duplicate(it, true);
    }
out:
    free(route);
    return rc;
}

static int parse_route(struct parse *p, size_t index, const cJSON *v,
                       struct catalog_route *r)
{
    static const char *const known[] = { "name",     "folder",
                                         "provider", "needs_request",
                                         "title",    "description",
                                         "env",      NULL };
    char where[64];
    int rc;

    snprintf(where, sizeof(where), "routes[%zu]", index);
    rc = check_fields(p, where, v, known);
    if (rc == 0)
        rc = get_str(p, where, v, "name", true, &r->name);
    if (rc == 0)
        rc = get_str(p, where, v, "folder", true, &r->folder);
    if (rc == 0)
        rc = get_str(p, where, v, "provider", true, &r->provider);
    if (rc == 0)
        rc = get_bool(p, where, v, "needs_request", true, &r->needs_request);
    if (rc == 0)
        rc = get_str(p, where, v, "title", true, &r->title);
    if (rc == 0)
        rc = get_str(p, where, v, "description", true, &r->description);
    if (rc == 0)
        rc = get_str_list(p, where, v, "env", &r->env);
    if (rc == 0 && strchr(r->folder, '/'))
        rc = fail(p, where, "a route folder is one name");
    return rc;
}

/* No model folder may sit inside another, or the lookup is ambiguous. */
static int check_folders(struct parse *p, const struct catalog *cat)
{
    for (size_t i = 0; i < cat->model_count; i++) {
        for (size_t k = 0; k < cat->model_count; k++) {
            const char *a = cat->models[i].folder, *b = cat->models[k].folder;
            size_t al = strlen(a);

            if (i != k && strncmp(a, b, al) == 0 &&
                (b[al] == '\0' || b[al] == '/'))
                return fail(p, b, "folder clashes with \"%s\"", a);
        }
    }
    return 0;
}

static int parse_catalog(struct parse *p, const cJSON *root,
                         struct catalog *cat)
{
    static const char *const known[] = { "schema", "routes", "models", NULL };
    const cJSON *arr, *it;
    int rc;

    rc = check_fields(p, "top level", root, known);
    if (rc < 0)
        return rc;
    it = cJSON_GetObjectItemCaseSensitive(root, "schema");
    if (!cJSON_IsNumber(it) || it->valuedouble != 1)
        return fail(p, "top level", "\"schema\" must be 1");
    arr = cJSON_GetObjectItemCaseSensitive(root, "routes");
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0)
        return fail(p, "top level", "\"routes\" must be a non-empty array");
    cat->routes =
        xcalloc((size_t)cJSON_GetArraySize(arr), sizeof(*cat->routes));
    cJSON_ArrayForEach(it, arr)
    {
        rc = parse_route(p, cat->route_count, it,
                         &cat->routes[cat->route_count]);
        cat->route_count++;
        if (rc < 0)
            return rc;
    }
    arr = cJSON_GetObjectItemCaseSensitive(root, "models");
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0)
        return fail(p, "top level", "\"models\" must be a non-empty array");
    cat->models =
        xcalloc((size_t)cJSON_GetArraySize(arr), sizeof(*cat->models));
    cat->enabled =
        xcalloc((size_t)cJSON_GetArraySize(arr), sizeof(*cat->enabled));
    cJSON_ArrayForEach(it, arr)
    {
        struct catalog_model *m = &cat->models[cat->model_count];

        rc = parse_model(p, cat, cat->model_count, it, m);
        cat->model_count++;
        if (rc < 0)
            return rc;
        if (m->is_enabled)
            cat->enabled[cat->enabled_count++] = m;
    }
    return check_folders(p, cat);
}

int catalog_new_from_text(const char *json, struct catalog **out, char **err)
{
    struct parse p = { NULL };
    struct catalog *cat = xcalloc(1, sizeof(*cat));
    const char *end = NULL;
    cJSON *root;
    int rc;

    *out = NULL;
    *err = NULL;
    root = cJSON_ParseWithOpts(json, &end, true);
    if (!root) {
        size_t line = 1, col = 1;

        for (const char *s = json; end && s < end; s++) {
            if (*s == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        *err = xasprintf("catalog: invalid JSON at line %zu, column %zu", line,
                         col);
        catalog_free(cat);
        return -EINVAL;
    }
    rc = parse_catalog(&p, root, cat);
    cJSON_Delete(root);
    if (rc < 0) {
        *err = p.err;
        catalog_free(cat);
        return rc;
    }
    *out = cat;
    return 0;
}

int catalog_new(struct catalog **out, char **err)
{
    return catalog_new_from_text(catalog_json, out, err);
}

static void option_release(struct catalog_option *o)
{
    free(o->path);
    free(o->parent);
    free(o->key);
    cJSON_Delete(o->enum_values);
    cJSON_Delete(o->default_value);
    free(o->doc_default);
    free(o->wire);
    free(o->description);
    free(o->unsupported);
    str_list_free(o->extensions);
}

static void rule_release(struct catalog_rule *r)
{
    for (size_t i = 0; i < r->group_count; i++)
        str_list_free(r->groups[i]);
    free(r->groups);
    free(r->why);
    free(r->if_path);
    cJSON_Delete(r->if_equals);
    free(r->then_path);
    cJSON_Delete(r->then_equals);
}

static void model_release(struct catalog_model *m)
{
    free(m->folder);
    free(m->id);
    free(m->short_name);
    free(m->title);
    free(m->description);
    free(m->vendor_key);
    str_list_free(m->vendor_aliases);
    str_list_free(m->ignored_vendors);
    str_list_free(m->image.formats);
    free(m->image.note);
    for (size_t i = 0; i < m->option_count; i++)
        option_release(&m->options[i]);
    free(m->options);
    for (size_t i = 0; i < m->rule_count; i++)
        rule_release(&m->rules[i]);
    free(m->rules);
    str_list_free(m->notes);
    cJSON_Delete(m->example);
}

void catalog_free(struct catalog *cat)
{
    if (!cat)
        return;
    for (size_t i = 0; i < cat->model_count; i++)
        model_release(&cat->models[i]);
    free(cat->models);
    free(cat->enabled);
    for (size_t i = 0; i < cat->route_count; i++) {
        struct catalog_route *r = &cat->routes[i];

        free(r->name);
        free(r->folder);
        free(r->provider);
        free(r->title);
        free(r->description);
        str_list_free(r->env);
    }
    free(cat->routes);
    free(cat);
}

size_t catalog_model_count(const struct catalog *cat)
{
    return cat->enabled_count;
}

const struct catalog_model *catalog_model_at(const struct catalog *cat,
                                             size_t index)
{
    return index < cat->enabled_count ? cat->enabled[index] : NULL;
}

const struct catalog_model *catalog_find(const struct catalog *cat,
                                         const char *relpath, const char **rest)
{
    for (size_t i = 0; i < cat->enabled_count; i++) {
        const char *folder = cat->enabled[i]->folder;
        size_t len = strlen(folder);

        if (strncmp(relpath, folder, len) != 0)
            continue;
        if (relpath[len] != '\0' && relpath[len] != '/')
            continue;
        if (rest)
            *rest = relpath[len] ? relpath + len + 1 : relpath + len;
        return cat->enabled[i];
    }
    return NULL;
}

const struct catalog_model *
catalog_find_model_by_folder(const struct catalog *cat, const char *folder)
{
    for (size_t i = 0; i < cat->model_count; i++) {
        if (strcmp(cat->models[i].folder, folder) == 0)
            return &cat->models[i];
    }
    return NULL;
}

bool catalog_is_route_dir(const struct catalog *cat, const char *relpath)
{
    size_t len = strlen(relpath);

    if (len == 0)
        return true;
    for (size_t i = 0; i < cat->enabled_count; i++) {
        const char *folder = cat->enabled[i]->folder;

        if (strncmp(folder, relpath, len) == 0 && folder[len] == '/')
            return true;
    }
    return false;
}

const char *catalog_model_folder(const struct catalog_model *model)
{
    return model->folder;
}

const char *catalog_model_id(const struct catalog_model *model)
{
    return model->id;
}

const char *catalog_model_provider(const struct catalog_model *model)
{
    return model->route->provider;
}

bool catalog_model_needs_request(const struct catalog_model *model)
{
    return model->route->needs_request;
}

const struct catalog_option *
catalog_option_find(const struct catalog_model *model, const char *path)
{
    for (size_t i = 0; i < model->option_count; i++) {
        if (strcmp(model->options[i].path, path) == 0)
            return &model->options[i];
    }
    return NULL;
}

/* Returns the object at the dotted path under root, creating objects. */
static cJSON *object_at(cJSON *root, const char *path)
{
    char *copy = xstrdup(path), *save = NULL;
    cJSON *node = root;

    for (char *k = strtok_r(copy, ".", &save); k;
         k = strtok_r(NULL, ".", &save)) {
        cJSON *next = cJSON_GetObjectItemCaseSensitive(node, k);

        if (!cJSON_IsObject(next)) {
            cJSON_DeleteItemFromObjectCaseSensitive(node, k);
            next = cJSON_AddObjectToObject(node, k);
        }
        node = next;
    }
    free(copy);
    return node;
}

cJSON *catalog_model_defaults(const struct catalog_model *model)
{
    cJSON *root = cJSON_CreateObject();

    for (size_t i = 0; i < model->option_count; i++) {
        const struct catalog_option *o = &model->options[i];
        cJSON *parent;

        /* Defaults inside arrays have no single place to go. */
        if (!o->default_value || strstr(o->path, "[]"))
            continue;
        parent = o->parent[0] ? object_at(root, o->parent) : root;
        cJSON_DeleteItemFromObjectCaseSensitive(parent, o->key);
        cJSON_AddItemToObject(parent, o->key,
                              cJSON_Duplicate(o->default_value, true));
    }
    return root;
}

char *catalog_types_text(unsigned types)
{
    static const struct {
        unsigned bit;
        const char *text;
    } words[] = {
        { CATALOG_STRING, "a string" },
        { CATALOG_NUMBER, "a number" },
        { CATALOG_INTEGER, "an integer" },
        { CATALOG_BOOLEAN, "true or false" },
        { CATALOG_OBJECT, "an object" },
        { CATALOG_ARRAY, "an array" },
        { CATALOG_IMAGE, "an image (a file name in this folder, an http(s) "
                         "URL, a data: URI or base64)" },
        { CATALOG_IMAGE_ARRAY, "an array of images" },
        { CATALOG_URL, "an http(s) URL" },
    };
    char *text = xstrdup("");

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        char *next;

        if (!(types & words[i].bit))
            continue;
        next = xasprintf("%s%s%s", text, text[0] ? " or " : "", words[i].text);
        free(text);
        text = next;
    }
    return text;
}

const char *catalog_num_text(double value, char *buf, size_t size)
{
    if (value == floor(value) && fabs(value) < 1e15)
        snprintf(buf, size, "%.0f", value);
    else
        snprintf(buf, size, "%g", value);
    return buf;
}

char *catalog_allowed_text(const struct catalog_option *opt)
{
    char a[32], b[32];

    if (opt->enum_values) {
        const cJSON *it;
        char *text = xstrdup("");

        cJSON_ArrayForEach(it, opt->enum_values)
        {
            char *next;

            if (cJSON_IsString(it))
                next = xasprintf("%s%s%s", text, text[0] ? ", " : "",
                                 it->valuestring);
            else if (cJSON_IsNumber(it))
                next =
                    xasprintf("%s%s%s", text, text[0] ? ", " : "",
                              catalog_num_text(it->valuedouble, a, sizeof(a)));
            else
                next = xasprintf("%s%s%s", text, text[0] ? ", " : "",
                                 cJSON_IsTrue(it) ? "true" : "false");
            free(text);
            text = next;
        }
        if (opt->dims.is_set) {
            char *next = xasprintf(
                "%s, or \"WxH\"%s from %ldx%ld up to %ldx%ld", text,
                opt->dims.is_even ? " in even numbers" : "", opt->dims.min,
                opt->dims.min, opt->dims.max_width, opt->dims.max_height);

            free(text);
            text = next;
        }
        return text;
    }
    if (opt->has_min && opt->has_max)
        return xasprintf("%s to %s", catalog_num_text(opt->min, a, sizeof(a)),
                         catalog_num_text(opt->max, b, sizeof(b)));
    if (opt->has_min)
        return xasprintf("at least %s",
                         catalog_num_text(opt->min, a, sizeof(a)));
    if (opt->has_max)
        return xasprintf("at most %s",
                         catalog_num_text(opt->max, a, sizeof(a)));
    return NULL;
}
