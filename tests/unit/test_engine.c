/*
 * The whole engine in-process on a temporary store (no FUSE): the real
 * catalog, the real local renderer, the publisher without a mount. Events
 * come from this thread, the engine runs on a second one.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/mem.h"
#include "jobs/engine.h"
#include "jobs/publish.h"
#include "jobs/record.h"
#include "providers/catalog.h"
#include "tests/check.h"

#define KB      "local/kenburns"
#define TINY    "{\"duration\":1,\"fps\":6,\"resolution\":\"160x90\"}"
#define WAIT_MS 60000

struct rig {
    char *store;
    struct catalog *cat;
    struct publisher *pub;
    struct engine *engine;
    pthread_t thread;
    bool running;
};

static void *engine_thread(void *arg)
{
    struct rig *rig = arg;

    engine_run(rig->engine);
    return NULL;
}

static void rig_start(struct rig *rig)
{
    struct engine_config cfg = { 0 };

    cfg.store_root = rig->store;
    cfg.catalog = rig->cat;
    cfg.publisher = rig->pub;
    cfg.quiet_ms = 30;
    cfg.render_workers = 1;
    if (engine_new(&cfg, &rig->engine) < 0)
        abort();
    if (pthread_create(&rig->thread, NULL, engine_thread, rig) != 0)
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
    rig->engine = NULL;
    publisher_flush(rig->pub);
    rig->running = false;
}

static void rig_setup(struct rig *rig)
{
    char *err = NULL;

    memset(rig, 0, sizeof(*rig));
    rig->store = xstrdup("/tmp/i2vfs-test-engine.XXXXXX");
    if (!mkdtemp(rig->store) || catalog_new(&rig->cat, &err) < 0 ||
        publisher_new(rig->store, &rig->pub) < 0) {
        fprintf(stderr, "setup failed: %s\n", err ? err : "");
        abort();
    }
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

static void put(struct rig *rig, const char *rel, const char *text)
{
    char *path = fsutil_join(rig->store, rel);

    if (fsutil_write_atomic(path, text, strlen(text)) < 0)
        abort();
    free(path);
}

/* Makes a small PNG with the ffmpeg CLI at store-relative rel. */
static void make_image(struct rig *rig, const char *rel, const char *color)
{
    char *path = fsutil_join(rig->store, rel);
    char *cmd = xasprintf("timeout 30 ffmpeg -loglevel error -y -f lavfi -i "
                          "'testsrc=size=320x180:rate=1,drawbox=c=%s:t=20' "
                          "-frames:v 1 '%s'",
                          color, path);

    if (system(cmd) != 0) {
        fprintf(stderr, "cannot make %s\n", path);
        abort();
    }
    free(cmd);
    free(path);
}

static void copy_file(struct rig *rig, const char *from, const char *to)
{
    char *a = fsutil_join(rig->store, from), *b = fsutil_join(rig->store, to);
    char *cmd = xasprintf("cp '%s' '%s'", a, b);

    if (system(cmd) != 0)
        abort();
    free(cmd);
    free(a);
    free(b);
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/*
 * Polls the record store-relative rel until its state is state, up to
 * WAIT_MS. Returns 0 with rec filled (release it), or -ETIMEDOUT.
 */
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
        sleep_ms(20);
    }
    if (rc < 0)
        fprintf(stderr, "%s: never reached state %s (last: %s)\n", rel,
                job_state_name(state), job_state_name(rec->state));
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

