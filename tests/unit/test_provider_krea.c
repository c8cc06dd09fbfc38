/*
 * Unit tests for the Krea provider's requests (providers/krea.c,
 * krea_body.c): the body of every model and option, seed examples, images,
 * keys, URLs, poll, cancel and upload requests.
 */
#include "tests/unit/krea_fixture.h"

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
    CHECK_INT_EQ(for_each_seed(SEEDS, check_seed), 2);
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

    /* "." and ".." are escaped too: the id cannot step up the path. */
    job.task_id = "..";
    CHECK_INT_EQ(provider_build_poll(&provider_krea, &job, &http, &err), 0);
    CHECK_STR_EQ(http.url, "http://127.0.0.1:8098/jobs/%2E%2E");
    provider_http_release(&http);
    job.task_id = ".";
    CHECK_INT_EQ(provider_build_poll(&provider_krea, &job, &http, &err), 0);
    CHECK_STR_EQ(http.url, "http://127.0.0.1:8098/jobs/%2E");
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
           CHECK_CASE(test_upload_request))
