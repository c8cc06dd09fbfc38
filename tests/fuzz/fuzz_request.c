/*
 * Fuzz target: a request.json as users write it. The bytes are read as the
 * engine reads the file (request_read_json), merged over every catalog
 * model's defaults (request_merge), validated (catalog_validate), the
 * asset names and image options of valid requests collected, and, for a
 * cloud model, the provider's submit and poll requests built from it with
 * images resolved as jobs/images.c resolves them.
 */
#include <errno.h>

#include <cjson/cJSON.h>

#include "jobs/request.h"
#include "providers/catalog.h"
#include "providers/provider.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/fuzz_catalog.h"

extern const struct provider provider_gateway;
extern const struct provider provider_kling;
extern const struct provider provider_krea;

static const struct provider *const cloud[] = {
    &provider_gateway,
    &provider_kling,
    &provider_krea,
};

static const struct provider_config config = {
    .base_url = "https://api.example.com",
    .api_key = "fuzz-key",
    .access_key = "fuzz-access",
    .secret_key = "fuzz-secret",
};

/* At most this many images per job, first frame included. */
#define FUZZ_MAX_IMAGES 32

static struct catalog *catalog;
static struct fuzz_file input;
static bool is_verbose; /* FUZZ_VERBOSE=1: each model's verdict on stderr */

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    catalog = fuzz_catalog_all();
    fuzz_file_open(&input);
    is_verbose = getenv("FUZZ_VERBOSE") != NULL;
    return 0;
}

/* An asset is a plain name in the job's folder: never a path out of it. */
static bool is_plain_name(const char *name)
{
    return *name && !strchr(name, '/') && strcmp(name, ".") != 0 &&
           strcmp(name, "..") != 0;
}

/* A job's images as jobs/images.c resolves them (without the bytes). */
struct images {
    const struct catalog_model *model;
    struct provider_image list[FUZZ_MAX_IMAGES];
    char *paths[FUZZ_MAX_IMAGES];
    size_t count;
    size_t seen;
};

static bool is_url(const char *s)
{
    return strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0;
}

static void add_image(struct images *im, const char *path, const char *value)
{
    struct provider_image *img = &im->list[im->count];

    if (im->count == FUZZ_MAX_IMAGES)
        return;
    im->paths[im->count] = strdup(path);
    if (!im->paths[im->count])
        abort();
    img->path = im->paths[im->count];
    img->mime = "image/png";
    if (is_url(value))
        img->url = value;
    else if (catalog_model_takes_base64(im->model))
        img->base64 = "iVBORw0KGgo=";
    else
        img->url = "https://store.example.com/e3b0c442.png";
    im->count++;
}

static void image_option_cb(void *arg, const char *path, const char *value)
{
    struct images *im = arg;

    FUZZ_CHECK(path && *path);
    FUZZ_CHECK(value);
    im->seen++;
    /* prompt.image is the first frame, resolved already as "image". */
    if (strcmp(path, "prompt.image") != 0)
        add_image(im, path, value);
}

static const struct provider *provider_of(const struct catalog_model *model)
{
    for (size_t i = 0; i < sizeof(cloud) / sizeof(cloud[0]); i++) {
        if (strcmp(cloud[i]->name, catalog_model_provider(model)) == 0)
            return cloud[i];
    }
    return NULL;
}

static void check_http(int rc, struct provider_http *http, char *err)
{
    cJSON *body;

    FUZZ_CHECK(rc <= 0);
    if (rc < 0) {
        FUZZ_CHECK(rc == -EINVAL || rc == -ENOKEY);
        FUZZ_CHECK_LINE(err);
        free(err);
        provider_http_release(http);
        return;
    }
    FUZZ_CHECK(!err);
    FUZZ_CHECK(http->method && http->url && is_url(http->url));
    FUZZ_CHECK(!strpbrk(http->url, " \r\n"));
    for (size_t i = 0; http->headers[i]; i++)
        FUZZ_CHECK(!strpbrk(http->headers[i], "\r\n"));
    if (http->body) {
        FUZZ_CHECK(strlen(http->body) == http->body_size);
        body = cJSON_Parse(http->body);
        FUZZ_CHECK(cJSON_IsObject(body));
        cJSON_Delete(body);
    }
    provider_http_release(http);
}

