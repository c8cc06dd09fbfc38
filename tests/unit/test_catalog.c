/*
 * Unit tests for the model catalog (providers/catalog.c, validate.c,
 * catalog_doc.c): loading, lookups, defaults, validation messages, assets,
 * and the generated MODEL.md, request.example.json and README.txt.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/mem.h"
#include "providers/catalog.h"
#include "tests/check.h"

extern const char catalog_json[];

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

/* The built-in catalog with every model enabled, cloud ones included. */
static struct catalog *load_all(void)
{
    cJSON *root = cJSON_Parse(catalog_json), *it;
    struct catalog *cat = NULL;
    char *text, *err = NULL;

    cJSON_ArrayForEach(it, cJSON_GetObjectItem(root, "models"))
    {
        cJSON_DeleteItemFromObject(it, "enabled");
    }
    text = cJSON_Print(root);
    CHECK_INT_EQ(catalog_new_from_text(text, &cat, &err), 0);
    free(err);
    free(text);
    cJSON_Delete(root);
    return cat;
}

static const struct catalog_model *model(const struct catalog *cat,
                                         const char *folder)
{
    const char *rest = NULL;
    const struct catalog_model *m = catalog_find(cat, folder, &rest);

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
    /* A shallow merge is enough here; the cascade is test_request's. */
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

static void local_top_level_options(void)
{
    struct catalog *cat = load();
    const struct catalog_model *m = model(cat, "local/kenburns");

    EXPECT_OK(m, "{}");
    EXPECT_OK(m, "{\"duration\": 1}");
    EXPECT_OK(m, "{\"duration\": 15}");
    EXPECT_OK(m, "{\"duration\": 7.5}");
    EXPECT_ERR(m, "{\"duration\": 0.5}",
               "duration: 0.5 is out of range (allowed: 1 to 15)");
    EXPECT_ERR(m, "{\"duration\": 16}",
               "duration: 16 is out of range (allowed: 1 to 15)");
    EXPECT_ERR(m, "{\"duration\": \"5\"}", "duration: \"5\" must be a number");
    EXPECT_OK(m, "{\"fps\": 1}");
    EXPECT_OK(m, "{\"fps\": 60}");
    EXPECT_ERR(m, "{\"fps\": 0}", "fps: 0 is out of range (allowed: 1 to 60)");
    EXPECT_ERR(m, "{\"fps\": 61}",
               "fps: 61 is out of range (allowed: 1 to 60)");
    EXPECT_ERR(m, "{\"fps\": \"24\"}", "fps: \"24\" must be an integer");
    EXPECT_ERR(m, "{\"fps\": 24.5}", "fps: 24.5 must be an integer");
    EXPECT_OK(m, "{\"fps\": 24.0}");
    EXPECT_OK(m, "{\"generateAudio\": true}");
    EXPECT_OK(m, "{\"generateAudio\": false}");
    EXPECT_ERR(m, "{\"generateAudio\": \"yes\"}",
               "generateAudio: \"yes\" must be true or false");
    EXPECT_OK(m, "{\"seed\": 42}");
    EXPECT_ERR(m, "{\"seed\": 4.2}", "seed: 4.2 must be an integer");
    EXPECT_ERR(m, "{\"durration\": 5}",
               "unknown option \"durration\" (did you mean \"duration\"?)");
    EXPECT_ERR(m, "{\"model\": \"x\"}", "unknown option \"model\"");
    EXPECT_ERR(m, "{\"duration\": null}", "duration: null must be a number");
    catalog_free(cat);
}

static void local_resolution_and_aspect(void)
{
    struct catalog *cat = load();
    const struct catalog_model *m = model(cat, "local/kenburns");
    const char *allowed =
        " is not allowed for kenburns (allowed: 480p, 720p, 1080p, or "
        "\"WxH\" in even numbers from 16x16 up to 3840x2160)";
    const char *bad[] = { "4k",         "1921x1080",  "3842x2160", "0x0",
                          "1920X1080",  "14x14",      "1920x",     "x1080",
                          "01920x1080", "1920x1080 ", NULL };
    const char *good[] = { "480p",      "720p",      "1080p", "1920x1080",
                           "3840x2160", "1080x1920", "16x16", NULL };

    for (size_t i = 0; good[i]; i++) {
        char *json = xasprintf("{\"resolution\": \"%s\"}", good[i]);

        EXPECT_OK(m, json);
        free(json);
    }
    for (size_t i = 0; bad[i]; i++) {
        char *json = xasprintf("{\"resolution\": \"%s\"}", bad[i]);
        char *msg = xasprintf("resolution: \"%s\"%s", bad[i], allowed);

        EXPECT_ERR(m, json, msg);
        free(json);
        free(msg);
    }
    EXPECT_ERR(m, "{\"resolution\": 720}", "resolution: 720 must be a string");
    for (const char *const *a =
             (const char *const[]){ "16:9", "9:16", "1:1", "4:3", "3:4", "21:9",
                                    NULL };
         *a; a++) {
        char *json = xasprintf("{\"aspectRatio\": \"%s\"}", *a);

        EXPECT_OK(m, json);
        free(json);
    }
    EXPECT_ERR(m, "{\"aspectRatio\": \"2:1\"}",
               "aspectRatio: \"2:1\" is not allowed for kenburns (allowed: "
               "16:9, 9:16, 1:1, 4:3, 3:4, 21:9)");
    catalog_free(cat);
}

static void local_prompt(void)
{
    struct catalog *cat = load();
    const struct catalog_model *m = model(cat, "local/kenburns");

    EXPECT_OK(m, "{\"prompt\": \"zoom in slowly\"}");
    EXPECT_OK(m, "{\"prompt\": {\"text\": \"pan left\", \"image\": "
                 "\"first.png\"}}");
    EXPECT_OK(m, "{\"prompt\": {\"image\": \"https://example.com/a.png\"}}");
    EXPECT_ERR(m, "{\"prompt\": 5}", "prompt: 5 must be a string or an object");
    EXPECT_ERR(m, "{\"prompt\": {\"txt\": \"a\"}}",
               "unknown option \"prompt.txt\" (did you mean \"prompt.text\"?)");
    EXPECT_ERR(m, "{\"prompt\": {\"text\": 3}}",
               "prompt.text: 3 must be a string");
    catalog_free(cat);
}

/* A simple camera move with one axis: format axis name, value. */
#define CAMERA_FMT                                \
    "{\"providerOptions\": {\"local\": "          \
    "{\"cameraControl\": {\"type\": \"simple\", " \
    "\"config\": {\"%s\": %s}}}}}"

static void local_camera_control(void)
{
    struct catalog *cat = load();
    const struct catalog_model *m = model(cat, "local/kenburns");
    const char *axes[] = { "horizontal", "vertical", "pan", "tilt",
                           "roll",       "zoom",     NULL };
    const char *types[] = { "down_back", "forward_up", "right_turn_forward",
                            "left_turn_forward", NULL };

    for (size_t i = 0; axes[i]; i++) {
        char *json;
        char *msg;

        json = xasprintf(CAMERA_FMT, axes[i], "-10");
        EXPECT_OK(m, json);
        free(json);
        json = xasprintf(CAMERA_FMT, axes[i], "10");
        EXPECT_OK(m, json);
        free(json);
        json = xasprintf(CAMERA_FMT, axes[i], "2.5");
        EXPECT_OK(m, json);
        free(json);
        json = xasprintf(CAMERA_FMT, axes[i], "12");
        msg = xasprintf("providerOptions.local.cameraControl.config.%s: 12 "
                        "is out of range (allowed: -10 to 10)",
                        axes[i]);
        EXPECT_ERR(m, json, msg);
        free(json);
        free(msg);
        json = xasprintf(CAMERA_FMT, axes[i], "-10.5");
        msg = xasprintf("providerOptions.local.cameraControl.config.%s: "
                        "-10.5 is out of range (allowed: -10 to 10)",
                        axes[i]);
        EXPECT_ERR(m, json, msg);
        free(json);
        free(msg);
    }
    for (size_t i = 0; types[i]; i++) {
        char *json = xasprintf("{\"providerOptions\": {\"local\": "
                               "{\"cameraControl\": {\"type\": \"%s\"}}}}",
                               types[i]);

        EXPECT_OK(m, json);
        free(json);
    }
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"local\": {\"cameraControl\": "
               "{\"type\": \"zoom_in\"}}}}",
               "providerOptions.local.cameraControl.type: \"zoom_in\" is not "
               "allowed for kenburns (allowed: simple, down_back, "
               "forward_up, right_turn_forward, left_turn_forward)");
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"local\": {\"cameraControl\": "
               "{\"type\": \"simple\"}}}}",
               "providerOptions.local.cameraControl.type \"simple\" requires "
               "providerOptions.local.cameraControl.config");
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"local\": {\"cameraControl\": "
               "{\"config\": {\"zoom\": 5}}}}}",
               "providerOptions.local.cameraControl.type is required");
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"local\": {\"cameraControl\": "
               "{\"type\": \"simple\", \"config\": {\"zom\": 5}}}}}",
               "unknown option "
               "\"providerOptions.local.cameraControl.config.zom\" (did you "
               "mean \"providerOptions.local.cameraControl.config.zoom\"?)");
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"local\": {\"cameraControl\": "
               "\"zoom\"}}}",
               "providerOptions.local.cameraControl: \"zoom\" must be an "
               "object");
    catalog_free(cat);
}

