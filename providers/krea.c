/*
 * The Krea API client (api.krea.ai, OpenAPI v1): local images go up with
 * POST /assets (multipart) first, then POST /generate/video/{provider}/
 * {model}, polled with GET /jobs/{id} and cancelled with DELETE /jobs/{id}
 * (krea.md). Auth: Authorization: Bearer <KREA_API_KEY>.
 */
#include "providers/provider.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/json.h"
#include "core/mem.h"
#include "providers/krea_impl.h"

#define KREA_DEFAULT_URL "https://api.krea.ai"
/* The longest provider message we quote in a job's one-line error. */
#define KREA_MAX_MESSAGE 300

static const char no_key_message[] = "set KREA_API_KEY to use Krea models";

/* The configured base URL without a trailing slash: a new string. */
static char *base_url(const struct provider_config *cfg)
{
    const char *base = cfg && cfg->base_url && *cfg->base_url
                           ? cfg->base_url
                           : KREA_DEFAULT_URL;
    size_t n = strlen(base);

    while (n > 0 && base[n - 1] == '/')
        n--;
    return xstrndup(base, n);
}

/* Adds "Authorization: Bearer <key>", or -ENOKEY with *err. */
static int auth_header(const struct provider_config *cfg,
                       struct provider_http *out, char **err)
{
    const char *key = cfg ? cfg->api_key : NULL;
    size_t n;
    char *value;
    int rc;

    while (key && isspace((unsigned char)*key))
        key++;
    n = key ? strlen(key) : 0;
    while (n > 0 && isspace((unsigned char)key[n - 1]))
        n--;
    if (n == 0) {
        *err = xstrdup(no_key_message);
        return -ENOKEY;
    }
    value = xasprintf("Bearer %.*s", (int)n, key);
    rc = provider_http_add_header(out, "Authorization", value);
    memset(value, 0, strlen(value));
    free(value);
    return rc;
}

static int krea_build_upload(const struct provider_config *config,
                             const char *path, const char *sha256,
                             const char *mime, struct provider_http *out,
                             char **err)
{
    char *base;
    int rc;

    (void)sha256; /* Krea names assets itself: the URL is its own */
    rc = auth_header(config, out, err);
    if (rc < 0)
        return rc;
    base = base_url(config);
    out->method = "POST";
    out->url = xasprintf("%s/assets", base);
    out->form_file = xstrdup(path);
    out->form_field = xstrdup("file");
    out->form_mime = xstrdup(mime && *mime ? mime : "application/octet-stream");
    free(base);
    return 0;
}

static int krea_build_submit(const struct provider_job *job,
                             struct provider_http *out, char **err)
{
    char *body = NULL;
    char *base;
    int rc;

    if (!job->model_id || !strchr(job->model_id, '/')) {
        *err = xasprintf("%s is not a Krea model path (provider/model)",
                         job->model_id ? job->model_id : "(none)");
        return -EINVAL;
    }
    rc = krea_body_build(job, &body, err);
    if (rc < 0)
        return rc;
    rc = auth_header(job->config, out, err);
    if (rc < 0) {
        free(body);
        provider_http_release(out);
        return rc;
    }
    base = base_url(job->config);
    out->method = "POST";
    /* the model id is "provider/model": both are path segments as they are */
    out->url = xasprintf("%s/generate/video/%s", base, job->model_id);
    out->body = body;
    out->body_size = strlen(body);
    free(base);
    return provider_http_add_header(out, "Content-Type", "application/json");
}

/* GET or DELETE {base}/jobs/{task_id}. */
static int job_request(const struct provider_job *job, const char *method,
                       struct provider_http *out, char **err)
{
    char *base, *segment;
    int rc;

