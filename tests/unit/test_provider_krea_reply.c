/*
 * Unit tests for the Krea provider's reply parsing (providers/krea.c):
 * upload, submit and poll replies, HTTP errors, malformed and truncated
 * replies.
 */
#include "tests/unit/krea_fixture.h"

static void test_upload_replies(void)
{
    static const struct {
        const char *file;
        long status;
        int rc;
        const char *text;
    } cases[] = {
        { "upload_ok.json", 200, 0,
          "https://gen.krea.ai/assets/"
          "3c90c3cc-0d44-4b50-8888-8dd25736052a.jpg" },
        { "error_400_upload.json", 400, -EINVAL,
          "Krea refused the upload: Invalid file type or size (HTTP 400)" },
        { "error_401.json", 401, -EACCES,
          "Krea rejected the API key: You are not authenticated" },
        { "error_402.json", 402, -EDQUOT,
          "Krea says the account has run out of credits" },
        { "error_503_html.txt", 503, -EIO, "HTTP 503" },
        { "upload_no_url.json", 200, -EPROTO, "image_url" },
        { "garbage.txt", 200, -EPROTO, "Krea" },
        { "truncated.json", 200, -EPROTO, "Krea" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *url = NULL, *err = NULL;
        int rc = upload_reply(cases[i].file, cases[i].status, &url, &err);

        CHECK_INT_EQ(rc, cases[i].rc);
        if (rc == 0) {
            CHECK_STR_EQ(url, cases[i].text);
            CHECK(err == NULL);
        } else {
            CHECK(url == NULL);
            CHECK_STR_CONTAINS(err, cases[i].text);
        }
        free(url);
        free(err);
    }
}

/* Feeds the fixture file with status to the submit or poll parser. */
static int parse_fixture(bool submit, const char *file, long status,
                         struct provider_status *out)
{
    struct provider_job job = make_job("kling/kling-2.5", NULL, NULL);
    char *path = xasprintf(FIXTURES "/%s", file);
    int rc;

    job.task_id = JOB_ID;
    rc = parse_reply_file(&provider_krea, submit, path, status, &job, out);
    free(path);
    return rc;
}

static void test_parse_submit(void)
{
    struct provider_status st = { 0 };

    CHECK_INT_EQ(parse_fixture(true, "submit_ok.json", 200, &st), 0);
    CHECK_INT_EQ(st.state, PROVIDER_TASK_PENDING);
    CHECK_STR_EQ(st.task_id, JOB_ID);
    CHECK_STR_EQ(st.raw_status, "queued");
    CHECK_INT_EQ(st.progress, -1);
    provider_status_release(&st);

    CHECK_INT_EQ(parse_fixture(true, "submit_estimated.json", 200, &st), 0);
    CHECK_INT_EQ(st.state, PROVIDER_TASK_PENDING);
    CHECK_STR_EQ(st.task_id, "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f");
    CHECK_STR_EQ(st.raw_status, "processing");
    provider_status_release(&st);

    CHECK_INT_EQ(parse_fixture(true, "submit_no_job_id.json", 200, &st),
                 -EPROTO);
    CHECK_INT_EQ(st.state, PROVIDER_TASK_FAILED);
    CHECK(st.task_id == NULL);
    CHECK_STR_CONTAINS(st.error, "job_id");
    provider_status_release(&st);
}

static void test_poll_statuses(void)
{
    static const struct {
        const char *file;
        enum provider_task_state state;
        const char *raw, *code, *text;
    } cases[] = {
        { "job_backlogged.json", PROVIDER_TASK_PENDING, "backlogged", NULL,
          NULL },
        { "job_queued.json", PROVIDER_TASK_PENDING, "queued", NULL, NULL },
        { "job_scheduled.json", PROVIDER_TASK_PENDING, "scheduled", NULL,
          NULL },
        { "job_processing.json", PROVIDER_TASK_PENDING, "processing", NULL,
          NULL },
        { "job_sampling.json", PROVIDER_TASK_PENDING, "sampling", NULL, NULL },
        { "job_intermediate-complete.json", PROVIDER_TASK_PENDING,
          "intermediate-complete", NULL, NULL },
        { "job_unknown_status.json", PROVIDER_TASK_PENDING, "warming-up", NULL,
          NULL },
        { "job_completed.json", PROVIDER_TASK_SUCCEEDED, "completed", NULL,
          "https://gen.krea.ai/videos/your-video.mp4" },
        { "job_completed_legacy.json", PROVIDER_TASK_SUCCEEDED, "completed",
          NULL, "https://gen.krea.ai/videos/legacy.mp4" },
        { "job_completed_no_url.json", PROVIDER_TASK_FAILED, "completed",
          "bad_reply",
          "Krea reported the job completed but sent no video URL" },
        { "job_failed_string.json", PROVIDER_TASK_FAILED, "failed",
          "task_failed",
          "Krea could not make the video: NSFW content detected in the "
          "input image" },
        { "job_failed_object.json", PROVIDER_TASK_FAILED, "failed",
          "task_failed",
          "Krea could not make the video: The upstream provider timed out" },
        { "job_failed_bare.json", PROVIDER_TASK_FAILED, "failed", "task_failed",
          "Krea reported the job failed" },
        { "job_cancelled.json", PROVIDER_TASK_FAILED, "cancelled", "canceled",
          "Krea cancelled the job" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct provider_status st = { 0 };

        CHECK_INT_EQ(parse_fixture(false, cases[i].file, 200, &st), 0);
        CHECK_INT_EQ(st.state, cases[i].state);
        CHECK_STR_EQ(st.raw_status, cases[i].raw);
        CHECK(st.task_id == NULL);
        if (cases[i].state == PROVIDER_TASK_SUCCEEDED) {
            CHECK_STR_EQ(st.video_url, cases[i].text);
            CHECK(st.error == NULL);
        } else if (cases[i].state == PROVIDER_TASK_FAILED) {
            CHECK_STR_EQ(st.error_code, cases[i].code);
            CHECK_STR_EQ(st.error, cases[i].text);
            CHECK(st.video_url == NULL);
        } else {
            CHECK(st.error == NULL && st.video_url == NULL);
            CHECK_INT_EQ(st.progress, -1);
        }
        provider_status_release(&st);
    }
}

static void test_http_errors(void)
{
    static const struct {
        const char *file;
        long status;
        const char *code, *message;
    } cases[] = {
        { "error_401.json", 401, "unauthorized",
          "Krea rejected the API key: You are not authenticated (HTTP 401)" },
        { "error_402.json", 402, "out_of_credits",
          "Krea says the account has run out of credits: You have run out "
          "of credits (HTTP 402)" },
        { "error_429.json", 429, "rate_limited",
          "You have reached the maximum number of concurrent jobs (HTTP "
          "429)" },
        { "error_400.json", 400, "provider_refused",
          "Krea refused the request: The request body is invalid: duration "
          "must be one of 5, 10 (HTTP 400)" },
        { "error_404.json", 404, "provider_refused",
          "job not found or client not authorized (HTTP 404)" },
        { "error_503_html.txt", 503, "provider_error",
          "Krea had a server error: no message (HTTP 503)" },
    };

    for (int submit = 0; submit <= 1; submit++) {
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            struct provider_status st = { 0 };

            CHECK_INT_EQ(
                parse_fixture(submit, cases[i].file, cases[i].status, &st), 0);
            CHECK_INT_EQ(st.state, PROVIDER_TASK_FAILED);
            CHECK_STR_EQ(st.error_code, cases[i].code);
            CHECK_STR_CONTAINS(st.error, cases[i].message);
            CHECK(st.task_id == NULL && st.video_url == NULL);
            provider_status_release(&st);
        }
    }
}

static void test_malformed_replies(void)
{
    static const char *const files[] = {
        "garbage.txt",    "truncated.json",         "not_object.json",
        "no_status.json", "status_not_string.json", "error_503_html.txt",
        "error_401.json",
    };
    struct provider_reply empty = { .status = 200, .body = "", .body_size = 0 };
    struct provider_reply null_body = { .status = 200 };
    struct provider_job job = make_job("kling/kling-2.5", NULL, NULL);

    for (int submit = 0; submit <= 1; submit++) {
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
            struct provider_status st = { 0 };

            CHECK_INT_EQ(parse_fixture(submit, files[i], 200, &st), -EPROTO);
            CHECK_INT_EQ(st.state, PROVIDER_TASK_FAILED);
            CHECK_STR_EQ(st.error_code, "bad_reply");
            CHECK_STR_CONTAINS(st.error, "Krea");
            provider_status_release(&st);
        }
        for (int k = 0; k < 2; k++) {
            struct provider_reply *reply = k ? &null_body : &empty;
            struct provider_status st = { 0 };

            CHECK_INT_EQ(
                submit ? provider_parse_submit(&provider_krea, &job, reply, &st)
                       : provider_parse_poll(&provider_krea, &job, reply, &st),
                -EPROTO);
            provider_status_release(&st);
        }
    }
}

