/*
 * Fixed-point bilinear warping (see sample.h).
 */
#include "providers/local/sample.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/mem.h"

#define SPAN 16 /* pixels between exact projective evaluations */

static double clampd(double v, double hi)
{
    return v < 0 ? 0 : v > hi ? hi : v;
}

/* Source position (in index space, pixel centres at integers) of dst x. */
static void source_at(const double m[9], double x, double y, double umax,
                      double vmax, double *u, double *v)
{
    double w = m[6] * x + m[7] * y + m[8];

    if (w < 1e-9) {
        w = 1e-9;
    }
    *u = clampd((m[0] * x + m[1] * y + m[2]) / w - 0.5, umax);
    *v = clampd((m[3] * x + m[4] * y + m[5]) / w - 0.5, vmax);
}

/*
 * One span of n pixels between two exact positions, in 16.16 fixed point.
 * Both ends are inside the plane, so every step between them is too; the
 * padding column and row make the +1 neighbours at the last pixel valid.
 */
static void sample_span(const struct kb_plane *src, int32_t u, int32_t v,
                        int32_t du, int32_t dv, uint8_t *out, int n)
{
    const uint8_t *base = src->data;
    ptrdiff_t stride = src->stride;

    for (int i = 0; i < n; i++) {
        const uint8_t *p = base + (v >> 16) * stride + (u >> 16);
        int fx = (u >> 8) & 0xff, fy = (v >> 8) & 0xff;
        int top = (p[0] << 8) + (p[1] - p[0]) * fx;
        int bot = (p[stride] << 8) + (p[stride + 1] - p[stride]) * fx;
        out[i] = (uint8_t)(((top << 8) + (bot - top) * fy + 32768) >> 16);
        u += du;
        v += dv;
    }
}

/* True for a map without rotation or perspective (pure zoom and shift). */
static bool is_axis_aligned(const double m[9])
{
    double tiny = 1e-12 * (fabs(m[0]) + fabs(m[4]));

    return fabs(m[1]) <= tiny && fabs(m[3]) <= tiny && fabs(m[6]) <= tiny &&
           fabs(m[7]) <= tiny && m[8] > 0;
}

/* 25.7 fixed-point source index of output index i along one axis. */
static int32_t axis_pos(double scale, double offset, int i, double max)
{
    return (int32_t)lrint(clampd(scale * (i + 0.5) + offset - 0.5, max) * 128);
}

/*
 * row[i] = r0[i] × gy + r1[i] × fy for i in lo..hi, with gy + fy = 128:
 * 15-bit results, so the horizontal pass can use 16-bit multiplies. SSE2
 * (every x86-64 has it) does 16 at a time.
 */
static void blend_rows(const uint8_t *r0, const uint8_t *r1, unsigned gy,
                       unsigned fy, int16_t *row, int lo, int hi)
{
    int i = lo;

#ifdef __SSE2__
    const __m128i wg = _mm_set1_epi16((short)gy);
    const __m128i wf = _mm_set1_epi16((short)fy);
    const __m128i zero = _mm_setzero_si128();
    for (; i + 16 <= hi + 1; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(r0 + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(r1 + i));
        __m128i lo8 =
            _mm_add_epi16(_mm_mullo_epi16(_mm_unpacklo_epi8(a, zero), wg),
                          _mm_mullo_epi16(_mm_unpacklo_epi8(b, zero), wf));
        __m128i hi8 =
            _mm_add_epi16(_mm_mullo_epi16(_mm_unpackhi_epi8(a, zero), wg),
                          _mm_mullo_epi16(_mm_unpackhi_epi8(b, zero), wf));
        _mm_storeu_si128((__m128i *)(void *)(row + i), lo8);
        _mm_storeu_si128((__m128i *)(void *)(row + i + 8), hi8);
    }
#endif
    for (; i <= hi; i++) {
        row[i] = (int16_t)(r0[i] * gy + r1[i] * fy);
    }
}

/* The neighbours row[i], row[i+1] as one 32-bit pair (low: row[i]). */
static uint32_t pair_at(const int16_t *row, int i)
{
    uint32_t p;

    memcpy(&p, row + i, sizeof(p));
    return p;
}

/*
 * out[x] = row[idx[x]] × (128 - f) + row[idx[x] + 1] × f, scaled back to 8
 * bits, where wt[x] packs (128 - f, f) as 16-bit halves: one multiply-add
 * per pixel pair in SSE2.
 */
