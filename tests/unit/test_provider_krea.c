/*
 * Unit tests for the Krea API client (providers/krea*.c): the asset upload
 * description, every seed example's request body (images as URLs), every
 * job status, error bodies and malformed replies, all from the recorded
 * replies in tests/fixtures/krea/. No network.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/fsutil.h"
#include "core/json.h"
#include "core/mem.h"
#include "providers/krea_impl.h"
#include "providers/provider.h"
#include "tests/check.h"

#define FIXTURES "tests/fixtures/krea"
#define SEEDS    "tests/fixtures/seeds/krea"
#define ASSETS   "https://gen.krea.ai/assets/"
#define JOB_ID   "550e8400-e29b-41d4-a716-446655440000"

extern const struct provider provider_krea;

static const struct provider_config config = {
    .base_url = "http://127.0.0.1:8098",
    .api_key = "krea-key-123",
};

/* The file's text (caller frees), or NULL with a failed check. */
static char *read_text(const char *path, size_t *size)
{
    char *data = NULL;
    size_t n = 0;
    int rc = fsutil_read_file(path, 1 << 20, &data, &n);

    CHECK_INT_EQ(rc, 0);
    if (rc < 0) {
        fprintf(stderr, "cannot read %s\n", path);
        return NULL;
    }
    if (size)
        *size = n;
    return data;
}

static cJSON *read_json(const char *path)
{
    char *text = read_text(path, NULL);
    cJSON *root = NULL;
    char *err = NULL;

    if (!text)
        return NULL;
    if (json_parse(text, strlen(text), &root, &err) < 0) {
        fprintf(stderr, "%s: %s\n", path, err);
        CHECK(!"fixture is JSON");
    }
    free(err);
    free(text);
    return root;
}

/* Compares two JSON values field by field, naming the first difference. */
static void check_json(const cJSON *want, const cJSON *got, const char *where)
{
    const cJSON *item;

    if (cJSON_IsObject(want) && cJSON_IsObject(got)) {
        cJSON_ArrayForEach(item, want)
        {
            const cJSON *other =
                cJSON_GetObjectItemCaseSensitive(got, item->string);
            char *sub = xasprintf("%s.%s", where, item->string);

            if (!other) {
                fprintf(stderr, "%s: missing\n", sub);
                CHECK(!"field present");
            } else {
                check_json(item, other, sub);
            }
            free(sub);
        }
        cJSON_ArrayForEach(item, got)
        {
            if (!cJSON_GetObjectItemCaseSensitive(want, item->string)) {
                fprintf(stderr, "%s.%s: not expected\n", where, item->string);
                CHECK(!"no extra field");
            }
        }
        return;
    }
    if (!cJSON_Compare(want, got, true)) {
        char *a = cJSON_PrintUnformatted(want);
        char *b = cJSON_PrintUnformatted(got);

        fprintf(stderr, "%s: want %s, got %s\n", where, a, b);
        CHECK(!"same value");
        cJSON_free(a);
        cJSON_free(b);
    }
}

/* No string anywhere in v starts with "data:". */
static void check_no_data_uri(const cJSON *v)
{
    const cJSON *item;

    if (cJSON_IsString(v))
        CHECK(strncmp(v->valuestring, "data:", 5) != 0);
    cJSON_ArrayForEach(item, v)
    {
        check_no_data_uri(item);
    }
}

/* Images as the engine would hand them over, and what owns their text. */
struct resolved {
    struct provider_image images[16];
    size_t count;
    char *owned[32];
    size_t owned_count;
};

static const char *own(struct resolved *r, char *s)
{
    r->owned[r->owned_count++] = s;
    return s;
}

static void resolved_release(struct resolved *r)
{
    for (size_t i = 0; i < r->owned_count; i++)
        free(r->owned[i]);
    memset(r, 0, sizeof(*r));
}

