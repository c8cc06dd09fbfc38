/*
 * Values as text, for validation messages and the generated docs (see
 * catalog_impl.h): types, numbers, what an option allows, JSON values, lists.
 */
#include "providers/catalog_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/mem.h"

/* Strings longer than this are shortened in messages. */
#define VALUE_TEXT_MAX 48

const struct catalog_type_name catalog_type_names[] = {
    { CATALOG_STRING, "string", "string", "a string" },
    { CATALOG_NUMBER, "number", "number", "a number" },
    { CATALOG_INTEGER, "integer", "integer", "an integer" },
    { CATALOG_BOOLEAN, "boolean", "boolean", "true or false" },
    { CATALOG_OBJECT, "object", "object", "an object" },
    { CATALOG_ARRAY, "array", "array", "an array" },
    { CATALOG_IMAGE, "image", "image",
      "an image (a file name in this folder, an http(s) URL, a data: URI or "
      "base64)" },
    { CATALOG_IMAGE_ARRAY, "image-array", "image array", "an array of images" },
    { CATALOG_URL, "url", "url", "an http(s) URL" },
    { 0, NULL, NULL, NULL },
};

char *catalog_types_text(unsigned types)
{
    char *text = xstrdup("");

    for (const struct catalog_type_name *t = catalog_type_names; t->bit; t++) {
        char *next;

        if (!(types & t->bit))
            continue;
        next = xasprintf("%s%s%s", text, text[0] ? " or " : "", t->text);
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
            const char *word;
            char *next;

            if (cJSON_IsString(it))
                word = it->valuestring;
            else if (cJSON_IsNumber(it))
                word = catalog_num_text(it->valuedouble, a, sizeof(a));
            else
                word = cJSON_IsTrue(it) ? "true" : "false";
            next = xasprintf("%s%s%s", text, text[0] ? ", " : "", word);
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

char *catalog_items_text(const struct catalog_option *opt)
{
    if (opt->min_items >= 0 && opt->max_items >= 0)
        return xasprintf("%ld to %ld", opt->min_items, opt->max_items);
    if (opt->min_items >= 0)
        return xasprintf("at least %ld", opt->min_items);
    if (opt->max_items >= 0)
        return xasprintf("at most %ld", opt->max_items);
    return NULL;
}

char *catalog_url_text(const struct catalog_option *opt)
{
    char *list = catalog_list_text(opt->extensions, ".", " or ");
    char *text = xasprintf("an http(s) URL%s%s%s", list[0] ? " of a " : "",
                           list, list[0] ? " file" : "");

    free(list);
    return text;
}

char *catalog_value_text(const cJSON *v)
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

char *catalog_list_text(char **list, const char *prefix, const char *sep)
{
    char *text = xstrdup("");

    for (size_t i = 0; list[i]; i++) {
        char *next = xasprintf("%s%s%s%s", text, i ? sep : "", prefix, list[i]);

        free(text);
        text = next;
    }
    return text;
}
