/*
 * Unit tests for the effective request (jobs/request.c): merging, the
 * request.json cascade and the sidecar, and the errors a user sees for bad
 * files. Works in a temporary store.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/fsutil.h"
#include "core/mem.h"
#include "jobs/request.h"
#include "providers/catalog.h"
#include "tests/check.h"

static char store[64];
static struct catalog *cat;
static const struct catalog_model *kenburns;

static void setup(void)
{
    char *err = NULL;

    snprintf(store, sizeof(store), "/tmp/test_request.XXXXXX");
    CHECK(mkdtemp(store) != NULL);
    CHECK_INT_EQ(catalog_new(&cat, &err), 0);
    free(err);
    kenburns = catalog_find(cat, "local/kenburns", NULL);
    CHECK(kenburns != NULL);
}

static int remove_cb(const char *path, const struct stat *st, int flag,
                     struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void teardown(void)
{
    CHECK_INT_EQ(nftw(store, remove_cb, 16, FTW_DEPTH | FTW_PHYS), 0);
    catalog_free(cat);
}

/* Writes text to store/rel, making its folders. */
static void put(const char *rel, const char *text)
{
    char *path = fsutil_join(store, rel);
    char *dir = xstrdup(path);

    *strrchr(dir, '/') = '\0';
    CHECK_INT_EQ(fsutil_mkdir_p(dir, 0755), 0);
    CHECK_INT_EQ(fsutil_write_atomic(path, text, strlen(text)), 0);
    free(dir);
    free(path);
}

/* The JSON text of v at path ("a.b.c"), compact; a new string. */
static char *at(const cJSON *v, const char *path)
{
    char *copy = xstrdup(path), *save = NULL, *s;

    for (char *k = strtok_r(copy, ".", &save); k && v;
         k = strtok_r(NULL, ".", &save))
        v = cJSON_GetObjectItemCaseSensitive(v, k);
    free(copy);
    if (!v)
        return xstrdup("(missing)");
    s = cJSON_PrintUnformatted(v);
    return s;
}

#define CHECK_AT(v, path, text)  \
    do {                         \
        char *at_ = at(v, path); \
        CHECK_STR_EQ(at_, text); \
        free(at_);               \
    } while (0)

static void merge_objects_deep_and_replace_the_rest(void)
{
    cJSON *base = cJSON_Parse(
        "{\"a\": 1, \"o\": {\"x\": 1, \"deep\": {\"k\": 1, \"j\": 2}}, "
        "\"arr\": [1, 2, 3], \"s\": \"text\", \"t\": {\"was\": \"object\"}}");
    cJSON *over = cJSON_Parse(
        "{\"a\": 2, \"o\": {\"y\": 2, \"deep\": {\"k\": 9}}, \"arr\": [4], "
        "\"s\": {\"now\": \"object\"}, \"t\": \"now text\", \"new\": null}");
    char *s;

    request_merge(base, over);
    s = cJSON_PrintUnformatted(base);
    CHECK_STR_EQ(s, "{\"a\":2,\"o\":{\"x\":1,\"deep\":{\"k\":9,\"j\":2},"
                    "\"y\":2},\"arr\":[4],\"s\":{\"now\":\"object\"},"
                    "\"t\":\"now text\",\"new\":null}");
    free(s);
    /* over is borrowed: still whole, and not shared with base. */
    cJSON_Delete(base);
    s = cJSON_PrintUnformatted(over);
    CHECK_STR_EQ(s, "{\"a\":2,\"o\":{\"y\":2,\"deep\":{\"k\":9}},\"arr\":[4],"
                    "\"s\":{\"now\":\"object\"},\"t\":\"now text\","
                    "\"new\":null}");
    free(s);
    cJSON_Delete(over);
}

