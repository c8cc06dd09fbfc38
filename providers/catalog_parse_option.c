/*
 * Reading the options and rules of a model from catalog.json (see
 * catalog_impl.h): types, limits, enums, defaults, and the rules' paths.
 */
#include "providers/catalog_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/mem.h"

static unsigned type_bit(const char *name)
{
    for (const struct catalog_type_name *t = catalog_type_names; t->bit; t++) {
        if (strcmp(t->json, name) == 0)
            return t->bit;
    }
    return 0;
}

static int parse_types(struct catalog_parse *p, const char *where,
                       const cJSON *v, unsigned *types)
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
        return catalog_parse_fail(
            p, where,
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

static int parse_dims(struct catalog_parse *p, const char *where,
                      const cJSON *v, struct catalog_dims *dims)
{
    static const char *const known[] = { "min", "max_width", "max_height",
                                         "even", NULL };
    int rc;

    if (!v)
        return 0;
    rc = catalog_parse_known(p, where, v, known);
    if (rc == 0)
        rc = catalog_parse_count(p, where, v, "min", 2, &dims->min);
    if (rc == 0)
        rc =
            catalog_parse_count(p, where, v, "max_width", -1, &dims->max_width);
    if (rc == 0)
        rc = catalog_parse_count(p, where, v, "max_height", -1,
                                 &dims->max_height);
    if (rc == 0)
        rc = catalog_parse_bool(p, where, v, "even", false, &dims->is_even);
    if (rc == 0 && (dims->max_width < 1 || dims->max_height < 1))
        return catalog_parse_fail(
            p, where, "\"dimensions\" needs max_width and max_height");
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

static int parse_option_fields(struct catalog_parse *p, const char *where,
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

    rc = catalog_parse_known(p, where, v, known);
    if (rc == 0)
        rc = parse_types(p, where, cJSON_GetObjectItemCaseSensitive(v, "type"),
                         &opt->types);
    if (rc == 0)
        rc = catalog_parse_num(p, where, v, "min", &opt->has_min, &opt->min);
    if (rc == 0)
        rc = catalog_parse_num(p, where, v, "max", &opt->has_max, &opt->max);
    if (rc == 0)
        rc = catalog_parse_count(p, where, v, "min_items", -1, &opt->min_items);
    if (rc == 0)
        rc = catalog_parse_count(p, where, v, "max_items", -1, &opt->max_items);
    if (rc == 0)
        rc = catalog_parse_count(p, where, v, "max_length", -1,
                                 &opt->max_length);
    if (rc == 0)
        rc = parse_dims(p, where,
                        cJSON_GetObjectItemCaseSensitive(v, "dimensions"),
                        &opt->dims);
    if (rc == 0)
        rc = catalog_parse_str(p, where, v, "doc_default", false,
                               &opt->doc_default);
    if (rc == 0)
        rc = catalog_parse_str(p, where, v, "wire", false, &opt->wire);
    if (rc == 0)
        rc = catalog_parse_str(p, where, v, "description", true,
                               &opt->description);
    if (rc == 0)
        rc = catalog_parse_str(p, where, v, "unsupported", false,
                               &opt->unsupported);
    if (rc == 0)
        rc = catalog_parse_bool(p, where, v, "required", false,
                                &opt->is_required);
    if (rc == 0)
        rc = catalog_parse_bool(p, where, v, "open", false, &opt->is_open);
    if (rc == 0)
        rc =
            catalog_parse_str_list(p, where, v, "extensions", &opt->extensions);
    if (rc < 0)
        return rc;
    if (opt->extensions[0] && !(opt->types & CATALOG_URL))
        return catalog_parse_fail(p, where,
                                  "\"extensions\" needs the type url");
    if (opt->has_min && opt->has_max && opt->min > opt->max)
        return catalog_parse_fail(p, where, "min is above max");
    e = cJSON_GetObjectItemCaseSensitive(v, "enum");
    if (e) {
        const cJSON *it;

        if (!cJSON_IsArray(e) || cJSON_GetArraySize(e) == 0)
            return catalog_parse_fail(p, where,
                                      "\"enum\" must be a non-empty array");
        cJSON_ArrayForEach(it, e)
        {
            if (!value_has_type(it, opt->types) || cJSON_IsObject(it) ||
                cJSON_IsArray(it))
                return catalog_parse_fail(
                    p, where, "an \"enum\" value has the wrong type");
        }
        opt->enum_values = cJSON_Duplicate(e, true);
    }
    e = cJSON_GetObjectItemCaseSensitive(v, "default");
    if (e) {
        if (!value_has_type(e, opt->types))
            return catalog_parse_fail(p, where,
                                      "\"default\" has the wrong type");
        opt->default_value = cJSON_Duplicate(e, true);
    }
    return 0;
}

int catalog_parse_option(struct catalog_parse *p, const char *model_where,
                         const cJSON *v, struct catalog_option *opt)
{
    char *where;
    int rc;

    opt->min_items = opt->max_items = opt->max_length = -1;
    rc = catalog_parse_str(p, model_where, v, "path", true, &opt->path);
    if (rc < 0)
        return rc;
    where = xasprintf("%s option \"%s\"", model_where, opt->path);
    split_path(opt);
    rc = parse_option_fields(p, where, v, opt);
    free(where);
    return rc;
}

static int parse_rule_paths(struct catalog_parse *p, const char *where,
                            const struct catalog_model *m, const cJSON *arr,
                            char ***out)
{
    const cJSON *it;
    size_t n = 0;

    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0)
        return catalog_parse_fail(p, where,
                                  "a group must be a non-empty array of paths");
    *out = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(char *));
    cJSON_ArrayForEach(it, arr)
    {
        if (!cJSON_IsString(it) || !catalog_option_find(m, it->valuestring))
            return catalog_parse_fail(p, where,
                                      "a group names an unknown option");
        (*out)[n++] = xstrdup(it->valuestring);
    }
    return 0;
}

