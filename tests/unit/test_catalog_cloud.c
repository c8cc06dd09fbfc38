/*
 * Unit tests for the cloud models of the catalog (providers/catalog.json):
 * every model the seed documents name is there, disabled, documents itself,
 * and the gateway's Veo, Wan, Grok and Seedance models enforce each seed
 * rule at its boundary with the exact message.
 */
#include "tests/unit/catalog_cloud_fixture.h"

static void every_seed_model_has_its_folder(void)
{
    struct catalog *cat = load();
    size_t n = 0;

    /* Every seed model has its folder, beside the local renderer. */
    CHECK_INT_EQ(catalog_model_count(cat), 25);
    CHECK(catalog_is_route_dir(cat, "gateway"));
    CHECK(catalog_is_route_dir(cat, "gateway/klingai"));
    CHECK(catalog_is_route_dir(cat, "kling"));
    CHECK(catalog_is_route_dir(cat, "krea/kling"));
    for (size_t l = 0; all_lists[l]; l++) {
        for (size_t i = 0; all_lists[l][i]; i++) {
            const char *folder = all_lists[l][i];
            const struct catalog_model *m = model(cat, folder);
            char *path = xasprintf("%s/a.png", folder);

            n++;
            if (!m) {
                free(path);
                continue;
            }
            CHECK_STR_EQ(catalog_model_folder(m), folder);
            CHECK(catalog_model_needs_request(m));
            CHECK(catalog_find(cat, path, NULL) == m);
            free(path);
        }
    }
    CHECK_INT_EQ(n, 24);
    CHECK_STR_EQ(
        catalog_model_id(model(cat, "gateway/google/veo-3.1-generate-001")),
        "google/veo-3.1-generate-001");
    CHECK_STR_EQ(
        catalog_model_provider(model(cat, "gateway/xai/grok-imagine-video")),
        "gateway");
    CHECK_STR_EQ(catalog_model_id(model(cat, "kling/kling-v2-master")),
                 "kling-v2-master");
    CHECK_STR_EQ(catalog_model_provider(model(cat, "kling/kling-v3")), "kling");
    CHECK_STR_EQ(catalog_model_id(model(cat, "krea/minimax/hailuo-2.3")),
                 "minimax/hailuo-2.3");
    CHECK_STR_EQ(catalog_model_provider(model(cat, "krea/alibaba/wan-2.5")),
                 "krea");
    /* Exact folders only; enabled ones are found too. */
    CHECK(catalog_find_model_by_folder(cat, "kling") == NULL);
    CHECK(catalog_find_model_by_folder(cat, "kling/kling-v3/x") == NULL);
    CHECK(catalog_find_model_by_folder(cat, "kling/kling-v9") == NULL);
    CHECK(catalog_find_model_by_folder(cat, "local/kenburns") ==
          catalog_model_at(cat, 0));
    catalog_free(cat);
}

/* MODEL.md and request.example.json of one model, and how images travel. */
static void check_docs_of(const struct catalog_model *m, const char *travel,
                          const char *not_travel)
{
    char *doc = catalog_model_doc(m), *example = catalog_model_example(m);
    cJSON *ex = cJSON_Parse(example), *req = catalog_model_defaults(m), *it;
    char *err = NULL;

    CHECK_STR_CONTAINS(doc, catalog_model_folder(m));
    CHECK_STR_CONTAINS(doc, catalog_model_id(m));
    CHECK_STR_CONTAINS(doc, "| Option | Type | Allowed | Default |");
    CHECK_STR_CONTAINS(doc, "| `duration` |");
    CHECK_STR_CONTAINS(doc, "| `prompt.image` |");
    CHECK_STR_CONTAINS(doc, "nothing runs until a `request.json`");
    CHECK_STR_CONTAINS(doc, travel);
    if (not_travel)
        CHECK(strstr(doc, not_travel) == NULL);
    CHECK_STR_CONTAINS(doc, example);
    CHECK(ex != NULL && cJSON_IsObject(ex));
    CHECK_INT_EQ(catalog_validate(m, ex, &err), 0);
    if (err)
        fprintf(stderr, "example of %s: %s\n", catalog_model_folder(m), err);
    free(err);
    err = NULL;
    cJSON_ArrayForEach(it, ex)
    {
        cJSON_DeleteItemFromObject(req, it->string);
        cJSON_AddItemToObject(req, it->string, cJSON_Duplicate(it, true));
    }
    CHECK_INT_EQ(catalog_validate(m, req, &err), 0);
    if (err)
        fprintf(stderr, "defaults of %s: %s\n", catalog_model_folder(m), err);
    free(err);
    cJSON_Delete(ex);
    cJSON_Delete(req);
    free(doc);
    free(example);
}

