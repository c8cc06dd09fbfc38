/*
 * Reading catalog.json, built into the binary, into the structs of
 * catalog_impl.h: routes, models, their images and folders, with malformed
 * catalogs refused; and freeing them. Options and rules:
 * catalog_parse_option.c.
 */
#include "providers/catalog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/mem.h"
#include "providers/catalog_impl.h"

/* The catalog text, embedded by providers/catalog_data.S. */
extern const char catalog_json[];

static int parse_image(struct catalog_parse *p, const char *where,
                       const cJSON *v, struct catalog_image *img)
{
    static const char *const known[] = { "required",   "formats", "max_bytes",
                                         "min_px",     "max_px",  "aspect_min",
                                         "aspect_max", "note",    NULL };
    int rc;

    if (!v)
        return catalog_parse_fail(p, where, "\"image\" is missing");
    rc = catalog_parse_known(p, where, v, known);
    if (rc == 0)
        rc = catalog_parse_bool(p, where, v, "required", true,
                                &img->is_required);
    if (rc == 0)
        rc = catalog_parse_str_list(p, where, v, "formats", &img->formats);
    if (rc == 0)
        rc = catalog_parse_count(p, where, v, "max_bytes", 0, &img->max_bytes);
    if (rc == 0)
        rc = catalog_parse_count(p, where, v, "min_px", 0, &img->min_px);
    if (rc == 0)
        rc = catalog_parse_count(p, where, v, "max_px", 0, &img->max_px);
    if (rc == 0)
        rc = catalog_parse_num(p, where, v, "aspect_min", NULL,
                               &img->aspect_min);
    if (rc == 0)
        rc = catalog_parse_num(p, where, v, "aspect_max", NULL,
                               &img->aspect_max);
    if (rc == 0)
        rc = catalog_parse_str(p, where, v, "note", false, &img->note);
    if (rc == 0 && !img->formats[0])
        rc = catalog_parse_fail(p, where,
                                "\"image.formats\" must list the formats");
    return rc;
}

static int parse_transport(struct catalog_parse *p, const char *where,
                           const cJSON *obj, unsigned *out)
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
    int rc = catalog_parse_str_list(p, where, obj, "image_transport", &list);

    *out = 0;
    for (size_t i = 0; rc == 0 && list[i]; i++) {
        size_t k;

        for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
            if (strcmp(names[k].name, list[i]) == 0)
                break;
        }
        if (k == sizeof(names) / sizeof(names[0]))
            rc = catalog_parse_fail(
                p, where,
                "image_transport \"%s\" is not one of file, url, "
                "base64, data-uri, upload-first",
                list[i]);
        else
            *out |= names[k].bit;
    }
    if (rc == 0 && !*out)
        rc = catalog_parse_fail(p, where, "\"image_transport\" is missing");
    catalog_names_free(list);
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
static int check_tree(struct catalog_parse *p, const char *where,
                      const struct catalog_model *m)
{
    for (size_t i = 0; i < m->option_count; i++) {
        const struct catalog_option *o = &m->options[i];
        const struct catalog_option *parent;

        if (catalog_option_find(m, o->path) != o)
            return catalog_parse_fail(p, where, "option \"%s\" is listed twice",
                                      o->path);
        if (!o->parent[0])
            continue;
        parent = catalog_option_find(m, o->parent);
        if (!parent)
            return catalog_parse_fail(p, where,
                                      "option \"%s\" has no parent \"%s\"",
                                      o->path, o->parent);
        if (strcmp(o->key, "[]") == 0 ? !(parent->types & CATALOG_ARRAY)
                                      : !(parent->types & CATALOG_OBJECT))
            return catalog_parse_fail(
                p, where, "the parent of \"%s\" cannot hold it", o->path);
    }
    return 0;
}

/* The folder sits inside its route's folder and names no "." or "..". */
static int check_model_folder(struct catalog_parse *p, const char *where,
                              const struct catalog_model *m)
{
    size_t rl = strlen(m->route->folder);

    if (strncmp(m->folder, m->route->folder, rl) != 0 || m->folder[rl] != '/' ||
        m->folder[strlen(m->folder) - 1] == '/' || strstr(m->folder, "//") ||
        strstr(m->folder, "/./") || strstr(m->folder, "/../") ||
        strstr(m->folder, "/."))
        return catalog_parse_fail(p, where, "the folder must be inside \"%s/\"",
                                  m->route->folder);
    return 0;
}

