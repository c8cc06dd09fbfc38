/*
 * The Vercel Blob uploader (providers/blob.c): the PUT it builds (URL,
 * pathname, headers, body file) and every recorded reply in
 * tests/fixtures/blob/ read to a URL or a quoted one-line error.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/hash.h"
#include "core/mem.h"
#include "providers/provider.h"
#include "tests/check.h"
#include "tests/unit/provider_fixture.h"

extern const struct provider provider_blob;

#define FIXTURES "tests/fixtures/blob"
#define TOKEN    "vercel_blob_rw_STORE_SECRET42"
#define BYTES    "\x89PNG\r\n\x1a\n not really a png, 35 bytes"

static const struct provider_config config = { .api_key = TOKEN };

/* A file with known bytes and its hash; the caller unlinks and frees. */
static char *make_file(char hex[HASH_HEX_LEN + 1])
{
    char *path = xstrdup("/tmp/test_provider_blob_XXXXXX");
    int fd = mkstemp(path);

    CHECK(fd >= 0);
    CHECK_INT_EQ(write(fd, BYTES, sizeof(BYTES) - 1), sizeof(BYTES) - 1);
    close(fd);
    CHECK_INT_EQ(hash_sha256_file(path, hex), 0);
    return path;
}

static void test_put_request(void)
{
    struct provider_http http = { 0 };
    char hex[HASH_HEX_LEN + 1], *path = make_file(hex), *err = NULL, *want;
    size_t n = 0;

    CHECK_INT_EQ(provider_build_upload(&provider_blob, &config, path, hex,
                                       "image/png", &http, &err),
                 0);
    CHECK(err == NULL);
    CHECK_STR_EQ(http.method, "PUT");
    want =
        xasprintf("https://vercel.com/api/blob/?pathname=i2vfs%%2F%s.png", hex);
    CHECK_STR_EQ(http.url, want);
    free(want);
    CHECK_STR_EQ(http.body_file, path);
    CHECK(http.body == NULL && http.form_file == NULL);
    CHECK_STR_EQ(header(&http, "authorization"), "Bearer " TOKEN);
    CHECK_STR_EQ(header(&http, "x-api-version"), "12");
    CHECK_STR_EQ(header(&http, "x-vercel-blob-access"), "public");
    CHECK_STR_EQ(header(&http, "x-content-type"), "image/png");
    CHECK_STR_EQ(header(&http, "x-add-random-suffix"), "0");
    CHECK_STR_EQ(header(&http, "x-allow-overwrite"), "1");
    CHECK_STR_EQ(header(&http, "x-api-blob-request-attempt"), "0");
    CHECK_STR_EQ(header(&http, "x-content-length"), "35");
    while (http.headers[n])
        n++;
    CHECK_INT_EQ(n, 8);
    /* The token travels in authorization only. */
    for (size_t i = 0; i < n; i++) {
        if (strncmp(http.headers[i], "authorization: ", 15) != 0)
            CHECK(strstr(http.headers[i], TOKEN) == NULL);
    }
    CHECK(strstr(http.url, TOKEN) == NULL);
    provider_http_release(&http);
    unlink(path);
    free(path);
}

/* The pathname follows the type; the API URL follows the config. */
static void test_put_names(void)
{
    static const struct {
        const char *mime, *ext;
    } types[] = {
        { "image/jpeg", "jpg" },
        { "image/webp", "webp" },
        { "image/png", "png" },
    };
    static const struct provider_config local = {
        .base_url = "http://127.0.0.1:9911/api/blob/", .api_key = TOKEN
    };
    struct provider_http http = { 0 };
    char hex[HASH_HEX_LEN + 1], *path = make_file(hex), *err = NULL, *want;

    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        CHECK_INT_EQ(provider_build_upload(&provider_blob, &local, path, hex,
                                           types[i].mime, &http, &err),
                     0);
        want = xasprintf("http://127.0.0.1:9911/api/blob/"
                         "?pathname=i2vfs%%2F%s.%s",
                         hex, types[i].ext);
        CHECK_STR_EQ(http.url, want);
        CHECK_STR_EQ(header(&http, "x-content-type"), types[i].mime);
        free(want);
        provider_http_release(&http);
    }
    CHECK(provider_blob.caps & PROVIDER_CAP_UPLOAD);
    CHECK(!(provider_blob.caps & PROVIDER_CAP_CLOUD));
    unlink(path);
    free(path);
}

