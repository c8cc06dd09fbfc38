/*
 * Unit tests for the Kling submit body (providers/kling_body.c): every seed
 * example's request body (images as URLs and as raw base64), every option,
 * and what cannot be sent. Auth is in test_provider_kling_auth.c, replies
 * in test_provider_kling_reply.c. No network.
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
#include "tests/check.h"
#include "tests/unit/kling_fixture.h"

/*
 * Adds the image at option path, whose request value is value (a URL in the
 * seeds). As base64, the bytes become a distinct base64 text, and want's
 * wire field (wire_obj.wire_key) is changed to match.
 */
static void resolve_one(struct resolved *r, const char *path, const char *value,
                        bool as_base64, cJSON *wire_obj, const char *wire_key)
{
    struct provider_image *img = &r->images[r->count++];

    img->path = own(r, xstrdup(path));
    img->mime = "image/png";
    if (!as_base64) {
        img->url = value;
        return;
    }
    img->base64 = own(r, xasprintf("iVBORw0KGgoAAAA%zuNSUhEUg+/==", r->count));
    if (wire_obj)
        cJSON_ReplaceItemInObjectCaseSensitive(wire_obj, wire_key,
                                               cJSON_CreateString(img->base64));
}

/* Resolves every image of a Kling request, as the engine does. */
static void resolve_kling(struct resolved *r, const cJSON *request,
                          bool as_base64, cJSON *want)
{
    const cJSON *opts = at(at(request, "providerOptions"), "klingai");
    const cJSON *prompt = at(request, "prompt");
    const cJSON *mask;
    size_t i = 0;

    if (cJSON_IsString(at(prompt, "image")))
        resolve_one(r, "image", at(prompt, "image")->valuestring, as_base64,
                    want, "image");
    if (cJSON_IsString(at(opts, "imageTail")))
        resolve_one(r, "providerOptions.klingai.imageTail",
                    at(opts, "imageTail")->valuestring, as_base64, want,
                    "image_tail");
    if (cJSON_IsString(at(opts, "staticMask")))
        resolve_one(r, "providerOptions.klingai.staticMask",
                    at(opts, "staticMask")->valuestring, as_base64, want,
                    "static_mask");
    cJSON_ArrayForEach(mask, at(opts, "dynamicMasks"))
    {
        char *path =
            xasprintf("providerOptions.klingai.dynamicMasks[%zu].mask", i);
        cJSON *wire = cJSON_GetArrayItem(at(want, "dynamic_masks"), (int)i);

        resolve_one(r, path, at(mask, "mask")->valuestring, as_base64, wire,
                    "mask");
        free(path);
        i++;
    }
}

static void check_body(const struct provider_job *job, const cJSON *want,
                       const char *family, const char *where)
{
    struct provider_http http = { 0 };
    char *err = NULL;
    cJSON *got = NULL;
    char *url;
    int rc = provider_build_submit(&provider_kling, job, &http, &err);

    CHECK_INT_EQ(rc, 0);
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", where, err);
        free(err);
        return;
    }
    CHECK_STR_EQ(http.method, "POST");
    url = xasprintf("http://127.0.0.1:8099/v1/videos/%s", family);
    CHECK_STR_EQ(http.url, url);
    free(url);
    CHECK_STR_EQ(header(&http, "Content-Type"), "application/json");
    CHECK(http.body && http.body_size == strlen(http.body));
    CHECK_INT_EQ(json_parse(http.body, http.body_size, &got, &err), 0);
    check_json(want, got, where);
    check_no_data_uri(got);
    /* Kling takes the duration as a string */
    if (at(got, "duration"))
        CHECK(cJSON_IsString(at(got, "duration")));
    cJSON_Delete(got);
    free(err);
    provider_http_release(&http);
}