/* An imageTail: format the JSON value. */
#define TAIL_FMT                                         \
    "{\"providerOptions\": {\"local\": {\"imageTail\": " \
    "%s}}}"

static void local_images_and_rules(void)
{
    struct catalog *cat = load();
    const struct catalog_model *m = model(cat, "local/kenburns");

    const char *good[] = {
        "\"end.png\"",
        "\"été.jpg\"",
        "\"https://example.com/end.png\"",
        "\"http://example.com/e.jpg\"",
        "\"data:image/png;base64,iVBORw0KGgo=\"",
        "\"iVBORw0KGgoAAAANSUhEUgAAAAUAAAAFCAYAAACNbyblAAAAHElEQVQI12P4"
        "//8/w38GIAXDIBKE0DHxgljNBAAO9TXL0Y4OHwAAAABJRU5ErkJggg==\"",
        NULL
    };
    const char *bad[] = { "\"../end.png\"",
                          "\"/etc/passwd\"",
                          "\"sub/end.png\"",
                          "\"\"",
                          "\"..\"",
                          "\"ftp://example.com/a.png\"",
                          NULL };

    for (size_t i = 0; good[i]; i++) {
        char *json = xasprintf(TAIL_FMT, good[i]);

        EXPECT_OK(m, json);
        free(json);
    }
    for (size_t i = 0; bad[i]; i++) {
        char *json = xasprintf(TAIL_FMT, bad[i]);
        char *msg = xasprintf("providerOptions.local.imageTail: %s must be a "
                              "file name in this folder (no \"/\" or \"..\"), "
                              "an http(s) URL, a data: URI or base64",
                              bad[i]);

        EXPECT_ERR(m, json, msg);
        free(json);
        free(msg);
    }
    EXPECT_ERR(m, "{\"providerOptions\": {\"local\": {\"staticMask\": 5}}}",
               "providerOptions.local.staticMask: 5 must be an image (a file "
               "name in this folder, an http(s) URL, a data: URI or base64)");
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"local\": {\"imageTail\": "
               "\"end.png\", \"cameraControl\": {\"type\": \"down_back\"}}}}",
               "providerOptions.local.imageTail and "
               "providerOptions.local.cameraControl cannot be used together");
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"local\": {\"lastFrameImage\": "
               "\"end.png\", \"cameraControl\": {\"type\": \"down_back\"}}}}",
               "providerOptions.local.lastFrameImage and "
               "providerOptions.local.cameraControl cannot be used together");
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"local\": {\"imageTail\": \"a.png\", "
               "\"lastFrameImage\": \"b.png\"}}}",
               "providerOptions.local.imageTail and "
               "providerOptions.local.lastFrameImage cannot be used together");
    /* A static mask keeps regions still while the camera moves. */
    EXPECT_OK(m, "{\"providerOptions\": {\"local\": {\"staticMask\": "
                 "\"m.png\", \"cameraControl\": {\"type\": \"forward_up\"}}}}");
    EXPECT_OK(m, "{\"providerOptions\": {\"local\": {\"resizeMode\": "
                 "\"pad\"}}}");
    EXPECT_OK(m, "{\"providerOptions\": {\"local\": {\"resizeMode\": "
                 "\"crop\"}}}");
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"local\": {\"resizeMode\": \"fit\"}}}",
               "providerOptions.local.resizeMode: \"fit\" is not allowed for "
               "kenburns (allowed: pad, crop)");
    EXPECT_ERR(m, "{\"providerOptions\": {\"local\": {\"mode\": \"pro\"}}}",
               "unknown option \"providerOptions.local.mode\"");
    catalog_free(cat);
}

