/*
 * Checks a mountpoint before mounting: a mount left dead by a crash
 * ("Transport endpoint is not connected") is detached first.
 */
#ifndef FS_MOUNTPOINT_H
#define FS_MOUNTPOINT_H

/*
 * Cleans up a dead FUSE mount at path (umount2 MNT_DETACH as root, else
 * fusermount3 -u -z), then checks that path is a folder. Returns 0 with
 * *abs set to its absolute, resolved form (the caller frees), or a
 * negative errno.
 */
int mountpoint_prepare(const char *path, char **abs);

#endif
