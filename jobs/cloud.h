/*
 * The cloud path of the engine: a job whose model's provider has
 * PROVIDER_CAP_CLOUD runs here instead of on a render worker. Per job:
 * queued (per-provider concurrency limit) → uploading (local images for
 * URL-only models) → submitted → running → downloading, then the video is
 * probed and published by a worker exactly like a local render. Every
 * state goes into the job's record. All HTTP goes through one client on
 * the engine's loop. Loop thread only.
 */
#ifndef JOBS_CLOUD_H
#define JOBS_CLOUD_H

#include <stdbool.h>
#include <stdint.h>

struct cloud;
struct config;
struct engine;
struct job;
struct trigger_plan;
struct worker_task;

/*
 * Creates the cloud side of engine (its HTTP client on the engine's loop).
 * config is borrowed and may be NULL: every cloud job then fails, saying
 * which key to set. Returns 0 or a negative errno.
 */
int cloud_new(struct engine *engine, const struct config *config,
              struct cloud **out);

/* Drops every exchange in flight (records stay, to resume). NULL: no-op. */
void cloud_free(struct cloud *cloud);

/*
 * Starts the job (its record says queued, its run is current) from plan.
 * With resume_task_id, the provider already has the task: polling
 * resumes, nothing is submitted again. On a failure found at once (no
 * key, a bad image) the job is failed in memory (the caller writes the
 * record); else job->task_active is set until the run ends.
 */
void cloud_start(struct cloud *cloud, struct job *job,
                 const struct trigger_plan *plan, const char *resume_task_id);

/*
 * Stops the job's cloud run, if any. With tell_provider, a provider that
 * can cancel is asked to (best effort).
 */
void cloud_stop(struct cloud *cloud, uint64_t job_id, bool tell_provider);

/*
 * A worker finished probing the job's downloaded video (task). Returns
 * true when the cloud side took the task over (it downloads again after a
 * video that does not play); false to let the engine finish as for a
 * local render. Either way the run's download file is removed.
 */
bool cloud_worker_done(struct cloud *cloud, struct job *job,
                       struct worker_task *task);

#endif
