/*
 * The AI Gateway provider (providers/gateway.c): headers, URLs, the poll
 * body, and every recorded reply in tests/fixtures/gateway/ parsed to the
 * right state, message and code; malformed replies never crash.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "core/fsutil.h"
#include "core/mem.h"
#include "providers/provider.h"
#include "tests/check.h"
#include "tests/unit/provider_fixture.h"

extern const struct provider provider_gateway;

#define FIXTURES "tests/fixtures/gateway"
#define KEY      "sk-test-SECRET-0123"

static const struct provider_config config = { .api_key = KEY };

static void check_build_error(struct test_job *t, int want, const char *msg)
{
    struct provider_http http = { 0 };
    char *err = NULL;

    CHECK_INT_EQ(provider_build_submit(&provider_gateway, &t->job, &http, &err),
                 want);
    CHECK_STR_CONTAINS(err, msg);
    CHECK(http.url == NULL && http.headers[0] == NULL && http.body == NULL);
    free(err);
    job_release(t);
}

static void test_build_errors(void)
{
    static const struct provider_config no_key = { .base_url = "http://x" };
    struct test_job t;

    job_init(&t, "klingai/kling-v2.6-i2v", parse("{}"), &config);
    t.job.config = &no_key;
    check_build_error(&t, -ENOKEY, "AI_GATEWAY_API_KEY");
    job_init(&t, "klingai/kling-v2.6-i2v", parse("{}"), &config);
    t.job.config = NULL;
    check_build_error(&t, -ENOKEY, "AI_GATEWAY_API_KEY");
    /* A file name the engine did not resolve. */
    job_init(&t, "klingai/kling-v2.6-i2v",
             parse("{\"prompt\":{\"image\":\"start.png\"}}"), &config);
    check_build_error(&t, -EINVAL, "start.png");
    /* An image path that is not in the request, or not in providerOptions. */
    job_init(&t, "klingai/kling-v2.6-i2v",
             parse("{\"providerOptions\":{\"klingai\":{}}}"), &config);
    add_url_image(&t, "providerOptions.klingai.imageTail", "https://e/x");
    check_build_error(&t, -EINVAL, "providerOptions.klingai.imageTail");
    job_init(&t, "klingai/kling-v2.6-i2v",
             parse("{\"providerOptions\":{\"klingai\":{\"dynamicMasks\":[]}}}"),
             &config);
    add_url_image(&t, "providerOptions.klingai.dynamicMasks[0].mask", "u");
    check_build_error(&t, -EINVAL, "dynamicMasks[0].mask");
    job_init(&t, "klingai/kling-v2.6-i2v", parse("{\"frame\":\"a.png\"}"),
             &config);
    add_url_image(&t, "frame", "https://e/x");
    check_build_error(&t, -EINVAL, "frame");
    job_init(&t, "klingai/kling-v2.6-i2v", parse("{\"duration\":\"5\"}"),
             &config);
    check_build_error(&t, -EINVAL, "duration");
    job_init(&t, "klingai/kling-v2.6-i2v", parse("[1]"), &config);
    check_build_error(&t, -EINVAL, "request");
    /* A header value that would split the header block. */
    job_init(&t, "klingai/x\r\nEvil: 1", parse("{}"), &config);
    check_build_error(&t, -EINVAL, "ai-model-id");
}
/* The headers both requests carry; the key only in Authorization. */
static void check_headers(const struct provider_http *http, bool is_start)
{
    size_t n = 0;

    CHECK_STR_EQ(header(http, "Authorization"), "Bearer " KEY);
    CHECK_STR_EQ(header(http, "ai-gateway-protocol-version"), "0.0.1");
    CHECK_STR_EQ(header(http, "ai-gateway-auth-method"), "api-key");
    CHECK_STR_EQ(header(http, "ai-video-model-specification-version"), "4");
    CHECK_STR_EQ(header(http, "ai-model-id"), "klingai/kling-v2.6-i2v");
    CHECK_STR_EQ(header(http, "Content-Type"), "application/json");
    if (is_start)
        CHECK_STR_EQ(header(http, "idempotency-key"), "aisdk_vid_test42");
    else
        CHECK(header(http, "idempotency-key") == NULL);
    while (http->headers[n])
        n++;
    CHECK_INT_EQ(n, is_start ? 7 : 6);
    for (size_t i = 0; i < n; i++) {
        if (strncmp(http->headers[i], "Authorization: ", 15) != 0)
            CHECK(strstr(http->headers[i], KEY) == NULL);
    }
    CHECK(strstr(http->url, KEY) == NULL);
    CHECK(strstr(http->body, KEY) == NULL);
    CHECK_STR_EQ(http->method, "POST");
    CHECK_INT_EQ(http->body_size, strlen(http->body));
}