static void every_model_documents_itself(void)
{
    struct catalog *cat = load();
    char *doc;

    for (size_t i = 0; gateway_kling[i]; i++)
        check_docs_of(model(cat, gateway_kling[i]),
                      "- base64: a file here is sent inline", "- upload-first");
    for (size_t i = 0; gateway_veo[i]; i++)
        check_docs_of(model(cat, gateway_veo[i]),
                      "- base64: a file here is sent inline", "- upload-first");
    for (size_t i = 0; gateway_url_only[i]; i++)
        check_docs_of(model(cat, gateway_url_only[i]),
                      "- upload-first: a file here is uploaded first",
                      "- base64:");
    for (size_t i = 0; kling_direct[i]; i++)
        check_docs_of(model(cat, kling_direct[i]),
                      "- base64: a file here is sent inline as raw base64 "
                      "(no data: prefix)",
                      "- upload-first");
    for (size_t i = 0; krea[i]; i++)
        check_docs_of(model(cat, krea[i]),
                      "- upload-first: a file here is uploaded first",
                      "- base64:");

    /* The direct routes show wire names; the gateway takes ours. */
    doc = catalog_model_doc(model(cat, "kling/kling-v3"));
    CHECK_STR_CONTAINS(doc, "| Wire name |");
    CHECK_STR_CONTAINS(doc, "`providerOptions.klingai.cfgScale` | number | "
                            "0 to 1 | 0.5 | `cfg_scale` |");
    CHECK_STR_CONTAINS(doc, "| `duration` | integer | 3 to 15 | 5 |");
    CHECK_STR_CONTAINS(doc, "`providerOptions.klingai.voiceList`; "
                            "`providerOptions.klingai.elementList`");
    CHECK_STR_CONTAINS(doc, "- Formats: jpeg, png");
    CHECK_STR_CONTAINS(doc, "Aspect ratio (width / height): 0.4 to 2.5");
    CHECK_STR_CONTAINS(doc, "Width and height: at least 300 px");
    free(doc);
    doc = catalog_model_doc(model(cat, "gateway/google/veo-3.1-generate-001"));
    CHECK(strstr(doc, "| Wire name |") == NULL);
    CHECK_STR_CONTAINS(doc, "| `duration` | integer | 4, 6, 8 | 8 |");
    CHECK_STR_CONTAINS(doc, "| `resolution` | string | 720p, 1080p | "
                            "\"720p\" |");
    CHECK_STR_CONTAINS(doc, "| `providerOptions.vertex.personGeneration` | "
                            "string | dont_allow, allow_adult, allow_all | "
                            "allow_adult |");
    free(doc);
    doc = catalog_model_doc(model(cat, "gateway/alibaba/wan-v2.6-i2v"));
    CHECK_STR_CONTAINS(doc, "| `providerOptions.alibaba.audioUrl` | url | an "
                            "http(s) URL of a .wav or .mp3 file |");
    CHECK_STR_CONTAINS(doc, "BLOB_READ_WRITE_TOKEN");
    free(doc);
    doc = catalog_model_doc(model(cat, "krea/google/veo-3.1"));
    CHECK_STR_CONTAINS(doc, "| `prompt.image` | image |");
    CHECK_STR_CONTAINS(doc, "`start_image`");
    CHECK_STR_CONTAINS(doc, "`end_image`");
    CHECK_STR_CONTAINS(doc, "POST /assets");
    free(doc);
    /* Enabled models are listed in README.txt. */
    doc = catalog_readme(cat);
    CHECK_STR_CONTAINS(doc, "veo-3.1");
    free(doc);
    catalog_free(cat);
}

