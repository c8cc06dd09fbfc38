/*
 * Unit tests for what a path means (jobs/trigger.c), with the real catalog
 * on a temporary store: image jobs, assets, junk, sidecars, job files of
 * their own, request.json rescans, same-stem clashes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/mem.h"
#include "jobs/trigger.h"
#include "providers/catalog.h"
#include "tests/check.h"

#define KB "local/kenburns"

static char *store;
static struct catalog *cat;
static struct trigger_ctx ctx;
static const struct catalog_model *kb;

static void rm_tree(const char *path)
{
    char *cmd = xasprintf("rm -rf '%s'", path);

    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", path);
    free(cmd);
}

/* A fresh store with the catalog; torn down by teardown(). */
static void setup(void)
{
    char *err = NULL, *dir;

    store = xstrdup("/tmp/i2vfs-test-trigger.XXXXXX");
    if (!mkdtemp(store))
        abort();
    if (catalog_new(&cat, &err) < 0) {
        fprintf(stderr, "catalog: %s\n", err);
        abort();
    }
    ctx.store_root = store;
    ctx.catalog = cat;
    kb = catalog_find(cat, KB, NULL);
    dir = fsutil_join(store, KB);
    fsutil_mkdir_p(dir, 0755);
    free(dir);
}

static void teardown(void)
{
    catalog_free(cat);
    rm_tree(store);
    free(store);
}

static void put(const char *rel, const char *text)
{
    char *path = fsutil_join(store, rel), *slash;

    slash = strrchr(path, '/');
    *slash = '\0';
    fsutil_mkdir_p(path, 0755);
    *slash = '/';
    if (fsutil_write_atomic(path, text, strlen(text)) < 0)
        abort();
    free(path);
}

static void del(const char *rel)
{
    char *path = fsutil_join(store, rel);

    unlink(path);
    free(path);
}

static enum trigger_kind kind_of(const char *rel)
{
    struct trigger_path tp;
    enum trigger_kind k;

    trigger_classify(&ctx, rel, &tp);
    k = tp.kind;
    trigger_path_release(&tp);
    return k;
}

static void junk_and_foreign_paths_are_ignored(void)
{
    setup();
    CHECK(kb != NULL);
    CHECK_INT_EQ(kind_of(KB "/.photo.jpg.swp"), TRIGGER_IGNORE);
    CHECK_INT_EQ(kind_of(KB "/photo.jpg~"), TRIGGER_IGNORE);
    CHECK_INT_EQ(kind_of(KB "/photo.jpg.part"), TRIGGER_IGNORE);
    CHECK_INT_EQ(kind_of(KB "/.photo.jpg.Xa3b9Q"), TRIGGER_IGNORE);
    CHECK_INT_EQ(kind_of(KB "/.hidden/a.jpg"), TRIGGER_IGNORE);
    CHECK_INT_EQ(kind_of(KB "/out/photo.mp4"), TRIGGER_IGNORE);
    CHECK_INT_EQ(kind_of(KB "/out/sub/photo.json"), TRIGGER_IGNORE);
    CHECK_INT_EQ(kind_of(KB "/request.example.json"), TRIGGER_IGNORE);
    CHECK_INT_EQ(kind_of("elsewhere/a.jpg"), TRIGGER_IGNORE);
    CHECK_INT_EQ(kind_of("local/a.jpg"), TRIGGER_IGNORE);
    CHECK_INT_EQ(kind_of(".i2vfs/staging/x.jpg"), TRIGGER_IGNORE);
    CHECK_INT_EQ(kind_of(KB), TRIGGER_IGNORE);
    CHECK_INT_EQ(kind_of(KB "/MODEL.md"), TRIGGER_OTHER);
    CHECK_INT_EQ(kind_of(KB "/request.json"), TRIGGER_REQUEST);
    CHECK_INT_EQ(kind_of(KB "/trip/photo.JPG"), TRIGGER_IMAGE);
    teardown();
}