static void local_reads_cloud_vendor_keys(void)
{
    struct catalog *cat = load();
    const struct catalog_model *m = model(cat, "local/kenburns");

    /* A paid request previews offline; the paid model's own keys pass. */
    EXPECT_OK(m, "{\"providerOptions\": {\"klingai\": {\"mode\": \"pro\", "
                 "\"sound\": \"on\", \"cameraControl\": {\"type\": "
                 "\"simple\", \"config\": {\"zoom\": 5}}}}}");
    EXPECT_OK(m, "{\"providerOptions\": {\"vertex\": {\"resizeMode\": "
                 "\"crop\", \"generateAudio\": true}}}");
    EXPECT_OK(m, "{\"providerOptions\": {\"bytedance\": {\"lastFrameImage\": "
                 "\"https://example.com/l.jpg\", \"watermark\": false}}}");
    EXPECT_OK(m, "{\"providerOptions\": {\"gateway\": {\"tags\": [1]}}}");
    EXPECT_OK(m, "{\"providerOptions\": {\"google\": {}, \"alibaba\": "
                 "{\"audio\": true}, \"xai\": {\"resolution\": \"480p\"}}}");
    /* Keys the renderer knows are checked under any vendor name. */
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"klingai\": {\"cameraControl\": "
               "{\"type\": \"simple\", \"config\": {\"zoom\": 12}}}}}",
               "providerOptions.klingai.cameraControl.config.zoom: 12 is out "
               "of range (allowed: -10 to 10)");
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"vertex\": {\"resizeMode\": "
               "\"fit\"}}}",
               "providerOptions.vertex.resizeMode: \"fit\" is not allowed for "
               "kenburns (allowed: pad, crop)");
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"klingai\": {\"imageTail\": "
               "\"e.png\"}, \"local\": {\"cameraControl\": {\"type\": "
               "\"down_back\"}}}}",
               "providerOptions.klingai.imageTail and "
               "providerOptions.local.cameraControl cannot be used together");
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"klingai\": {\"cameraControl\": "
               "{\"type\": \"simple\"}}}}",
               "providerOptions.klingai.cameraControl.type \"simple\" "
               "requires providerOptions.klingai.cameraControl.config");
    EXPECT_ERR(m, "{\"providerOptions\": {\"openai\": {}}}",
               "unknown option \"providerOptions.openai\"");
    EXPECT_ERR(m, "{\"providerOptions\": {\"klingia\": {}}}",
               "unknown option \"providerOptions.klingia\" (did you mean "
               "\"providerOptions.klingai\"?)");
    catalog_free(cat);
}

