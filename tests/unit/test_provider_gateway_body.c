/*
 * The AI Gateway start body (providers/gateway_body.c through the gateway
 * provider): every seed example against tests/fixtures/gateway/requests/,
 * every catalog option of every gateway model on the wire, the body rules.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "core/fsutil.h"
#include "core/mem.h"
#include "providers/provider.h"
#include "tests/check.h"
#include "tests/unit/provider_fixture.h"

extern const struct provider provider_gateway;

#define FIXTURES  "tests/fixtures/gateway"
#define SEEDS     "tests/fixtures/seeds/gateway"
#define KEY       "sk-test-SECRET-0123"
#define BLOB_BASE "https://store.public.blob.vercel-storage.com/i2vfs/"

static const struct provider_config config = { .api_key = KEY };

/*
 * Seeds: how the test stands in for the engine. A URL stays a URL; a file
 * name becomes BLOB_BASE<name> (uploaded) or, inline, the base64 of "fake
 * bytes of <value>" with the type its extension says.
 */
static const char *mime_of(const char *v)
{
    size_t n = strlen(v);

    if ((n > 4 && strcmp(v + n - 4, ".jpg") == 0) ||
        (n > 5 && strcmp(v + n - 5, ".jpeg") == 0))
        return "image/jpeg";
    return "image/png";
}

static void add_seed_image(struct test_job *t, const char *path,
                           const char *value, bool inline_bytes)
{
    struct provider_image *img = &t->images[t->job.image_count++];

    img->path = keep(t, xstrdup(path));
    if (inline_bytes) {
        char *raw = xasprintf("fake bytes of %s", value);
        int n = (int)strlen(raw);
        char *b64 = xmalloc((size_t)(4 * ((n + 2) / 3) + 1));

        EVP_EncodeBlock((unsigned char *)b64, (unsigned char *)raw, n);
        free(raw);
        img->base64 = keep(t, b64);
        img->mime = mime_of(value);
    } else if (strncmp(value, "https://", 8) == 0) {
        img->url = keep(t, xstrdup(value));
    } else {
        img->url = keep(t, xasprintf(BLOB_BASE "%s", value));
    }
}

/* Collects the image-valued options the seeds use, with their paths. */
static void find_images(struct test_job *t, const cJSON *node, const char *path,
                        bool inline_bytes)
{
    static const char *const image_keys[] = { "imageTail", "staticMask", "mask",
                                              "lastFrameImage" };
    const cJSON *child;
    size_t i = 0;

    cJSON_ArrayForEach(child, node)
    {
        char *sub = cJSON_IsArray(node)
                        ? xasprintf("%s[%zu]", path, i)
                        : (*path ? xasprintf("%s.%s", path, child->string)
                                 : xstrdup(child->string));
        bool is_image = false;

        for (size_t k = 0; k < 4 && !cJSON_IsArray(node); k++)
            is_image |= strcmp(child->string, image_keys[k]) == 0;
        if (strcmp(sub, "prompt.image") == 0)
            add_seed_image(t, "image", child->valuestring, inline_bytes);
        else if (is_image && cJSON_IsString(child))
            add_seed_image(t, sub, child->valuestring, inline_bytes);
        else if (cJSON_IsArray(node) && strstr(path, "referenceImages"))
            add_seed_image(t, sub, child->valuestring, inline_bytes);
        else
            find_images(t, child, sub, inline_bytes);
        free(sub);
        i++;
    }
}

