/*
 * Unit tests for a cloud job's images (jobs/images.c) and the upload cache
 * (jobs/uploads.c): what travels as a URL, as base64, or is uploaded
 * first, and the model's image rules checked before anything is sent.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/mem.h"
#include "jobs/images.h"
#include "jobs/uploads.h"
#include "tests/check.h"

extern const char catalog_json[];

static char dir[64];

/* A PNG header of w x h (enough for the sniffer) plus filler bytes. */
static void write_png(const char *name, unsigned w, unsigned h)
{
    unsigned char b[64] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                            0,    0,   0,   13,  'I',  'H',  'D',  'R' };
    char *path = xasprintf("%s/%s", dir, name);

    for (int i = 0; i < 4; i++) {
        b[16 + i] = (unsigned char)(w >> (24 - 8 * i));
        b[20 + i] = (unsigned char)(h >> (24 - 8 * i));
    }
    CHECK_INT_EQ(fsutil_write_atomic(path, b, sizeof(b)), 0);
    free(path);
}

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

static int resolve(const struct catalog *cat, const char *folder,
                   const char *request, const char *first,
                   struct image_list *out, const char **code, char **err)
{
    cJSON *req = cJSON_Parse(request);
    char *first_path = first && strncmp(first, "http", 4) != 0
                           ? xasprintf("%s/%s", dir, first)
                           : NULL;
    char *inline_dir = xasprintf("%s/.inline", dir);
    struct images_input in = {
        .model = catalog_find_model_by_folder(cat, folder),
        .request = req,
        .dir_abs = dir,
        .inline_dir = inline_dir,
        .first_path = first_path,
        .first_url = first && !first_path ? first : NULL,
    };
    int rc;

    CHECK(in.model != NULL);
    *err = NULL;
    rc = images_resolve(&in, out, code, err);
    cJSON_Delete(req);
    free(first_path);
    free(inline_dir);
    return rc;
}

