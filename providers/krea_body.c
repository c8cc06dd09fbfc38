/*
 * The JSON body of a Krea video submit (krea.md §6): our request's names
 * (the AI SDK's, and providerOptions.krea in camelCase) turned into Krea's
 * snake_case fields. Images travel as URLs only: the engine uploads local
 * files with POST /assets first and hands us the asset URLs.
 */
#include "providers/krea_impl.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/mem.h"

#define KREA_OPTIONS "providerOptions.krea"

/* Top-level request options and their Krea names (copied verbatim). */
static const char *const top_level[][2] = {
    { "aspectRatio", "aspect_ratio" },
    { "resolution", "resolution" },
    { "generateAudio", "generate_audio" },
    { "seed", "seed" },
};

static const cJSON *get(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/*
 * The URL for the image at option path: the engine's resolution, else the
 * request's own value when it is a URL. Returns 0 with *out borrowed, or
 * -EINVAL with *err.
 */
static int image_url(const struct provider_job *job, const char *path,
                     const cJSON *value, const char **out, char **err)
{
    for (size_t i = 0; i < job->image_count; i++) {
        const struct provider_image *img = &job->images[i];

        if (img->path && strcmp(img->path, path) == 0 && img->url &&
            provider_is_http_url(img->url)) {
            *out = img->url;
            return 0;
        }
    }
    if (cJSON_IsString(value) && provider_is_http_url(value->valuestring)) {
        *out = value->valuestring;
        return 0;
    }
    *err = xasprintf("%s: Krea takes images as URLs only, and this one was "
                     "not uploaded",
                     path);
    return -EINVAL;
}

static int add_start_image(const struct provider_job *job, cJSON *body,
                           char **err)
{
    const char *path = provider_first_frame_path(job);
    const cJSON *prompt = get(job->request, "prompt");
    const cJSON *start = cJSON_IsObject(prompt) ? get(prompt, "image") : NULL;
    const char *url;
    int rc;

    if (!path && (!start || cJSON_IsNull(start)))
        return 0;
    rc = image_url(job, path ? path : "image", start, &url, err);
    if (rc == 0)
        cJSON_AddStringToObject(body, "start_image", url);
    return rc;
}

/* Krea takes the duration as a JSON number, never a string. */
static void add_duration(cJSON *body, const cJSON *duration)
{
    if (cJSON_IsNumber(duration))
        cJSON_AddNumberToObject(body, "duration", duration->valuedouble);
    else if (cJSON_IsString(duration))
        cJSON_AddNumberToObject(body, "duration",
                                strtod(duration->valuestring, NULL));
}

/* camelCase → snake_case: a new string ("enablePromptExpansion" → …). */
static char *snake_case(const char *name)
{
    char *out = xmalloc(2 * strlen(name) + 1);
    char *p = out;

    for (; *name; name++) {
        if (isupper((unsigned char)*name)) {
            if (p != out)
                *p++ = '_';
            *p++ = (char)tolower((unsigned char)*name);
        } else {
            *p++ = *name;
        }
    }
    *p = '\0';
    return out;
}

/* Options the engine reads (poll timing) and Krea never sees. */
static bool is_engine_only(const char *key)
{
    return strcmp(key, "pollIntervalMs") == 0 ||
           strcmp(key, "pollTimeoutMs") == 0;
}

static int add_reference_images(const struct provider_job *job, cJSON *body,
                                const cJSON *list, char **err)
{
    cJSON *out = cJSON_AddArrayToObject(body, "reference_images");
    const cJSON *item;
    size_t i = 0;

    cJSON_ArrayForEach(item, list)
    {
        char *path = xasprintf(KREA_OPTIONS ".referenceImages[%zu]", i++);
        const char *url;
        int rc = image_url(job, path, item, &url, err);

        free(path);
        if (rc < 0)
            return rc;
        cJSON_AddItemToArray(out, cJSON_CreateString(url));
    }
    return 0;
}

/*
 * providerOptions.krea: images resolved to URLs, every other key renamed to
 * snake_case with its value as written (expandPrompt → expand_prompt,
 * enablePromptExpansion, audioUrl, mode …), so a catalog entry that adds
 * an option needs no code here.
 */
static int add_options(const struct provider_job *job, cJSON *body,
                       const cJSON *opts, char **err)
{
    const cJSON *item;

    cJSON_ArrayForEach(item, opts)
    {
        int rc = 0;

        if (!item->string || cJSON_IsNull(item) || is_engine_only(item->string))
            continue;
        if (strcmp(item->string, "endImage") == 0) {
            const char *url;

            rc = image_url(job, KREA_OPTIONS ".endImage", item, &url, err);
            if (rc == 0)
                cJSON_AddStringToObject(body, "end_image", url);
        } else if (strcmp(item->string, "referenceImages") == 0) {
            rc = add_reference_images(job, body, item, err);
        } else {
            char *name = snake_case(item->string);

            cJSON_DeleteItemFromObjectCaseSensitive(body, name);
            cJSON_AddItemToObject(body, name, cJSON_Duplicate(item, true));
            free(name);
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}

int krea_body_build(const struct provider_job *job, char **body_text,
                    char **err)
{
    const cJSON *po = get(job->request, "providerOptions");
    const cJSON *opts = cJSON_IsObject(po) ? get(po, "krea") : NULL;
    cJSON *body = cJSON_CreateObject();
    int rc;

    provider_add_prompt(body, job->request);
    rc = add_start_image(job, body, err);
    if (rc < 0)
        goto out;
    add_duration(body, get(job->request, "duration"));
    for (size_t i = 0; i < sizeof(top_level) / sizeof(top_level[0]); i++) {
        const cJSON *v = get(job->request, top_level[i][0]);

        if (v && !cJSON_IsNull(v))
            cJSON_AddItemToObject(body, top_level[i][1],
                                  cJSON_Duplicate(v, true));
    }
    if (cJSON_IsObject(opts)) {
        rc = add_options(job, body, opts, err);
        if (rc < 0)
            goto out;
    }
    *body_text = cJSON_PrintUnformatted(body);
    if (!*body_text)
        abort(); /* cJSON fails only when out of memory */
out:
    cJSON_Delete(body);
    return rc;
}