static void veo_duration_and_resolution(void)
{
    struct catalog *cat = load();

    for (size_t i = 0; gateway_veo[i]; i++) {
        const struct catalog_model *m = model(cat, gateway_veo[i]);
        const char *sn = short_name_of(gateway_veo[i]);
        char *msg;
        cJSON *d = catalog_model_defaults(m);

        CHECK_INT_EQ(cJSON_GetObjectItem(d, "duration")->valueint, 8);
        CHECK_STR_EQ(cJSON_GetObjectItem(d, "resolution")->valuestring, "720p");
        cJSON_Delete(d);
        EXPECT_OK(m, "{\"duration\": 4}");
        EXPECT_OK(m, "{\"duration\": 6}");
        EXPECT_OK(m, "{\"duration\": 8}");
        EXPECT_OK(m, "{\"resolution\": \"1080p\"}");
        msg = xasprintf("duration: 7 is not allowed for %s (allowed: 4, 6, 8)",
                        sn);
        EXPECT_ERR(m, "{\"duration\": 7}", msg);
        free(msg);
        msg = xasprintf("duration: 10 is not allowed for %s (allowed: 4, 6, "
                        "8)",
                        sn);
        EXPECT_ERR(m, "{\"duration\": 10}", msg);
        free(msg);
        msg = xasprintf("resolution: \"4k\" is not allowed for %s (allowed: "
                        "720p, 1080p)",
                        sn);
        EXPECT_ERR(m, "{\"resolution\": \"4k\"}", msg);
        free(msg);
    }
    {
        const struct catalog_model *m =
            model(cat, "gateway/google/veo-3.1-generate-001");

        EXPECT_ERR(m, "{\"duration\": 7}",
                   "duration: 7 is not allowed for veo-3.1-generate-001 "
                   "(allowed: 4, 6, 8)");
        EXPECT_PO_OK(m, "vertex",
                     "{\"resizeMode\": \"pad\", \"enhancePrompt\": false, "
                     "\"personGeneration\": \"dont_allow\", "
                     "\"negativePrompt\": \"blur\", \"generateAudio\": true}");
        EXPECT_PO_ERR(m, "vertex", "{\"resizeMode\": \"fit\"}",
                      "providerOptions.vertex.resizeMode: \"fit\" is not "
                      "allowed for veo-3.1-generate-001 (allowed: pad, crop)");
        EXPECT_PO_ERR(m, "vertex", "{\"personGeneration\": \"allow\"}",
                      "providerOptions.vertex.personGeneration: \"allow\" is "
                      "not allowed for veo-3.1-generate-001 (allowed: "
                      "dont_allow, allow_adult, allow_all)");
        EXPECT_ERR(m, "{\"fps\": 24}",
                   "fps: 24 is not supported by veo-3.1-generate-001 (Veo "
                   "chooses the frame rate)");
        EXPECT_PO_ERR(m, "klingai", "{}",
                      "unknown option \"providerOptions.klingai\"");
        EXPECT_PO_OK(m, "gateway", "{\"order\": [\"vertex\"]}");
    }
    catalog_free(cat);
}

