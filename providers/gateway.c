/*
 * Vercel AI Gateway, video models (AI SDK @ai-sdk/gateway 4.0.62, video
 * model specification v4), start/status flow: POST {base}/video-model/start
 * and POST {base}/video-model/status. See ../shared/protocols/gateway.md.
 */
#include "providers/provider.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "providers/gateway_body.h"

#define GATEWAY_BASE_URL "https://ai-gateway.vercel.sh/v4/ai"
/* The most of the gateway's own text quoted in an error, in bytes. */
#define GATEWAY_MAX_MESSAGE 300

/* {base}/<suffix>, base from the config or the default, no double slash. */
static char *endpoint(const struct provider_config *cfg, const char *suffix)
{
    const char *base = cfg && cfg->base_url && *cfg->base_url
                           ? cfg->base_url
                           : GATEWAY_BASE_URL;
    int n = (int)strlen(base);

    while (n > 0 && base[n - 1] == '/')
        n--;
    return xasprintf("%.*s/%s", n, base, suffix);
}

/* Appends a header, refusing values that would split the header block. */
static int add_header(struct provider_http *out, const char *name,
                      const char *value, char **err)
{
    if (strpbrk(value, "\r\n")) {
        *err = xasprintf("the %s header would contain a line break", name);
        return -EINVAL;
    }
    if (provider_http_add_header(out, name, value) < 0) {
        *err = xstrdup("too many headers for one request");
        return -E2BIG;
    }
    return 0;
}

/* The headers of both endpoints; idempotency-key on the start only. */
static int add_headers(const struct provider_job *job,
                       struct provider_http *out, bool is_start, char **err)
{
    const struct provider_config *cfg = job->config;
    char *auth;
    int rc;

    if (!cfg || !cfg->api_key || !*cfg->api_key) {
        *err = xstrdup("the AI Gateway needs an API key: set "
                       "AI_GATEWAY_API_KEY");
        return -ENOKEY;
    }
    if (!job->model_id || !*job->model_id) {
        *err = xstrdup("no AI Gateway model id for this job");
        return -EINVAL;
    }
    auth = xasprintf("Bearer %s", cfg->api_key);
    rc = add_header(out, "Authorization", auth, err);
    explicit_bzero(auth, strlen(auth));
    free(auth);
    if (rc == 0)
        rc = add_header(out, "ai-gateway-protocol-version", "0.0.1", err);
    if (rc == 0)
        rc = add_header(out, "ai-gateway-auth-method", "api-key", err);
    if (rc == 0)
        rc = add_header(out, "ai-video-model-specification-version", "4", err);
    if (rc == 0)
        rc = add_header(out, "ai-model-id", job->model_id, err);
    if (rc == 0)
        rc = add_header(out, "Content-Type", "application/json", err);
    if (rc == 0 && is_start && job->idempotency_key)
        rc = add_header(out, "idempotency-key", job->idempotency_key, err);
    return rc;
}

static int gateway_build_submit(const struct provider_job *job,
                                struct provider_http *out, char **err)
{
    char *body = NULL;
    int rc = add_headers(job, out, true, err);

    if (rc == 0)
        rc = gateway_body_build(job, &body, err);
    if (rc < 0) {
        provider_http_release(out);
        return rc;
    }
    out->method = "POST";
    out->url = endpoint(job->config, "video-model/start");
    out->body = body;
    out->body_size = strlen(body);
    return 0;
}

static int gateway_build_poll(const struct provider_job *job,
                              struct provider_http *out, char **err)
{
    cJSON *op = NULL, *body;
    char *perr = NULL;
    int rc;

