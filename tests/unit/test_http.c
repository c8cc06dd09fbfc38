/*
 * Unit tests for the HTTP client (core/http.c) against a small python3
 * http.server the test starts on 127.0.0.1 with a port the OS picks. Every
 * wait has a deadline.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/http.h"
#include "core/loop.h"
#include "tests/check.h"

#define DEADLINE_MS 10000

/* The server: prints its port, then serves a few fixed routes. */
static const char server_py[] =
    "import http.server, sys, time\n"
    "class H(http.server.BaseHTTPRequestHandler):\n"
    "    protocol_version = 'HTTP/1.1'\n"
    "    def log_message(self, *a): pass\n"
    "    def reply(self, code, body, headers=()):\n"
    "        self.send_response(code)\n"
    "        for k, v in headers: self.send_header(k, v)\n"
    "        self.send_header('Content-Length', str(len(body)))\n"
    "        self.end_headers()\n"
    "        if self.command != 'HEAD': self.wfile.write(body)\n"
    "    def do_HEAD(self): self.do_GET()\n"
    "    def do_GET(self):\n"
    "        p = self.path\n"
    "        if p == '/hello': self.reply(200, b'hello world',\n"
    "                [('X-Test', 'yes  ')])\n"
    "        elif p == '/big': self.reply(200, b'x' * 100000)\n"
    "        elif p == '/retry': self.reply(429, b'{}', [('Retry-After', '7')])\n"
    "        elif p == '/retryms': self.reply(503, b'{}',\n"
    "                [('Retry-After', '9'), ('retry-after-ms', '250')])\n"
    "        elif p == '/slow':\n"
    "            time.sleep(3); self.reply(200, b'late')\n"
    "        elif p == '/redirect': self.reply(302, b'', [('Location', "
    "'/hello')])\n"
    "        elif p.startswith('/n/'): self.reply(200, p[3:].encode())\n"
    "        else: self.reply(404, b'no such thing')\n"
    "    def do_POST(self):\n"
    "        n = int(self.headers.get('Content-Length', 0))\n"
    "        body = self.rfile.read(n)\n"
    "        self.reply(201, body, [('X-Method', self.command),\n"
    "            ('X-Token', self.headers.get('X-Token', '')),\n"
    "            ('Content-Type', self.headers.get('Content-Type', ''))])\n"
    "    do_PUT = do_POST\n"
    "    do_DELETE = do_POST\n"
    "class S(http.server.ThreadingHTTPServer):\n"
    "    def handle_error(self, *a): pass\n"
    "s = S(('127.0.0.1', 0), H)\n"
    "s.daemon_threads = True\n"
    "print(s.server_address[1], flush=True)\n"
    "s.serve_forever()\n";

static struct {
    pid_t pid;
    int port;
    struct loop *loop;
    struct http *http;
    int done;       /* callbacks seen */
    int want_done;  /* stop the loop at this many */
    struct result { /* copies, since the response dies with the callback */
        uint64_t id;
        int error;
        long status;
        char body[256];
        size_t body_size;
        char header[64];
        char header2[64];
        char method[16];
        int retry_rc;
        uint64_t retry_ms;
        char error_text[256];
    } results[64];
} t;

