/*
 * Going to the background without losing errors: the process forks before
 * any thread starts, the parent waits until the child reports that the
 * mount is up (exit 0) or dies (exit 1). libfuse's fuse_daemonize forks
 * after mounting, which would leave the engine's threads behind.
 */
#ifndef FS_DAEMON_H
#define FS_DAEMON_H

/*
 * Forks. Returns 0 in the child with *ready_fd set, for daemon_ready;
 * the parent never returns. Call before starting threads. Returns a
 * negative errno if the fork fails.
 */
int daemon_start(int *ready_fd);

/*
 * In the child, once serving: detaches from the terminal (stdio to
 * /dev/null, cwd /) and lets the parent exit 0. ready_fd < 0 is a no-op.
 */
void daemon_ready(int ready_fd);

#endif
