/*
 * HTTP client on libcurl's multi interface (see http.h). curl tells us which
 * sockets to watch and when to wake it (CURLMOPT_SOCKETFUNCTION and
 * CURLMOPT_TIMERFUNCTION); the loop calls curl_multi_socket_action back.
 */
#include "core/http.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/buf.h"
#include "core/list.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"

#define HTTP_MAX_HEADER_BYTES (64u << 10)
#define HTTP_MAX_REDIRECTS    5

struct http {
    struct loop *loop;
    CURLM *multi;
    uint64_t timer_id; /* curl's single timeout; 0 when none */
    uint64_t next_id;
    struct list requests;
    size_t pending;
};

/* One request in flight: it owns its easy handle, headers and buffers. */
struct http_req {
    struct list link;
    struct http *http;
    uint64_t id;
    CURL *easy;
    struct curl_slist *headers;
    http_done_cb cb;
    void *arg;
    struct buf body;
    int download_fd; /* -1 unless downloading to a file */
    FILE *upload;    /* the body file, or NULL */
    curl_mime *mime; /* the multipart body, or NULL */
    size_t received;
    size_t max_bytes;
    bool is_too_big;
    struct buf header_lines; /* of the last response: "name: value\0..." */
    struct http_response resp;
    char error_text[CURL_ERROR_SIZE];
};

/* ---- per-request callbacks from curl ---- */

static size_t write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
    struct http_req *r = arg;
    size_t n = size * nmemb;

    if (n > r->max_bytes - r->received) {
        r->is_too_big = true;
        return 0; /* makes curl fail with CURLE_WRITE_ERROR */
    }
    if (r->download_fd >= 0) {
        for (size_t done = 0; done < n;) {
            ssize_t w = write(r->download_fd, data + done, n - done);

            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                snprintf(r->error_text, sizeof(r->error_text),
                         "writing the download: %s", strerror(errno));
                return 0;
            }
            done += (size_t)w;
        }
    } else if (buf_append(&r->body, data, n) < 0) {
        r->is_too_big = true;
        return 0;
    }
    r->received += n;
    return n;
}

/*
 * Keeps the header lines of the last response, NUL-separated, without
 * trailing blanks.
 */
static size_t header_cb(char *data, size_t size, size_t nmemb, void *arg)
{
    struct http_req *r = arg;
    size_t n = size * nmemb, len = n;

    /* A status line starts a new response (redirects, 100 Continue). */
    if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        buf_release(&r->header_lines);
        return n;
    }
    while (len > 0 && strchr("\r\n \t", data[len - 1]))
        len--;
    if (len == 0 || !memchr(data, ':', len))
        return n;
    /* Past the cap, extra headers are dropped, not fatal. */
    if (buf_append(&r->header_lines, data, len) == 0 &&
        buf_append(&r->header_lines, "", 1) < 0)
        r->header_lines.len -= len;
    return n;
}

/* ---- the multi handle and the loop ---- */

static void check_done(struct http *http);

static void socket_event_cb(struct loop *loop, int fd, uint32_t events,
                            void *arg)
{
    struct http *http = arg;
    int flags = 0, running = 0;

    (void)loop;
    if (events & EPOLLIN)
        flags |= CURL_CSELECT_IN;
    if (events & EPOLLOUT)
        flags |= CURL_CSELECT_OUT;
    if (events & (EPOLLERR | EPOLLHUP))
        flags |= CURL_CSELECT_ERR;
    curl_multi_socket_action(http->multi, fd, flags, &running);
    check_done(http);
}

/* CURLMOPT_SOCKETFUNCTION: maps curl's wishes onto loop fd watchers. */
static int socket_cb(CURL *easy, curl_socket_t s, int what, void *userp,
                     void *socketp)
{
    struct http *http = userp;
    uint32_t events = 0;
    int rc;

    (void)easy;
    (void)socketp;
    if (what == CURL_POLL_REMOVE) {
        (void)loop_del_fd(http->loop, s); /* may be gone already: fine */
        return 0;
    }
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
        events |= EPOLLIN;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
        events |= EPOLLOUT;
    rc = loop_mod_fd(http->loop, s, events);
    if (rc == -ENOENT) {
        rc = loop_add_fd(http->loop, s, events, socket_event_cb, http);
    } else if (rc < 0) {
        /* A stale watcher from a socket closed without REMOVE. */
        (void)loop_del_fd(http->loop, s);
        rc = loop_add_fd(http->loop, s, events, socket_event_cb, http);
    }
    if (rc < 0) {
        log_error("http: cannot watch socket %d: %s", s, strerror(-rc));
        return -1;
    }
    return 0;
}

