/*
 * The cloud path's front (see cloud.h): starting a job's run, the queue
 * behind each provider's concurrency limit, stopping, failing, and the
 * hand-off to the worker that probes and publishes the video.
 */
#include "jobs/cloud_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "core/fsutil.h"
#include "core/http.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "jobs/publish.h"
#include "jobs/submits.h"

int cloud_new(struct engine *engine, const struct config *config,
              struct cloud **out)
{
    struct cloud *c = xcalloc(1, sizeof(*c));
    int rc = http_new(engine->loop, &c->http);

    if (rc < 0) {
        free(c);
        return rc;
    }
    c->engine = engine;
    c->config = config;
    c->policy.max_attempts = 5;
    send_policy_from_env(&c->policy);
    list_init(&c->tasks);
    list_init(&c->waiting);
    *out = c;
    return 0;
}

void cloud_free(struct cloud *c)
{
    struct list *pos, *tmp;

    if (!c)
        return;
    list_for_each_safe(pos, tmp, &c->tasks) {
        cloud_task_free(list_entry(pos, struct cloud_task, link));
    }
    if (c->admit_timer)
        loop_timer_cancel(c->engine->loop, c->admit_timer);
    http_free(c->http);
    free(c);
}

static struct cloud_task *task_find(struct cloud *c, uint64_t job_id)
{
    struct list *pos;

    list_for_each(pos, &c->tasks) {
        struct cloud_task *t = list_entry(pos, struct cloud_task, link);

        if (t->job_id == job_id)
            return t;
    }
    return NULL;
}

struct job *cloud_job(struct cloud_task *t)
{
    struct job *job = job_find_id(&t->cloud->engine->jobs, t->job_id);

    return job && job->run == t->run ? job : NULL;
}

void cloud_write(struct cloud_task *t, struct job *job)
{
    /* Logged inside; the next state change writes again. */
    (void)job_write(&t->cloud->engine->jobs, job);
}

static void admit_cb(struct loop *loop, void *arg);

void cloud_task_free(struct cloud_task *t)
{
    struct cloud *c = t->cloud;
    bool held = t->holds_slot;

    send_cancel(t->send);
    if (t->timer)
        loop_timer_cancel(c->engine->loop, t->timer);
    list_remove(&t->link);
    if (t->phase == CLOUD_WAIT)
        list_remove(&t->wait_link);
    if (t->download_path)
        (void)unlink(t->download_path); /* best effort: cleared at start */
    /* A run that ended (not one stopped by a shutdown) needs no mark. */
    if (!atomic_load(&c->engine->stopping))
        submits_clear(c->engine->store_root, t->job_key);
    free(t->job_key);
    free(t->model_id);
    cJSON_Delete(t->request);
    image_list_release(&t->images);
    free(t->idempotency_key);
    free(t->task_id);
    free(t->video_url);
    free(t->video_base64);
    free(t->download_path);
    free(t);
    /* From the loop: the caller may be in the middle of a job's change. */
    if (held && !atomic_load(&c->engine->stopping) && !c->admit_timer)
        c->admit_timer = loop_timer_add(c->engine->loop, 0, admit_cb, c);
}

void cloud_fail(struct cloud_task *t, const char *code, const char *message)
{
    struct job *job = cloud_job(t);
    struct engine *engine = t->cloud->engine;

    if (job)
        log_warn("%s/%s: %s", job->dir_rel, job->rec.source, message);
    cloud_task_free(t);
    if (job)
        schedule_cloud_failed(engine, job, code, message);
}

void cloud_provider_job(struct cloud_task *t, struct provider_job *pj)
{
    memset(pj, 0, sizeof(*pj));
    pj->model_id = t->model_id;
    pj->request = t->request;
    pj->images = images_view(&t->images);
    pj->image_count = t->images.count;
    pj->idempotency_key = t->idempotency_key;
    pj->task_id = t->task_id;
    pj->config = t->pconfig;
    pj->now = time(NULL);
}

int cloud_send(struct cloud_task *t, struct provider_http *req,
               const struct send_options *opts, send_done_cb done)
{
    struct cloud *c = t->cloud;

    send_cancel(t->send);
    t->send = NULL;
    return send_start(c->http, c->engine->loop, &c->policy, req, opts, done, t,
                      &t->send);
}

/* Starts the work of a task that got its provider slot. */
static void begin(struct cloud_task *t)
{
    struct job *job = cloud_job(t);

    if (!job) {
        cloud_task_free(t);
        return;
    }
    if (t->task_id) {
        log_info("%s/%s: resuming task %s at %s", job->dir_rel, job->rec.source,
                 t->task_id, t->provider->name);
        t->deadline_ms = loop_now_ms() + t->poll_timeout_ms;
        cloud_step_poll_later(t, 0);
    } else if (images_need_upload(&t->images)) {
        job_set_state(job, JOB_UPLOADING);
        cloud_write(t, job);
        cloud_step_upload(t);
    } else {
        cloud_step_submit(t);
    }
}