static void defaults_alone_without_files(void)
{
    cJSON *req = NULL;
    char *err = NULL;
    int has = -1;

    setup();
    CHECK_INT_EQ(request_effective(store, kenburns, "local/kenburns", NULL,
                                   &req, &has, &err),
                 0);
    CHECK(err == NULL);
    CHECK_INT_EQ(has, 0);
    CHECK_AT(req, "duration", "5");
    CHECK_AT(req, "fps", "24");
    CHECK_AT(req, "resolution", "\"720p\"");
    CHECK_AT(req, "aspectRatio", "\"16:9\"");
    cJSON_Delete(req);
    /* A missing sidecar and missing subfolders are simply skipped. */
    CHECK_INT_EQ(request_effective(store, kenburns, "local/kenburns/a/b",
                                   "photo.json", &req, &has, &err),
                 0);
    CHECK_INT_EQ(has, 0);
    CHECK_AT(req, "duration", "5");
    cJSON_Delete(req);
    teardown();
}

static void cascade_model_folder_subfolder_sidecar(void)
{
    cJSON *req = NULL;
    char *err = NULL;
    int has = 0;

    setup();
    put("local/kenburns/request.json",
        "{\"duration\": 3, \"prompt\": \"top\", \"providerOptions\": "
        "{\"local\": {\"cameraControl\": {\"type\": \"simple\", \"config\": "
        "{\"zoom\": 5}}, \"resizeMode\": \"pad\"}}}");
    put("local/kenburns/trip/request.json",
        "{\"duration\": 4, \"providerOptions\": {\"local\": {\"resizeMode\": "
        "\"crop\"}}}");
    put("local/kenburns/trip/day1/photo.json",
        "{\"fps\": 30, \"providerOptions\": {\"local\": {\"cameraControl\": "
        "{\"config\": {\"pan\": 2}}}}}");
    /* A sibling folder's settings never leak in. */
    put("local/kenburns/other/request.json", "{\"duration\": 9}");
    put("local/request.json", "{\"duration\": 11}");

    CHECK_INT_EQ(request_effective(store, kenburns, "local/kenburns/trip/day1",
                                   "photo.json", &req, &has, &err),
                 0);
    CHECK(err == NULL);
    CHECK_INT_EQ(has, 1);
    CHECK_AT(req, "duration", "4");          /* trip over the model folder */
    CHECK_AT(req, "prompt", "\"top\"");      /* inherited */
    CHECK_AT(req, "fps", "30");              /* the sidecar */
    CHECK_AT(req, "resolution", "\"720p\""); /* the default */
    CHECK_AT(req, "providerOptions.local.resizeMode", "\"crop\"");
    CHECK_AT(req, "providerOptions.local.cameraControl",
             "{\"type\":\"simple\",\"config\":{\"zoom\":5,\"pan\":2}}");
    cJSON_Delete(req);

    /* The sidecar wins over every request.json. */
    put("local/kenburns/trip/day1/photo.json", "{\"duration\": 7}");
    CHECK_INT_EQ(request_effective(store, kenburns, "local/kenburns/trip/day1",
                                   "photo.json", &req, &has, &err),
                 0);
    CHECK_AT(req, "duration", "7");
    cJSON_Delete(req);

    /* The model folder alone. */
    CHECK_INT_EQ(request_effective(store, kenburns, "local/kenburns", NULL,
                                   &req, &has, &err),
                 0);
    CHECK_INT_EQ(has, 1);
    CHECK_AT(req, "duration", "3");
    CHECK_AT(req, "providerOptions.local.resizeMode", "\"pad\"");
    cJSON_Delete(req);
    teardown();
}

static void sidecar_alone_is_not_a_request(void)
{
    cJSON *req = NULL;
    char *err = NULL;
    int has = 1;

    setup();
    put("local/kenburns/photo.json", "{\"duration\": 2}");
    CHECK_INT_EQ(request_effective(store, kenburns, "local/kenburns",
                                   "photo.json", &req, &has, &err),
                 0);
    CHECK_INT_EQ(has, 0);
    CHECK_AT(req, "duration", "2");
    cJSON_Delete(req);
    teardown();
}

