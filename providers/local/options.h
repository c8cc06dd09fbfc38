/*
 * Turns the validated effective request into a render plan: clip length,
 * frame rate, frame size, camera move, resize mode and asset names.
 */
#ifndef PROVIDERS_LOCAL_OPTIONS_H
#define PROVIDERS_LOCAL_OPTIONS_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "providers/local/camera.h"

struct kb_options {
    double duration_s;
    int fps_num, fps_den; /* frame rate as a fraction, e.g. 24/1 */
    int frames;           /* duration × fps, at least 1 */
    int width, height;    /* even */
    struct kb_move move;
    bool pad;      /* resizeMode "pad": fit inside, else crop */
    bool pad_blur; /* padBackground "blur": blurred bars */
    char *tail;    /* imageTail / lastFrameImage file name, or NULL */
    const char *tail_field;
    char *mask; /* staticMask file name, or NULL */
};

/*
 * Reads request (borrowed) into opts. Options come from
 * providerOptions.local, or else from a cloud vendor's key (klingai,
 * vertex, google, bytedance, alibaba, xai). Returns 0, or -EINVAL with
 * *err (caller frees) one line naming the field. Release opts with
 * kb_options_release in both cases.
 */
int kb_options_parse(const cJSON *request, struct kb_options *opts, char **err);
void kb_options_release(struct kb_options *opts);

#endif