static void timeout_cb(struct loop *loop, void *arg)
{
    struct http *http = arg;
    int running = 0;

    (void)loop;
    http->timer_id = 0;
    curl_multi_socket_action(http->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(http);
}

/* CURLMOPT_TIMERFUNCTION: one timer, replaced on every call. */
static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    struct http *http = userp;

    (void)multi;
    if (http->timer_id) {
        loop_timer_cancel(http->loop, http->timer_id);
        http->timer_id = 0;
    }
    if (timeout_ms >= 0)
        http->timer_id =
            loop_timer_add(http->loop, (uint64_t)timeout_ms, timeout_cb, http);
    return 0;
}

/* ---- requests ---- */

/* Releases everything the request owns; it must be out of the multi. */
static void req_free(struct http_req *r)
{
    list_remove(&r->link);
    r->http->pending--;
    curl_easy_cleanup(r->easy);
    curl_slist_free_all(r->headers);
    buf_release(&r->body);
    buf_release(&r->header_lines);
    if (r->download_fd >= 0)
        close(r->download_fd);
    if (r->upload)
        fclose(r->upload);
    curl_mime_free(r->mime);
    free(r);
}

static int map_curl_error(CURLcode code, bool is_too_big)
{
    switch (code) {
    case CURLE_OK:
        return 0;
    case CURLE_OPERATION_TIMEDOUT:
        return -ETIMEDOUT;
    case CURLE_COULDNT_CONNECT:
        return -ECONNREFUSED;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return -EHOSTUNREACH;
    case CURLE_WRITE_ERROR:
        return is_too_big ? -EFBIG : -EIO;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
        return -ECONNRESET;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_TOO_MANY_REDIRECTS:
        return -EPROTO;
    default:
        return -EIO;
    }
}

/* Completes a finished transfer: callback, then release. */
static void finish(struct http_req *r, CURLcode code)
{
    struct http_response *resp = &r->resp;
    long status = 0;

    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_multi_remove_handle(r->http->multi, r->easy);
    resp->id = r->id;
    resp->status = status;
    resp->error = map_curl_error(code, r->is_too_big);
    if (resp->error == 0) {
        r->error_text[0] = '\0';
    } else if (r->is_too_big) {
        snprintf(r->error_text, sizeof(r->error_text),
                 "response larger than %zu bytes", r->max_bytes);
    } else if (r->error_text[0] == '\0') {
        snprintf(r->error_text, sizeof(r->error_text), "%s",
                 curl_easy_strerror(code));
    }
    resp->error_text = r->error_text;
    resp->body = r->body.data ? r->body.data : "";
    resp->body_size = r->received;
    /* Out of the list before the callback, so a cancel of it is a no-op. */
    list_remove(&r->link);
    list_init(&r->link);
    r->cb(r->arg, resp);
    req_free(r);
}

