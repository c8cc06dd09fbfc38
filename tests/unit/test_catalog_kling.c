/*
 * Unit tests for the Kling models of the catalog, through the gateway and
 * direct: durations, features, v3 rules, motion brush, camera control and
 * image requirements, each at its boundary with the exact message.
 */
#include "tests/unit/catalog_cloud_fixture.h"

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

CHECK_MAIN(CHECK_CASE(kling_durations_by_version),
           CHECK_CASE(kling_features_by_version), CHECK_CASE(kling_v3_rules),
           CHECK_CASE(kling_motion_and_camera_rules),
           CHECK_CASE(kling_image_requirements))
