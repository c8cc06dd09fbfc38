/*
 * From plans to jobs (see engine_impl.h): decides whether a planned job
 * runs, waits, fails, or copies an identical result; hands renders to the
 * workers; turns their progress and results into records.
 */
#include "jobs/engine_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "core/names.h"
#include "jobs/cloud.h"
#include "jobs/keys.h"
#include "providers/provider.h"

/* Progress is rewritten at most this often, or on a step this large. */
#define PROGRESS_WRITE_MS  500
#define PROGRESS_WRITE_PCT 5

/* Writes the job's record; a failure is logged by job_write. */
static void write_record(struct engine *engine, struct job *job)
{
    /* Logged inside; the job goes on, its next state change retries. */
    (void)job_write(&engine->jobs, job);
}

/* Stops the job's worker task, if any, and makes its result stale. */
static void stop_task(struct engine *engine, struct job *job)
{
    cloud_stop(engine->cloud, job->id, false);
    if (job->task_active)
        worker_cancel(engine->pool, job->id);
    job->task_active = false;
    job->run++;
}

static bool path_exists(const struct engine *engine, const char *rel)
{
    char *path = fsutil_join(engine->store_root, rel);
    struct stat st;
    bool ok = stat(path, &st) == 0;

    free(path);
    return ok;
}

/* Fills the parts of the record that say what was asked. */
static void record_what(struct job *job, const char *source,
                        const struct trigger_plan *plan)
{
    struct record *rec = &job->rec;

    record_clear_outcome(rec);
    record_set_str(&rec->model, catalog_model_folder(job->model));
    record_set_str(&rec->source, source);
    record_set_str(&rec->image_name, plan->image_name);
    memcpy(rec->image_sha256, plan->image_sha256, sizeof(rec->image_sha256));
    cJSON_Delete(rec->request);
    rec->request = plan->request ? record_request_copy(plan->request) : NULL;
    memcpy(rec->key, plan->key, sizeof(rec->key));
    record_set_str(&rec->provider_name, catalog_model_provider(job->model));
    rec->progress = -1;
    rec->created_at = time(NULL);
}

/* Writes a failed record for an image whose stem another image owns. */
static void write_clash(struct engine *engine, const struct catalog_model *m,
                        const char *dir_rel, const char *source,
                        const struct trigger_plan *plan)
{
    struct record rec;

    record_init(&rec);
    record_set_str(&rec.model, catalog_model_folder(m));
    record_set_str(&rec.source, source);
    record_set_str(&rec.image_name, source);
    record_set_str(&rec.provider_name, catalog_model_provider(m));
    record_set_error(&rec, plan->error_code, plan->error_message);
    rec.created_at = rec.finished_at = time(NULL);
    /* out/<name>.json: the clash must not overwrite the owner's record. */
    (void)job_write_record_as(&engine->jobs, dir_rel, source, &rec);
    record_release(&rec);
}

/* The job, other than self, whose render for key is under way; or NULL. */
static struct job *find_leader(struct engine *engine, const struct job *self,
                               const char *key)
{
    struct list *pos;

    list_for_each(pos, &engine->jobs.jobs) {
        struct job *job = list_entry(pos, struct job, link);

        if (job != self && job->task_active && !job->follows &&
            strcmp(job->rec.key, key) == 0)
            return job;
    }
    return NULL;
}

/*
 * Where an earlier identical result can be copied from: an absolute path
 * the caller frees, with *from_rel its store-relative name; or NULL.
 */
static char *find_copy_source(struct engine *engine, const struct job *self,
                              char **from_rel)
{
    char *prefix = NULL, *own = job_out_rel(self, ""), *result = NULL;
    const char *slash;
    struct job *owner;
    bool in_memory;

    if (keys_lookup(engine->store_root, self->rec.key, &prefix) < 0)
        goto out;
    if (strcmp(prefix, own) == 0)
        goto out;
    slash = strstr(prefix, "/out/");
    if (!slash)
        goto out;
    {
        char *dir = xstrndup(prefix, (size_t)(slash - prefix));

        in_memory = job_find(&engine->jobs, dir, slash + 5) != NULL;
        owner = job_load(&engine->jobs, dir, slash + 5);
        free(dir);
    }
    /* The index may be stale: trust it only if that record agrees. */
    if (owner && owner->rec.state == JOB_SUCCEEDED &&
        strcmp(owner->rec.key, self->rec.key) == 0) {
        char *mp4 = xasprintf("%s.mp4", prefix);

        /*
         * A result made by this process may still be on its way to out/:
         * the copy waits for the publisher first.
         */
        if (in_memory || path_exists(engine, mp4)) {
            *from_rel = mp4;
            result = fsutil_join(engine->store_root, mp4);
        } else {
            free(mp4);
        }
    }
out:
    free(prefix);
    free(own);
    return result;
}

