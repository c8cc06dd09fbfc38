/*
 * Allocation wrappers: out of memory is fatal, so callers never check.
 */
#ifndef CORE_MEM_H
#define CORE_MEM_H

#include <stddef.h>

/* Like malloc/calloc/realloc/strdup/strndup, but abort on failure. */
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Formats into a new string the caller frees; aborts on failure. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