/* Every prefix of a real reply parses to a state or -EPROTO, never a crash. */
static void test_every_truncation(void)
{
    static const char *const files[] = { "job_completed.json",
                                         "job_failed_object.json",
                                         "submit_ok.json", "upload_ok.json" };
    struct provider_job job = make_job("kling/kling-2.5", NULL, NULL);

    for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
        char *path = xasprintf(FIXTURES "/%s", files[f]);
        size_t size = 0;
        char *text = read_text(path, &size);

        for (size_t n = 0; text && n < size; n++) {
            char *cut = xstrndup(text, n);
            struct provider_reply reply = { .status = 200,
                                            .body = cut,
                                            .body_size = n };
            struct provider_status st = { 0 };
            char *url = NULL, *err = NULL;
            int rc = provider_parse_poll(&provider_krea, &job, &reply, &st);

            CHECK(rc == 0 || rc == -EPROTO);
            provider_status_release(&st);
            rc = provider_parse_submit(&provider_krea, &job, &reply, &st);
            CHECK(rc == 0 || rc == -EPROTO);
            provider_status_release(&st);
            rc = provider_parse_upload(&provider_krea, &reply, &url, &err);
            CHECK(rc == 0 || rc == -EPROTO);
            free(url);
            free(err);
            free(cut);
        }
        free(text);
        free(path);
    }
}

CHECK_MAIN(CHECK_CASE(test_upload_replies), CHECK_CASE(test_parse_submit),
           CHECK_CASE(test_poll_statuses), CHECK_CASE(test_http_errors),
           CHECK_CASE(test_malformed_replies),
           CHECK_CASE(test_every_truncation))
