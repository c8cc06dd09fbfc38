/*
 * Unit tests for catalog rules (providers/catalog.c, validate.c): the
 * kling-v2.6 rules and seed examples, a v3-like entry, and catalogs that
 * must fail to load with a clear message.
 */
#include "tests/unit/catalog_fixture.h"

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

CHECK_MAIN(CHECK_CASE(kling_v26_rules), CHECK_CASE(kling_v26_seed_examples),
           CHECK_CASE(rules_of_a_v3_entry),
           CHECK_CASE(malformed_catalogs_fail_loudly))
