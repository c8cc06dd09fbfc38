/*
 * Small file helpers shared by every layer: capped reads, atomic writes,
 * making folders.
 */
#ifndef CORE_FSUTIL_H
#define CORE_FSUTIL_H

#include <stddef.h>

/*
 * Reads the whole file at path if it is at most max_bytes long. Returns 0
 * with *data (NUL-terminated, caller frees) and *size set; -EFBIG if larger;
 * another negative errno if it cannot be read.
 */
int fsutil_read_file(const char *path, size_t max_bytes, char **data,
                     size_t *size);

/*
 * Writes data to path atomically: a temporary file in the same folder,
 * fsync, rename over path, fsync of the folder. Returns 0 or a negative
 * errno (the temporary file is removed on failure).
 */
int fsutil_write_atomic(const char *path, const void *data, size_t size);

/*
 * Writes data to a new file at path (O_EXCL) and fsyncs it, without
 * renaming: for files the publisher moves into place afterwards.
 */
int fsutil_write_new(const char *path, const void *data, size_t size);

/* Creates path and its missing parents with mode. Returns 0 or -errno. */
int fsutil_mkdir_p(const char *path, unsigned mode);

/*
 * Does path, with every symbolic link in it resolved, stay inside the
 * folder root? Returns 1 if it does (or path does not exist: nothing can
 * be read through it), 0 when it leads out, or a negative errno. The
 * engine refuses a file that leads out before reading it.
 */
int fsutil_is_beneath(const char *root, const char *path);

/* Joins a and b with one '/', into a new string the caller frees. */
char *fsutil_join(const char *a, const char *b);

#endif
