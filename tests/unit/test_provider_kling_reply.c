/*
 * Unit tests for Kling replies (providers/kling.c): every task status, error
 * bodies and malformed replies, from the recorded replies in
 * tests/fixtures/kling/. No network.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/json.h"
#include "core/mem.h"
#include "tests/check.h"
#include "tests/unit/kling_fixture.h"

/* Feeds the fixture file with status to the submit or poll parser. */
static int parse_fixture(bool submit, const char *file, long status,
                         const struct provider_job *job,
                         struct provider_status *out)
{
    char *path = xasprintf(FIXTURES "/%s", file);
    int rc = parse_reply_file(&provider_kling, submit, path, status, job, out);

    free(path);
    return rc;
}

static void test_parse_submit(void)
{
    cJSON *i2v = parse("{\"prompt\":{\"text\":\"x\",\"image\":"
                       "\"https://example.com/a.png\"}}");
    cJSON *t2v = parse("{\"prompt\":\"x\"}");
    struct provider_job job = make_job("kling-v2-6", i2v, NULL);
    struct provider_status st = { 0 };

    CHECK_INT_EQ(parse_fixture(true, "submit_ok.json", 200, &job, &st), 0);
    CHECK_INT_EQ(st.state, PROVIDER_TASK_PENDING);
    CHECK_STR_EQ(st.task_id, "image2video/task-abc-123");
    CHECK_STR_EQ(st.raw_status, "submitted");
    CHECK_INT_EQ(st.progress, -1);
    CHECK(st.error == NULL);
    provider_status_release(&st);

    job.request = t2v;
    CHECK_INT_EQ(parse_fixture(true, "submit_real.json", 200, &job, &st), 0);
    CHECK_INT_EQ(st.state, PROVIDER_TASK_PENDING);
    CHECK_STR_EQ(st.task_id, "text2video/866889456698785798");
    provider_status_release(&st);

    CHECK_INT_EQ(parse_fixture(true, "submit_data_null.json", 200, &job, &st),
                 0);
    CHECK_INT_EQ(st.state, PROVIDER_TASK_FAILED);
    CHECK(st.task_id == NULL);
    CHECK_STR_CONTAINS(st.error, "success");
    CHECK_STR_EQ(st.error_code, "bad_reply");
    provider_status_release(&st);

    CHECK_INT_EQ(
        parse_fixture(true, "submit_code_nonzero.json", 200, &job, &st), 0);
    CHECK_INT_EQ(st.state, PROVIDER_TASK_FAILED);
    CHECK_STR_CONTAINS(st.error, "model_name is invalid");
    CHECK_STR_CONTAINS(st.error, "1201");
    CHECK_STR_EQ(st.error_code, "provider_refused");
    provider_status_release(&st);

    CHECK_INT_EQ(parse_fixture(true, "submit_no_task_id.json", 200, &job, &st),
                 0);
    CHECK_INT_EQ(st.state, PROVIDER_TASK_FAILED);
    CHECK_STR_EQ(st.error_code, "bad_reply");
    provider_status_release(&st);
    cJSON_Delete(t2v);
    cJSON_Delete(i2v);
}

static void test_http_errors(void)
{
    static const struct {
        const char *file;
        long status;
        const char *code, *message;
    } cases[] = {
        { "error_401_1004.json", 401, "unauthorized",
          "Kling rejected the credentials: token expired (HTTP 401, code "
          "1004)" },
        { "error_401_1002.json", 401, "unauthorized",
          "Kling rejected the credentials: Authorization is invalid" },
        { "error_429_1303.json", 429, "rate_limited",
          "parallel task over resource pack limit (HTTP 429, code 1303)" },
        { "error_400_1301.json", 400, "provider_refused",
          "content security policy triggered (HTTP 400, code 1301)" },
        { "error_404_1203.json", 404, "provider_refused",
          "resource does not exist" },
        { "error_500_5000.json", 500, "provider_error",
          "server internal error (HTTP 500, code 5000)" },
        { "error_502_html.txt", 502, "provider_error", "HTTP 502" },
    };
    struct provider_job job = make_job("kling-v2-6", NULL, NULL);

    for (int submit = 0; submit <= 1; submit++) {
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            struct provider_status st = { 0 };

            CHECK_INT_EQ(parse_fixture(submit, cases[i].file, cases[i].status,
                                       &job, &st),
                         0);
            CHECK_INT_EQ(st.state, PROVIDER_TASK_FAILED);
            CHECK_STR_EQ(st.error_code, cases[i].code);
            CHECK_STR_CONTAINS(st.error, cases[i].message);
            CHECK(st.error && !strchr(st.error, '\n'));
            CHECK(st.task_id == NULL && st.video_url == NULL);
            provider_status_release(&st);
        }
    }
    {
        /* Every control character in Kling's message becomes a space. */
        static const char body[] = "{\"code\": 1301, \"message\": "
                                   "\"bad\\u001b[31m\\u0001x\\u007fy\"}";
        const struct provider_reply reply = { 400, body, sizeof(body) - 1 };
        struct provider_status st = { 0 };

        CHECK_INT_EQ(provider_parse_submit(&provider_kling, &job, &reply, &st),
                     0);
        CHECK_STR_CONTAINS(st.error, "bad [31m x y (HTTP 400, code 1301)");
        provider_status_release(&st);
    }
}