static void test_headers_and_urls(void)
{
    static const struct provider_config local = {
        .base_url = "http://127.0.0.1:8123/v4/ai/", .api_key = KEY
    };
    struct provider_http http = { 0 };
    struct test_job t;
    char *err = NULL;

    job_init(&t, "klingai/kling-v2.6-i2v", parse("{\"prompt\":\"a\"}"),
             &config);
    CHECK_INT_EQ(provider_build_submit(&provider_gateway, &t.job, &http, &err),
                 0);
    CHECK_STR_EQ(http.url, "https://ai-gateway.vercel.sh/v4/ai/video-model/"
                           "start");
    check_headers(&http, true);
    provider_http_release(&http);
    t.job.config = &local;
    CHECK_INT_EQ(provider_build_submit(&provider_gateway, &t.job, &http, &err),
                 0);
    CHECK_STR_EQ(http.url, "http://127.0.0.1:8123/v4/ai/video-model/start");
    provider_http_release(&http);
    t.job.task_id = "{\"gatewayJobId\":\"job_123\"}";
    CHECK_INT_EQ(provider_build_poll(&provider_gateway, &t.job, &http, &err),
                 0);
    CHECK_STR_EQ(http.url, "http://127.0.0.1:8123/v4/ai/video-model/status");
    provider_http_release(&http);
    t.job.config = &config;
    CHECK_INT_EQ(provider_build_poll(&provider_gateway, &t.job, &http, &err),
                 0);
    CHECK_STR_EQ(http.url, "https://ai-gateway.vercel.sh/v4/ai/video-model/"
                           "status");
    check_headers(&http, false);
    provider_http_release(&http);
    CHECK(provider_gateway.caps & PROVIDER_CAP_CLOUD);
    CHECK(provider_gateway.caps & PROVIDER_CAP_INPUT_IMAGE);
    CHECK_STR_EQ(provider_gateway.uploader, "blob");
    job_release(&t);
    free(err);
}

static struct provider_reply reply_of(long status, const char *body)
{
    struct provider_reply r = { .status = status, .body = body };

    r.body_size = body ? strlen(body) : 0;
    return r;
}

/* The operation goes back byte for byte, whatever its shape. */
static void test_poll_echoes_operation(void)
{
    static const char *const ops[] = {
        "{\"gatewayJobId\":\"job_123\"}",
        ("{\"id\":\"j\",\"n\":1.50,\"big\":12345678901234567890,"
         "\"deep\":{\"a\":[1,{\"b\":null}],\"u\":\"\\u00e9\"}}"),
        "\"op_plain_string\"",
    };
    struct provider_http http = { 0 };
    struct provider_status st = { 0 };
    struct provider_reply r;
    struct test_job t;
    char *err = NULL, *want;

    job_init(&t, "klingai/kling-v2.6-i2v", parse("{}"), &config);
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        t.job.task_id = ops[i];
        CHECK_INT_EQ(
            provider_build_poll(&provider_gateway, &t.job, &http, &err), 0);
        want = xasprintf("{\"operation\":%s}", ops[i]);
        CHECK_STR_EQ(http.body, want);
        free(want);
        provider_http_release(&http);
    }
    /* What parse_submit stores is what build_poll sends. */
    r = reply_of(200, "{\"operation\":{\"gatewayJobId\":\"job_9\",\"k\":[1]},"
                      "\"warnings\":[]}");
    CHECK_INT_EQ(provider_parse_submit(&provider_gateway, &t.job, &r, &st), 0);
    t.job.task_id = st.task_id;
    CHECK_INT_EQ(provider_build_poll(&provider_gateway, &t.job, &http, &err),
                 0);
    CHECK_STR_EQ(http.body,
                 "{\"operation\":{\"gatewayJobId\":\"job_9\",\"k\":[1]}}");
    provider_http_release(&http);
    provider_status_release(&st);
    /* No operation, or not JSON: nothing to poll. */
    t.job.task_id = NULL;
    CHECK_INT_EQ(provider_build_poll(&provider_gateway, &t.job, &http, &err),
                 -EINVAL);
    free(err);
    err = NULL;
    t.job.task_id = "job_123";
    CHECK_INT_EQ(provider_build_poll(&provider_gateway, &t.job, &http, &err),
                 -EINVAL);
    CHECK_STR_CONTAINS(err, "operation");
    CHECK(http.url == NULL);
    free(err);
    job_release(&t);
}

