/*
 * The generated read-only files (see virtual.h): a sorted array searched
 * by name.
 */
#include "fs/virtual.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "fs/policy.h"

/* Inode numbers of generated files: far above what real filesystems use. */
#define VIRTUAL_INO_BASE 0x7fffffff00000000ULL

struct virtual_files {
    struct virtual_file *files; /* sorted by rel */
    size_t count;
    struct timespec made;
};

static int compare_files(const void *a, const void *b)
{
    const struct virtual_file *fa = a, *fb = b;

    return strcmp(fa->rel, fb->rel);
}

static int compare_key(const void *key, const void *elem)
{
    const struct virtual_file *f = elem;

    return strcmp(key, f->rel);
}

struct virtual_files *virtual_new_from(struct virtual_file *files, size_t count)
{
    struct virtual_files *set = xcalloc(1, sizeof(*set));

    set->files = files;
    set->count = count;
    qsort(set->files, set->count, sizeof(*set->files), compare_files);
    (void)clock_gettime(CLOCK_REALTIME, &set->made); /* cannot fail */
    return set;
}

static void add(struct virtual_file *files, size_t *count, char *rel,
                char *data)
{
    files[*count].rel = rel;
    files[*count].data = data;
    files[*count].size = strlen(data);
    (*count)++;
}

struct virtual_files *virtual_new(const struct catalog *cat)
{
    size_t models = catalog_model_count(cat), count = 0;
    struct virtual_file *files = xcalloc(1 + 2 * models, sizeof(*files));

    add(files, &count, xstrdup(POLICY_README_NAME), catalog_readme(cat));
    for (size_t i = 0; i < models; i++) {
        const struct catalog_model *m = catalog_model_at(cat, i);
        const char *folder = catalog_model_folder(m);

        add(files, &count, xasprintf("%s/%s", folder, POLICY_DOC_NAME),
            catalog_model_doc(m));
        add(files, &count, xasprintf("%s/%s", folder, POLICY_EXAMPLE_NAME),
            catalog_model_example(m));
    }
    return virtual_new_from(files, count);
}

void virtual_free(struct virtual_files *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->count; i++) {
        free(set->files[i].rel);
        free(set->files[i].data);
    }
    free(set->files);
    free(set);
}

const struct virtual_file *virtual_find(const struct virtual_files *set,
                                        const char *rel)
{
    return bsearch(rel, set->files, set->count, sizeof(*set->files),
                   compare_key);
}

void virtual_stat(const struct virtual_files *set,
                  const struct virtual_file *file, struct stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_ino = VIRTUAL_INO_BASE + (ino_t)(file - set->files);
    st->st_mode = S_IFREG | 0444;
    st->st_nlink = 1;
    st->st_uid = getuid();
    st->st_gid = getgid();
    st->st_size = (off_t)file->size;
    st->st_blksize = 4096;
    st->st_blocks = (blkcnt_t)((file->size + 511) / 512);
    st->st_atim = set->made;
    st->st_mtim = set->made;
    st->st_ctim = set->made;
}
