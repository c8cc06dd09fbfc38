/*
 * Sub-pixel sampling: warps a source plane through a homography with
 * fixed-point bilinear interpolation. Zooms and shifts take a separable
 * SIMD path (positions exact to 1/128 px); rolls and turns evaluate the
 * homography exactly at every 16th pixel and step linearly in between
 * (error far below 1/100 px for our moves).
 */
#ifndef PROVIDERS_LOCAL_SAMPLE_H
#define PROVIDERS_LOCAL_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "providers/local/image.h"

/*
 * Fills the w × h plane dst: each pixel is src sampled at m applied to the
 * pixel's centre (m maps continuous coordinates, pixel i covering
 * [i, i+1]). Points outside src are clamped to its edge.
 */
void kb_sample_plane(const struct kb_plane *src, const double m[9],
                     uint8_t *dst, ptrdiff_t dst_stride, int w, int h);

/*
 * Fills the planes of a w × h frame (Y, then Cb and Cr at half size) from
 * src (4:2:0, or gray into dst[0] only) through the luma homography m.
 */
void kb_sample_image(const struct kb_image *src, const double m[9],
                     uint8_t *const dst[3], const int dst_stride[3], int w,
                     int h);

#endif
