/*
 * Reads an image's type and size from its first bytes, before any pixel is
 * decoded, so a decompression bomb is refused without allocating for it.
 */
#ifndef PROVIDERS_LOCAL_IMGHDR_H
#define PROVIDERS_LOCAL_IMGHDR_H

#include <stdbool.h>
#include <stddef.h>

enum kb_imgtype {
    KB_IMG_UNKNOWN,
    KB_IMG_JPEG,
    KB_IMG_PNG,
    KB_IMG_WEBP,
};

/* The largest width or height the renderer accepts. */
#define KB_MAX_SIDE 16384

/*
 * Sniffs buf (the whole file or its start). Returns the type, and sets
 * *width and *height from the header (0 when the header is cut short).
 * Returns KB_IMG_UNKNOWN for anything that is not JPEG, PNG or WebP.
 */
enum kb_imgtype kb_imghdr_read(const unsigned char *buf, size_t len, int *width,
                               int *height);

/*
 * True when the JPEG in buf (the whole file) reaches its end-of-image
 * marker: segments are walked by their lengths (an EXIF thumbnail's own
 * markers are skipped) and scans up to the next marker. A cut download or
 * copy is false, where a decoder would conceal the missing part in gray.
 */
bool kb_imghdr_jpeg_is_complete(const unsigned char *buf, size_t len);

#endif
