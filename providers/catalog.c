/*
 * The model catalog (see catalog.h): lookups over the parsed catalog, the
 * accessors of a model, and its defaults. Reading catalog.json lives in
 * catalog_parse*.c, validation in validate*.c, the generated docs in
 * catalog_doc.c.
 */
#include "providers/catalog.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/mem.h"
#include "providers/catalog_impl.h"

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

void catalog_names_free(char **names)
{
    if (!names)
        return;
    for (size_t i = 0; names[i]; i++)
        free(names[i]);
    free(names);
}
