/*
 * The FUSE front end: serves the store as the tree of DESIGN.md §1, with the
 * catalog's read-only virtual files and the rules for out/, and hands
 * "complete" / "gone" events to the engine.
 */
#ifndef FS_FS_H
#define FS_FS_H

#include <stdbool.h>

#include "jobs/engine.h"
#include "jobs/publish.h"
#include "providers/catalog.h"

struct fuse_args;

struct fs_config {
    const char *store_root;        /* absolute */
    const char *mountpoint;        /* absolute */
    const struct catalog *catalog; /* borrowed */
    struct engine *engine;       /* borrowed; its loop runs on its own thread */
    struct publisher *publisher; /* borrowed */
    bool foreground;             /* informational: main.c forks (fs/daemon.h) */
    bool single_thread;
    int ready_fd; /* -1, or daemon_start's pipe: told once the mount is up */
    struct fuse_args *args; /* remaining FUSE options (-o …), borrowed */
};

/*
 * Mounts (adding fsname=i2vfs,subtype=i2vfs,default_permissions in front
 * of args), serves until unmounted or SIGINT/SIGTERM/SIGHUP, unmounts.
 * Once the mount is up it points the publisher at it, sends READY=1 to
 * $NOTIFY_SOCKET and reports to ready_fd; it points the publisher back at
 * the store before unmounting. The caller blocks SIGINT/SIGTERM/SIGHUP in
 * every other thread. Returns 0 or a negative errno (the error already
 * logged in one line).
 */
int fs_main(const struct fs_config *cfg);

#endif