static void wan_rules(void)
{
    struct catalog *cat = load();
    char *text = xcalloc(502, 1), *inner;

    memset(text, 'a', 501);
    for (size_t i = 0; i < 2; i++) {
        const struct catalog_model *m = model(cat, gateway_url_only[i]);
        const char *sn = short_name_of(gateway_url_only[i]);
        char *msg;

        /* The prompt is required, with its text. */
        EXPECT_ERR(m, "{}", "prompt is required");
        EXPECT_ERR(m, "{\"prompt\": {\"image\": \"cat.png\"}}",
                   "prompt.text is required");
        EXPECT_OK(m, "{\"prompt\": \"waves\"}");
        EXPECT_OK(m, "{\"prompt\": \"w\", \"duration\": 2}");
        EXPECT_OK(m, "{\"prompt\": \"w\", \"duration\": 15}");
        EXPECT_ERR(m, "{\"prompt\": \"w\", \"duration\": 1}",
                   "duration: 1 is out of range (allowed: 2 to 15)");
        EXPECT_ERR(m, "{\"prompt\": \"w\", \"duration\": 16}",
                   "duration: 16 is out of range (allowed: 2 to 15)");
        EXPECT_OK(m, "{\"prompt\": \"w\", \"resolution\": \"1920x1080\"}");
        msg = xasprintf("resolution: \"720p\" is not allowed for %s (allowed: "
                        "1280x720, 1920x1080)",
                        sn);
        EXPECT_ERR(m, "{\"prompt\": \"w\", \"resolution\": \"720p\"}", msg);
        free(msg);
        /* negativePrompt: 500 characters at most. */
        inner = xasprintf("{\"prompt\": \"w\", \"providerOptions\": "
                          "{\"alibaba\": {\"negativePrompt\": \"%s\"}}}",
                          text);
        EXPECT_ERR(m, inner,
                   "providerOptions.alibaba.negativePrompt: a text of 501 "
                   "characters is too long (allowed: at most 500 "
                   "characters)");
        free(inner);
        text[500] = '\0';
        inner = xasprintf("{\"prompt\": \"w\", \"providerOptions\": "
                          "{\"alibaba\": {\"negativePrompt\": \"%s\"}}}",
                          text);
        EXPECT_OK(m, inner);
        free(inner);
        text[500] = 'a';
        /* audioUrl: an http(s) URL of a WAV or MP3 file, never a file. */
        EXPECT_OK(m, "{\"prompt\": \"w\", \"providerOptions\": {\"alibaba\": "
                     "{\"audioUrl\": \"https://example.com/a.mp3\"}}}");
        EXPECT_OK(m, "{\"prompt\": \"w\", \"providerOptions\": {\"alibaba\": "
                     "{\"audioUrl\": \"http://example.com/v/a.WAV?sig=1\"}}}");
        msg = xasprintf("providerOptions.alibaba.audioUrl: "
                        "\"https://example.com/a.ogg\" is not allowed for %s "
                        "(allowed: an http(s) URL of a .wav or .mp3 file)",
                        sn);
        EXPECT_ERR(m,
                   "{\"prompt\": \"w\", \"providerOptions\": {\"alibaba\": "
                   "{\"audioUrl\": \"https://example.com/a.ogg\"}}}",
                   msg);
        free(msg);
        msg = xasprintf("providerOptions.alibaba.audioUrl: \"voice.mp3\" is "
                        "not allowed for %s (allowed: an http(s) URL of a "
                        ".wav or .mp3 file)",
                        sn);
        EXPECT_ERR(m,
                   "{\"prompt\": \"w\", \"providerOptions\": {\"alibaba\": "
                   "{\"audioUrl\": \"voice.mp3\"}}}",
                   msg);
        free(msg);
        msg = xasprintf("providerOptions.alibaba.audioUrl: 3 must be an "
                        "http(s) URL");
        EXPECT_ERR(m,
                   "{\"prompt\": \"w\", \"providerOptions\": {\"alibaba\": "
                   "{\"audioUrl\": 3}}}",
                   msg);
        free(msg);
        msg = xasprintf("aspectRatio: \"16:9\" is not supported by %s (the "
                        "video follows the shape of the input image)",
                        sn);
        EXPECT_ERR(m, "{\"prompt\": \"w\", \"aspectRatio\": \"16:9\"}", msg);
        free(msg);
    }
    free(text);
    catalog_free(cat);
}