/*
 * Hands the job's render (or copy) to a worker, or its cloud run to the
 * cloud path (resuming the provider's task resume_task_id, if set).
 */
static void start_task(struct engine *engine, struct job *job,
                       const struct trigger_plan *plan, char *copy_from,
                       const char *resume_task_id)
{
    const struct provider *provider =
        provider_find(catalog_model_provider(job->model));
    struct worker_task *task;
    char *name;

    if (!copy_from && provider && (provider->caps & PROVIDER_CAP_CLOUD)) {
        cloud_start(engine->cloud, job, plan, resume_task_id);
        return;
    }
    if (!copy_from && (!provider || !provider->render)) {
        char *msg = xasprintf("%s runs on the %s provider, which this "
                              "version of i2vfs cannot run yet",
                              catalog_model_folder(job->model),
                              catalog_model_provider(job->model));

        record_set_error(&job->rec, "provider_unavailable", msg);
        free(msg);
        job_set_state(job, JOB_FAILED);
        return;
    }
    task = worker_task_new();
    task->job_id = job->id;
    task->run = job->run;
    task->kind = copy_from ? WORKER_COPY : WORKER_RENDER;
    task->provider = provider;
    task->image_path = plan->image_path ? xstrdup(plan->image_path) : NULL;
    task->asset_dir = fsutil_join(engine->store_root, job->dir_rel);
    task->request = cJSON_Duplicate(plan->request, true);
    task->copy_from = copy_from;
    task->publisher = engine->publisher;
    name = job_staging_name(&engine->jobs, job, ".mp4");
    task->out_path =
        fsutil_join(publisher_staging_dir(engine->publisher), name);
    free(name);
    job->task_active = true;
    worker_submit(engine->pool, task);
}

/* Acts on a plan that says the job may run. */
static void run_plan(struct engine *engine, struct job *job, const char *source,
                     const struct trigger_plan *plan)
{
    bool same_key = strcmp(job->rec.key, plan->key) == 0;
    int attempts = job->follows                    ? job->rec.attempts
                   : same_key && job->rec.attempts ? job->rec.attempts + 1
                                                   : 1;
    struct job *leader;
    char *copy_from, *from_rel = NULL, *resume = NULL;

    /*
     * A cloud task of a stopped run that the provider already has is
     * polled again, never submitted twice.
     */
    if (job->interrupted && same_key && job->rec.provider_task_id &&
        (job->rec.state == JOB_SUBMITTED || job->rec.state == JOB_RUNNING ||
         job->rec.state == JOB_DOWNLOADING))
        resume = xstrdup(job->rec.provider_task_id);
    /*
     * The idempotency key of a run survives a restart (the provider may
     * have the task already); a new attempt gets a new one, since some
     * providers (Kling) refuse a key they have seen.
     */
    if (!(job->interrupted && same_key)) {
        record_set_str(&job->rec.idempotency_key, NULL);
        record_set_str(&job->rec.duplicate_risk, NULL);
    }
    record_set_str(&job->rec.provider_task_id, NULL);
    record_set_str(&job->rec.provider_status, NULL);
    stop_task(engine, job);
    job->interrupted = false;
    job->follows = false;
    free(job->waiting_rel);
    job->waiting_rel = NULL;
    record_what(job, source, plan);
    job->rec.attempts = attempts;
    job_set_state(job, JOB_QUEUED);
    job->progress_written = -1;

    leader = find_leader(engine, job, plan->key);
    if (leader) {
        job->follows = true;
        job->rec.message =
            xasprintf("the same image and request as %s/out/%s.mp4, "
                      "which is being made: it will be copied",
                      leader->dir_rel, leader->stem);
        write_record(engine, job);
        free(resume);
        return;
    }
    copy_from = resume ? NULL : find_copy_source(engine, job, &from_rel);
    if (copy_from)
        record_set_str(&job->rec.copied_from, from_rel);
    free(from_rel);
    start_task(engine, job, plan, copy_from, resume);
    free(resume);
    write_record(engine, job);
}