static void check_done(struct http *http)
{
    CURLMsg *msg;
    int left;

    while ((msg = curl_multi_info_read(http->multi, &left))) {
        struct http_req *r = NULL;

        if (msg->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
        finish(r, msg->data.result);
    }
}

/* The file at path as the request body (read by curl's default fread). */
static int setup_body_file(struct http_req *r)
{
    struct stat st;
    bool ok = true;

    if (fstat(fileno(r->upload), &st) < 0)
        return -errno;
    ok &= curl_easy_setopt(r->easy, CURLOPT_UPLOAD, 1L) == CURLE_OK;
    ok &= curl_easy_setopt(r->easy, CURLOPT_READDATA, r->upload) == CURLE_OK;
    ok &= curl_easy_setopt(r->easy, CURLOPT_INFILESIZE_LARGE,
                           (curl_off_t)st.st_size) == CURLE_OK;
    return ok ? 0 : -EINVAL;
}

/* A multipart/form-data body of one file part. */
static int setup_form(struct http_req *r, const struct http_request *req)
{
    curl_mimepart *part;

    r->mime = curl_mime_init(r->easy);
    part = r->mime ? curl_mime_addpart(r->mime) : NULL;
    if (!part)
        return -ENOMEM;
    if (curl_mime_name(part, req->form_field ? req->form_field : "file") !=
            CURLE_OK ||
        curl_mime_filedata(part, req->form_path) != CURLE_OK ||
        curl_mime_type(part, req->form_mime
                                 ? req->form_mime
                                 : "application/octet-stream") != CURLE_OK ||
        curl_easy_setopt(r->easy, CURLOPT_MIMEPOST, r->mime) != CURLE_OK)
        return -EINVAL;
    return 0;
}

/* Sets the easy handle's options from req; returns 0 or a negative errno. */
static int setup_easy(struct http_req *r, const struct http_request *req)
{
    CURL *e = r->easy;
    const char *method = req->method ? req->method : "GET";
    bool ok = true;

    ok &= curl_easy_setopt(e, CURLOPT_URL, req->url) == CURLE_OK;
    ok &= curl_easy_setopt(e, CURLOPT_PRIVATE, r) == CURLE_OK;
    ok &= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->error_text) == CURLE_OK;
    ok &= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
    ok &= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb) == CURLE_OK;
    ok &= curl_easy_setopt(e, CURLOPT_WRITEDATA, r) == CURLE_OK;
    ok &= curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb) == CURLE_OK;
    ok &= curl_easy_setopt(e, CURLOPT_HEADERDATA, r) == CURLE_OK;
    ok &= curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "") == CURLE_OK;
    ok &= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
    if (req->timeout_ms)
        ok &= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)req->timeout_ms) ==
              CURLE_OK;
    if (req->is_following_redirects) {
        ok &= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L) == CURLE_OK;
        ok &= curl_easy_setopt(e, CURLOPT_MAXREDIRS,
                               (long)HTTP_MAX_REDIRECTS) == CURLE_OK;
        ok &= curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") ==
              CURLE_OK;
    }
    if (strcmp(method, "HEAD") == 0)
        ok &= curl_easy_setopt(e, CURLOPT_NOBODY, 1L) == CURLE_OK;
    else if (strcmp(method, "GET") != 0)
        ok &= curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method) == CURLE_OK;
    if (req->body_path) {
        ok &= setup_body_file(r) == 0;
    } else if (req->form_path) {
        ok &= setup_form(r, req) == 0;
    } else if (req->body_size > 0 || strcmp(method, "POST") == 0) {
        ok &= curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                               (curl_off_t)req->body_size) == CURLE_OK;
        ok &= curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS,
                               req->body_size ? req->body : "") == CURLE_OK;
    }
    /* No "Expect: 100-continue" round trip before large bodies. */
    r->headers = curl_slist_append(r->headers, "Expect:");
    for (size_t i = 0; req->headers && req->headers[i]; i++)
        r->headers = curl_slist_append(r->headers, req->headers[i]);
    if (!r->headers)
        return -ENOMEM;
    ok &= curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers) == CURLE_OK;
    return ok ? 0 : -EINVAL;
}