static void grok_rules(void)
{
    struct catalog *cat = load();
    const struct catalog_model *m =
        model(cat, "gateway/xai/grok-imagine-video");

    EXPECT_OK(m, "{\"duration\": 1}");
    EXPECT_OK(m, "{\"duration\": 15}");
    EXPECT_ERR(m, "{\"duration\": 0}",
               "duration: 0 is out of range (allowed: 1 to 15)");
    EXPECT_ERR(m, "{\"duration\": 16}",
               "duration: 16 is out of range (allowed: 1 to 15)");
    EXPECT_PO_OK(m, "xai", "{\"resolution\": \"480p\"}");
    EXPECT_PO_OK(m, "xai", "{\"resolution\": \"720p\"}");
    EXPECT_PO_ERR(m, "xai", "{\"resolution\": \"1080p\"}",
                  "providerOptions.xai.resolution: \"1080p\" is not allowed "
                  "for grok-imagine-video (allowed: 480p, 720p)");
    EXPECT_OK(m, "{\"aspectRatio\": \"3:2\"}");
    EXPECT_ERR(m, "{\"aspectRatio\": \"21:9\"}",
               "aspectRatio: \"21:9\" is not allowed for grok-imagine-video "
               "(allowed: 1:1, 16:9, 9:16, 4:3, 3:4, 3:2, 2:3)");
    EXPECT_ERR(m,
               "{\"resolution\": \"1280x720\", \"providerOptions\": {\"xai\": "
               "{\"resolution\": \"480p\"}}}",
               "resolution and providerOptions.xai.resolution cannot be used "
               "together");
    catalog_free(cat);
}

