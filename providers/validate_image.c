/*
 * Input images (see catalog.h, catalog_impl.h): how an image-valued option
 * names its image, and whether an image file suits the model. Part of the
 * catalog.
 */
#include "providers/catalog.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "providers/catalog_impl.h"

static bool is_base64_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=' ||
           c == '\n' || c == '\r';
}

enum catalog_image_kind catalog_image_kind(const char *s)
{
    size_t len = strlen(s), i;

    if (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0)
        return strchr(s, ' ') || len < 10 ? CATALOG_IMAGE_INVALID
                                          : CATALOG_IMAGE_URL;
    if (strncmp(s, "data:", 5) == 0)
        return strchr(s, ',') ? CATALOG_IMAGE_DATA_URI : CATALOG_IMAGE_INVALID;
    for (i = 0; i < len && is_base64_char(s[i]); i++)
        ;
    /* A file name has a dot or is short; an encoded image is neither. */
    if (i == len && len >= 64)
        return CATALOG_IMAGE_BASE64;
    if (len == 0 || strchr(s, '/') || strcmp(s, ".") == 0 ||
        strcmp(s, "..") == 0 || strchr(s, '\n'))
        return CATALOG_IMAGE_INVALID;
    return CATALOG_IMAGE_FILE;
}

int catalog_check_image(const struct catalog_model *model, const char *name,
                        const char *format, size_t bytes, long width,
                        long height, char **err)
{
    const struct catalog_image *img = &model->image;
    const char *sn = model->short_name;
    const char *fmt = strcasecmp(format, "jpg") == 0 ? "jpeg" : format;
    double aspect = height > 0 ? (double)width / (double)height : 0;
    size_t i;

    *err = NULL;
    for (i = 0; img->formats[i]; i++) {
        if (strcasecmp(img->formats[i], fmt) == 0)
            break;
    }
    if (!img->formats[i]) {
        char *allowed = catalog_list_text(img->formats, "", ", ");

        *err = xasprintf("%s: a %s image is not accepted by %s (allowed: %s)",
                         name, fmt, sn, allowed);
        free(allowed);
    } else if (img->max_bytes && bytes > (size_t)img->max_bytes) {
        *err = xasprintf("%s: %zu bytes is too large for %s (allowed: at "
                         "most %ld bytes)",
                         name, bytes, sn, img->max_bytes);
    } else if (img->min_px && (width < img->min_px || height < img->min_px)) {
        *err = xasprintf("%s: %ldx%ld is too small for %s (allowed: at least "
                         "%ld px wide and high)",
                         name, width, height, sn, img->min_px);
    } else if (img->max_px && (width > img->max_px || height > img->max_px)) {
        *err = xasprintf("%s: %ldx%ld is too large for %s (allowed: at most "
                         "%ld px wide and high)",
                         name, width, height, sn, img->max_px);
    } else if ((img->aspect_min > 0 && aspect < img->aspect_min - 1e-9) ||
               (img->aspect_max > 0 && aspect > img->aspect_max + 1e-9)) {
        char a[32], b[32];

        *err = xasprintf("%s: %ldx%ld has an aspect ratio (width / height) "
                         "of %.4g, which %s does not accept (allowed: %s to "
                         "%s)",
                         name, width, height, aspect, sn,
                         catalog_num_text(img->aspect_min, a, sizeof(a)),
                         catalog_num_text(img->aspect_max, b, sizeof(b)));
    }
    return *err ? -EINVAL : 0;
}
