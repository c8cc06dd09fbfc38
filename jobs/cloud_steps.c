/*
 * The cloud path's exchanges (see cloud_impl.h): uploads of local images
 * (through the upload cache), the submit, and the polls until the provider
 * is done.
 */
#include "jobs/cloud_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "jobs/submits.h"
#include "jobs/uploads.h"

/* The reply as the provider hooks read it. */
static void reply_of(const struct send_result *r, struct provider_reply *out)
{
    out->status = r->status;
    out->body = r->body;
    out->body_size = r->body_size;
}

/* Fails t for an exchange that got no reply at all. */
static void fail_unreachable(struct cloud_task *t, const char *what,
                             const struct send_result *r)
{
    char *msg =
        xasprintf("cannot reach %s to %s after %u attempts: %s",
                  t->provider->name, what, r->attempts,
                  r->error_text && r->error_text[0] ? r->error_text
                                                    : strerror(-r->error));

    cloud_fail(t, "network", msg);
    free(msg);
}

/* Fails t with what a parse hook reported. */
static void fail_status(struct cloud_task *t, const struct provider_status *st,
                        const char *fallback_code)
{
    cloud_fail(t, st->error_code ? st->error_code : fallback_code,
               st->error ? st->error : "the provider refused the job");
}

/* The first image still to upload, or NULL. */
static struct image_item *next_upload(struct cloud_task *t)
{
    for (size_t i = 0; i < t->images.count; i++) {
        if (t->images.items[i].upload_path)
            return &t->images.items[i];
    }
    return NULL;
}

static const struct provider *uploader_of(struct cloud_task *t)
{
    return t->provider->uploader ? provider_find(t->provider->uploader) : NULL;
}

static void upload_done(void *arg, const struct send_result *r)
{
    struct cloud_task *t = arg;
    const struct provider *up = uploader_of(t);
    struct image_item *it = next_upload(t);
    struct provider_reply reply;
    char *url = NULL, *err = NULL;
    int rc;

    t->send = NULL;
    if (r->error) {
        fail_unreachable(t, "upload an image", r);
        return;
    }
    reply_of(r, &reply);
    rc = provider_parse_upload(up, &reply, &url, &err);
    if (rc < 0) {
        char *msg = xasprintf("uploading %s failed: %s", it->path,
                              err ? err : strerror(-rc));

        cloud_fail(t, "upload_failed", msg);
        free(msg);
        free(err);
        return;
    }
    rc = uploads_store(t->cloud->engine->store_root, up->name, it->sha256, url);
    if (rc < 0)
        log_warn("cannot remember the upload of %s: %s", it->path,
                 strerror(-rc));
    images_set_url(it, url);
    free(url);
    cloud_step_upload(t);
}

void cloud_step_upload(struct cloud_task *t)
{
    struct image_item *it = next_upload(t);
    const struct provider *up = uploader_of(t);
    const char *store = t->cloud->engine->store_root;
    const struct provider_config *upc;
    struct provider_http req = { 0 };
    char *url = NULL, *err = NULL;
    int rc;

    t->phase = CLOUD_UPLOAD;
    while (it && up && uploads_lookup(store, up->name, it->sha256, &url) == 0) {
        images_set_url(it, url);
        free(url);
        url = NULL;
        it = next_upload(t);
    }
    if (!it) {
        cloud_step_submit(t);
        return;
    }
    if (!up) {
        cloud_fail(t, "unsupported_image",
                   "this model takes image URLs only and its provider has no "
                   "way to host a local image: give the image as an https "
                   "URL");
        return;
    }
    upc = config_provider(t->cloud->config, up->name);
    rc = provider_build_upload(up, upc, it->upload_path, it->sha256, it->mime,
                               &req, &err);
    if (rc == 0)
        rc = cloud_send(t, &req, NULL, upload_done);
    provider_http_release(&req);
    if (rc < 0) {
        char *msg = xasprintf("cannot upload %s: %s", it->path,
                              err ? err : strerror(-rc));

        cloud_fail(t, rc == -ENOKEY ? "missing_key" : "upload_failed", msg);
        free(msg);
    }
    free(err);
}

