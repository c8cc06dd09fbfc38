/*
 * The start body of the Vercel AI Gateway (gateway.md §2, "Common request
 * body"): the AI SDK's call options as generateVideo sends them, with the
 * images the engine resolved put where the user wrote them.
 */
#include "providers/gateway_body.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"

/* Our own provider options: the engine honours them, they never travel. */
static const char *const poll_keys[] = { "pollIntervalMs", "pollTimeoutMs" };

/* True for an aspect ratio "W:H" with H > W. */
static bool is_portrait(const char *aspect)
{
    unsigned w, h;

    return aspect && sscanf(aspect, "%u:%u", &w, &h) == 2 && h > w;
}

const char *gateway_body_resolution(const char *res, const char *aspect)
{
    static const struct {
        const char *p, *landscape, *portrait;
    } map[] = {
        { "480p", "854x480", "480x854" },
        { "720p", "1280x720", "720x1280" },
        { "1080p", "1920x1080", "1080x1920" },
    };

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strcmp(res, map[i].p) == 0)
            return is_portrait(aspect) ? map[i].portrait : map[i].landscape;
    }
    return res;
}

/* The AI SDK file object of an image: {"type":"url",…} or {"type":"file",…}. */
static cJSON *file_object(const struct provider_image *img)
{
    cJSON *o = cJSON_CreateObject();

    if (img->url) {
        cJSON_AddStringToObject(o, "type", "url");
        cJSON_AddStringToObject(o, "url", img->url);
    } else {
        cJSON_AddStringToObject(o, "type", "file");
        /* The SDK's own fallback when the bytes say nothing. */
        cJSON_AddStringToObject(o, "mediaType",
                                img->mime ? img->mime : "image/png");
        cJSON_AddStringToObject(o, "data", img->base64);
    }
    return o;
}

/* Replaces the array item at "[i]" of *p under node; see replace_at_path. */
static int replace_indexed(cJSON **node, const char **p, cJSON *value,
                           bool *done)
{
    while (*node && **p == '[') {
        char *end;
        long i = strtol(*p + 1, &end, 10);

        if (end == *p + 1 || *end != ']' || i < 0 || i > 1000000 ||
            !cJSON_IsArray(*node) || !cJSON_GetArrayItem(*node, (int)i))
            return -ENOENT;
        *p = end + 1;
        if (**p == '\0') {
            if (!cJSON_ReplaceItemInArray(*node, (int)i, value))
                return -ENOENT;
            *done = true;
            return 0;
        }
        *node = cJSON_GetArrayItem(*node, (int)i);
    }
    return 0;
}

/*
 * Replaces the value at path ("a.b[2].c") under root with value, taking
 * ownership of value. The value must exist already: the engine resolved it
 * from what the user wrote there. Returns 0 or -ENOENT.
 */
static int replace_at_path(cJSON *root, const char *path, cJSON *value)
{
    cJSON *node = root;
    const char *p = path;
    bool done = false;

    while (node && cJSON_IsObject(node)) {
        size_t n = strcspn(p, ".[");
        char *key;
        cJSON *child;

        if (n == 0)
            break;
        key = xstrndup(p, n);
        child = cJSON_GetObjectItemCaseSensitive(node, key);
        p += n;
        if (*p == '\0' && child) {
            done = cJSON_ReplaceItemInObjectCaseSensitive(node, key, value);
            free(key);
            break;
        }
        free(key);
        node = child;
        if (replace_indexed(&node, &p, value, &done) < 0 || done)
            break;
        if (*p != '.')
            break;
        p++;
    }
    if (!done) {
        cJSON_Delete(value);
        return -ENOENT;
    }
    return 0;
}

static int type_error(const char *key, const char *type, char **err)
{
    *err = xasprintf("%s must be %s", key, type);
    return -EINVAL;
}

/* "prompt": the string, or the "text" of a {text, image} prompt. */
static int add_prompt(cJSON *out, const cJSON *req, char **err)
{
    const cJSON *prompt = cJSON_GetObjectItemCaseSensitive(req, "prompt");
    const char *text;
    int rc;

    if (!prompt || cJSON_IsNull(prompt))
        return 0;
    if (cJSON_IsString(prompt)) {
        cJSON_AddStringToObject(out, "prompt", prompt->valuestring);
        return 0;
    }
    if (!cJSON_IsObject(prompt))
        return type_error("prompt", "a string or an object", err);
    rc = json_get_string(prompt, "text", &text);
    if (rc == -ENOENT)
        return 0;
    if (rc < 0)
        return type_error("prompt.text", "a string", err);
    cJSON_AddStringToObject(out, "prompt", text);
    return 0;
}

/* aspectRatio and resolution: sent only when non-empty. */
static int add_shape(cJSON *out, const cJSON *req, char **err)
{
    const char *aspect = NULL, *res = NULL;
    int rc;

    rc = json_get_string(req, "aspectRatio", &aspect);
    if (rc < 0 && rc != -ENOENT)
        return type_error("aspectRatio", "a string", err);
    if (aspect && *aspect)
        cJSON_AddStringToObject(out, "aspectRatio", aspect);
    rc = json_get_string(req, "resolution", &res);
    if (rc < 0 && rc != -ENOENT)
        return type_error("resolution", "a string", err);
    if (res && *res)
        cJSON_AddStringToObject(out, "resolution",
                                gateway_body_resolution(res, aspect));
    return 0;
}

