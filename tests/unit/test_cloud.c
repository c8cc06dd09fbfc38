/*
 * The cloud path of the engine in-process (no FUSE) against the fake
 * servers of tests/fake/ (python3): the real gateway and blob providers,
 * the real catalog with its cloud models enabled, the publisher without a
 * mount. Checks what a user sees (records, out/) and what the fake got.
 * Every wait has a deadline.
 */
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

static long now_ms(void)
{
    return (long)loop_now_ms();
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

/* Starts tests/fake/run.py api and reads its "PORT <n>" line. */
static bool fake_start(struct fake *f, const char *api, const char *key)
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

static void fake_stop(struct fake *f)
{
    if (f->pid > 0) {
        kill(f->pid, SIGTERM);
        waitpid(f->pid, NULL, 0);
    }
    f->pid = 0;
}

/* Runs curl against the fake's control API; the reply (caller frees). */
static char *control(const struct fake *f, const char *method, const char *path,
                     const char *json)
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
static int count_requests(const struct fake *f, const char *method,
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

static struct catalog *catalog_all(void)
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

static void *engine_thread(void *arg)
{
    struct rig *rig = arg;

    engine_run(rig->engine);
    return NULL;
}

/* Points the providers at the fakes; with_key/with_token set the secrets. */
static void set_env(bool with_key, bool with_token)
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

static void rig_start(struct rig *rig)
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

static void rig_stop(struct rig *rig)
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

static void rig_setup(struct rig *rig, bool with_key, bool with_token)
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

static void rig_teardown(struct rig *rig)
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
static void put(struct rig *rig, const char *rel, const char *text)
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
static void drop_image(struct rig *rig, const char *rel, const char *color)
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
static int wait_state(struct rig *rig, const char *rel, enum job_state state,
                      struct record *rec)
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

static bool exists(struct rig *rig, const char *rel)
{
    char *path = fsutil_join(rig->store, rel);
    bool ok = access(path, F_OK) == 0;

    free(path);
    return ok;
}

static bool file_has(struct rig *rig, const char *rel, const char *needle)
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

static void start_fakes(void)
{
    CHECK(fake_start(&gateway, "gateway", KEY));
    CHECK(fake_start(&blob, "blob", TOKEN));
    CHECK(fake_start(&krea, "krea", KREAKEY));
}

static void an_image_through_the_gateway_ends_in_out(void)
{
    struct rig rig;
    struct record rec;
    cJSON *start = NULL, *hdrs;
    const char *idem;

    rig_setup(&rig, true, false);
    put(&rig, KLING "/request.json", "{\"prompt\":\"a cat\",\"duration\":5}");
    drop_image(&rig, KLING "/cat.png", "red");
    CHECK_INT_EQ(wait_state(&rig, KLING "/out/cat.json", JOB_SUCCEEDED, &rec),
                 0);
    CHECK(exists(&rig, KLING "/out/cat.mp4"));
    CHECK_INT_EQ(rec.output.width, 160);
    CHECK_STR_EQ(rec.provider_name, "gateway");
    CHECK(rec.provider_task_id != NULL);
    CHECK(rec.idempotency_key &&
          strncmp(rec.idempotency_key, "i2vfs_", 6) == 0);
    /* One submit, with the job's idempotency key and the first frame inline. */
    CHECK_INT_EQ(count_requests(&gateway, "POST", "/video-model/start", &start),
                 1);
    hdrs = cJSON_GetObjectItem(start, "headers");
    idem = cJSON_GetStringValue(cJSON_GetObjectItem(hdrs, "idempotency-key"));
    CHECK(idem && rec.idempotency_key &&
          strcmp(idem, rec.idempotency_key) == 0);
    CHECK(count_requests(&gateway, "POST", "/video-model/status", NULL) >= 1);
    /* The key never reaches the record. */
    CHECK(!file_has(&rig, KLING "/out/cat.json", KEY));
    cJSON_Delete(start);
    record_release(&rec);
    rig_teardown(&rig);
}

static void no_key_fails_before_sending(void)
{
    struct rig rig;
    struct record rec;

    rig_setup(&rig, false, false);
    put(&rig, KLING "/request.json", "{\"prompt\":\"a cat\"}");
    drop_image(&rig, KLING "/cat.png", "blue");
    CHECK_INT_EQ(wait_state(&rig, KLING "/out/cat.json", JOB_FAILED, &rec), 0);
    CHECK_STR_EQ(rec.error_code, "missing_key");
    CHECK_STR_CONTAINS(rec.error_message, "AI_GATEWAY_API_KEY");
    CHECK_INT_EQ(count_requests(&gateway, "POST", "/video-model", NULL), 0);
    record_release(&rec);
    rig_teardown(&rig);
}

static void retries_keep_the_idempotency_key(void)
{
    struct rig rig;
    struct record rec;
    char *text = NULL;

    rig_setup(&rig, true, false);
    free(control(&gateway, "POST", "faults",
                 "[{\"method\":\"POST\",\"path\":\"/v4/ai/video-model/start\","
                 "\"times\":1,\"status\":429,\"retry_after\":0},"
                 "{\"method\":\"POST\",\"path\":\"/v4/ai/video-model/status\","
                 "\"times\":1,\"status\":503}]"));
    put(&rig, KLING "/request.json", "{\"prompt\":\"a dog\"}");
    drop_image(&rig, KLING "/dog.png", "green");
    CHECK_INT_EQ(wait_state(&rig, KLING "/out/dog.json", JOB_SUCCEEDED, &rec),
                 0);
    text = control(&gateway, "GET", "requests", NULL);
    CHECK_INT_EQ(count_requests(&gateway, "POST", "/video-model/start", NULL),
                 2);
    CHECK(rec.idempotency_key && strstr(text, rec.idempotency_key));
    free(text);
    record_release(&rec);
    rig_teardown(&rig);
}

static void a_failed_task_quotes_the_provider(void)
{
    struct rig rig;
    struct record rec;

    rig_setup(&rig, true, false);
    free(control(&gateway, "POST", "faults",
                 "[{\"method\":\"POST\",\"path\":\"/v4/ai/video-model/start\","
                 "\"times\":1,\"fault\":\"task_failed\",\"message\":"
                 "\"content policy violation\"}]"));
    put(&rig, KLING "/request.json", "{\"prompt\":\"a fox\"}");
    drop_image(&rig, KLING "/fox.png", "yellow");
    CHECK_INT_EQ(wait_state(&rig, KLING "/out/fox.json", JOB_FAILED, &rec), 0);
    CHECK_STR_CONTAINS(rec.error_message, "content policy violation");
    CHECK(!exists(&rig, KLING "/out/fox.mp4"));
    record_release(&rec);
    /* An HTTP error is quoted too: 401 with a wrong key. */
    rig_stop(&rig);
    setenv("AI_GATEWAY_API_KEY", "wrong", 1);
    rig_start(&rig);
    drop_image(&rig, KLING "/owl.png", "white");
    CHECK_INT_EQ(wait_state(&rig, KLING "/out/owl.json", JOB_FAILED, &rec), 0);
    CHECK(rec.error_message && rec.error_message[0]);
    fprintf(stderr, "401 reads: %s\n", rec.error_message);
    record_release(&rec);
    rig_teardown(&rig);
}

static void url_only_models_upload_to_blob_once(void)
{
    struct rig rig;
    struct record rec;
    cJSON *start = NULL;
    char *body;

    /* No token: the record says what to set, nothing is sent. */
    rig_setup(&rig, true, false);
    put(&rig, WAN "/request.json", "{\"prompt\":\"waves\"}");
    drop_image(&rig, WAN "/sea.png", "navy");
    CHECK_INT_EQ(wait_state(&rig, WAN "/out/sea.json", JOB_FAILED, &rec), 0);
    CHECK_STR_CONTAINS(rec.error_message, "set BLOB_READ_WRITE_TOKEN");
    CHECK_INT_EQ(count_requests(&gateway, "POST", "/video-model", NULL), 0);
    record_release(&rec);
    rig_teardown(&rig);

    /* With one: uploaded once, the URL sent, the upload reused. */
    rig_setup(&rig, true, true);
    put(&rig, WAN "/request.json", "{\"prompt\":\"waves\"}");
    drop_image(&rig, WAN "/sea.png", "navy");
    CHECK_INT_EQ(wait_state(&rig, WAN "/out/sea.json", JOB_SUCCEEDED, &rec), 0);
    record_release(&rec);
    CHECK_INT_EQ(count_requests(&blob, "PUT", "", NULL), 1);
    CHECK_INT_EQ(count_requests(&gateway, "POST", "/video-model/start", &start),
                 1);
    body = cJSON_PrintUnformatted(cJSON_GetObjectItem(start, "body"));
    CHECK_STR_CONTAINS(body, "\"type\":\"url\"");
    free(body);
    cJSON_Delete(start);
    /* The same bytes under another name, after a restart. */
    rig_stop(&rig);
    rig_start(&rig);
    put(&rig, WAN "/b/request.json", "{\"prompt\":\"more waves\"}");
    {
        char *a = fsutil_join(rig.store, WAN "/sea.png");
        char *b = fsutil_join(rig.store, WAN "/b/sea2.png");
        char *cmd = xasprintf("cp '%s' '%s'", a, b);

        CHECK_INT_EQ(system(cmd), 0);
        free(cmd);
        free(a);
        free(b);
    }
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, WAN "/b/sea2.png");
    CHECK_INT_EQ(wait_state(&rig, WAN "/b/out/sea2.json", JOB_SUCCEEDED, &rec),
                 0);
    record_release(&rec);
    CHECK_INT_EQ(count_requests(&blob, "PUT", "", NULL), 1);
    rig_teardown(&rig);
}

static void a_restart_resumes_polling_without_resubmitting(void)
{
    struct rig rig;
    struct record rec;
    char *idem;

    rig_setup(&rig, true, false);
    free(control(&gateway, "POST", "config", "{\"delay_polls\":100}"));
    put(&rig, KLING "/request.json", "{\"prompt\":\"a slow cat\"}");
    drop_image(&rig, KLING "/slow.png", "purple");
    CHECK_INT_EQ(wait_state(&rig, KLING "/out/slow.json", JOB_RUNNING, &rec),
                 0);
    CHECK(rec.provider_status && rec.provider_status[0]);
    idem = rec.idempotency_key ? xstrdup(rec.idempotency_key) : NULL;
    record_release(&rec);
    rig_stop(&rig);
    free(control(&gateway, "POST", "config", "{\"delay_polls\":0}"));
    rig_start(&rig);
    CHECK_INT_EQ(wait_state(&rig, KLING "/out/slow.json", JOB_SUCCEEDED, &rec),
                 0);
    CHECK(exists(&rig, KLING "/out/slow.mp4"));
    CHECK_INT_EQ(count_requests(&gateway, "POST", "/video-model/start", NULL),
                 1);
    /* The run's idempotency key survived the restart. */
    CHECK(idem && rec.idempotency_key &&
          strcmp(idem, rec.idempotency_key) == 0);
    free(idem);
    record_release(&rec);
    rig_teardown(&rig);
}

/* Stopped while downloading: the restart polls once and downloads again. */
static void a_restart_mid_download_downloads_again(void)
{
    struct rig rig;
    struct record rec;

    rig_setup(&rig, true, false);
    free(control(&gateway, "POST", "faults",
                 "[{\"method\":\"GET\",\"path\":\"/files/\",\"times\":1,"
                 "\"fault\":\"slow\",\"seconds\":5}]"));
    put(&rig, KLING "/request.json", "{\"prompt\":\"a slow download\"}");
    drop_image(&rig, KLING "/dl.png", "pink");
    CHECK_INT_EQ(wait_state(&rig, KLING "/out/dl.json", JOB_DOWNLOADING, &rec),
                 0);
    record_release(&rec);
    rig_stop(&rig);
    CHECK(!exists(&rig, KLING "/out/dl.mp4"));
    rig_start(&rig);
    CHECK_INT_EQ(wait_state(&rig, KLING "/out/dl.json", JOB_SUCCEEDED, &rec),
                 0);
    CHECK(exists(&rig, KLING "/out/dl.mp4"));
    CHECK_INT_EQ(count_requests(&gateway, "POST", "/video-model/start", NULL),
                 1);
    CHECK_INT_EQ(count_requests(&gateway, "GET", "/files/", NULL), 2);
    record_release(&rec);
    rig_teardown(&rig);
}

static void timeout_and_cancel(void)
{
    struct rig rig;
    struct record rec;

    rig_setup(&rig, true, false);
    free(control(&gateway, "POST", "config", "{\"delay_polls\":100000}"));
    put(&rig, KLING "/request.json",
        "{\"prompt\":\"never\",\"providerOptions\":{\"klingai\":"
        "{\"pollTimeoutMs\":1000}}}");
    drop_image(&rig, KLING "/late.png", "gray");
    CHECK_INT_EQ(wait_state(&rig, KLING "/out/late.json", JOB_FAILED, &rec), 0);
    CHECK_STR_EQ(rec.error_code, "timeout");
    CHECK_STR_CONTAINS(rec.error_message, "did not finish within");
    record_release(&rec);
    /* Deleting the image cancels a running job. */
    put(&rig, KLING "/c/request.json", "{\"prompt\":\"gone\"}");
    drop_image(&rig, KLING "/c/gone.png", "black");
    CHECK_INT_EQ(wait_state(&rig, KLING "/c/out/gone.json", JOB_RUNNING, &rec),
                 0);
    record_release(&rec);
    {
        char *path = fsutil_join(rig.store, KLING "/c/gone.png");

        unlink(path);
        free(path);
    }
    engine_notify(rig.engine, ENGINE_FILE_GONE, KLING "/c/gone.png");
    CHECK_INT_EQ(wait_state(&rig, KLING "/c/out/gone.json", JOB_CANCELED, &rec),
                 0);
    record_release(&rec);
    rig_teardown(&rig);
}

static void a_broken_video_is_downloaded_again(void)
{
    struct rig rig;
    struct record rec;

    rig_setup(&rig, true, false);
    free(control(&gateway, "POST", "faults",
                 "[{\"method\":\"GET\",\"path\":\"/files/\",\"times\":1,"
                 "\"fault\":\"corrupt\"}]"));
    put(&rig, KLING "/request.json", "{\"prompt\":\"a bird\"}");
    drop_image(&rig, KLING "/bird.png", "orange");
    CHECK_INT_EQ(wait_state(&rig, KLING "/out/bird.json", JOB_SUCCEEDED, &rec),
                 0);
    CHECK_INT_EQ(count_requests(&gateway, "GET", "/files/", NULL), 2);
    record_release(&rec);
    /* Twice broken: failed, saying so. */
    free(control(&gateway, "POST", "faults",
                 "[{\"method\":\"GET\",\"path\":\"/files/\",\"times\":2,"
                 "\"fault\":\"corrupt\"}]"));
    drop_image(&rig, KLING "/bat.png", "cyan");
    CHECK_INT_EQ(wait_state(&rig, KLING "/out/bat.json", JOB_FAILED, &rec), 0);
    CHECK_STR_CONTAINS(rec.error_message,
                       "the provider's video is not a playable MP4: the file "
                       "is ");
    CHECK(!exists(&rig, KLING "/out/bat.mp4"));
    record_release(&rec);
    rig_teardown(&rig);
}

/* With gateway.concurrency 1 in the config file, jobs run one by one. */
static void the_concurrency_limit_queues_jobs(void)
{
    struct rig rig;
    struct record a, b;
    static const char conf[] = "{\"gateway\":{\"concurrency\":1}}";
    char *dir = xstrdup("/tmp/i2vfs-test-config.XXXXXX"), *sub, *file;

    CHECK(mkdtemp(dir) != NULL);
    sub = xasprintf("%s/i2vfs", dir);
    file = xasprintf("%s/config.json", sub);
    CHECK_INT_EQ(mkdir(sub, 0700), 0);
    CHECK_INT_EQ(fsutil_write_atomic(file, conf, strlen(conf)), 0);
    CHECK_INT_EQ(chmod(file, 0600), 0);
    rig_setup(&rig, true, false);
    rig_stop(&rig);
    setenv("XDG_CONFIG_HOME", dir, 1);
    rig_start(&rig);
    free(control(&gateway, "POST", "config", "{\"delay_polls\":40}"));
    put(&rig, KLING "/request.json", "{\"prompt\":\"one by one\"}");
    drop_image(&rig, KLING "/one.png", "red");
    CHECK_INT_EQ(wait_state(&rig, KLING "/out/one.json", JOB_RUNNING, &a), 0);
    drop_image(&rig, KLING "/two.png", "blue");
    CHECK_INT_EQ(wait_state(&rig, KLING "/out/two.json", JOB_QUEUED, &b), 0);
    record_release(&b);
    record_release(&a);
    /* Still queued while the first one runs. */
    CHECK_INT_EQ(count_requests(&gateway, "POST", "/video-model/start", NULL),
                 1);
    CHECK_INT_EQ(wait_state(&rig, KLING "/out/one.json", JOB_SUCCEEDED, &a), 0);
    CHECK_INT_EQ(wait_state(&rig, KLING "/out/two.json", JOB_SUCCEEDED, &b), 0);
    CHECK(b.started_at >= a.finished_at - 1);
    record_release(&a);
    record_release(&b);
    rig_teardown(&rig);
    unsetenv("XDG_CONFIG_HOME");
    unlink(file);
    rmdir(sub);
    rmdir(dir);
    free(file);
    free(sub);
    free(dir);
}

/*
 * Stopped while Krea's reply to the submit is on its way: Krea has no
 * idempotency, so the restart submits again and the record says the job
 * may have run twice. The gateway resumes the same way without the note.
 */
static void a_lost_krea_submit_reply_is_recorded(void)
{
    struct rig rig;
    struct record rec;
    long deadline;

    rig_setup(&rig, true, false);
    free(control(&krea, "POST", "faults",
                 "[{\"method\":\"POST\",\"path\":\"/generate/\","
                 "\"times\":1,\"fault\":\"slow\",\"seconds\":3}]"));
    put(&rig, KREA "/request.json", "{\"prompt\":\"a lost reply\"}");
    drop_image(&rig, KREA "/lost.png", "olive");
    deadline = now_ms() + WAIT_MS;
    while (count_requests(&krea, "POST", "/generate/", NULL) < 1 &&
           now_ms() < deadline)
        sleep_ms(20);
    CHECK_INT_EQ(count_requests(&krea, "POST", "/generate/", NULL), 1);
    rig_stop(&rig);
    rig_start(&rig);
    CHECK_INT_EQ(wait_state(&rig, KREA "/out/lost.json", JOB_SUCCEEDED, &rec),
                 0);
    CHECK_INT_EQ(count_requests(&krea, "POST", "/generate/", NULL), 2);
    CHECK(rec.duplicate_risk != NULL);
    if (rec.duplicate_risk)
        CHECK_STR_CONTAINS(rec.duplicate_risk, "submitted twice");
    record_release(&rec);
    /* A run that ends normally leaves no note. */
    drop_image(&rig, KREA "/calm.png", "navy");
    CHECK_INT_EQ(wait_state(&rig, KREA "/out/calm.json", JOB_SUCCEEDED, &rec),
                 0);
    CHECK(rec.duplicate_risk == NULL);
    record_release(&rec);
    rig_teardown(&rig);
}

/*
 * Stopped after the submit left but before the record that holds its
 * idempotency key was out (here: that record is gone): the restart sends
 * the same key, so the gateway makes no second task.
 */
static void a_lost_record_keeps_the_submit_key(void)
{
    struct rig rig;
    struct record rec;
    cJSON *start = NULL, *list, *it;
    char *first = NULL, *path, *text;
    long deadline;
    int starts = 0;

    rig_setup(&rig, true, false);
    free(control(&gateway, "POST", "faults",
                 "[{\"method\":\"POST\",\"path\":\"*video-model/start\","
                 "\"times\":1,\"fault\":\"slow\",\"seconds\":3}]"));
    put(&rig, KLING "/request.json", "{\"prompt\":\"a lost record\"}");
    drop_image(&rig, KLING "/norec.png", "teal");
    deadline = now_ms() + WAIT_MS;
    while (count_requests(&gateway, "POST", "/video-model/start", &start) < 1 &&
           now_ms() < deadline)
        sleep_ms(20);
    if (start)
        first = xstrdup(cJSON_GetStringValue(cJSON_GetObjectItem(
            cJSON_GetObjectItem(start, "headers"), "idempotency-key")));
    cJSON_Delete(start);
    CHECK(first != NULL);
    rig_stop(&rig);
    path = fsutil_join(rig.store, KLING "/out/norec.json");
    CHECK_INT_EQ(unlink(path), 0);
    free(path);
    rig_start(&rig);
    CHECK_INT_EQ(wait_state(&rig, KLING "/out/norec.json", JOB_SUCCEEDED, &rec),
                 0);
    CHECK(first && rec.idempotency_key &&
          strcmp(first, rec.idempotency_key) == 0);
    /* Every start the gateway got carried that one key. */
    text = control(&gateway, "GET", "requests", NULL);
    list = cJSON_Parse(text);
    cJSON_ArrayForEach(it, list)
    {
        const char *key = cJSON_GetStringValue(cJSON_GetObjectItem(
            cJSON_GetObjectItem(it, "headers"), "idempotency-key"));

        if (key) {
            starts++;
            CHECK(first && strcmp(key, first) == 0);
        }
    }
    CHECK(starts >= 2);
    cJSON_Delete(list);
    free(text);
    free(first);
    record_release(&rec);
    rig_teardown(&rig);
}

static void stop_fakes(void)
{
    fake_stop(&gateway);
    fake_stop(&blob);
    fake_stop(&krea);
}

CHECK_MAIN(CHECK_CASE(start_fakes),
           CHECK_CASE(an_image_through_the_gateway_ends_in_out),
           CHECK_CASE(no_key_fails_before_sending),
           CHECK_CASE(retries_keep_the_idempotency_key),
           CHECK_CASE(a_failed_task_quotes_the_provider),
           CHECK_CASE(url_only_models_upload_to_blob_once),
           CHECK_CASE(a_restart_resumes_polling_without_resubmitting),
           CHECK_CASE(a_restart_mid_download_downloads_again),
           CHECK_CASE(timeout_and_cancel),
           CHECK_CASE(a_broken_video_is_downloaded_again),
           CHECK_CASE(the_concurrency_limit_queues_jobs),
           CHECK_CASE(a_lost_krea_submit_reply_is_recorded),
           CHECK_CASE(a_lost_record_keeps_the_submit_key),
           CHECK_CASE(stop_fakes))
