/*
 * Unit tests for the Krea models of the catalog, and every seed example of
 * tests/fixtures/seeds/ validated against its model.
 */
#include "tests/unit/catalog_cloud_fixture.h"

#define FIXTURES "tests/fixtures/seeds"

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

CHECK_MAIN(CHECK_CASE(krea_rules), CHECK_CASE(every_seed_example_validates))