static void expect_error(const char *dir_rel, const char *sidecar,
                         const char *msg)
{
    cJSON *req = (cJSON *)1;
    char *err = NULL;
    int has = 0;

    CHECK_INT_EQ(
        request_effective(store, kenburns, dir_rel, sidecar, &req, &has, &err),
        -EINVAL);
    CHECK(req == NULL);
    CHECK_STR_EQ(err, msg);
    free(err);
}

static void bad_json_names_file_line_and_column(void)
{
    setup();
    put("local/kenburns/trip/request.json",
        "{\n  \"duration\": 5,\n  oops: 1\n}\n");
    expect_error("local/kenburns/trip", NULL,
                 "trip/request.json: invalid JSON at line 3, column 3");
    put("local/kenburns/trip/request.json", "{\"duration\": 5,}");
    expect_error("local/kenburns/trip", NULL,
                 "trip/request.json: invalid JSON at line 1, column 16");
    /* Characters, not bytes: "é" is one column. */
    put("local/kenburns/trip/request.json", "{\"prompt\": \"été\" x}");
    expect_error("local/kenburns/trip", NULL,
                 "trip/request.json: invalid JSON at line 1, column 18");
    put("local/kenburns/trip/request.json", "{\"a\": 1,\n oops}");
    expect_error("local/kenburns/trip", NULL,
                 "trip/request.json: invalid JSON at line 2, column 2");
    put("local/kenburns/trip/request.json", "{\"a\": [1, , 2]}");
    expect_error("local/kenburns/trip", NULL,
                 "trip/request.json: invalid JSON at line 1, column 11");
    put("local/kenburns/trip/request.json", "{\"a\": tru}");
    expect_error("local/kenburns/trip", NULL,
                 "trip/request.json: invalid JSON at line 1, column 7");
    put("local/kenburns/trip/request.json", "");
    expect_error("local/kenburns/trip", NULL,
                 "trip/request.json: invalid JSON at line 1, column 1 (the "
                 "file is empty)");
    {
        char *path = fsutil_join(store, "local/kenburns/trip/request.json");

        CHECK_INT_EQ(fsutil_write_atomic(path, "{\n \"a\"\0: 1}", 12), 0);
        free(path);
    }
    expect_error("local/kenburns/trip", NULL,
                 "trip/request.json: invalid JSON at line 2, column 5 (a NUL "
                 "byte)");
    put("local/kenburns/trip/request.json", "{} {}");
    expect_error("local/kenburns/trip", NULL,
                 "trip/request.json: invalid JSON at line 1, column 4");
    put("local/kenburns/trip/request.json", "{}");
    put("local/kenburns/request.json", "{\"a\": [1, 2}");
    expect_error("local/kenburns/trip", NULL,
                 "request.json: invalid JSON at line 1, column 12");
    put("local/kenburns/request.json", "{}");
    put("local/kenburns/trip/photo.json", "{\n\n\"x\" 1}");
    expect_error("local/kenburns/trip", "photo.json",
                 "trip/photo.json: invalid JSON at line 3, column 5");
    teardown();
}

static void request_must_be_an_object(void)
{
    setup();
    put("local/kenburns/request.json", "[1, 2]");
    expect_error("local/kenburns", NULL,
                 "request.json: must be a JSON object ({ ... }), not an "
                 "array");
    put("local/kenburns/request.json", "\"duration\"");
    expect_error("local/kenburns", NULL,
                 "request.json: must be a JSON object ({ ... }), not a "
                 "string");
    put("local/kenburns/request.json", "{}");
    put("local/kenburns/a.json", "5");
    expect_error("local/kenburns", "a.json",
                 "a.json: must be a JSON object ({ ... }), not a number");
    teardown();
}

/*
 * Found by tests/fuzz/fuzz_cascade: a key written twice in one object was
 * kept twice. Merged over the defaults the last one won, but in an object
 * copied whole (one the defaults lack) validation checked both and the
 * providers read the first. It is a mistake to point out, not to guess.
 */