static void kling_v26_rules(void)
{
    struct catalog *cat = load_all();
    const struct catalog_model *m =
        model(cat, "gateway/klingai/kling-v2.6-i2v");
    char *json;
    char *points;

    EXPECT_OK(m, "{\"duration\": 5}");
    EXPECT_OK(m, "{\"duration\": 10}");
    EXPECT_ERR(m, "{\"duration\": 7}",
               "duration: 7 is not allowed for kling-v2-6 (allowed: 5, 10)");
    EXPECT_ERR(m, "{\"providerOptions\": {\"klingai\": {\"mode\": \"fast\"}}}",
               "providerOptions.klingai.mode: \"fast\" is not allowed for "
               "kling-v2-6 (allowed: std, pro)");
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"klingai\": {\"imageTail\": "
               "\"end.png\", \"cameraControl\": {\"type\": \"down_back\"}}}}",
               "providerOptions.klingai.imageTail and "
               "providerOptions.klingai.cameraControl cannot be used "
               "together");
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"klingai\": {\"staticMask\": "
               "\"m.png\", \"cameraControl\": {\"type\": \"down_back\"}}}}",
               "providerOptions.klingai.staticMask and "
               "providerOptions.klingai.cameraControl cannot be used "
               "together");
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"klingai\": {\"imageTail\": "
               "\"e.png\", \"dynamicMasks\": [{\"mask\": \"m.png\", "
               "\"trajectories\": [{\"x\": 1, \"y\": 2}, {\"x\": 3, \"y\": "
               "4}]}]}}}",
               "providerOptions.klingai.imageTail and "
               "providerOptions.klingai.dynamicMasks cannot be used "
               "together");
    EXPECT_OK(m, "{\"providerOptions\": {\"klingai\": {\"staticMask\": "
                 "\"s.png\", \"dynamicMasks\": [{\"mask\": \"m.png\", "
                 "\"trajectories\": [{\"x\": 1, \"y\": 2}, {\"x\": 3, \"y\": "
                 "4}]}]}}}");
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"klingai\": {\"cameraControl\": "
               "{\"type\": \"simple\"}}}}",
               "providerOptions.klingai.cameraControl.type \"simple\" "
               "requires providerOptions.klingai.cameraControl.config");
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"klingai\": {\"cameraControl\": "
               "{\"type\": \"simple\", \"config\": {\"roll\": -11}}}}}",
               "providerOptions.klingai.cameraControl.config.roll: -11 is out "
               "of range (allowed: -10 to 10)");
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"klingai\": {\"dynamicMasks\": "
               "[{\"trajectories\": [{\"x\": 1, \"y\": 2}, {\"x\": 3, \"y\": "
               "4}]}]}}}",
               "providerOptions.klingai.dynamicMasks[0].mask is required");
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"klingai\": {\"dynamicMasks\": "
               "[{\"mask\": \"m.png\", \"trajectories\": [{\"x\": 1, \"y\": "
               "2}]}]}}}",
               "providerOptions.klingai.dynamicMasks[0].trajectories: 1 item "
               "is too few (allowed: 2 to 77)");
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"klingai\": {\"dynamicMasks\": "
               "[{\"mask\": \"m.png\", \"trajectories\": [{\"x\": 1, \"y\": "
               "2}, {\"x\": \"3\", \"y\": 4}]}]}}}",
               "providerOptions.klingai.dynamicMasks[0].trajectories[1].x: "
               "\"3\" must be a number");
    /* 77 points are allowed, 78 are not. */
    points = xstrdup("{\"x\": 0, \"y\": 0}");
    for (int i = 1; i < 77; i++) {
        char *next = xasprintf("%s, {\"x\": %d, \"y\": %d}", points, i, i);

        free(points);
        points = next;
    }
    json = xasprintf("{\"providerOptions\": {\"klingai\": {\"dynamicMasks\": "
                     "[{\"mask\": \"m.png\", \"trajectories\": [%s]}]}}}",
                     points);
    EXPECT_OK(m, json);
    free(json);
    json = xasprintf("{\"providerOptions\": {\"klingai\": {\"dynamicMasks\": "
                     "[{\"mask\": \"m.png\", \"trajectories\": [%s, {\"x\": "
                     "1, \"y\": 1}]}]}}}",
                     points);
    EXPECT_ERR(m, json,
               "providerOptions.klingai.dynamicMasks[0].trajectories: 78 "
               "items are too many (allowed: 2 to 77)");
    free(json);
    free(points);
    /* Six masks at most. */
    {
        const char *one = "{\"mask\": \"m.png\", \"trajectories\": [{\"x\": "
                          "1, \"y\": 2}, {\"x\": 3, \"y\": 4}]}";
        char *six =
            xasprintf("%s, %s, %s, %s, %s, %s", one, one, one, one, one, one);

        json = xasprintf("{\"providerOptions\": {\"klingai\": "
                         "{\"dynamicMasks\": [%s]}}}",
                         six);
        EXPECT_OK(m, json);
        free(json);
        json = xasprintf("{\"providerOptions\": {\"klingai\": "
                         "{\"dynamicMasks\": [%s, %s]}}}",
                         six, one);
        EXPECT_ERR(m, json,
                   "providerOptions.klingai.dynamicMasks: 7 items are too "
                   "many (allowed: at most 6)");
        free(json);
        free(six);
    }
    EXPECT_ERR(m, "{\"aspectRatio\": \"16:9\"}",
               "aspectRatio: \"16:9\" is not supported by kling-v2-6 (the "
               "video follows the shape of the input image)");
    EXPECT_ERR(m, "{\"providerOptions\": {\"klingai\": {\"cfgScale\": 0.5}}}",
               "providerOptions.klingai.cfgScale: 0.5 is not supported by "
               "kling-v2-6 (cfgScale needs kling-v3.0)");
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"klingai\": {\"voiceList\": "
               "[{\"voiceId\": \"v1\"}]}}}",
               "providerOptions.klingai.voiceList requires "
               "providerOptions.klingai.sound \"on\"");
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"klingai\": {\"sound\": \"on\", "
               "\"voiceList\": [{\"voiceId\": \"a\"}, {\"voiceId\": \"b\"}, "
               "{\"voiceId\": \"c\"}]}}}",
               "providerOptions.klingai.voiceList: 3 items are too many "
               "(allowed: at most 2)");
    EXPECT_ERR(m, "{\"providerOptions\": {\"vertex\": {}}}",
               "unknown option \"providerOptions.vertex\"");
    catalog_free(cat);
}

