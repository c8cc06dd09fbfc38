/*
 * A cloud job's images and how each travels (DESIGN.md, "what travels
 * how"): the first frame and every image-valued option of the request. A
 * URL stays a URL; a local file, a data: URI or base64 becomes raw base64
 * for models that take images inline, or a file to upload first for models
 * that take URLs only. Local images are checked against the model's image
 * rules before anything is sent.
 */
#ifndef JOBS_IMAGES_H
#define JOBS_IMAGES_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/hash.h"
#include "providers/catalog.h"
#include "providers/provider.h"

/* The largest local image read, in bytes. */
#define IMAGES_MAX_BYTES (50u << 20)

/* One image; strings owned. Exactly one of url, base64, upload_path. */
struct image_item {
    char *path;        /* option path; "image" for the first frame */
    char *url;         /* travels as this URL */
    char *base64;      /* travels inline: raw standard base64 */
    char *upload_path; /* absolute file to upload first, then a URL */
    char sha256[HASH_HEX_LEN + 1]; /* of the bytes, for local images */
    const char *mime;              /* static: "image/png" … */
};

struct image_list {
    struct image_item *items;
    size_t count;
    struct provider_image *view; /* what providers read; built on demand */
};

/* What a job's images are made from; all borrowed. */
struct images_input {
    const struct catalog_model *model;
    const cJSON *request;   /* validated effective request */
    const char *dir_abs;    /* the folder file names resolve in */
    const char *inline_dir; /* where decoded inline images are kept */
    const char *first_path; /* the first frame as a local file, or NULL */
    const char *first_url;  /* … or as a URL, or NULL */
};

/*
 * Resolves every image of in into out (image_list_release it even on
 * failure). Returns 0, or a negative errno with *code and *err (caller
 * frees *err) for the record: -EINVAL "invalid_image" (a rule of the model,
 * or undecodable base64), -ENOENT "missing_asset", -EFBIG "invalid_image",
 * -ENOTSUP "unsupported_image" (a form the model does not take).
 */
int images_resolve(const struct images_input *in, struct image_list *out,
                   const char **code, char **err);

/* True when some image must still be uploaded. */
bool images_need_upload(const struct image_list *list);

/* Makes item travel as url (after an upload): replaces upload_path. */
void images_set_url(struct image_item *item, const char *url);

/* The images as providers read them; valid until the list changes. */
const struct provider_image *images_view(struct image_list *list);

void image_list_release(struct image_list *list);

/*
 * Decodes base64 text (standard alphabet; whitespace skipped; padding
 * optional). Returns 0 with *bytes (caller frees) and *size, or -EINVAL.
 */
int images_base64_decode(const char *text, unsigned char **bytes, size_t *size);
/* Encodes bytes as standard base64 with padding: a new string. */
char *images_base64_encode(const unsigned char *bytes, size_t size);

#endif