/* One recorded reply and what the parse hook must make of it. */
struct reply_case {
    const char *file; /* under FIXTURES, or NULL for an empty body */
    long status;
    int rc;
    enum provider_task_state state;
    const char *code;    /* error_code when FAILED */
    const char *message; /* the whole error, or NULL */
    const char *part;    /* a part of the error, or NULL */
    const char *raw;     /* raw_status, or NULL */
};

typedef int (*parse_fn)(const struct provider *, const struct provider_job *,
                        const struct provider_reply *,
                        struct provider_status *);

static void check_reply(parse_fn fn, const struct reply_case *c,
                        struct provider_status *st)
{
    char *path = c->file ? xasprintf(FIXTURES "/%s", c->file) : NULL;
    char *text = NULL;
    size_t size = 0;
    struct provider_reply r;
    struct test_job t;

    if (path)
        CHECK_INT_EQ(fsutil_read_file(path, 1 << 20, &text, &size), 0);
    r = reply_of(c->status, text);
    job_init(&t, "klingai/kling-v2.6-i2v", NULL, &config);
    memset(st, 0, sizeof(*st));
    CHECK_INT_EQ(fn(&provider_gateway, &t.job, &r, st), c->rc);
    CHECK_INT_EQ(st->state, c->state);
    CHECK_INT_EQ(st->progress, -1);
    if (c->state == PROVIDER_TASK_FAILED) {
        CHECK_STR_EQ(st->error_code, c->code);
        CHECK(st->error && !strchr(st->error, '\n'));
    } else {
        CHECK(st->error == NULL && st->error_code == NULL);
    }
    if (c->message)
        CHECK_STR_EQ(st->error, c->message);
    if (c->part)
        CHECK_STR_CONTAINS(st->error, c->part);
    if (c->raw)
        CHECK_STR_EQ(st->raw_status, c->raw);
    if (check_failures)
        fprintf(stderr, "  (reply %s, HTTP %ld)\n", c->file, c->status);
    job_release(&t);
    free(text);
    free(path);
}

/* Error bodies: the same mapping on both endpoints. */
static const struct reply_case error_cases[] = {
    { "error_invalid_request.json", 400, 0, PROVIDER_TASK_FAILED,
      "provider_refused", "Invalid request", NULL, NULL },
    { "error_unauthorized.json", 401, 0, PROVIDER_TASK_FAILED, "unauthorized",
      NULL, "Unauthorized", NULL },
    { "error_authentication.json", 401, 0, PROVIDER_TASK_FAILED, "unauthorized",
      NULL, "Invalid API key", NULL },
    { "error_authentication.json", 403, 0, PROVIDER_TASK_FAILED, "unauthorized",
      NULL, "AI_GATEWAY_API_KEY", NULL },
    { "error_rate_limit.json", 429, 0, PROVIDER_TASK_FAILED, "rate_limited",
      "Rate limit exceeded", NULL, NULL },
    { "error_rate_limit.json", 400, 0, PROVIDER_TASK_FAILED, "rate_limited",
      "Rate limit exceeded", NULL, NULL },
    { "error_model_not_found.json", 404, 0, PROVIDER_TASK_FAILED,
      "provider_refused", "Model klingai/kling-v9-i2v not found [gen_abc123]",
      NULL, NULL },
    { "error_forbidden.json", 403, 0, PROVIDER_TASK_FAILED, "provider_refused",
      "Blocked by rule", NULL, NULL },
    { "error_internal.json", 500, 0, PROVIDER_TASK_FAILED, "provider_error",
      "Upstream provider failed [gen_xyz789]", NULL, NULL },
    { "error_not_documented.json", 502, 0, PROVIDER_TASK_FAILED,
      "provider_error", NULL, "HTTP 502", NULL },
    { "error_html.txt", 503, 0, PROVIDER_TASK_FAILED, "provider_error", NULL,
      "HTTP 503", NULL },
    { NULL, 500, 0, PROVIDER_TASK_FAILED, "provider_error", NULL, "HTTP 500",
      NULL },
    { "status_pending.json", 409, 0, PROVIDER_TASK_FAILED, "provider_refused",
      NULL, "HTTP 409", NULL },
};

