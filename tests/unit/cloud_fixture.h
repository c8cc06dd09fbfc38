/*
 * Helpers of the in-process cloud engine tests (test_cloud*.c): the fake
 * servers of tests/fake/ (started by the start_fakes case, stopped by
 * stop_fakes), an engine rig on a temporary folder, and waits with
 * deadlines.
 */
#ifndef TESTS_UNIT_CLOUD_FIXTURE_H
#define TESTS_UNIT_CLOUD_FIXTURE_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/loop.h"
#include "core/mem.h"
#include "jobs/engine.h"
#include "jobs/publish.h"
#include "jobs/record.h"
#include "providers/catalog.h"
#include "providers/config.h"
#include "tests/check.h"

#define KLING   "gateway/klingai/kling-v2.6-i2v"
#define WAN     "gateway/alibaba/wan-v2.6-i2v"
#define WAIT_MS 30000
#define KEY     "gw-test-SECRET-key"
#define TOKEN   "vercel_blob_rw_test-SECRET"
#define KREA    "krea/kling/kling-2.5"
#define KREAKEY "krea-test-SECRET-key"

extern const char catalog_json[];

struct fake {
    pid_t pid;
    int port;
};

struct rig {
    char *store;
    struct catalog *cat;
    struct publisher *pub;
    struct config *config;
    struct engine *engine;
    pthread_t thread;
    bool running;
};

static struct fake gateway, blob, krea;

static inline long now_ms(void)
{
    return (long)loop_now_ms();
}

static inline void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

