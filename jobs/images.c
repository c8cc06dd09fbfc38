/*
 * A cloud job's images (see images.h).
 */
#include "jobs/images.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/fsutil.h"
#include "core/mem.h"
#include "providers/local/imghdr.h"

int images_base64_decode(const char *text, unsigned char **bytes, size_t *size)
{
    size_t len = strlen(text), clean_len = 0, pad = 0;
    char *clean = xmalloc(len + 4);
    unsigned char *out;
    int n;

    for (size_t i = 0; i < len; i++) {
        if (!strchr(" \t\r\n", text[i]))
            clean[clean_len++] = text[i];
    }
    while (clean_len % 4)
        clean[clean_len++] = '=';
    for (size_t i = clean_len; i > 0 && clean[i - 1] == '=' && pad < 2; i--)
        pad++;
    out = xmalloc(clean_len / 4 * 3 + 1);
    n = clean_len
            ? EVP_DecodeBlock(out, (const unsigned char *)clean, (int)clean_len)
            : -1;
    free(clean);
    if (n < 0 || (size_t)n < pad) {
        free(out);
        return -EINVAL;
    }
    *bytes = out;
    *size = (size_t)n - pad;
    return 0;
}

char *images_base64_encode(const unsigned char *bytes, size_t size)
{
    char *out = xmalloc((size + 2) / 3 * 4 + 1);

    EVP_EncodeBlock((unsigned char *)out, bytes, (int)size);
    return out;
}

static bool is_url(const char *s)
{
    return strncasecmp(s, "http://", 7) == 0 ||
           strncasecmp(s, "https://", 8) == 0;
}

static bool is_inline(const char *s)
{
    size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                         "0123456789+/=\r\n");

    return strncmp(s, "data:", 5) == 0 || (n == strlen(s) && n >= 64);
}

struct resolver {
    const struct images_input *in;
    struct image_list *out;
    int rc;
    const char *code;
    char *err;
};

static int fail(struct resolver *r, int rc, const char *code, char *err)
{
    if (r->rc == 0) {
        r->rc = rc;
        r->code = code;
        r->err = err;
    } else {
        free(err);
    }
    return rc;
}

static struct image_item *add_item(struct resolver *r, const char *path)
{
    struct image_list *l = r->out;
    struct image_item *it;

    l->items = xrealloc(l->items, (l->count + 1) * sizeof(*l->items));
    it = &l->items[l->count++];
    memset(it, 0, sizeof(*it));
    it->path = xstrdup(path);
    return it;
}

static const char *mime_of(enum kb_imgtype type, const char **format)
{
    switch (type) {
    case KB_IMG_JPEG:
        *format = "jpeg";
        return "image/jpeg";
    case KB_IMG_PNG:
        *format = "png";
        return "image/png";
    case KB_IMG_WEBP:
        *format = "webp";
        return "image/webp";
    case KB_IMG_UNKNOWN:
        break;
    }
    *format = NULL;
    return NULL;
}

/* A local image (file at abs, named name in messages) into it. */
static int local_image(struct resolver *r, struct image_item *it,
                       const char *name, const char *abs)
{
    const struct catalog_model *m = r->in->model;
    char *data = NULL, *err = NULL;
    const char *format;
    size_t size = 0;
    int w = 0, h = 0, rc;

    rc = fsutil_read_file(abs, IMAGES_MAX_BYTES, &data, &size);
    if (rc == -ENOENT)
        return fail(r, rc, "missing_asset",
                    xasprintf("%s: %s is not in this folder", it->path, name));
    if (rc == -EFBIG)
        return fail(
            r, rc, "invalid_image",
            xasprintf("%s: larger than %u MB", name, IMAGES_MAX_BYTES >> 20));
    if (rc < 0)
        return fail(r, rc, "unreadable_image",
                    xasprintf("cannot read %s: %s", name, strerror(-rc)));
    it->mime = mime_of(
        kb_imghdr_read((const unsigned char *)data, size, &w, &h), &format);
    if (!it->mime) {
        free(data);
        return fail(r, -EINVAL, "invalid_image",
                    xasprintf("%s: not a JPEG, PNG or WebP image", name));
    }
    if (catalog_check_image(m, name, format, size, w, h, &err) < 0) {
        free(data);
        return fail(r, -EINVAL, "invalid_image", err);
    }
    hash_sha256_buf(data, size, it->sha256);
    if (catalog_model_takes_base64(m))
        it->base64 = images_base64_encode((unsigned char *)data, size);
    else if (catalog_model_uploads_first(m))
        it->upload_path = xstrdup(abs);
    else
        rc = fail(r, -ENOTSUP, "unsupported_image",
                  xasprintf("%s: %s takes images as http(s) URLs only; give "
                            "the image as a URL",
                            it->path, catalog_model_folder(m)));
    free(data);
    return rc < 0 ? rc : 0;
}

