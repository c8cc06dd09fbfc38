/*
 * Growable byte buffer with a hard cap (see buf.h).
 */
#include "core/buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

void buf_init(struct buf *b, size_t max_bytes)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max_bytes = max_bytes;
}

void buf_release(struct buf *b)
{
    free(b->data);
    buf_init(b, b->max_bytes);
}

int buf_append(struct buf *b, const void *data, size_t size)
{
    /* The second test keeps room for the NUL even with no real cap. */
    if (size > b->max_bytes - b->len || size > SIZE_MAX / 2 - b->len)
        return -EFBIG;
    /* One extra byte keeps the contents NUL-terminated. */
    if (b->len + size + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;

        while (cap < b->len + size + 1)
            cap *= 2;
        b->data = xrealloc(b->data, cap);
        b->cap = cap;
    }
    if (size > 0)
        memcpy(b->data + b->len, data, size);
    b->len += size;
    b->data[b->len] = '\0';
    return 0;
}

char *buf_steal(struct buf *b, size_t *size)
{
    char *data = b->data ? b->data : xcalloc(1, 1);

    if (size)
        *size = b->len;
    buf_init(b, b->max_bytes);
    return data;
}
