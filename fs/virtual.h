/*
 * The generated read-only files of the mount (README.txt at the root,
 * MODEL.md and request.example.json in each model folder), made once from
 * the catalog when the mount starts and immutable afterwards.
 */
#ifndef FS_VIRTUAL_H
#define FS_VIRTUAL_H

#include <stddef.h>
#include <sys/stat.h>
#include <time.h>

#include "providers/catalog.h"

struct virtual_files;

struct virtual_file {
    char *rel;  /* store-relative name */
    char *data; /* contents */
    size_t size;
};

/* Generates every file from cat. Never fails (out of memory is fatal). */
struct virtual_files *virtual_new(const struct catalog *cat);

/* Builds the set from ready-made entries (for tests); takes ownership. */
struct virtual_files *virtual_new_from(struct virtual_file *files,
                                       size_t count);

/* virtual_free(NULL) is a no-op. */
void virtual_free(struct virtual_files *files);

/* The generated file named rel, or NULL. Borrowed, valid until free. */
const struct virtual_file *virtual_find(const struct virtual_files *files,
                                        const char *rel);

/*
 * Fills st for file: a regular file, mode 0444, owned by the daemon's user,
 * timestamps of when the set was made, a distinct inode number.
 */
void virtual_stat(const struct virtual_files *files,
                  const struct virtual_file *file, struct stat *st);

#endif
