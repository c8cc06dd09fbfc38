/*
 * Layer blending and mask softening (see compose.h).
 */
#include "providers/local/compose.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

void kb_blend_plane(uint8_t *dst, ptrdiff_t dst_stride, const uint8_t *layer,
                    ptrdiff_t layer_stride, int weight, int w, int h)
{
    if (weight <= 0) {
        return;
    }
    for (int y = 0; y < h; y++) {
        uint8_t *d = dst + y * dst_stride;
        const uint8_t *l = layer + y * layer_stride;
        if (weight >= 256) {
            memcpy(d, l, (size_t)w);
            continue;
        }
        for (int x = 0; x < w; x++) {
            d[x] = (uint8_t)(d[x] + (((l[x] - d[x]) * weight + 128) >> 8));
        }
    }
}

void kb_blend_plane_alpha(uint8_t *dst, ptrdiff_t dst_stride,
                          const uint8_t *layer, ptrdiff_t layer_stride,
                          const uint8_t *alpha, ptrdiff_t alpha_stride, int w,
                          int h)
{
    for (int y = 0; y < h; y++) {
        uint8_t *d = dst + y * dst_stride;
        const uint8_t *l = layer + y * layer_stride;
        const uint8_t *a = alpha + y * alpha_stride;
        for (int x = 0; x < w; x++) {
            int wgt = a[x] + (a[x] >> 7); /* 0..256 */
            d[x] = (uint8_t)(d[x] + (((l[x] - d[x]) * wgt + 128) >> 8));
        }
    }
}

/* One box pass of radius r along a line of n values, step apart. */
static void box_line(uint8_t *line, ptrdiff_t step, int n, int r, uint8_t *tmp)
{
    int sum = 0, width = 2 * r + 1;

    for (int i = 0; i < n; i++) {
        tmp[i] = line[i * step];
    }
    for (int i = -r; i <= r; i++) {
        sum += tmp[i < 0 ? 0 : i >= n ? n - 1 : i];
    }
    for (int i = 0; i < n; i++) {
        line[i * step] = (uint8_t)((sum + width / 2) / width);
        int add = i + r + 1, sub = i - r;
        sum += tmp[add >= n ? n - 1 : add] - tmp[sub < 0 ? 0 : sub];
    }
}

void kb_blur_plane(struct kb_plane *plane, int r)
{
    int longest = plane->width > plane->height ? plane->width : plane->height;
    uint8_t *tmp = xmalloc((size_t)longest);

    if (r < 1) {
        free(tmp);
        return;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (int y = 0; y < plane->height; y++) {
            box_line(plane->data + y * plane->stride, 1, plane->width, r, tmp);
        }
        for (int x = 0; x < plane->width; x++) {
            box_line(plane->data + x, plane->stride, plane->height, r, tmp);
        }
    }
    free(tmp);
}
