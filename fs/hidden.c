/*
 * Files libfuse hid (see hidden.h).
 */
#include "fs/hidden.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/policy.h"

bool hidden_is_name(const char *name)
{
    return strncmp(name, POLICY_HIDDEN_PREFIX, strlen(POLICY_HIDDEN_PREFIX)) ==
           0;
}

static bool is_dot(const char *name)
{
    return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

/* Removes the hidden names of d if it has nothing else; see hidden_purge. */
static int purge(DIR *d)
{
    struct dirent *e;
    int err = 0;

    for (errno = 0; (e = readdir(d)); errno = 0) {
        if (!is_dot(e->d_name) && !hidden_is_name(e->d_name))
            return -ENOTEMPTY;
    }
    if (errno)
        return -errno;
    rewinddir(d);
    for (errno = 0; (e = readdir(d)); errno = 0) {
        if (is_dot(e->d_name))
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) != 0 && errno != ENOENT)
            err = -errno; /* a hidden folder: the rmdir will say so */
    }
    return errno ? -errno : err;
}

int hidden_purge(int dir_fd, const char *rel)
{
    int fd = openat(dir_fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d;
    int err;

    if (fd < 0)
        return -errno;
    d = fdopendir(fd);
    if (!d) {
        err = -errno;
        (void)close(fd);
        return err;
    }
    err = purge(d);
    (void)closedir(d); /* read-only: nothing to lose */
    return err;
}

/* Deeper than any store a person builds; bounds the walk's descriptors. */
#define SWEEP_MAX_DEPTH 64

/* hidden_sweep's walk of the folder fd (taken and closed), depth deep. */
static int sweep(int fd, int depth)
{
    DIR *d = fdopendir(fd);
    struct dirent *e;
    int removed = 0;

    if (!d) {
        (void)close(fd);
        return 0;
    }
    while ((e = readdir(d))) {
        struct stat st;
        int sub;

        if (is_dot(e->d_name))
            continue;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISREG(st.st_mode) && hidden_is_name(e->d_name)) {
            if (unlinkat(dirfd(d), e->d_name, 0) == 0)
                removed++;
        } else if (S_ISDIR(st.st_mode) && depth < SWEEP_MAX_DEPTH) {
            sub = openat(dirfd(d), e->d_name,
                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0)
                removed += sweep(sub, depth + 1);
        }
    }
    (void)closedir(d); /* read-only: nothing to lose */
    return removed;
}

int hidden_sweep(const char *root)
{
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0)
        return -errno;
    return sweep(fd, 0);
}