static void check_build_error(const struct provider_config *cfg,
                              const char *path, const char *sha,
                              const char *mime, int want, const char *msg)
{
    struct provider_http http = { 0 };
    char *err = NULL;

    CHECK_INT_EQ(provider_build_upload(&provider_blob, cfg, path, sha, mime,
                                       &http, &err),
                 want);
    CHECK_STR_CONTAINS(err, msg);
    CHECK(http.url == NULL && http.headers[0] == NULL);
    if (err)
        CHECK(strstr(err, TOKEN) == NULL);
    free(err);
}

static void test_put_errors(void)
{
    static const struct provider_config no_token = { .base_url = "http://x" };
    static const struct provider_config split = { .api_key = "a\r\nX: y" };
    char hex[HASH_HEX_LEN + 1], *path = make_file(hex);

    check_build_error(&no_token, path, hex, "image/png", -ENOKEY,
                      "local images for this model must be uploaded to "
                      "Vercel Blob first: set BLOB_READ_WRITE_TOKEN, or give "
                      "the image as an https URL");
    check_build_error(NULL, path, hex, "image/png", -ENOKEY,
                      "BLOB_READ_WRITE_TOKEN");
    check_build_error(&split, path, hex, "image/png", -EINVAL, "line break");
    check_build_error(&config, path, hex, "text/html", -EINVAL, "text/html");
    check_build_error(&config, path, "../../etc", "image/png", -EINVAL,
                      "SHA-256");
    check_build_error(&config, path, NULL, "image/png", -EINVAL, "SHA-256");
    check_build_error(&config, "/nonexistent/x.png", hex, "image/png", -ENOENT,
                      "/nonexistent/x.png");
    unlink(path);
    free(path);
}

/* One recorded reply and what parse_upload must make of it. */
struct upload_case {
    const char *file; /* under FIXTURES, or a literal body if not found */
    long status;
    int rc;
    const char *text; /* the URL, or the whole error */
};

static void check_upload(const struct upload_case *c)
{
    char *path = xasprintf(FIXTURES "/%s", c->file);
    char *text = NULL, *url = NULL, *err = NULL;
    size_t size = 0;
    struct provider_reply r = { .status = c->status };

    if (fsutil_read_file(path, 1 << 20, &text, &size) < 0) {
        text = xstrdup(c->file);
        size = strlen(text);
    }
    r.body = text;
    r.body_size = size;
    CHECK_INT_EQ(provider_parse_upload(&provider_blob, &r, &url, &err), c->rc);
    if (c->rc == 0) {
        CHECK_STR_EQ(url, c->text);
        CHECK(err == NULL);
    } else {
        CHECK_STR_EQ(err, c->text);
        CHECK(url == NULL);
    }
    if (check_failures)
        fprintf(stderr, "  (reply %s, HTTP %ld)\n", c->file, c->status);
    free(url);
    free(err);
    free(text);
    free(path);
}