static void an_image_becomes_a_video_with_its_record(void)
{
    struct rig rig;
    struct record rec;
    char sha[HASH_HEX_LEN + 1], *path;
    struct stat st;

    rig_setup(&rig);
    put(&rig, KB "/request.json", TINY);
    make_image(&rig, KB "/photo.png", "red");
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/request.json");
    engine_notify(rig.engine, ENGINE_FILE_BUSY, KB "/photo.png");
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/photo.png");
    CHECK_INT_EQ(wait_state(&rig, KB "/out/photo.json", JOB_SUCCEEDED, &rec),
                 0);
    CHECK(exists(&rig, KB "/out/photo.mp4"));
    CHECK_STR_EQ(rec.model, KB);
    CHECK_STR_EQ(rec.image_name, "photo.png");
    path = fsutil_join(rig.store, KB "/photo.png");
    CHECK_INT_EQ(hash_sha256_file(path, sha), 0);
    free(path);
    CHECK_STR_EQ(rec.image_sha256, sha);
    CHECK_INT_EQ(strlen(rec.key), HASH_HEX_LEN);
    CHECK_STR_EQ(rec.provider_name, "local");
    CHECK_INT_EQ(rec.attempts, 1);
    CHECK_INT_EQ(rec.progress, 100);
    CHECK(rec.created_at > 0 && rec.started_at >= rec.created_at &&
          rec.finished_at >= rec.started_at);
    CHECK(rec.has_output);
    CHECK_STR_EQ(rec.output.file, "photo.mp4");
    CHECK_INT_EQ(rec.output.width, 160);
    CHECK_INT_EQ(rec.output.height, 90);
    CHECK_INT_EQ(rec.output.frames, 6);
    CHECK_DBL_NEAR(rec.output.duration_s, 1.0, 0.2);
    CHECK_STR_EQ(rec.output.codec, "h264");
    CHECK_STR_EQ(rec.output.pix_fmt, "yuv420p");
    path = fsutil_join(rig.store, KB "/out/photo.mp4");
    CHECK(stat(path, &st) == 0 && st.st_size == rec.output.bytes);
    CHECK_INT_EQ(hash_sha256_file(path, sha), 0);
    CHECK_STR_EQ(rec.output.sha256, sha);
    free(path);
    /* The request as recorded is the effective one, defaults included. */
    CHECK(cJSON_IsNumber(cJSON_GetObjectItem(rec.request, "fps")));
    record_release(&rec);
    rig_teardown(&rig);
}

static void an_invalid_request_gives_a_failed_record(void)
{
    struct rig rig;
    struct record rec;

    rig_setup(&rig);
    put(&rig, KB "/request.json", "{\"duration\": 99}");
    make_image(&rig, KB "/photo.png", "blue");
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/photo.png");
    CHECK_INT_EQ(wait_state(&rig, KB "/out/photo.json", JOB_FAILED, &rec), 0);
    CHECK_STR_EQ(rec.error_code, "invalid_request");
    CHECK_STR_CONTAINS(rec.error_message, "duration");
    CHECK(!exists(&rig, KB "/out/photo.mp4"));
    record_release(&rec);

    /* Fixing request.json restarts the failed job. */
    put(&rig, KB "/request.json", TINY);
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/request.json");
    CHECK_INT_EQ(wait_state(&rig, KB "/out/photo.json", JOB_SUCCEEDED, &rec),
                 0);
    CHECK(exists(&rig, KB "/out/photo.mp4"));
    record_release(&rec);
    rig_teardown(&rig);
}

static void the_same_image_twice_is_rendered_once(void)
{
    struct rig rig;
    struct record a, b, c;

    rig_setup(&rig);
    put(&rig, KB "/request.json", TINY);
    make_image(&rig, KB "/one.png", "green");
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/one.png");
    CHECK_INT_EQ(wait_state(&rig, KB "/out/one.json", JOB_SUCCEEDED, &a), 0);
    CHECK(a.copied_from == NULL);

    /* Later, under another name: copied, not rendered. */
    copy_file(&rig, KB "/one.png", KB "/two.png");
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/two.png");
    CHECK_INT_EQ(wait_state(&rig, KB "/out/two.json", JOB_SUCCEEDED, &b), 0);
    CHECK_STR_EQ(b.copied_from, KB "/out/one.mp4");
    CHECK_STR_EQ(b.key, a.key);
    CHECK_STR_EQ(b.output.sha256, a.output.sha256);
    CHECK_STR_EQ(b.output.file, "two.mp4");
    CHECK(exists(&rig, KB "/out/two.mp4"));

    /* Both at once: one renders, the other waits and copies. */
    make_image(&rig, KB "/three.png", "yellow");
    copy_file(&rig, KB "/three.png", KB "/four.png");
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/three.png");
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/four.png");
    record_release(&a);
    record_release(&b);
    CHECK_INT_EQ(wait_state(&rig, KB "/out/three.json", JOB_SUCCEEDED, &a), 0);
    CHECK_INT_EQ(wait_state(&rig, KB "/out/four.json", JOB_SUCCEEDED, &b), 0);
    CHECK((a.copied_from == NULL) != (b.copied_from == NULL));
    CHECK_STR_EQ(a.output.sha256, b.output.sha256);

    /* Touching a finished image again changes nothing. */
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/one.png");
    CHECK_INT_EQ(wait_state(&rig, KB "/out/one.json", JOB_SUCCEEDED, &c), 0);
    CHECK_INT_EQ(c.attempts, 1);
    record_release(&a);
    record_release(&b);
    record_release(&c);
    rig_teardown(&rig);
}

