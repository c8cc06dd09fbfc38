/*
 * Unit tests for sending with retries (jobs/send.c): which failures are
 * retried, the backoff and Retry-After arithmetic, and real exchanges with
 * a small python3 server that fails on purpose. Every wait has a deadline.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/http.h"
#include "core/loop.h"
#include "core/mem.h"
#include "jobs/send.h"
#include "tests/check.h"

#define DEADLINE_MS 10000

/* /flaky/<n>/<code>: fails n times with code, then answers 200 "ok <n>". */
static const char server_py[] =
    "import http.server, sys\n"
    "seen = {}\n"
    "class H(http.server.BaseHTTPRequestHandler):\n"
    "    protocol_version = 'HTTP/1.1'\n"
    "    def log_message(self, *a): pass\n"
    "    def reply(self, code, body, headers=()):\n"
    "        self.send_response(code)\n"
    "        for k, v in headers: self.send_header(k, v)\n"
    "        self.send_header('Content-Length', str(len(body)))\n"
    "        self.end_headers()\n"
    "        self.wfile.write(body)\n"
    "    def do_GET(self):\n"
    "        parts = self.path.split('/')\n"
    "        seen[self.path] = seen.get(self.path, 0) + 1\n"
    "        n = seen[self.path]\n"
    "        if parts[1] == 'flaky' and n <= int(parts[2]):\n"
    "            h = [('retry-after-ms', parts[4])] if len(parts) > 4 else []\n"
    "            self.reply(int(parts[3]), b'{\"error\":\"busy %d\"}' % n, h)\n"
    "        elif parts[1] == 'stall' and n <= int(parts[2]):\n"
    "            import time; time.sleep(int(parts[3]))\n"
    "            self.reply(200, b'late %d' % n)\n"
    "        elif parts[1] == 'drop' and n <= int(parts[2]):\n"
    "            self.close_connection = True\n"
    "            self.connection.shutdown(2)\n"
    "        else: self.reply(200, b'ok %d' % n)\n"
    "    do_POST = do_GET\n"
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
    int done;
    struct {
        int error;
        long status;
        char body[128];
        unsigned attempts;
        uint64_t at_ms;
    } res[8];
} t;