/* A 251-byte stem: out/<stem>.json would not fit in a name. */
static void an_image_whose_record_cannot_be_named_is_not_a_job(void)
{
    char rel[400], stem[260];

    setup();
    memset(stem, 'a', 251);
    stem[251] = '\0';
    snprintf(rel, sizeof(rel), KB "/%s.png", stem);
    CHECK_INT_EQ(kind_of(rel), TRIGGER_OTHER);
    stem[250] = '\0';
    snprintf(rel, sizeof(rel), KB "/%s.png", stem);
    CHECK_INT_EQ(kind_of(rel), TRIGGER_IMAGE);
    teardown();
}

static void record_paths_name_their_job(void)
{
    struct trigger_path tp;

    setup();
    trigger_classify(&ctx, KB "/trip/out/photo.json", &tp);
    CHECK_INT_EQ(tp.kind, TRIGGER_RECORD);
    CHECK_STR_EQ(tp.dir_rel, KB "/trip");
    CHECK_STR_EQ(tp.stem, "photo");
    trigger_path_release(&tp);
    teardown();
}

static void an_image_is_a_job_with_a_key(void)
{
    struct trigger_plan plan;
    const cJSON *d;

    setup();
    put(KB "/photo.jpg", "not really a jpeg");
    trigger_plan(&ctx, kb, KB, "photo.jpg", NULL, &plan);
    CHECK_INT_EQ(plan.state, JOB_QUEUED);
    CHECK(!plan.is_asset);
    CHECK_INT_EQ(strlen(plan.key), HASH_HEX_LEN);
    CHECK_INT_EQ(strlen(plan.image_sha256), HASH_HEX_LEN);
    CHECK_STR_EQ(plan.image_name, "photo.jpg");
    CHECK_STR_CONTAINS(plan.image_path, "/" KB "/photo.jpg");
    /* The effective request starts from the model's defaults. */
    d = cJSON_GetObjectItemCaseSensitive(plan.request, "duration");
    CHECK(cJSON_IsNumber(d));
    trigger_plan_release(&plan);
    teardown();
}

/* link (store-relative) -> target, made with symlink(2). */
static void link_to(const char *target, const char *rel)
{
    char *path = fsutil_join(store, rel);

    CHECK_INT_EQ(symlink(target, path), 0);
    free(path);
}

/*
 * Watch mode's store is the user's folder: a link in it to a file (or a
 * folder) elsewhere is never read, hashed or uploaded; a link inside works.
 */
static void links_out_of_the_store_are_not_followed(void)
{
    struct trigger_plan plan;

    setup();
    put(KB "/in.jpg", "not really a jpeg");
    link_to("/etc/passwd", KB "/passwd.jpg");
    trigger_plan(&ctx, kb, KB, "passwd.jpg", NULL, &plan);
    CHECK_INT_EQ(plan.state, JOB_FAILED);
    CHECK_STR_EQ(plan.error_code, "unreadable_image");
    CHECK_STR_EQ(plan.error_message, "passwd.jpg leads out of the store (a "
                                     "symbolic link): i2vfs never follows a "
                                     "link out");
    CHECK_INT_EQ(plan.image_sha256[0], 0);
    trigger_plan_release(&plan);
    link_to("/etc", KB "/etc");
    trigger_plan(&ctx, kb, KB "/etc", "passwd", NULL, &plan);
    CHECK_INT_EQ(plan.state, JOB_FAILED);
    trigger_plan_release(&plan);
    /* An asset that leads out. */
    link_to("/etc/hostname", KB "/end.png");
    put(KB "/t/request.json", "{\"providerOptions\": {\"local\": "
                              "{\"imageTail\": \"end.png\"}}}");
    link_to("../end.png", KB "/t/end.png");
    put(KB "/t/a.jpg", "x");
    trigger_plan(&ctx, kb, KB "/t", "a.jpg", NULL, &plan);
    CHECK_INT_EQ(plan.state, JOB_FAILED);
    CHECK_STR_CONTAINS(plan.error_message, "end.png leads out of the store");
    trigger_plan_release(&plan);
    /* A request.json that leads out. */
    put(KB "/r/x.jpg", "x");
    link_to("/etc/passwd", KB "/r/request.json");
    trigger_plan(&ctx, kb, KB "/r", "x.jpg", NULL, &plan);
    CHECK_INT_EQ(plan.state, JOB_FAILED);
    CHECK_STR_EQ(plan.error_message, "r/request.json leads out of the store "
                                     "(a symbolic link): i2vfs never follows "
                                     "a link out");
    trigger_plan_release(&plan);
    /* A link that stays inside is a file like any other. */
    link_to("in.jpg", KB "/alias.jpg");
    trigger_plan(&ctx, kb, KB, "alias.jpg", NULL, &plan);
    CHECK_INT_EQ(plan.state, JOB_QUEUED);
    trigger_plan_release(&plan);
    teardown();
}

