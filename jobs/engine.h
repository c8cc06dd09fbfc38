/*
 * The job engine: turns "this file is complete" / "this file is gone" events
 * from a front end (FUSE or the watched directory) into jobs, runs them, and
 * keeps their records in out/. Owns the event loop and the render workers.
 */
#ifndef JOBS_ENGINE_H
#define JOBS_ENGINE_H

#include "jobs/publish.h"
#include "providers/catalog.h"

struct config;
struct engine;

struct engine_config {
    const char *store_root;        /* absolute path of the store */
    const struct catalog *catalog; /* borrowed; outlives the engine */
    struct publisher *publisher;   /* borrowed; outlives the engine */
    unsigned quiet_ms;       /* quiet moment before a file counts; 0: 300 */
    unsigned render_workers; /* concurrent renders; 0: 1 */
    /* Keys, base URLs and limits of the cloud providers (borrowed; outlives
     * the engine), or NULL: cloud jobs then fail, naming the key to set. */
    const struct config *cloud_config;
};

enum engine_event {
    ENGINE_FILE_CHANGED, /* written and closed, renamed into place, attrs set */
    ENGINE_FILE_BUSY,    /* opened for writing or being written */
    ENGINE_FILE_GONE,    /* unlinked or renamed away (file or folder) */
    ENGINE_DIR_CHANGED,  /* folder created or renamed into place: rescan it */
};

/*
 * Creates the engine and its loop, and makes every model folder of the
 * catalog in the store. Returns 0 or a negative errno.
 */
int engine_new(const struct engine_config *cfg, struct engine **out);

/* Stops workers and frees everything. engine_free(NULL) is a no-op. */
void engine_free(struct engine *engine);

/*
 * Hands a front-end event to the engine; relpath is store-relative with no
 * leading slash and is copied. Safe from any thread; never blocks on the
 * engine (FUSE handlers call it).
 */
void engine_notify(struct engine *engine, enum engine_event event,
                   const char *relpath);

/*
 * Rescans the whole store: resumes unfinished jobs and starts images that
 * have none. engine_run does this once at start; front ends call it again
 * when they may have missed events (inotify overflow). Any thread.
 */
void engine_rescan(struct engine *engine);

/*
 * The engine's loop, for front ends that add their own fds (watch mode's
 * inotify) or signals. Borrowed; use only from the loop thread or before
 * engine_run.
 */
struct loop *engine_loop(struct engine *engine);

/* Runs the engine's loop on the calling thread until engine_stop. */
int engine_run(struct engine *engine);

/* Makes engine_run return soon. Safe from any thread (not a signal handler). */
void engine_stop(struct engine *engine);

#endif
