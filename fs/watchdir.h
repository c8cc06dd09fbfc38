/*
 * The hot-folder front end (`i2vfs watch DIR`): the same engine on a real
 * directory, fed by inotify instead of FUSE. Writes the catalog's generated
 * docs (README.txt, MODEL.md, request.example.json) as real files.
 */
#ifndef FS_WATCHDIR_H
#define FS_WATCHDIR_H

#include "jobs/engine.h"
#include "providers/catalog.h"

struct watchdir;

/*
 * Prepares dir (absolute; it is also the engine's store): makes the model
 * folders, writes the docs, and adds recursive inotify watches to the
 * engine's loop that feed engine_notify; an inotify overflow answers with
 * engine_rescan. Call before engine_run. Returns 0 or a negative errno.
 */
int watchdir_new(const char *dir, const struct catalog *cat,
                 struct engine *engine, struct watchdir **out);

/* Removes the watches. NULL is a no-op. */
void watchdir_free(struct watchdir *wd);

#endif
