/*
 * A second fd without O_APPEND for writes from the page cache (see
 * pagefd.h).
 */
#include "fs/pagefd.h"

#include <fcntl.h>
#include <stdio.h>

int pagefd_open(int fd, int flags)
{
    char path[64];

    if (!(flags & O_APPEND) || (flags & O_ACCMODE) == O_RDONLY)
        return -1;
    /* /proc/self/fd/N opens the very file fd has open, by no name. */
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    return open(path, O_WRONLY | O_CLOEXEC);
}
