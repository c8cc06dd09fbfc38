/*
 * Render workers: threads that run local renders (or copy an earlier
 * identical result), probe and hash the output, and report progress and
 * completion back onto the engine's loop. A task owns copies of everything
 * it needs; nothing mutable is shared with the loop.
 */
#ifndef JOBS_WORKER_H
#define JOBS_WORKER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/hash.h"
#include "core/list.h"
#include "providers/probe.h"
#include "providers/provider.h"

struct loop;
struct publisher;
struct worker_pool;

enum worker_kind {
    WORKER_RENDER, /* provider->render into out_path */
    WORKER_COPY,   /* copy copy_from (an earlier identical result) */
};

/* Where a failed task failed, for the record's error code. */
enum worker_stage {
    WORKER_STAGE_RENDER,
    WORKER_STAGE_PROBE,
};

struct worker_task {
    struct list link; /* pool-owned while queued or running */
    uint64_t job_id;
    uint64_t run; /* which run of the job, to drop stale results */
    enum worker_kind kind;
    const struct provider *provider; /* WORKER_RENDER */
    char *image_path;                /* absolute */
    char *asset_dir;                 /* absolute */
    cJSON *request;                  /* owned copy */
    char *copy_from;                 /* WORKER_COPY: absolute source */
    char *out_path;                  /* absolute staging file */
    struct publisher *publisher;     /* WORKER_COPY: flushed before copying */
    atomic_bool cancel;
    /* Progress, guarded by the pool's lock. */
    int progress;
    bool progress_dirty;
    bool started;
    bool started_reported;
    /* Results, valid in the done callback. */
    int rc; /* 0, -ECANCELED or a negative errno */
    enum worker_stage stage;
    char *err; /* one line, or NULL */
    struct probe_info info;
    char sha256[HASH_HEX_LEN + 1];
};

/* Called on the loop thread; the callback takes ownership of task. */
typedef void (*worker_done_cb)(void *arg, struct worker_task *task);
/* Called on the loop thread when a task starts or its progress moves. */
typedef void (*worker_progress_cb)(void *arg, uint64_t job_id, uint64_t run,
                                   int percent);

/*
 * Creates a pool; threads start with worker_pool_start. Callbacks run on
 * loop's thread. Returns 0 or a negative errno.
 */
int worker_pool_new(struct loop *loop, unsigned threads, worker_done_cb done,
                    worker_progress_cb progress, void *arg,
                    struct worker_pool **out);

/* Starts the threads. Returns 0 or a negative errno. */
int worker_pool_start(struct worker_pool *pool);

/*
 * Cancels every task, waits for the threads to finish. Finished tasks that
 * were not handed to the done callback are freed and their output deleted.
 */
void worker_pool_stop(struct worker_pool *pool);

/* Stops the pool if needed and frees it. NULL is a no-op. */
void worker_pool_free(struct worker_pool *pool);

/* A new zeroed task the caller fills and submits (or frees). */
struct worker_task *worker_task_new(void);

/* Frees task and what it owns (not its output file). NULL is a no-op. */
void worker_task_free(struct worker_task *task);

/* Queues task; the pool takes ownership. Loop thread or any thread. */
void worker_submit(struct worker_pool *pool, struct worker_task *task);

/* Sets the cancel flag of every queued or running task of job_id. */
void worker_cancel(struct worker_pool *pool, uint64_t job_id);

#endif
