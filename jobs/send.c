/*
 * One exchange with retries (see send.h): an attempt through core/http, a
 * loop timer between attempts.
 */
#include "jobs/send.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/http.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"

#define DEFAULT_ATTEMPTS   5
#define DEFAULT_BASE_MS    1000
#define DEFAULT_CAP_MS     60000
#define DEFAULT_TIMEOUT_MS 60000
/* A download may be large: it gets this many times the attempt timeout. */
#define DOWNLOAD_TIMEOUT_FACTOR 10
/* The longest Retry-After honoured as given; longer ones are cut to this. */
#define MAX_RETRY_AFTER_MS (10 * 60 * 1000)

struct send {
    struct http *http;
    struct loop *loop;
    struct send_policy policy;
    struct provider_http req;
    struct send_options opts;
    char *download_path;
    send_done_cb cb;
    void *arg;
    unsigned attempts;
    uint64_t http_id; /* 0 when no attempt is in flight */
    uint64_t timer;   /* 0 when not waiting */
    uint64_t rng;     /* xorshift state for the jitter */
};

bool send_is_retryable(int error, long status)
{
    if (error)
        return error == -ECONNRESET || error == -ECONNREFUSED ||
               error == -ETIMEDOUT || error == -EHOSTUNREACH;
    return status == 408 || status == 409 || status == 429 || status >= 500;
}

uint64_t send_backoff_ms(const struct send_policy *policy, unsigned failed,
                         bool has_retry_after, uint64_t retry_after_ms,
                         uint64_t random)
{
    uint64_t base = policy->base_ms ? policy->base_ms : DEFAULT_BASE_MS;
    uint64_t cap = policy->cap_ms ? policy->cap_ms : DEFAULT_CAP_MS;
    uint64_t ceiling = base;

    if (has_retry_after)
        return retry_after_ms < MAX_RETRY_AFTER_MS ? retry_after_ms
                                                   : MAX_RETRY_AFTER_MS;
    for (unsigned i = 1; i < failed && ceiling < cap; i++)
        ceiling *= 2;
    if (ceiling > cap)
        ceiling = cap;
    return random % (ceiling + 1);
}

static uint64_t next_random(struct send *s)
{
    uint64_t x = s->rng;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    s->rng = x;
    return x;
}

static int attempt(struct send *s);

static void retry_cb(struct loop *loop, void *arg)
{
    struct send *s = arg;
    int rc;

    (void)loop;
    s->timer = 0;
    rc = attempt(s);
    if (rc < 0) {
        struct send_result res = { .error = rc,
                                   .error_text = strerror(-rc),
                                   .body = "",
                                   .attempts = s->attempts };

        if (s->cb)
            s->cb(s->arg, &res);
        send_cancel(s);
    }
}

static void done_cb(void *arg, const struct http_response *resp)
{
    struct send *s = arg;
    unsigned max =
        s->policy.max_attempts ? s->policy.max_attempts : DEFAULT_ATTEMPTS;
    struct send_result res = {
        .error = resp->error,
        .error_text = resp->error_text,
        .status = resp->status,
        .body = resp->body,
        .body_size = resp->body_size,
        .attempts = s->attempts,
    };

    s->http_id = 0;
    if (send_is_retryable(resp->error, resp->status) && s->attempts < max) {
        uint64_t after = 0;
        bool has_after = !resp->error && http_retry_after_ms(resp, &after) == 0;
        uint64_t delay = send_backoff_ms(&s->policy, s->attempts, has_after,
                                         after, next_random(s));

        char what[64];

        if (resp->error)
            snprintf(what, sizeof(what), "%.60s", resp->error_text);
        else
            snprintf(what, sizeof(what), "HTTP %ld", resp->status);
        log_info("%s %s: %s; attempt %u of %u in %llu ms", s->req.method,
                 s->req.url, what, s->attempts + 1, max,
                 (unsigned long long)delay);
        s->timer = loop_timer_add(s->loop, delay, retry_cb, s);
        return;
    }
    if (s->cb)
        s->cb(s->arg, &res);
    send_cancel(s);
}

/* The time one attempt may take (see send_policy.timeout_ms). */
static uint64_t attempt_timeout_ms(const struct send *s)
{
    uint64_t ms =
        s->policy.timeout_ms ? s->policy.timeout_ms : DEFAULT_TIMEOUT_MS;

    if (s->opts.timeout_ms)
        return s->opts.timeout_ms;
    return s->download_path ? ms * DOWNLOAD_TIMEOUT_FACTOR : ms;
}

static int attempt(struct send *s)
{
    const char *headers[PROVIDER_MAX_HEADERS + 1];
    struct http_request hr = {
        .method = s->req.method,
        .url = s->req.url,
        .headers = headers,
        .body = s->req.body,
        .body_size = s->req.body ? s->req.body_size : 0,
        .body_path = s->req.body_file,
        .form_path = s->req.form_file,
        .form_field = s->req.form_field,
        .form_mime = s->req.form_mime,
        .max_response_bytes = s->opts.max_response_bytes,
        .download_path = s->download_path,
        .timeout_ms = attempt_timeout_ms(s),
        .is_following_redirects = s->opts.is_following_redirects,
    };
    size_t i;

    for (i = 0; i < PROVIDER_MAX_HEADERS && s->req.headers[i]; i++)
        headers[i] = s->req.headers[i];
    headers[i] = NULL;
    s->attempts++;
    /* The URL, never the headers: they carry keys. */
    log_debug("http: %s %s (attempt %u)", s->req.method, s->req.url,
              s->attempts);
    return http_send(s->http, &hr, done_cb, s, &s->http_id);
}

int send_start(struct http *http, struct loop *loop,
               const struct send_policy *policy, struct provider_http *req,
               const struct send_options *opts, send_done_cb cb, void *arg,
               struct send **out)
{
    struct send *s = xcalloc(1, sizeof(*s));
    int rc;

    s->http = http;
    s->loop = loop;
    s->policy = *policy;
    s->req = *req;
    memset(req, 0, sizeof(*req));
    if (!s->req.method)
        s->req.method = "GET";
    if (opts) {
        s->opts = *opts;
        s->download_path =
            opts->download_path ? xstrdup(opts->download_path) : NULL;
        s->opts.download_path = NULL;
    }
    s->cb = cb;
    s->arg = arg;
    s->rng = (loop_now_ms() ^ (uint64_t)(uintptr_t)s) | 1;
    rc = attempt(s);
    if (rc < 0) {
        send_cancel(s);
        return rc;
    }
    *out = s;
    return 0;
}

void send_cancel(struct send *s)
{
    if (!s)
        return;
    if (s->http_id)
        http_cancel(s->http, s->http_id);
    if (s->timer)
        loop_timer_cancel(s->loop, s->timer);
    provider_http_release(&s->req);
    free(s->download_path);
    free(s);
}

static uint64_t env_ms(const char *name)
{
    const char *v = getenv(name);
    char *end = NULL;
    unsigned long long n;

    if (!v || !*v)
        return 0;
    n = strtoull(v, &end, 10);
    return *end == '\0' ? n : 0;
}

void send_policy_from_env(struct send_policy *policy)
{
    uint64_t base = env_ms("I2VFS_RETRY_BASE_MS");
    uint64_t cap = env_ms("I2VFS_RETRY_CAP_MS");
    uint64_t timeout = env_ms("I2VFS_HTTP_TIMEOUT_MS");

    if (base)
        policy->base_ms = base;
    if (cap)
        policy->cap_ms = cap;
    if (timeout)
        policy->timeout_ms = timeout;
}