/* The submit and poll requests a cloud job would send. */
static void build_requests(const struct provider *p,
                           const struct catalog_model *model,
                           const cJSON *request, struct images *im)
{
    struct provider_job job = {
        .model_id = catalog_model_id(model),
        .request = request,
        .images = im->list,
        .image_count = im->count,
        .idempotency_key = "i2vfs-0123456789abcdef",
        .task_id = "image2video/123",
        .config = &config,
        .now = 1790000000,
    };
    struct provider_http http;
    char *err = NULL;
    int rc;

    memset(&http, 0, sizeof(http));
    rc = provider_build_submit(p, &job, &http, &err);
    check_http(rc, &http, err);
    memset(&http, 0, sizeof(http));
    err = NULL;
    rc = provider_build_poll(p, &job, &http, &err);
    check_http(rc, &http, err);
}

/* Everything the engine does with a request for one model. */
static void check_model(const struct catalog_model *model, const cJSON *over)
{
    cJSON *request = catalog_model_defaults(model);
    const struct provider *p = provider_of(model);
    char **names = NULL, *err = NULL;
    struct images im = { .model = model };
    size_t n;
    int rc;

    FUZZ_CHECK(cJSON_IsObject(request));
    request_merge(request, over);
    rc = catalog_validate(model, request, &err);
    FUZZ_CHECK(rc == 0 || rc == -EINVAL);
    if (is_verbose)
        fprintf(stderr, "%s: %s\n", catalog_model_folder(model),
                rc == 0 ? "valid" : err);
    if (rc < 0) {
        FUZZ_CHECK_LINE(err);
        free(err);
        goto out;
    }
    FUZZ_CHECK(!err);
    n = catalog_assets(model, request, &names);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(names[i] && is_plain_name(names[i]));
    FUZZ_CHECK(!names[n]);
    catalog_names_free(names);
    /* The dropped image is the first frame. */
    add_image(&im, "image", "photo.png");
    n = catalog_image_options(model, request, image_option_cb, &im);
    FUZZ_CHECK(n == im.seen);
    if (p)
        build_requests(p, model, request, &im);
    for (size_t i = 0; i < im.count; i++)
        free(im.paths[i]);
out:
    cJSON_Delete(request);
}

/*
 * "line L, column C" of a parse error must point into the text: a line
 * that exists, a column at most one past the line's last character.
 */
static void check_position(const char *err, const char *text, size_t size)
{
    const char *at = strstr(err, "at line ");
    const char *line_start = text;
    int line, col, lines = 1;
    size_t chars = 0;

    if (!at || sscanf(at, "at line %d, column %d", &line, &col) != 2)
        return; /* not a parse error: a NUL byte, too big */
    for (size_t i = 0; i < size; i++) {
        if (text[i] == '\n') {
            lines++;
            if (lines == line)
                line_start = text + i + 1;
        }
    }
    for (const char *c = line_start; c < text + size && *c != '\n'; c++)
        chars += ((unsigned char)*c & 0xc0) != 0x80;
    if (line < 1 || line > lines || col < 1 || (size_t)col > chars + 1)
        fprintf(stderr, "%s (%d lines, %zu characters on the line)\n", err,
                lines, chars);
    FUZZ_CHECK(line >= 1 && line <= lines);
    FUZZ_CHECK(col >= 1 && (size_t)col <= chars + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *over = NULL;
    char *err = NULL;
    int rc;

    if (size > REQUEST_MAX_BYTES)
        return -1;
    fuzz_file_set(&input, data, size);
    rc = request_read_json(input.path, "trip/request.json", &over, &err);
    if (rc < 0) {
        FUZZ_CHECK(rc == -EINVAL);
        FUZZ_CHECK(!over);
        FUZZ_CHECK_LINE(err);
        FUZZ_CHECK(strncmp(err, "trip/request.json: ", 19) == 0);
        check_position(err, (const char *)data, size);
        free(err);
        return 0;
    }
    FUZZ_CHECK(over && !err);
    /* Only an object merges; request_effective refuses anything else. */
    if (cJSON_IsObject(over)) {
        for (size_t i = 0; i < catalog_model_count(catalog); i++)
            check_model(catalog_model_at(catalog, i), over);
    }
    cJSON_Delete(over);
    return 0;
}
