/*
 * HTTP client: one libcurl multi handle driven by the loop, one easy handle
 * per request. Nothing blocks; completion arrives as a callback on the loop.
 */
#ifndef CORE_HTTP_H
#define CORE_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http;
struct loop;

/* The default cap on a response body kept in memory. */
#define HTTP_DEFAULT_MAX_RESPONSE_BYTES (16u << 20)

/*
 * What to send. Every pointer is borrowed for the duration of http_send
 * only: the request copies what it keeps.
 */
struct http_request {
    const char *method; /* "GET" when NULL; "POST", "PUT", "DELETE", "HEAD" */
    const char *url;
    const char *const *headers; /* "Name: value" lines, NULL-terminated */
    const void *body;           /* sent when body_size > 0 (or method POST) */
    size_t body_size;
    /* Instead of body: send this file's bytes as the body (a Blob PUT). */
    const char *body_path;
    /*
     * Instead of body: a multipart/form-data body with one part, this
     * file under field name form_field (default "file") with content type
     * form_mime (default application/octet-stream).
     */
    const char *form_path;
    const char *form_field;
    const char *form_mime;
    /* Cap on the response body; 0 means HTTP_DEFAULT_MAX_RESPONSE_BYTES. */
    size_t max_response_bytes;
    /*
     * When set, the body goes into this file (created or truncated, 0644)
     * instead of memory, whatever the status. The file is left for the
     * caller, complete or not.
     */
    const char *download_path;
    uint64_t timeout_ms;         /* whole transfer; 0 means no limit */
    bool is_following_redirects; /* up to 5, e.g. for downloads */
};

/* What came back; everything is borrowed for the duration of the callback. */
struct http_response {
    uint64_t id;
    /*
     * 0 when the exchange completed (whatever the status), else a negative
     * errno: -ETIMEDOUT, -ECONNREFUSED, -EHOSTUNREACH, -ECONNRESET, -EFBIG
     * (body over the cap), -EPROTO (TLS or protocol trouble), -EIO.
     */
    int error;
    const char *error_text; /* curl's message; "" when error is 0 */
    long status;            /* HTTP status; 0 when none was received */
    const char *body;       /* NUL-terminated; "" when downloaded to a file */
    size_t body_size;       /* bytes received, also when downloaded */
};

/*
 * Called on the loop thread exactly once per request that was not
 * cancelled. It may call http_send and http_cancel, not http_free.
 */
typedef void (*http_done_cb)(void *arg, const struct http_response *resp);

/* Creates a client on loop. Returns 0 and *out, or a negative errno. */
int http_new(struct loop *loop, struct http **out);

/*
 * Drops every request in flight without calling its callback, and frees
 * the client. Loop thread only; the loop must still exist. NULL is a no-op.
 */
void http_free(struct http *http);

/*
 * Starts req. Returns 0 and *id (never 0; for http_cancel), or a negative
 * errno (-EINVAL without a URL; the errno of a download, body or form
 * file that cannot be made or read).
 * cb runs later, never from inside this call. Loop thread only.
 */
int http_send(struct http *http, const struct http_request *req,
              http_done_cb cb, void *arg, uint64_t *id);

/* Aborts a request; its callback never runs. An unknown id is ignored. */
void http_cancel(struct http *http, uint64_t id);

/* Number of requests in flight. */
size_t http_pending(const struct http *http);

/*
 * The value of the final response's header name (case-insensitive), with
 * surrounding spaces trimmed, or NULL. resp must be the one passed to the
 * callback; the value is valid during the callback.
 */
const char *http_response_header(const struct http_response *resp,
                                 const char *name);

/*
 * Reads Retry-After (seconds or an HTTP date) as a delay from now. Returns
 * 0 and *delay_ms, or -ENOENT when absent or unreadable. A retry-after-ms
 * header (milliseconds) wins over Retry-After.
 */
int http_retry_after_ms(const struct http_response *resp, uint64_t *delay_ms);

#endif