    if (!job->task_id || !*job->task_id) {
        *err = xstrdup("the Krea job has no id");
        return -EINVAL;
    }
    rc = auth_header(job->config, out, err);
    if (rc < 0)
        return rc;
    base = base_url(job->config);
    segment = provider_path_segment(job->task_id);
    out->method = method;
    out->url = xasprintf("%s/jobs/%s", base, segment);
    free(segment);
    free(base);
    return 0;
}

static int krea_build_poll(const struct provider_job *job,
                           struct provider_http *out, char **err)
{
    return job_request(job, "GET", out, err);
}

static int krea_build_cancel(const struct provider_job *job,
                             struct provider_http *out, char **err)
{
    return job_request(job, "DELETE", out, err);
}

/*
 * The text of an error value: a string, or an object's "message" (Krea
 * documents {"error": "<string>"}; a failed job's result.error has no
 * documented shape). Borrowed from the tree, or NULL.
 */
static const char *error_text(const cJSON *value)
{
    const char *s = NULL;

    if (cJSON_IsString(value))
        return value->valuestring;
    if (cJSON_IsObject(value) && (json_get_string(value, "message", &s) == 0 ||
                                  json_get_string(value, "error", &s) == 0 ||
                                  json_get_string(value, "detail", &s) == 0))
        return s;
    return NULL;
}

/* What an HTTP error status means for us (krea.md §4). */
struct http_meaning {
    const char *code;   /* our error code */
    const char *prefix; /* start of the one-line message */
    int err;            /* negative errno for an upload */
};

static struct http_meaning http_meaning(long status, const char *what)
{
    struct http_meaning m = { "provider_refused", what, -EINVAL };

    if (status == 401) {
        m = (struct http_meaning){ "unauthorized", "Krea rejected the API key",
                                   -EACCES };
    } else if (status == 402) {
        m = (struct http_meaning){ "out_of_credits",
                                   "Krea says the account has run out of "
                                   "credits",
                                   -EDQUOT };
    } else if (status == 429) {
        m = (struct http_meaning){ "rate_limited",
                                   "Krea is refusing more jobs for now "
                                   "(too many at once)",
                                   -EAGAIN };
    } else if (status >= 500) {
        m = (struct http_meaning){ "provider_error", "Krea had a server error",
                                   -EIO };
    }
    return m;
}

/* The one-line message for an HTTP error reply: a new string. */
static char *http_error_message(const struct provider_reply *reply,
                                const char *prefix)
{
    cJSON *root = provider_parse_body(reply);
    const char *text =
        error_text(cJSON_GetObjectItemCaseSensitive(root, "error"));
    char *line = provider_one_line(text, KREA_MAX_MESSAGE);
    char *msg = xasprintf("%s: %s (HTTP %ld)", prefix, line, reply->status);

    free(line);
    cJSON_Delete(root);
    return msg;
}

static void http_error(const struct provider_reply *reply,
                       struct provider_status *out)
{
    struct http_meaning m =
        http_meaning(reply->status, "Krea refused the request");

    provider_set_failed(out, m.code, http_error_message(reply, m.prefix));
}

static int krea_parse_upload(const struct provider_reply *reply, char **url,
                             char **err)
{
    cJSON *root;
    const char *s = NULL;

    if (!provider_is_2xx(reply)) {
        struct http_meaning m =
            http_meaning(reply->status, "Krea refused the upload");

        *err = http_error_message(reply, m.prefix);
        return m.err;
    }
    root = provider_parse_body(reply);
    if (!root || json_get_string(root, "image_url", &s) < 0 || !*s) {
        cJSON_Delete(root);
        *err = xstrdup("Krea sent an upload reply we cannot read: no "
                       "\"image_url\"");
        return -EPROTO;
    }
    *url = xstrdup(s);
    cJSON_Delete(root);
    return 0;
}