int catalog_parse_rule(struct catalog_parse *p, const char *where,
                       const struct catalog_model *m, const cJSON *v,
                       struct catalog_rule *r)
{
    static const char *const known[] = { "kind",        "groups", "why",
                                         "if",          "equals", "then",
                                         "then_equals", NULL };
    char *kind = NULL;
    int rc;

    rc = catalog_parse_known(p, where, v, known);
    if (rc == 0)
        rc = catalog_parse_str(p, where, v, "kind", true, &kind);
    if (rc == 0)
        rc = catalog_parse_str(p, where, v, "why", false, &r->why);
    if (rc < 0)
        goto out;
    if (strcmp(kind, "exclusive") == 0) {
        const cJSON *groups = cJSON_GetObjectItemCaseSensitive(v, "groups");
        const cJSON *g;

        r->kind = CATALOG_RULE_EXCLUSIVE;
        if (!cJSON_IsArray(groups) || cJSON_GetArraySize(groups) < 2) {
            rc = catalog_parse_fail(p, where,
                                    "\"groups\" must list at least two groups");
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
        rc = catalog_parse_str(p, where, v, "if", true, &r->if_path);
        if (rc == 0)
            rc = catalog_parse_str(p, where, v, "then", true, &r->then_path);
        if (rc < 0)
            goto out;
        if (!catalog_option_find(m, r->if_path) ||
            !catalog_option_find(m, r->then_path)) {
            rc = catalog_parse_fail(
                p, where, "\"if\" or \"then\" names an unknown option");
            goto out;
        }
        e = cJSON_GetObjectItemCaseSensitive(v, "equals");
        if (e)
            r->if_equals = cJSON_Duplicate(e, true);
        e = cJSON_GetObjectItemCaseSensitive(v, "then_equals");
        if (e)
            r->then_equals = cJSON_Duplicate(e, true);
    } else {
        rc = catalog_parse_fail(p, where,
                                "\"kind\" must be exclusive or requires");
    }
out:
    free(kind);
    return rc;
}