/* True when the job's record already says what the plan would write. */
static bool plan_is_no_news(const struct job *job,
                            const struct trigger_plan *plan)
{
    const struct record *rec = &job->rec;

    if (job->interrupted || job->follows || rec->state != plan->state)
        return false;
    if (plan->state == JOB_FAILED)
        return rec->error_message && plan->error_message &&
               strcmp(rec->error_message, plan->error_message) == 0;
    return rec->message && plan->message &&
           strcmp(rec->message, plan->message) == 0;
}

static void schedule(struct engine *engine, const char *dir_rel,
                     const char *source, bool from_scan)
{
    const struct catalog_model *model =
        catalog_find(engine->catalog, dir_rel, NULL);
    char *stem = names_stem(source);
    struct trigger_plan plan;
    const char *owner = NULL;
    struct job *job;

    if (!model)
        goto out_stem;
    job = job_load(&engine->jobs, dir_rel, stem);
    if (job)
        owner = job->rec.source ? job->rec.source : job->rec.image_name;
    trigger_plan(&engine->tctx, model, dir_rel, source, owner, &plan);
    if (plan.is_asset)
        goto out;
    if (plan.state == JOB_FAILED && plan.error_code &&
        strcmp(plan.error_code, "name_clash") == 0) {
        log_warn("%s/%s: %s", dir_rel, source, plan.error_message);
        write_clash(engine, model, dir_rel, source, &plan);
        goto out;
    }
    if (!job)
        job = job_create(&engine->jobs, dir_rel, stem);
    if (plan.state == JOB_QUEUED) {
        bool same_key = strcmp(job->rec.key, plan.key) == 0;
        enum job_state s = job->rec.state;

        /* The same request on the same bytes never runs twice. */
        if (same_key && !job->interrupted && !job->follows &&
            (s == JOB_SUCCEEDED || job_state_is_in_flight(s) ||
             (from_scan && s == JOB_FAILED)))
            goto out;
        if (job->interrupted)
            log_info("%s/%s: resuming the interrupted job", dir_rel, source);
        run_plan(engine, job, source, &plan);
        goto out;
    }
    if (plan_is_no_news(job, &plan))
        goto out;
    stop_task(engine, job);
    job->interrupted = false;
    job->follows = false;
    record_what(job, source, &plan);
    free(job->waiting_rel);
    job->waiting_rel = NULL;
    if (plan.state == JOB_WAITING) {
        record_set_str(&job->rec.message, plan.message);
        record_set_str(&job->rec.waiting_for, plan.waiting_for);
        if (plan.waiting_for)
            job->waiting_rel = xasprintf("%s/%s", dir_rel, plan.waiting_for);
        job_set_state(job, JOB_WAITING);
    } else {
        record_set_error(&job->rec, plan.error_code, plan.error_message);
        job_set_state(job, JOB_FAILED);
        log_info("%s/%s: %s", dir_rel, source, plan.error_message);
    }
    write_record(engine, job);
out:
    trigger_plan_release(&plan);
out_stem:
    free(stem);
}

void schedule_source(struct engine *engine, const char *dir_rel,
                     const char *source)
{
    schedule(engine, dir_rel, source, false);
}

void schedule_scanned(struct engine *engine, const char *dir_rel,
                      const char *source)
{
    schedule(engine, dir_rel, source, true);
}

/* Ids of the jobs matching a test, copied so the list may change after. */
struct id_list {
    uint64_t *ids;
    size_t n;
};

static void id_list_add(struct id_list *l, uint64_t id)
{
    l->ids = xrealloc(l->ids, (l->n + 1) * sizeof(*l->ids));
    l->ids[l->n++] = id;
}