/* Runs one seed example both ways: images as URLs and as raw base64. */
static void check_seed(const char *model, const char *file)
{
    char *seed_path = xasprintf(SEEDS "/%s/%s", model, file);
    char *want_path = xasprintf(FIXTURES "/requests/%s-%s", model, file);
    cJSON *request = read_json(seed_path);

    for (int as_base64 = 0; request && as_base64 <= 1; as_base64++) {
        cJSON *want = read_json(want_path);
        struct resolved r = { 0 };
        struct provider_job job;

        if (!want)
            break;
        resolve_kling(&r, request, as_base64, want);
        CHECK(r.count > 0);
        job = make_job(model, request, &r);
        check_body(&job, want, "image2video", seed_path);
        resolved_release(&r);
        cJSON_Delete(want);
    }
    cJSON_Delete(request);
    free(want_path);
    free(seed_path);
}

static void test_seed_examples(void)
{
    CHECK_INT_EQ(for_each_seed(SEEDS, check_seed), 4);
}

/* A job file of tests/fixtures/kling/jobs with its first frame at url. */
static void check_job(const char *model, const char *name,
                      const char *first_url, const char *family)
{
    char *job_path = xasprintf(FIXTURES "/jobs/%s.json", name);
    char *want_path = xasprintf(FIXTURES "/requests/%s.json", name);
    cJSON *request = read_json(job_path);
    cJSON *want = read_json(want_path);
    struct resolved r = { 0 };
    struct provider_job job;

    if (first_url)
        resolve_one(&r, "image", first_url, false, NULL, NULL);
    job = make_job(model, request, &r);
    if (request && want)
        check_body(&job, want, family, job_path);
    resolved_release(&r);
    cJSON_Delete(want);
    cJSON_Delete(request);
    free(want_path);
    free(job_path);
}

static void test_every_option(void)
{
    check_job("kling-v3", "kling-v3-full",
              "https://uploads.example.com/porch.png", "image2video");
    check_job("kling-v3", "kling-v3-elements",
              "https://uploads.example.com/hero.jpg", "image2video");
    check_job("kling-v1-5", "kling-v1-5-camera",
              "https://uploads.example.com/cat.jpg", "image2video");
}

static void test_text_to_video_without_image(void)
{
    check_job("kling-v3", "kling-v3-text", NULL, "text2video");
}

/* The body built for request (JSON text) with the given images. */
static cJSON *body_for(const char *request_text, struct resolved *r,
                       int *rc_out, char **err)
{
    cJSON *request = parse(request_text);
    struct provider_job job = make_job("kling-v2-6", request, r);
    struct provider_http http = { 0 };
    cJSON *got = NULL;
    char *perr = NULL;

    *rc_out = provider_build_submit(&provider_kling, &job, &http, err);
    if (*rc_out == 0)
        CHECK_INT_EQ(json_parse(http.body, http.body_size, &got, &perr), 0);
    free(perr);
    provider_http_release(&http);
    cJSON_Delete(request);
    return got;
}

static void test_base64_never_has_data_prefix(void)
{
    struct resolved r = { 0 };
    char *err = NULL;
    cJSON *got;
    int rc;

    r.images[0] = (struct provider_image){
        .path = "image",
        .base64 = "data:image/png;base64,iVBORw==",
        .mime = "image/png",
    };
    r.images[1] = (struct provider_image){
        .path = "providerOptions.klingai.imageTail",
        .base64 = "iVBORw==",
        .mime = "image/png",
    };
    r.count = 2;
    got = body_for("{\"prompt\":{\"text\":\"x\",\"image\":\"a.png\"},"
                   "\"providerOptions\":{\"klingai\":{\"imageTail\":\"b.png\","
                   "\"mode\":\"pro\"}}}",
                   &r, &rc, &err);
    CHECK_INT_EQ(rc, 0);
    CHECK_STR_EQ(cJSON_GetStringValue(at(got, "image")), "iVBORw==");
    CHECK_STR_EQ(cJSON_GetStringValue(at(got, "image_tail")), "iVBORw==");
    check_no_data_uri(got);
    cJSON_Delete(got);
    free(err);
}