static void same_bytes_same_request_same_key(void)
{
    struct trigger_plan a, b, c;

    setup();
    put(KB "/a.jpg", "bytes");
    put(KB "/b.jpg", "bytes");
    put(KB "/c.jpg", "other bytes");
    trigger_plan(&ctx, kb, KB, "a.jpg", NULL, &a);
    trigger_plan(&ctx, kb, KB, "b.jpg", NULL, &b);
    trigger_plan(&ctx, kb, KB, "c.jpg", NULL, &c);
    CHECK_STR_EQ(a.key, b.key);
    CHECK(strcmp(a.key, c.key) != 0);
    trigger_plan_release(&a);
    trigger_plan_release(&b);
    trigger_plan_release(&c);
    teardown();
}

static void an_asset_is_not_a_job_and_is_waited_for(void)
{
    struct trigger_plan plan;

    setup();
    put(KB "/request.json",
        "{\"providerOptions\":{\"local\":{\"imageTail\":\"end.png\"}}}");
    put(KB "/photo.jpg", "first");
    put(KB "/end.png", "last");
    CHECK(trigger_is_asset(&ctx, kb, KB, "end.png"));
    CHECK(!trigger_is_asset(&ctx, kb, KB, "photo.jpg"));
    trigger_plan(&ctx, kb, KB, "end.png", NULL, &plan);
    CHECK(plan.is_asset);
    trigger_plan_release(&plan);
    trigger_plan(&ctx, kb, KB, "photo.jpg", NULL, &plan);
    CHECK_INT_EQ(plan.state, JOB_QUEUED);
    trigger_plan_release(&plan);

    del(KB "/end.png");
    trigger_plan(&ctx, kb, KB, "photo.jpg", NULL, &plan);
    CHECK_INT_EQ(plan.state, JOB_WAITING);
    CHECK_STR_EQ(plan.waiting_for, "end.png");
    CHECK_STR_CONTAINS(plan.message, "end.png");
    trigger_plan_release(&plan);
    teardown();
}

static void a_sidecar_changes_its_image_job(void)
{
    struct trigger_plan before, after;
    const cJSON *d;

    setup();
    put(KB "/photo.jpg", "bytes");
    trigger_plan(&ctx, kb, KB, "photo.jpg", NULL, &before);
    put(KB "/photo.json", "{\"duration\":2}");
    CHECK_INT_EQ(kind_of(KB "/photo.json"), TRIGGER_SIDECAR);
    trigger_plan(&ctx, kb, KB, "photo.jpg", NULL, &after);
    CHECK_INT_EQ(after.state, JOB_QUEUED);
    d = cJSON_GetObjectItemCaseSensitive(after.request, "duration");
    CHECK(cJSON_IsNumber(d) && d->valuedouble == 2);
    CHECK(strcmp(before.key, after.key) != 0);
    trigger_plan_release(&before);
    trigger_plan_release(&after);
    teardown();
}

static void an_invalid_request_fails_naming_the_field(void)
{
    struct trigger_plan plan;

    setup();
    put(KB "/photo.jpg", "bytes");
    put(KB "/request.json", "{\"duration\": 99}");
    trigger_plan(&ctx, kb, KB, "photo.jpg", NULL, &plan);
    CHECK_INT_EQ(plan.state, JOB_FAILED);
    CHECK_STR_EQ(plan.error_code, "invalid_request");
    CHECK_STR_CONTAINS(plan.error_message, "duration");
    trigger_plan_release(&plan);
    put(KB "/request.json", "{\"duration\": ");
    trigger_plan(&ctx, kb, KB, "photo.jpg", NULL, &plan);
    CHECK_INT_EQ(plan.state, JOB_FAILED);
    CHECK_STR_CONTAINS(plan.error_message, "request.json");
    trigger_plan_release(&plan);
    teardown();
}

