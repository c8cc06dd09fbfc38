/*
 * Unit tests for the job record (jobs/record.c, jobs/job_state.c): the
 * JSON round trip, the states, and writing a record through the publisher
 * (jobs/job.c) so out/ only ever holds complete records.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/mem.h"
#include "jobs/job.h"
#include "jobs/job_state.h"
#include "jobs/publish.h"
#include "jobs/record.h"
#include "tests/check.h"

static char *make_tmpdir(void)
{
    char *dir = xstrdup("/tmp/i2vfs-test-record.XXXXXX");

    if (!mkdtemp(dir)) {
        free(dir);
        return NULL;
    }
    return dir;
}

static void rm_tree(const char *path)
{
    char *cmd = xasprintf("rm -rf '%s'", path);

    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", path);
    free(cmd);
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void fill(struct record *rec)
{
    record_init(rec);
    rec->state = JOB_SUCCEEDED;
    rec->progress = 100;
    record_set_str(&rec->model, "local/kenburns");
    record_set_str(&rec->source, "photo.jpg");
    record_set_str(&rec->image_name, "photo.jpg");
    memset(rec->image_sha256, 'a', HASH_HEX_LEN);
    rec->request = cJSON_Parse("{\"duration\":1,\"fps\":6}");
    memset(rec->key, 'b', HASH_HEX_LEN);
    record_set_str(&rec->provider_name, "local");
    rec->created_at = 1700000000;
    rec->started_at = 1700000001;
    rec->finished_at = 1700000005;
    rec->attempts = 2;
    rec->has_output = true;
    rec->output.file = xstrdup("photo.mp4");
    rec->output.bytes = 12345;
    memset(rec->output.sha256, 'c', HASH_HEX_LEN);
    rec->output.duration_s = 1.0;
    rec->output.width = 160;
    rec->output.height = 90;
    rec->output.fps = 6;
    strcpy(rec->output.codec, "h264");
    strcpy(rec->output.profile, "High");
    strcpy(rec->output.pix_fmt, "yuv420p");
    rec->output.frames = 6;
}

static void round_trip_keeps_every_field(void)
{
    struct record a, b;
    char *text, *err = NULL;
    cJSON *json;

    fill(&a);
    text = record_to_json(&a);
    CHECK_INT_EQ(record_parse(text, &b, &err), 0);
    CHECK_STR_EQ(job_state_name(b.state), "succeeded");
    CHECK_INT_EQ(b.progress, 100);
    CHECK_STR_EQ(b.model, "local/kenburns");
    CHECK_STR_EQ(b.source, "photo.jpg");
    CHECK_STR_EQ(b.image_name, "photo.jpg");
    CHECK_STR_EQ(b.image_sha256, a.image_sha256);
    CHECK_STR_EQ(b.key, a.key);
    CHECK_STR_EQ(b.provider_name, "local");
    CHECK_INT_EQ(b.created_at, 1700000000);
    CHECK_INT_EQ(b.started_at, 1700000001);
    CHECK_INT_EQ(b.finished_at, 1700000005);
    CHECK_INT_EQ(b.attempts, 2);
    CHECK(b.has_output);
    CHECK_STR_EQ(b.output.file, "photo.mp4");
    CHECK_INT_EQ(b.output.bytes, 12345);
    CHECK_INT_EQ(b.output.width, 160);
    CHECK_INT_EQ(b.output.frames, 6);
    CHECK_STR_EQ(b.output.codec, "h264");
    CHECK_STR_EQ(b.output.pix_fmt, "yuv420p");
    CHECK(cJSON_Compare(a.request, b.request, true));

    /* What a person or a script reads: RFC 3339 times, nulls where unset. */
    json = cJSON_Parse(text);
    CHECK_STR_EQ(cJSON_GetStringValue(
                     cJSON_GetObjectItemCaseSensitive(json, "created_at")),
                 "2023-11-14T22:13:20Z");
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(json, "error")));
    CHECK_STR_EQ(
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(json, "provider"), "name")),
        "local");
    cJSON_Delete(json);
    free(text);
    record_release(&a);
    record_release(&b);
    free(err);
}

static void cloud_fields_round_trip(void)
{
    struct record a, b;
    char *text, *err = NULL;

    record_init(&a);
    a.state = JOB_RUNNING;
    record_set_str(&a.provider_name, "gateway");
    record_set_str(&a.provider_task_id, "op_123");
    record_set_str(&a.provider_status, "pending");
    record_set_str(&a.idempotency_key, "i2vfs_0123");
    record_set_str(&a.duplicate_risk, "it may have been submitted twice");
    text = record_to_json(&a);
    CHECK_STR_CONTAINS(text, "\"task_id\": \"op_123\"");
    CHECK_STR_CONTAINS(text, "\"status\": \"pending\"");
    CHECK_INT_EQ(record_parse(text, &b, &err), 0);
    CHECK_STR_EQ(b.provider_task_id, "op_123");
    CHECK_STR_EQ(b.provider_status, "pending");
    CHECK_STR_EQ(b.idempotency_key, "i2vfs_0123");
    /* A restart keeps the note until the job's next attempt. */
    CHECK_STR_EQ(b.duplicate_risk, "it may have been submitted twice");
    free(text);
    record_release(&a);
    record_release(&b);
}