/* Starts tests/fake/run.py api and reads its "PORT <n>" line. */
static inline bool fake_start(struct fake *f, const char *api, const char *key)
{
    int fds[2];
    char line[64] = "";
    size_t len = 0;
    long end = now_ms() + WAIT_MS;

    if (pipe(fds) < 0)
        return false;
    f->pid = fork();
    if (f->pid == 0) {
        /* Dies with the test, even when the test aborts. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        int null = open("/dev/null", O_WRONLY);

        /* The fake's noise (clients that hang up) stays out of the log. */
        if (null >= 0)
            dup2(null, 2);
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execlp("python3", "python3", "tests/fake/run.py", api, "--key", key,
               (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    while (len < sizeof(line) - 1 && !strchr(line, '\n')) {
        struct pollfd p = { .fd = fds[0], .events = POLLIN };
        long left = end - now_ms();
        ssize_t n;

        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            break;
        n = read(fds[0], line + len, sizeof(line) - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        line[len] = '\0';
    }
    close(fds[0]);
    f->port = strncmp(line, "PORT ", 5) == 0 ? atoi(line + 5) : 0;
    if (f->port <= 0)
        fprintf(stderr, "the %s fake did not start\n", api);
    return f->port > 0;
}

static inline void fake_stop(struct fake *f)
{
    if (f->pid > 0) {
        kill(f->pid, SIGTERM);
        waitpid(f->pid, NULL, 0);
    }
    f->pid = 0;
}

/* Runs curl against the fake's control API; the reply (caller frees). */
static inline char *control(const struct fake *f, const char *method,
                            const char *path, const char *json)
{
    char *cmd = xasprintf("curl -s -m 10 -X %s -H 'Content-Type: "
                          "application/json' --data-binary '%s' "
                          "http://127.0.0.1:%d/_fake/%s",
                          method, json ? json : "", f->port, path);
    FILE *p = popen(cmd, "r");
    char *out = xcalloc(1, 1 << 20);
    size_t n = p ? fread(out, 1, (1 << 20) - 1, p) : 0;

    out[n] = '\0';
    if (p)
        pclose(p);
    free(cmd);
    return out;
}

/* The fake's recorded requests whose path contains part. */
static inline int count_requests(const struct fake *f, const char *method,
                                 const char *part, cJSON **last)
{
    char *text = control(f, "GET", "requests", NULL);
    cJSON *list = cJSON_Parse(text), *it;
    int n = 0;

    if (last)
        *last = NULL;
    cJSON_ArrayForEach(it, list)
    {
        const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(it, "method"));
        const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(it, "path"));

        if (m && p && strcmp(m, method) == 0 && strstr(p, part)) {
            n++;
            if (last) {
                cJSON_Delete(*last);
                *last = cJSON_Duplicate(it, true);
            }
        }
    }
    cJSON_Delete(list);
    free(text);
    return n;
}

static inline struct catalog *catalog_all(void)
{
    cJSON *root = cJSON_Parse(catalog_json), *it;
    struct catalog *cat = NULL;
    char *text, *err = NULL;

    cJSON_ArrayForEach(it, cJSON_GetObjectItem(root, "models"))
    {
        cJSON_DeleteItemFromObject(it, "enabled"); /* enabled by default */
    }
    text = cJSON_PrintUnformatted(root);
    if (catalog_new_from_text(text, &cat, &err) < 0) {
        fprintf(stderr, "catalog: %s\n", err);
        abort();
    }
    free(text);
    cJSON_Delete(root);
    return cat;
}

static inline void *engine_thread(void *arg)
{
    struct rig *rig = arg;

    engine_run(rig->engine);
    return NULL;
}

/* Points the providers at the fakes; with_key/with_token set the secrets. */
static inline void set_env(bool with_key, bool with_token)
{
    char url[64];

    setenv("HOME", "/nonexistent-i2vfs-test", 1);
    unsetenv("XDG_CONFIG_HOME");
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/v4/ai", gateway.port);
    setenv("I2VFS_GATEWAY_URL", url, 1);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", blob.port);
    setenv("I2VFS_BLOB_URL", url, 1);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", krea.port);
    setenv("I2VFS_KREA_URL", url, 1);
    setenv("KREA_API_KEY", KREAKEY, 1);
    setenv("I2VFS_POLL_MS", "20", 1);
    setenv("I2VFS_RETRY_BASE_MS", "5", 1);
    if (with_key)
        setenv("AI_GATEWAY_API_KEY", KEY, 1);
    else
        unsetenv("AI_GATEWAY_API_KEY");
    if (with_token)
        setenv("BLOB_READ_WRITE_TOKEN", TOKEN, 1);
    else
        unsetenv("BLOB_READ_WRITE_TOKEN");
}

static inline void rig_start(struct rig *rig)
{
    struct engine_config cfg = { 0 };
    char *err = NULL;

    if (config_load(NULL, &rig->config, &err) < 0) {
        fprintf(stderr, "config: %s\n", err);
        abort();
    }
    cfg.store_root = rig->store;
    cfg.catalog = rig->cat;
    cfg.publisher = rig->pub;
    cfg.quiet_ms = 20;
    cfg.render_workers = 1;
    cfg.cloud_config = rig->config;
    if (engine_new(&cfg, &rig->engine) < 0 ||
        pthread_create(&rig->thread, NULL, engine_thread, rig) != 0)
        abort();
    rig->running = true;
}

static inline void rig_stop(struct rig *rig)
{
    if (!rig->running)
        return;
    engine_stop(rig->engine);
    pthread_join(rig->thread, NULL);
    engine_free(rig->engine);
    publisher_flush(rig->pub);
    config_free(rig->config);
    rig->engine = NULL;
    rig->config = NULL;
    rig->running = false;
}

static inline void rig_setup(struct rig *rig, bool with_key, bool with_token)
{
    memset(rig, 0, sizeof(*rig));
    set_env(with_key, with_token);
    rig->store = xstrdup("/tmp/i2vfs-test-cloud.XXXXXX");
    rig->cat = catalog_all();
    if (!mkdtemp(rig->store) || publisher_new(rig->store, &rig->pub) < 0)
        abort();
    free(control(&gateway, "POST", "reset", "{}"));
    free(control(&blob, "POST", "reset", "{}"));
    free(control(&krea, "POST", "reset", "{}"));
    free(control(&gateway, "POST", "config", "{\"delay_polls\":1}"));
    rig_start(rig);
}

static inline void rig_teardown(struct rig *rig)
{
    char *cmd = xasprintf("rm -rf '%s'", rig->store);

    rig_stop(rig);
    publisher_free(rig->pub);
    catalog_free(rig->cat);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", rig->store);
    free(cmd);
    free(rig->store);
}

/* Writes text at store-relative rel, making its folder if needed. */
static inline void put(struct rig *rig, const char *rel, const char *text)
{
    char *path = fsutil_join(rig->store, rel);
    char *dir = xstrndup(path, (size_t)(strrchr(path, '/') - path));

    if (fsutil_mkdir_p(dir, 0755) < 0)
        abort();
    free(dir);
    if (fsutil_write_atomic(path, text, strlen(text)) < 0)
        abort();
    free(path);
}

/* A 640x360 PNG made with ffmpeg at store-relative rel, then announced. */
static inline void drop_image(struct rig *rig, const char *rel,
                              const char *color)
{
    char *path = fsutil_join(rig->store, rel);
    char *cmd = xasprintf("timeout 30 ffmpeg -loglevel error -y -f lavfi -i "
                          "'color=c=%s:size=640x360' -frames:v 1 '%s'",
                          color, path);

    if (system(cmd) != 0)
        abort();
    free(cmd);
    free(path);
    engine_notify(rig->engine, ENGINE_FILE_CHANGED, rel);
}

/* Waits until the record at rel is in state; 0 with rec, or -ETIMEDOUT. */
static inline int wait_state(struct rig *rig, const char *rel,
                             enum job_state state, struct record *rec)
{
    char *path = fsutil_join(rig->store, rel);
    long deadline = now_ms() + WAIT_MS;
    int rc = -ETIMEDOUT;

    record_init(rec);
    while (now_ms() < deadline) {
        char *err = NULL;

        record_release(rec);
        if (record_read_file(path, rec, &err) == 0 && rec->state == state) {
            rc = 0;
            break;
        }
        free(err);
        sleep_ms(10);
    }
    if (rc < 0)
        fprintf(stderr, "%s: never reached %s (last: %s %s)\n", rel,
                job_state_name(state), job_state_name(rec->state),
                rec->error_message ? rec->error_message : "");
    free(path);
    return rc;
}

static inline bool exists(struct rig *rig, const char *rel)
{
    char *path = fsutil_join(rig->store, rel);
    bool ok = access(path, F_OK) == 0;

    free(path);
    return ok;
}

static inline bool file_has(struct rig *rig, const char *rel,
                            const char *needle)
{
    char *path = fsutil_join(rig->store, rel), *data = NULL;
    size_t size = 0;
    bool found = false;

    if (fsutil_read_file(path, 1 << 20, &data, &size) == 0)
        found = strstr(data, needle) != NULL;
    free(data);
    free(path);
    return found;
}

static inline void start_fakes(void)
{
    CHECK(fake_start(&gateway, "gateway", KEY));
    CHECK(fake_start(&blob, "blob", TOKEN));
    CHECK(fake_start(&krea, "krea", KREAKEY));
}

static inline void stop_fakes(void)
{
    fake_stop(&gateway);
    fake_stop(&blob);
    fake_stop(&krea);
}

#endif