static int check_seed(const char *dir, const char *file, bool inline_bytes)
{
    char *path = xasprintf(SEEDS "/%s/%s", dir, file);
    char *model = xstrdup(dir);
    char *expected_path;
    struct provider_http http = { 0 };
    struct test_job t;
    cJSON *expected, *body;
    char *err = NULL;

    *strchr(model, '-') = '/';
    job_init(&t, model, read_json(path), &config);
    CHECK(t.request != NULL);
    find_images(&t, t.request, "", inline_bytes);
    *strrchr(path, '.') = '\0';
    expected_path =
        xasprintf(FIXTURES "/requests/%s-%s.%s.json", dir,
                  strrchr(path, '/') + 1, inline_bytes ? "base64" : "url");
    expected = read_json(expected_path);
    CHECK(expected != NULL);
    CHECK_INT_EQ(provider_build_submit(&provider_gateway, &t.job, &http, &err),
                 0);
    body = http.body ? parse(http.body) : NULL;
    if (!expected || !body || !cJSON_Compare(expected, body, true)) {
        fprintf(stderr, "%s: body differs:\n%s\n", expected_path,
                http.body ? http.body : err);
        check_failures++;
    }
    CHECK_STR_EQ(header(&http, "ai-model-id"), model);
    cJSON_Delete(expected);
    cJSON_Delete(body);
    provider_http_release(&http);
    job_release(&t);
    free(err);
    free(expected_path);
    free(model);
    free(path);
    return 1;
}

/* Every seed example, images both uploaded and inline. */
static void test_seed_bodies(void)
{
    DIR *models = opendir(SEEDS);
    struct dirent *m;
    int count = 0;

    CHECK(models != NULL);
    while (models && (m = readdir(models))) {
        char *sub = xasprintf(SEEDS "/%s", m->d_name);
        DIR *d = m->d_name[0] == '.' ? NULL : opendir(sub);
        struct dirent *f;

        while (d && (f = readdir(d))) {
            if (!strstr(f->d_name, ".json"))
                continue;
            count += check_seed(m->d_name, f->d_name, false);
            count += check_seed(m->d_name, f->d_name, true);
        }
        if (d)
            closedir(d);
        free(sub);
    }
    if (models)
        closedir(models);
    CHECK_INT_EQ(count, 24);
}

/* Builds the start request for a request text with no images. */
static int build(const char *request_text, struct provider_http *http,
                 cJSON **body, char **err)
{
    struct test_job t;
    int rc;

    job_init(&t, "google/veo-3.1-generate-001", parse(request_text), &config);
    rc = provider_build_submit(&provider_gateway, &t.job, http, err);
    *body = rc == 0 ? parse(http->body) : NULL;
    job_release(&t);
    return rc;
}

static void check_body(const char *request_text, const char *expected_text)
{
    struct provider_http http = { 0 };
    cJSON *body, *expected = parse(expected_text);
    char *err = NULL;

    CHECK_INT_EQ(build(request_text, &http, &body, &err), 0);
    if (!body || !cJSON_Compare(body, expected, true)) {
        fprintf(stderr, "request %s\n  gave %s\n  want %s\n", request_text,
                http.body ? http.body : err, expected_text);
        check_failures++;
    }
    cJSON_Delete(body);
    cJSON_Delete(expected);
    provider_http_release(&http);
    free(err);
}

