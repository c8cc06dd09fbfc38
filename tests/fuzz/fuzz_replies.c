/*
 * Fuzz target: every cloud provider's reply parsing. The first two bytes
 * are the HTTP status (big-endian), the third picks the job's request, the
 * rest is the body. Each input goes through the submit, poll and upload
 * parsers of the AI Gateway, Kling, Krea and Vercel Blob, and what they
 * report must keep the provider.h contract. The task id a submit reply
 * gives, and the body itself as a task id (as a record edited by hand in
 * out/ gives it back at restart), must build a clean poll request.
 */
#include <errno.h>

#include <cjson/cJSON.h>

#include "providers/provider.h"
#include "tests/fuzz/fuzz.h"

extern const struct provider provider_gateway;
extern const struct provider provider_kling;
extern const struct provider provider_krea;
extern const struct provider provider_blob;

/*
 * The longest error a reply may make: the providers quote at most 300
 * bytes of the service's text, so a huge message cannot fill the record.
 */
#define FUZZ_MAX_ERROR 1024

static const struct provider *const cloud[] = {
    &provider_gateway,
    &provider_kling,
    &provider_krea,
};

static const struct provider *const uploaders[] = {
    &provider_blob,
    &provider_krea,
};

/* Requests that steer a provider's parsing (Kling: the task family). */
static const char *const requests[] = {
    "{\"prompt\":\"a cat\"}",
    "{\"prompt\":{\"text\":\"a cat\",\"image\":\"a.png\"}}",
    "{\"providerOptions\":{\"klingai\":{\"imageTail\":\"end.png\"}}}",
};

static const struct provider_config config = {
    .base_url = "https://api.example.com",
    .api_key = "fuzz-key",
};

/* A poll request for task_id: refused, or a URL without a break or space. */
static void check_poll(const struct provider *p, struct provider_job *job,
                       const char *task_id)
{
    struct provider_http http;
    char *err = NULL;
    int rc;

    memset(&http, 0, sizeof(http));
    job->task_id = task_id;
    rc = provider_build_poll(p, job, &http, &err);
    FUZZ_CHECK(rc <= 0);
    if (rc < 0) {
        FUZZ_CHECK_LINE(err);
        free(err);
    } else {
        FUZZ_CHECK(!err && http.url);
        if (strpbrk(http.url, " \t\r\n"))
            fprintf(stderr, "poll URL: \"%s\"\n", http.url);
        FUZZ_CHECK(!strpbrk(http.url, " \t\r\n"));
        FUZZ_CHECK(
            strncmp(http.url, config.base_url, strlen(config.base_url)) == 0);
    }
    provider_http_release(&http);
}

static bool is_nul_ended(const char *s, size_t size)
{
    return memchr(s, '\0', size) != NULL;
}

static void check_status(int rc, const struct provider_status *st,
                         bool is_submit)
{
    FUZZ_CHECK(rc == 0 || rc == -EPROTO);
    FUZZ_CHECK(is_nul_ended(st->raw_status, sizeof(st->raw_status)));
    FUZZ_CHECK(st->progress >= -1 && st->progress <= 100);
    if (rc == -EPROTO || st->state == PROVIDER_TASK_FAILED) {
        FUZZ_CHECK(st->state == PROVIDER_TASK_FAILED);
        FUZZ_CHECK_LINE(st->error);
        FUZZ_CHECK(strlen(st->error) <= FUZZ_MAX_ERROR);
        FUZZ_CHECK(st->error_code && *st->error_code);
        return;
    }
    FUZZ_CHECK(!st->error);
    if (is_submit)
        FUZZ_CHECK(st->task_id && *st->task_id);
    if (st->state == PROVIDER_TASK_SUCCEEDED)
        FUZZ_CHECK((st->video_url && *st->video_url) || st->video_base64);
    else
        FUZZ_CHECK(st->state == PROVIDER_TASK_PENDING);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct provider_reply reply;
    struct provider_job job;
    cJSON *request;
    char *body;
    int rc;

    if (size < 3)
        return -1;
    request = cJSON_Parse(requests[data[2] % 3]);
    if (!request)
        abort();
    memset(&job, 0, sizeof(job));
    job.model_id = "kling-v2-6";
    job.request = request;
    job.idempotency_key = "0123456789abcdef";
    job.task_id = "image2video/123";
    job.config = &config;
    job.now = 1790000000;
    body = fuzz_text(data + 3, size - 3);
    reply.status = (long)data[0] << 8 | data[1];
    reply.body = body;
    reply.body_size = size - 3;

    for (size_t i = 0; i < sizeof(cloud) / sizeof(cloud[0]); i++) {
        struct provider_status st;

        memset(&st, 0, sizeof(st));
        rc = provider_parse_submit(cloud[i], &job, &reply, &st);
        check_status(rc, &st, true);
        if (st.task_id)
            check_poll(cloud[i], &job, st.task_id);
        check_poll(cloud[i], &job, body);
        job.task_id = "image2video/123";
        provider_status_release(&st);
        memset(&st, 0, sizeof(st));
        rc = provider_parse_poll(cloud[i], &job, &reply, &st);
        check_status(rc, &st, false);
        provider_status_release(&st);
    }
    for (size_t i = 0; i < sizeof(uploaders) / sizeof(uploaders[0]); i++) {
        char *url = NULL, *err = NULL;

        rc = provider_parse_upload(uploaders[i], &reply, &url, &err);
        FUZZ_CHECK(rc <= 0);
        if (rc == 0) {
            FUZZ_CHECK(url && *url && !err);
        } else {
            FUZZ_CHECK(!url);
            FUZZ_CHECK_LINE(err);
            FUZZ_CHECK(strlen(err) <= FUZZ_MAX_ERROR);
        }
        free(url);
        free(err);
    }
    free(body);
    cJSON_Delete(request);
    return 0;
}