/*
 * 401 code 1004 (token expired) marks the status refreshable only when the
 * token was minted from the access keys: the engine signs a fresh one and
 * retries once. An API key, or another 401 code, is final.
 */
static void test_expired_token_is_refreshable(void)
{
    static const struct provider_config key_only = { .api_key = "k" };
    struct provider_job job = make_job("kling-v2-6", NULL, NULL);

    for (int submit = 0; submit <= 1; submit++) {
        struct provider_status st = { 0 };

        job.config = &jwt_config;
        CHECK_INT_EQ(
            parse_fixture(submit, "error_401_1004.json", 401, &job, &st), 0);
        CHECK_INT_EQ(st.state, PROVIDER_TASK_FAILED);
        CHECK(st.is_token_expired);
        provider_status_release(&st);
        CHECK(!st.is_token_expired); /* release zeroes */

        CHECK_INT_EQ(
            parse_fixture(submit, "error_401_1002.json", 401, &job, &st), 0);
        CHECK(!st.is_token_expired);
        provider_status_release(&st);

        job.config = &key_only;
        CHECK_INT_EQ(
            parse_fixture(submit, "error_401_1004.json", 401, &job, &st), 0);
        CHECK_INT_EQ(st.state, PROVIDER_TASK_FAILED);
        CHECK(!st.is_token_expired);
        provider_status_release(&st);
    }
}

static void test_poll_statuses(void)
{
    static const struct {
        const char *file;
        enum provider_task_state state;
        const char *raw, *code, *text;
    } cases[] = {
        { "poll_submitted.json", PROVIDER_TASK_PENDING, "submitted", NULL,
          NULL },
        { "poll_processing.json", PROVIDER_TASK_PENDING, "processing", NULL,
          NULL },
        { "poll_unknown_status.json", PROVIDER_TASK_PENDING, "queueing", NULL,
          NULL },
        { "poll_succeed.json", PROVIDER_TASK_SUCCEEDED, "succeed", NULL,
          "https://p1.a.kwimgs.com/output/video-001.mp4" },
        { "poll_succeed_no_videos.json", PROVIDER_TASK_FAILED, "succeed",
          "bad_reply", "no video URL" },
        { "poll_succeed_no_url.json", PROVIDER_TASK_FAILED, "succeed",
          "bad_reply", "no video URL" },
        { "poll_failed.json", PROVIDER_TASK_FAILED, "failed", "task_failed",
          "Kling could not make the video: Content policy violation" },
        { "poll_failed_no_msg.json", PROVIDER_TASK_FAILED, "failed",
          "task_failed", "Kling could not make the video: " },
    };
    struct provider_job job = make_job("kling-v2-6", NULL, NULL);

    job.task_id = "image2video/task-abc-123";
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct provider_status st = { 0 };

        CHECK_INT_EQ(parse_fixture(false, cases[i].file, 200, &job, &st), 0);
        CHECK_INT_EQ(st.state, cases[i].state);
        CHECK_STR_EQ(st.raw_status, cases[i].raw);
        if (cases[i].state == PROVIDER_TASK_SUCCEEDED) {
            CHECK_STR_EQ(st.video_url, cases[i].text);
            CHECK(st.error == NULL);
        } else if (cases[i].state == PROVIDER_TASK_FAILED) {
            CHECK_STR_EQ(st.error_code, cases[i].code);
            CHECK_STR_CONTAINS(st.error, cases[i].text);
            CHECK(st.video_url == NULL);
        } else {
            CHECK(st.error == NULL && st.video_url == NULL);
            CHECK_INT_EQ(st.progress, -1);
        }
        provider_status_release(&st);
    }
}