    if (!job->task_id ||
        json_parse(job->task_id, strlen(job->task_id), &op, &perr) < 0) {
        free(perr);
        *err = xstrdup("the job has no AI Gateway operation to poll");
        return -EINVAL;
    }
    cJSON_Delete(op);
    rc = add_headers(job, out, false, err);
    if (rc < 0) {
        provider_http_release(out);
        return rc;
    }
    /* Raw: the operation goes back byte for byte as the gateway sent it. */
    body = cJSON_CreateObject();
    cJSON_AddRawToObject(body, "operation", job->task_id);
    out->method = "POST";
    out->url = endpoint(job->config, "video-model/status");
    out->body = cJSON_PrintUnformatted(body);
    out->body_size = out->body ? strlen(out->body) : 0;
    cJSON_Delete(body);
    return 0;
}

/* For a reply that breaks the documented shape: -EPROTO. */
static int malformed(struct provider_status *out, const char *endpoint_name,
                     const char *what)
{
    provider_set_failed(
        out, "bad_reply",
        xasprintf("the AI Gateway sent a malformed reply to %s: %s",
                  endpoint_name, what));
    return -EPROTO;
}

static void set_raw_status(struct provider_status *out, const char *word)
{
    snprintf(out->raw_status, sizeof(out->raw_status), "%s", word);
    provider_flatten(out->raw_status);
}

/* providerMetadata.gateway.asyncJob.status, or fallback. */
static const char *async_job_status(const cJSON *root, const char *fallback)
{
    const cJSON *meta, *gw, *job;
    const char *s;

    if (json_get_object(root, "providerMetadata", &meta) == 0 &&
        json_get_object(meta, "gateway", &gw) == 0 &&
        json_get_object(gw, "asyncJob", &job) == 0 &&
        json_get_string(job, "status", &s) == 0)
        return s;
    return fallback;
}

static const char *error_code_for(long status, const char *type)
{
    if (status == 401 || (type && strcmp(type, "authentication_error") == 0))
        return "unauthorized";
    if (status == 429 || (type && strcmp(type, "rate_limit_exceeded") == 0))
        return "rate_limited";
    if (status >= 500)
        return "provider_error";
    return "provider_refused";
}

/*
 * A non-2xx reply: {"error":{"message","type"?},"generationId"?} gives the
 * message; any other body (or an empty message) gives the HTTP status.
 * Always FAILED.
 */
static void parse_error_reply(const struct provider_reply *reply,
                              struct provider_status *out)
{
    const cJSON *error;
    const char *message, *type = NULL, *gen = NULL, *code;
    cJSON *root = NULL;
    char *perr = NULL, *text;

    if (reply->body &&
        json_parse(reply->body, reply->body_size, &root, &perr) == 0 &&
        json_get_object(root, "error", &error) == 0 &&
        json_get_string(error, "message", &message) == 0 && *message) {
        /* Both optional: a missing or odd one leaves NULL. */
        (void)json_get_string(error, "type", &type);
        (void)json_get_string(root, "generationId", &gen);
        code = error_code_for(reply->status, type);
        text = xasprintf("%.*s%s%.64s%s%s", GATEWAY_MAX_MESSAGE, message,
                         gen ? " [" : "", gen ? gen : "", gen ? "]" : "",
                         strcmp(code, "unauthorized") == 0
                             ? " (check AI_GATEWAY_API_KEY)"
                             : "");
    } else {
        code = error_code_for(reply->status, NULL);
        text = xasprintf("the AI Gateway request failed with HTTP %ld "
                         "(invalid error response format)",
                         reply->status);
    }
    provider_set_failed(out, code, text);
    free(perr);
    cJSON_Delete(root);
}

/* Parses a 2xx body into *root, or sets out and returns -EPROTO. */
static int parse_body(const struct provider_reply *reply,
                      const char *endpoint_name, cJSON **root,
                      struct provider_status *out)
{
    char *perr = NULL;
    int rc;

    *root = NULL;
    if (!reply->body || reply->body_size == 0)
        return malformed(out, endpoint_name, "empty body");
    if (json_parse(reply->body, reply->body_size, root, &perr) < 0) {
        char *what = xasprintf("not JSON (%s)", perr);

        rc = malformed(out, endpoint_name, what);
        free(what);
        free(perr);
        return rc;
    }
    if (!cJSON_IsObject(*root)) {
        cJSON_Delete(*root);
        *root = NULL;
        return malformed(out, endpoint_name, "not a JSON object");
    }
    return 0;
}