static void deleting_the_record_lets_the_image_run_again(void)
{
    struct rig rig;
    struct record rec;
    char *path;

    rig_setup(&rig);
    put(&rig, KB "/request.json", TINY);
    make_image(&rig, KB "/photo.png", "white");
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/photo.png");
    CHECK_INT_EQ(wait_state(&rig, KB "/out/photo.json", JOB_SUCCEEDED, &rec),
                 0);
    record_release(&rec);
    path = fsutil_join(rig.store, KB "/out/photo.json");
    CHECK_INT_EQ(unlink(path), 0);
    free(path);
    path = fsutil_join(rig.store, KB "/out/photo.mp4");
    CHECK_INT_EQ(unlink(path), 0);
    free(path);
    engine_notify(rig.engine, ENGINE_FILE_GONE, KB "/out/photo.json");
    engine_notify(rig.engine, ENGINE_FILE_GONE, KB "/out/photo.mp4");
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/photo.png");
    CHECK_INT_EQ(wait_state(&rig, KB "/out/photo.json", JOB_SUCCEEDED, &rec),
                 0);
    CHECK(rec.copied_from == NULL);
    CHECK(exists(&rig, KB "/out/photo.mp4"));
    record_release(&rec);
    rig_teardown(&rig);
}

static void a_job_waits_for_its_asset(void)
{
    struct rig rig;
    struct record rec;

    rig_setup(&rig);
    put(&rig, KB "/request.json",
        "{\"duration\":1,\"fps\":6,\"resolution\":\"160x90\","
        "\"providerOptions\":{\"local\":{\"imageTail\":\"end.png\"}}}");
    make_image(&rig, KB "/photo.png", "red");
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/photo.png");
    CHECK_INT_EQ(wait_state(&rig, KB "/out/photo.json", JOB_WAITING, &rec), 0);
    CHECK_STR_EQ(rec.waiting_for, "end.png");
    record_release(&rec);
    /* It keeps waiting across a restart. */
    rig_stop(&rig);
    rig_start(&rig);
    make_image(&rig, KB "/end.png", "blue");
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/end.png");
    CHECK_INT_EQ(wait_state(&rig, KB "/out/photo.json", JOB_SUCCEEDED, &rec),
                 0);
    /* The asset is not a job of its own. */
    CHECK(!exists(&rig, KB "/out/end.json"));
    record_release(&rec);
    rig_teardown(&rig);
}

static void deleting_a_rendering_image_cancels_its_job(void)
{
    struct rig rig;
    struct record rec;
    char *path;

    rig_setup(&rig);
    put(&rig, KB "/request.json",
        "{\"duration\":15,\"fps\":30,\"resolution\":\"1280x720\"}");
    make_image(&rig, KB "/long.png", "red");
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/long.png");
    CHECK_INT_EQ(wait_state(&rig, KB "/out/long.json", JOB_RUNNING, &rec), 0);
    record_release(&rec);
    path = fsutil_join(rig.store, KB "/long.png");
    CHECK_INT_EQ(unlink(path), 0);
    free(path);
    engine_notify(rig.engine, ENGINE_FILE_GONE, KB "/long.png");
    CHECK_INT_EQ(wait_state(&rig, KB "/out/long.json", JOB_CANCELED, &rec), 0);
    CHECK_STR_CONTAINS(rec.message, "long.png");
    CHECK(!exists(&rig, KB "/out/long.mp4"));
    record_release(&rec);
    rig_teardown(&rig);
}