int http_send(struct http *http, const struct http_request *req,
              http_done_cb cb, void *arg, uint64_t *id)
{
    struct http_req *r;
    int rc;

    if (!req->url || !req->url[0])
        return -EINVAL;
    r = xcalloc(1, sizeof(*r));
    r->http = http;
    r->cb = cb;
    r->arg = arg;
    r->download_fd = -1;
    r->max_bytes = req->max_response_bytes ? req->max_response_bytes
                                           : HTTP_DEFAULT_MAX_RESPONSE_BYTES;
    buf_init(&r->body, r->max_bytes);
    buf_init(&r->header_lines, HTTP_MAX_HEADER_BYTES);
    list_append(&http->requests, &r->link);
    http->pending++;
    r->easy = curl_easy_init();
    if (!r->easy) {
        rc = -ENOMEM;
        goto fail;
    }
    if (req->download_path) {
        r->download_fd = open(req->download_path,
                              O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (r->download_fd < 0) {
            rc = -errno;
            goto fail;
        }
    }
    if (req->body_path || req->form_path) {
        const char *path = req->body_path ? req->body_path : req->form_path;

        /* Read now, so a missing file fails here and not mid-transfer. */
        r->upload = fopen(path, "rbe");
        if (!r->upload) {
            rc = -errno;
            goto fail;
        }
        if (!req->body_path) {
            fclose(r->upload);
            r->upload = NULL;
        }
    }
    rc = setup_easy(r, req);
    if (rc < 0)
        goto fail;
    if (curl_multi_add_handle(http->multi, r->easy) != CURLM_OK) {
        rc = -EIO;
        goto fail;
    }
    r->id = http->next_id++;
    *id = r->id;
    return 0;
fail:
    req_free(r);
    return rc;
}

void http_cancel(struct http *http, uint64_t id)
{
    struct list *pos;

    list_for_each(pos, &http->requests) {
        struct http_req *r = list_entry(pos, struct http_req, link);

        if (r->id == id) {
            curl_multi_remove_handle(http->multi, r->easy);
            req_free(r);
            return;
        }
    }
}

size_t http_pending(const struct http *http)
{
    return http->pending;
}

const char *http_response_header(const struct http_response *resp,
                                 const char *name)
{
    const struct http_req *r =
        (const struct http_req *)(const void *)((const char *)resp -
                                                offsetof(struct http_req,
                                                         resp));
    const char *p = r->header_lines.data;
    const char *end = p + r->header_lines.len;
    size_t n = strlen(name);

    for (; p && p < end; p += strlen(p) + 1) {
        if (strncasecmp(p, name, n) != 0 || p[n] != ':')
            continue;
        const char *v = p + n + 1;

        while (*v == ' ' || *v == '\t')
            v++;
        return v;
    }
    return NULL;
}

int http_retry_after_ms(const struct http_response *resp, uint64_t *delay_ms)
{
    const char *v = http_response_header(resp, "retry-after-ms");
    char *end = NULL;

    if (v && *v >= '0' && *v <= '9') {
        double ms = strtod(v, &end);

        if (*end == '\0' && ms >= 0 && ms < 1e15) {
            *delay_ms = (uint64_t)ms;
            return 0;
        }
    }
    v = http_response_header(resp, "Retry-After");
    if (!v || !*v)
        return -ENOENT;
    if (*v >= '0' && *v <= '9') {
        unsigned long long secs = strtoull(v, &end, 10);

        if (*end != '\0' || secs > UINT64_MAX / 1000)
            return -ENOENT;
        *delay_ms = secs * 1000;
        return 0;
    }
    time_t when = curl_getdate(v, NULL);
    time_t now = time(NULL);
    if (when < 0)
        return -ENOENT;
    *delay_ms = when > now ? (uint64_t)(when - now) * 1000 : 0;
    return 0;
}

int http_new(struct loop *loop, struct http **out)
{
    struct http *http;

    /* Thread-safe and reference-counted since curl 7.84. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -EIO;
    http = xcalloc(1, sizeof(*http));
    http->loop = loop;
    http->next_id = 1;
    list_init(&http->requests);
    http->multi = curl_multi_init();
    if (!http->multi) {
        free(http);
        curl_global_cleanup();
        return -ENOMEM;
    }
    curl_multi_setopt(http->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(http->multi, CURLMOPT_SOCKETDATA, http);
    curl_multi_setopt(http->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(http->multi, CURLMOPT_TIMERDATA, http);
    *out = http;
    return 0;
}

void http_free(struct http *http)
{
    struct list *pos, *tmp;

    if (!http)
        return;
    list_for_each_safe(pos, tmp, &http->requests) {
        struct http_req *r = list_entry(pos, struct http_req, link);

        curl_multi_remove_handle(http->multi, r->easy);
        req_free(r);
    }
    curl_multi_cleanup(http->multi);
    if (http->timer_id)
        loop_timer_cancel(http->loop, http->timer_id);
    free(http);
    curl_global_cleanup();
}
