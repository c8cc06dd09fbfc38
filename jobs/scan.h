/*
 * Walking the store: every file of a folder and the folders below it, in
 * name order, skipping what never holds jobs (out/, junk names, the private
 * folder); and clearing the staging folder of a killed process's leftovers.
 */
#ifndef JOBS_SCAN_H
#define JOBS_SCAN_H

/* Called with each file's store-relative path; valid during the call. */
typedef void (*scan_file_cb)(void *arg, const char *relpath);

/*
 * Calls cb for every regular file in store-relative folder dir_rel ("" for
 * the store's root) and, if recursive, in the folders below it, skipping
 * out/ folders, junk names (names_is_junk) and the private folder.
 * Returns 0, or a negative errno if dir_rel itself cannot be read.
 */
int scan_tree(const char *store_root, const char *dir_rel, int recursive,
              scan_file_cb cb, void *arg);

/*
 * Deletes every file in the staging folder (absolute path): partial
 * renders and records that a killed process never published. Returns the
 * number deleted, or a negative errno.
 */
int scan_clear_staging(const char *staging_dir);

#endif
