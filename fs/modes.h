/*
 * The mode of what users create through the mount. The kernel has already
 * applied the creator's umask to the mode a create, mkdir or mknod
 * carries; the daemon's own umask must not apply a second time (a user
 * with umask 002 gets 0664 files, as on a disk, not 0644).
 */
#ifndef FS_MODES_H
#define FS_MODES_H

#include <sys/types.h>

/*
 * Sets the permission bits (0777) of rel (relative to dir_fd, not
 * followed if a symlink) to those of mode, keeping its setuid, setgid and
 * sticky bits (a folder inherits setgid from its parent). Does nothing
 * when they already match. Returns 0 or -errno.
 */
int modes_fix(int dir_fd, const char *rel, mode_t mode);

#endif