/* The seed documents' kling-v2.6 examples, pasted as options objects. */
static void kling_v26_seed_examples(void)
{
    struct catalog *cat = load_all();
    const struct catalog_model *m =
        model(cat, "gateway/klingai/kling-v2.6-i2v");
    char *long_text = xcalloc(2502, 1);

    EXPECT_OK(m, "{\"prompt\": {\"image\": \"https://example.com/cat.png\", "
                 "\"text\": \"The cat slowly turns its head and blinks\"}, "
                 "\"duration\": 5, \"providerOptions\": {\"klingai\": "
                 "{\"mode\": \"std\"}}}");
    EXPECT_OK(m, "{\"prompt\": {\"image\": \"start.png\", \"text\": \"Smooth "
                 "transition\"}, \"providerOptions\": {\"klingai\": "
                 "{\"imageTail\": \"end.png\", \"mode\": \"pro\"}}}");
    EXPECT_OK(m, "{\"prompt\": {\"image\": \"https://example.com/p.png\", "
                 "\"text\": \"The person<<<voice_1>>> says hello\"}, "
                 "\"providerOptions\": {\"klingai\": {\"mode\": \"std\", "
                 "\"sound\": \"on\", \"voiceList\": [{\"voiceId\": "
                 "\"your_voice_id\"}]}}}");
    EXPECT_OK(m, "{\"prompt\": {\"image\": \"https://example.com/l.png\", "
                 "\"text\": \"A serene mountain landscape\"}, "
                 "\"providerOptions\": {\"klingai\": {\"mode\": \"std\", "
                 "\"cameraControl\": {\"type\": \"simple\", \"config\": "
                 "{\"zoom\": 5, \"horizontal\": 0, \"vertical\": 0, \"pan\": "
                 "0, \"tilt\": 0, \"roll\": 0}}}}}");
    EXPECT_OK(m, "{\"prompt\": {\"image\": \"https://example.com/s.png\", "
                 "\"text\": \"A ball bouncing\"}, \"providerOptions\": "
                 "{\"klingai\": {\"mode\": \"std\", \"dynamicMasks\": "
                 "[{\"mask\": \"https://example.com/ball-mask.png\", "
                 "\"trajectories\": [{\"x\": 100, \"y\": 200}, {\"x\": 200, "
                 "\"y\": 300}, {\"x\": 300, \"y\": 200}, {\"x\": 400, \"y\": "
                 "300}]}]}}}");
    memset(long_text, 'a', 2501);
    {
        char *json = xasprintf("{\"prompt\": {\"text\": \"%s\"}}", long_text);

        EXPECT_ERR(m, json,
                   "prompt.text: a text of 2501 characters is too long "
                   "(allowed: at most 2500 characters)");
        free(json);
        long_text[2500] = '\0';
        json = xasprintf("{\"prompt\": \"%s\"}", long_text);
        EXPECT_OK(m, json);
        free(json);
    }
    free(long_text);
    catalog_free(cat);
}