static bool is_url(const char *s)
{
    return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

/* Adds the image at path: a URL as it is, a local file at url. */
static void resolve_one(struct resolved *r, const char *path, const char *url)
{
    struct provider_image *img = &r->images[r->count++];

    img->path = own(r, xstrdup(path));
    img->url = own(r, xstrdup(url));
    img->mime = "image/jpeg";
}

static const cJSON *at(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/*
 * Resolves every image of a Krea request as the engine does: URLs as they
 * are, a local file to ASSETS<name>, or to upload_url when given.
 */
static void resolve_krea(struct resolved *r, const cJSON *request,
                         const char *upload_url)
{
    const cJSON *opts = at(at(request, "providerOptions"), "krea");
    const cJSON *start = at(at(request, "prompt"), "image");
    const cJSON *ref;
    size_t i = 0;
    struct {
        const char *path;
        const cJSON *value;
    } one[] = {
        { "image", start },
        { "providerOptions.krea.endImage", at(opts, "endImage") },
    };

    for (size_t k = 0; k < 2; k++) {
        const char *v = cJSON_GetStringValue(one[k].value);
        char *url;

        if (!v)
            continue;
        url = is_url(v)    ? xstrdup(v)
              : upload_url ? xstrdup(upload_url)
                           : xasprintf(ASSETS "%s", v);
        resolve_one(r, one[k].path, url);
        free(url);
    }
    cJSON_ArrayForEach(ref, at(opts, "referenceImages"))
    {
        char *path =
            xasprintf("providerOptions.krea.referenceImages[%zu]", i++);
        char *url = is_url(ref->valuestring)
                        ? xstrdup(ref->valuestring)
                        : xasprintf(ASSETS "%s", ref->valuestring);

        resolve_one(r, path, url);
        free(url);
        free(path);
    }
}

static struct provider_job make_job(const char *model, const cJSON *request,
                                    const struct resolved *r)
{
    struct provider_job job = {
        .model_id = model,
        .request = request,
        .images = r ? r->images : NULL,
        .image_count = r ? r->count : 0,
        .idempotency_key = "job-0123456789abcdef",
        .config = &config,
        .now = 1767225600,
    };
    return job;
}

static const char *header(const struct provider_http *http, const char *name)
{
    size_t n = strlen(name);

    for (size_t i = 0; http->headers[i]; i++) {
        if (strncasecmp(http->headers[i], name, n) == 0 &&
            http->headers[i][n] == ':')
            return http->headers[i] + n + 2;
    }
    return NULL;
}

/* Builds the submit for job and compares its body with want. */
static void check_body(const struct provider_job *job, const cJSON *want,
                       const char *where)
{
    struct provider_http http = { 0 };
    char *err = NULL;
    cJSON *got = NULL;
    char *url;
    int rc = provider_build_submit(&provider_krea, job, &http, &err);

    CHECK_INT_EQ(rc, 0);
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", where, err);
        free(err);
        return;
    }
    CHECK_STR_EQ(http.method, "POST");
    url = xasprintf("http://127.0.0.1:8098/generate/video/%s", job->model_id);
    CHECK_STR_EQ(http.url, url);
    free(url);
    CHECK_STR_EQ(header(&http, "Authorization"), "Bearer krea-key-123");
    CHECK_STR_EQ(header(&http, "Content-Type"), "application/json");
    CHECK(http.form_file == NULL);
    CHECK_INT_EQ(json_parse(http.body, http.body_size, &got, &err), 0);
    check_json(want, got, where);
    check_no_data_uri(got);
    /* Krea takes the duration as a number */
    if (at(got, "duration"))
        CHECK(cJSON_IsNumber(at(got, "duration")));
    cJSON_Delete(got);
    free(err);
    provider_http_release(&http);
}

/* "kling-kling-2.5" (a seed folder) → "kling/kling-2.5" (the model id). */
static char *model_of(const char *folder)
{
    char *id = xstrdup(folder);
    char *dash = strchr(id, '-');

    if (dash)
        *dash = '/';
    return id;
}

/* Reads an upload reply fixture through parse_upload. */
static int upload_reply(const char *file, long status, char **url, char **err)
{
    char *path = xasprintf(FIXTURES "/%s", file);
    size_t size = 0;
    char *body = read_text(path, &size);
    struct provider_reply reply = { .status = status,
                                    .body = body,
                                    .body_size = size };
    int rc = provider_parse_upload(&provider_krea, &reply, url, err);

    free(body);
    free(path);
    return rc;
}

static void check_seed(const char *folder, const char *file)
{
    char *seed_path = xasprintf(SEEDS "/%s/%s", folder, file);
    char *want_path = xasprintf(FIXTURES "/requests/%s-%s", folder, file);
    char *model = model_of(folder);
    cJSON *request = read_json(seed_path);
    cJSON *want = read_json(want_path);
    char *uploaded = NULL, *err = NULL;
    struct resolved r = { 0 };
    struct provider_job job;

    /* a local file goes up with POST /assets first; its URL comes back */
    CHECK_INT_EQ(upload_reply("upload_ok.json", 200, &uploaded, &err), 0);
    resolve_krea(&r, request, uploaded);
    CHECK(r.count > 0);
    job = make_job(model, request, &r);
    if (request && want)
        check_body(&job, want, seed_path);
    resolved_release(&r);
    free(uploaded);
    free(err);
    cJSON_Delete(want);
    cJSON_Delete(request);
    free(model);
    free(want_path);
    free(seed_path);
}

static void test_seed_examples(void)
{
    DIR *models = opendir(SEEDS);
    struct dirent *m;
    int seen = 0;

    CHECK(models != NULL);
    while (models && (m = readdir(models))) {
        char *dir;
        DIR *files;
        struct dirent *f;

        if (m->d_name[0] == '.')
            continue;
        dir = xasprintf(SEEDS "/%s", m->d_name);
        files = opendir(dir);
        CHECK(files != NULL);
        while (files && (f = readdir(files))) {
            if (!strstr(f->d_name, ".json"))
                continue;
            check_seed(m->d_name, f->d_name);
            seen++;
        }
        if (files)
            closedir(files);
        free(dir);
    }
    if (models)
        closedir(models);
    CHECK_INT_EQ(seen, 2);
}

/* A job file of tests/fixtures/krea/jobs, its first frame at first_url. */
static void check_job(const char *model, const char *name,
                      const char *first_url)
{
    char *job_path = xasprintf(FIXTURES "/jobs/%s.json", name);
    char *want_path = xasprintf(FIXTURES "/requests/%s.json", name);
    cJSON *request = read_json(job_path);
    cJSON *want = read_json(want_path);
    struct resolved r = { 0 };
    struct provider_job job;

    if (first_url)
        resolve_one(&r, "image", first_url);
    resolve_krea(&r, request, NULL);
    job = make_job(model, request, &r);
    if (request && want)
        check_body(&job, want, job_path);
    resolved_release(&r);
    cJSON_Delete(want);
    cJSON_Delete(request);
    free(want_path);
    free(job_path);
}

static void test_every_model_and_option(void)
{
    check_job("kling/kling-2.5", "kling-kling-2.5-end", NULL);
    check_job("google/veo-3.1", "google-veo-3.1-full", NULL);
    check_job("minimax/hailuo-2.3", "minimax-hailuo-2.3-full",
              ASSETS "cat.jpg");
    check_job("alibaba/wan-2.5", "alibaba-wan-2.5-full", ASSETS "lake.png");
}

static cJSON *parse(const char *text)
{
    cJSON *root = NULL;
    char *err = NULL;

    CHECK_INT_EQ(json_parse(text, strlen(text), &root, &err), 0);
    free(err);
    return root;
}

static void test_images_must_be_urls(void)
{
    cJSON *request = parse("{\"prompt\":{\"text\":\"x\",\"image\":\"a.png\"},"
                           "\"providerOptions\":{\"krea\":{\"endImage\":"
                           "\"b.png\"}}}");
    struct resolved r = { 0 };
    struct provider_job job;
    struct provider_http http = { 0 };
    char *err = NULL;

    /* inline bytes that were not uploaded are never sent (no data: URI) */
    r.images[0] = (struct provider_image){
        .path = "image", .base64 = "iVBORw==", .mime = "image/png"
    };
    r.count = 1;
    job = make_job("kling/kling-2.5", request, &r);
    CHECK_INT_EQ(provider_build_submit(&provider_krea, &job, &http, &err),
                 -EINVAL);
    CHECK_STR_CONTAINS(err, "image");
    CHECK_STR_CONTAINS(err, "URL");
    CHECK(http.body == NULL && http.url == NULL);
    free(err);
    err = NULL;

    /* the end frame likewise, naming its option */
    r.images[0] =
        (struct provider_image){ .path = "image", .url = ASSETS "a.png" };
    CHECK_INT_EQ(provider_build_submit(&provider_krea, &job, &http, &err),
                 -EINVAL);
    CHECK_STR_CONTAINS(err, "providerOptions.krea.endImage");
    free(err);
    provider_http_release(&http);
    cJSON_Delete(request);
}

static void test_duration_is_a_number(void)
{
    cJSON *request = parse("{\"prompt\":\"x\",\"duration\":6,"
                           "\"providerOptions\":{\"krea\":"
                           "{\"pollIntervalMs\":500}}}");
    struct resolved r = { 0 };
    struct provider_job job;
    struct provider_http http = { 0 };
    char *err = NULL;
    cJSON *got = NULL;

    resolve_one(&r, "image", ASSETS "x.png");
    job = make_job("minimax/hailuo-2.3", request, &r);
    CHECK_INT_EQ(provider_build_submit(&provider_krea, &job, &http, &err), 0);
    CHECK_INT_EQ(json_parse(http.body, http.body_size, &got, &err), 0);
    CHECK(cJSON_IsNumber(at(got, "duration")));
    CHECK_INT_EQ(at(got, "duration")->valueint, 6);
    CHECK(strstr(http.body, "\"duration\":6") != NULL);
    /* the engine's poll timing never travels */
    CHECK(at(got, "poll_interval_ms") == NULL);
    CHECK(at(got, "pollIntervalMs") == NULL);
    cJSON_Delete(got);
    provider_http_release(&http);
    resolved_release(&r);
    cJSON_Delete(request);
}

static void test_keys_and_urls(void)
{
    static const struct provider_config blank = { .api_key = "  " };
    static const struct provider_config defaults = { .api_key = " k \n" };
    cJSON *request = parse("{\"prompt\":\"x\"}");
    struct provider_job job = make_job("google/veo-3.1", request, NULL);
    struct provider_http http = { 0 };
    char *err = NULL;

    job.config = &blank;
    CHECK_INT_EQ(provider_build_submit(&provider_krea, &job, &http, &err),
                 -ENOKEY);
    CHECK_STR_EQ(err, "set KREA_API_KEY to use Krea models");
    CHECK(http.url == NULL && http.headers[0] == NULL);
    free(err);
    err = NULL;
    CHECK_INT_EQ(provider_build_upload(&provider_krea, &blank, "/tmp/a.png",
                                       "00", "image/png", &http, &err),
                 -ENOKEY);
    free(err);
    err = NULL;
    job.task_id = JOB_ID;
    CHECK_INT_EQ(provider_build_poll(&provider_krea, &job, &http, &err),
                 -ENOKEY);
    free(err);
    err = NULL;

    job.config = &defaults;
    CHECK_INT_EQ(provider_build_submit(&provider_krea, &job, &http, &err), 0);
    CHECK_STR_EQ(http.url, "https://api.krea.ai/generate/video/google/veo-3.1");
    CHECK_STR_EQ(header(&http, "Authorization"), "Bearer k");
    provider_http_release(&http);

    job.model_id = "veo-3.1";
    CHECK_INT_EQ(provider_build_submit(&provider_krea, &job, &http, &err),
                 -EINVAL);
    CHECK_STR_CONTAINS(err, "veo-3.1");
    free(err);
    provider_http_release(&http);
    cJSON_Delete(request);
}

static void test_poll_and_cancel_requests(void)
{
    struct provider_job job = make_job("kling/kling-2.5", NULL, NULL);
    struct provider_http http = { 0 };
    char *err = NULL;

    job.task_id = JOB_ID;
    CHECK_INT_EQ(provider_build_poll(&provider_krea, &job, &http, &err), 0);
    CHECK_STR_EQ(http.method, "GET");
    CHECK_STR_EQ(http.url, "http://127.0.0.1:8098/jobs/" JOB_ID);
    CHECK_STR_EQ(header(&http, "Authorization"), "Bearer krea-key-123");
    CHECK(http.body == NULL);
    provider_http_release(&http);

    CHECK_INT_EQ(provider_build_cancel(&provider_krea, &job, &http, &err), 0);
    CHECK_STR_EQ(http.method, "DELETE");
    CHECK_STR_EQ(http.url, "http://127.0.0.1:8098/jobs/" JOB_ID);
    CHECK_STR_EQ(header(&http, "Authorization"), "Bearer krea-key-123");
    provider_http_release(&http);

    job.task_id = "../assets";
    CHECK_INT_EQ(provider_build_poll(&provider_krea, &job, &http, &err), 0);
    CHECK_STR_EQ(http.url, "http://127.0.0.1:8098/jobs/..%2Fassets");
    provider_http_release(&http);

    job.task_id = NULL;
    CHECK_INT_EQ(provider_build_cancel(&provider_krea, &job, &http, &err),
                 -EINVAL);
    free(err);
}

static void test_upload_request(void)
{
    struct provider_http http = { 0 };
    char *err = NULL;

    CHECK_INT_EQ(provider_build_upload(&provider_krea, &config,
                                       "/store/krea/kling/kling-2.5/a b.jpg",
                                       "9f86d081884c7d659a2feaa0c55ad015a3bf4f"
                                       "1b2b0b822cd15d6c15b0f00a08",
                                       "image/jpeg", &http, &err),
                 0);
    CHECK_STR_EQ(http.method, "POST");
    CHECK_STR_EQ(http.url, "http://127.0.0.1:8098/assets");
    CHECK_STR_EQ(http.form_file, "/store/krea/kling/kling-2.5/a b.jpg");
    CHECK_STR_EQ(http.form_field, "file");
    CHECK_STR_EQ(http.form_mime, "image/jpeg");
    CHECK_STR_EQ(header(&http, "Authorization"), "Bearer krea-key-123");
    /* curl sets the multipart Content-Type and its boundary itself */
    CHECK(header(&http, "Content-Type") == NULL);
    CHECK(http.body == NULL && http.body_file == NULL);
    provider_http_release(&http);
}

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
    size_t size = 0;
    char *body = read_text(path, &size);
    struct provider_reply reply = { .status = status,
                                    .body = body,
                                    .body_size = size };
    int rc;

    job.task_id = JOB_ID;
    rc = submit ? provider_parse_submit(&provider_krea, &job, &reply, out)
                : provider_parse_poll(&provider_krea, &job, &reply, out);
    free(body);
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

static void test_identity(void)
{
    CHECK_STR_EQ(provider_krea.name, "krea");
    CHECK_INT_EQ(provider_krea.caps,
                 PROVIDER_CAP_CLOUD | PROVIDER_CAP_INPUT_IMAGE |
                     PROVIDER_CAP_UPLOAD | PROVIDER_CAP_CANCEL);
    CHECK_STR_EQ(provider_krea.uploader, "krea");
    CHECK(provider_krea.build_cancel && provider_krea.build_upload &&
          provider_krea.parse_upload);
}

CHECK_MAIN(CHECK_CASE(test_identity), CHECK_CASE(test_seed_examples),
           CHECK_CASE(test_every_model_and_option),
           CHECK_CASE(test_images_must_be_urls),
           CHECK_CASE(test_duration_is_a_number),
           CHECK_CASE(test_keys_and_urls),
           CHECK_CASE(test_poll_and_cancel_requests),
           CHECK_CASE(test_upload_request), CHECK_CASE(test_upload_replies),
           CHECK_CASE(test_parse_submit), CHECK_CASE(test_poll_statuses),
           CHECK_CASE(test_http_errors), CHECK_CASE(test_malformed_replies),
           CHECK_CASE(test_every_truncation))
