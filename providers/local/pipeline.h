/*
 * Runs sampling in parallel with encoding: producer threads fill frames
 * into a small ring, the calling thread consumes them in order.
 */
#ifndef PROVIDERS_LOCAL_PIPELINE_H
#define PROVIDERS_LOCAL_PIPELINE_H

#include <stdatomic.h>

#include <libavutil/frame.h>

/* Fills frame number index (called on a producer thread). */
typedef int (*kb_produce_cb)(void *arg, int index, AVFrame *frame);
/* Takes frame number index (called on the calling thread, in order). */
typedef int (*kb_consume_cb)(void *arg, int index, AVFrame *frame);

struct kb_pipeline {
    AVFrame *const *slots; /* the ring, nslots frames (borrowed) */
    int nslots;
    int count;     /* frames to run */
    int producers; /* threads that fill frames, at least 1 */
    kb_produce_cb produce;
    kb_consume_cb consume;
    void *arg;
    const atomic_bool *cancel; /* checked between frames; may be NULL */
};

/*
 * Runs frames 0 .. count-1 through the ring. A producer makes the slot
 * writable (av_frame_make_writable) before filling it. Stops at the first
 * error or on cancel and joins its threads before returning 0,
 * -ECANCELED or the first callback's error.
 */
int kb_pipeline_run(const struct kb_pipeline *p);

#endif