static void a_killed_render_resumes_and_finishes_once(void)
{
    struct rig rig;
    struct record rec;
    char *path, *text, *stale;

    rig_setup(&rig);
    put(&rig, KB "/request.json", TINY);
    make_image(&rig, KB "/photo.png", "red");
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/photo.png");
    CHECK_INT_EQ(wait_state(&rig, KB "/out/photo.json", JOB_SUCCEEDED, &rec),
                 0);
    rig_stop(&rig);

    /* What a kill mid-render leaves: a running record, no video, and a
     * half-written file in staging. */
    rec.state = JOB_RUNNING;
    rec.progress = 40;
    rec.has_output = false;
    text = record_to_json(&rec);
    put(&rig, KB "/out/photo.json", text);
    free(text);
    record_release(&rec);
    path = fsutil_join(rig.store, KB "/out/photo.mp4");
    CHECK_INT_EQ(unlink(path), 0);
    free(path);
    stale = fsutil_join(publisher_staging_dir(rig.pub), "job-1-1-1-1.mp4");
    put(&rig, stale + strlen(rig.store) + 1, "half a video");

    rig_start(&rig);
    CHECK_INT_EQ(wait_state(&rig, KB "/out/photo.json", JOB_SUCCEEDED, &rec),
                 0);
    CHECK_INT_EQ(rec.attempts, 2);
    CHECK(exists(&rig, KB "/out/photo.mp4"));
    CHECK(access(stale, F_OK) != 0);
    record_release(&rec);

    /* Another start finds it done: nothing runs again. */
    rig_stop(&rig);
    rig_start(&rig);
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/photo.png");
    CHECK_INT_EQ(wait_state(&rig, KB "/out/photo.json", JOB_SUCCEEDED, &rec),
                 0);
    CHECK_INT_EQ(rec.attempts, 2);
    record_release(&rec);
    free(stale);
    rig_teardown(&rig);
}

static void a_job_file_renders_under_its_own_name(void)
{
    struct rig rig;
    struct record rec;

    rig_setup(&rig);
    make_image(&rig, KB "/first.png", "green");
    put(&rig, KB "/clip.json",
        "{\"prompt\":{\"text\":\"zoom in\",\"image\":\"first.png\"},"
        "\"duration\":1,\"fps\":6,\"resolution\":\"160x90\"}");
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/first.png");
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/clip.json");
    CHECK_INT_EQ(wait_state(&rig, KB "/out/clip.json", JOB_SUCCEEDED, &rec), 0);
    CHECK_STR_EQ(rec.image_name, "first.png");
    CHECK(exists(&rig, KB "/out/clip.mp4"));
    CHECK(!exists(&rig, KB "/out/first.json"));
    record_release(&rec);

    /* Settings written before their image wait for it, then apply. */
    put(&rig, KB "/later.json",
        "{\"fps\":4,\"duration\":1,\"resolution\":\"160x90\"}");
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/later.json");
    CHECK_INT_EQ(wait_state(&rig, KB "/out/later.json", JOB_WAITING, &rec), 0);
    record_release(&rec);
    make_image(&rig, KB "/later.png", "blue");
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/later.png");
    CHECK_INT_EQ(wait_state(&rig, KB "/out/later.json", JOB_SUCCEEDED, &rec),
                 0);
    CHECK_STR_EQ(rec.source, "later.png");
    CHECK_INT_EQ(rec.output.frames, 4);
    record_release(&rec);
    rig_teardown(&rig);
}

static void new_content_replaces_the_results(void)
{
    struct rig rig;
    struct record a, b;
    long deadline;

    rig_setup(&rig);
    put(&rig, KB "/request.json", TINY);
    make_image(&rig, KB "/photo.png", "red");
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/photo.png");
    CHECK_INT_EQ(wait_state(&rig, KB "/out/photo.json", JOB_SUCCEEDED, &a), 0);
    make_image(&rig, KB "/photo.png", "blue");
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/photo.png");
    /* Succeeded again, for the new bytes. */
    deadline = now_ms() + WAIT_MS;
    record_init(&b);
    while (now_ms() < deadline) {
        record_release(&b);
        CHECK_INT_EQ(wait_state(&rig, KB "/out/photo.json", JOB_SUCCEEDED, &b),
                     0);
        if (strcmp(b.key, a.key) != 0)
            break;
        sleep_ms(20);
    }
    CHECK(strcmp(b.key, a.key) != 0);
    CHECK(strcmp(b.image_sha256, a.image_sha256) != 0);
    CHECK(strcmp(b.output.sha256, a.output.sha256) != 0);
    CHECK_INT_EQ(b.attempts, 1);
    record_release(&a);
    record_release(&b);
    rig_teardown(&rig);
}

