/*
 * Writes from the page cache (the pages of a MAP_SHARED mapping, written
 * back by the kernel) belong at their offset. On a store fd opened with
 * O_APPEND, pwrite would append them instead, so such a file also keeps a
 * second fd to the same file without O_APPEND for them.
 */
#ifndef FS_PAGEFD_H
#define FS_PAGEFD_H

/*
 * For fd opened with flags: a new fd to the same open file (even unlinked)
 * that writes at the offsets it is given, when flags has O_APPEND and
 * allows writing; else -1 (fd does already). Also -1 when the reopen
 * fails (no /proc): writes then go through fd as before.
 */
int pagefd_open(int fd, int flags);

#endif