static void test_parse_submit(void)
{
    static const struct reply_case cases[] = {
        { "start.json", 200, 0, PROVIDER_TASK_PENDING, NULL, NULL, NULL,
          "queued" },
        { "start_minimal.json", 201, 0, PROVIDER_TASK_PENDING, NULL, NULL, NULL,
          "pending" },
        { "start_no_operation.json", 200, -EPROTO, PROVIDER_TASK_FAILED,
          "bad_reply", NULL, "operation", NULL },
        { "status_pending.json", 200, -EPROTO, PROVIDER_TASK_FAILED,
          "bad_reply", NULL, "video-model/start", NULL },
    };
    struct provider_status st;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        check_reply(provider_parse_submit, &cases[i], &st);
        if (i < 2)
            CHECK_STR_EQ(st.task_id, "{\"gatewayJobId\":\"job_123\"}");
        else
            CHECK(st.task_id == NULL);
        provider_status_release(&st);
    }
    for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
        check_reply(provider_parse_submit, &error_cases[i], &st);
        CHECK(st.task_id == NULL);
        provider_status_release(&st);
    }
}

static void test_parse_poll(void)
{
    static const struct reply_case cases[] = {
        { "status_pending.json", 200, 0, PROVIDER_TASK_PENDING, NULL, NULL,
          NULL, "running" },
        { "status_pending_minimal.json", 200, 0, PROVIDER_TASK_PENDING, NULL,
          NULL, NULL, "pending" },
        { "status_completed.json", 200, 0, PROVIDER_TASK_SUCCEEDED, NULL, NULL,
          NULL, "completed" },
        { "status_completed_base64.json", 200, 0, PROVIDER_TASK_SUCCEEDED, NULL,
          NULL, NULL, "completed" },
        { "status_completed_empty.json", 200, 0, PROVIDER_TASK_FAILED,
          "bad_reply", NULL, "no video", NULL },
        { "status_error.json", 200, 0, PROVIDER_TASK_FAILED, "task_failed",
          "Async video job failed", NULL, "error" },
        { "status_cancelled.json", 200, 0, PROVIDER_TASK_FAILED, "cancelled",
          "Video generation was cancelled.", NULL, "cancelled" },
        { "status_unknown.json", 200, -EPROTO, PROVIDER_TASK_FAILED,
          "bad_reply", NULL, "unknown status \"running\"", NULL },
        { "status_completed_no_videos.json", 200, -EPROTO, PROVIDER_TASK_FAILED,
          "bad_reply", NULL, "videos", NULL },
        { "status_error_no_message.json", 200, -EPROTO, PROVIDER_TASK_FAILED,
          "bad_reply", NULL, "error", NULL },
        { "start.json", 200, -EPROTO, PROVIDER_TASK_FAILED, "bad_reply", NULL,
          "no status", NULL },
    };
    struct provider_status st;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        check_reply(provider_parse_poll, &cases[i], &st);
        if (i == 2)
            CHECK_STR_EQ(st.video_url, "https://cdn.example.com/v.mp4");
        else if (i == 3)
            CHECK_STR_EQ(st.video_base64, "base64-video-1");
        else
            CHECK(st.video_url == NULL && st.video_base64 == NULL);
        provider_status_release(&st);
    }
    for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
        check_reply(provider_parse_poll, &error_cases[i], &st);
        provider_status_release(&st);
    }
}

/* A 2xx body that breaks the shape: -EPROTO, FAILED, bad_reply, one line. */
static void check_malformed(parse_fn fn, const char *body, size_t size)
{
    struct provider_reply r = { .status = 200,
                                .body = body,
                                .body_size = size };
    struct provider_status st = { 0 };
    struct test_job t;

    job_init(&t, "klingai/kling-v2.6-i2v", NULL, &config);
    CHECK_INT_EQ(fn(&provider_gateway, &t.job, &r, &st), -EPROTO);
    CHECK_INT_EQ(st.state, PROVIDER_TASK_FAILED);
    CHECK_STR_EQ(st.error_code, "bad_reply");
    CHECK(st.error && !strchr(st.error, '\n'));
    CHECK(st.task_id == NULL && st.video_url == NULL);
    if (check_failures) {
        fprintf(stderr, "  (body %.*s)\n", (int)size, body);
        check_failures = 1;
    }
    provider_status_release(&st);
    job_release(&t);
}