static void test_malformed_replies(void)
{
    static const char *const files[] = {
        "garbage.txt",          "truncated.json",
        "not_object.json",      "data_not_object.json",
        "code_not_number.json", "status_not_string.json",
        "error_502_html.txt",
    };
    struct provider_job job = make_job("kling-v2-6", NULL, NULL);
    struct provider_reply empty = { .status = 200, .body = "", .body_size = 0 };
    struct provider_reply null_body = { .status = 200 };

    job.task_id = "image2video/task-abc-123";
    for (int submit = 0; submit <= 1; submit++) {
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
            struct provider_status st = { 0 };
            int rc = parse_fixture(submit, files[i], 200, &job, &st);

            /* a status word of the wrong type only matters when polling */
            if (submit && strcmp(files[i], "status_not_string.json") == 0) {
                CHECK_INT_EQ(rc, 0);
            } else {
                CHECK_INT_EQ(rc, -EPROTO);
                CHECK_INT_EQ(st.state, PROVIDER_TASK_FAILED);
                CHECK_STR_EQ(st.error_code, "bad_reply");
                CHECK_STR_CONTAINS(st.error, "Kling");
            }
            provider_status_release(&st);
        }
    }
    for (int submit = 0; submit <= 1; submit++) {
        struct provider_status st = { 0 };

        CHECK_INT_EQ(
            submit ? provider_parse_submit(&provider_kling, &job, &empty, &st)
                   : provider_parse_poll(&provider_kling, &job, &empty, &st),
            -EPROTO);
        provider_status_release(&st);
        CHECK_INT_EQ(
            submit
                ? provider_parse_submit(&provider_kling, &job, &null_body, &st)
                : provider_parse_poll(&provider_kling, &job, &null_body, &st),
            -EPROTO);
        provider_status_release(&st);
    }
}

/* Every prefix of a real reply parses to a state or -EPROTO, never a crash. */
static void test_every_truncation(void)
{
    static const char *const files[] = { "poll_succeed.json", "submit_ok.json",
                                         "poll_failed.json" };
    struct provider_job job = make_job("kling-v2-6", NULL, NULL);

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
            int rc = provider_parse_poll(&provider_kling, &job, &reply, &st);

            CHECK(rc == 0 || rc == -EPROTO);
            provider_status_release(&st);
            rc = provider_parse_submit(&provider_kling, &job, &reply, &st);
            CHECK(rc == 0 || rc == -EPROTO);
            provider_status_release(&st);
            free(cut);
        }
        free(text);
        free(path);
    }
}

/*
 * A retried submit whose first try created the task (its reply was lost)
 * is refused as a duplicate external_task_id: the job polls that task
 * instead of failing, and a duplicate of someone else's id still fails.
 */
static void test_resubmit_finds_its_task(void)
{
    cJSON *request = cJSON_Parse(
        "{\"prompt\": {\"text\": \"x\", \"image\": \"https://e.com/a.png\"}}");
    struct provider_job job = make_job("kling-v2-6", request, NULL);
    char *ours = xasprintf("{\"code\": 1201, \"message\": \"external_task_id "
                           "%s already exists\", \"request_id\": \"r\"}",
                           KEY);
    const char *theirs = "{\"code\": 1201, \"message\": \"external_task_id "
                         "someone-else already exists\"}";
    struct provider_reply reply = { 400, ours, strlen(ours) };
    struct provider_status st = { 0 };
    char *want = xasprintf("image2video/%s", KEY);

    CHECK_INT_EQ(provider_kling.parse_submit(&job, &reply, &st), 0);
    CHECK_INT_EQ(st.state, PROVIDER_TASK_PENDING);
    CHECK_STR_EQ(st.task_id, want);
    provider_status_release(&st);

    reply.body = theirs;
    reply.body_size = strlen(theirs);
    CHECK_INT_EQ(provider_kling.parse_submit(&job, &reply, &st), 0);
    CHECK_INT_EQ(st.state, PROVIDER_TASK_FAILED);
    CHECK_STR_EQ(st.error_code, "provider_refused");
    provider_status_release(&st);
    free(want);
    free(ours);
    cJSON_Delete(request);
}

CHECK_MAIN(CHECK_CASE(test_parse_submit),
           CHECK_CASE(test_resubmit_finds_its_task),
           CHECK_CASE(test_http_errors),
           CHECK_CASE(test_expired_token_is_refreshable),
           CHECK_CASE(test_poll_statuses), CHECK_CASE(test_malformed_replies),
           CHECK_CASE(test_every_truncation))
