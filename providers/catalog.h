/*
 * The model catalog: every route and model, their options and rules, read
 * from the data file providers/catalog.json (built into the binary).
 * Folders, MODEL.md, request.example.json and validation all come from it.
 */
#ifndef PROVIDERS_CATALOG_H
#define PROVIDERS_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

struct catalog;
struct catalog_model;

/*
 * Parses the built-in catalog. Returns 0, or -EINVAL with *err set to a
 * message the caller frees.
 */
int catalog_new(struct catalog **out, char **err);
/* Parses a catalog from JSON text (for tests). Same contract as catalog_new. */
int catalog_new_from_text(const char *json, struct catalog **out, char **err);
void catalog_free(struct catalog *cat);

size_t catalog_model_count(const struct catalog *cat);
const struct catalog_model *catalog_model_at(const struct catalog *cat,
                                             size_t index);

/*
 * Finds the model whose folder contains relpath (store-relative, no leading
 * slash, e.g. "local/kenburns/trip/a.jpg"). Returns a borrowed pointer or
 * NULL; sets *rest (if not NULL) to the part inside the model folder
 * ("trip/a.jpg", or "" for the folder itself).
 */
const struct catalog_model *
catalog_find(const struct catalog *cat, const char *relpath, const char **rest);

/*
 * Finds the model whose folder is exactly folder ("kling/kling-v3"),
 * enabled or not: disabled models have no folder in the mount yet, but
 * their entries are complete, and tests (and a future "catalog" command)
 * reach them here. Returns a borrowed pointer or NULL.
 */
const struct catalog_model *
catalog_find_model_by_folder(const struct catalog *cat, const char *folder);

/*
 * True when relpath is the root "" or a folder above some model folder
 * ("local", "gateway/google"): the fixed part of the tree.
 */
bool catalog_is_route_dir(const struct catalog *cat, const char *relpath);

/* Store-relative folder of the model, e.g. "local/kenburns". */
const char *catalog_model_folder(const struct catalog_model *model);
/* The model id as its provider names it, e.g. "kenburns". */
const char *catalog_model_id(const struct catalog_model *model);
/* The provider that runs it, e.g. "local". */
const char *catalog_model_provider(const struct catalog_model *model);
/* True when a job may spend money: it then needs a request.json first. */
bool catalog_model_needs_request(const struct catalog_model *model);

/* MODEL.md for the model: a new string the caller frees. */
char *catalog_model_doc(const struct catalog_model *model);
/* request.example.json for the model: a new string the caller frees. */
char *catalog_model_example(const struct catalog_model *model);
/* README.txt at the mount's root: a new string the caller frees. */
char *catalog_readme(const struct catalog *cat);

/* The model's default options as a new cJSON object the caller deletes. */
cJSON *catalog_model_defaults(const struct catalog_model *model);

/*
 * Checks an effective request (defaults and cascade already merged) against
 * the model's options and rules. Returns 0, or -EINVAL with *err set to one
 * line naming the field, the value and what is allowed, e.g.
 * "duration: 7 is not allowed for kling-v2-6 (allowed: 5, 10)";
 * the caller frees *err.
 */
int catalog_validate(const struct catalog_model *model, const cJSON *request,
                     char **err);

/*
 * Checks an input image against the model's image requirements: format
 * ("jpeg", "png", "webp" …; "jpg" is read as "jpeg"), size in bytes and
 * pixels, and aspect ratio. name is how the message names the image. Returns
 * 0, or -EINVAL with *err set to one line naming the image, what is wrong
 * and what is allowed, e.g. "cat.png: 299x400 is too small for kling-v2-6
 * (allowed: at least 300 px wide and high)"; the caller frees *err.
 */
int catalog_check_image(const struct catalog_model *model, const char *name,
                        const char *format, size_t bytes, long width,
                        long height, char **err);

/*
 * Collects the image-valued options of request that name files in the
 * folder (not URLs, not data URIs, not base64), e.g. "end.png" for
 * providerOptions.klingai.imageTail. *names is a new NULL-terminated array
 * of new strings; free with catalog_names_free. Returns the count.
 */
size_t catalog_assets(const struct catalog_model *model, const cJSON *request,
                      char ***names);
void catalog_names_free(char **names);

/* Called with an image-valued option's path and its string value. */
typedef void (*catalog_image_cb)(void *arg, const char *path,
                                 const char *value);

/*
 * Calls cb for every image-valued option of request, in request order,
 * whatever it holds (file name, URL, data: URI, base64), with its path as
 * written: "prompt.image", "providerOptions.klingai.imageTail",
 * "providerOptions.klingai.dynamicMasks[0].mask". Returns the count.
 */
size_t catalog_image_options(const struct catalog_model *model,
                             const cJSON *request, catalog_image_cb cb,
                             void *arg);

/* True when the model takes images inline as base64 (raw or data: URI). */
bool catalog_model_takes_base64(const struct catalog_model *model);
/* True when the model takes images as http(s) URLs. */
bool catalog_model_takes_url(const struct catalog_model *model);
/* True when local images must be uploaded first and sent as URLs. */
bool catalog_model_uploads_first(const struct catalog_model *model);

#endif
