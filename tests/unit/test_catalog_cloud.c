/*
 * Unit tests for the cloud models of the catalog (providers/catalog.json):
 * every model the seed documents name is there, disabled, documents itself,
 * enforces each seed rule at its boundary with the exact message, and
 * accepts every seed example (tests/fixtures/seeds/).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/fsutil.h"
#include "core/mem.h"
#include "providers/catalog.h"
#include "tests/check.h"

#define FIXTURES "tests/fixtures/seeds"

/* Every cloud model folder the seeds name. */
static const char *const gateway_kling[] = {
    "gateway/klingai/kling-v3.0-i2v",
    "gateway/klingai/kling-v2.6-i2v",
    "gateway/klingai/kling-v2.5-turbo-i2v",
    NULL,
};
static const char *const gateway_veo[] = {
    "gateway/google/veo-3.1-generate-001",
    "gateway/google/veo-3.1-fast-generate-001",
    "gateway/google/veo-3.0-generate-001",
    "gateway/google/veo-3.0-fast-generate-001",
    NULL,
};
/* Models that take image URLs only through the gateway. */
static const char *const gateway_url_only[] = {
    "gateway/alibaba/wan-v2.6-i2v",
    "gateway/alibaba/wan-v2.6-i2v-flash",
    "gateway/xai/grok-imagine-video",
    "gateway/bytedance/seedance-v1.5-pro",
    "gateway/bytedance/seedance-v1.0-pro",
    "gateway/bytedance/seedance-v1.0-pro-fast",
    "gateway/bytedance/seedance-v1.0-lite-i2v",
    NULL,
};
static const char *const kling_direct[] = {
    "kling/kling-v1-5",
    "kling/kling-v2-1",
    "kling/kling-v2-master",
    "kling/kling-v2-5-turbo",
    "kling/kling-v2-6",
    "kling/kling-v3",
    NULL,
};
static const char *const krea[] = {
    "krea/kling/kling-2.5",
    "krea/google/veo-3.1",
    "krea/minimax/hailuo-2.3",
    "krea/alibaba/wan-2.5",
    NULL,
};
static const char *const *const all_lists[] = {
    gateway_kling, gateway_veo, gateway_url_only, kling_direct, krea, NULL,
};

/* Kling models with duration 5 or 10 (v1.x and v2.x) and with 3 to 15. */
static const char *const kling_v2[] = {
    "gateway/klingai/kling-v2.6-i2v",
    "gateway/klingai/kling-v2.5-turbo-i2v",
    "kling/kling-v1-5",
    "kling/kling-v2-1",
    "kling/kling-v2-master",
    "kling/kling-v2-5-turbo",
    "kling/kling-v2-6",
    NULL,
};
static const char *const kling_v3[] = {
    "gateway/klingai/kling-v3.0-i2v",
    "kling/kling-v3",
    NULL,
};

static struct catalog *load(void)
{
    struct catalog *cat = NULL;
    char *err = NULL;
    int rc = catalog_new(&cat, &err);

    if (rc != 0)
        fprintf(stderr, "catalog_new: %s\n", err ? err : "?");
    CHECK_INT_EQ(rc, 0);
    free(err);
    return cat;
}

static const struct catalog_model *model(const struct catalog *cat,
                                         const char *folder)
{
    const struct catalog_model *m = catalog_find_model_by_folder(cat, folder);

    if (!m)
        fprintf(stderr, "no model %s\n", folder);
    CHECK(m != NULL);
    return m;
}

/* Validates the defaults with json merged over them; NULL when valid. */
static char *validate(const struct catalog_model *m, const char *json)
{
    cJSON *req = catalog_model_defaults(m), *over = cJSON_Parse(json), *it;
    char *err = NULL;
    int rc;

    if (!over) {
        fprintf(stderr, "bad test JSON: %s\n", json);
        cJSON_Delete(req);
        return xstrdup("bad test JSON");
    }
    while ((it = over->child)) {
        cJSON_DetachItemViaPointer(over, it);
        cJSON_DeleteItemFromObject(req, it->string);
        cJSON_AddItemToObject(req, it->string, it);
    }
    rc = catalog_validate(m, req, &err);
    CHECK((rc == 0) == (err == NULL));
    CHECK(rc == 0 || rc == -EINVAL);
    cJSON_Delete(over);
    cJSON_Delete(req);
    return err;
}