static void blend_columns(const int16_t *row, const int32_t *idx,
                          const uint32_t *wt, uint8_t *out, int w)
{
    int x = 0;

#ifdef __SSE2__
    const __m128i round = _mm_set1_epi32(1 << 13);
    for (; x + 8 <= w; x += 8) {
        __m128i p0 = _mm_set_epi32(
            (int)pair_at(row, idx[x + 3]), (int)pair_at(row, idx[x + 2]),
            (int)pair_at(row, idx[x + 1]), (int)pair_at(row, idx[x]));
        __m128i p1 = _mm_set_epi32(
            (int)pair_at(row, idx[x + 7]), (int)pair_at(row, idx[x + 6]),
            (int)pair_at(row, idx[x + 5]), (int)pair_at(row, idx[x + 4]));
        __m128i w0 = _mm_loadu_si128((const __m128i *)(const void *)(wt + x));
        __m128i w1 =
            _mm_loadu_si128((const __m128i *)(const void *)(wt + x + 4));
        __m128i s0 =
            _mm_srai_epi32(_mm_add_epi32(_mm_madd_epi16(p0, w0), round), 14);
        __m128i s1 =
            _mm_srai_epi32(_mm_add_epi32(_mm_madd_epi16(p1, w1), round), 14);
        __m128i px = _mm_packus_epi16(_mm_packs_epi32(s0, s1), s0);
        _mm_storel_epi64((__m128i *)(void *)(out + x), px);
    }
#endif
    for (; x < w; x++) {
        int a = row[idx[x]], b = row[idx[x] + 1];
        int g = (int)(wt[x] & 0xffff), f = (int)(wt[x] >> 16);
        out[x] = (uint8_t)((a * g + b * f + (1 << 13)) >> 14);
    }
}

/*
 * The fast path for axis-aligned maps (zoom and shift, the common case):
 * each output row blends two source rows once, then each pixel blends two
 * neighbours of that row, at positions and weights computed once per
 * frame. Positions are exact to 1/128 px.
 */
static void sample_separable(const struct kb_plane *src, const double m[9],
                             uint8_t *dst, ptrdiff_t dst_stride, int w, int h)
{
    int32_t *idx = xmalloc(sizeof(int32_t) * (size_t)w);
    uint32_t *wt = xmalloc(sizeof(uint32_t) * (size_t)w);
    int16_t *row = xmalloc(sizeof(int16_t) * ((size_t)src->width + 2));
    double umax = src->width - 1, vmax = src->height - 1;
    int lo = src->width, hi = 0;

    for (int x = 0; x < w; x++) {
        int32_t u = axis_pos(m[0] / m[8], m[2] / m[8], x, umax);
        uint32_t f = (uint32_t)u & 127;
        idx[x] = u >> 7;
        wt[x] = f << 16 | (128 - f);
        lo = idx[x] < lo ? idx[x] : lo;
        hi = idx[x] + 1 > hi ? idx[x] + 1 : hi;
    }
    for (int y = 0; y < h; y++) {
        int32_t v = axis_pos(m[4] / m[8], m[5] / m[8], y, vmax);
        const uint8_t *r0 = src->data + (v >> 7) * src->stride;
        unsigned fy = (unsigned)v & 127;
        blend_rows(r0, r0 + src->stride, 128 - fy, fy, row, lo, hi);
        blend_columns(row, idx, wt, dst + y * dst_stride, w);
    }
    free(row);
    free(wt);
    free(idx);
}

void kb_sample_plane(const struct kb_plane *src, const double m[9],
                     uint8_t *dst, ptrdiff_t dst_stride, int w, int h)
{
    if (is_axis_aligned(m)) {
        sample_separable(src, m, dst, dst_stride, w, h);
        return;
    }
    double umax = src->width - 1, vmax = src->height - 1;

    for (int y = 0; y < h; y++) {
        double yc = y + 0.5;
        uint8_t *row = dst + y * dst_stride;
        for (int x0 = 0; x0 < w; x0 += SPAN) {
            int n = w - x0 < SPAN ? w - x0 : SPAN;
            double u0, v0, u1, v1;
            source_at(m, x0 + 0.5, yc, umax, vmax, &u0, &v0);
            source_at(m, x0 + n - 0.5, yc, umax, vmax, &u1, &v1);
            int32_t steps = n > 1 ? n - 1 : 1;
            int32_t fu0 = (int32_t)lrint(u0 * 65536);
            int32_t fv0 = (int32_t)lrint(v0 * 65536);
            /* Truncating division keeps every step between the ends. */
            int32_t du = ((int32_t)lrint(u1 * 65536) - fu0) / steps;
            int32_t dv = ((int32_t)lrint(v1 * 65536) - fv0) / steps;
            sample_span(src, fu0, fv0, du, dv, row + x0, n);
        }
    }
}

void kb_sample_image(const struct kb_image *src, const double m[9],
                     uint8_t *const dst[3], const int dst_stride[3], int w,
                     int h)
{
    kb_sample_plane(&src->plane[0], m, dst[0], dst_stride[0], w, h);
    if (src->planes < 3) {
        return;
    }
    /* Chroma point x is luma point 2x: scale in, map, scale out. */
    double mc[9] = { m[0],     m[1],     m[2] / 2, m[3], m[4],
                     m[5] / 2, m[6] * 2, m[7] * 2, m[8] };
    for (int i = 1; i < 3; i++) {
        kb_sample_plane(&src->plane[i], mc, dst[i], dst_stride[i], (w + 1) / 2,
                        (h + 1) / 2);
    }
}