/* A kling-v3-like entry: the rules that v2.6 cannot show. */
static const char *v3_catalog =
    "{\"schema\": 1, \"routes\": [{\"name\": \"kling\", \"folder\": "
    "\"kling\", \"provider\": \"kling\", \"title\": \"Kling\", "
    "\"description\": \"d\"}], \"models\": [{\"route\": \"kling\", "
    "\"folder\": \"kling/kling-v3\", \"id\": \"kling-v3\", \"title\": \"t\", "
    "\"description\": \"d\", \"vendor_key\": \"klingai\", \"image\": "
    "{\"formats\": [\"png\"]}, \"image_transport\": [\"url\", \"base64\"], "
    "\"options\": ["
    "{\"path\": \"duration\", \"type\": \"integer\", \"min\": 3, \"max\": "
    "15, \"default\": 5, \"description\": \"d\"},"
    "{\"path\": \"providerOptions\", \"type\": \"object\", \"description\": "
    "\"d\"},"
    "{\"path\": \"providerOptions.klingai\", \"type\": \"object\", "
    "\"description\": \"d\"},"
    "{\"path\": \"providerOptions.klingai.multiShot\", \"type\": "
    "\"boolean\", \"description\": \"d\"},"
    "{\"path\": \"providerOptions.klingai.multiPrompt\", \"type\": "
    "\"array\", \"max_items\": 6, \"description\": \"d\"},"
    "{\"path\": \"providerOptions.klingai.voiceList\", \"type\": \"array\", "
    "\"description\": \"d\"},"
    "{\"path\": \"providerOptions.klingai.elementList\", \"type\": "
    "\"array\", \"description\": \"d\"},"
    "{\"path\": \"providerOptions.klingai.referenceImages\", \"type\": "
    "\"image-array\", \"max_items\": 4, \"description\": \"d\"}],"
    "\"rules\": ["
    "{\"kind\": \"requires\", \"if\": \"providerOptions.klingai.multiShot\", "
    "\"equals\": true, \"then\": \"providerOptions.klingai.multiPrompt\"},"
    "{\"kind\": \"exclusive\", \"groups\": "
    "[[\"providerOptions.klingai.voiceList\"], "
    "[\"providerOptions.klingai.elementList\"]]}]}]}";