static void test_first_frame_dropped_in_folder(void)
{
    struct resolved r = { 0 };
    char *err = NULL;
    cJSON *got;
    int rc;

    /* prompt is a plain string: the image is the file that made the job */
    r.images[0] = (struct provider_image){
        .path = "image", .base64 = "/9j/4AAQSkZJRg==", .mime = "image/jpeg"
    };
    r.count = 1;
    got = body_for("{\"prompt\":\"the cat blinks\",\"duration\":5}", &r, &rc,
                   &err);
    CHECK_INT_EQ(rc, 0);
    CHECK_STR_EQ(cJSON_GetStringValue(at(got, "image")), "/9j/4AAQSkZJRg==");
    CHECK_STR_EQ(cJSON_GetStringValue(at(got, "prompt")), "the cat blinks");
    CHECK_STR_EQ(cJSON_GetStringValue(at(got, "duration")), "5");
    cJSON_Delete(got);
    free(err);
}

static void test_duration_is_a_string(void)
{
    static const struct {
        const char *request, *want;
    } cases[] = {
        { "{\"prompt\":\"x\",\"duration\":5}", "5" },
        { "{\"prompt\":\"x\",\"duration\":10}", "10" },
        { "{\"prompt\":\"x\",\"duration\":15.0}", "15" },
        { "{\"prompt\":\"x\",\"duration\":5.5}", "5.5" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *err = NULL;
        int rc;
        cJSON *got = body_for(cases[i].request, NULL, &rc, &err);

        CHECK_INT_EQ(rc, 0);
        CHECK(cJSON_IsString(at(got, "duration")));
        CHECK_STR_EQ(cJSON_GetStringValue(at(got, "duration")), cases[i].want);
        cJSON_Delete(got);
        free(err);
    }
}

static void test_unresolved_image_is_refused(void)
{
    char *err = NULL;
    int rc;
    cJSON *got = body_for("{\"prompt\":{\"text\":\"x\",\"image\":\"a.png\"}}",
                          NULL, &rc, &err);

    CHECK_INT_EQ(rc, -EINVAL);
    CHECK(got == NULL);
    CHECK_STR_CONTAINS(err, "image");
    free(err);
    err = NULL;
    got = body_for("{\"prompt\":\"x\",\"providerOptions\":{\"klingai\":"
                   "{\"dynamicMasks\":[{\"mask\":\"m.png\",\"trajectories\":"
                   "[{\"x\":1,\"y\":2},{\"x\":3,\"y\":4}]}]}}}",
                   NULL, &rc, &err);
    CHECK_INT_EQ(rc, -EINVAL);
    CHECK_STR_CONTAINS(err, "providerOptions.klingai.dynamicMasks[0].mask");
    cJSON_Delete(got);
    free(err);
}

static void test_user_external_task_id_wins(void)
{
    char *err = NULL;
    int rc;
    cJSON *got = body_for("{\"prompt\":\"x\",\"providerOptions\":{\"klingai\":"
                          "{\"external_task_id\":\"mine-1\"}}}",
                          NULL, &rc, &err);
    int count = 0;
    const cJSON *item;

    CHECK_INT_EQ(rc, 0);
    cJSON_ArrayForEach(item, got)
    {
        count += strcmp(item->string, "external_task_id") == 0;
    }
    CHECK_INT_EQ(count, 1);
    CHECK_STR_EQ(cJSON_GetStringValue(at(got, "external_task_id")), "mine-1");
    cJSON_Delete(got);
    free(err);
}

CHECK_MAIN(CHECK_CASE(test_seed_examples), CHECK_CASE(test_every_option),
           CHECK_CASE(test_text_to_video_without_image),
           CHECK_CASE(test_base64_never_has_data_prefix),
           CHECK_CASE(test_first_frame_dropped_in_folder),
           CHECK_CASE(test_duration_is_a_string),
           CHECK_CASE(test_unresolved_image_is_refused),
           CHECK_CASE(test_user_external_task_id_wins))
