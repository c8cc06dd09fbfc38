/*
 * Daemonizing around the mount (see daemon.h).
 */
#include "fs/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int daemon_start(int *ready_fd)
{
    int fds[2];
    char status = 1;
    pid_t pid;

    if (pipe2(fds, O_CLOEXEC) != 0)
        return -errno;
    pid = fork();
    if (pid < 0) {
        (void)close(fds[0]);
        (void)close(fds[1]);
        return -errno;
    }
    if (pid > 0) {
        /* The parent: exit as the child's mount went; EOF means it failed. */
        (void)close(fds[1]);
        while (read(fds[0], &status, 1) < 0 && errno == EINTR)
            ;
        _exit(status == 0 ? 0 : 1);
    }
    (void)close(fds[0]);
    (void)setsid(); /* fails only if already a group leader: still fine */
    *ready_fd = fds[1];
    return 0;
}

void daemon_ready(int ready_fd)
{
    const char status = 0;
    int null_fd;

    if (ready_fd < 0)
        return;
    (void)chdir("/"); /* the store and mountpoint paths are absolute */
    /* Best effort: a daemon without /dev/null still serves. */
    null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd >= 0) {
        (void)dup2(null_fd, STDIN_FILENO);
        (void)dup2(null_fd, STDOUT_FILENO);
        (void)dup2(null_fd, STDERR_FILENO);
        if (null_fd > STDERR_FILENO)
            (void)close(null_fd);
    }
    /* If the parent is gone already there is nobody left to tell. */
    (void)!write(ready_fd, &status, 1);
    (void)close(ready_fd);
}