#define EXPECT_OK(m, json)                                             \
    do {                                                               \
        char *e_ = validate(m, json);                                  \
        if (e_)                                                        \
            fprintf(stderr, "%s:%d: unexpected error: %s\n", __FILE__, \
                    __LINE__, e_);                                     \
        CHECK(e_ == NULL);                                             \
        free(e_);                                                      \
    } while (0)

#define EXPECT_ERR(m, json, msg)      \
    do {                              \
        char *e_ = validate(m, json); \
        CHECK_STR_EQ(e_, msg);        \
        free(e_);                     \
    } while (0)

/* "{"providerOptions": {"<vendor>": <inner>}}": a new string. */
static char *po(const char *vendor, const char *inner)
{
    return xasprintf("{\"providerOptions\": {\"%s\": %s}}", vendor, inner);
}

#define EXPECT_PO_OK(m, vendor, inner) \
    do {                               \
        char *j_ = po(vendor, inner);  \
        EXPECT_OK(m, j_);              \
        free(j_);                      \
    } while (0)

#define EXPECT_PO_ERR(m, vendor, inner, msg) \
    do {                                     \
        char *j_ = po(vendor, inner);        \
        EXPECT_ERR(m, j_, msg);              \
        free(j_);                            \
    } while (0)

static const char *short_name_of(const char *folder)
{
    static const struct {
        const char *folder, *name;
    } names[] = {
        { "gateway/klingai/kling-v3.0-i2v", "kling-v3" },
        { "gateway/klingai/kling-v2.6-i2v", "kling-v2-6" },
        { "gateway/klingai/kling-v2.5-turbo-i2v", "kling-v2-5-turbo" },
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(names[i].folder, folder) == 0)
            return names[i].name;
    }
    return strrchr(folder, '/') + 1;
}

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

static void kling_durations_by_version(void)
{
    struct catalog *cat = load();

    for (size_t i = 0; kling_v2[i]; i++) {
        const struct catalog_model *m = model(cat, kling_v2[i]);
        char *msg = xasprintf("duration: 7 is not allowed for %s (allowed: "
                              "5, 10)",
                              short_name_of(kling_v2[i]));

        EXPECT_OK(m, "{\"duration\": 5}");
        EXPECT_OK(m, "{\"duration\": 10}");
        EXPECT_ERR(m, "{\"duration\": 7}", msg);
        free(msg);
        msg = xasprintf("duration: 15 is not allowed for %s (allowed: 5, 10)",
                        short_name_of(kling_v2[i]));
        EXPECT_ERR(m, "{\"duration\": 15}", msg);
        free(msg);
    }
    for (size_t i = 0; kling_v3[i]; i++) {
        const struct catalog_model *m = model(cat, kling_v3[i]);

        EXPECT_OK(m, "{\"duration\": 3}");
        EXPECT_OK(m, "{\"duration\": 7}");
        EXPECT_OK(m, "{\"duration\": 15}");
        EXPECT_ERR(m, "{\"duration\": 2}",
                   "duration: 2 is out of range (allowed: 3 to 15)");
        EXPECT_ERR(m, "{\"duration\": 16}",
                   "duration: 16 is out of range (allowed: 3 to 15)");
        EXPECT_ERR(m, "{\"duration\": 5.5}",
                   "duration: 5.5 must be an integer");
    }
    catalog_free(cat);
}