static void failed_record_names_the_error(void)
{
    struct record a, b;
    char *text, *err = NULL;
    cJSON *json;

    record_init(&a);
    record_set_error(&a, "invalid_request",
                     "duration: 99 is not allowed for kenburns (1 to 15)");
    text = record_to_json(&a);
    json = cJSON_Parse(text);
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(json, "progress")));
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(json, "output")));
    CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
                     cJSON_GetObjectItemCaseSensitive(json, "error"), "code")),
                 "invalid_request");
    cJSON_Delete(json);
    CHECK_INT_EQ(record_parse(text, &b, &err), 0);
    CHECK_INT_EQ(b.state, JOB_FAILED);
    CHECK_INT_EQ(b.progress, -1);
    CHECK_STR_CONTAINS(b.error_message, "duration: 99");
    free(text);
    record_release(&a);
    record_release(&b);
    /* A file name with a newline, a tab or ESC keeps the message one line. */
    record_init(&a);
    record_set_error(&a, "unreadable_image",
                     "new\nline\t\x1b.png is not an image");
    CHECK_STR_EQ(a.error_message, "new\\nline\\t\\x1b.png is not an image");
    record_release(&a);
}

static void garbage_is_not_a_record(void)
{
    struct record r;
    char *err = NULL;

    CHECK(record_parse("{\"state\":\"exploded\"}", &r, &err) < 0);
    CHECK_STR_CONTAINS(err, "exploded");
    free(err);
    err = NULL;
    record_release(&r);
    CHECK(record_parse("not json", &r, &err) < 0);
    free(err);
    record_release(&r);
    /* Found by tests/fuzz/fuzz_record: the message is logged, one line. */
    err = NULL;
    CHECK(record_parse("{\"state\":\"a\\nb\\u001b[2J\"}", &r, &err) < 0);
    CHECK_STR_EQ(err, "unknown state \"a b [2J\"");
    free(err);
    record_release(&r);
}

/*
 * Found by tests/fuzz/fuzz_record: numbers out of range (a record edited by
 * hand in out/) were cast to int, which is undefined, and an fps of 1e308
 * was written back as null; they read as absent.
 */
static void numbers_out_of_range_read_as_absent(void)
{
    struct record r;
    char *err = NULL;

    CHECK_INT_EQ(record_parse("{\"state\": \"succeeded\", \"progress\": 1e300, "
                              "\"attempts\": -1e300, \"output\": {\"bytes\": "
                              "1e300, \"frames\": -5, \"width\": 1e10, "
                              "\"height\": -1, \"fps\": 1e308, "
                              "\"duration_s\": -2}}",
                              &r, &err),
                 0);
    CHECK_INT_EQ(r.progress, -1);
    CHECK_INT_EQ(r.attempts, 0);
    CHECK(r.has_output);
    CHECK_INT_EQ(r.output.bytes, 0);
    CHECK_INT_EQ(r.output.frames, 0);
    CHECK_INT_EQ(r.output.width, 0);
    CHECK_INT_EQ(r.output.height, 0);
    CHECK(r.output.fps == 0 && r.output.duration_s == 0);
    record_release(&r);
    CHECK_INT_EQ(record_parse("{\"state\": \"running\", \"progress\": 101, "
                              "\"attempts\": 3}",
                              &r, &err),
                 0);
    CHECK_INT_EQ(r.progress, -1);
    CHECK_INT_EQ(r.attempts, 3);
    record_release(&r);
}

/*
 * Found by tests/fuzz/fuzz_record: a file name or a provider's message that
 * is not UTF-8 (a Latin-1 name, a reply cut mid-character) went into the
 * record as it was, and a record that is not UTF-8 is not JSON (RFC 8259).
 * Each bad sequence becomes U+FFFD.
 */
static void record_is_always_utf8(void)
{
    struct record r;
    char *text, *err = NULL;

    record_init(&r);
    record_set_str(&r.source, "caf\xe9.jpg");
    record_set_error(&r, "task_failed",
                     "\xed\xa0\x80|\xf4\x90\x80\x80|\xc0\xaf|\xe2\x82|"
                     "ok \xc3\xa9\xe2\x82\xac\xf0\x9f\x8e\xac");
    text = record_to_json(&r);
    CHECK_STR_CONTAINS(text, "\"source\": \"caf\xef\xbf\xbd.jpg\"");
    CHECK_STR_CONTAINS(text,
                       "\"message\": \"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
                       "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
                       "\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd|"
                       "ok \xc3\xa9\xe2\x82\xac\xf0\x9f\x8e\xac\"");
    record_release(&r);
    CHECK_INT_EQ(record_parse(text, &r, &err), 0);
    record_release(&r);
    free(text);
}

