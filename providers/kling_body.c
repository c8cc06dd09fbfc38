/*
 * The JSON body of a Kling API submit (POST /v1/videos/image2video or
 * /v1/videos/text2video, kling.md §2): our request's names, as the AI SDK
 * names them, turned into Kling's wire names, with the images the engine
 * resolved (an http(s) URL verbatim, or raw base64 without a data: prefix).
 */
#include "providers/kling_impl.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/mem.h"

/* Where our options live in the request. */
#define KLING_OPTIONS "providerOptions.klingai"

/*
 * Keys of providerOptions.klingai handled here (or only by the engine, like
 * the poll timing), never passed through: the AI SDK's list, plus our
 * watermarkInfo object.
 */
static const char *const handled_keys[] = {
    "mode",
    "pollIntervalMs",
    "pollTimeoutMs",
    "negativePrompt",
    "sound",
    "cfgScale",
    "cameraControl",
    "multiShot",
    "shotType",
    "multiPrompt",
    "elementList",
    "voiceList",
    "imageTail",
    "staticMask",
    "dynamicMasks",
    "videoUrl",
    "characterOrientation",
    "keepOriginalSound",
    "watermarkEnabled",
    "watermarkInfo",
    NULL,
};

static bool is_handled(const char *key)
{
    for (size_t i = 0; handled_keys[i]; i++) {
        if (strcmp(handled_keys[i], key) == 0)
            return true;
    }
    return false;
}

/* True for a non-empty run of standard base64 characters. */
static bool is_base64(const char *s)
{
    size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                         "0123456789+/=");

    return n > 0 && s[n] == '\0';
}

/* Raw base64 from b64, dropping a data: URI's prefix if one slipped in. */
static const char *raw_base64(const char *b64)
{
    const char *comma;

    if (strncmp(b64, "data:", 5) != 0)
        return b64;
    comma = strchr(b64, ',');
    return comma ? comma + 1 : b64;
}

/*
 * The wire string for the image at option path: the engine's resolution in
 * job->images, else the request's own value when it is already a URL or
 * raw base64. Returns 0 with *out borrowed, or -EINVAL with *err.
 */
static int image_string(const struct provider_job *job, const char *path,
                        const cJSON *value, const char **out, char **err)
{
    for (size_t i = 0; i < job->image_count; i++) {
        const struct provider_image *img = &job->images[i];

        if (!img->path || strcmp(img->path, path) != 0)
            continue;
        if (img->url && *img->url) {
            *out = img->url;
            return 0;
        }
        if (img->base64 && *img->base64) {
            *out = raw_base64(img->base64);
            return 0;
        }
    }
    if (cJSON_IsString(value) && (provider_is_http_url(value->valuestring) ||
                                  is_base64(value->valuestring))) {
        *out = value->valuestring;
        return 0;
    }
    *err = xasprintf("%s: the image was not resolved to a URL or base64", path);
    return -EINVAL;
}

static void add_copy(cJSON *body, const char *key, const cJSON *value)
{
    if (value && !cJSON_IsNull(value))
        cJSON_AddItemToObject(body, key, cJSON_Duplicate(value, true));
}

/* Duration as Kling takes it: a string, "5" for 5 (as JS's String(n)). */
static void add_duration(cJSON *body, const cJSON *duration)
{
    char text[32];

    if (cJSON_IsString(duration)) {
        cJSON_AddStringToObject(body, "duration", duration->valuestring);
        return;
    }
    if (!cJSON_IsNumber(duration))
        return;
    if (duration->valuedouble == floor(duration->valuedouble) &&
        fabs(duration->valuedouble) < 1e15)
        snprintf(text, sizeof(text), "%.0f", duration->valuedouble);
    else
        snprintf(text, sizeof(text), "%.15g", duration->valuedouble);
    cJSON_AddStringToObject(body, "duration", text);
}