static void test_malformed_replies(void)
{
    static const char *const garbage[] = {
        "",
        "null",
        "[]",
        "42",
        "\"pending\"",
        "{",
        "}",
        "{\"status\":5}",
        "{\"status\":null}",
        "{\"status\":\"completed\",\"videos\":{}}",
        "{\"status\":\"error\",\"error\":7}",
        "{\"operation\":null}",
        "{\"status\":\"PENDING\"}",
        "not json at all",
        "\x01\x02\xff",
    };
    DIR *d = opendir(FIXTURES);
    struct dirent *e;
    int files = 0;

    for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
        check_malformed(provider_parse_submit, garbage[i], strlen(garbage[i]));
        check_malformed(provider_parse_poll, garbage[i], strlen(garbage[i]));
    }
    check_malformed(provider_parse_poll, NULL, 0);
    /* Every recorded reply cut short anywhere. */
    CHECK(d != NULL);
    while (d && (e = readdir(d))) {
        char *path = xasprintf(FIXTURES "/%s", e->d_name);
        char *text = NULL;
        size_t size = 0;

        if (strstr(e->d_name, ".json") &&
            fsutil_read_file(path, 1 << 20, &text, &size) == 0) {
            while (size > 0 && strchr(" \n", text[size - 1]))
                size--;
            for (size_t n = 0; n < size; n++) {
                char *cut = xstrndup(text, n);

                check_malformed(provider_parse_submit, cut, n);
                check_malformed(provider_parse_poll, cut, n);
                free(cut);
            }
            files++;
        }
        free(text);
        free(path);
    }
    if (d)
        closedir(d);
    CHECK(files >= 20);
}

/*
 * Found by tests/fuzz/fuzz_replies: an empty message failed the task with
 * an empty error, which tells the user nothing.
 */
static void test_empty_messages(void)
{
    struct provider_status st = { 0 };
    struct provider_reply r =
        reply_of(400, "{\"error\": {\"message\": \"\", \"type\": \"x\"}}");
    struct test_job t;

    job_init(&t, "klingai/kling-v2.6-i2v", NULL, &config);
    CHECK_INT_EQ(provider_parse_submit(&provider_gateway, &t.job, &r, &st), 0);
    CHECK_INT_EQ(st.state, PROVIDER_TASK_FAILED);
    CHECK_STR_CONTAINS(st.error, "HTTP 400");
    provider_status_release(&st);
    r = reply_of(200, "{\"status\": \"error\", \"error\": \"\"}");
    memset(&st, 0, sizeof(st));
    CHECK_INT_EQ(provider_parse_poll(&provider_gateway, &t.job, &r, &st),
                 -EPROTO);
    CHECK_STR_EQ(st.error_code, "bad_reply");
    CHECK_STR_CONTAINS(st.error, "without an error message");
    provider_status_release(&st);
    job_release(&t);
}

/*
 * Found by tests/fuzz/fuzz_replies: the gateway's message was quoted whole;
 * a huge one went into the record and the log. Quoted up to 300 bytes, as
 * the Kling and Krea providers do.
 */
static void test_long_messages_are_capped(void)
{
    char *big = xmalloc(5001), *body;
    struct provider_status st = { 0 };
    struct provider_reply r;
    struct test_job t;

    memset(big, 'm', 5000);
    big[5000] = '\0';
    job_init(&t, "klingai/kling-v2.6-i2v", NULL, &config);
    body = xasprintf("{\"error\": {\"message\": \"%s\"}}", big);
    r = reply_of(400, body);
    CHECK_INT_EQ(provider_parse_submit(&provider_gateway, &t.job, &r, &st), 0);
    CHECK(st.error && strncmp(st.error, "mmm", 3) == 0);
    CHECK(st.error && strlen(st.error) < 400);
    provider_status_release(&st);
    free(body);
    body = xasprintf("{\"status\": \"error\", \"error\": \"%s\"}", big);
    r = reply_of(200, body);
    memset(&st, 0, sizeof(st));
    CHECK_INT_EQ(provider_parse_poll(&provider_gateway, &t.job, &r, &st), 0);
    CHECK(st.error && strncmp(st.error, "mmm", 3) == 0);
    CHECK(st.error && strlen(st.error) < 400);
    provider_status_release(&st);
    free(body);
    body = xasprintf("{\"status\": \"%s\"}", big);
    r = reply_of(200, body);
    memset(&st, 0, sizeof(st));
    CHECK_INT_EQ(provider_parse_poll(&provider_gateway, &t.job, &r, &st),
                 -EPROTO);
    CHECK(st.error && strlen(st.error) < 400);
    provider_status_release(&st);
    free(body);
    job_release(&t);
    free(big);
}

CHECK_MAIN(CHECK_CASE(test_build_errors), CHECK_CASE(test_headers_and_urls),
           CHECK_CASE(test_poll_echoes_operation),
           CHECK_CASE(test_parse_submit), CHECK_CASE(test_parse_poll),
           CHECK_CASE(test_malformed_replies), CHECK_CASE(test_empty_messages),
           CHECK_CASE(test_long_messages_are_capped))