static void kling_features_by_version(void)
{
    struct catalog *cat = load();
    const struct catalog_model *gw25 =
        model(cat, "gateway/klingai/kling-v2.5-turbo-i2v");
    const struct catalog_model *gw26 =
        model(cat, "gateway/klingai/kling-v2.6-i2v");
    const struct catalog_model *v15 = model(cat, "kling/kling-v1-5");
    const struct catalog_model *v21 = model(cat, "kling/kling-v2-1");
    const struct catalog_model *v26 = model(cat, "kling/kling-v2-6");

    /* cfgScale: not on v2.x; v1.5 and v3 take 0 to 1. */
    EXPECT_PO_ERR(v21, "klingai", "{\"cfgScale\": 0.5}",
                  "providerOptions.klingai.cfgScale: 0.5 is not supported by "
                  "kling-v2-1 (cfgScale is not supported on v2.x; it needs "
                  "kling-v3)");
    EXPECT_PO_ERR(gw25, "klingai", "{\"cfgScale\": 0.5}",
                  "providerOptions.klingai.cfgScale: 0.5 is not supported by "
                  "kling-v2-5-turbo (cfgScale is not supported on v2.x; it "
                  "needs kling-v3.0)");
    EXPECT_PO_OK(v15, "klingai", "{\"cfgScale\": 0}");
    EXPECT_PO_OK(v15, "klingai", "{\"cfgScale\": 1}");
    for (size_t i = 0; kling_v3[i]; i++) {
        const struct catalog_model *m = model(cat, kling_v3[i]);

        EXPECT_PO_OK(m, "klingai", "{\"cfgScale\": 0}");
        EXPECT_PO_OK(m, "klingai", "{\"cfgScale\": 1}");
        EXPECT_PO_ERR(m, "klingai", "{\"cfgScale\": 1.5}",
                      "providerOptions.klingai.cfgScale: 1.5 is out of range "
                      "(allowed: 0 to 1)");
        EXPECT_PO_ERR(m, "klingai", "{\"cfgScale\": -0.1}",
                      "providerOptions.klingai.cfgScale: -0.1 is out of range "
                      "(allowed: 0 to 1)");
    }
    /* sound and voiceList: v2.6 and later. */
    EXPECT_PO_ERR(gw25, "klingai", "{\"sound\": \"on\"}",
                  "providerOptions.klingai.sound: \"on\" is not supported by "
                  "kling-v2-5-turbo (sound needs kling-v2.6 or later)");
    EXPECT_PO_ERR(v21, "klingai", "{\"sound\": \"off\"}",
                  "providerOptions.klingai.sound: \"off\" is not supported by "
                  "kling-v2-1 (sound needs kling-v2-6 or later)");
    EXPECT_ERR(v15, "{\"generateAudio\": true}",
               "generateAudio: true is not supported by kling-v1-5 (sound "
               "needs kling-v2-6 or later)");
    EXPECT_PO_ERR(v21, "klingai", "{\"voiceList\": [{\"voiceId\": \"a\"}]}",
                  "providerOptions.klingai.voiceList: [{\"voiceId\":\"a\"}] is "
                  "not supported by kling-v2-1 (voices need kling-v2-6 or "
                  "later)");
    EXPECT_PO_OK(v26, "klingai",
                 "{\"sound\": \"on\", \"voiceList\": [{\"voiceId\": \"a\"}, "
                 "{\"voiceId\": \"b\"}]}");
    EXPECT_PO_ERR(v26, "klingai",
                  "{\"sound\": \"on\", \"voiceList\": [{\"voiceId\": \"a\"}, "
                  "{\"voiceId\": \"b\"}, {\"voiceId\": \"c\"}]}",
                  "providerOptions.klingai.voiceList: 3 items are too many "
                  "(allowed: at most 2)");
    EXPECT_PO_ERR(v26, "klingai", "{\"voiceList\": [{\"voiceId\": \"a\"}]}",
                  "providerOptions.klingai.voiceList requires "
                  "providerOptions.klingai.sound \"on\"");
    EXPECT_OK(v26, "{\"generateAudio\": true}");
    /* Multi-shot and elements: v3 only. */
    EXPECT_PO_ERR(v26, "klingai", "{\"multiShot\": true}",
                  "providerOptions.klingai.multiShot: true is not supported "
                  "by kling-v2-6 (multi-shot needs kling-v3)");
    EXPECT_PO_ERR(gw26, "klingai", "{\"multiShot\": true}",
                  "providerOptions.klingai.multiShot: true is not supported "
                  "by kling-v2-6 (multi-shot needs kling-v3.0)");
    EXPECT_PO_ERR(gw25, "klingai", "{\"shotType\": \"customize\"}",
                  "providerOptions.klingai.shotType: \"customize\" is not "
                  "supported by kling-v2-5-turbo (multi-shot needs "
                  "kling-v3.0)");
    EXPECT_PO_ERR(v26, "klingai", "{\"elementList\": [{\"elementId\": 1}]}",
                  "providerOptions.klingai.elementList: [{\"elementId\":1}] "
                  "is not supported by kling-v2-6 (element control needs "
                  "kling-v3)");
    /* Only v3 takes aspectRatio (accepted, not sent). */
    EXPECT_ERR(v26, "{\"aspectRatio\": \"16:9\"}",
               "aspectRatio: \"16:9\" is not supported by kling-v2-6 (the "
               "video follows the shape of the input image)");
    EXPECT_OK(model(cat, "kling/kling-v3"), "{\"aspectRatio\": \"16:9\"}");
    EXPECT_ERR(v26, "{\"seed\": 1}",
               "seed: 1 is not supported by kling-v2-6 (Kling takes no "
               "seed)");
    catalog_free(cat);
}

