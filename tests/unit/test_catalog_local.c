/*
 * Unit tests for the validation of local/kenburns requests
 * (providers/validate.c): every option, its boundaries and its messages.
 */
#include "tests/unit/catalog_fixture.h"

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

CHECK_MAIN(CHECK_CASE(local_top_level_options),
           CHECK_CASE(local_resolution_and_aspect), CHECK_CASE(local_prompt),
           CHECK_CASE(local_camera_control), CHECK_CASE(local_images_and_rules),
           CHECK_CASE(local_reads_cloud_vendor_keys),
           CHECK_CASE(messages_are_one_line))