/*
 * True when the provider refused an expired per-request token and the
 * request has not been resent with a fresh one yet; marks it resent. A
 * second refusal fails the job with the provider's message.
 */
static bool is_refreshable(struct cloud_task *t,
                           const struct provider_status *st)
{
    if (st->state != PROVIDER_TASK_FAILED || !st->is_token_expired ||
        t->is_token_refreshed)
        return false;
    t->is_token_refreshed = true;
    log_info("%s: the token expired; signing a fresh one", t->provider->name);
    return true;
}

static void submit_done(void *arg, const struct send_result *r)
{
    struct cloud_task *t = arg;
    struct provider_status st = { .progress = -1 };
    struct provider_reply reply;
    struct provider_job pj;
    struct job *job;
    int rc;

    t->send = NULL;
    if (r->error) {
        fail_unreachable(t, "submit the job", r);
        return;
    }
    reply_of(r, &reply);
    cloud_provider_job(t, &pj);
    rc = provider_parse_submit(t->provider, &pj, &reply, &st);
    if (rc == 0 && is_refreshable(t, &st)) {
        provider_status_release(&st);
        cloud_step_submit(t); /* signs a fresh token */
        return;
    }
    t->is_token_refreshed = false;
    if (rc < 0 || st.state == PROVIDER_TASK_FAILED || !st.task_id) {
        if (!st.error)
            st.error = xasprintf("the provider's reply to the submit (HTTP "
                                 "%ld) has no task id",
                                 r->status);
        fail_status(t, &st, rc < 0 ? "bad_reply" : "provider_refused");
        provider_status_release(&st);
        return;
    }
    job = cloud_job(t);
    if (!job) {
        provider_status_release(&st);
        cloud_task_free(t);
        return;
    }
    t->task_id = xstrdup(st.task_id);
    record_set_str(&job->rec.provider_task_id, st.task_id);
    record_set_str(&job->rec.provider_status,
                   st.raw_status[0] ? st.raw_status : "submitted");
    job_set_state(job, JOB_SUBMITTED);
    if (!job->rec.started_at)
        job->rec.started_at = time(NULL);
    cloud_write(t, job);
    log_info("%s/%s: submitted to %s as task %s", job->dir_rel, job->rec.source,
             t->provider->name, st.task_id);
    provider_status_release(&st);
    t->deadline_ms = loop_now_ms() + t->poll_timeout_ms;
    cloud_step_poll_later(t, t->poll_interval_ms);
}

/*
 * Before a submit leaves, a mark that outlives a crash names its
 * idempotency key: the record that holds the key may not be published yet.
 */
static void mark_submit(struct cloud_task *t)
{
    int rc = submits_mark(t->cloud->engine->store_root, t->job_key,
                          t->idempotency_key);

    if (rc < 0)
        log_warn("cannot mark the submit of %s: %s", t->idempotency_key,
                 strerror(-rc));
}

void cloud_step_submit(struct cloud_task *t)
{
    struct provider_http req = { 0 };
    struct provider_job pj;
    char *err = NULL;
    int rc;

    t->phase = CLOUD_SUBMIT;
    cloud_provider_job(t, &pj);
    rc = provider_build_submit(t->provider, &pj, &req, &err);
    if (rc == 0)
        mark_submit(t);
    if (rc == 0)
        rc = cloud_send(t, &req, NULL, submit_done);
    provider_http_release(&req);
    if (rc < 0) {
        char *msg = err ? xstrdup(err)
                        : xasprintf("cannot submit the job: %s", strerror(-rc));

        cloud_fail(t,
                   rc == -ENOKEY   ? "missing_key"
                   : rc == -EINVAL ? "invalid_request"
                                   : "submit_failed",
                   msg);
        free(msg);
    }
    free(err);
}