/* Reads the model's options, then its rules, which name them. */
static int parse_model_options(struct catalog_parse *p, const char *where,
                               const cJSON *v, struct catalog_model *m)
{
    const cJSON *arr, *it;
    int rc;

    arr = cJSON_GetObjectItemCaseSensitive(v, "options");
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0)
        return catalog_parse_fail(p, where,
                                  "\"options\" must be a non-empty array");
    m->options = xcalloc((size_t)cJSON_GetArraySize(arr), sizeof(*m->options));
    cJSON_ArrayForEach(it, arr)
    {
        rc = catalog_parse_option(p, where, it, &m->options[m->option_count]);
        m->option_count++;
        if (rc < 0)
            return rc;
    }
    rc = check_tree(p, where, m);
    if (rc < 0)
        return rc;
    arr = cJSON_GetObjectItemCaseSensitive(v, "rules");
    if (arr && !cJSON_IsArray(arr))
        return catalog_parse_fail(p, where, "\"rules\" must be an array");
    m->rules = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*m->rules));
    cJSON_ArrayForEach(it, arr)
    {
        rc = catalog_parse_rule(p, where, m, it, &m->rules[m->rule_count]);
        m->rule_count++;
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int parse_model(struct catalog_parse *p, struct catalog *cat,
                       size_t index, const cJSON *v, struct catalog_model *m)
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
    const cJSON *it;
    int rc;

    snprintf(where, sizeof(where), "models[%zu]", index);
    rc = catalog_parse_known(p, where, v, known);
    if (rc == 0)
        rc = catalog_parse_str(p, where, v, "folder", true, &m->folder);
    if (rc < 0)
        return rc;
    /* Messages from here on name the folder rather than the index. */
    snprintf(where, sizeof(where), "model \"%.48s\"", m->folder);
    rc = catalog_parse_bool(p, where, v, "enabled", true, &m->is_enabled);
    if (rc == 0)
        rc = catalog_parse_str(p, where, v, "route", true, &route);
    if (rc == 0)
        rc = catalog_parse_str(p, where, v, "id", true, &m->id);
    if (rc == 0)
        rc =
            catalog_parse_str(p, where, v, "short_name", false, &m->short_name);
    if (rc == 0)
        rc = catalog_parse_str(p, where, v, "title", true, &m->title);
    if (rc == 0)
        rc = catalog_parse_str(p, where, v, "description", true,
                               &m->description);
    if (rc == 0)
        rc = catalog_parse_str(p, where, v, "vendor_key", true, &m->vendor_key);
    if (rc == 0)
        rc = catalog_parse_str_list(p, where, v, "vendor_aliases",
                                    &m->vendor_aliases);
    if (rc == 0)
        rc = catalog_parse_str_list(p, where, v, "ignored_vendors",
                                    &m->ignored_vendors);
    if (rc == 0)
        rc = catalog_parse_str_list(p, where, v, "notes", &m->notes);
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
        rc = catalog_parse_fail(p, where, "route \"%s\" is not in routes",
                                route);
        goto out;
    }
    rc = check_model_folder(p, where, m);
    if (rc == 0)
        rc = parse_model_options(p, where, v, m);
    if (rc < 0)
        goto out;
    it = cJSON_GetObjectItemCaseSensitive(v, "example");
    if (it) {
        if (!cJSON_IsObject(it)) {
            rc = catalog_parse_fail(p, where, "\"example\" must be an object");
            goto out;
        }
        m->example = cJSON_Duplicate(it, true);
    }
out:
    free(route);
    return rc;
}

static int parse_route(struct catalog_parse *p, size_t index, const cJSON *v,
                       struct catalog_route *r)
{
    static const char *const known[] = { "name",     "folder",
                                         "provider", "needs_request",
                                         "title",    "description",
                                         "env",      NULL };
    char where[64];
    int rc;

    snprintf(where, sizeof(where), "routes[%zu]", index);
    rc = catalog_parse_known(p, where, v, known);
    if (rc == 0)
        rc = catalog_parse_str(p, where, v, "name", true, &r->name);
    if (rc == 0)
        rc = catalog_parse_str(p, where, v, "folder", true, &r->folder);
    if (rc == 0)
        rc = catalog_parse_str(p, where, v, "provider", true, &r->provider);
    if (rc == 0)
        rc = catalog_parse_bool(p, where, v, "needs_request", true,
                                &r->needs_request);
    if (rc == 0)
        rc = catalog_parse_str(p, where, v, "title", true, &r->title);
    if (rc == 0)
        rc = catalog_parse_str(p, where, v, "description", true,
                               &r->description);
    if (rc == 0)
        rc = catalog_parse_str_list(p, where, v, "env", &r->env);
    if (rc == 0 && strchr(r->folder, '/'))
        rc = catalog_parse_fail(p, where, "a route folder is one name");
    return rc;
}

/* No model folder may sit inside another, or the lookup is ambiguous. */
static int check_folders(struct catalog_parse *p, const struct catalog *cat)
{
    for (size_t i = 0; i < cat->model_count; i++) {
        for (size_t k = 0; k < cat->model_count; k++) {
            const char *a = cat->models[i].folder, *b = cat->models[k].folder;
            size_t al = strlen(a);

            if (i != k && strncmp(a, b, al) == 0 &&
                (b[al] == '\0' || b[al] == '/'))
                return catalog_parse_fail(p, b, "folder clashes with \"%s\"",
                                          a);
        }
    }
    return 0;
}

static int parse_catalog(struct catalog_parse *p, const cJSON *root,
                         struct catalog *cat)
{
    static const char *const known[] = { "schema", "routes", "models", NULL };
    const cJSON *arr, *it;
    int rc;

    rc = catalog_parse_known(p, "top level", root, known);
    if (rc < 0)
        return rc;
    it = cJSON_GetObjectItemCaseSensitive(root, "schema");
    if (!cJSON_IsNumber(it) || it->valuedouble != 1)
        return catalog_parse_fail(p, "top level", "\"schema\" must be 1");
    arr = cJSON_GetObjectItemCaseSensitive(root, "routes");
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0)
        return catalog_parse_fail(p, "top level",
                                  "\"routes\" must be a non-empty array");
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
        return catalog_parse_fail(p, "top level",
                                  "\"models\" must be a non-empty array");
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
    struct catalog_parse p = { NULL };
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
    catalog_names_free(o->extensions);
}

static void rule_release(struct catalog_rule *r)
{
    for (size_t i = 0; i < r->group_count; i++)
        catalog_names_free(r->groups[i]);
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
    catalog_names_free(m->vendor_aliases);
    catalog_names_free(m->ignored_vendors);
    catalog_names_free(m->image.formats);
    free(m->image.note);
    for (size_t i = 0; i < m->option_count; i++)
        option_release(&m->options[i]);
    free(m->options);
    for (size_t i = 0; i < m->rule_count; i++)
        rule_release(&m->rules[i]);
    free(m->rules);
    catalog_names_free(m->notes);
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
        catalog_names_free(r->env);
    }
    free(cat->routes);
    free(cat);
}
