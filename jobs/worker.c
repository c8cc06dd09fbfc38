/*
 * Render worker threads (see worker.h). One lock guards the queue, the
 * running list and the finished list; the loop learns of changes through
 * one posted drain callback at a time.
 */
#include "jobs/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "jobs/publish.h"

#define COPY_CHUNK_BYTES (1024 * 1024)

struct worker_pool {
    struct loop *loop;
    worker_done_cb done_cb;
    worker_progress_cb progress_cb;
    void *arg;
    unsigned nthreads;
    pthread_t *threads;
    unsigned started_threads;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct list queue;
    struct list running;
    struct list finished;
    bool stopping;
    bool drain_posted;
};

struct worker_task *worker_task_new(void)
{
    struct worker_task *task = xcalloc(1, sizeof(*task));

    list_init(&task->link);
    atomic_init(&task->cancel, false);
    task->progress = -1;
    return task;
}

void worker_task_free(struct worker_task *task)
{
    if (!task)
        return;
    free(task->image_path);
    free(task->asset_dir);
    cJSON_Delete(task->request);
    free(task->copy_from);
    free(task->out_path);
    free(task->err);
    free(task);
}

/* A progress report copied out from under the lock. */
struct report {
    uint64_t job_id;
    uint64_t run;
    int percent;
};

static void drain_cb(struct loop *loop, void *arg)
{
    struct worker_pool *pool = arg;
    struct list done, *pos, *tmp;
    struct report *reports = NULL;
    size_t n = 0, cap = 0;

    (void)loop;
    list_init(&done);
    pthread_mutex_lock(&pool->lock);
    pool->drain_posted = false;
    list_for_each(pos, &pool->running) {
        struct worker_task *t = list_entry(pos, struct worker_task, link);

        if ((t->started && !t->started_reported) || t->progress_dirty) {
            if (n == cap) {
                cap = cap ? cap * 2 : 8;
                reports = xrealloc(reports, cap * sizeof(*reports));
            }
            reports[n++] = (struct report){ t->job_id, t->run,
                                            t->progress < 0 ? 0 : t->progress };
            t->started_reported = true;
            t->progress_dirty = false;
        }
    }
    list_for_each_safe(pos, tmp, &pool->finished) {
        list_remove(pos);
        list_append(&done, pos);
    }
    pthread_mutex_unlock(&pool->lock);

    for (size_t i = 0; i < n; i++)
        pool->progress_cb(pool->arg, reports[i].job_id, reports[i].run,
                          reports[i].percent);
    free(reports);
    list_for_each_safe(pos, tmp, &done) {
        list_remove(pos);
        pool->done_cb(pool->arg, list_entry(pos, struct worker_task, link));
    }
}

/* Asks the loop to drain, once until it has. Lock held. */
static void request_drain(struct worker_pool *pool)
{
    if (pool->drain_posted || pool->stopping)
        return;
    if (loop_post(pool->loop, drain_cb, pool) == 0)
        pool->drain_posted = true;
}

/* What a provider's progress callback gets: the pool and the task. */
struct progress_ctx {
    struct worker_pool *pool;
    struct worker_task *task;
};

static void task_progress(void *arg, int percent)
{
    struct progress_ctx *ctx = arg;

    if (percent < 0)
        percent = 0;
    if (percent > 100)
        percent = 100;
    pthread_mutex_lock(&ctx->pool->lock);
    if (percent != ctx->task->progress) {
        ctx->task->progress = percent;
        ctx->task->progress_dirty = true;
        request_drain(ctx->pool);
    }
    pthread_mutex_unlock(&ctx->pool->lock);
}

/* Copies task->copy_from to task->out_path, checking the cancel flag. */
static int copy_file(struct worker_task *task)
{
    char *buf = NULL;
    int in = -1, out = -1, rc = 0;

    in = open(task->copy_from, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        rc = -errno;
        task->err =
            xasprintf("cannot read %s: %s", task->copy_from, strerror(errno));
        goto out;
    }
    out = open(task->out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        rc = -errno;
        task->err =
            xasprintf("cannot write %s: %s", task->out_path, strerror(errno));
        goto out;
    }
    buf = xmalloc(COPY_CHUNK_BYTES);
    for (;;) {
        ssize_t n = read(in, buf, COPY_CHUNK_BYTES), off = 0;

        if (atomic_load(&task->cancel)) {
            rc = -ECANCELED;
            goto out;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = -errno;
            task->err = xasprintf("cannot read %s: %s", task->copy_from,
                                  strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        while (off < n) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));

            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                rc = -errno;
                task->err =
                    xasprintf("cannot write the video: %s", strerror(errno));
                goto out;
            }
            off += w;
        }
    }
    if (fsync(out) < 0) {
        rc = -errno;
        task->err = xasprintf("cannot write the video: %s", strerror(errno));
    }
out:
    free(buf);
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) < 0 && rc == 0) {
        rc = -errno;
        task->err = xasprintf("cannot write the video: %s", strerror(errno));
    }
    return rc;
}

