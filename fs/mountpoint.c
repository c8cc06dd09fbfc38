/*
 * Mountpoint checks before mounting (see mountpoint.h).
 */
#include "fs/mountpoint.h"

#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"

extern char **environ;

/* Runs fusermount3 -u -z path and waits for it. Returns 0 or -errno. */
static int run_fusermount(const char *path)
{
    char prog[] = "fusermount3", unmount[] = "-u", lazy[] = "-z", end[] = "--";
    char *target = xstrdup(path);
    char *argv[] = { prog, unmount, lazy, end, target, NULL };
    pid_t pid;
    int status, err;

    err = posix_spawnp(&pid, prog, NULL, NULL, argv, environ);
    free(target);
    if (err)
        return -err;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -errno;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static int detach(const char *path)
{
    if (geteuid() == 0)
        return umount2(path, MNT_DETACH) != 0 ? -errno : 0;
    return run_fusermount(path);
}

int mountpoint_prepare(const char *path, char **abs)
{
    struct statfs sfs;
    struct stat st;
    char *resolved;

    /*
     * statfs, not stat: the kernel answers stat of a dead mount's root from
     * its attribute cache for a moment after the daemon died, while statfs
     * always asks the (gone) daemon and so fails with ENOTCONN at once.
     */
    if (statfs(path, &sfs) != 0 && errno == ENOTCONN) {
        int err = detach(path);

        if (err) {
            log_error("%s is a dead mount and cannot be detached: %s", path,
                      strerror(-err));
            return err;
        }
        log_info("cleaned up the dead mount left at %s", path);
    }
    if (stat(path, &st) != 0)
        return -errno;
    if (!S_ISDIR(st.st_mode))
        return -ENOTDIR;
    resolved = realpath(path, NULL);
    if (!resolved)
        return -errno;
    *abs = resolved;
    return 0;
}
