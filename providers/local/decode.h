/*
 * Loads a JPEG, PNG or WebP through libavcodec (size checked from the
 * header first), honours its EXIF orientation, and converts it with
 * libswscale into a working image of the size the move needs.
 */
#ifndef PROVIDERS_LOCAL_DECODE_H
#define PROVIDERS_LOCAL_DECODE_H

#include <libavutil/frame.h>

#include "providers/local/image.h"

struct kb_picture {
    AVFrame *frame;    /* decoded pixels, as stored in the file */
    int orientation;   /* EXIF orientation 1–8 (1: as stored) */
    int width, height; /* as displayed, orientation applied */
};

/*
 * Decodes the image at path; label names it in errors (e.g. "photo.png" or
 * "imageTail end.png"). Returns 0, or -ENOENT, -EINVAL (not an image
 * we read), -EFBIG (too large) or -EIO with *err (caller frees) one line.
 * Release pic with kb_picture_release in both cases.
 */
int kb_decode_file(const char *path, const char *label, struct kb_picture *pic,
                   char **err);
void kb_picture_release(struct kb_picture *pic);

/*
 * Scales pic into img as displayed, width × height after orientation: 4:2:0
 * BT.709 limited range when planes is 3, full-range gray when 1. Area
 * averaging when shrinking. Returns 0 or -EIO with *err.
 */
int kb_picture_convert(const struct kb_picture *pic, int width, int height,
                       int planes, struct kb_image *img, char **err);

#endif