static void make_dir(void)
{
    snprintf(dir, sizeof(dir), "/tmp/test_images.XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    write_png("start.png", 640, 480);
    write_png("end.png", 640, 480);
    write_png("tiny.png", 200, 480);
}

static void base64_round_trip(void)
{
    unsigned char *bytes = NULL;
    size_t size = 0;
    char *text = images_base64_encode((const unsigned char *)"hello!?", 7);

    CHECK_STR_EQ(text, "aGVsbG8hPw==");
    CHECK_INT_EQ(images_base64_decode(text, &bytes, &size), 0);
    CHECK_INT_EQ(size, 7);
    CHECK(memcmp(bytes, "hello!?", 7) == 0);
    free(bytes);
    /* Unpadded and wrapped text decodes too. */
    CHECK_INT_EQ(images_base64_decode("aGVs\nbG8hPw", &bytes, &size), 0);
    CHECK_INT_EQ(size, 7);
    free(bytes);
    CHECK_INT_EQ(images_base64_decode("***", &bytes, &size), -EINVAL);
    free(text);
}

static void inline_models_get_raw_base64(void)
{
    struct catalog *cat = load_all();
    struct image_list l;
    const struct provider_image *v;
    const char *code = NULL;
    char *err = NULL;

    CHECK_INT_EQ(resolve(cat, "kling/kling-v2-6",
                         "{\"providerOptions\":{\"klingai\":{\"imageTail\":"
                         "\"end.png\"}}}",
                         "start.png", &l, &code, &err),
                 0);
    CHECK_INT_EQ(l.count, 2);
    CHECK(!images_need_upload(&l));
    v = images_view(&l);
    CHECK_STR_EQ(v[0].path, "image");
    CHECK(v[0].url == NULL);
    CHECK(v[0].base64 && strncmp(v[0].base64, "iVBORw0KGgo", 11) == 0);
    CHECK_STR_EQ(v[0].mime, "image/png");
    CHECK_STR_EQ(v[1].path, "providerOptions.klingai.imageTail");
    CHECK(v[1].base64 != NULL);
    image_list_release(&l);
    /* A URL stays a URL. */
    CHECK_INT_EQ(resolve(cat, "kling/kling-v2-6", "{}",
                         "https://example.com/a.png", &l, &code, &err),
                 0);
    v = images_view(&l);
    CHECK_STR_EQ(v[0].url, "https://example.com/a.png");
    CHECK(v[0].base64 == NULL);
    image_list_release(&l);
    catalog_free(cat);
}

static void url_only_models_upload_local_files(void)
{
    struct catalog *cat = load_all();
    struct image_list l;
    const char *code = NULL;
    char *err = NULL, *expect;

    CHECK_INT_EQ(resolve(cat, "gateway/alibaba/wan-v2.6-i2v", "{}", "start.png",
                         &l, &code, &err),
                 0);
    CHECK_INT_EQ(l.count, 1);
    CHECK(images_need_upload(&l));
    expect = xasprintf("%s/start.png", dir);
    CHECK_STR_EQ(l.items[0].upload_path, expect);
    free(expect);
    CHECK_INT_EQ(strlen(l.items[0].sha256), 64);
    images_set_url(&l.items[0], "https://blob.example/x.png");
    CHECK(!images_need_upload(&l));
    CHECK_STR_EQ(images_view(&l)[0].url, "https://blob.example/x.png");
    image_list_release(&l);
    catalog_free(cat);
}

static int read_fixture(const char *name, char **data, size_t *size)
{
    char *path = xasprintf("%s/%s", dir, name);
    int rc = fsutil_read_file(path, 1000, data, size);

    free(path);
    return rc;
}

static void data_uris_are_decoded_and_checked(void)
{
    struct catalog *cat = load_all();
    struct image_list l;
    const char *code = NULL;
    char *err = NULL, *data, *b64, *req;
    size_t size;

    /* tiny.png as a data: URI: decoded, then refused by kling's 300 px. */
    CHECK_INT_EQ(read_fixture("tiny.png", &data, &size), 0);
    b64 = images_base64_encode((unsigned char *)data, size);
    req = xasprintf("{\"providerOptions\":{\"klingai\":{\"imageTail\":"
                    "\"data:image/png;base64,%s\"}}}",
                    b64);
    CHECK_INT_EQ(
        resolve(cat, "kling/kling-v2-6", req, "start.png", &l, &code, &err),
        -EINVAL);
    CHECK_STR_EQ(code, "invalid_image");
    CHECK_STR_CONTAINS(err, "200x480 is too small");
    free(err);
    image_list_release(&l);
    free(req);
    /* start.png as a data: URI travels as the same raw base64. */
    free(data);
    CHECK_INT_EQ(read_fixture("start.png", &data, &size), 0);
    free(b64);
    b64 = images_base64_encode((unsigned char *)data, size);
    req = xasprintf("{\"providerOptions\":{\"klingai\":{\"imageTail\":"
                    "\"data:image/png;base64,%s\"}}}",
                    b64);
    CHECK_INT_EQ(
        resolve(cat, "kling/kling-v2-6", req, "start.png", &l, &code, &err), 0);
    CHECK_STR_EQ(l.items[1].base64, b64);
    image_list_release(&l);
    free(req);
    free(b64);
    free(data);
    catalog_free(cat);
}

static void refusals_name_the_image(void)
{
    struct catalog *cat = load_all();
    struct image_list l;
    const char *code = NULL;
    char *err = NULL;

    CHECK_INT_EQ(
        resolve(cat, "kling/kling-v2-6", "{}", "tiny.png", &l, &code, &err),
        -EINVAL);
    CHECK_STR_CONTAINS(err, "tiny.png: 200x480 is too small for");
    free(err);
    image_list_release(&l);
    CHECK_INT_EQ(resolve(cat, "kling/kling-v2-6",
                         "{\"providerOptions\":{\"klingai\":{\"imageTail\":"
                         "\"gone.png\"}}}",
                         "start.png", &l, &code, &err),
                 -ENOENT);
    CHECK_STR_EQ(code, "missing_asset");
    CHECK_STR_CONTAINS(err, "gone.png");
    free(err);
    image_list_release(&l);
    catalog_free(cat);
}

static void upload_cache(void)
{
    char *url = NULL, sha[65];

    memset(sha, 'a', 64);
    sha[64] = '\0';
    CHECK_INT_EQ(uploads_lookup(dir, "blob", sha, &url), -ENOENT);
    CHECK_INT_EQ(uploads_store(dir, "blob", sha, "https://b.example/a.png"), 0);
    CHECK_INT_EQ(uploads_lookup(dir, "blob", sha, &url), 0);
    CHECK_STR_EQ(url, "https://b.example/a.png");
    free(url);
    /* Per uploader. */
    CHECK_INT_EQ(uploads_lookup(dir, "krea", sha, &url), -ENOENT);
    CHECK_INT_EQ(uploads_lookup(dir, "../x", sha, &url), -EINVAL);
    /* Junk in an entry is no URL. */
    {
        char *path = xasprintf("%s/.i2vfs/uploads/blob/%s", dir, sha);

        CHECK_INT_EQ(fsutil_write_atomic(path, "junk", 4), 0);
        CHECK_INT_EQ(uploads_lookup(dir, "blob", sha, &url), -ENOENT);
        free(path);
    }
}

static void remove_dir(void)
{
    char *cmd = xasprintf("rm -rf %s", dir);

    CHECK_INT_EQ(system(cmd), 0);
    free(cmd);
}

CHECK_MAIN(CHECK_CASE(make_dir), CHECK_CASE(base64_round_trip),
           CHECK_CASE(inline_models_get_raw_base64),
           CHECK_CASE(url_only_models_upload_local_files),
           CHECK_CASE(data_uris_are_decoded_and_checked),
           CHECK_CASE(refusals_name_the_image), CHECK_CASE(upload_cache),
           CHECK_CASE(remove_dir))
