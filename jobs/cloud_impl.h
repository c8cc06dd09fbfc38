/*
 * The insides of the cloud path, shared by cloud.c (start, stop, queue,
 * failures), cloud_steps.c (upload, submit, poll) and download.c (the
 * result into staging). Not for other modules.
 */
#ifndef JOBS_CLOUD_IMPL_H
#define JOBS_CLOUD_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/list.h"
#include "jobs/cloud.h"
#include "jobs/engine_impl.h"
#include "jobs/images.h"
#include "jobs/send.h"
#include "providers/config.h"
#include "providers/provider.h"

/* The largest video downloaded. */
#define CLOUD_MAX_VIDEO_BYTES (1ull << 30)
/* Downloads of a video that does not play, before the job fails. */
#define CLOUD_DOWNLOAD_TRIES 2

struct cloud {
    struct engine *engine;
    const struct config *config; /* or NULL */
    struct http *http;
    struct send_policy policy;
    struct list tasks;    /* every cloud_task */
    struct list waiting;  /* queued tasks, oldest first (wait_link) */
    uint64_t admit_timer; /* a pending admission pass, or 0 */
};

enum cloud_phase {
    CLOUD_WAIT,     /* queued for a slot of its provider */
    CLOUD_UPLOAD,   /* uploading images */
    CLOUD_SUBMIT,   /* submit sent */
    CLOUD_POLL,     /* polling (or waiting to) */
    CLOUD_DOWNLOAD, /* fetching the video */
    CLOUD_PROBE,    /* a worker probes and publishes it */
};

/* One job's cloud run. */
struct cloud_task {
    struct list link;
    struct list wait_link; /* in cloud->waiting while CLOUD_WAIT */
    struct cloud *cloud;
    uint64_t job_id;
    uint64_t run;
    enum cloud_phase phase;
    bool holds_slot;
    const struct provider *provider;
    const struct provider_config *pconfig;
    char *model_id;
    cJSON *request;
    struct image_list images;
    char *idempotency_key;
    char *task_id;
    struct send *send; /* the exchange in flight, or NULL */
    uint64_t timer;    /* a poll or retry timer, or 0 */
    uint64_t poll_interval_ms;
    uint64_t poll_timeout_ms;
    uint64_t deadline_ms; /* loop time after which polling gives up */
    int download_tries;
    /* The last request was resent with a fresh token (once per request). */
    bool is_token_refreshed;
    char *video_url;
    char *video_base64;
    char *download_path; /* absolute staging file of the download */
    char *job_key;       /* the job's key: names its submit mark */
};

/* The task's job if it still runs this task's run, else NULL. */
struct job *cloud_job(struct cloud_task *t);

/* Writes the job's record (logged on failure). */
void cloud_write(struct cloud_task *t, struct job *job);

/*
 * Ends the run with a failed record {code, message}, frees t and frees its
 * slot (the next queued job starts).
 */
void cloud_fail(struct cloud_task *t, const char *code, const char *message);

/* Starts queued tasks while their providers have free slots. */
void cloud_admit(struct cloud *cloud);

/* Frees t (its exchange, timer, slot). */
void cloud_task_free(struct cloud_task *t);

/* What the provider hooks read about t; borrowed from t. */
void cloud_provider_job(struct cloud_task *t, struct provider_job *pj);

/* Sends req for t; done runs on the loop with the final result. */
int cloud_send(struct cloud_task *t, struct provider_http *req,
               const struct send_options *opts, send_done_cb done);

/* cloud_steps.c: the next upload, else the submit. */
void cloud_step_upload(struct cloud_task *t);
/* cloud_steps.c: the submit. */
void cloud_step_submit(struct cloud_task *t);
/* cloud_steps.c: a poll after delay_ms. */
void cloud_step_poll_later(struct cloud_task *t, uint64_t delay_ms);

/* download.c: fetch t->video_url or decode t->video_base64, then probe. */
void cloud_step_download(struct cloud_task *t);

#endif
