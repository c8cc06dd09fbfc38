/*
 * Walking the store (see scan.h).
 */
#include "jobs/scan.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/names.h"
#include "jobs/publish.h"

/* Folders deeper than this are not scanned (a loop through bind mounts). */
#define SCAN_MAX_DEPTH 32

static int walk(const char *store_root, const char *dir_rel, int recursive,
                int depth, scan_file_cb cb, void *arg)
{
    char *abs = dir_rel[0] ? xasprintf("%s/%s", store_root, dir_rel)
                           : xstrdup(store_root);
    struct dirent **entries = NULL;
    int n, rc = 0;

    n = scandir(abs, &entries, NULL, alphasort);
    if (n < 0) {
        rc = -errno;
        goto out;
    }
    for (int i = 0; i < n; i++) {
        const char *name = entries[i]->d_name;
        char *rel =
            dir_rel[0] ? xasprintf("%s/%s", dir_rel, name) : xstrdup(name);
        char *path = xasprintf("%s/%s", abs, name);
        struct stat st;

        if (names_is_junk(name) || strcmp(name, PUBLISH_PRIVATE_DIR) == 0 ||
            lstat(path, &st) < 0) {
            /* Skipped: never a job, or gone since readdir. */
        } else if (S_ISDIR(st.st_mode)) {
            if (recursive && strcmp(name, "out") != 0 &&
                depth < SCAN_MAX_DEPTH) {
                /* A subfolder that vanished meanwhile is not an error. */
                (void)walk(store_root, rel, recursive, depth + 1, cb, arg);
            }
        } else if (S_ISREG(st.st_mode)) {
            cb(arg, rel);
        }
        free(path);
        free(rel);
    }
out:
    for (int i = 0; i < n; i++)
        free(entries[i]);
    free(entries);
    free(abs);
    return rc;
}

int scan_tree(const char *store_root, const char *dir_rel, int recursive,
              scan_file_cb cb, void *arg)
{
    return walk(store_root, dir_rel, recursive, 0, cb, arg);
}

int scan_clear_staging(const char *staging_dir)
{
    DIR *dir = opendir(staging_dir);
    struct dirent *de;
    int count = 0;

    if (!dir)
        return -errno;
    while ((de = readdir(dir))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (unlinkat(dirfd(dir), de->d_name, 0) == 0)
            count++;
    }
    closedir(dir);
    return count;
}