/* Starts the server and reads its port, within the deadline. */
static bool server_start(void)
{
    int fds[2];
    char line[32] = "";
    size_t len = 0;

    if (pipe(fds) < 0)
        return false;
    t.pid = fork();
    if (t.pid < 0)
        return false;
    if (t.pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execlp("python3", "python3", "-c", server_py, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    uint64_t end = loop_now_ms() + DEADLINE_MS;
    while (len < sizeof(line) - 1 && !strchr(line, '\n')) {
        struct pollfd p = { .fd = fds[0], .events = POLLIN };
        uint64_t now = loop_now_ms();

        if (now >= end || poll(&p, 1, (int)(end - now)) <= 0)
            break;
        ssize_t n = read(fds[0], line + len, sizeof(line) - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        line[len] = '\0';
    }
    close(fds[0]);
    t.port = atoi(line);
    if (t.port <= 0)
        fprintf(stderr, "the test server did not start\n");
    return t.port > 0;
}

static void server_stop(void)
{
    if (t.pid > 0) {
        kill(t.pid, SIGTERM);
        waitpid(t.pid, NULL, 0);
        t.pid = 0;
    }
}

static void done_cb(void *arg, const struct http_response *resp)
{
    struct result *r = &t.results[(long)arg];
    const char *h;

    r->id = resp->id;
    r->error = resp->error;
    r->status = resp->status;
    r->body_size = resp->body_size;
    snprintf(r->body, sizeof(r->body), "%s", resp->body);
    snprintf(r->error_text, sizeof(r->error_text), "%s", resp->error_text);
    h = http_response_header(resp, "x-test");
    snprintf(r->header, sizeof(r->header), "%s", h ? h : "(none)");
    h = http_response_header(resp, "X-Token");
    snprintf(r->header2, sizeof(r->header2), "%s", h ? h : "(none)");
    h = http_response_header(resp, "X-Method");
    snprintf(r->method, sizeof(r->method), "%s", h ? h : "(none)");
    r->retry_rc = http_retry_after_ms(resp, &r->retry_ms);
    if (++t.done >= t.want_done)
        loop_stop(t.loop);
}

static void deadline_cb(struct loop *loop, void *arg)
{
    (void)arg;
    fprintf(stderr, "deadline reached\n");
    loop_stop(loop);
}

/* Runs the loop until want callbacks have come, or the deadline. */
static bool run_until(int want)
{
    uint64_t dog;

    t.want_done = want;
    if (t.done >= want)
        return true;
    dog = loop_timer_add(t.loop, DEADLINE_MS, deadline_cb, NULL);
    loop_run(t.loop);
    loop_timer_cancel(t.loop, dog);
    return t.done >= want;
}

static char *url(const char *path)
{
    static char buf[128];

    snprintf(buf, sizeof(buf), "http://127.0.0.1:%d%s", t.port, path);
    return buf;
}

static bool setup(void)
{
    memset(&t, 0, sizeof(t));
    if (loop_new(&t.loop) < 0)
        return false;
    if (http_new(t.loop, &t.http) < 0)
        return false;
    return server_start();
}

static void teardown(void)
{
    server_stop();
    http_free(t.http);
    loop_free(t.loop);
}

static void get_post_and_headers(void)
{
    const char *hdrs[] = { "X-Token: abc123", "Content-Type: application/json",
                           NULL };
    struct http_request get = { .url = NULL };
    struct http_request post = {
        .method = "POST", .headers = hdrs, .body = "{\"a\": 1}", .body_size = 8
    };
    uint64_t id1 = 0, id2 = 0, id3 = 0;

    CHECK(setup());
    if (t.port <= 0)
        goto out;
    CHECK_INT_EQ(http_send(t.http, &get, done_cb, (void *)0L, &id1), -EINVAL);
    get.url = url("/hello");
    CHECK_INT_EQ(http_send(t.http, &get, done_cb, (void *)0L, &id1), 0);
    post.url = url("/echo");
    CHECK_INT_EQ(http_send(t.http, &post, done_cb, (void *)1L, &id2), 0);
    get.url = url("/missing");
    CHECK_INT_EQ(http_send(t.http, &get, done_cb, (void *)2L, &id3), 0);
    CHECK(id1 != 0 && id2 != id1 && id3 != id2);
    post.method = "PUT";
    CHECK_INT_EQ(http_send(t.http, &post, done_cb, (void *)3L, &id3), 0);
    get.method = "HEAD";
    get.url = url("/hello");
    CHECK_INT_EQ(http_send(t.http, &get, done_cb, (void *)4L, &id3), 0);
    CHECK_INT_EQ(http_pending(t.http), 5);
    CHECK(run_until(5));
    CHECK_INT_EQ(http_pending(t.http), 0);

    CHECK_INT_EQ(t.results[0].id, id1);
    CHECK_INT_EQ(t.results[0].error, 0);
    CHECK_INT_EQ(t.results[0].status, 200);
    CHECK_STR_EQ(t.results[0].body, "hello world");
    CHECK_INT_EQ(t.results[0].body_size, 11);
    CHECK_STR_EQ(t.results[0].header, "yes");
    CHECK_STR_EQ(t.results[0].header2, "(none)");
    CHECK_INT_EQ(t.results[0].retry_rc, -ENOENT);

    CHECK_INT_EQ(t.results[1].status, 201);
    CHECK_STR_EQ(t.results[1].body, "{\"a\": 1}");
    CHECK_STR_EQ(t.results[1].header2, "abc123");
    CHECK_STR_EQ(t.results[1].method, "POST");
    CHECK_INT_EQ(t.results[3].status, 201);
    CHECK_STR_EQ(t.results[3].method, "PUT");
    CHECK_STR_EQ(t.results[3].body, "{\"a\": 1}");
    CHECK_INT_EQ(t.results[4].status, 200);
    CHECK_INT_EQ(t.results[4].body_size, 0);
    CHECK_STR_EQ(t.results[4].header, "yes");

    CHECK_INT_EQ(t.results[2].error, 0);
    CHECK_INT_EQ(t.results[2].status, 404);
    CHECK_STR_EQ(t.results[2].body, "no such thing");
out:
    teardown();
}

static void retry_after_and_redirects(void)
{
    struct http_request req = { .url = NULL };
    uint64_t id;

    CHECK(setup());
    if (t.port <= 0)
        goto out;
    req.url = url("/retry");
    CHECK_INT_EQ(http_send(t.http, &req, done_cb, (void *)0L, &id), 0);
    req.url = url("/redirect");
    CHECK_INT_EQ(http_send(t.http, &req, done_cb, (void *)1L, &id), 0);
    req.is_following_redirects = true;
    CHECK_INT_EQ(http_send(t.http, &req, done_cb, (void *)2L, &id), 0);
    CHECK(run_until(3));
    CHECK_INT_EQ(t.results[0].status, 429);
    CHECK_INT_EQ(t.results[0].retry_rc, 0);
    CHECK_INT_EQ(t.results[0].retry_ms, 7000);
    CHECK_INT_EQ(t.results[1].status, 302);
    CHECK_INT_EQ(t.results[2].status, 200);
    CHECK_STR_EQ(t.results[2].body, "hello world");
out:
    teardown();
}

static void caps_timeouts_and_refusals(void)
{
    struct http_request req = { .url = NULL };
    struct sockaddr_in sa = { .sin_family = AF_INET };
    socklen_t sl = sizeof(sa);
    int s, closed_port = 0;
    uint64_t id;

    CHECK(setup());
    if (t.port <= 0)
        goto out;
    req.url = url("/big");
    req.max_response_bytes = 1000;
    CHECK_INT_EQ(http_send(t.http, &req, done_cb, (void *)0L, &id), 0);
    req.max_response_bytes = 100000; /* exactly fits */
    CHECK_INT_EQ(http_send(t.http, &req, done_cb, (void *)1L, &id), 0);
    req.max_response_bytes = 0;
    req.url = url("/slow");
    req.timeout_ms = 200;
    CHECK_INT_EQ(http_send(t.http, &req, done_cb, (void *)2L, &id), 0);

    /* A port nobody listens on: bind one, read it, close it. */
    s = socket(AF_INET, SOCK_STREAM, 0);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
        getsockname(s, (struct sockaddr *)&sa, &sl) == 0)
        closed_port = ntohs(sa.sin_port);
    if (s >= 0)
        close(s);
    char refused[64];
    snprintf(refused, sizeof(refused), "http://127.0.0.1:%d/", closed_port);
    req.url = refused;
    req.timeout_ms = 5000;
    CHECK_INT_EQ(http_send(t.http, &req, done_cb, (void *)3L, &id), 0);

    uint64_t start = loop_now_ms();
    CHECK(run_until(4));
    CHECK(loop_now_ms() - start < 2500); /* the slow one did not hold us */
    CHECK_INT_EQ(t.results[0].error, -EFBIG);
    CHECK_STR_CONTAINS(t.results[0].error_text, "larger than 1000");
    CHECK_INT_EQ(t.results[1].error, 0);
    CHECK_INT_EQ(t.results[1].body_size, 100000);
    CHECK_INT_EQ(t.results[2].error, -ETIMEDOUT);
    CHECK(t.results[2].error_text[0] != '\0');
    CHECK_INT_EQ(t.results[3].error, -ECONNREFUSED);
    CHECK_INT_EQ(t.results[3].status, 0);
out:
    teardown();
}

static void many_at_once_and_cancel(void)
{
    struct http_request req = { .url = NULL };
    uint64_t slow_id = 0, id;
    char path[32];
    bool all_match = true;

    CHECK(setup());
    if (t.port <= 0)
        goto out;
    req.url = url("/slow");
    CHECK_INT_EQ(http_send(t.http, &req, done_cb, (void *)63L, &slow_id), 0);
    for (long i = 0; i < 40; i++) {
        snprintf(path, sizeof(path), "/n/%ld", i);
        req.url = url(path);
        CHECK_INT_EQ(http_send(t.http, &req, done_cb, (void *)i, &id), 0);
    }
    http_cancel(t.http, slow_id);
    http_cancel(t.http, 999999); /* unknown: ignored */
    CHECK_INT_EQ(http_pending(t.http), 40);
    CHECK(run_until(40));
    for (long i = 0; i < 40; i++) {
        snprintf(path, sizeof(path), "%ld", i);
        if (t.results[i].status != 200 || strcmp(t.results[i].body, path))
            all_match = false;
    }
    CHECK(all_match);
    CHECK_INT_EQ(t.results[63].status, 0); /* the cancelled one never ran */
    CHECK_INT_EQ(t.done, 40);
out:
    teardown();
}

static void download_to_file(void)
{
    char dir[] = "/tmp/i2vfs-test-http.XXXXXX";
    char file[64];
    struct http_request req = { .url = NULL };
    struct stat st;
    uint64_t id;

    CHECK(mkdtemp(dir) != NULL);
    snprintf(file, sizeof(file), "%s/big.bin", dir);
    CHECK(setup());
    if (t.port <= 0)
        goto out;
    req.url = url("/big");
    req.download_path = file;
    req.max_response_bytes = 200000;
    CHECK_INT_EQ(http_send(t.http, &req, done_cb, (void *)0L, &id), 0);
    CHECK(run_until(1));
    CHECK_INT_EQ(t.results[0].error, 0);
    CHECK_INT_EQ(t.results[0].status, 200);
    CHECK_INT_EQ(t.results[0].body_size, 100000);
    CHECK_STR_EQ(t.results[0].body, "");
    CHECK_INT_EQ(stat(file, &st), 0);
    CHECK_INT_EQ(st.st_size, 100000);
out:
    teardown();
    unlink(file);
    rmdir(dir);
}

static void file_and_multipart_bodies(void)
{
    char path[] = "/tmp/test_http_body.XXXXXX";
    int fd = mkstemp(path);
    struct http_request put = { .method = "PUT", .body_path = path };
    struct http_request form = { .method = "POST",
                                 .form_path = path,
                                 .form_field = "file",
                                 .form_mime = "image/png" };
    struct http_request missing = { .method = "PUT",
                                    .body_path = "/nonexistent/x" };
    struct http_request retry = { .url = NULL };
    uint64_t id;

    CHECK(fd >= 0);
    CHECK_INT_EQ(write(fd, "PNGBYTES", 8), 8);
    close(fd);
    CHECK(setup());
    if (t.port <= 0)
        goto out;
    put.url = url("/put");
    form.url = url("/form");
    missing.url = url("/put");
    retry.url = url("/retryms");
    CHECK_INT_EQ(http_send(t.http, &missing, done_cb, (void *)0L, &id),
                 -ENOENT);
    CHECK_INT_EQ(http_send(t.http, &put, done_cb, (void *)0L, &id), 0);
    CHECK_INT_EQ(http_send(t.http, &form, done_cb, (void *)1L, &id), 0);
    CHECK_INT_EQ(http_send(t.http, &retry, done_cb, (void *)2L, &id), 0);
    CHECK(run_until(3));
    CHECK_STR_EQ(t.results[0].method, "PUT");
    CHECK_STR_EQ(t.results[0].body, "PNGBYTES");
    CHECK_STR_EQ(t.results[1].method, "POST");
    CHECK_STR_CONTAINS(t.results[1].body, "name=\"file\"");
    CHECK_STR_CONTAINS(t.results[1].body, "Content-Type: image/png");
    CHECK_STR_CONTAINS(t.results[1].body, "PNGBYTES");
    /* retry-after-ms wins over Retry-After. */
    CHECK_INT_EQ(t.results[2].status, 503);
    CHECK_INT_EQ(t.results[2].retry_rc, 0);
    CHECK_INT_EQ(t.results[2].retry_ms, 250);
out:
    unlink(path);
    teardown();
}

CHECK_MAIN(CHECK_CASE(get_post_and_headers),
           CHECK_CASE(file_and_multipart_bodies),
           CHECK_CASE(retry_after_and_redirects),
           CHECK_CASE(caps_timeouts_and_refusals),
           CHECK_CASE(many_at_once_and_cancel), CHECK_CASE(download_to_file))