static void kling_v3_rules(void)
{
    struct catalog *cat = load();

    for (size_t i = 0; kling_v3[i]; i++) {
        const struct catalog_model *m = model(cat, kling_v3[i]);
        const char *shot = "{\"index\": 1, \"prompt\": \"p\", \"duration\": "
                           "\"2\"}";
        const char *el = "{\"elementId\": 7}";
        char *inner;

        EXPECT_PO_OK(m, "klingai",
                     "{\"sound\": \"on\", \"voiceList\": [{\"voiceId\": "
                     "\"a\"}, {\"voiceId\": \"b\"}]}");
        EXPECT_PO_ERR(m, "klingai",
                      "{\"sound\": \"on\", \"voiceList\": [{\"voiceId\": "
                      "\"a\"}, {\"voiceId\": \"b\"}, {\"voiceId\": \"c\"}]}",
                      "providerOptions.klingai.voiceList: 3 items are too "
                      "many (allowed: at most 2)");
        EXPECT_PO_ERR(m, "klingai", "{\"voiceList\": [{\"voiceId\": \"a\"}]}",
                      "providerOptions.klingai.voiceList requires "
                      "providerOptions.klingai.sound \"on\"");
        EXPECT_PO_ERR(m, "klingai",
                      "{\"sound\": \"on\", \"voiceList\": [{\"voiceId\": "
                      "\"a\"}], \"elementList\": [{\"elementId\": 1}]}",
                      "providerOptions.klingai.voiceList and "
                      "providerOptions.klingai.elementList cannot be used "
                      "together");
        inner = xasprintf("{\"elementList\": [%s, %s, %s]}", el, el, el);
        EXPECT_PO_OK(m, "klingai", inner);
        free(inner);
        inner =
            xasprintf("{\"elementList\": [%s, %s, %s, %s]}", el, el, el, el);
        EXPECT_PO_ERR(m, "klingai", inner,
                      "providerOptions.klingai.elementList: 4 items are too "
                      "many (allowed: at most 3)");
        free(inner);
        EXPECT_PO_ERR(m, "klingai", "{\"elementList\": [{}]}",
                      "providerOptions.klingai.elementList[0].elementId is "
                      "required");
        /* multiShot needs multiPrompt; false needs nothing. */
        EXPECT_PO_OK(m, "klingai", "{\"multiShot\": false}");
        EXPECT_PO_ERR(m, "klingai", "{\"multiShot\": true}",
                      "providerOptions.klingai.multiShot true requires "
                      "providerOptions.klingai.multiPrompt");
        inner = xasprintf("{\"multiShot\": true, \"multiPrompt\": [%s]}", shot);
        EXPECT_PO_OK(m, "klingai", inner);
        free(inner);
        inner = xasprintf("{\"multiShot\": true, \"multiPrompt\": [%s, %s, %s, "
                          "%s, %s, %s, %s]}",
                          shot, shot, shot, shot, shot, shot, shot);
        EXPECT_PO_ERR(m, "klingai", inner,
                      "providerOptions.klingai.multiPrompt: 7 items are too "
                      "many (allowed: 1 to 6)");
        free(inner);
        EXPECT_PO_ERR(m, "klingai",
                      "{\"multiShot\": true, \"multiPrompt\": [{\"index\": 1, "
                      "\"duration\": \"2\"}]}",
                      "providerOptions.klingai.multiPrompt[0].prompt is "
                      "required");
        EXPECT_PO_ERR(m, "klingai",
                      "{\"multiShot\": true, \"multiPrompt\": [{\"index\": 1, "
                      "\"prompt\": \"p\", \"duration\": 2}]}",
                      "providerOptions.klingai.multiPrompt[0].duration: 2 "
                      "must be a string");
        EXPECT_PO_ERR(m, "klingai", "{\"shotType\": \"auto\"}",
                      "providerOptions.klingai.shotType: \"auto\" is not "
                      "allowed for kling-v3 (allowed: customize, "
                      "intelligence)");
    }
    catalog_free(cat);
}