static void test_parse_upload(void)
{
    static const struct upload_case cases[] = {
        { "put.json", 200, 0,
          "https://abc123.public.blob.vercel-storage.com/i2vfs/"
          "0f343b0931126a20f133d67c2b018a3b5d8f4ba4d4a5ce6b8e8c3d4e5f6a7b8c"
          ".png" },
        { "error_forbidden.json", 403, -EACCES,
          "Vercel Blob refused the upload: Access denied, please provide a "
          "valid token for this resource. (forbidden)" },
        { "error_store_suspended.json", 403, -EACCES,
          "Vercel Blob refused the upload: This store has been suspended. "
          "(store_suspended)" },
        { "error_rate_limited.json", 429, -EIO,
          "Vercel Blob refused the upload: Too many requests, please try "
          "again later. (rate_limited)" },
        { "error_bad_request.json", 400, -EIO,
          "Vercel Blob refused the upload: Invalid pathname (bad_request)" },
        { "error_service_unavailable.json", 503, -EIO,
          "Vercel Blob refused the upload: Service unavailable, please try "
          "again later. (service_unavailable)" },
        { "error_no_code.json", 500, -EIO,
          "Vercel Blob refused the upload: Something went wrong" },
        { "<html>Bad Gateway</html>", 502, -EIO,
          "Vercel Blob refused the upload: HTTP 502" },
        { "", 401, -EACCES, "Vercel Blob refused the upload: HTTP 401" },
        { "{\"error\":{\"code\":\"x\",\"message\":\"two\\nlines\"}}", 400, -EIO,
          "Vercel Blob refused the upload: two lines (x)" },
        { "put_no_url.json", 200, -EPROTO,
          "Vercel Blob sent a malformed reply to the upload: no http(s) url" },
        { "{\"url\":\"file:///etc/passwd\"}", 200, -EPROTO,
          "Vercel Blob sent a malformed reply to the upload: no http(s) url" },
        { "{\"url\":7}", 200, -EPROTO,
          "Vercel Blob sent a malformed reply to the upload: no http(s) url" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_upload(&cases[i]);
}

/* The put reply cut short anywhere, and garbage: -EPROTO, never a crash. */
static void test_malformed_upload(void)
{
    static const char *const garbage[] = { "",   "null",
                                           "[]", "\"https://x\"",
                                           "{",  "\xff\xfe" };
    char *text = NULL, *url, *err;
    size_t size = 0;

    CHECK_INT_EQ(fsutil_read_file(FIXTURES "/put.json", 1 << 20, &text, &size),
                 0);
    while (size > 0 && strchr(" \n", text[size - 1]))
        size--;
    for (size_t n = 0; n <= size + sizeof(garbage) / sizeof(garbage[0]); n++) {
        char *body = n < size   ? xstrndup(text, n)
                     : n > size ? xstrdup(garbage[n - size - 1])
                                : NULL;
        struct provider_reply r = { .status = 201, .body = body };

        if (n == size)
            continue; /* the whole reply, checked above */
        r.body_size = strlen(body);
        url = err = NULL;
        CHECK_INT_EQ(provider_parse_upload(&provider_blob, &r, &url, &err),
                     -EPROTO);
        CHECK(url == NULL && err != NULL);
        free(url);
        free(err);
        free(body);
    }
    free(text);
}

/*
 * Found by tests/fuzz/fuzz_replies: the service's message was quoted whole;
 * a huge one went into the record and the log. Quoted up to 300 bytes, as
 * the Kling and Krea providers do.
 */
static void test_long_message_is_capped(void)
{
    char *big = xmalloc(5001), *body, *url = NULL, *err = NULL;
    struct provider_reply r = { .status = 400 };

    memset(big, 'm', 5000);
    big[5000] = '\0';
    body = xasprintf("{\"error\": {\"code\": \"bad_request\", \"message\": "
                     "\"%s\"}}",
                     big);
    r.body = body;
    r.body_size = strlen(body);
    CHECK(provider_parse_upload(&provider_blob, &r, &url, &err) < 0);
    CHECK(url == NULL);
    CHECK_STR_CONTAINS(err, "Vercel Blob refused the upload: mmm");
    CHECK(err && strlen(err) < 400);
    free(err);
    free(body);
    free(big);
}

CHECK_MAIN(CHECK_CASE(test_put_request), CHECK_CASE(test_put_names),
           CHECK_CASE(test_put_errors), CHECK_CASE(test_parse_upload),
           CHECK_CASE(test_malformed_upload),
           CHECK_CASE(test_long_message_is_capped))