/* A completed job's video: result.urls[0], or the legacy result.video_url. */
static void take_video(const cJSON *result, struct provider_status *out)
{
    const cJSON *urls = cJSON_GetObjectItemCaseSensitive(result, "urls");
    const cJSON *first = cJSON_GetArrayItem(urls, 0);
    const char *url = NULL;

    if (cJSON_IsArray(urls) && cJSON_IsString(first) && *first->valuestring)
        url = first->valuestring;
    else if (json_get_string(result, "video_url", &url) < 0 || !*url)
        url = NULL;
    if (!url) {
        provider_set_failed(
            out, "bad_reply",
            xstrdup("Krea reported the job completed but sent no "
                    "video URL"));
        return;
    }
    out->state = PROVIDER_TASK_SUCCEEDED;
    out->progress = 100;
    out->video_url = xstrdup(url);
}

/*
 * A job object (krea.md §5) into out. Returns 0, or -EPROTO when it is not
 * a job object.
 */
static int read_job(const cJSON *root, struct provider_status *out)
{
    const cJSON *result = cJSON_GetObjectItemCaseSensitive(root, "result");
    const char *status = NULL;

    if (!cJSON_IsObject(root))
        return provider_set_malformed(out, "Krea", "not a JSON object");
    if (json_get_string(root, "status", &status) < 0)
        return provider_set_malformed(out, "Krea", "no \"status\"");
    snprintf(out->raw_status, sizeof(out->raw_status), "%s", status);
    if (strcmp(status, "completed") == 0) {
        take_video(result, out);
    } else if (strcmp(status, "failed") == 0) {
        const char *why =
            error_text(cJSON_GetObjectItemCaseSensitive(result, "error"));
        char *line =
            why && *why ? provider_one_line(why, KREA_MAX_MESSAGE) : NULL;

        provider_set_failed(
            out, "task_failed",
            line ? xasprintf("Krea could not make the video: %s", line)
                 : xstrdup("Krea reported the job failed"));
        free(line);
    } else if (strcmp(status, "cancelled") == 0) {
        provider_set_failed(out, "canceled", xstrdup("Krea cancelled the job"));
    } else {
        /*
         * backlogged, queued, scheduled, processing, sampling,
         * intermediate-complete, and any status Krea adds later
         */
        out->state = PROVIDER_TASK_PENDING;
    }
    return 0;
}

static int parse_job_reply(const struct provider_reply *reply,
                           struct provider_status *out, bool want_id)
{
    const char *id = NULL;
    cJSON *root;
    int rc;

    out->progress = -1;
    if (!provider_is_2xx(reply)) {
        http_error(reply, out);
        return 0;
    }
    root = provider_parse_body(reply);
    if (!root)
        return provider_set_malformed(out, "Krea", "not JSON");
    if (want_id && (json_get_string(root, "job_id", &id) < 0 || !*id)) {
        rc = provider_set_malformed(out, "Krea", "no \"job_id\"");
        goto out;
    }
    rc = read_job(root, out);
    if (rc == 0 && want_id)
        out->task_id = xstrdup(id);
out:
    cJSON_Delete(root);
    return rc;
}

static int krea_parse_submit(const struct provider_job *job,
                             const struct provider_reply *reply,
                             struct provider_status *out)
{
    (void)job; /* the reply alone says everything */
    return parse_job_reply(reply, out, true);
}

static int krea_parse_poll(const struct provider_job *job,
                           const struct provider_reply *reply,
                           struct provider_status *out)
{
    (void)job; /* the reply alone says everything */
    return parse_job_reply(reply, out, false);
}

const struct provider provider_krea = {
    .name = "krea",
    .caps = PROVIDER_CAP_CLOUD | PROVIDER_CAP_INPUT_IMAGE |
            PROVIDER_CAP_UPLOAD | PROVIDER_CAP_CANCEL,
    .uploader = "krea",
    .build_submit = krea_build_submit,
    .parse_submit = krea_parse_submit,
    .build_poll = krea_build_poll,
    .parse_poll = krea_parse_poll,
    .build_cancel = krea_build_cancel,
    .build_upload = krea_build_upload,
    .parse_upload = krea_parse_upload,
};