/*
 * Found by tests/fuzz/fuzz_record: any 64 characters were read as a hash,
 * and one that was not hex did not survive the next write and read.
 */
static void hashes_are_hex_or_absent(void)
{
    static const char hex[] =
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    struct record r;
    char *text, *err = NULL;

    text = xasprintf("{\"state\": \"succeeded\", \"image\": {\"sha256\": "
                     "\"%.62s\\u00e9\"}, \"key\": \"%.63sG\", \"output\": "
                     "{\"sha256\": \"%s\"}}",
                     hex, hex, hex);
    CHECK_INT_EQ(record_parse(text, &r, &err), 0);
    CHECK_STR_EQ(r.image_sha256, "");
    CHECK_STR_EQ(r.key, "");
    CHECK_STR_EQ(r.output.sha256, hex);
    record_release(&r);
    free(text);
}

static void all_nine_states(void)
{
    static const char *const names[] = { "waiting",   "queued",  "uploading",
                                         "submitted", "running", "downloading",
                                         "succeeded", "failed",  "canceled",
                                         NULL };
    enum job_state s;

    for (int i = 0; names[i]; i++) {
        CHECK_INT_EQ(job_state_parse(names[i], &s), 0);
        CHECK_STR_EQ(job_state_name(s), names[i]);
    }
    CHECK(job_state_parse("done", &s) < 0);
    CHECK(job_state_is_in_flight(JOB_QUEUED));
    CHECK(job_state_is_in_flight(JOB_RUNNING));
    CHECK(job_state_is_in_flight(JOB_DOWNLOADING));
    CHECK(!job_state_is_in_flight(JOB_SUCCEEDED));
    CHECK(!job_state_is_in_flight(JOB_FAILED));
    CHECK(!job_state_is_in_flight(JOB_WAITING));
    CHECK(!job_state_is_in_flight(JOB_CANCELED));
}

static void inline_images_are_left_out(void)
{
    char *b64 = xmalloc(1001);
    cJSON *req, *copy;
    char *text;

    memset(b64, 'Q', 1000);
    b64[1000] = '\0';
    req = cJSON_CreateObject();
    cJSON_AddItemToObject(req, "prompt", cJSON_CreateObject());
    cJSON_AddStringToObject(cJSON_GetObjectItem(req, "prompt"), "image", b64);
    cJSON_AddStringToObject(req, "imageTail", "end.png");
    copy = record_request_copy(req);
    text = cJSON_PrintUnformatted(copy);
    CHECK(strstr(text, "QQQQ") == NULL);
    CHECK_STR_CONTAINS(text, "sha256:");
    CHECK_STR_CONTAINS(text, "end.png");
    free(text);
    cJSON_Delete(copy);
    cJSON_Delete(req);
    free(b64);
}

static void record_is_written_whole_through_the_publisher(void)
{
    char *store = make_tmpdir(), *path, *err = NULL;
    struct publisher *pub = NULL;
    struct job_table table;
    struct record a, b;

    CHECK(store != NULL);
    if (!store)
        return;
    path = xasprintf("%s/local/kenburns", store);
    CHECK_INT_EQ(fsutil_mkdir_p(path, 0755), 0);
    free(path);
    CHECK_INT_EQ(publisher_new(store, &pub), 0);
    job_table_init(&table, store, NULL, pub);
    fill(&a);
    CHECK_INT_EQ(job_write_record_as(&table, "local/kenburns", "photo", &a), 0);
    a.progress = 50;
    CHECK_INT_EQ(job_write_record_as(&table, "local/kenburns", "photo", &a), 0);
    /* A deleted folder does not come back for its record. */
    CHECK(job_write_record_as(&table, "local/kenburns/gone", "x", &a) < 0);
    publisher_flush(pub);
    path = xasprintf("%s/local/kenburns/out/photo.json", store);
    CHECK_INT_EQ(record_read_file(path, &b, &err), 0);
    CHECK_INT_EQ(b.progress, 50);
    free(path);
    path = xasprintf("%s/local/kenburns/out", store);
    CHECK_INT_EQ(count_entries(path), 1);
    free(path);
    CHECK_INT_EQ(count_entries(publisher_staging_dir(pub)), 0);
    path = xasprintf("%s/local/kenburns/gone", store);
    CHECK(access(path, F_OK) != 0);
    free(path);
    record_release(&a);
    record_release(&b);
    job_table_release(&table);
    publisher_free(pub);
    rm_tree(store);
    free(store);
}

CHECK_MAIN(CHECK_CASE(round_trip_keeps_every_field),
           CHECK_CASE(cloud_fields_round_trip),
           CHECK_CASE(failed_record_names_the_error),
           CHECK_CASE(garbage_is_not_a_record), CHECK_CASE(all_nine_states),
           CHECK_CASE(numbers_out_of_range_read_as_absent),
           CHECK_CASE(record_is_always_utf8),
           CHECK_CASE(hashes_are_hex_or_absent),
           CHECK_CASE(inline_images_are_left_out),
           CHECK_CASE(record_is_written_whole_through_the_publisher))
