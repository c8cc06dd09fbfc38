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
    struct engine *engine;         /* borrowed; its loop runs on its own thread */
    struct publisher *publisher;   /* borrowed */
    bool foreground;
    bool single_thread;
    struct fuse_args *args; /* remaining FUSE options (-o …), borrowed */
};

/*
 * Mounts, serves until unmounted or SIGINT/SIGTERM/SIGHUP, unmounts.
 * Points the publisher at the mount once it is up. Returns 0 or a negative
 * errno (the error already logged in one line).
 */
int fs_main(const struct fs_config *cfg);

#endif