/* duration, fps, seed: sent only when non-zero (the SDK drops 0). */
static int add_numbers(cJSON *out, const cJSON *req, char **err)
{
    static const char *const keys[] = { "duration", "fps", "seed" };

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, keys[i]);

        if (!v || cJSON_IsNull(v))
            continue;
        if (!cJSON_IsNumber(v))
            return type_error(keys[i], "a number", err);
        if (v->valuedouble != 0)
            cJSON_AddItemToObject(out, keys[i], cJSON_Duplicate(v, true));
    }
    return 0;
}

/* generateAudio: sent whenever defined, false included. */
static int add_audio(cJSON *out, const cJSON *req, char **err)
{
    bool audio;
    int rc = json_get_bool(req, "generateAudio", &audio);

    if (rc == -ENOENT)
        return 0;
    if (rc < 0)
        return type_error("generateAudio", "true or false", err);
    cJSON_AddBoolToObject(out, "generateAudio", audio);
    return 0;
}

/* providerOptions verbatim, less our own poll keys; {} when absent. */
static int add_provider_options(cJSON *out, const cJSON *req, char **err)
{
    const cJSON *opts =
        cJSON_GetObjectItemCaseSensitive(req, "providerOptions");
    cJSON *copy, *vendor;

    if (opts && !cJSON_IsNull(opts) && !cJSON_IsObject(opts))
        return type_error("providerOptions", "an object", err);
    copy = opts && cJSON_IsObject(opts) ? cJSON_Duplicate(opts, true)
                                        : cJSON_CreateObject();
    cJSON_ArrayForEach(vendor, copy)
    {
        if (!cJSON_IsObject(vendor))
            continue;
        for (size_t i = 0; i < sizeof(poll_keys) / sizeof(poll_keys[0]); i++)
            cJSON_DeleteItemFromObjectCaseSensitive(vendor, poll_keys[i]);
    }
    cJSON_AddItemToObject(out, "providerOptions", copy);
    return 0;
}

/* The first frame the user gave as an http(s) URL the engine left alone. */
static int add_unresolved_first_frame(cJSON *out, const cJSON *req, char **err)
{
    const cJSON *prompt = cJSON_GetObjectItemCaseSensitive(req, "prompt");
    const char *image;
    cJSON *o;

    if (!cJSON_IsObject(prompt) || json_get_string(prompt, "image", &image))
        return 0;
    if (!provider_is_http_url(image)) {
        *err = xasprintf("the first frame %s was not resolved to a URL or "
                         "to its bytes",
                         image);
        return -EINVAL;
    }
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", "url");
    cJSON_AddStringToObject(o, "url", image);
    cJSON_AddItemToObject(out, "image", o);
    return 0;
}

/*
 * The resolved images: the first frame as "image", every other one in
 * place inside providerOptions, as a URL string or raw base64.
 */
static int add_images(cJSON *out, const struct provider_job *job, char **err)
{
    bool have_first = false;

    for (size_t i = 0; i < job->image_count; i++) {
        const struct provider_image *img = &job->images[i];
        const char *value = img->url ? img->url : img->base64;

        if (!img->path || !value) {
            *err = xasprintf("image %s was not resolved to a URL or to its "
                             "bytes",
                             img->path ? img->path : "(unnamed)");
            return -EINVAL;
        }
        if (provider_is_first_frame(img->path)) {
            cJSON_DeleteItemFromObjectCaseSensitive(out, "image");
            cJSON_AddItemToObject(out, "image", file_object(img));
            have_first = true;
            continue;
        }
        if (strncmp(img->path, "providerOptions.", 16) != 0 ||
            replace_at_path(out, img->path, cJSON_CreateString(value)) < 0) {
            *err = xasprintf("the AI Gateway cannot carry the image option "
                             "%s",
                             img->path);
            return -EINVAL;
        }
    }
    return have_first ? 0 : add_unresolved_first_frame(out, job->request, err);
}

int gateway_body_build(const struct provider_job *job, char **body, char **err)
{
    const cJSON *req = job->request;
    cJSON *out = cJSON_CreateObject();
    int rc;

    *body = NULL;
    if (!cJSON_IsObject(req)) {
        rc = type_error("the request", "a JSON object", err);
        goto out;
    }
    rc = add_prompt(out, req, err);
    if (rc < 0)
        goto out;
    cJSON_AddNumberToObject(out, "n", 1);
    rc = add_shape(out, req, err);
    if (rc == 0)
        rc = add_numbers(out, req, err);
    if (rc == 0)
        rc = add_audio(out, req, err);
    if (rc == 0)
        rc = add_provider_options(out, req, err);
    if (rc == 0)
        rc = add_images(out, job, err);
    if (rc == 0)
        *body = cJSON_PrintUnformatted(out);
    if (rc == 0 && !*body)
        rc = type_error("the request", "printable as JSON", err);
out:
    cJSON_Delete(out);
    return rc;
}