static void seedance_rules(void)
{
    struct catalog *cat = load();
    const struct catalog_model *v15 =
        model(cat, "gateway/bytedance/seedance-v1.5-pro");
    const struct catalog_model *pro =
        model(cat, "gateway/bytedance/seedance-v1.0-pro");
    const struct catalog_model *fast =
        model(cat, "gateway/bytedance/seedance-v1.0-pro-fast");
    const struct catalog_model *lite =
        model(cat, "gateway/bytedance/seedance-v1.0-lite-i2v");
    const struct catalog_model *v10[] = { pro, fast, lite };

    /* Durations: v1.5 4 to 12, v1.0 2 to 12. */
    EXPECT_OK(v15, "{\"duration\": 4}");
    EXPECT_OK(v15, "{\"duration\": 12}");
    EXPECT_ERR(v15, "{\"duration\": 3}",
               "duration: 3 is out of range (allowed: 4 to 12)");
    EXPECT_ERR(v15, "{\"duration\": 13}",
               "duration: 13 is out of range (allowed: 4 to 12)");
    for (size_t i = 0; i < 3; i++) {
        EXPECT_OK(v10[i], "{\"duration\": 2}");
        EXPECT_OK(v10[i], "{\"duration\": 12}");
        EXPECT_ERR(v10[i], "{\"duration\": 1}",
                   "duration: 1 is out of range (allowed: 2 to 12)");
        EXPECT_ERR(v10[i], "{\"duration\": 13}",
                   "duration: 13 is out of range (allowed: 2 to 12)");
        EXPECT_OK(v10[i], "{\"aspectRatio\": \"adaptive\"}");
    }
    /* Resolutions: up to 1080p, lite up to 720p. */
    EXPECT_OK(v15, "{\"resolution\": \"1920x1080\"}");
    EXPECT_OK(pro, "{\"resolution\": \"1080p\"}");
    EXPECT_OK(fast, "{\"resolution\": \"854x480\"}");
    EXPECT_OK(lite, "{\"resolution\": \"1280x720\"}");
    EXPECT_ERR(lite, "{\"resolution\": \"1920x1080\"}",
               "resolution: \"1920x1080\" is not allowed for "
               "seedance-v1.0-lite-i2v (allowed: 854x480, 1280x720, 480p, "
               "720p)");
    EXPECT_ERR(pro, "{\"resolution\": \"4k\"}",
               "resolution: \"4k\" is not allowed for seedance-v1.0-pro "
               "(allowed: 854x480, 1280x720, 1920x1080, 480p, 720p, 1080p)");
    EXPECT_ERR(v15, "{\"aspectRatio\": \"2:1\"}",
               "aspectRatio: \"2:1\" is not allowed for seedance-v1.5-pro "
               "(allowed: 16:9, 4:3, 1:1, 3:4, 9:16, 21:9, adaptive)");
    /* referenceImages: 1 to 4, lite only. */
    EXPECT_PO_OK(lite, "bytedance", "{\"referenceImages\": [\"a.png\"]}");
    EXPECT_PO_OK(lite, "bytedance",
                 "{\"referenceImages\": [\"a.png\", \"b.png\", "
                 "\"https://example.com/c.png\", \"d.png\"]}");
    EXPECT_PO_ERR(lite, "bytedance", "{\"referenceImages\": []}",
                  "providerOptions.bytedance.referenceImages: 0 items are too "
                  "few (allowed: 1 to 4)");
    EXPECT_PO_ERR(lite, "bytedance",
                  "{\"referenceImages\": [\"a.png\", \"b.png\", \"c.png\", "
                  "\"d.png\", \"e.png\"]}",
                  "providerOptions.bytedance.referenceImages: 5 items are too "
                  "many (allowed: 1 to 4)");
    EXPECT_PO_ERR(v15, "bytedance", "{\"referenceImages\": [\"a.png\"]}",
                  "providerOptions.bytedance.referenceImages: [\"a.png\"] is "
                  "not supported by seedance-v1.5-pro (reference images need "
                  "seedance-v1.0-lite-i2v)");
    EXPECT_PO_ERR(pro, "bytedance", "{\"referenceImages\": [\"a.png\"]}",
                  "providerOptions.bytedance.referenceImages: [\"a.png\"] is "
                  "not supported by seedance-v1.0-pro (reference images need "
                  "seedance-v1.0-lite-i2v)");
    /* lastFrameImage: not on pro-fast. */
    EXPECT_PO_OK(v15, "bytedance", "{\"lastFrameImage\": \"end.png\"}");
    EXPECT_PO_OK(pro, "bytedance", "{\"lastFrameImage\": \"end.png\"}");
    EXPECT_PO_OK(lite, "bytedance", "{\"lastFrameImage\": \"end.png\"}");
    EXPECT_PO_ERR(fast, "bytedance", "{\"lastFrameImage\": \"end.png\"}",
                  "providerOptions.bytedance.lastFrameImage: \"end.png\" is "
                  "not supported by seedance-v1.0-pro-fast "
                  "(seedance-v1.0-pro-fast takes the first frame only)");
    /* Audio: v1.5 Pro only. */
    EXPECT_OK(v15, "{\"generateAudio\": true}");
    EXPECT_PO_OK(v15, "bytedance", "{\"generateAudio\": true}");
    EXPECT_PO_ERR(pro, "bytedance", "{\"generateAudio\": true}",
                  "providerOptions.bytedance.generateAudio: true is not "
                  "supported by seedance-v1.0-pro (only seedance-v1.5-pro "
                  "generates audio)");
    EXPECT_PO_ERR(v15, "bytedance", "{\"serviceTier\": \"slow\"}",
                  "providerOptions.bytedance.serviceTier: \"slow\" is not "
                  "allowed for seedance-v1.5-pro (allowed: default, flex)");
    EXPECT_ERR(v15, "{\"fps\": 30}",
               "fps: 30 is not supported by seedance-v1.5-pro (Seedance "
               "always makes 24 fps)");
    catalog_free(cat);
}

