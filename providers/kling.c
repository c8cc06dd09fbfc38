/*
 * The Kling API client (api-singapore.klingai.com, API v1): submit with
 * POST /v1/videos/image2video (or text2video when there is no image), poll
 * with GET /v1/videos/{family}/{task_id}; auth by API key or a per-request
 * HS256 JWT (kling.md). The task id we hand the engine is "<family>/<id>",
 * e.g. "image2video/866889456698785798", so a poll needs nothing else.
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
#include "providers/kling_impl.h"

#define KLING_DEFAULT_URL "https://api-singapore.klingai.com"
/* The longest provider message we quote in a job's one-line error. */
#define KLING_MAX_MESSAGE 300

static const char no_key_message[] =
    "set KLINGAI_API_KEY, or KLINGAI_ACCESS_KEY and KLINGAI_SECRET_KEY, to "
    "use Kling models";

/* s without surrounding blanks, as a new string; NULL when blank or NULL. */
static char *trimmed(const char *s)
{
    size_t n;

    if (!s)
        return NULL;
    while (isspace((unsigned char)*s))
        s++;
    n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return n ? xstrndup(s, n) : NULL;
}

/*
 * The bearer token for one request: the API key verbatim, else a JWT
 * minted now from the access and secret keys (kling.md §1 precedence).
 */
/* True when job's requests carry a JWT minted from the access keys. */
static bool is_minting(const struct provider_job *job)
{
    const struct provider_config *cfg = job->config;
    char *key = cfg ? trimmed(cfg->api_key) : NULL;
    char *ak = cfg ? trimmed(cfg->access_key) : NULL;
    char *sk = cfg ? trimmed(cfg->secret_key) : NULL;
    bool minting = !key && ak && sk;

    free(key);
    free(ak);
    free(sk);
    return minting;
}

static int auth_header(const struct provider_job *job,
                       struct provider_http *out, char **err)
{
    const struct provider_config *cfg = job->config;
    char *key = cfg ? trimmed(cfg->api_key) : NULL;
    char *ak = cfg ? trimmed(cfg->access_key) : NULL;
    char *sk = cfg ? trimmed(cfg->secret_key) : NULL;
    char *token = NULL;
    char *value = NULL;
    int rc = 0;

    if (key) {
        token = key;
        key = NULL;
    } else if (ak && sk) {
        rc = kling_jwt_mint(ak, sk, job->now, &token);
        if (rc < 0) {
            *err = xstrdup("could not sign the Kling token (OpenSSL failed)");
            goto out;
        }
    } else {
        *err = xstrdup(no_key_message);
        rc = -ENOKEY;
        goto out;
    }
    value = xasprintf("Bearer %s", token);
    rc = provider_http_add_header(out, "Authorization", value);
out:
    if (value)
        memset(value, 0, strlen(value));
    if (token)
        memset(token, 0, strlen(token));
    free(value);
    free(token);
    free(key);
    free(ak);
    free(sk);
    return rc;
}

/* The configured base URL without a trailing slash: a new string. */
static char *base_url(const struct provider_job *job)
{
    const char *base =
        job->config && job->config->base_url && *job->config->base_url
            ? job->config->base_url
            : KLING_DEFAULT_URL;
    size_t n = strlen(base);

    while (n > 0 && base[n - 1] == '/')
        n--;
    return xstrndup(base, n);
}

static int kling_build_submit(const struct provider_job *job,
                              struct provider_http *out, char **err)
{
    const char *family = NULL;
    char *body = NULL;
    char *base;
    int rc;

    rc = kling_body_build(job, &family, &body, err);
    if (rc < 0)
        return rc;
    rc = auth_header(job, out, err);
    if (rc < 0) {
        free(body);
        provider_http_release(out);
        return rc;
    }
    base = base_url(job);
    out->method = "POST";
    out->url = xasprintf("%s/v1/videos/%s", base, family);
    out->body = body;
    out->body_size = strlen(body);
    free(base);
    return provider_http_add_header(out, "Content-Type", "application/json");
}

static int kling_build_poll(const struct provider_job *job,
                            struct provider_http *out, char **err)
{
    const char *id = job->task_id;
    const char *slash;
    char *raw, *family, *segment, *base;
    int rc;

