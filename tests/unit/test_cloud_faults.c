/*
 * The cloud path of the engine in-process against the fakes, as in
 * test_cloud.c: faults and limits (no key, retries, failed tasks, timeouts
 * and cancels, the concurrency limit, a lost submit reply).
 */
#include "tests/unit/cloud_fixture.h"

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

CHECK_MAIN(CHECK_CASE(start_fakes), CHECK_CASE(no_key_fails_before_sending),
           CHECK_CASE(retries_keep_the_idempotency_key),
           CHECK_CASE(a_failed_task_quotes_the_provider),
           CHECK_CASE(timeout_and_cancel),
           CHECK_CASE(the_concurrency_limit_queues_jobs),
           CHECK_CASE(a_lost_krea_submit_reply_is_recorded),
           CHECK_CASE(stop_fakes))