/* Records a pending status: running, the raw status and the progress. */
static void note_pending(struct cloud_task *t, struct job *job,
                         const struct provider_status *st)
{
    bool changed = job->rec.state != JOB_RUNNING;

    if (st->raw_status[0] &&
        (!job->rec.provider_status ||
         strcmp(job->rec.provider_status, st->raw_status) != 0)) {
        record_set_str(&job->rec.provider_status, st->raw_status);
        changed = true;
    }
    if (st->progress >= 0 && st->progress != job->rec.progress) {
        job->rec.progress = st->progress > 100 ? 100 : st->progress;
        changed = true;
    }
    if (job->rec.state != JOB_RUNNING)
        job_set_state(job, JOB_RUNNING);
    if (changed)
        cloud_write(t, job);
}

static void poll_done(void *arg, const struct send_result *r)
{
    struct cloud_task *t = arg;
    struct provider_status st = { .progress = -1 };
    struct provider_reply reply;
    struct provider_job pj;
    struct job *job = cloud_job(t);
    int rc;

    t->send = NULL;
    if (!job) {
        cloud_task_free(t);
        return;
    }
    if (r->error) {
        fail_unreachable(t, "ask about the task", r);
        return;
    }
    reply_of(r, &reply);
    cloud_provider_job(t, &pj);
    rc = provider_parse_poll(t->provider, &pj, &reply, &st);
    if (rc == 0 && is_refreshable(t, &st)) {
        provider_status_release(&st);
        cloud_step_poll_later(t, 0); /* signs a fresh token */
        return;
    }
    t->is_token_refreshed = false;
    if (rc < 0 || st.state == PROVIDER_TASK_FAILED) {
        if (st.raw_status[0])
            record_set_str(&job->rec.provider_status, st.raw_status);
        if (!st.error)
            st.error = xasprintf("the provider's status reply (HTTP %ld) "
                                 "could not be read",
                                 r->status);
        fail_status(t, &st, rc < 0 ? "bad_reply" : "task_failed");
    } else if (st.state == PROVIDER_TASK_SUCCEEDED) {
        if (st.raw_status[0])
            record_set_str(&job->rec.provider_status, st.raw_status);
        free(t->video_url);
        free(t->video_base64);
        t->video_url = st.video_url;
        t->video_base64 = st.video_base64;
        st.video_url = st.video_base64 = NULL;
        if (!t->video_url && !t->video_base64)
            cloud_fail(t, "bad_reply",
                       "the provider says the task succeeded but gives no "
                       "video");
        else
            cloud_step_download(t);
    } else if (loop_now_ms() >= t->deadline_ms) {
        char *msg = xasprintf("the provider did not finish within %llu s "
                              "(pollTimeoutMs); its last status was \"%s\"",
                              (unsigned long long)(t->poll_timeout_ms / 1000),
                              st.raw_status[0] ? st.raw_status : "unknown");

        cloud_fail(t, "timeout", msg);
        free(msg);
    } else {
        note_pending(t, job, &st);
        cloud_step_poll_later(t, t->poll_interval_ms);
    }
    provider_status_release(&st);
}

static void poll_cb(struct loop *loop, void *arg)
{
    struct cloud_task *t = arg;
    struct provider_http req = { 0 };
    struct provider_job pj;
    char *err = NULL;
    int rc;

    (void)loop;
    t->timer = 0;
    cloud_provider_job(t, &pj);
    rc = provider_build_poll(t->provider, &pj, &req, &err);
    if (rc == 0)
        rc = cloud_send(t, &req, NULL, poll_done);
    provider_http_release(&req);
    if (rc < 0) {
        char *msg =
            err ? xstrdup(err)
                : xasprintf("cannot ask about the task: %s", strerror(-rc));

        cloud_fail(t, rc == -ENOKEY ? "missing_key" : "poll_failed", msg);
        free(msg);
    }
    free(err);
}

void cloud_step_poll_later(struct cloud_task *t, uint64_t delay_ms)
{
    t->phase = CLOUD_POLL;
    if (t->timer)
        loop_timer_cancel(t->cloud->engine->loop, t->timer);
    t->timer = loop_timer_add(t->cloud->engine->loop, delay_ms, poll_cb, t);
}
