/*
 * Layer blending for the renderer: the tail image dissolving in
 * (imageTail) and the still regions of staticMask over the moving frame.
 */
#ifndef PROVIDERS_LOCAL_COMPOSE_H
#define PROVIDERS_LOCAL_COMPOSE_H

#include <stddef.h>
#include <stdint.h>

#include "providers/local/image.h"

/*
 * dst = dst + (layer - dst) × weight / 256 over a w × h plane; weight in
 * [0, 256] (256 copies the layer exactly).
 */
void kb_blend_plane(uint8_t *dst, ptrdiff_t dst_stride, const uint8_t *layer,
                    ptrdiff_t layer_stride, int weight, int w, int h);

/*
 * dst = dst + (layer - dst) × alpha / 255 per pixel, alpha a plane of the
 * same size (255 copies the layer).
 */
void kb_blend_plane_alpha(uint8_t *dst, ptrdiff_t dst_stride,
                          const uint8_t *layer, ptrdiff_t layer_stride,
                          const uint8_t *alpha, ptrdiff_t alpha_stride, int w,
                          int h);

/* Softens a gray plane in place: a box blur of radius r, run twice. */
void kb_blur_plane(struct kb_plane *plane, int r);

#endif
