/*
 * The result into staging (see cloud_impl.h): a video URL is fetched with
 * a size cap, following http(s) redirects only; inline base64 is decoded.
 * Then a worker probes the file, hashes it and publishes it like a local
 * render (WORKER_COPY from the download to the staging name of the video).
 */
#include "jobs/cloud_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/log.h"
#include "core/mem.h"

/* Hands the downloaded file to a worker to probe, hash and stage it. */
static void probe(struct cloud_task *t, struct job *job)
{
    struct engine *engine = t->cloud->engine;
    struct worker_task *task = worker_task_new();
    bool held = t->holds_slot;
    char *name;

    task->job_id = job->id;
    task->run = job->run;
    task->kind = WORKER_COPY;
    task->copy_from = xstrdup(t->download_path);
    task->asset_dir = fsutil_join(engine->store_root, job->dir_rel);
    name = job_staging_name(&engine->jobs, job, ".mp4");
    task->out_path =
        fsutil_join(publisher_staging_dir(engine->publisher), name);
    free(name);
    t->phase = CLOUD_PROBE;
    /* The provider's part is done: the next queued job may start. */
    t->holds_slot = false;
    worker_submit(engine->pool, task);
    if (held)
        cloud_admit(t->cloud);
}

static void fetched(void *arg, const struct send_result *r)
{
    struct cloud_task *t = arg;
    struct job *job = cloud_job(t);
    char *msg = NULL;

    t->send = NULL;
    if (!job) {
        cloud_task_free(t);
        return;
    }
    if (r->error == -EFBIG)
        msg = xasprintf("the provider's video is larger than %llu MiB",
                        CLOUD_MAX_VIDEO_BYTES >> 20);
    else if (r->error)
        msg = xasprintf("cannot download the video after %u attempts: %s",
                        r->attempts, r->error_text);
    else if (r->status < 200 || r->status > 299)
        msg = xasprintf("cannot download the video: HTTP %ld", r->status);
    if (msg) {
        cloud_fail(t, "download_failed", msg);
        free(msg);
        return;
    }
    probe(t, job);
}

/* Decodes t->video_base64 into the download file. */
static int decode(struct cloud_task *t, char **err)
{
    const char *text = t->video_base64;
    const char *comma = strncmp(text, "data:", 5) == 0 ? strchr(text, ',') : 0;
    unsigned char *bytes = NULL;
    size_t size = 0;
    int rc;

    if (images_base64_decode(comma ? comma + 1 : text, &bytes, &size) < 0) {
        *err = xstrdup("the provider's inline video is not valid base64");
        return -EINVAL;
    }
    rc = fsutil_write_atomic(t->download_path, bytes, size);
    free(bytes);
    if (rc < 0)
        *err = xasprintf("cannot keep the video: %s", strerror(-rc));
    return rc;
}

static bool is_http(const char *url)
{
    return strncasecmp(url, "https://", 8) == 0 ||
           strncasecmp(url, "http://", 7) == 0;
}

void cloud_step_download(struct cloud_task *t)
{
    struct engine *engine = t->cloud->engine;
    struct job *job = cloud_job(t);
    char *name, *err = NULL;
    int rc;

    if (!job) {
        cloud_task_free(t);
        return;
    }
    t->phase = CLOUD_DOWNLOAD;
    t->download_tries++;
    if (!t->download_path) {
        name = job_staging_name(&engine->jobs, job, ".download");
        t->download_path =
            fsutil_join(publisher_staging_dir(engine->publisher), name);
        free(name);
    }
    if (job->rec.state != JOB_DOWNLOADING) {
        job_set_state(job, JOB_DOWNLOADING);
        cloud_write(t, job);
    }
    if (t->video_base64) {
        rc = decode(t, &err);
        if (rc < 0) {
            cloud_fail(t, "bad_reply", err);
            free(err);
            return;
        }
        probe(t, job);
        return;
    }
    if (!is_http(t->video_url)) {
        cloud_fail(t, "bad_reply",
                   "the provider's video URL is not an http(s) URL");
        return;
    }
    {
        struct provider_http req = { .method = "GET" };
        struct send_options opts = {
            .download_path = t->download_path,
            .max_response_bytes = CLOUD_MAX_VIDEO_BYTES,
            .is_following_redirects = true,
        };

        /* A plain GET: no provider credentials travel with it. */
        req.url = xstrdup(t->video_url);
        rc = cloud_send(t, &req, &opts, fetched);
        provider_http_release(&req);
    }
    if (rc < 0) {
        char *msg = xasprintf("cannot download the video: %s", strerror(-rc));

        cloud_fail(t, "download_failed", msg);
        free(msg);
    }
}