static void rules_of_a_v3_entry(void)
{
    struct catalog *cat = NULL;
    const struct catalog_model *m;
    char *err = NULL, **names = NULL;
    cJSON *req;

    CHECK_INT_EQ(catalog_new_from_text(v3_catalog, &cat, &err), 0);
    CHECK(err == NULL);
    m = model(cat, "kling/kling-v3");
    CHECK(catalog_model_needs_request(m)); /* the default for a route */
    EXPECT_OK(m, "{\"duration\": 12}");
    EXPECT_ERR(m, "{\"duration\": 2}",
               "duration: 2 is out of range (allowed: 3 to 15)");
    EXPECT_OK(m, "{\"providerOptions\": {\"klingai\": {\"multiShot\": "
                 "false}}}");
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"klingai\": {\"multiShot\": "
               "true}}}",
               "providerOptions.klingai.multiShot true requires "
               "providerOptions.klingai.multiPrompt");
    EXPECT_OK(m, "{\"providerOptions\": {\"klingai\": {\"multiShot\": true, "
                 "\"multiPrompt\": [{\"index\": 1}]}}}");
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"klingai\": {\"voiceList\": [], "
               "\"elementList\": []}}}",
               "providerOptions.klingai.voiceList and "
               "providerOptions.klingai.elementList cannot be used together");
    EXPECT_ERR(m,
               "{\"providerOptions\": {\"klingai\": {\"referenceImages\": "
               "[\"a.png\", \"../b.png\"]}}}",
               "providerOptions.klingai.referenceImages[1]: \"../b.png\" must "
               "be a file name in this folder (no \"/\" or \"..\"), an "
               "http(s) URL, a data: URI or base64");
    req = cJSON_Parse("{\"providerOptions\": {\"klingai\": "
                      "{\"referenceImages\": [\"a.png\", "
                      "\"https://x.org/b.png\", \"c.png\", \"a.png\"]}}}");
    CHECK_INT_EQ(catalog_assets(m, req, &names), 2);
    CHECK_STR_EQ(names[0], "a.png");
    CHECK_STR_EQ(names[1], "c.png");
    CHECK(names[2] == NULL);
    catalog_names_free(names);
    cJSON_Delete(req);
    catalog_free(cat);
}

static void expect_bad_catalog(const char *json, const char *msg)
{
    struct catalog *cat = (struct catalog *)1;
    char *err = NULL;

    CHECK_INT_EQ(catalog_new_from_text(json, &cat, &err), -EINVAL);
    CHECK(cat == NULL);
    CHECK_STR_EQ(err, msg);
    free(err);
}

/* v3_catalog with the first old replaced by new: a new string. */
static char *edit(const char *old, const char *new)
{
    const char *at = strstr(v3_catalog, old);

    CHECK(at != NULL);
    if (!at)
        return xstrdup(v3_catalog);
    return xasprintf("%.*s%s%s", (int)(at - v3_catalog), v3_catalog, new,
                     at + strlen(old));
}

