/*
 * Vercel Blob (client @vercel/blob 2.8.0, API version 12) as the host of
 * local images for URL-only models: one PUT {api}/?pathname=… per image,
 * named by its content hash. See ../shared/protocols/blob.md.
 */
#include "providers/provider.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "core/json.h"
#include "core/mem.h"

#define BLOB_API_URL "https://vercel.com/api/blob"
/* The most of the service's own text quoted in an error, in bytes. */
#define BLOB_MAX_MESSAGE 300

/* The folder of the store our uploads go in. */
#define BLOB_PREFIX "i2vfs/"

/* The file extension for an image type, or NULL for a type we never send. */
static const char *extension_of(const char *mime)
{
    static const struct {
        const char *mime, *ext;
    } map[] = {
        { "image/png", "png" },
        { "image/jpeg", "jpg" },
        { "image/webp", "webp" },
        { "image/gif", "gif" },
    };

    for (size_t i = 0; mime && i < sizeof(map) / sizeof(map[0]); i++) {
        if (strcmp(mime, map[i].mime) == 0)
            return map[i].ext;
    }
    return NULL;
}

static bool is_sha256_hex(const char *s)
{
    size_t n = 0;

    for (; s && s[n]; n++) {
        if (!strchr("0123456789abcdef", s[n]))
            return false;
    }
    return n == 64;
}

/* {api}/?pathname=<url-encoded i2vfs/<sha256>.<ext>>. */
static char *put_url(const struct provider_config *config, const char *sha256,
                     const char *ext)
{
    const char *api =
        config->base_url && *config->base_url ? config->base_url : BLOB_API_URL;
    int n = (int)strlen(api);
    char *pathname = xasprintf(BLOB_PREFIX "%s.%s", sha256, ext);
    char *escaped = curl_easy_escape(NULL, pathname, 0);
    char *url;

    if (!escaped)
        abort(); /* out of memory, as in mem.h */
    while (n > 0 && api[n - 1] == '/')
        n--;
    url = xasprintf("%.*s/?pathname=%s", n, api, escaped);
    curl_free(escaped);
    free(pathname);
    return url;
}

/* The headers of the put; returns 0 or -E2BIG. */
static int add_put_headers(struct provider_http *out, const char *token,
                           const char *mime, long long size_bytes)
{
    char *auth = xasprintf("Bearer %s", token);
    char *length = xasprintf("%lld", size_bytes);
    int rc = provider_http_add_header(out, "authorization", auth);

    explicit_bzero(auth, strlen(auth));
    free(auth);
    if (rc == 0)
        rc = provider_http_add_header(out, "x-api-version", "12");
    if (rc == 0)
        rc = provider_http_add_header(out, "x-vercel-blob-access", "public");
    if (rc == 0)
        rc = provider_http_add_header(out, "x-content-type", mime);
    if (rc == 0)
        rc = provider_http_add_header(out, "x-add-random-suffix", "0");
    /* The same bytes under the same name: overwriting is harmless. */
    if (rc == 0)
        rc = provider_http_add_header(out, "x-allow-overwrite", "1");
    if (rc == 0)
        rc = provider_http_add_header(out, "x-api-blob-request-attempt", "0");
    if (rc == 0)
        rc = provider_http_add_header(out, "x-content-length", length);
    free(length);
    return rc;
}

static int blob_build_upload(const struct provider_config *config,
                             const char *path, const char *sha256,
                             const char *mime, struct provider_http *out,
                             char **err)
{
    const char *ext = extension_of(mime);
    struct stat st;
    int rc;

    if (!config || !config->api_key || !*config->api_key) {
        *err = xstrdup("local images for this model must be uploaded to "
                       "Vercel Blob first: set BLOB_READ_WRITE_TOKEN, or "
                       "give the image as an https URL");
        return -ENOKEY;
    }
    if (strpbrk(config->api_key, "\r\n")) {
        *err = xstrdup("BLOB_READ_WRITE_TOKEN contains a line break");
        return -EINVAL;
    }
    if (!ext) {
        *err = xasprintf("Vercel Blob uploads take PNG, JPEG, WebP or GIF "
                         "images, not %s",
                         mime ? mime : "an unknown type");
        return -EINVAL;
    }
    if (!is_sha256_hex(sha256)) {
        *err = xstrdup("the image's content hash is not a SHA-256 hex digest");
        return -EINVAL;
    }
    /* The size only: the engine streams the bytes. */
    if (!path || stat(path, &st) < 0) {
        rc = path ? -errno : -EINVAL;
        *err = xasprintf("cannot upload %s: %s", path ? path : "(no file)",
                         strerror(-rc));
        return rc;
    }
    rc = add_put_headers(out, config->api_key, mime, (long long)st.st_size);
    if (rc < 0) {
        provider_http_release(out);
        *err = xstrdup("too many headers for one request");
        return rc;
    }
    out->method = "PUT";
    out->url = put_url(config, sha256, ext);
    out->body_file = xstrdup(path);
    return 0;
}

/* A non-2xx reply: quotes {"error":{"code","message"}}, else the status. */
static int refused(const struct provider_reply *reply, char **err)
{
    const cJSON *error;
    const char *message, *code;
    cJSON *root = NULL;
    char *perr = NULL;

    if (reply->body &&
        json_parse(reply->body, reply->body_size, &root, &perr) == 0 &&
        json_get_object(root, "error", &error) == 0 &&
        json_get_string(error, "message", &message) == 0) {
        if (json_get_string(error, "code", &code) == 0)
            *err = xasprintf("Vercel Blob refused the upload: %.*s (%.64s)",
                             BLOB_MAX_MESSAGE, message, code);
        else
            *err = xasprintf("Vercel Blob refused the upload: %.*s",
                             BLOB_MAX_MESSAGE, message);
    } else {
        *err = xasprintf("Vercel Blob refused the upload: HTTP %ld",
                         reply->status);
    }
    provider_flatten(*err);
    free(perr);
    cJSON_Delete(root);
    return reply->status == 401 || reply->status == 403 ? -EACCES : -EIO;
}

static int blob_parse_upload(const struct provider_reply *reply, char **url,
                             char **err)
{
    const char *s;
    cJSON *root = NULL;
    char *perr = NULL;
    int rc = 0;

    *url = NULL;
    if (reply->status < 200 || reply->status > 299)
        return refused(reply, err);
    if (!reply->body ||
        json_parse(reply->body, reply->body_size, &root, &perr) < 0 ||
        json_get_string(root, "url", &s) < 0 ||
        (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0)) {
        *err = xstrdup("Vercel Blob sent a malformed reply to the upload: "
                       "no http(s) url");
        rc = -EPROTO;
    } else {
        *url = xstrdup(s);
    }
    free(perr);
    cJSON_Delete(root);
    return rc;
}

const struct provider provider_blob = {
    .name = "blob",
    .caps = PROVIDER_CAP_UPLOAD,
    .build_upload = blob_build_upload,
    .parse_upload = blob_parse_upload,
};
