/*
 * The engine's insides, shared by engine.c (intake, debounce, dispatch) and
 * schedule.c (jobs from plans, workers, results). Not for other modules.
 */
#ifndef JOBS_ENGINE_IMPL_H
#define JOBS_ENGINE_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/list.h"
#include "jobs/engine.h"
#include "jobs/job.h"
#include "jobs/trigger.h"
#include "jobs/worker.h"

struct engine {
    char *store_root;
    const struct catalog *catalog;
    struct publisher *publisher;
    unsigned quiet_ms;
    struct loop *loop;
    struct worker_pool *pool;
    struct cloud *cloud; /* the cloud path: jobs/cloud.h */
    struct job_table jobs;
    struct trigger_ctx tctx;

    /* Events from front-end threads, guarded by lock. */
    pthread_mutex_t lock;
    struct list events;
    bool drain_posted;
    atomic_bool rescan_requested;
    atomic_bool stopping;

    /* Loop thread only: paths waiting for their quiet moment. */
    struct list pending;
};

/*
 * Plans the job that source (an image or a job file in dir_rel) makes and
 * acts on the plan: nothing when the same request already succeeded or is
 * under way, else queued (render, or copy of an identical result),
 * waiting or failed, with its record written. Loop thread.
 */
void schedule_source(struct engine *engine, const char *dir_rel,
                     const char *source);

/*
 * Like schedule_source, for the scan at start-up: a job that failed with
 * the same key is left as it is (it failed for a reason that still holds).
 */
void schedule_scanned(struct engine *engine, const char *dir_rel,
                      const char *source);

/* Re-plans the jobs waiting for store-relative file relpath. */
void schedule_wake(struct engine *engine, const char *relpath);

/*
 * The job's source is gone: a queued, running or waiting job is canceled
 * (its render stopped) and its record says why.
 */
void schedule_source_gone(struct engine *engine, const char *dir_rel,
                          const char *source);

/*
 * The record out/<stem>.json of dir_rel was deleted: stops and forgets the
 * job and its key, so the image may run again.
 */
void schedule_record_gone(struct engine *engine, const char *dir_rel,
                          const char *stem);

/*
 * Folder dir_rel is gone (with below, the folders under it too; without,
 * only its out/ folder went): stops and forgets its jobs and their keys.
 */
void schedule_folder_gone(struct engine *engine, const char *dir_rel,
                          bool below);

/*
 * A cloud run ended in failure: the job's record says failed with
 * {code, message}, and jobs that waited for it run themselves.
 */
void schedule_cloud_failed(struct engine *engine, struct job *job,
                           const char *code, const char *message);

/* Worker callbacks (see worker.h); arg is the engine. */
void schedule_task_done_cb(void *arg, struct worker_task *task);
void schedule_progress_cb(void *arg, uint64_t job_id, uint64_t run,
                          int percent);

#endif