/*
 * Copies an array of objects, renaming one camelCase key to Kling's
 * snake_case (voiceId → voice_id); other keys travel as written.
 */
static void add_renamed_list(cJSON *body, const char *key, const cJSON *list,
                             const char *from, const char *to)
{
    cJSON *out;
    const cJSON *item;

    if (!cJSON_IsArray(list))
        return;
    out = cJSON_AddArrayToObject(body, key);
    cJSON_ArrayForEach(item, list)
    {
        cJSON *copy = cJSON_Duplicate(item, true);
        cJSON *renamed = cJSON_DetachItemFromObjectCaseSensitive(copy, from);

        if (renamed && !cJSON_GetObjectItemCaseSensitive(copy, to))
            cJSON_AddItemToObject(copy, to, renamed);
        else
            cJSON_Delete(renamed);
        cJSON_AddItemToArray(out, copy);
    }
}

static int add_image(const struct provider_job *job, cJSON *body,
                     const char *key, const char *path, const cJSON *value,
                     char **err)
{
    const char *s;
    int rc;

    if (!value || cJSON_IsNull(value))
        return 0;
    rc = image_string(job, path, value, &s, err);
    if (rc == 0)
        cJSON_AddStringToObject(body, key, s);
    return rc;
}

static int add_dynamic_masks(const struct provider_job *job, cJSON *body,
                             const cJSON *masks, char **err)
{
    cJSON *out;
    const cJSON *item;
    size_t i = 0;

    if (!cJSON_IsArray(masks))
        return 0;
    out = cJSON_AddArrayToObject(body, "dynamic_masks");
    cJSON_ArrayForEach(item, masks)
    {
        char *path = xasprintf(KLING_OPTIONS ".dynamicMasks[%zu].mask", i++);
        cJSON *mask = cJSON_CreateObject();
        int rc;

        cJSON_AddItemToArray(out, mask);
        rc = add_image(job, mask, "mask", path,
                       cJSON_GetObjectItemCaseSensitive(item, "mask"), err);
        free(path);
        if (rc < 0)
            return rc;
        add_copy(mask, "trajectories",
                 cJSON_GetObjectItemCaseSensitive(item, "trajectories"));
    }
    return 0;
}

static void add_watermark(cJSON *body, const cJSON *opts)
{
    const cJSON *info = cJSON_GetObjectItemCaseSensitive(opts, "watermarkInfo");
    const cJSON *enabled =
        cJSON_GetObjectItemCaseSensitive(opts, "watermarkEnabled");
    cJSON *out;

    if (cJSON_IsObject(info))
        enabled = cJSON_GetObjectItemCaseSensitive(info, "enabled");
    if (!cJSON_IsBool(enabled))
        return;
    out = cJSON_AddObjectToObject(body, "watermark_info");
    cJSON_AddBoolToObject(out, "enabled", cJSON_IsTrue(enabled));
}

/* Every key of opts we do not handle, verbatim (the AI SDK's passthrough). */
static void add_passthrough(cJSON *body, const cJSON *opts)
{
    const cJSON *item;

    cJSON_ArrayForEach(item, opts)
    {
        cJSON *copy;

        if (!item->string || is_handled(item->string))
            continue;
        copy = cJSON_Duplicate(item, true);
        if (cJSON_GetObjectItemCaseSensitive(body, item->string))
            cJSON_ReplaceItemInObjectCaseSensitive(body, item->string, copy);
        else
            cJSON_AddItemToObject(body, item->string, copy);
    }
}