static void test_body_rules(void)
{
    /* p-form resolutions become WxH, portrait for a portrait aspect. */
    check_body("{\"prompt\":\"a\",\"resolution\":\"720p\"}",
               "{\"prompt\":\"a\",\"n\":1,\"resolution\":\"1280x720\","
               "\"providerOptions\":{}}");
    check_body("{\"prompt\":\"a\",\"resolution\":\"1080p\","
               "\"aspectRatio\":\"9:16\"}",
               "{\"prompt\":\"a\",\"n\":1,\"aspectRatio\":\"9:16\","
               "\"resolution\":\"1080x1920\",\"providerOptions\":{}}");
    check_body("{\"resolution\":\"480p\",\"aspectRatio\":\"16:9\"}",
               "{\"n\":1,\"aspectRatio\":\"16:9\",\"resolution\":\"854x480\","
               "\"providerOptions\":{}}");
    check_body("{\"resolution\":\"1920x1080\"}",
               "{\"n\":1,\"resolution\":\"1920x1080\",\"providerOptions\":{}}");
    /* seed 0 and duration 0 are dropped; fps, seed, false audio are sent. */
    check_body("{\"prompt\":\"a\",\"seed\":0,\"duration\":0,"
               "\"generateAudio\":false}",
               "{\"prompt\":\"a\",\"n\":1,\"generateAudio\":false,"
               "\"providerOptions\":{}}");
    check_body("{\"seed\":4294967295,\"fps\":24,\"duration\":8,"
               "\"generateAudio\":true}",
               "{\"n\":1,\"duration\":8,\"fps\":24,\"seed\":4294967295,"
               "\"generateAudio\":true,\"providerOptions\":{}}");
    /* prompt object: its text; "" kept; no text, no prompt. */
    check_body("{\"prompt\":{\"text\":\"\"}}",
               "{\"prompt\":\"\",\"n\":1,\"providerOptions\":{}}");
    check_body("{\"prompt\":{}}", "{\"n\":1,\"providerOptions\":{}}");
    /* Our poll keys leave every vendor; the rest travels verbatim. */
    check_body("{\"providerOptions\":{\"gateway\":{\"tags\":[\"async\"]},"
               "\"vertex\":{\"pollIntervalMs\":10,\"pollTimeoutMs\":20,"
               "\"enhancePrompt\":false},\"xai\":{\"pollTimeoutMs\":1}}}",
               "{\"n\":1,\"providerOptions\":{\"gateway\":{\"tags\":"
               "[\"async\"]},\"vertex\":{\"enhancePrompt\":false},"
               "\"xai\":{}}}");
    /* An https first frame the engine left alone still travels. */
    check_body("{\"prompt\":{\"image\":\"https://e.com/a.png\"}}",
               "{\"n\":1,\"providerOptions\":{},\"image\":{\"type\":\"url\","
               "\"url\":\"https://e.com/a.png\"}}");
}

/* Sets value at path ("a.b[].c", "[]" meaning item 0), making containers. */
static void put_path(cJSON *root, const char *path, cJSON *value)
{
    char *copy = xstrdup(path), *save = NULL;
    char *seg = strtok_r(copy, ".", &save);
    cJSON *node = root;

    while (seg) {
        char *next = strtok_r(NULL, ".", &save);
        size_t n = strlen(seg);
        bool is_item = n > 2 && strcmp(seg + n - 2, "[]") == 0;
        cJSON *child, *item;

        if (is_item)
            seg[n - 2] = '\0';
        child = cJSON_GetObjectItemCaseSensitive(node, seg);
        if (!is_item && !next) {
            cJSON_DeleteItemFromObjectCaseSensitive(node, seg);
            cJSON_AddItemToObject(node, seg, value);
            break;
        }
        if (!child)
            child = is_item ? cJSON_AddArrayToObject(node, seg)
                            : cJSON_AddObjectToObject(node, seg);
        if (is_item && !next) {
            if (cJSON_GetArraySize(child) > 0)
                cJSON_DeleteItemFromArray(child, 0);
            cJSON_InsertItemInArray(child, 0, value);
            break;
        }
        if (is_item) {
            item = cJSON_GetArrayItem(child, 0);
            if (!item) {
                item = cJSON_CreateObject();
                cJSON_AddItemToArray(child, item);
            }
            child = item;
        }
        node = child;
        seg = next;
    }
    free(copy);
}

/* The value at path ("[]" meaning item 0) in root, or NULL. */
static const cJSON *get_path(const cJSON *root, const char *path)
{
    char *copy = xstrdup(path), *save = NULL;
    const cJSON *node = root;

    for (char *seg = strtok_r(copy, ".", &save); seg && node;
         seg = strtok_r(NULL, ".", &save)) {
        size_t n = strlen(seg);
        bool is_item = n > 2 && strcmp(seg + n - 2, "[]") == 0;

        if (is_item)
            seg[n - 2] = '\0';
        node = cJSON_GetObjectItemCaseSensitive(node, seg);
        if (is_item)
            node = cJSON_GetArrayItem(node, 0);
    }
    free(copy);
    return node;
}