/* Re-plans every job in ids that still exists, with its own source. */
static void reschedule(struct engine *engine, struct id_list *ids)
{
    for (size_t i = 0; i < ids->n; i++) {
        struct job *job = job_find_id(&engine->jobs, ids->ids[i]);
        char *dir, *source;

        if (!job || !job->rec.source)
            continue;
        dir = xstrdup(job->dir_rel);
        source = xstrdup(job->rec.source);
        schedule_source(engine, dir, source);
        free(dir);
        free(source);
    }
    free(ids->ids);
}

void schedule_wake(struct engine *engine, const char *relpath)
{
    struct id_list ids = { NULL, 0 };
    struct list *pos;

    list_for_each(pos, &engine->jobs.jobs) {
        struct job *job = list_entry(pos, struct job, link);

        if (job->rec.state == JOB_WAITING && job->waiting_rel &&
            strcmp(job->waiting_rel, relpath) == 0)
            id_list_add(&ids, job->id);
    }
    reschedule(engine, &ids);
}

/* Re-plans the jobs that waited for the job key: copy it, or render. */
static void wake_followers(struct engine *engine, const char *key)
{
    struct id_list ids = { NULL, 0 };
    struct list *pos;

    list_for_each(pos, &engine->jobs.jobs) {
        struct job *job = list_entry(pos, struct job, link);

        if (job->follows && strcmp(job->rec.key, key) == 0)
            id_list_add(&ids, job->id);
    }
    reschedule(engine, &ids);
}

void schedule_source_gone(struct engine *engine, const char *dir_rel,
                          const char *source)
{
    char *stem = names_stem(source);
    struct job *job = job_find(&engine->jobs, dir_rel, stem);

    free(stem);
    if (!job || !job->rec.source || strcmp(job->rec.source, source) != 0)
        return;
    if (!job_state_is_in_flight(job->rec.state) &&
        job->rec.state != JOB_WAITING)
        return;
    /* The provider stops working on it too, when it can. */
    cloud_stop(engine->cloud, job->id, true);
    stop_task(engine, job);
    job->follows = false;
    job->interrupted = false;
    free(job->waiting_rel);
    job->waiting_rel = NULL;
    record_set_str(&job->rec.message, NULL);
    job->rec.message = xasprintf(
        "%s was deleted or moved away before its video was made", source);
    job->rec.progress = -1;
    job_set_state(job, JOB_CANCELED);
    write_record(engine, job);
}

/* Stops and forgets job; with forget_key, its key may run again. */
static void drop_job(struct engine *engine, struct job *job, bool forget_key)
{
    char *key = xstrdup(job->rec.key);
    char *prefix = job_out_rel(job, "");

    cloud_stop(engine->cloud, job->id, true);
    stop_task(engine, job);
    if (forget_key && key[0]) {
        int rc = keys_forget(engine->store_root, key, prefix);

        if (rc < 0)
            log_warn("cannot forget the key of %s: %s", prefix, strerror(-rc));
    }
    job_forget(&engine->jobs, job);
    /* Jobs that waited on it render themselves now. */
    if (key[0])
        wake_followers(engine, key);
    free(prefix);
    free(key);
}

void schedule_record_gone(struct engine *engine, const char *dir_rel,
                          const char *stem)
{
    struct job *job = job_find(&engine->jobs, dir_rel, stem);

    if (job)
        drop_job(engine, job, true);
}

void schedule_folder_gone(struct engine *engine, const char *dir_rel,
                          bool below)
{
    size_t len = strlen(dir_rel);
    struct list *pos;
    struct id_list ids = { NULL, 0 };

    list_for_each(pos, &engine->jobs.jobs) {
        struct job *job = list_entry(pos, struct job, link);

        if (strncmp(job->dir_rel, dir_rel, len) == 0 &&
            (job->dir_rel[len] == '\0' || (below && job->dir_rel[len] == '/')))
            id_list_add(&ids, job->id);
    }
    for (size_t i = 0; i < ids.n; i++) {
        struct job *job = job_find_id(&engine->jobs, ids.ids[i]);

        if (job)
            drop_job(engine, job, true);
    }
    free(ids.ids);
}