static void two_images_with_one_stem_clash_clearly(void)
{
    struct rig rig;
    struct record a, b;

    rig_setup(&rig);
    put(&rig, KB "/request.json", TINY);
    make_image(&rig, KB "/photo.jpg", "red");
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/photo.jpg");
    CHECK_INT_EQ(wait_state(&rig, KB "/out/photo.json", JOB_SUCCEEDED, &a), 0);
    make_image(&rig, KB "/photo.png", "blue");
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/photo.png");
    CHECK_INT_EQ(wait_state(&rig, KB "/out/photo.png.json", JOB_FAILED, &b), 0);
    CHECK_STR_EQ(b.error_code, "name_clash");
    CHECK_STR_CONTAINS(b.error_message, "out/photo.mp4");
    record_release(&b);
    /* The first image's record is untouched. */
    CHECK_INT_EQ(wait_state(&rig, KB "/out/photo.json", JOB_SUCCEEDED, &b), 0);
    CHECK_STR_EQ(b.image_name, "photo.jpg");
    CHECK_STR_EQ(b.key, a.key);
    record_release(&a);
    record_release(&b);
    rig_teardown(&rig);
}

static void missed_events_are_found_by_a_rescan(void)
{
    struct rig rig;
    struct record rec;
    char *dir;

    rig_setup(&rig);
    put(&rig, KB "/request.json", TINY);
    /* A folder moved in whole: one event for the folder, none for files. */
    dir = fsutil_join(rig.store, KB "/trip/day1");
    CHECK_INT_EQ(fsutil_mkdir_p(dir, 0755), 0);
    free(dir);
    make_image(&rig, KB "/trip/day1/beach.png", "yellow");
    engine_notify(rig.engine, ENGINE_DIR_CHANGED, KB "/trip");
    CHECK_INT_EQ(
        wait_state(&rig, KB "/trip/day1/out/beach.json", JOB_SUCCEEDED, &rec),
        0);
    record_release(&rec);
    /* inotify overflowed: nothing was reported at all. */
    make_image(&rig, KB "/lost.png", "green");
    engine_rescan(rig.engine);
    CHECK_INT_EQ(wait_state(&rig, KB "/out/lost.json", JOB_SUCCEEDED, &rec), 0);
    record_release(&rec);
    rig_teardown(&rig);
}

/*
 * Writing request.json runs the folder's images, but not one a writer still
 * has open (cp of a large file): it would be read half written.
 */
static void an_image_being_written_waits_for_its_writer(void)
{
    struct rig rig;
    struct record rec;

    rig_setup(&rig);
    make_image(&rig, KB "/big.png", "red");
    engine_notify(rig.engine, ENGINE_FILE_BUSY, KB "/big.png");
    make_image(&rig, KB "/done.png", "green");
    put(&rig, KB "/request.json", TINY);
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/request.json");
    /* The rescan ran once done.png has its job. */
    CHECK_INT_EQ(wait_state(&rig, KB "/out/done.json", JOB_SUCCEEDED, &rec), 0);
    record_release(&rec);
    CHECK(!exists(&rig, KB "/out/big.json"));
    /* The writer closes the file: now it runs. */
    engine_notify(rig.engine, ENGINE_FILE_CHANGED, KB "/big.png");
    CHECK_INT_EQ(wait_state(&rig, KB "/out/big.json", JOB_SUCCEEDED, &rec), 0);
    record_release(&rec);
    rig_teardown(&rig);
}

CHECK_MAIN(CHECK_CASE(an_image_becomes_a_video_with_its_record),
           CHECK_CASE(an_invalid_request_gives_a_failed_record),
           CHECK_CASE(the_same_image_twice_is_rendered_once),
           CHECK_CASE(deleting_the_record_lets_the_image_run_again),
           CHECK_CASE(a_job_waits_for_its_asset),
           CHECK_CASE(a_job_file_renders_under_its_own_name),
           CHECK_CASE(new_content_replaces_the_results),
           CHECK_CASE(missed_events_are_found_by_a_rescan),
           CHECK_CASE(an_image_being_written_waits_for_its_writer),
           CHECK_CASE(two_images_with_one_stem_clash_clearly),
           CHECK_CASE(deleting_a_rendering_image_cancels_its_job),
           CHECK_CASE(a_killed_render_resumes_and_finishes_once))
