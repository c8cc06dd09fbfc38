/*
 * A growable byte buffer with a hard size cap, for data that arrives from
 * the network or the kernel.
 */
#ifndef CORE_BUF_H
#define CORE_BUF_H

#include <stddef.h>

struct buf {
    char *data; /* NUL-terminated after data[len]; NULL while empty */
    size_t len;
    size_t cap;
    size_t max_bytes;
};

/* Starts an empty buffer that refuses to grow past max_bytes. */
void buf_init(struct buf *b, size_t max_bytes);

/* Frees the contents; the buffer is empty afterwards and may be reused. */
void buf_release(struct buf *b);

/*
 * Appends size bytes. Returns 0, or -EFBIG (and appends nothing) when the
 * result would exceed max_bytes.
 */
int buf_append(struct buf *b, const void *data, size_t size);

/*
 * Hands the contents to the caller (NUL-terminated; the caller frees; never
 * NULL) and leaves the buffer empty. *size receives the length if not NULL.
 */
char *buf_steal(struct buf *b, size_t *size);

#endif