void schedule_progress_cb(void *arg, uint64_t job_id, uint64_t run, int percent)
{
    struct engine *engine = arg;
    struct job *job = job_find_id(&engine->jobs, job_id);
    uint64_t now = loop_now_ms();

    if (!job || job->run != run || !job->task_active)
        return;
    job->rec.progress = percent;
    if (job->rec.state == JOB_QUEUED) {
        job_set_state(job, JOB_RUNNING);
    } else if (percent - job->progress_written < PROGRESS_WRITE_PCT &&
               now - job->progress_ms < PROGRESS_WRITE_MS) {
        return;
    }
    job->progress_written = percent;
    job->progress_ms = now;
    write_record(engine, job);
}

/* A short token for why a task failed, for the record's error.code. */
static const char *failure_code(const struct worker_task *task)
{
    if (task->stage == WORKER_STAGE_PROBE)
        return "invalid_output";
    if (task->kind == WORKER_COPY)
        return "copy_failed";
    if (task->err && strstr(task->err, "not an image"))
        return "unreadable_image";
    if (task->rc == -ENOENT)
        return "missing_asset";
    return "render_failed";
}

static void task_succeeded(struct engine *engine, struct job *job,
                           struct worker_task *task)
{
    struct record_output *o = &job->rec.output;
    char *mp4 = job_out_rel(job, ".mp4"), *prefix = job_out_rel(job, "");
    int rc;

    /* The video first: the record that says succeeded follows it. */
    publisher_submit(engine->publisher, names_base(task->out_path), mp4);
    record_set_str(&o->file, NULL);
    memset(o, 0, sizeof(*o));
    o->file = xasprintf("%s.mp4", job->stem);
    o->bytes = task->info.bytes;
    memcpy(o->sha256, task->sha256, sizeof(o->sha256));
    o->duration_s = task->info.duration_s;
    o->width = task->info.width;
    o->height = task->info.height;
    o->fps = task->info.fps;
    memcpy(o->codec, task->info.codec, sizeof(o->codec));
    memcpy(o->profile, task->info.profile, sizeof(o->profile));
    memcpy(o->pix_fmt, task->info.pix_fmt, sizeof(o->pix_fmt));
    o->frames = task->info.frames;
    job->rec.has_output = true;
    job->rec.progress = 100;
    if (!job->rec.started_at)
        job->rec.started_at = time(NULL);
    job_set_state(job, JOB_SUCCEEDED);
    write_record(engine, job);
    rc = keys_store(engine->store_root, job->rec.key, prefix);
    if (rc < 0)
        log_warn("cannot index the result %s: %s", prefix, strerror(-rc));
    log_info("%s: done", mp4);
    free(prefix);
    free(mp4);
}

void schedule_cloud_failed(struct engine *engine, struct job *job,
                           const char *code, const char *message)
{
    char *key = xstrdup(job->rec.key);

    job->task_active = false;
    record_set_error(&job->rec, code, message);
    job_set_state(job, JOB_FAILED);
    write_record(engine, job);
    wake_followers(engine, key);
    free(key);
}

void schedule_task_done_cb(void *arg, struct worker_task *task)
{
    struct engine *engine = arg;
    struct job *job = job_find_id(&engine->jobs, task->job_id);
    char *key;

    if (!job || job->run != task->run || atomic_load(&engine->stopping)) {
        /* Stale or shutting down: the record stays as it is. */
        if (task->rc == 0)
            (void)unlink(task->out_path); /* best effort: cleared at start */
        goto out;
    }
    /* A cloud video that does not play is downloaded again. */
    if (cloud_worker_done(engine->cloud, job, task))
        goto out;
    job->task_active = false;
    if (task->rc == -ECANCELED)
        goto out;
    key = xstrdup(job->rec.key);
    if (task->rc == 0) {
        task_succeeded(engine, job, task);
    } else {
        char *msg =
            task->err ? xstrdup(task->err)
                      : xasprintf("the render failed: %s", strerror(-task->rc));

        record_set_error(&job->rec, failure_code(task), msg);
        job_set_state(job, JOB_FAILED);
        log_warn("%s/%s: %s", job->dir_rel, job->rec.source, msg);
        free(msg);
        write_record(engine, job);
    }
    /* Jobs with the same key copy this result, or render if it failed. */
    wake_followers(engine, key);
    free(key);
out:
    worker_task_free(task);
}
