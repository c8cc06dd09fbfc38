/*
 * Unit tests for the model catalog (providers/catalog.c, catalog_doc.c):
 * loading, lookups, defaults, assets, image transport, and the generated
 * MODEL.md, request.example.json and README.txt.
 */
#include "tests/unit/catalog_fixture.h"

static void loads_and_lists_enabled_models(void)
{
    struct catalog *cat = load();
    const struct catalog_model *m;

    /* The local model first, then every cloud model of the seeds. */
    CHECK_INT_EQ(catalog_model_count(cat), 25);
    m = catalog_model_at(cat, 0);
    CHECK_STR_EQ(catalog_model_folder(m), "local/kenburns");
    CHECK_STR_EQ(catalog_model_id(m), "kenburns");
    CHECK_STR_EQ(catalog_model_provider(m), "local");
    CHECK(!catalog_model_needs_request(m));
    CHECK(catalog_model_at(cat, 24) != NULL);
    CHECK(catalog_model_at(cat, 25) == NULL);
    catalog_free(cat);
    catalog_free(NULL);
}

static void finds_models_by_path(void)
{
    struct catalog *cat = load();
    const char *rest = "unset";

    CHECK(catalog_find(cat, "local/kenburns", &rest) != NULL);
    CHECK_STR_EQ(rest, "");
    CHECK(catalog_find(cat, "local/kenburns/trip/a.jpg", &rest) != NULL);
    CHECK_STR_EQ(rest, "trip/a.jpg");
    CHECK(catalog_find(cat, "local/kenburns/a.jpg", NULL) != NULL);
    CHECK(catalog_find(cat, "local/kenburnsx/a.jpg", &rest) == NULL);
    CHECK(catalog_find(cat, "local", &rest) == NULL);
    CHECK(catalog_find(cat, "", &rest) == NULL);
    /* Cloud models have their folders. */
    CHECK(catalog_find(cat, "gateway/klingai/kling-v2.6-i2v/a.png", &rest) !=
          NULL);
    CHECK_STR_EQ(rest, "a.png");
    CHECK(catalog_find(cat, "gateway/klingai/kling-v2.6-i2vx/a.png", &rest) ==
          NULL);

    CHECK(catalog_is_route_dir(cat, ""));
    CHECK(catalog_is_route_dir(cat, "local"));
    CHECK(!catalog_is_route_dir(cat, "local/kenburns"));
    CHECK(!catalog_is_route_dir(cat, "local/kenburns/trip"));
    CHECK(!catalog_is_route_dir(cat, "loc"));
    CHECK(catalog_is_route_dir(cat, "gateway"));
    CHECK(catalog_is_route_dir(cat, "gateway/klingai"));
    CHECK(!catalog_is_route_dir(cat, "gateway/klingai/kling-v2.6-i2v"));
    CHECK(!catalog_is_route_dir(cat, "other"));
    catalog_free(cat);
}

static void cloud_model_entry_is_complete(void)
{
    struct catalog *cat = load_all();
    const struct catalog_model *m;
    const char *rest = NULL;

    /* kenburns and every cloud model of the seeds (test_catalog_cloud). */
    CHECK_INT_EQ(catalog_model_count(cat), 25);
    m = catalog_find(cat, "gateway/klingai/kling-v2.6-i2v/x/a.png", &rest);
    CHECK(m != NULL);
    CHECK_STR_EQ(rest, "x/a.png");
    CHECK_STR_EQ(catalog_model_id(m), "klingai/kling-v2.6-i2v");
    CHECK_STR_EQ(catalog_model_provider(m), "gateway");
    CHECK(catalog_model_needs_request(m));
    CHECK(catalog_is_route_dir(cat, "gateway"));
    CHECK(catalog_is_route_dir(cat, "gateway/klingai"));
    CHECK(!catalog_is_route_dir(cat, "gateway/klingai/kling-v2.6-i2v"));
    catalog_free(cat);
}

static void defaults_of_the_local_model(void)
{
    struct catalog *cat = load();
    cJSON *d = catalog_model_defaults(model(cat, "local/kenburns"));

    CHECK_DBL_NEAR(cJSON_GetObjectItem(d, "duration")->valuedouble, 5, 0);
    CHECK_DBL_NEAR(cJSON_GetObjectItem(d, "fps")->valuedouble, 24, 0);
    CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(d, "resolution")),
                 "720p");
    CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(d, "aspectRatio")),
                 "16:9");
    CHECK(cJSON_GetObjectItem(d, "providerOptions") == NULL);
    CHECK(cJSON_GetObjectItem(d, "generateAudio") == NULL);
    CHECK_INT_EQ(cJSON_GetArraySize(d), 4);
    cJSON_Delete(d);
    catalog_free(cat);
}

