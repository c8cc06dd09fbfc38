/*
 * Files libfuse hid (POLICY_HIDDEN_PREFIX names: deleted while open, kept
 * until their last close). Users do not see them, so a folder holding only
 * such files is empty to them and must be removable, as on a disk.
 */
#ifndef FS_HIDDEN_H
#define FS_HIDDEN_H

#include <stdbool.h>

/* True when name (a basename) is one libfuse gave a hidden file. */
bool hidden_is_name(const char *name);

/*
 * When the folder rel (relative to dir_fd) holds nothing but hidden files,
 * removes their names and returns 0: whoever has them open keeps reading
 * and writing them, as with any deleted open file. Returns -ENOTEMPTY,
 * touching nothing, when it holds anything else; -errno on failure.
 */
int hidden_purge(int dir_fd, const char *rel);

/*
 * Removes every hidden file under root (a store), at any depth, without
 * following symlinks. For start-up only: a daemon that was killed never
 * closed them, so libfuse never unlinked them, and with its mount gone
 * nobody can reach them; they would keep a deleted video's space forever.
 * Returns how many it removed, or a negative errno if root cannot be read.
 */
int hidden_sweep(const char *root);

#endif
