/*
 * Planar 8-bit working images (see image.h).
 */
#include "providers/local/image.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

void kb_image_alloc(struct kb_image *img, int width, int height, int planes)
{
    memset(img, 0, sizeof(*img));
    img->width = width;
    img->height = height;
    img->planes = planes;
    for (int i = 0; i < planes; i++) {
        struct kb_plane *p = &img->plane[i];
        p->width = i ? (width + 1) / 2 : width;
        p->height = i ? (height + 1) / 2 : height;
        p->stride = ((ptrdiff_t)p->width + 1 + 31) & ~(ptrdiff_t)31;
        p->data = xcalloc((size_t)p->height + 2, (size_t)p->stride);
    }
}

void kb_image_release(struct kb_image *img)
{
    for (int i = 0; i < 3; i++) {
        free(img->plane[i].data);
        img->plane[i].data = NULL;
    }
}

void kb_image_fill(struct kb_image *img, const uint8_t value[3])
{
    for (int i = 0; i < img->planes; i++) {
        struct kb_plane *p = &img->plane[i];
        memset(p->data, value[i], (size_t)p->stride * (size_t)(p->height + 2));
    }
}

void kb_image_pad_edges(struct kb_image *img)
{
    for (int i = 0; i < img->planes; i++) {
        struct kb_plane *p = &img->plane[i];
        for (int y = 0; y < p->height; y++) {
            uint8_t *row = p->data + y * p->stride;
            row[p->width] = row[p->width - 1];
        }
        memcpy(p->data + p->height * p->stride,
               p->data + (p->height - 1) * p->stride, (size_t)p->width + 1);
    }
}

/* Where EXIF orientation o sends pixel (x, y) of a w × h plane. */
static void orient_point(int o, int x, int y, int w, int h, int *ox, int *oy)
{
    switch (o) {
    case 2:
        *ox = w - 1 - x, *oy = y;
        break;
    case 3:
        *ox = w - 1 - x, *oy = h - 1 - y;
        break;
    case 4:
        *ox = x, *oy = h - 1 - y;
        break;
    case 5:
        *ox = y, *oy = x;
        break;
    case 6:
        *ox = h - 1 - y, *oy = x;
        break;
    case 7:
        *ox = h - 1 - y, *oy = w - 1 - x;
        break;
    case 8:
        *ox = y, *oy = w - 1 - x;
        break;
    default:
        *ox = x, *oy = y;
        break;
    }
}

void kb_image_orient(struct kb_image *img, int orientation)
{
    struct kb_image out;
    bool swap = orientation >= 5 && orientation <= 8;

    if (orientation < 2 || orientation > 8) {
        return;
    }
    kb_image_alloc(&out, swap ? img->height : img->width,
                   swap ? img->width : img->height, img->planes);
    for (int i = 0; i < img->planes; i++) {
        const struct kb_plane *s = &img->plane[i];
        struct kb_plane *d = &out.plane[i];
        for (int y = 0; y < s->height; y++) {
            const uint8_t *row = s->data + y * s->stride;
            for (int x = 0; x < s->width; x++) {
                int ox, oy;
                orient_point(orientation, x, y, s->width, s->height, &ox, &oy);
                if (ox < d->width && oy < d->height) {
                    d->data[oy * d->stride + ox] = row[x];
                }
            }
        }
    }
    kb_image_release(img);
    *img = out;
    kb_image_pad_edges(img);
}

void kb_image_paste(struct kb_image *dst, const struct kb_image *src, int x,
                    int y)
{
    for (int i = 0; i < dst->planes && i < src->planes; i++) {
        const struct kb_plane *s = &src->plane[i];
        struct kb_plane *d = &dst->plane[i];
        int px = i ? x / 2 : x, py = i ? y / 2 : y;
        for (int row = 0; row < s->height; row++) {
            int dy = py + row;
            int x0 = px < 0 ? -px : 0;
            int x1 = s->width;
            if (dy < 0 || dy >= d->height) {
                continue;
            }
            if (px + x1 > d->width) {
                x1 = d->width - px;
            }
            if (x1 > x0) {
                memcpy(d->data + dy * d->stride + px + x0,
                       s->data + row * s->stride + x0, (size_t)(x1 - x0));
            }
        }
    }
    kb_image_pad_edges(dst);
}