/* A data: URI or base64 value: kept as a file named by its hash. */
static int inline_image(struct resolver *r, struct image_item *it,
                        const char *text)
{
    const char *comma = strncmp(text, "data:", 5) == 0 ? strchr(text, ',') : 0;
    unsigned char *bytes = NULL;
    char sha[HASH_HEX_LEN + 1], *path;
    size_t size = 0;
    int rc;

    if (images_base64_decode(comma ? comma + 1 : text, &bytes, &size) < 0)
        return fail(r, -EINVAL, "invalid_image",
                    xasprintf("%s: not valid base64", it->path));
    hash_sha256_buf(bytes, size, sha);
    path = xasprintf("%s/%s", r->in->inline_dir, sha);
    rc = fsutil_mkdir_p(r->in->inline_dir, 0755);
    if (rc == 0 && access(path, F_OK) != 0)
        rc = fsutil_write_atomic(path, bytes, size);
    free(bytes);
    if (rc < 0)
        rc = fail(r, rc, "internal",
                  xasprintf("cannot keep the inline image: %s", strerror(-rc)));
    else
        rc = local_image(r, it, it->path, path);
    free(path);
    return rc;
}

static void resolve_value(struct resolver *r, const char *path,
                          const char *value)
{
    struct image_item *it;

    if (r->rc < 0)
        return;
    it = add_item(r, path);
    if (is_url(value)) {
        if (!catalog_model_takes_url(r->in->model))
            (void)fail(r, -ENOTSUP, "unsupported_image",
                       xasprintf("%s: %s does not take image URLs; save the "
                                 "image in this folder and name it here",
                                 path, catalog_model_folder(r->in->model)));
        else
            it->url = xstrdup(value);
    } else if (is_inline(value)) {
        (void)inline_image(r, it, value);
    } else {
        char *abs = fsutil_join(r->in->dir_abs, value);

        (void)local_image(r, it, value, abs);
        free(abs);
    }
}

static void option_cb(void *arg, const char *path, const char *value)
{
    /* prompt.image is the first frame, resolved already as "image". */
    if (strcmp(path, "prompt.image") != 0)
        resolve_value(arg, path, value);
}

int images_resolve(const struct images_input *in, struct image_list *out,
                   const char **code, char **err)
{
    struct resolver r = { .in = in, .out = out };

    memset(out, 0, sizeof(*out));
    if (in->first_url) {
        resolve_value(&r, "image", in->first_url);
    } else if (in->first_path) {
        const char *slash = strrchr(in->first_path, '/');
        struct image_item *it = add_item(&r, "image");

        (void)local_image(&r, it, slash ? slash + 1 : in->first_path,
                          in->first_path);
    }
    (void)catalog_image_options(in->model, in->request, option_cb, &r);
    *code = r.code;
    *err = r.err;
    return r.rc;
}

bool images_need_upload(const struct image_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        if (list->items[i].upload_path)
            return true;
    }
    return false;
}

void images_set_url(struct image_item *item, const char *url)
{
    free(item->upload_path);
    item->upload_path = NULL;
    free(item->url);
    item->url = xstrdup(url);
}

const struct provider_image *images_view(struct image_list *list)
{
    free(list->view);
    list->view = xcalloc(list->count + 1, sizeof(*list->view));
    for (size_t i = 0; i < list->count; i++) {
        const struct image_item *it = &list->items[i];

        list->view[i] = (struct provider_image){
            .path = it->path,
            .url = it->url,
            .base64 = it->base64,
            .mime = it->mime ? it->mime : "image/png",
        };
    }
    return list->view;
}

void image_list_release(struct image_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        struct image_item *it = &list->items[i];

        free(it->path);
        free(it->url);
        free(it->base64);
        free(it->upload_path);
    }
    free(list->items);
    free(list->view);
    memset(list, 0, sizeof(*list));
}