/* Motion brush and camera control: the same rules on every Kling model. */
static void kling_motion_and_camera_rules(void)
{
    struct catalog *cat = load();
    const char *mask = "{\"mask\": \"m.png\", \"trajectories\": [{\"x\": 1, "
                       "\"y\": 2}, {\"x\": 3, \"y\": 4}]}";
    char *points = xstrdup("{\"x\": 0, \"y\": 0}");

    for (int i = 1; i < 77; i++) {
        char *next = xasprintf("%s, {\"x\": %d, \"y\": %d}", points, i, i);

        free(points);
        points = next;
    }
    for (size_t l = 0; l < 2; l++) {
        const char *const *list = l == 0 ? kling_v2 : kling_v3;

        for (size_t i = 0; list[i]; i++) {
            const struct catalog_model *m = model(cat, list[i]);
            char *inner;

            inner = xasprintf("{\"dynamicMasks\": [%s, %s, %s, %s, %s, %s]}",
                              mask, mask, mask, mask, mask, mask);
            EXPECT_PO_OK(m, "klingai", inner);
            free(inner);
            inner = xasprintf("{\"dynamicMasks\": [%s, %s, %s, %s, %s, %s, "
                              "%s]}",
                              mask, mask, mask, mask, mask, mask, mask);
            EXPECT_PO_ERR(m, "klingai", inner,
                          "providerOptions.klingai.dynamicMasks: 7 items are "
                          "too many (allowed: at most 6)");
            free(inner);
            inner = xasprintf("{\"dynamicMasks\": [{\"mask\": \"m.png\", "
                              "\"trajectories\": [%s]}]}",
                              points);
            EXPECT_PO_OK(m, "klingai", inner);
            free(inner);
            inner = xasprintf("{\"dynamicMasks\": [{\"mask\": \"m.png\", "
                              "\"trajectories\": [%s, {\"x\": 1, \"y\": "
                              "1}]}]}",
                              points);
            EXPECT_PO_ERR(m, "klingai", inner,
                          "providerOptions.klingai.dynamicMasks[0]."
                          "trajectories: 78 items are too many (allowed: 2 to "
                          "77)");
            free(inner);
            EXPECT_PO_ERR(m, "klingai",
                          "{\"dynamicMasks\": [{\"mask\": \"m.png\", "
                          "\"trajectories\": [{\"x\": 1, \"y\": 2}]}]}",
                          "providerOptions.klingai.dynamicMasks[0]."
                          "trajectories: 1 item is too few (allowed: 2 to "
                          "77)");
            EXPECT_PO_ERR(m, "klingai",
                          "{\"imageTail\": \"end.png\", \"cameraControl\": "
                          "{\"type\": \"forward_up\"}}",
                          "providerOptions.klingai.imageTail and "
                          "providerOptions.klingai.cameraControl cannot be "
                          "used together");
            EXPECT_PO_ERR(m, "klingai",
                          "{\"imageTail\": \"end.png\", \"staticMask\": "
                          "\"s.png\"}",
                          "providerOptions.klingai.imageTail and "
                          "providerOptions.klingai.staticMask cannot be used "
                          "together");
            inner = xasprintf("{\"dynamicMasks\": [%s], \"cameraControl\": "
                              "{\"type\": \"down_back\"}}",
                              mask);
            EXPECT_PO_ERR(m, "klingai", inner,
                          "providerOptions.klingai.dynamicMasks and "
                          "providerOptions.klingai.cameraControl cannot be "
                          "used together");
            free(inner);
            EXPECT_PO_OK(m, "klingai", "{\"imageTail\": \"end.png\"}");
            EXPECT_PO_OK(m, "klingai",
                         "{\"cameraControl\": {\"type\": "
                         "\"left_turn_forward\"}}");
            EXPECT_PO_ERR(m, "klingai",
                          "{\"cameraControl\": {\"type\": \"simple\"}}",
                          "providerOptions.klingai.cameraControl.type "
                          "\"simple\" requires "
                          "providerOptions.klingai.cameraControl.config");
            EXPECT_PO_OK(m, "klingai",
                         "{\"cameraControl\": {\"type\": \"simple\", "
                         "\"config\": {\"pan\": -10, \"zoom\": 10}}}");
            EXPECT_PO_ERR(m, "klingai",
                          "{\"cameraControl\": {\"type\": \"simple\", "
                          "\"config\": {\"tilt\": 10.5}}}",
                          "providerOptions.klingai.cameraControl.config.tilt: "
                          "10.5 is out of range (allowed: -10 to 10)");
            EXPECT_PO_ERR(m, "klingai",
                          "{\"cameraControl\": {\"type\": \"simple\", "
                          "\"config\": {\"horizontal\": -11}}}",
                          "providerOptions.klingai.cameraControl.config."
                          "horizontal: -11 is out of range (allowed: -10 to "
                          "10)");
            EXPECT_PO_ERR(m, "klingai",
                          "{\"cameraControl\": {\"config\": {\"zoom\": 1}}}",
                          "providerOptions.klingai.cameraControl.type is "
                          "required");
        }
    }
    free(points);
    catalog_free(cat);
}

