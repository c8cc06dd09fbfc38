/*
 * Helpers shared by every provider (request and status structs) and the
 * wrappers through which the engine calls the cloud hooks (see provider.h).
 */
#include "providers/provider.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "core/json.h"
#include "core/mem.h"

void provider_http_release(struct provider_http *http)
{
    free(http->url);
    for (size_t i = 0; http->headers[i]; i++)
        free(http->headers[i]);
    free(http->body);
    free(http->body_file);
    free(http->form_file);
    free(http->form_field);
    free(http->form_mime);
    memset(http, 0, sizeof(*http));
}

int provider_http_add_header(struct provider_http *http, const char *name,
                             const char *value)
{
    size_t n = 0;

    while (http->headers[n])
        n++;
    if (n == PROVIDER_MAX_HEADERS)
        return -E2BIG;
    http->headers[n] = xasprintf("%s: %s", name, value);
    return 0;
}

void provider_status_release(struct provider_status *status)
{
    free(status->task_id);
    free(status->video_url);
    free(status->video_base64);
    free(status->error);
    free(status->error_code);
    memset(status, 0, sizeof(*status));
}

static int missing(const struct provider *p, const char *hook, char **err)
{
    if (err)
        *err = xasprintf("the %s provider cannot %s", p->name, hook);
    return -ENOTSUP;
}

static int missing_status(const struct provider *p, const char *hook,
                          struct provider_status *out)
{
    out->state = PROVIDER_TASK_FAILED;
    out->error_code = xstrdup("unsupported");
    return missing(p, hook, &out->error);
}

int provider_build_submit(const struct provider *p,
                          const struct provider_job *job,
                          struct provider_http *out, char **err)
{
    if (!p->build_submit)
        return missing(p, "submit jobs", err);
    return p->build_submit(job, out, err);
}

int provider_parse_submit(const struct provider *p,
                          const struct provider_job *job,
                          const struct provider_reply *reply,
                          struct provider_status *out)
{
    if (!p->parse_submit)
        return missing_status(p, "submit jobs", out);
    return p->parse_submit(job, reply, out);
}

int provider_build_poll(const struct provider *p,
                        const struct provider_job *job,
                        struct provider_http *out, char **err)
{
    if (!p->build_poll)
        return missing(p, "poll jobs", err);
    return p->build_poll(job, out, err);
}

int provider_parse_poll(const struct provider *p,
                        const struct provider_job *job,
                        const struct provider_reply *reply,
                        struct provider_status *out)
{
    if (!p->parse_poll)
        return missing_status(p, "poll jobs", out);
    return p->parse_poll(job, reply, out);
}

int provider_build_cancel(const struct provider *p,
                          const struct provider_job *job,
                          struct provider_http *out, char **err)
{
    if (!p->build_cancel)
        return missing(p, "cancel jobs", err);
    return p->build_cancel(job, out, err);
}

int provider_build_upload(const struct provider *p,
                          const struct provider_config *config,
                          const char *path, const char *sha256,
                          const char *mime, struct provider_http *out,
                          char **err)
{
    if (!p->build_upload)
        return missing(p, "host images", err);
    return p->build_upload(config, path, sha256, mime, out, err);
}

int provider_parse_upload(const struct provider *p,
                          const struct provider_reply *reply, char **url,
                          char **err)
{
    if (!p->parse_upload)
        return missing(p, "host images", err);
    return p->parse_upload(reply, url, err);
}

char *provider_path_segment(const char *s)
{
    char *escaped, *out;

    /* curl leaves "." and ".." as they are: a path would take them as
     * steps, so they are escaped by hand. */
    if (strcmp(s, ".") == 0)
        return xstrdup("%2E");
    if (strcmp(s, "..") == 0)
        return xstrdup("%2E%2E");
    escaped = curl_easy_escape(NULL, s, 0);
    if (!escaped)
        abort(); /* out of memory, as xmalloc does */
    out = xstrdup(escaped);
    curl_free(escaped);
    return out;
}

void provider_flatten(char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = ' ';
    }
}

char *provider_one_line(const char *msg, size_t max)
{
    char *s = xstrndup(msg && *msg ? msg : "no message", max);

    provider_flatten(s);
    return s;
}

bool provider_is_2xx(const struct provider_reply *reply)
{
    return reply->status >= 200 && reply->status < 300;
}

cJSON *provider_parse_body(const struct provider_reply *reply)
{
    cJSON *root = NULL;
    char *error = NULL;

    if (!reply->body ||
        json_parse(reply->body, reply->body_size, &root, &error) < 0) {
        free(error);
        return NULL;
    }
    return root;
}

void provider_set_failed(struct provider_status *out, const char *code,
                         char *message)
{
    out->state = PROVIDER_TASK_FAILED;
    free(out->error);
    free(out->error_code);
    provider_flatten(message);
    out->error = message;
    out->error_code = xstrdup(code);
}

int provider_set_malformed(struct provider_status *out, const char *who,
                           const char *what)
{
    provider_set_failed(
        out, "bad_reply",
        xasprintf("%s sent a reply we cannot read: %s", who, what));
    return -EPROTO;
}

bool provider_is_http_url(const char *s)
{
    return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

bool provider_is_first_frame(const char *path)
{
    return strcmp(path, "image") == 0 || strcmp(path, "prompt.image") == 0;
}

const char *provider_first_frame_path(const struct provider_job *job)
{
    for (size_t i = 0; i < job->image_count; i++) {
        const char *p = job->images[i].path;

        if (p && provider_is_first_frame(p))
            return p;
    }
    return NULL;
}

void provider_add_prompt(cJSON *body, const cJSON *request)
{
    const cJSON *prompt = cJSON_GetObjectItemCaseSensitive(request, "prompt");

    if (cJSON_IsObject(prompt))
        prompt = cJSON_GetObjectItemCaseSensitive(prompt, "text");
    if (cJSON_IsString(prompt))
        cJSON_AddStringToObject(body, "prompt", prompt->valuestring);
}