static void assets_are_file_names_only(void)
{
    struct catalog *cat = load_all();
    const struct catalog_model *m = model(cat, "local/kenburns");
    const struct catalog_model *k =
        model(cat, "gateway/klingai/kling-v2.6-i2v");
    char **names = NULL;
    cJSON *req = cJSON_Parse(
        "{\"prompt\": {\"image\": \"first.png\"}, \"providerOptions\": "
        "{\"local\": {\"imageTail\": \"end.png\", \"staticMask\": "
        "\"data:image/png;base64,AAAA\"}, \"bytedance\": {\"lastFrameImage\": "
        "\"https://example.com/l.png\", \"referenceImages\": [\"x.png\"]}, "
        "\"klingai\": {\"staticMask\": \"mask.png\"}}}");

    CHECK_INT_EQ(catalog_assets(m, req, &names), 3);
    CHECK_STR_EQ(names[0], "first.png");
    CHECK_STR_EQ(names[1], "end.png");
    CHECK_STR_EQ(names[2], "mask.png");
    CHECK(names[3] == NULL);
    catalog_names_free(names);
    cJSON_Delete(req);

    req = cJSON_Parse("{\"providerOptions\": {\"klingai\": {\"dynamicMasks\": "
                      "[{\"mask\": \"m1.png\", \"trajectories\": []}, "
                      "{\"mask\": \"m2.png\"}, {\"mask\": \"m1.png\"}], "
                      "\"imageTail\": \"../../etc/passwd\"}}}");
    CHECK_INT_EQ(catalog_assets(k, req, &names), 2);
    CHECK_STR_EQ(names[0], "m1.png");
    CHECK_STR_EQ(names[1], "m2.png");
    catalog_names_free(names);
    cJSON_Delete(req);

    req = cJSON_Parse("{\"duration\": 5}");
    CHECK_INT_EQ(catalog_assets(m, req, &names), 0);
    CHECK(names != NULL && names[0] == NULL);
    catalog_names_free(names);
    catalog_names_free(NULL);
    cJSON_Delete(req);
    catalog_free(cat);
}

static void check_docs_of(const struct catalog_model *m)
{
    char *doc = catalog_model_doc(m), *example = catalog_model_example(m);
    cJSON *ex = cJSON_Parse(example), *req = catalog_model_defaults(m);
    char *err = NULL;

    CHECK_STR_CONTAINS(doc, "# ");
    CHECK_STR_CONTAINS(doc, catalog_model_folder(m));
    CHECK_STR_CONTAINS(doc, "| Option | Type | Allowed | Default |");
    CHECK_STR_CONTAINS(doc, "| `duration` |");
    CHECK_STR_CONTAINS(doc, "## How images travel");
    CHECK_STR_CONTAINS(doc, "## Example");
    /* The example is in MODEL.md as it is in request.example.json. */
    CHECK_STR_CONTAINS(doc, example);
    CHECK(ex != NULL && cJSON_IsObject(ex));
    /* Valid on its own, and over the defaults. */
    CHECK_INT_EQ(catalog_validate(m, ex, &err), 0);
    if (err)
        fprintf(stderr, "example of %s: %s\n", catalog_model_folder(m), err);
    free(err);
    {
        cJSON *it;

        cJSON_ArrayForEach(it, ex)
        {
            cJSON_DeleteItemFromObject(req, it->string);
            cJSON_AddItemToObject(req, it->string, cJSON_Duplicate(it, true));
        }
    }
    CHECK_INT_EQ(catalog_validate(m, req, &err), 0);
    free(err);
    CHECK(example[strlen(example) - 1] == '\n');
    cJSON_Delete(ex);
    cJSON_Delete(req);
    free(doc);
    free(example);
}