static void duplicate_keys_are_refused(void)
{
    setup();
    put("local/kenburns/request.json", "{\"duration\": 2, \"duration\": 5}");
    expect_error("local/kenburns", NULL,
                 "request.json: \"duration\" is written twice (a key may "
                 "appear once in an object)");
    put("local/kenburns/request.json",
        "{\"providerOptions\": {\"klingai\": {\"mode\": \"std\", "
        "\"imageTail\": \"a.png\", \"mode\": \"pro\"}}}");
    expect_error("local/kenburns", NULL,
                 "request.json: \"mode\" is written twice in "
                 "providerOptions.klingai (a key may appear once in an "
                 "object)");
    put("local/kenburns/request.json",
        "{\"a\": [1, {\"m\": 1, \"m\\n\": 2, \"m\\n\": 3}]}");
    expect_error("local/kenburns", NULL,
                 "request.json: \"m \" is written twice in a[1] (a key may "
                 "appear once in an object)");
    /* The same key in different objects is fine. */
    put("local/kenburns/request.json",
        "{\"a\": {\"m\": 1}, \"b\": {\"m\": 1}, \"m\": 2}");
    {
        cJSON *req = NULL;
        char *err = NULL;
        int has = 0;

        CHECK_INT_EQ(request_effective(store, kenburns, "local/kenburns", NULL,
                                       &req, &has, &err),
                     0);
        cJSON_Delete(req);
        free(err);
    }
    teardown();
}

static void oversize_files_are_refused(void)
{
    char *big = xmalloc(REQUEST_MAX_BYTES + 2);
    char *path, *err = NULL;
    cJSON *v = NULL;

    setup();
    /* Exactly the limit is fine: an object padded with spaces. */
    memset(big, ' ', REQUEST_MAX_BYTES);
    big[0] = '{';
    big[REQUEST_MAX_BYTES - 1] = '}';
    big[REQUEST_MAX_BYTES] = '\0';
    put("local/kenburns/request.json", big);
    path = fsutil_join(store, "local/kenburns/request.json");
    CHECK_INT_EQ(request_read_json(path, "request.json", &v, &err), 0);
    CHECK(cJSON_IsObject(v));
    cJSON_Delete(v);
    /* One byte more is not. */
    big[REQUEST_MAX_BYTES - 1] = ' ';
    big[REQUEST_MAX_BYTES] = '}';
    big[REQUEST_MAX_BYTES + 1] = '\0';
    put("local/kenburns/request.json", big);
    CHECK_INT_EQ(request_read_json(path, "request.json", &v, &err), -EFBIG);
    CHECK(v == NULL);
    CHECK_STR_EQ(err, "request.json: larger than 1048576 bytes, the most "
                      "i2vfs reads");
    free(err);
    expect_error("local/kenburns", NULL,
                 "request.json: larger than 1048576 bytes, the most i2vfs "
                 "reads");
    free(path);
    free(big);
    teardown();
}

/*
 * Files each under the cap add up, folder by folder, past it: the effective
 * request is refused as a whole (a record that large is not read back).
 */
/* 100000 '[': the parser stops at its nesting limit, and says so. */
static void deep_nesting_says_so(void)
{
    char *deep = xmalloc(100001);

    setup();
    memset(deep, '[', 100000);
    deep[100000] = '\0';
    put("local/kenburns/request.json", deep);
    expect_error("local/kenburns", NULL,
                 "request.json: invalid JSON at line 1, column 1001 (nested "
                 "deeper than 1000)");
    free(deep);
    teardown();
}