/* A queued task whose provider has a free slot, oldest first; or NULL. */
static struct cloud_task *admissible(struct cloud *c)
{
    struct list *pos;

    list_for_each(pos, &c->waiting) {
        struct cloud_task *t = list_entry(pos, struct cloud_task, wait_link);
        unsigned limit = config_concurrency(c->config, t->provider->name);
        unsigned busy = 0;
        struct list *p2;

        list_for_each(p2, &c->tasks) {
            struct cloud_task *o = list_entry(p2, struct cloud_task, link);

            if (o->holds_slot && o->provider == t->provider)
                busy++;
        }
        if (busy < limit)
            return t;
    }
    return NULL;
}

void cloud_admit(struct cloud *c)
{
    struct cloud_task *t;

    /* One at a time: starting a task may change the queue. */
    while ((t = admissible(c))) {
        list_remove(&t->wait_link);
        t->holds_slot = true;
        t->phase = CLOUD_UPLOAD;
        begin(t);
    }
}

static void admit_cb(struct loop *loop, void *arg)
{
    struct cloud *c = arg;

    (void)loop;
    c->admit_timer = 0;
    cloud_admit(c);
}

/* The environment names of provider name's keys, for messages. */
static const char *key_names(const char *name)
{
    if (strcmp(name, "gateway") == 0)
        return "AI_GATEWAY_API_KEY";
    if (strcmp(name, "kling") == 0)
        return "KLINGAI_API_KEY, or KLINGAI_ACCESS_KEY and "
               "KLINGAI_SECRET_KEY";
    if (strcmp(name, "krea") == 0)
        return "KREA_API_KEY";
    if (strcmp(name, "blob") == 0)
        return "BLOB_READ_WRITE_TOKEN";
    return NULL;
}

/* A message saying what to set when pc lacks the keys name needs. */
static char *missing_key(const char *name, const char *model,
                         const struct provider_config *pc)
{
    const char *vars = key_names(name);
    bool has = pc && (pc->api_key || (strcmp(name, "kling") == 0 &&
                                      pc->access_key && pc->secret_key));

    if (has)
        return NULL;
    return xasprintf("%s needs a %s key: set %s in the environment of i2vfs "
                     "(or \"%s\" in its config file), then write the "
                     "request again",
                     model, name, vars ? vars : "its API key", name);
}

/* The number member key of any providerOptions.<vendor>, or fallback. */
static uint64_t vendor_ms(const cJSON *request, const char *key,
                          uint64_t fallback)
{
    const cJSON *po =
        cJSON_GetObjectItemCaseSensitive(request, "providerOptions");
    const cJSON *v;

    cJSON_ArrayForEach(v, po)
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(v, key);

        if (cJSON_IsNumber(n) && n->valuedouble >= 1 && n->valuedouble < 1e12)
            return (uint64_t)n->valuedouble;
    }
    return fallback;
}

/*
 * "i2vfs_" and 32 hex digits: random, or from the job key when the system
 * has no randomness to give.
 */
static char *new_idempotency_key(const char *job_key)
{
    unsigned char bytes[16];
    char hex[33];

    if (RAND_bytes(bytes, sizeof(bytes)) != 1)
        return xasprintf("i2vfs_%.32s", job_key);
    for (size_t i = 0; i < sizeof(bytes); i++)
        snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
    return xasprintf("i2vfs_%s", hex);
}

static void fail_now(struct job *job, const char *code, const char *msg)
{
    record_set_error(&job->rec, code, msg);
    job_set_state(job, JOB_FAILED);
    job->task_active = false;
    log_warn("%s/%s: %s", job->dir_rel, job->rec.source, msg);
}