    if (!id || !*id) {
        *err = xstrdup("the Kling task has no id to poll");
        return -EINVAL;
    }
    slash = strchr(id, '/');
    /* Both parts escaped: the id comes back from a record users can edit. */
    raw = slash ? xstrndup(id, (size_t)(slash - id)) : xstrdup("image2video");
    family = provider_path_segment(raw);
    free(raw);
    segment = provider_path_segment(slash ? slash + 1 : id);
    rc = auth_header(job, out, err);
    if (rc == 0) {
        base = base_url(job);
        out->method = "GET";
        out->url = xasprintf("%s/v1/videos/%s/%s", base, family, segment);
        free(base);
    } else {
        provider_http_release(out);
    }
    free(segment);
    free(family);
    return rc;
}

/*
 * An HTTP error: {"code", "message"} (kling.md §5) turned into our code and
 * one line quoting Kling. A body that is not that shape still fails the
 * task with the HTTP status.
 */
static void http_error(const struct provider_job *job,
                       const struct provider_reply *reply,
                       struct provider_status *out)
{
    cJSON *root = provider_parse_body(reply);
    const char *message = NULL;
    int64_t code = -1;
    const char *prefix, *token;
    char *msg, *detail;

    if (root) {
        (void)json_get_string(root, "message", &message); /* optional */
        (void)json_get_int(root, "code", &code);          /* optional */
    }
    msg = provider_one_line(message, KLING_MAX_MESSAGE);
    if (code >= 0)
        detail =
            xasprintf("HTTP %ld, code %lld", reply->status, (long long)code);
    else
        detail = xasprintf("HTTP %ld", reply->status);
    if (reply->status == 401) {
        prefix = "Kling rejected the credentials";
        token = "unauthorized";
        /* 1004: the JWT expired; one we minted can be minted again. */
        out->is_token_expired = code == 1004 && is_minting(job);
    } else if (reply->status == 429) {
        prefix = "Kling is refusing more work for now";
        token = "rate_limited";
    } else if (reply->status >= 500) {
        prefix = "Kling had a server error";
        token = "provider_error";
    } else {
        prefix = "Kling refused the request";
        token = "provider_refused";
    }
    provider_set_failed(out, token,
                        xasprintf("%s: %s (%s)", prefix, msg, detail));
    free(detail);
    free(msg);
    cJSON_Delete(root);
}

/* Copies the status word into raw_status (truncated to fit). */
static void set_raw(struct provider_status *out, const char *status)
{
    snprintf(out->raw_status, sizeof(out->raw_status), "%s", status);
}

/*
 * A 2xx envelope {code, message, data}: 0 with *data when code is 0 (or
 * absent) and data an object; a failed status when Kling put an error in a
 * 2xx; -EPROTO when it is not an envelope at all.
 */
static int envelope(cJSON *root, struct provider_status *out,
                    const cJSON **data)
{
    const char *message = NULL;
    int64_t code = 0;
    int rc;

    if (!cJSON_IsObject(root))
        return provider_set_malformed(out, "Kling", "not a JSON object");
    rc = json_get_int(root, "code", &code);
    if (rc < 0 && rc != -ENOENT)
        return provider_set_malformed(out, "Kling", "\"code\" is not a number");
    (void)json_get_string(root, "message", &message); /* optional */
    if (code != 0) {
        char *msg = provider_one_line(message, KLING_MAX_MESSAGE);

        provider_set_failed(
            out, "provider_refused",
            xasprintf("Kling refused the request: %s (code %lld)", msg,
                      (long long)code));
        free(msg);
        return 1;
    }
    rc = json_get_object(root, "data", data);
    if (rc == -ENOENT) {
        char *msg = provider_one_line(message, KLING_MAX_MESSAGE);

        provider_set_failed(out, "bad_reply",
                            xasprintf("Kling returned no task: %s", msg));
        free(msg);
        return 1;
    }
    if (rc < 0)
        return provider_set_malformed(out, "Kling",
                                      "\"data\" is not an object");
    return 0;
}

/*
 * True when reply refuses the submit because our external_task_id is
 * already taken (400, code 1201, naming it): the task was created by an
 * earlier try whose reply never arrived (a dropped connection, a crash).
 */
static bool is_our_task_already(const struct provider_job *job,
                                const struct provider_reply *reply)
{
    cJSON *root;
    const char *message = NULL;
    int64_t code = -1;
    bool ours;

    if (reply->status != 400 || !job->idempotency_key || !*job->idempotency_key)
        return false;
    root = provider_parse_body(reply);
    if (!root)
        return false;
    (void)json_get_int(root, "code", &code);          /* optional */
    (void)json_get_string(root, "message", &message); /* optional */
    ours = code == 1201 && message && strstr(message, "external_task_id") &&
           strstr(message, job->idempotency_key);
    cJSON_Delete(root);
    return ours;
}