static bool server_start(void)
{
    int fds[2];
    char line[32] = "";
    size_t len = 0;
    uint64_t end;

    if (pipe(fds) < 0)
        return false;
    t.pid = fork();
    if (t.pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execlp("python3", "python3", "-c", server_py, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    end = loop_now_ms() + DEADLINE_MS;
    while (len < sizeof(line) - 1 && !strchr(line, '\n')) {
        struct pollfd p = { .fd = fds[0], .events = POLLIN };
        uint64_t now = loop_now_ms();
        ssize_t n;

        if (now >= end || poll(&p, 1, (int)(end - now)) <= 0)
            break;
        n = read(fds[0], line + len, sizeof(line) - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        line[len] = '\0';
    }
    close(fds[0]);
    t.port = atoi(line);
    return t.port > 0;
}

static void done_cb(void *arg, const struct send_result *r)
{
    long i = (long)arg;

    t.res[i].error = r->error;
    t.res[i].status = r->status;
    t.res[i].attempts = r->attempts;
    t.res[i].at_ms = loop_now_ms();
    snprintf(t.res[i].body, sizeof(t.res[i].body), "%s", r->body);
    t.done++;
}

static void check_cb(struct loop *loop, void *arg)
{
    int *want = arg;

    if (t.done >= *want)
        loop_stop(loop);
    else
        (void)loop_timer_add(loop, 5, check_cb, arg);
}

static void deadline_cb(struct loop *loop, void *arg)
{
    (void)arg;
    fprintf(stderr, "deadline reached\n");
    loop_stop(loop);
}

static bool run_until(int want)
{
    uint64_t dog = loop_timer_add(t.loop, DEADLINE_MS, deadline_cb, NULL);

    (void)loop_timer_add(t.loop, 5, check_cb, &want);
    loop_run(t.loop);
    loop_timer_cancel(t.loop, dog);
    return t.done >= want;
}

static void start(const char *path, const struct send_policy *pol, long i)
{
    struct provider_http req = { .method = "GET" };
    struct send *s;

    req.url = xasprintf("http://127.0.0.1:%d%s", t.port, path);
    CHECK_INT_EQ(provider_http_add_header(&req, "Authorization", "Bearer k"),
                 0);
    CHECK_INT_EQ(
        send_start(t.http, t.loop, pol, &req, NULL, done_cb, (void *)i, &s), 0);
    CHECK(req.url == NULL); /* taken */
}

static void which_failures_are_retried(void)
{
    CHECK(send_is_retryable(0, 408));
    CHECK(send_is_retryable(0, 409));
    CHECK(send_is_retryable(0, 429));
    CHECK(send_is_retryable(0, 500));
    CHECK(send_is_retryable(0, 503));
    CHECK(!send_is_retryable(0, 200));
    CHECK(!send_is_retryable(0, 400));
    CHECK(!send_is_retryable(0, 401));
    CHECK(!send_is_retryable(0, 404));
    CHECK(send_is_retryable(-ECONNRESET, 0));
    CHECK(send_is_retryable(-ECONNREFUSED, 0));
    CHECK(send_is_retryable(-ETIMEDOUT, 0));
    CHECK(!send_is_retryable(-EFBIG, 0));
    CHECK(!send_is_retryable(-EPROTO, 0));
}

static void backoff_and_retry_after(void)
{
    struct send_policy p = { 0 };
    uint64_t top = UINT64_MAX;

    /* Full jitter: [0, min(cap, base * 2^(n-1))]. */
    CHECK_INT_EQ(send_backoff_ms(&p, 1, false, 0, 0), 0);
    CHECK_INT_EQ(send_backoff_ms(&p, 1, false, 0, 1000), 1000);
    CHECK_INT_EQ(send_backoff_ms(&p, 1, false, 0, 1001), 0);
    CHECK_INT_EQ(send_backoff_ms(&p, 2, false, 0, 2000), 2000);
    CHECK_INT_EQ(send_backoff_ms(&p, 3, false, 0, 4000), 4000);
    CHECK(send_backoff_ms(&p, 3, false, 0, top) <= 4000);
    /* The cap: 60 s however many failures. */
    CHECK_INT_EQ(send_backoff_ms(&p, 7, false, 0, 60000), 60000);
    CHECK_INT_EQ(send_backoff_ms(&p, 40, false, 0, 60000), 60000);
    CHECK(send_backoff_ms(&p, 200, false, 0, top) <= 60000);
    /* Retry-After wins, whatever the jitter. */
    CHECK_INT_EQ(send_backoff_ms(&p, 1, true, 7000, 5), 7000);
    CHECK_INT_EQ(send_backoff_ms(&p, 5, true, 0, 5), 0);
    /* … up to ten minutes. */
    CHECK_INT_EQ(send_backoff_ms(&p, 1, true, 86400000, 5), 600000);
    p.base_ms = 10;
    p.cap_ms = 25;
    CHECK_INT_EQ(send_backoff_ms(&p, 2, false, 0, 20), 20);
    CHECK_INT_EQ(send_backoff_ms(&p, 3, false, 0, 25), 25);
    CHECK(send_backoff_ms(&p, 9, false, 0, top) <= 25);
    setenv("I2VFS_RETRY_BASE_MS", "3", 1);
    p.base_ms = 0;
    send_policy_from_env(&p);
    CHECK_INT_EQ(p.base_ms, 3);
    unsetenv("I2VFS_RETRY_BASE_MS");
}

static void retries_until_it_works_or_gives_up(void)
{
    struct send_policy fast = { .max_attempts = 5, .base_ms = 5 };
    struct send_policy three = { .max_attempts = 3, .base_ms = 5 };
    uint64_t t0;

    memset(&t, 0, sizeof(t));
    CHECK_INT_EQ(loop_new(&t.loop), 0);
    CHECK_INT_EQ(http_new(t.loop, &t.http), 0);
    CHECK(server_start());
    if (t.port <= 0)
        goto out;
    t0 = loop_now_ms();
    start("/flaky/2/503", &fast, 0);
    start("/flaky/9/429", &three, 1);
    start("/flaky/9/401", &fast, 2);
    start("/drop/1", &fast, 3);
    start("/flaky/1/429/300", &fast, 4);
    CHECK(run_until(5));
    /* Two 503s, then the answer. */
    CHECK_INT_EQ(t.res[0].status, 200);
    CHECK_STR_EQ(t.res[0].body, "ok 3");
    CHECK_INT_EQ(t.res[0].attempts, 3);
    /* Gives up after three, handing over the last reply to quote. */
    CHECK_INT_EQ(t.res[1].status, 429);
    CHECK_STR_EQ(t.res[1].body, "{\"error\":\"busy 3\"}");
    CHECK_INT_EQ(t.res[1].attempts, 3);
    /* 401 is final at once. */
    CHECK_INT_EQ(t.res[2].status, 401);
    CHECK_INT_EQ(t.res[2].attempts, 1);
    /* A dropped connection is retried. */
    CHECK_INT_EQ(t.res[3].error, 0);
    CHECK_STR_EQ(t.res[3].body, "ok 2");
    /* retry-after-ms: 300 was waited for, not the 5 ms backoff. */
    CHECK_INT_EQ(t.res[4].status, 200);
    CHECK(t.res[4].at_ms - t0 >= 290);
out:
    if (t.pid > 0) {
        kill(t.pid, SIGTERM);
        waitpid(t.pid, NULL, 0);
    }
    http_free(t.http);
    loop_free(t.loop);
}

/*
 * A server that accepts and then says nothing cannot hold a job: the
 * attempt times out and is retried (I2VFS_HTTP_TIMEOUT_MS sets the limit).
 */
static void a_stalled_attempt_times_out(void)
{
    struct send_policy pol = { .max_attempts = 3, .base_ms = 5 };
    struct send_policy dflt = { 0 };
    uint64_t t0;

    setenv("I2VFS_HTTP_TIMEOUT_MS", "400", 1);
    send_policy_from_env(&pol);
    unsetenv("I2VFS_HTTP_TIMEOUT_MS");
    CHECK_INT_EQ(pol.timeout_ms, 400);
    send_policy_from_env(&dflt);
    CHECK_INT_EQ(dflt.timeout_ms, 0); /* the 60 s default */
    memset(&t, 0, sizeof(t));
    CHECK_INT_EQ(loop_new(&t.loop), 0);
    CHECK_INT_EQ(http_new(t.loop, &t.http), 0);
    CHECK(server_start());
    if (t.port <= 0)
        goto out;
    t0 = loop_now_ms();
    start("/stall/1/5", &pol, 0);
    CHECK(run_until(1));
    /* The first attempt gave up at 400 ms; the second was answered. */
    CHECK_INT_EQ(t.res[0].error, 0);
    CHECK_INT_EQ(t.res[0].status, 200);
    CHECK_STR_EQ(t.res[0].body, "ok 2");
    CHECK_INT_EQ(t.res[0].attempts, 2);
    CHECK(t.res[0].at_ms - t0 >= 390);
    CHECK(t.res[0].at_ms - t0 < 4000);
out:
    if (t.pid > 0) {
        kill(t.pid, SIGTERM);
        waitpid(t.pid, NULL, 0);
    }
    http_free(t.http);
    loop_free(t.loop);
}

static void cancel_stops_the_callback(void)
{
    struct send_policy pol = { .max_attempts = 5, .base_ms = 5 };
    struct provider_http req = { .method = "GET" };
    struct send *s = NULL;

    memset(&t, 0, sizeof(t));
    CHECK_INT_EQ(loop_new(&t.loop), 0);
    CHECK_INT_EQ(http_new(t.loop, &t.http), 0);
    req.url = xstrdup("http://127.0.0.1:9/never");
    CHECK_INT_EQ(
        send_start(t.http, t.loop, &pol, &req, NULL, done_cb, (void *)0L, &s),
        0);
    send_cancel(s);
    CHECK_INT_EQ(http_pending(t.http), 0);
    /* A request that cannot start fails at once, with no callback. */
    req.method = "PUT";
    req.url = xstrdup("http://127.0.0.1:9/x");
    req.body_file = xstrdup("/nonexistent/file");
    CHECK_INT_EQ(
        send_start(t.http, t.loop, &pol, &req, NULL, done_cb, (void *)0L, &s),
        -ENOENT);
    CHECK_INT_EQ(t.done, 0);
    http_free(t.http);
    loop_free(t.loop);
}

CHECK_MAIN(CHECK_CASE(which_failures_are_retried),
           CHECK_CASE(backoff_and_retry_after),
           CHECK_CASE(retries_until_it_works_or_gives_up),
           CHECK_CASE(a_stalled_attempt_times_out),
           CHECK_CASE(cancel_stops_the_callback))