void cloud_start(struct cloud *c, struct job *job,
                 const struct trigger_plan *plan, const char *resume_task_id)
{
    const char *pname = catalog_model_provider(job->model);
    const struct provider *p = provider_find(pname);
    const struct provider_config *pc =
        c->config ? config_provider(c->config, pname) : NULL;
    char *msg = missing_key(pname, catalog_model_folder(job->model), pc);
    struct engine *engine = c->engine;
    struct images_input in = { 0 };
    struct cloud_task *t;
    const char *code = NULL;
    char *dir_abs, *inline_dir, *sent_key = NULL;
    bool was_sent;
    int rc;

    cloud_stop(c, job->id, false);
    if (msg) {
        fail_now(job, "missing_key", msg);
        free(msg);
        return;
    }
    t = xcalloc(1, sizeof(*t));
    t->cloud = c;
    t->job_id = job->id;
    t->run = job->run;
    t->provider = p;
    t->pconfig = pc;
    t->model_id = xstrdup(catalog_model_id(job->model));
    t->request = cJSON_Duplicate(plan->request, true);
    t->poll_interval_ms = vendor_ms(plan->request, "pollIntervalMs",
                                    config_poll_interval_ms(c->config));
    t->poll_timeout_ms = vendor_ms(plan->request, "pollTimeoutMs",
                                   config_poll_timeout_ms(c->config));
    list_append(&c->tasks, &t->link);
    list_init(&t->wait_link);

    /*
     * One key per run, kept in the record, sent with every submit; or the
     * key of a submit sent by a daemon killed before its record was out.
     */
    t->job_key = xstrdup(job->rec.key);
    was_sent = submits_find(engine->store_root, t->job_key, &sent_key) == 0;
    if (!job->rec.idempotency_key && was_sent) {
        job->rec.idempotency_key = sent_key;
        sent_key = NULL;
    }
    free(sent_key);
    if (!job->rec.idempotency_key)
        job->rec.idempotency_key = new_idempotency_key(job->rec.key);
    t->idempotency_key = xstrdup(job->rec.idempotency_key);

    dir_abs = fsutil_join(engine->store_root, job->dir_rel);
    inline_dir =
        xasprintf("%s/%s/inline", engine->store_root, PUBLISH_PRIVATE_DIR);
    in.model = job->model;
    in.request = plan->request;
    in.dir_abs = dir_abs;
    in.inline_dir = inline_dir;
    if (plan->image_path)
        in.first_path = plan->image_path;
    else if (plan->image_name)
        in.first_url = plan->image_name;
    rc = images_resolve(&in, &t->images, &code, &msg);
    free(dir_abs);
    free(inline_dir);
    if (rc < 0) {
        fail_now(job, code ? code : "invalid_image", msg);
        free(msg);
        cloud_task_free(t);
        return;
    }
    if (!resume_task_id && images_need_upload(&t->images) && p->uploader) {
        const struct provider_config *up =
            c->config ? config_provider(c->config, p->uploader) : NULL;

        if (strcmp(p->uploader, "blob") == 0 && (!up || !up->api_key)) {
            fail_now(job, "missing_key",
                     "local images for this model must be uploaded to "
                     "Vercel Blob first: set BLOB_READ_WRITE_TOKEN, or give "
                     "the image as an https URL");
            cloud_task_free(t);
            return;
        }
    }
    if (resume_task_id) {
        t->task_id = xstrdup(resume_task_id);
        record_set_str(&job->rec.provider_task_id, resume_task_id);
    }
    if (!resume_task_id && !(p->caps & PROVIDER_CAP_IDEMPOTENT) &&
        !job->rec.duplicate_risk && was_sent) {
        job->rec.duplicate_risk = xasprintf(
            "the daemon stopped between submitting and hearing back; %s has "
            "no way to find that task, so it may have been submitted twice",
            p->name);
        log_warn("%s/%s: %s", job->dir_rel, job->rec.source,
                 job->rec.duplicate_risk);
    }
    job->task_active = true;
    t->phase = CLOUD_WAIT;
    list_append(&c->waiting, &t->wait_link);
    /* Admitted from the loop, after the caller wrote the queued record. */
    if (!c->admit_timer)
        c->admit_timer = loop_timer_add(engine->loop, 0, admit_cb, c);
}

void cloud_stop(struct cloud *c, uint64_t job_id, bool tell_provider)
{
    struct cloud_task *t = c ? task_find(c, job_id) : NULL;
    struct provider_http req = { 0 };
    struct provider_job pj;
    char *err = NULL;

    if (!t)
        return;
    if (tell_provider && t->task_id &&
        (t->provider->caps & PROVIDER_CAP_CANCEL)) {
        cloud_provider_job(t, &pj);
        if (provider_build_cancel(t->provider, &pj, &req, &err) == 0) {
            struct send *s = NULL;
            struct send_policy once = { .max_attempts = 1 };

            /* Best effort: the reply changes nothing here. */
            if (send_start(c->http, c->engine->loop, &once, &req, NULL, NULL,
                           NULL, &s) < 0)
                log_info("cannot cancel task %s", t->task_id);
        }
        provider_http_release(&req);
        free(err);
    }
    cloud_task_free(t);
}

bool cloud_worker_done(struct cloud *c, struct job *job,
                       struct worker_task *task)
{
    struct cloud_task *t = c ? task_find(c, job->id) : NULL;

    if (!t || t->run != task->run || t->phase != CLOUD_PROBE)
        return false;
    if (task->rc < 0 && task->rc != -ECANCELED &&
        task->stage == WORKER_STAGE_PROBE) {
        const char *why = task->err ? task->err : "it cannot be read";
        const char *base = strrchr(task->out_path, '/');
        char *msg;

        /* "job-1-2-3.mp4 is …" names a staging file nobody sees. */
        base = base ? base + 1 : task->out_path;
        if (strncmp(why, base, strlen(base)) == 0)
            msg = xasprintf("the provider's video is not a playable MP4: "
                            "the file%s",
                            why + strlen(base));
        else
            msg = xasprintf("the provider's video is not a playable MP4: %s",
                            why);

        if (t->download_tries < CLOUD_DOWNLOAD_TRIES) {
            log_warn("%s/%s: %s; downloading it again", job->dir_rel,
                     job->rec.source, msg);
            free(msg);
            cloud_step_download(t);
            return true;
        }
        free(task->err);
        task->err = msg;
    }
    cloud_task_free(t);
    return false;
}