static int gateway_parse_submit(const struct provider_job *job,
                                const struct provider_reply *reply,
                                struct provider_status *out)
{
    const cJSON *op;
    cJSON *root;
    int rc;

    (void)job;
    out->progress = -1;
    if (!provider_is_2xx(reply)) {
        parse_error_reply(reply, out);
        return 0;
    }
    rc = parse_body(reply, "video-model/start", &root, out);
    if (rc < 0)
        return rc;
    op = cJSON_GetObjectItemCaseSensitive(root, "operation");
    if (!op || cJSON_IsNull(op)) {
        rc = malformed(out, "video-model/start", "no operation");
    } else {
        out->task_id = cJSON_PrintUnformatted(op);
        out->state = PROVIDER_TASK_PENDING;
        set_raw_status(out, async_job_status(root, "pending"));
    }
    cJSON_Delete(root);
    return rc;
}

/* status "completed": the first video, by URL or inline. */
static int parse_completed(const cJSON *root, struct provider_status *out)
{
    const cJSON *videos, *video;
    const char *s;

    if (json_get_array(root, "videos", &videos) < 0)
        return malformed(out, "video-model/status",
                         "status completed without videos");
    video = cJSON_GetArrayItem(videos, 0);
    if (video && json_get_string(video, "url", &s) == 0 && *s) {
        out->video_url = xstrdup(s);
    } else if (video && json_get_string(video, "data", &s) == 0 && *s) {
        out->video_base64 = xstrdup(s);
    } else {
        provider_set_failed(
            out, "bad_reply",
            xstrdup("the AI Gateway reported the video complete but sent "
                    "no video"));
        return 0;
    }
    out->state = PROVIDER_TASK_SUCCEEDED;
    return 0;
}

/* Dispatches on the four documented status values. */
static int parse_status(const cJSON *root, struct provider_status *out)
{
    const char *status, *error;
    char *what;
    int rc;

    if (json_get_string(root, "status", &status) < 0)
        return malformed(out, "video-model/status", "no status");
    set_raw_status(out, async_job_status(root, status));
    if (strcmp(status, "pending") == 0) {
        out->state = PROVIDER_TASK_PENDING;
        return 0;
    }
    if (strcmp(status, "completed") == 0)
        return parse_completed(root, out);
    if (strcmp(status, "error") == 0) {
        if (json_get_string(root, "error", &error) < 0 || !*error)
            return malformed(out, "video-model/status",
                             "status error without an error message");
        provider_set_failed(out, "task_failed",
                            xstrndup(error, GATEWAY_MAX_MESSAGE));
        return 0;
    }
    if (strcmp(status, "cancelled") == 0) {
        provider_set_failed(out, "cancelled",
                            xstrdup("Video generation was cancelled."));
        return 0;
    }
    what = xasprintf("unknown status \"%.64s\"", status);
    rc = malformed(out, "video-model/status", what);
    free(what);
    return rc;
}

static int gateway_parse_poll(const struct provider_job *job,
                              const struct provider_reply *reply,
                              struct provider_status *out)
{
    cJSON *root;
    int rc;

    (void)job;
    out->progress = -1;
    if (!provider_is_2xx(reply)) {
        parse_error_reply(reply, out);
        return 0;
    }
    rc = parse_body(reply, "video-model/status", &root, out);
    if (rc < 0)
        return rc;
    rc = parse_status(root, out);
    cJSON_Delete(root);
    return rc;
}

const struct provider provider_gateway = {
    .name = "gateway",
    .caps =
        PROVIDER_CAP_CLOUD | PROVIDER_CAP_INPUT_IMAGE | PROVIDER_CAP_IDEMPOTENT,
    .uploader = "blob",
    .build_submit = gateway_build_submit,
    .parse_submit = gateway_parse_submit,
    .build_poll = gateway_build_poll,
    .parse_poll = gateway_parse_poll,
};