#define EXPECT_IMAGE_OK(m, fmt, bytes, w, h)                                   \
    do {                                                                       \
        char *e_ = NULL;                                                       \
        CHECK_INT_EQ(catalog_check_image(m, "cat.png", fmt, bytes, w, h, &e_), \
                     0);                                                       \
        if (e_)                                                                \
            fprintf(stderr, "%s:%d: unexpected error: %s\n", __FILE__,         \
                    __LINE__, e_);                                             \
        CHECK(e_ == NULL);                                                     \
    } while (0)

#define EXPECT_IMAGE_ERR(m, fmt, bytes, w, h, msg)                             \
    do {                                                                       \
        char *e_ = NULL;                                                       \
        CHECK_INT_EQ(catalog_check_image(m, "cat.png", fmt, bytes, w, h, &e_), \
                     -EINVAL);                                                 \
        CHECK_STR_EQ(e_, msg);                                                 \
        free(e_);                                                              \
    } while (0)

static void kling_image_requirements(void)
{
    struct catalog *cat = load();

    for (size_t l = 0; l < 2; l++) {
        const char *const *list = l == 0 ? kling_v2 : kling_v3;

        for (size_t i = 0; list[i]; i++) {
            const struct catalog_model *m = model(cat, list[i]);
            const char *sn = short_name_of(list[i]);
            char *msg;

            EXPECT_IMAGE_OK(m, "png", 1000, 300, 300);
            EXPECT_IMAGE_OK(m, "jpg", 10485760, 1920, 1080);
            EXPECT_IMAGE_OK(m, "jpeg", 1000, 400, 1000);  /* 1:2.5 */
            EXPECT_IMAGE_OK(m, "JPEG", 1000, 2500, 1000); /* 2.5:1 */
            msg = xasprintf("cat.png: a webp image is not accepted by %s "
                            "(allowed: jpeg, png)",
                            sn);
            EXPECT_IMAGE_ERR(m, "webp", 1000, 500, 500, msg);
            free(msg);
            msg = xasprintf("cat.png: 10485761 bytes is too large for %s "
                            "(allowed: at most 10485760 bytes)",
                            sn);
            EXPECT_IMAGE_ERR(m, "png", 10485761, 500, 500, msg);
            free(msg);
            msg = xasprintf("cat.png: 299x400 is too small for %s (allowed: "
                            "at least 300 px wide and high)",
                            sn);
            EXPECT_IMAGE_ERR(m, "png", 1000, 299, 400, msg);
            free(msg);
            msg = xasprintf("cat.png: 399x1000 has an aspect ratio (width / "
                            "height) of 0.399, which %s does not accept "
                            "(allowed: 0.4 to 2.5)",
                            sn);
            EXPECT_IMAGE_ERR(m, "png", 1000, 399, 1000, msg);
            free(msg);
            msg = xasprintf("cat.png: 2501x1000 has an aspect ratio (width / "
                            "height) of 2.501, which %s does not accept "
                            "(allowed: 0.4 to 2.5)",
                            sn);
            EXPECT_IMAGE_ERR(m, "png", 1000, 2501, 1000, msg);
            free(msg);
        }
    }
    /* Krea takes assets up to 75 MB; the local renderer has no limits. */
    EXPECT_IMAGE_OK(model(cat, "krea/kling/kling-2.5"), "webp", 78643200, 64,
                    4000);
    EXPECT_IMAGE_ERR(model(cat, "krea/kling/kling-2.5"), "png", 78643201, 64,
                     64,
                     "cat.png: 78643201 bytes is too large for kling-2.5 "
                     "(allowed: at most 78643200 bytes)");
    EXPECT_IMAGE_OK(model(cat, "local/kenburns"), "webp", 1u << 30, 1, 9000);
    EXPECT_IMAGE_ERR(model(cat, "local/kenburns"), "gif", 10, 10, 10,
                     "cat.png: a gif image is not accepted by kenburns "
                     "(allowed: jpeg, png, webp)");
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

static void krea_rules(void)
{
    struct catalog *cat = load();
    const struct catalog_model *k25 = model(cat, "krea/kling/kling-2.5");
    const struct catalog_model *veo = model(cat, "krea/google/veo-3.1");
    const struct catalog_model *hai = model(cat, "krea/minimax/hailuo-2.3");
    const struct catalog_model *wan = model(cat, "krea/alibaba/wan-2.5");

    for (size_t i = 0; krea[i]; i++) {
        EXPECT_ERR(model(cat, krea[i]), "{}", "prompt is required");
        EXPECT_ERR(model(cat, krea[i]), "{\"prompt\": {\"image\": \"a.png\"}}",
                   "prompt.text is required");
    }
    EXPECT_ERR(k25, "{\"prompt\": \"p\", \"duration\": 6}",
               "duration: 6 is not allowed for kling-2.5 (allowed: 5, 10)");
    EXPECT_ERR(k25, "{\"prompt\": \"p\", \"aspectRatio\": \"4:3\"}",
               "aspectRatio: \"4:3\" is not allowed for kling-2.5 (allowed: "
               "16:9, 9:16, 1:1)");
    EXPECT_ERR(k25,
               "{\"prompt\": \"p\", \"providerOptions\": {\"krea\": "
               "{\"mode\": \"std\"}}}",
               "providerOptions.krea.mode: \"std\" is not allowed for "
               "kling-2.5 (allowed: pro)");
    EXPECT_OK(k25, "{\"prompt\": \"p\", \"providerOptions\": {\"krea\": "
                   "{\"endImage\": \"end.png\", \"mode\": \"pro\"}}}");
    EXPECT_ERR(veo, "{\"prompt\": \"p\", \"duration\": 5}",
               "duration: 5 is not allowed for veo-3.1 (allowed: 4, 6, 8)");
    EXPECT_OK(veo, "{\"prompt\": \"p\", \"resolution\": \"4K\", "
                   "\"generateAudio\": true}");
    EXPECT_ERR(hai, "{\"prompt\": \"p\", \"duration\": 8}",
               "duration: 8 is not allowed for hailuo-2.3 (allowed: 6, 10)");
    EXPECT_ERR(hai, "{\"prompt\": \"p\", \"resolution\": \"720p\"}",
               "resolution: \"720p\" is not allowed for hailuo-2.3 (allowed: "
               "768p, 1080p)");
    EXPECT_OK(wan, "{\"prompt\": \"p\", \"duration\": 10, \"seed\": 7}");
    EXPECT_ERR(wan, "{\"prompt\": \"p\", \"duration\": 11}",
               "duration: 11 is out of range (allowed: 5 to 10)");
    EXPECT_ERR(wan,
               "{\"prompt\": \"p\", \"providerOptions\": {\"krea\": "
               "{\"audioUrl\": \"https://example.com/a.flac\"}}}",
               "providerOptions.krea.audioUrl: \"https://example.com/a.flac\" "
               "is not allowed for wan-2.5 (allowed: an http(s) URL of a "
               ".wav or .mp3 file)");
    EXPECT_ERR(k25,
               "{\"prompt\": \"p\", \"providerOptions\": {\"klingai\": "
               "{\"mode\": \"pro\"}}}",
               "unknown option \"providerOptions.klingai\"");
    catalog_free(cat);
}

/* The model whose folder, "/" written as "-", is route/dir; or NULL. */
static const struct catalog_model *
fixture_model(const struct catalog *cat, const char *route, const char *dir)
{
    for (size_t l = 0; all_lists[l]; l++) {
        for (size_t i = 0; all_lists[l][i]; i++) {
            const char *folder = all_lists[l][i];
            size_t rl = strlen(route);
            char *flat;
            bool is_match;

            if (strncmp(folder, route, rl) != 0 || folder[rl] != '/')
                continue;
            flat = xstrdup(folder + rl + 1);
            for (char *c = flat; *c; c++) {
                if (*c == '/')
                    *c = '-';
            }
            is_match = strcmp(flat, dir) == 0;
            free(flat);
            if (is_match)
                return model(cat, folder);
        }
    }
    return NULL;
}

/* Validates every tests/fixtures/seeds/<route>/<dir>/<n>.json; the count. */
static size_t check_fixtures_of(const struct catalog *cat, const char *route)
{
    char *path = xasprintf("%s/%s", FIXTURES, route);
    DIR *d = opendir(path), *sub;
    struct dirent *e, *f;
    size_t count = 0;

    CHECK(d != NULL);
    while (d && (e = readdir(d))) {
        const struct catalog_model *m;
        char *dir;

        if (e->d_name[0] == '.')
            continue;
        m = fixture_model(cat, route, e->d_name);
        if (!m)
            fprintf(stderr, "fixtures %s/%s: no such model\n", route,
                    e->d_name);
        CHECK(m != NULL);
        dir = xasprintf("%s/%s", path, e->d_name);
        sub = opendir(dir);
        CHECK(sub != NULL);
        while (m && sub && (f = readdir(sub))) {
            char *file, *data = NULL, *err = NULL;
            size_t len = 0;
            cJSON *req;

            if (f->d_name[0] == '.' || !strstr(f->d_name, ".json"))
                continue;
            file = xasprintf("%s/%s", dir, f->d_name);
            CHECK_INT_EQ(fsutil_read_file(file, 1 << 20, &data, &len), 0);
            req = data ? cJSON_Parse(data) : NULL;
            CHECK(cJSON_IsObject(req));
            CHECK_INT_EQ(catalog_validate(m, req, &err), 0);
            if (err)
                fprintf(stderr, "%s: %s\n", file, err);
            free(err);
            count++;
            cJSON_Delete(req);
            free(data);
            free(file);
        }
        if (sub)
            closedir(sub);
        free(dir);
    }
    if (d)
        closedir(d);
    free(path);
    return count;
}

static void every_seed_example_validates(void)
{
    struct catalog *cat = load();
    const struct catalog_model *m;
    char **names = NULL, *data = NULL;
    size_t len = 0;
    cJSON *req;

    /* 12 gateway examples (000 and 001), 4 Kling (003), 2 Krea (002). */
    CHECK_INT_EQ(check_fixtures_of(cat, "gateway"), 12);
    CHECK_INT_EQ(check_fixtures_of(cat, "kling"), 4);
    CHECK_INT_EQ(check_fixtures_of(cat, "krea"), 2);
    /* fs.readFileSync('x.png') became "x.png": an asset beside the job. */
    m = model(cat, "gateway/klingai/kling-v2.6-i2v");
    CHECK_INT_EQ(fsutil_read_file(FIXTURES "/gateway/klingai-kling-v2.6-i2v/"
                                           "2.json",
                                  1 << 20, &data, &len),
                 0);
    req = cJSON_Parse(data);
    CHECK_INT_EQ(catalog_assets(m, req, &names), 2);
    CHECK_STR_EQ(names[0], "start.png");
    CHECK_STR_EQ(names[1], "end.png");
    catalog_names_free(names);
    cJSON_Delete(req);
    free(data);
    data = NULL;
    m = model(cat, "krea/kling/kling-2.5");
    CHECK_INT_EQ(fsutil_read_file(FIXTURES "/krea/kling-kling-2.5/2.json",
                                  1 << 20, &data, &len),
                 0);
    req = cJSON_Parse(data);
    CHECK_INT_EQ(catalog_assets(m, req, &names), 1);
    CHECK_STR_EQ(names[0], "input-image.jpg");
    catalog_names_free(names);
    cJSON_Delete(req);
    free(data);
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
           CHECK_CASE(veo_duration_and_resolution),
           CHECK_CASE(kling_durations_by_version),
           CHECK_CASE(kling_features_by_version), CHECK_CASE(kling_v3_rules),
           CHECK_CASE(kling_motion_and_camera_rules),
           CHECK_CASE(kling_image_requirements), CHECK_CASE(wan_rules),
           CHECK_CASE(grok_rules), CHECK_CASE(seedance_rules),
           CHECK_CASE(assets_of_cloud_requests), CHECK_CASE(krea_rules),
           CHECK_CASE(every_seed_example_validates),
           CHECK_CASE(url_options_in_the_schema))