static void malformed_catalogs_fail_loudly(void)
{
    char *text;

    expect_bad_catalog("{\"schema\": 1,\n \"routes\": [}",
                       "catalog: invalid JSON at line 2, column 13");
    expect_bad_catalog("{\"schema\": 2, \"routes\": [], \"models\": []}",
                       "catalog: top level: \"schema\" must be 1");
    /* A typo in an option's field. */
    text = edit("\"default\"", "\"defualt\"");
    expect_bad_catalog(text, "catalog: model \"kling/kling-v3\" option "
                             "\"duration\": unknown field \"defualt\"");
    free(text);
    /* A default of the wrong type. */
    text = edit("\"default\": 5", "\"default\": \"5\"");
    expect_bad_catalog(text, "catalog: model \"kling/kling-v3\" option "
                             "\"duration\": \"default\" has the wrong type");
    free(text);
    /* A rule naming an option the model does not have. */
    text = edit("\"then\": \"providerOptions.klingai.multiPrompt\"",
                "\"then\": \"providerOptions.klingai.multiPromp\"");
    expect_bad_catalog(text, "catalog: model \"kling/kling-v3\": \"if\" or "
                             "\"then\" names an unknown option");
    free(text);
    /* An unknown type. */
    text = edit("\"type\": \"boolean\"", "\"type\": \"bool\"");
    expect_bad_catalog(text,
                       "catalog: model \"kling/kling-v3\" option "
                       "\"providerOptions.klingai.multiShot\": \"type\" must "
                       "be one of string, number, integer, boolean, object, "
                       "array, image, image-array, url (or a list)");
    free(text);
    /* A folder outside its route. */
    text = edit("\"kling/kling-v3\"", "\"klingx/kling-v3\"");
    expect_bad_catalog(text, "catalog: model \"klingx/kling-v3\": the folder "
                             "must be inside \"kling/\"");
    free(text);
    /* An option whose parent is missing. */
    text = edit("\"path\": \"providerOptions.klingai\"",
                "\"path\": \"providerOptions.kling\"");
    expect_bad_catalog(text, "catalog: model \"kling/kling-v3\": option "
                             "\"providerOptions.klingai.multiShot\" has no "
                             "parent \"providerOptions.klingai\"");
    free(text);
    /* A route the model does not name correctly. */
    text = edit("\"route\": \"kling\"", "\"route\": \"klin\"");
    expect_bad_catalog(text, "catalog: model \"kling/kling-v3\": route "
                             "\"klin\" is not in routes");
    free(text);
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

/*
 * Found by tests/fuzz/fuzz_request: a key with a line break (escaped, or
 * raw, which cJSON accepts) made a message of two lines.
 */
static void messages_are_one_line(void)
{
    struct catalog *cat = load();
    const struct catalog_model *m = model(cat, "local/kenburns");

    EXPECT_ERR(m, "{\"a\\nb\": 5}", "unknown option \"a b\"");
    EXPECT_ERR(m, "{\"a\nb\\r\\u0001\": 5}", "unknown option \"a b  \"");
    EXPECT_ERR(m, "{\"providerOptions\": {\"local\": {\"x\\ty\": 1}}}",
               "unknown option \"providerOptions.local.x y\"");
    catalog_free(cat);
}

CHECK_MAIN(CHECK_CASE(loads_and_lists_enabled_models),
           CHECK_CASE(image_options_and_transport),
           CHECK_CASE(finds_models_by_path),
           CHECK_CASE(cloud_model_entry_is_complete),
           CHECK_CASE(defaults_of_the_local_model),
           CHECK_CASE(local_top_level_options),
           CHECK_CASE(local_resolution_and_aspect), CHECK_CASE(local_prompt),
           CHECK_CASE(local_camera_control), CHECK_CASE(local_images_and_rules),
           CHECK_CASE(local_reads_cloud_vendor_keys),
           CHECK_CASE(kling_v26_rules), CHECK_CASE(kling_v26_seed_examples),
           CHECK_CASE(rules_of_a_v3_entry),
           CHECK_CASE(malformed_catalogs_fail_loudly),
           CHECK_CASE(assets_are_file_names_only),
           CHECK_CASE(docs_and_examples), CHECK_CASE(readme_explains_the_mount),
           CHECK_CASE(messages_are_one_line))
