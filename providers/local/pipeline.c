/*
 * The frame ring between sampling threads and the encoder (see
 * pipeline.h). Frame i always lives in slot i % nslots; a producer may
 * fill it once frame i - nslots has been consumed.
 */
#include "providers/local/pipeline.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "core/mem.h"

#define MAX_PRODUCERS 8

struct ring {
    const struct kb_pipeline *p;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int consumed;   /* frames consumed so far */
    int *ready;     /* per slot: the frame index it holds, or -1 */
    int next_claim; /* next frame a producer takes */
    int error;      /* first error, stops everyone */
};

static bool canceled(const struct kb_pipeline *p)
{
    return p->cancel && atomic_load(p->cancel);
}

static void fail(struct ring *r, int error)
{
    pthread_mutex_lock(&r->lock);
    if (!r->error) {
        r->error = error;
    }
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

static void *producer_main(void *arg)
{
    struct ring *r = arg;
    const struct kb_pipeline *p = r->p;

    for (;;) {
        pthread_mutex_lock(&r->lock);
        int i = r->next_claim;
        if (i >= p->count || r->error) {
            pthread_mutex_unlock(&r->lock);
            return NULL;
        }
        r->next_claim++;
        while (!r->error && i >= r->consumed + p->nslots) {
            pthread_cond_wait(&r->changed, &r->lock);
        }
        pthread_mutex_unlock(&r->lock);
        if (r->error) {
            return NULL;
        }
        if (canceled(p)) {
            fail(r, -ECANCELED);
            return NULL;
        }
        AVFrame *frame = p->slots[i % p->nslots];
        int rc = av_frame_make_writable(frame) < 0 ? -ENOMEM : 0;
        if (rc == 0) {
            rc = p->produce(p->arg, i, frame);
        }
        if (rc != 0) {
            fail(r, rc);
            return NULL;
        }
        pthread_mutex_lock(&r->lock);
        r->ready[i % p->nslots] = i;
        pthread_cond_broadcast(&r->changed);
        pthread_mutex_unlock(&r->lock);
    }
}

/* Consumes every frame in order on the calling thread. */
static void consume_all(struct ring *r)
{
    const struct kb_pipeline *p = r->p;

    for (int i = 0; i < p->count; i++) {
        int slot = i % p->nslots;
        pthread_mutex_lock(&r->lock);
        while (!r->error && r->ready[slot] != i) {
            pthread_cond_wait(&r->changed, &r->lock);
        }
        pthread_mutex_unlock(&r->lock);
        if (r->error) {
            return;
        }
        if (canceled(p)) {
            fail(r, -ECANCELED);
            return;
        }
        int rc = p->consume(p->arg, i, p->slots[slot]);
        if (rc != 0) {
            fail(r, rc);
            return;
        }
        pthread_mutex_lock(&r->lock);
        r->ready[slot] = -1;
        r->consumed++;
        pthread_cond_broadcast(&r->changed);
        pthread_mutex_unlock(&r->lock);
    }
}

int kb_pipeline_run(const struct kb_pipeline *p)
{
    struct ring r = { .p = p };
    pthread_t threads[MAX_PRODUCERS];
    int started = 0;
    int want = p->producers < 1               ? 1
               : p->producers > MAX_PRODUCERS ? MAX_PRODUCERS
                                              : p->producers;

    r.ready = xmalloc(sizeof(int) * (size_t)p->nslots);
    for (int i = 0; i < p->nslots; i++) {
        r.ready[i] = -1;
    }
    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.changed, NULL);
    for (int i = 0; i < want; i++) {
        if (pthread_create(&threads[started], NULL, producer_main, &r) != 0) {
            break;
        }
        started++;
    }
    if (started == 0) {
        r.error = -EAGAIN;
    } else {
        consume_all(&r);
    }
    for (int i = 0; i < started; i++) {
        pthread_join(threads[i], NULL);
    }
    pthread_cond_destroy(&r.changed);
    pthread_mutex_destroy(&r.lock);
    free(r.ready);
    return r.error;
}