static const cJSON *get(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static void add_sound(cJSON *body, const cJSON *request, const cJSON *opts)
{
    const cJSON *audio = get(request, "generateAudio");
    const cJSON *sound = get(opts, "sound");

    if (cJSON_IsBool(audio))
        cJSON_AddStringToObject(body, "sound",
                                cJSON_IsTrue(audio) ? "on" : "off");
    else if (cJSON_IsString(sound))
        cJSON_AddStringToObject(body, "sound", sound->valuestring);
}

/*
 * The first frame: the one the engine resolved (an image dropped in the
 * folder, or prompt.image), else prompt.image as written when it is a URL.
 */
static int add_first_frame(const struct provider_job *job, cJSON *body,
                           char **err)
{
    const char *path = provider_first_frame_path(job);
    const cJSON *prompt = get(job->request, "prompt");
    const cJSON *start = cJSON_IsObject(prompt) ? get(prompt, "image") : NULL;
    const char *s;
    int rc;

    if (!path && (!start || cJSON_IsNull(start)))
        return 0;
    rc = image_string(job, path ? path : "image", start, &s, err);
    if (rc == 0)
        cJSON_AddStringToObject(body, "image", s);
    return rc;
}

static bool wants_image2video(const struct provider_job *job, const cJSON *opts)
{
    const cJSON *prompt = get(job->request, "prompt");

    return provider_first_frame_path(job) ||
           (cJSON_IsObject(prompt) && get(prompt, "image")) ||
           get(opts, "imageTail") || get(opts, "staticMask") ||
           get(opts, "dynamicMasks");
}

const char *kling_body_family(const struct provider_job *job)
{
    const cJSON *po = get(job->request, "providerOptions");
    const cJSON *opts = cJSON_IsObject(po) ? get(po, "klingai") : NULL;

    return wants_image2video(job, opts) ? "image2video" : "text2video";
}

int kling_body_build(const struct provider_job *job, const char **family,
                     char **body_text, char **err)
{
    const cJSON *po = get(job->request, "providerOptions");
    const cJSON *opts = cJSON_IsObject(po) ? get(po, "klingai") : NULL;
    bool i2v = wants_image2video(job, opts);
    cJSON *body = cJSON_CreateObject();
    int rc = 0;

    cJSON_AddStringToObject(body, "model_name", job->model_id);
    provider_add_prompt(body, job->request);
    if (i2v) {
        rc = add_first_frame(job, body, err);
        if (rc == 0)
            rc = add_image(job, body, "image_tail", KLING_OPTIONS ".imageTail",
                           get(opts, "imageTail"), err);
        if (rc < 0)
            goto out;
    }
    add_copy(body, "negative_prompt", get(opts, "negativePrompt"));
    add_sound(body, job->request, opts);
    add_copy(body, "cfg_scale", get(opts, "cfgScale"));
    add_copy(body, "mode", get(opts, "mode"));
    add_copy(body, "camera_control", get(opts, "cameraControl"));
    if (i2v) {
        rc = add_image(job, body, "static_mask", KLING_OPTIONS ".staticMask",
                       get(opts, "staticMask"), err);
        if (rc == 0)
            rc = add_dynamic_masks(job, body, get(opts, "dynamicMasks"), err);
        if (rc < 0)
            goto out;
    } else {
        add_copy(body, "aspect_ratio", get(job->request, "aspectRatio"));
    }
    add_copy(body, "multi_shot", get(opts, "multiShot"));
    add_copy(body, "shot_type", get(opts, "shotType"));
    add_copy(body, "multi_prompt", get(opts, "multiPrompt"));
    if (i2v)
        add_renamed_list(body, "element_list", get(opts, "elementList"),
                         "elementId", "element_id");
    add_renamed_list(body, "voice_list", get(opts, "voiceList"), "voiceId",
                     "voice_id");
    add_watermark(body, opts);
    add_duration(body, get(job->request, "duration"));
    if (job->idempotency_key && *job->idempotency_key)
        cJSON_AddStringToObject(body, "external_task_id", job->idempotency_key);
    if (cJSON_IsObject(opts))
        add_passthrough(body, opts);
    *family = i2v ? "image2video" : "text2video";
    *body_text = cJSON_PrintUnformatted(body);
    if (!*body_text)
        abort(); /* cJSON fails only when out of memory */
out:
    cJSON_Delete(body);
    return rc;
}
