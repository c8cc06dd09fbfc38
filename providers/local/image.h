/*
 * Working images of the renderer: 8-bit planes (yuv420p, or one gray plane
 * for masks), each with a replicated extra column and row so a bilinear
 * footprint at the last pixel stays inside the buffer.
 */
#ifndef PROVIDERS_LOCAL_IMAGE_H
#define PROVIDERS_LOCAL_IMAGE_H

#include <stddef.h>
#include <stdint.h>

struct kb_plane {
    uint8_t *data;
    int width, height;
    ptrdiff_t stride;
};

struct kb_image {
    int width, height; /* of the first plane */
    int planes;        /* 3: Y, Cb, Cr at 4:2:0; 1: gray */
    struct kb_plane plane[3];
};

/* Allocates img (planes 1 or 3), every byte 0. Release with
 * kb_image_release. */
void kb_image_alloc(struct kb_image *img, int width, int height, int planes);
void kb_image_release(struct kb_image *img);

/* Fills each plane with value[i] (e.g. 16, 128, 128 for black). */
void kb_image_fill(struct kb_image *img, const uint8_t value[3]);

/* Copies the last column and row of each plane into the padding. */
void kb_image_pad_edges(struct kb_image *img);

/*
 * Replaces img by itself transformed by EXIF orientation (2–8: mirror,
 * rotate 180, flip, transpose, rotate 90 clockwise, transverse, rotate 270).
 */
void kb_image_orient(struct kb_image *img, int orientation);

/*
 * Copies src into dst with its top-left at (x, y) (even, for 4:2:0),
 * clipped to dst.
 */
void kb_image_paste(struct kb_image *dst, const struct kb_image *src, int x,
                    int y);

#endif
