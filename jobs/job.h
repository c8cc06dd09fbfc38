/*
 * The job object and the engine's table of jobs: one job per result stem
 * in a folder (out/<stem>.mp4), its record in memory, and writing that
 * record through the publisher at every state change.
 */
#ifndef JOBS_JOB_H
#define JOBS_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/list.h"
#include "jobs/publish.h"
#include "jobs/record.h"
#include "providers/catalog.h"

struct job {
    struct list link;
    uint64_t id;  /* never reused; timers and tasks refer to jobs by id */
    uint64_t run; /* bumped for every new attempt; stale results are dropped */
    const struct catalog_model *model;
    char *dir_rel; /* store-relative folder of the source */
    char *stem;    /* results go to dir_rel/out/<stem>.mp4 and .json */
    struct record rec;
    bool interrupted;  /* read from a record left in flight by a stopped run */
    bool task_active;  /* a worker task of this run is queued or running */
    bool follows;      /* waits for another job with the same key */
    char *waiting_rel; /* store-relative file it waits for, or NULL */
    uint64_t progress_ms; /* when progress was last written */
    int progress_written; /* the progress last written */
};

struct job_table {
    char *store_root;
    const struct catalog *catalog;
    struct publisher *publisher;
    struct list jobs;
    uint64_t next_id;
    uint64_t seq; /* for unique staging names */
};

/* Sets up an empty table; store_root is copied, the rest borrowed. */
void job_table_init(struct job_table *table, const char *store_root,
                    const struct catalog *catalog, struct publisher *publisher);
/* Frees every job. */
void job_table_release(struct job_table *table);

/* The job for stem in dir_rel, in memory only (borrowed), or NULL. */
struct job *job_find(struct job_table *table, const char *dir_rel,
                     const char *stem);
/* The job with id (borrowed), or NULL when it is gone. */
struct job *job_find_id(struct job_table *table, uint64_t id);

/*
 * The job for stem in dir_rel: in memory, else read from its record in
 * out/ (a record left in flight is marked interrupted), else NULL.
 */
struct job *job_load(struct job_table *table, const char *dir_rel,
                     const char *stem);

/* A new job in state waiting with an empty record (borrowed pointer). */
struct job *job_create(struct job_table *table, const char *dir_rel,
                       const char *stem);

/* Removes job from the table and frees it. */
void job_forget(struct job_table *table, struct job *job);

/*
 * Store-relative path of one of the job's results: ext ".mp4" or ".json"
 * gives "dir/out/stem.mp4"; "" gives the prefix. Caller frees.
 */
char *job_out_rel(const struct job *job, const char *ext);

/*
 * A new unique file name in the staging folder, e.g. "render-12-3-1.mp4".
 * Caller frees.
 */
char *job_staging_name(struct job_table *table, const struct job *job,
                       const char *ext);

/*
 * Writes rec as the record dir_rel/out/<name>.json: a new file in the
 * staging folder, then a rename by the publisher. Skipped (-ENOENT) when
 * dir_rel is gone. Returns 0 or a negative errno (logged).
 */
int job_write_record_as(struct job_table *table, const char *dir_rel,
                        const char *name, const struct record *rec);

/* Writes the job's record to out/<stem>.json (see job_write_record_as). */
int job_write(struct job_table *table, struct job *job);

/*
 * Moves the job to state, stamping the times that go with it (started_at
 * for running, finished_at for succeeded, failed and canceled). Does not
 * write the record.
 */
void job_set_state(struct job *job, enum job_state state);

#endif