static void a_job_file_names_its_first_frame(void)
{
    struct trigger_plan plan;

    setup();
    put(KB "/clip.json",
        "{\"prompt\":{\"text\":\"zoom in\",\"image\":\"first.png\"}}");
    CHECK_INT_EQ(kind_of(KB "/clip.json"), TRIGGER_STANDALONE);
    trigger_plan(&ctx, kb, KB, "clip.json", NULL, &plan);
    CHECK_INT_EQ(plan.state, JOB_WAITING);
    CHECK_STR_EQ(plan.waiting_for, "first.png");
    trigger_plan_release(&plan);

    put(KB "/first.png", "pixels");
    /* The first frame is the job file's asset, not a job of its own. */
    CHECK(trigger_is_asset(&ctx, kb, KB, "first.png"));
    trigger_plan(&ctx, kb, KB, "clip.json", NULL, &plan);
    CHECK_INT_EQ(plan.state, JOB_QUEUED);
    CHECK_STR_EQ(plan.image_name, "first.png");
    trigger_plan_release(&plan);

    put(KB "/web.json", "{\"prompt\":{\"text\":\"zoom in\",\"image\":"
                        "\"https://example.com/cat.png\"}}");
    trigger_plan(&ctx, kb, KB, "web.json", NULL, &plan);
    CHECK_INT_EQ(plan.state, JOB_FAILED);
    CHECK_STR_CONTAINS(plan.error_message, "offline");
    trigger_plan_release(&plan);

    /* Settings written before their image: waits for it. */
    put(KB "/none.json", "{\"prompt\":\"zoom in\"}");
    trigger_plan(&ctx, kb, KB, "none.json", NULL, &plan);
    CHECK_INT_EQ(plan.state, JOB_WAITING);
    CHECK_STR_CONTAINS(plan.message, "prompt.image");
    trigger_plan_release(&plan);
    /* When the image comes, it takes the stem over without a clash. */
    put(KB "/none.png", "pixels");
    CHECK_INT_EQ(kind_of(KB "/none.json"), TRIGGER_SIDECAR);
    trigger_plan(&ctx, kb, KB, "none.png", "none.json", &plan);
    CHECK_INT_EQ(plan.state, JOB_QUEUED);
    trigger_plan_release(&plan);
    teardown();
}

static void an_inline_first_frame_is_decoded(void)
{
    struct trigger_plan plan;
    char *data = NULL;
    size_t size = 0;

    setup();
    /* "hello, inline image bytes!" as base64, in a data: URI. */
    put(KB "/inline.json", "{\"prompt\":{\"image\":\"data:image/png;base64,"
                           "aGVsbG8sIGlubGluZSBpbWFnZSBieXRlcyE=\"}}");
    trigger_plan(&ctx, kb, KB, "inline.json", NULL, &plan);
    CHECK_INT_EQ(plan.state, JOB_QUEUED);
    CHECK(plan.image_name == NULL);
    CHECK(plan.image_path != NULL);
    if (plan.image_path) {
        CHECK_INT_EQ(fsutil_read_file(plan.image_path, 1024, &data, &size), 0);
        CHECK_STR_EQ(data, "hello, inline image bytes!");
        free(data);
    }
    trigger_plan_release(&plan);
    teardown();
}

static void same_stem_clashes(void)
{
    struct trigger_plan plan;

    setup();
    put(KB "/photo.jpg", "one");
    put(KB "/photo.png", "two");
    trigger_plan(&ctx, kb, KB, "photo.png", "photo.jpg", &plan);
    CHECK_INT_EQ(plan.state, JOB_FAILED);
    CHECK_STR_EQ(plan.error_code, "name_clash");
    CHECK_STR_CONTAINS(plan.error_message, "out/photo.mp4");
    CHECK_STR_CONTAINS(plan.error_message, "photo.jpg");
    trigger_plan_release(&plan);
    /* Once the owner is gone, the other image may take the stem. */
    del(KB "/photo.jpg");
    trigger_plan(&ctx, kb, KB, "photo.png", "photo.jpg", &plan);
    CHECK_INT_EQ(plan.state, JOB_QUEUED);
    trigger_plan_release(&plan);
    teardown();
}