/* path with "[]" as "[0]": how the engine names an image option. */
static char *engine_path(const char *path)
{
    char *out = xmalloc(2 * strlen(path) + 1), *o = out;

    for (const char *p = path; *p; p++) {
        *o++ = *p;
        if (p[0] == '[' && p[1] == ']')
            *o++ = '0';
    }
    *o = '\0';
    return out;
}

/* A value for one catalog option; registers images with t. */
static cJSON *sample(struct test_job *t, const cJSON *opt, const char *path)
{
    const cJSON *type = cJSON_GetObjectItem(opt, "type");
    const cJSON *values = cJSON_GetObjectItem(opt, "enum");
    const char *ty = cJSON_IsString(type) ? type->valuestring : "";

    if (cJSON_GetArraySize(values) > 0)
        return cJSON_Duplicate(cJSON_GetArrayItem(values, 0), true);
    if (strcmp(ty, "image") == 0 || strcmp(ty, "image-array") == 0) {
        char *ep = engine_path(path);
        bool is_array = ty[5] == '-';
        char *image_path = is_array ? xasprintf("%s[0]", ep) : xstrdup(ep);

        add_url_image(t, strcmp(ep, "prompt.image") == 0 ? "image" : image_path,
                      keep(t, xasprintf(BLOB_BASE "%s.png", image_path)));
        free(image_path);
        free(ep);
        if (is_array)
            return cJSON_CreateStringArray((const char *[]){ "ref.png" }, 1);
        return cJSON_CreateString("local-file.png");
    }
    if (strcmp(ty, "string") == 0)
        return cJSON_CreateString(path);
    if (strcmp(ty, "number") == 0 || strcmp(ty, "integer") == 0)
        return cJSON_CreateNumber(7);
    if (strcmp(ty, "boolean") == 0)
        return cJSON_CreateFalse();
    if (strcmp(ty, "url") == 0)
        return cJSON_CreateString("https://example.com/a.mp3");
    if (strcmp(ty, "array") == 0)
        return cJSON_CreateArray();
    if (strcmp(ty, "object") == 0 &&
        cJSON_IsTrue(cJSON_GetObjectItem(opt, "open")))
        return parse("{\"tags\":[\"async\"],\"order\":[\"vertex\"]}");
    if (strcmp(ty, "object") == 0)
        return cJSON_CreateObject();
    return NULL; /* "prompt" (string or object): its children fill it */
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Where the option at path must be in body, and with what value. */
static void check_option(const cJSON *body, const cJSON *opt, const char *path,
                         const cJSON *sent, const struct test_job *t,
                         const char *model)
{
    const char *ty = cJSON_GetObjectItem(opt, "type")->valuestring;
    const cJSON *got = get_path(body, path);
    bool ok;

    if (ends_with(path, "pollIntervalMs") || ends_with(path, "pollTimeoutMs")) {
        ok = got == NULL;
    } else if (strcmp(path, "prompt.text") == 0) {
        got = cJSON_GetObjectItem(body, "prompt");
        ok = cJSON_Compare(got, sent, true);
    } else if (strcmp(path, "prompt.image") == 0) {
        cJSON *want = cJSON_CreateObject();

        cJSON_AddStringToObject(want, "type", "url");
        cJSON_AddStringToObject(want, "url", t->images[0].url);
        got = cJSON_GetObjectItem(body, "image");
        ok = cJSON_Compare(got, want, true);
        cJSON_Delete(want);
    } else if (strcmp(ty, "image") == 0 || strcmp(ty, "image-array") == 0) {
        if (cJSON_IsArray(got))
            got = cJSON_GetArrayItem(got, 0);
        ok = cJSON_IsString(got) &&
             strncmp(got->valuestring, BLOB_BASE, strlen(BLOB_BASE)) == 0 &&
             strstr(got->valuestring, "providerOptions.");
    } else if (strcmp(path, "resolution") == 0 &&
               strcmp(sent->valuestring, "720p") == 0) {
        ok = cJSON_IsString(got) && strcmp(got->valuestring, "1280x720") == 0;
    } else if (strcmp(path, "resolution") == 0 &&
               strcmp(sent->valuestring, "480p") == 0) {
        ok = cJSON_IsString(got) && strcmp(got->valuestring, "854x480") == 0;
    } else if (strcmp(ty, "object") == 0 || strcmp(ty, "array") == 0) {
        ok = got != NULL && cJSON_IsArray(got) == cJSON_IsArray(sent);
    } else {
        ok = cJSON_Compare(got, sent, true);
    }
    if (!ok) {
        char *g = got ? cJSON_PrintUnformatted(got) : NULL;

        fprintf(stderr, "%s: option %s not on the wire (got %s)\n", model, path,
                g ? g : "nothing");
        free(g);
        check_failures++;
    }
}

/* Every option of every gateway model lands where gateway.md puts it. */
static void check_model(const cJSON *model)
{
    static const char *const allowed[] = {
        "prompt", "n",    "aspectRatio",   "resolution",      "duration",
        "fps",    "seed", "generateAudio", "providerOptions", "image",
    };
    const cJSON *options = cJSON_GetObjectItem(model, "options"), *opt;
    const char *id = cJSON_GetObjectItem(model, "id")->valuestring;
    struct provider_http http = { 0 };
    cJSON *request = cJSON_CreateObject(), *body = NULL, *key;
    const cJSON *sent;
    struct test_job t;
    char *err = NULL;

    job_init(&t, id, request, &config);
    cJSON_ArrayForEach(opt, options)
    {
        const char *path = cJSON_GetObjectItem(opt, "path")->valuestring;
        cJSON *v;

        if (cJSON_GetObjectItem(opt, "unsupported"))
            continue;
        v = sample(&t, opt, path);
        if (v)
            put_path(request, path, v);
    }
    CHECK_INT_EQ(provider_build_submit(&provider_gateway, &t.job, &http, &err),
                 0);
    if (err)
        fprintf(stderr, "%s: %s\n", id, err);
    body = http.body ? parse(http.body) : cJSON_CreateObject();
    cJSON_ArrayForEach(opt, options)
    {
        const char *path = cJSON_GetObjectItem(opt, "path")->valuestring;

        if (cJSON_GetObjectItem(opt, "unsupported") ||
            strcmp(path, "prompt") == 0)
            continue;
        sent = get_path(request, path);
        check_option(body, opt, path, sent, &t, id);
    }
    cJSON_ArrayForEach(key, body)
    {
        size_t i = 0;

        while (i < sizeof(allowed) / sizeof(allowed[0]) &&
               strcmp(key->string, allowed[i]) != 0)
            i++;
        if (i == sizeof(allowed) / sizeof(allowed[0])) {
            fprintf(stderr, "%s: undocumented field %s\n", id, key->string);
            check_failures++;
        }
    }
    CHECK_INT_EQ(cJSON_GetObjectItem(body, "n")->valuedouble, 1);
    cJSON_Delete(body);
    provider_http_release(&http);
    job_release(&t);
    free(err);
}

static void test_catalog_options(void)
{
    cJSON *catalog = read_json("providers/catalog.json");
    const cJSON *model;
    int count = 0;

    CHECK(catalog != NULL);
    cJSON_ArrayForEach(model, cJSON_GetObjectItem(catalog, "models"))
    {
        const cJSON *route = cJSON_GetObjectItem(model, "route");

        if (!cJSON_IsString(route) || strcmp(route->valuestring, "gateway"))
            continue;
        check_model(model);
        count++;
    }
    CHECK(count >= 14);
    cJSON_Delete(catalog);
}
CHECK_MAIN(CHECK_CASE(test_seed_bodies), CHECK_CASE(test_body_rules),
           CHECK_CASE(test_catalog_options))