static int kling_parse_submit(const struct provider_job *job,
                              const struct provider_reply *reply,
                              struct provider_status *out)
{
    const cJSON *data = NULL;
    const cJSON *id;
    const char *family;
    const char *status = NULL;
    cJSON *root;
    int rc;

    out->progress = -1;
    if (is_our_task_already(job, reply)) {
        /*
         * Poll the existing task by its external_task_id, which Kling
         * accepts in the poll path (kling.md §4): never submit it twice.
         */
        out->task_id =
            xasprintf("%s/%s", kling_body_family(job), job->idempotency_key);
        out->state = PROVIDER_TASK_PENDING;
        set_raw(out, "submitted");
        return 0;
    }
    if (!provider_is_2xx(reply)) {
        http_error(job, reply, out);
        return 0;
    }
    root = provider_parse_body(reply);
    if (!root)
        return provider_set_malformed(out, "Kling", "not JSON");
    rc = envelope(root, out, &data);
    if (rc != 0)
        goto out;
    id = cJSON_GetObjectItemCaseSensitive(data, "task_id");
    if (!(cJSON_IsString(id) && *id->valuestring) && !cJSON_IsNumber(id)) {
        provider_set_failed(
            out, "bad_reply",
            xstrdup("Kling returned no task id for the submitted job"));
        goto out;
    }
    /* The poll goes to the family the submit went to. */
    family = kling_body_family(job);
    if (cJSON_IsString(id))
        out->task_id = xasprintf("%s/%s", family, id->valuestring);
    else
        out->task_id = xasprintf("%s/%.0f", family, id->valuedouble);
    out->state = PROVIDER_TASK_PENDING;
    (void)json_get_string(data, "task_status", &status); /* optional */
    set_raw(out, status ? status : "submitted");
out:
    cJSON_Delete(root);
    return rc < 0 ? rc : 0;
}

/* A succeeded task: the first video with a URL (kling.md §4). */
static void take_video(const cJSON *data, struct provider_status *out)
{
    const cJSON *result = cJSON_GetObjectItemCaseSensitive(data, "task_result");
    const cJSON *videos = cJSON_GetObjectItemCaseSensitive(result, "videos");
    const cJSON *video;

    if (!cJSON_IsArray(videos))
        videos = NULL;
    cJSON_ArrayForEach(video, videos)
    {
        const char *url = NULL;

        if (json_get_string(video, "url", &url) == 0 && *url) {
            out->state = PROVIDER_TASK_SUCCEEDED;
            out->progress = 100;
            out->video_url = xstrdup(url);
            return;
        }
    }
    provider_set_failed(
        out, "bad_reply",
        xstrdup("Kling reported success but sent no video URL"));
}

static int kling_parse_poll(const struct provider_job *job,
                            const struct provider_reply *reply,
                            struct provider_status *out)
{
    const cJSON *data = NULL;
    const char *status = NULL;
    cJSON *root;
    int rc;

    out->progress = -1;
    if (!provider_is_2xx(reply)) {
        http_error(job, reply, out);
        return 0;
    }
    root = provider_parse_body(reply);
    if (!root)
        return provider_set_malformed(out, "Kling", "not JSON");
    rc = envelope(root, out, &data);
    if (rc != 0)
        goto out;
    if (json_get_string(data, "task_status", &status) < 0) {
        rc = provider_set_malformed(out, "Kling", "no \"task_status\"");
        goto out;
    }
    set_raw(out, status);
    if (strcmp(status, "succeed") == 0) {
        take_video(data, out);
    } else if (strcmp(status, "failed") == 0) {
        const char *msg = NULL;
        char *line;

        (void)json_get_string(data, "task_status_msg", &msg); /* optional */
        line = provider_one_line(msg && *msg ? msg : "no reason given",
                                 KLING_MAX_MESSAGE);
        provider_set_failed(
            out, "task_failed",
            xasprintf("Kling could not make the video: %s", line));
        free(line);
    } else {
        /* submitted, processing, and any status Kling may add later */
        out->state = PROVIDER_TASK_PENDING;
    }
out:
    cJSON_Delete(root);
    return rc < 0 ? rc : 0;
}

const struct provider provider_kling = {
    .name = "kling",
    .caps =
        PROVIDER_CAP_CLOUD | PROVIDER_CAP_INPUT_IMAGE | PROVIDER_CAP_IDEMPOTENT,
    .uploader = NULL,
    .build_submit = kling_build_submit,
    .parse_submit = kling_parse_submit,
    .build_poll = kling_build_poll,
    .parse_poll = kling_parse_poll,
};