/* Renders or copies, then probes and hashes; fills the task's results. */
static void run_task(struct worker_pool *pool, struct worker_task *task)
{
    struct progress_ctx ctx = { pool, task };
    int rc;

    task->stage = WORKER_STAGE_RENDER;
    if (atomic_load(&task->cancel)) {
        rc = -ECANCELED;
    } else if (task->kind == WORKER_COPY) {
        /* The source may have been made moments ago and not be in out/ yet. */
        if (task->publisher)
            publisher_flush(task->publisher);
        rc = copy_file(task);
    } else {
        const struct provider_render_job job = {
            .image_path = task->image_path,
            .asset_dir = task->asset_dir,
            .request = task->request,
            .out_path = task->out_path,
        };

        rc = task->provider->render(&job, task_progress, &ctx, &task->cancel,
                                    &task->err);
    }
    if (rc == 0 && atomic_load(&task->cancel))
        rc = -ECANCELED;
    if (rc == 0) {
        task->stage = WORKER_STAGE_PROBE;
        rc = probe_video(task->out_path, &task->info, &task->err);
    }
    if (rc == 0) {
        rc = hash_sha256_file(task->out_path, task->sha256);
        if (rc < 0)
            task->err =
                xasprintf("cannot read the finished video: %s", strerror(-rc));
    }
    if (rc < 0) {
        /* Best effort: a leftover is also cleared at the next start. */
        (void)unlink(task->out_path);
    }
    task->rc = rc;
}

static void *thread_main(void *arg)
{
    struct worker_pool *pool = arg;

    pthread_mutex_lock(&pool->lock);
    for (;;) {
        struct worker_task *task;

        while (list_is_empty(&pool->queue) && !pool->stopping)
            pthread_cond_wait(&pool->cond, &pool->lock);
        if (list_is_empty(&pool->queue))
            break;
        task = list_entry(pool->queue.next, struct worker_task, link);
        list_remove(&task->link);
        list_append(&pool->running, &task->link);
        task->started = true;
        request_drain(pool);
        pthread_mutex_unlock(&pool->lock);

        run_task(pool, task);

        pthread_mutex_lock(&pool->lock);
        list_remove(&task->link);
        list_append(&pool->finished, &task->link);
        request_drain(pool);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

int worker_pool_new(struct loop *loop, unsigned threads, worker_done_cb done,
                    worker_progress_cb progress, void *arg,
                    struct worker_pool **out)
{
    struct worker_pool *pool = xcalloc(1, sizeof(*pool));

    pool->loop = loop;
    pool->done_cb = done;
    pool->progress_cb = progress;
    pool->arg = arg;
    pool->nthreads = threads ? threads : 1;
    pool->threads = xcalloc(pool->nthreads, sizeof(*pool->threads));
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->cond, NULL);
    list_init(&pool->queue);
    list_init(&pool->running);
    list_init(&pool->finished);
    *out = pool;
    return 0;
}

int worker_pool_start(struct worker_pool *pool)
{
    while (pool->started_threads < pool->nthreads) {
        int rc = pthread_create(&pool->threads[pool->started_threads], NULL,
                                thread_main, pool);

        if (rc != 0) {
            log_error("cannot start a render worker: %s", strerror(rc));
            return -rc;
        }
        pool->started_threads++;
    }
    return 0;
}

static void cancel_list(struct list *head, bool all, uint64_t job_id)
{
    struct list *pos;

    list_for_each(pos, head) {
        struct worker_task *t = list_entry(pos, struct worker_task, link);

        if (all || t->job_id == job_id)
            atomic_store(&t->cancel, true);
    }
}

/* Frees every task of head, deleting its output file. */
static void discard_list(struct list *head)
{
    struct list *pos, *tmp;

    list_for_each_safe(pos, tmp, head) {
        struct worker_task *t = list_entry(pos, struct worker_task, link);

        list_remove(pos);
        if (t->out_path)
            (void)unlink(t->out_path); /* best effort: cleared at start */
        worker_task_free(t);
    }
}

void worker_pool_stop(struct worker_pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    pool->stopping = true;
    cancel_list(&pool->queue, true, 0);
    cancel_list(&pool->running, true, 0);
    pthread_cond_broadcast(&pool->cond);
    pthread_mutex_unlock(&pool->lock);
    for (unsigned i = 0; i < pool->started_threads; i++)
        pthread_join(pool->threads[i], NULL);
    pool->started_threads = 0;
    discard_list(&pool->queue);
    discard_list(&pool->finished);
}

void worker_pool_free(struct worker_pool *pool)
{
    if (!pool)
        return;
    worker_pool_stop(pool);
    pthread_cond_destroy(&pool->cond);
    pthread_mutex_destroy(&pool->lock);
    free(pool->threads);
    free(pool);
}

void worker_submit(struct worker_pool *pool, struct worker_task *task)
{
    pthread_mutex_lock(&pool->lock);
    if (pool->stopping)
        atomic_store(&task->cancel, true);
    list_append(&pool->queue, &task->link);
    pthread_cond_signal(&pool->cond);
    pthread_mutex_unlock(&pool->lock);
}

void worker_cancel(struct worker_pool *pool, uint64_t job_id)
{
    pthread_mutex_lock(&pool->lock);
    cancel_list(&pool->queue, false, job_id);
    cancel_list(&pool->running, false, job_id);
    pthread_mutex_unlock(&pool->lock);
}
