/*
 * Image header sniffing for JPEG (SOFn marker), PNG (IHDR) and WebP
 * (VP8, VP8L, VP8X chunks); see imghdr.h.
 */
#include "providers/local/imghdr.h"

#include <stdint.h>
#include <string.h>

static unsigned be16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static uint32_t le24(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

static int clamp_dim(uint32_t v)
{
    return v > 0x7fffffff ? 0x7fffffff : (int)v;
}

/* Walks the JPEG markers up to the first start-of-frame. */
static void jpeg_size(const unsigned char *buf, size_t len, int *w, int *h)
{
    size_t pos = 2;

    while (pos + 4 <= len) {
        if (buf[pos] != 0xff) {
            return;
        }
        unsigned marker = buf[pos + 1];
        if (marker == 0xff) {
            pos++;
            continue;
        }
        if (marker == 0xd8 || marker == 0x01 ||
            (marker >= 0xd0 && marker <= 0xd7)) {
            pos += 2;
            continue;
        }
        unsigned seglen = be16(buf + pos + 2);
        int is_sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 &&
                     marker != 0xc8 && marker != 0xcc;
        if (is_sof) {
            if (pos + 9 <= len) {
                *h = (int)be16(buf + pos + 5);
                *w = (int)be16(buf + pos + 7);
            }
            return;
        }
        if (seglen < 2) {
            return;
        }
        pos += 2 + seglen;
    }
}

static void webp_size(const unsigned char *buf, size_t len, int *w, int *h)
{
    if (len < 30) {
        return;
    }
    const unsigned char *c = buf + 12;
    if (!memcmp(c, "VP8X", 4)) {
        *w = clamp_dim(le24(c + 12) + 1);
        *h = clamp_dim(le24(c + 15) + 1);
    } else if (!memcmp(c, "VP8L", 4) && c[8] == 0x2f) {
        uint32_t bits = (uint32_t)c[9] | (uint32_t)c[10] << 8 |
                        (uint32_t)c[11] << 16 | (uint32_t)c[12] << 24;
        *w = (int)(bits & 0x3fff) + 1;
        *h = (int)((bits >> 14) & 0x3fff) + 1;
    } else if (!memcmp(c, "VP8 ", 4) && c[11] == 0x9d && c[12] == 0x01 &&
               c[13] == 0x2a) {
        *w = (int)((c[14] | c[15] << 8) & 0x3fff);
        *h = (int)((c[16] | c[17] << 8) & 0x3fff);
    }
}

/* The offset of the marker that ends the scan data starting at pos. */
static size_t jpeg_scan_end(const unsigned char *buf, size_t len, size_t pos)
{
    for (; pos + 1 < len; pos++) {
        unsigned next = buf[pos + 1];

        if (buf[pos] == 0xff && next != 0x00 && next != 0xff &&
            !(next >= 0xd0 && next <= 0xd7)) {
            return pos;
        }
    }
    return len;
}

bool kb_imghdr_jpeg_is_complete(const unsigned char *buf, size_t len)
{
    size_t pos = 2;

    if (len < 4 || buf[0] != 0xff || buf[1] != 0xd8) {
        return false;
    }
    while (pos + 2 <= len) {
        if (buf[pos] != 0xff) {
            return false;
        }
        unsigned marker = buf[pos + 1];
        if (marker == 0xff) {
            pos++;
            continue;
        }
        if (marker == 0xd9) {
            return true;
        }
        if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
            pos += 2;
            continue;
        }
        if (pos + 4 > len) {
            return false;
        }
        unsigned seglen = be16(buf + pos + 2);
        if (seglen < 2) {
            return false;
        }
        pos += 2 + seglen;
        if (marker == 0xda) {
            pos = jpeg_scan_end(buf, len, pos);
        }
    }
    return false;
}

enum kb_imgtype kb_imghdr_read(const unsigned char *buf, size_t len, int *width,
                               int *height)
{
    static const unsigned char png_sig[8] = { 0x89, 'P',  'N',  'G',
                                              '\r', '\n', 0x1a, '\n' };

    *width = 0;
    *height = 0;
    if (len >= 3 && buf[0] == 0xff && buf[1] == 0xd8 && buf[2] == 0xff) {
        jpeg_size(buf, len, width, height);
        return KB_IMG_JPEG;
    }
    if (len >= 8 && !memcmp(buf, png_sig, 8)) {
        if (len >= 24 && !memcmp(buf + 12, "IHDR", 4)) {
            *width = clamp_dim(be32(buf + 16));
            *height = clamp_dim(be32(buf + 20));
        }
        return KB_IMG_PNG;
    }
    if (len >= 16 && !memcmp(buf, "RIFF", 4) && !memcmp(buf + 8, "WEBP", 4)) {
        webp_size(buf, len, width, height);
        return KB_IMG_WEBP;
    }
    return KB_IMG_UNKNOWN;
}
