/*
 * Sending one provider_http exchange through the engine's HTTP client, with
 * retries: 408, 409, 429, 5xx and connection errors (reset, refused,
 * timeout) are retried with exponential backoff and full jitter, honouring
 * Retry-After and retry-after-ms, up to a bounded number of attempts; then
 * the last reply (or error) goes to the caller. Never logs header values.
 */
#ifndef JOBS_SEND_H
#define JOBS_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "providers/provider.h"

struct http;
struct loop;
struct send;

/* How hard to try. */
struct send_policy {
    unsigned max_attempts; /* 0: 5 */
    uint64_t base_ms;      /* first backoff ceiling; 0: 1000 */
    uint64_t cap_ms;       /* largest backoff ceiling; 0: 60000 */
    /*
     * Per attempt when the options set none, so that a stalled server
     * cannot hold a job forever; 0: 60000. Downloads get ten times as long.
     */
    uint64_t timeout_ms;
};

/* What came back, after the last attempt; borrowed for the callback. */
struct send_result {
    int error; /* 0 when a reply came (any status), else a negative errno */
    const char *error_text; /* "" when error is 0 */
    long status;
    const char *body; /* NUL-terminated; "" for a download */
    size_t body_size; /* bytes received, also for a download */
    unsigned attempts;
};

typedef void (*send_done_cb)(void *arg, const struct send_result *result);

/* Options of one exchange besides the request itself. */
struct send_options {
    const char *download_path; /* write the body here (downloads) */
    size_t max_response_bytes; /* 0: the HTTP client's default */
    bool is_following_redirects;
    uint64_t timeout_ms; /* per attempt; 0: the policy's */
};

/* True when an attempt that ended so (error, or status) is worth retrying. */
bool send_is_retryable(int error, long status);

/*
 * The delay before attempt number failed + 1, after failed attempts:
 * retry_after_ms when the server gave one (has_retry_after), else full
 * jitter, random in [0, min(cap, base * 2^(failed - 1))] with random a
 * uniform 64-bit draw.
 */
uint64_t send_backoff_ms(const struct send_policy *policy, unsigned failed,
                         bool has_retry_after, uint64_t retry_after_ms,
                         uint64_t random);

/*
 * Sends req (taking what it owns: req is zeroed) with policy, and calls cb
 * once on the loop with the final result, unless cancelled first. The
 * exchange is over (and freed) when cb runs: cb must not send_cancel it.
 * cb may be NULL (fire and forget: the exchange frees itself). Returns
 * 0 and *out (for send_cancel), or a negative errno when nothing could be
 * sent (req is released then too); cb then never runs.
 */
int send_start(struct http *http, struct loop *loop,
               const struct send_policy *policy, struct provider_http *req,
               const struct send_options *opts, send_done_cb cb, void *arg,
               struct send **out);

/* Stops the exchange; its callback never runs. NULL is a no-op. */
void send_cancel(struct send *send);

/*
 * The policy from the environment: I2VFS_RETRY_BASE_MS sets base_ms (tests
 * use a few ms), I2VFS_RETRY_CAP_MS cap_ms, I2VFS_HTTP_TIMEOUT_MS
 * timeout_ms.
 */
void send_policy_from_env(struct send_policy *policy);

#endif