/* The files a request names travel by upload or inline, never a URL. */
static void assets_of_cloud_requests(void)
{
    struct catalog *cat = load();
    char **names = NULL;
    cJSON *req = cJSON_Parse(
        "{\"prompt\": {\"image\": \"first.png\", \"text\": \"t\"}, "
        "\"providerOptions\": {\"bytedance\": {\"lastFrameImage\": "
        "\"https://example.com/l.png\", \"referenceImages\": [\"r1.png\", "
        "\"https://example.com/r2.png\", \"r3.png\"]}}}");

    CHECK_INT_EQ(
        catalog_assets(model(cat, "gateway/bytedance/seedance-v1.0-lite-"
                                  "i2v"),
                       req, &names),
        3);
    CHECK_STR_EQ(names[0], "first.png");
    CHECK_STR_EQ(names[1], "r1.png");
    CHECK_STR_EQ(names[2], "r3.png");
    catalog_names_free(names);
    cJSON_Delete(req);
    /* An audio URL is not an asset. */
    req = cJSON_Parse("{\"prompt\": \"t\", \"providerOptions\": {\"alibaba\": "
                      "{\"audioUrl\": \"https://example.com/a.mp3\"}}}");
    CHECK_INT_EQ(
        catalog_assets(model(cat, "gateway/alibaba/wan-v2.6-i2v"), req, &names),
        0);
    catalog_names_free(names);
    cJSON_Delete(req);
    req = cJSON_Parse("{\"prompt\": \"t\", \"providerOptions\": {\"krea\": "
                      "{\"endImage\": \"last.jpg\"}}}");
    CHECK_INT_EQ(catalog_assets(model(cat, "krea/google/veo-3.1"), req, &names),
                 1);
    CHECK_STR_EQ(names[0], "last.jpg");
    catalog_names_free(names);
    cJSON_Delete(req);
    catalog_free(cat);
}

/* The url type and its extensions, as the catalog's parser sees them. */
static void url_options_in_the_schema(void)
{
    static const char *head =
        "{\"schema\": 1, \"routes\": [{\"name\": \"r\", \"folder\": "
        "\"r\", \"provider\": \"r\", \"title\": \"t\", \"description\": "
        "\"d\"}], \"models\": [{\"route\": \"r\", \"folder\": \"r/m\", "
        "\"id\": \"m\", \"title\": \"t\", \"description\": \"d\", "
        "\"vendor_key\": \"v\", \"image\": {\"formats\": [\"png\"]}, "
        "\"image_transport\": [\"url\"], \"options\": [{\"path\": "
        "\"duration\", \"type\": \"number\", \"description\": \"d\"}, "
        "{\"path\": \"audio\", ";
    struct catalog *cat = NULL;
    char *text, *err = NULL;

    text = xasprintf("%s\"type\": \"string\", \"extensions\": [\"wav\"], "
                     "\"description\": \"d\"}]}]}",
                     head);
    CHECK_INT_EQ(catalog_new_from_text(text, &cat, &err), -EINVAL);
    CHECK_STR_EQ(err, "catalog: model \"r/m\" option \"audio\": "
                      "\"extensions\" needs the type url");
    free(err);
    free(text);
    /* Without extensions, any http(s) URL; never a file or a data: URI. */
    text = xasprintf("%s\"type\": \"url\", \"description\": \"d\"}]}]}", head);
    CHECK_INT_EQ(catalog_new_from_text(text, &cat, &err), 0);
    if (cat) {
        const struct catalog_model *m = model(cat, "r/m");

        EXPECT_OK(m, "{\"audio\": \"https://example.com/any\"}");
        EXPECT_ERR(m, "{\"audio\": \"a.wav\"}",
                   "audio: \"a.wav\" is not allowed for m (allowed: an "
                   "http(s) URL)");
        EXPECT_ERR(m, "{\"audio\": \"data:audio/wav;base64,AAAA\"}",
                   "audio: \"data:audio/wav;base64,AAAA\" is not allowed for "
                   "m (allowed: an http(s) URL)");
        EXPECT_ERR(m, "{\"audio\": true}",
                   "audio: true must be an http(s) URL");
    }
    free(text);
    catalog_free(cat);
}

CHECK_MAIN(CHECK_CASE(every_seed_model_has_its_folder),
           CHECK_CASE(every_model_documents_itself),
           CHECK_CASE(veo_duration_and_resolution), CHECK_CASE(wan_rules),
           CHECK_CASE(grok_rules), CHECK_CASE(seedance_rules),
           CHECK_CASE(assets_of_cloud_requests),
           CHECK_CASE(url_options_in_the_schema))
