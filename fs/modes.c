/*
 * The mode of what users create through the mount (see modes.h).
 */
#include "fs/modes.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

int modes_fix(int dir_fd, const char *rel, mode_t mode)
{
    struct stat st;

    if (fstatat(dir_fd, rel, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return -errno;
    if (S_ISLNK(st.st_mode) || (st.st_mode & 0777) == (mode & 0777))
        return 0;
    if (fchmodat(dir_fd, rel, (st.st_mode & 07000) | (mode & 0777), 0) != 0)
        return -errno;
    return 0;
}