static void docs_and_examples(void)
{
    struct catalog *cat = load();
    struct catalog *all = load_all();
    char *doc;

    for (size_t i = 0; i < catalog_model_count(cat); i++)
        check_docs_of(catalog_model_at(cat, i));
    for (size_t i = 0; i < catalog_model_count(all); i++)
        check_docs_of(catalog_model_at(all, i));
    doc = catalog_model_doc(model(cat, "local/kenburns"));
    CHECK_STR_CONTAINS(doc, "| `fps` | integer | 1 to 60 | 24 |");
    CHECK_STR_CONTAINS(doc, "| `resolution` | string | 480p, 720p, 1080p, or "
                            "\"WxH\" in even numbers from 16x16 up to "
                            "3840x2160 | \"720p\" |");
    CHECK_STR_CONTAINS(doc, "generateAudio and seed are accepted and ignored");
    CHECK_STR_CONTAINS(doc, "`providerOptions.local.imageTail` or "
                            "`providerOptions.local.lastFrameImage`; "
                            "`providerOptions.local.cameraControl`");
    CHECK_STR_CONTAINS(doc, "`klingai`, `vertex`, `google`, `bytedance`, "
                            "`alibaba`, `xai`");
    CHECK_STR_CONTAINS(doc, "- Formats: jpeg, png, webp");
    CHECK_STR_CONTAINS(doc, "## Rules");
    free(doc);
    doc = catalog_model_doc(model(all, "gateway/klingai/kling-v2.6-i2v"));
    CHECK_STR_CONTAINS(doc, "| `duration` | number | 5, 10 | 5 |");
    CHECK_STR_CONTAINS(doc, "nothing runs until a `request.json`");
    CHECK_STR_CONTAINS(doc, "- `aspectRatio`: the video follows the shape");
    CHECK_STR_CONTAINS(doc, "raw base64 (no data: prefix)");
    CHECK_STR_CONTAINS(doc, "Size: at most 10485760 bytes (10 MB)");
    CHECK_STR_CONTAINS(doc, "## Rules");
    free(doc);
    catalog_free(all);
    catalog_free(cat);
}

static void readme_explains_the_mount(void)
{
    struct catalog *cat = load();
    char *readme = catalog_readme(cat);

    CHECK_STR_CONTAINS(readme, "local/kenburns/");
    CHECK_STR_CONTAINS(readme, "request.json");
    CHECK_STR_CONTAINS(readme, "out/photo.json");
    CHECK_STR_CONTAINS(readme, "MODEL.md");
    for (const char *const *s =
             (const char *const[]){ "waiting", "queued", "uploading",
                                    "submitted", "running", "downloading",
                                    "succeeded", "failed", "canceled",
                                    "progress", "error", "output", NULL };
         *s; s++)
        CHECK_STR_CONTAINS(readme, *s);
    /* Every enabled model is listed. */
    CHECK_STR_CONTAINS(readme, "kling-v2.6");
    free(readme);
    catalog_free(cat);
}

struct seen_images {
    char text[512];
};

static void seen_image_cb(void *arg, const char *path, const char *value)
{
    struct seen_images *seen = arg;
    size_t n = strlen(seen->text);

    snprintf(seen->text + n, sizeof(seen->text) - n, "%s=%.12s;", path, value);
}

static void image_options_and_transport(void)
{
    struct catalog *cat = load_all();
    const struct catalog_model *kling =
        catalog_find_model_by_folder(cat, "gateway/klingai/kling-v2.6-i2v");
    const struct catalog_model *wan =
        catalog_find_model_by_folder(cat, "gateway/alibaba/wan-v2.6-i2v");
    const struct catalog_model *local =
        catalog_find_model_by_folder(cat, "local/kenburns");
    cJSON *req = cJSON_Parse(
        "{\"prompt\":{\"text\":\"x\",\"image\":\"start.png\"},"
        "\"providerOptions\":{\"klingai\":{\"imageTail\":"
        "\"https://example.com/end.png\",\"staticMask\":\"mask.png\","
        "\"dynamicMasks\":[{\"mask\":\"dm.png\",\"trajectories\":"
        "[{\"x\":1,\"y\":2},{\"x\":3,\"y\":4}]}]}}}");
    struct seen_images seen = { "" };

    CHECK(kling && wan && local);
    if (!kling || !wan || !local)
        goto out;
    CHECK_INT_EQ(catalog_image_options(kling, req, seen_image_cb, &seen), 4);
    CHECK_STR_EQ(seen.text,
                 "prompt.image=start.png;"
                 "providerOptions.klingai.imageTail=https://exam;"
                 "providerOptions.klingai.staticMask=mask.png;"
                 "providerOptions.klingai.dynamicMasks[0].mask=dm.png;");
    CHECK(catalog_model_takes_base64(kling));
    CHECK(catalog_model_takes_url(kling));
    CHECK(!catalog_model_uploads_first(kling));
    CHECK(!catalog_model_takes_base64(wan));
    CHECK(catalog_model_takes_url(wan));
    CHECK(catalog_model_uploads_first(wan));
    CHECK(!catalog_model_takes_url(local));
out:
    cJSON_Delete(req);
    catalog_free(cat);
}

CHECK_MAIN(CHECK_CASE(loads_and_lists_enabled_models),
           CHECK_CASE(image_options_and_transport),
           CHECK_CASE(finds_models_by_path),
           CHECK_CASE(cloud_model_entry_is_complete),
           CHECK_CASE(defaults_of_the_local_model),
           CHECK_CASE(assets_are_file_names_only),
           CHECK_CASE(docs_and_examples), CHECK_CASE(readme_explains_the_mount))