static void the_cascade_is_capped_as_a_whole(void)
{
    size_t len = REQUEST_MAX_BYTES / 2;
    char *big = xmalloc(len + 32);

    setup();
    snprintf(big, len + 32, "{\"a\": \"%0*d\"}", (int)len, 0);
    put("local/kenburns/request.json", big);
    snprintf(big, len + 32, "{\"b\": \"%0*d\"}", (int)len, 0);
    put("local/kenburns/x/request.json", big);
    snprintf(big, len + 32, "{\"c\": \"%0*d\"}", (int)len, 0);
    put("local/kenburns/x/y/request.json", big);
    expect_error("local/kenburns/x/y", NULL,
                 "x/request.json: the effective request (every request.json "
                 "from the model folder down, and this file) is larger than "
                 "1048576 bytes, the most i2vfs takes");
    free(big);
    teardown();
}

static void read_json_reports_missing_and_unreadable(void)
{
    char *path, *err = (char *)1;
    cJSON *v = (cJSON *)1;

    setup();
    path = fsutil_join(store, "nothing.json");
    CHECK_INT_EQ(request_read_json(path, "nothing.json", &v, &err), -ENOENT);
    CHECK(v == NULL);
    CHECK(err == NULL);
    free(path);
    /* A folder named request.json is an error, not a missing file. */
    path = fsutil_join(store, "local/kenburns/request.json");
    CHECK_INT_EQ(fsutil_mkdir_p(path, 0755), 0);
    expect_error("local/kenburns", NULL,
                 "request.json: cannot be read: Is a directory");
    free(path);
    teardown();
}

static void folders_outside_the_model_are_refused(void)
{
    setup();
    expect_error("local/kenburnsx", NULL,
                 "local/kenburnsx: not a folder inside local/kenburns");
    expect_error("local", NULL, "local: not a folder inside local/kenburns");
    expect_error("local/kenburns/../../etc", NULL,
                 "local/kenburns/../../etc: not a folder inside "
                 "local/kenburns");
    expect_error("local/kenburns", "../request.json",
                 "../request.json: not a file name");
    teardown();
}

static void the_example_is_a_valid_effective_request(void)
{
    cJSON *req = NULL;
    char *err = NULL, *example;
    int has = 0;

    setup();
    example = catalog_model_example(kenburns);
    put("local/kenburns/request.json", example);
    CHECK_INT_EQ(request_effective(store, kenburns, "local/kenburns", NULL,
                                   &req, &has, &err),
                 0);
    CHECK_INT_EQ(catalog_validate(kenburns, req, &err), 0);
    CHECK(err == NULL);
    cJSON_Delete(req);
    /* And a typo in the cascade is caught by validation with its name. */
    put("local/kenburns/trip/request.json",
        "{\"providerOptions\": {\"local\": {\"cameraControl\": {\"config\": "
        "{\"zoom\": 12}}}}}");
    CHECK_INT_EQ(request_effective(store, kenburns, "local/kenburns/trip", NULL,
                                   &req, &has, &err),
                 0);
    CHECK_INT_EQ(catalog_validate(kenburns, req, &err), -EINVAL);
    CHECK_STR_EQ(err, "providerOptions.local.cameraControl.config.zoom: 12 "
                      "is out of range (allowed: -10 to 10)");
    free(err);
    cJSON_Delete(req);
    free(example);
    teardown();
}

CHECK_MAIN(CHECK_CASE(merge_objects_deep_and_replace_the_rest),
           CHECK_CASE(the_cascade_is_capped_as_a_whole),
           CHECK_CASE(deep_nesting_says_so),
           CHECK_CASE(defaults_alone_without_files),
           CHECK_CASE(cascade_model_folder_subfolder_sidecar),
           CHECK_CASE(sidecar_alone_is_not_a_request),
           CHECK_CASE(bad_json_names_file_line_and_column),
           CHECK_CASE(request_must_be_an_object),
           CHECK_CASE(duplicate_keys_are_refused),
           CHECK_CASE(oversize_files_are_refused),
           CHECK_CASE(read_json_reports_missing_and_unreadable),
           CHECK_CASE(folders_outside_the_model_are_refused),
           CHECK_CASE(the_example_is_a_valid_effective_request))