static void a_paid_model_waits_for_request_json(void)
{
    const struct catalog_model *cloud = NULL;
    struct trigger_plan plan;
    char *rel;

    setup();
    for (size_t i = 0; i < catalog_model_count(cat) && !cloud; i++) {
        if (catalog_model_needs_request(catalog_model_at(cat, i)))
            cloud = catalog_model_at(cat, i);
    }
    if (!cloud) {
        teardown();
        return; /* no cloud model in this catalog yet */
    }
    rel = xasprintf("%s/photo.jpg", catalog_model_folder(cloud));
    put(rel, "bytes");
    trigger_plan(&ctx, cloud, catalog_model_folder(cloud), "photo.jpg", NULL,
                 &plan);
    CHECK_INT_EQ(plan.state, JOB_WAITING);
    CHECK_STR_CONTAINS(plan.message, "request.json");
    trigger_plan_release(&plan);
    free(rel);
    teardown();
}

/* A fake job table for the rescan: stem -> state. */
static const struct {
    const char *dir;
    const char *stem;
    enum job_state state;
} fake_jobs[] = {
    { KB, "done", JOB_SUCCEEDED },
    { KB, "broken", JOB_FAILED },
    { KB, "busy", JOB_RUNNING },
    { KB, "parked", JOB_WAITING },
};

static int fake_state(void *arg, const char *dir, const char *stem,
                      enum job_state *state)
{
    (void)arg;
    for (size_t i = 0; i < sizeof(fake_jobs) / sizeof(fake_jobs[0]); i++) {
        if (!strcmp(fake_jobs[i].dir, dir) &&
            !strcmp(fake_jobs[i].stem, stem)) {
            *state = fake_jobs[i].state;
            return 0;
        }
    }
    return -ENOENT;
}

static void collect(void *arg, const char *dir, const char *source)
{
    char *list = arg;
    char *item = xasprintf("%s/%s;", dir, source);

    strcat(list, item);
    free(item);
}

static void request_json_restarts_new_and_failed_jobs(void)
{
    char picked[4096] = "";

    setup();
    put(KB "/done.jpg", "1");
    put(KB "/broken.jpg", "2");
    put(KB "/busy.jpg", "3");
    put(KB "/parked.jpg", "4");
    put(KB "/fresh.png", "5");
    put(KB "/sub/deep.webp", "6");
    put(KB "/.hidden.jpg", "7");
    put(KB "/out/old.jpg", "8");
    put(KB "/request.json", "{}");
    trigger_rescan(&ctx, KB, fake_state, collect, picked);
    CHECK_STR_CONTAINS(picked, KB "/broken.jpg;");
    CHECK_STR_CONTAINS(picked, KB "/fresh.png;");
    CHECK_STR_CONTAINS(picked, KB "/parked.jpg;");
    CHECK_STR_CONTAINS(picked, KB "/sub/deep.webp;");
    CHECK(strstr(picked, "done.jpg") == NULL);
    CHECK(strstr(picked, "busy.jpg") == NULL);
    CHECK(strstr(picked, "hidden") == NULL);
    CHECK(strstr(picked, "old.jpg") == NULL);
    /* A rescan of a subfolder stays in it. */
    picked[0] = '\0';
    trigger_rescan(&ctx, KB "/sub", fake_state, collect, picked);
    CHECK_STR_EQ(picked, KB "/sub/deep.webp;");
    teardown();
}

CHECK_MAIN(CHECK_CASE(junk_and_foreign_paths_are_ignored),
           CHECK_CASE(an_image_whose_record_cannot_be_named_is_not_a_job),
           CHECK_CASE(links_out_of_the_store_are_not_followed),
           CHECK_CASE(record_paths_name_their_job),
           CHECK_CASE(an_image_is_a_job_with_a_key),
           CHECK_CASE(same_bytes_same_request_same_key),
           CHECK_CASE(an_asset_is_not_a_job_and_is_waited_for),
           CHECK_CASE(a_sidecar_changes_its_image_job),
           CHECK_CASE(an_invalid_request_fails_naming_the_field),
           CHECK_CASE(a_job_file_names_its_first_frame),
           CHECK_CASE(an_inline_first_frame_is_decoded),
           CHECK_CASE(same_stem_clashes),
           CHECK_CASE(a_paid_model_waits_for_request_json),
           CHECK_CASE(request_json_restarts_new_and_failed_jobs))
