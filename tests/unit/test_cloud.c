/*
 * The cloud path of the engine in-process (no FUSE) against the fake
 * servers of tests/fake/ (python3): the real gateway and blob providers,
 * the real catalog with its cloud models enabled, the publisher without a
 * mount. Checks what a user sees (records, out/) and what the fake got.
 * Every wait has a deadline.
 *
 * This binary: the happy paths, uploads and restarts; faults and limits
 * are in test_cloud_faults.c.
 */
#include "tests/unit/cloud_fixture.h"

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

CHECK_MAIN(CHECK_CASE(start_fakes),
           CHECK_CASE(an_image_through_the_gateway_ends_in_out),
           CHECK_CASE(url_only_models_upload_to_blob_once),
           CHECK_CASE(a_restart_resumes_polling_without_resubmitting),
           CHECK_CASE(a_restart_mid_download_downloads_again),
           CHECK_CASE(a_broken_video_is_downloaded_again),
           CHECK_CASE(a_lost_record_keeps_the_submit_key),
           CHECK_CASE(stop_fakes))
