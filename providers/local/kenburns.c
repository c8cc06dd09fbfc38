/*
 * The offline renderer's entry point (see kenburns.h): reads the options,
 * decodes the images once, prepares the layers, then samples frames on a
 * producer thread while this thread encodes them.
 */
#include "providers/local/kenburns.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/log.h>

#include "core/mem.h"
#include "providers/local/asset.h"
#include "providers/local/camera.h"
#include "providers/local/compose.h"
#include "providers/local/decode.h"
#include "providers/local/encode.h"
#include "providers/local/image.h"
#include "providers/local/options.h"
#include "providers/local/pipeline.h"
#include "providers/local/sample.h"

#define RING_SLOTS 4
#define PRODUCERS  1 /* x264 keeps both cores busy; one sampler keeps up */

struct render {
    struct kb_options opts;
    struct kb_camera cam;
    struct kb_image src;   /* the first frame's canvas */
    struct kb_image tail;  /* imageTail as framed at t = 0, output size */
    struct kb_image still; /* the source unmoved, output size */
    struct kb_image alpha; /* staticMask weights per plane, output size */
    bool has_tail, has_mask;
    struct kb_encoder *enc;
    kenburns_progress_cb progress;
    void *progress_arg;
    int last_percent;
    char *err;
};

static const uint8_t black[3] = { 16, 128, 128 };
static const uint8_t transparent[3] = { 0, 0, 0 };

static void quiet_ffmpeg(void)
{
    /* x264 and swscale chatter at info level would flood the daemon's log. */
    av_log_set_level(AV_LOG_ERROR);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int even_floor(double v)
{
    int n = (int)floor(v / 2) * 2;
    return n < 2 ? 2 : n;
}

static int at_least_1(double v)
{
    long n = lround(v);
    return n < 1 ? 1 : (int)n;
}

/* Blurred bars for pad mode: a tiny cover-scaled copy, blurred, enlarged. */
static int blurred_background(const struct kb_picture *pic, struct kb_image *bg,
                              char **err)
{
    struct kb_image tiny;
    int tw = bg->width / 16 + 2, th = bg->height / 16 + 2;
    double scale = fmax((double)tw / pic->width, (double)th / pic->height);
    int sw = (int)ceil(pic->width * scale), sh = (int)ceil(pic->height * scale);
    int rc = kb_picture_convert(pic, sw, sh, 3, &tiny, err);

    if (rc != 0) {
        return rc;
    }
    for (int i = 0; i < 3; i++) {
        kb_blur_plane(&tiny.plane[i], i ? 1 : 2);
    }
    kb_image_pad_edges(&tiny);
    /* Centre-crop tiny onto bg: one scale, both axes. */
    double k = (double)tw / bg->width;
    double m[9] = { k, 0, (sw - tw) / 2.0, 0, k, (sh - th) / 2.0, 0, 0, 1 };
    uint8_t *dst[3];
    int stride[3];
    for (int i = 0; i < 3; i++) {
        dst[i] = bg->plane[i].data;
        stride[i] = (int)bg->plane[i].stride;
    }
    kb_sample_image(&tiny, m, dst, stride, bg->width, bg->height);
    kb_image_release(&tiny);
    return 0;
}

/*
 * Puts pic on a cw × ch canvas: fitted inside (pad, on black, blurred or
 * transparent bars) or covering it (crop), centred.
 */
static int make_canvas(const struct kb_picture *pic, int cw, int ch, int planes,
                       bool pad, bool blur, struct kb_image *canvas, char **err)
{
    double scale =
        pad ? fmin((double)cw / pic->width, (double)ch / pic->height)
            : fmax((double)cw / pic->width, (double)ch / pic->height);
    int w = (int)lround(pic->width * scale),
        h = (int)lround(pic->height * scale);
    struct kb_image img;
    int rc;

    w = w < 2 ? 2 : w;
    h = h < 2 ? 2 : h;
    if (w == cw && h == ch) {
        return kb_picture_convert(pic, cw, ch, planes, canvas, err);
    }
    rc = kb_picture_convert(pic, w, h, planes, &img, err);
    if (rc != 0) {
        return rc;
    }
    kb_image_alloc(canvas, cw, ch, planes);
    kb_image_fill(canvas, planes == 3 ? black : transparent);
    if (planes == 3 && pad && blur) {
        rc = blurred_background(pic, canvas, err);
    }
    if (rc == 0) {
        /* Even offsets keep the 4:2:0 chroma aligned with luma. */
        kb_image_paste(canvas, &img, ((cw - w) / 2) & ~1, ((ch - h) / 2) & ~1);
    }
    kb_image_release(&img);
    return rc;
}

/* Samples src through the camera at t = 0 into a new output-size image. */
static void freeze(const struct render *r, const struct kb_image *src,
                   struct kb_image *out)
{
    double m[9];
    uint8_t *dst[3];
    int stride[3];

    kb_image_alloc(out, r->opts.width, r->opts.height, src->planes);
    for (int i = 0; i < src->planes; i++) {
        dst[i] = out->plane[i].data;
        stride[i] = (int)out->plane[i].stride;
    }
    kb_camera_at(&r->cam, 0, m);
    kb_sample_image(src, m, dst, stride, r->opts.width, r->opts.height);
}

/* A decoded asset (imageTail, staticMask), resolved in asset_dir. */
static int load_asset(const char *asset_dir, const char *field,
                      const char *name, struct kb_picture *pic, char **err)
{
    char *path = NULL, *label;
    int rc = kb_asset_resolve(asset_dir, field, name, &path, err);

    memset(pic, 0, sizeof(*pic));
    if (rc != 0) {
        return rc;
    }
    label = xasprintf("%s %s", field, name);
    rc = kb_decode_file(path, label, pic, err);
    free(label);
    free(path);
    return rc;
}

/* The mask as per-plane weights: sampled at t = 0, softened, subsampled. */
static void build_alpha(struct render *r, const struct kb_image *mask_canvas)
{
    struct kb_image gray;
    int w = r->opts.width, h = r->opts.height;

    freeze(r, mask_canvas, &gray);
    kb_blur_plane(&gray.plane[0], w / 200 + 1);
    kb_image_alloc(&r->alpha, w, h, 3);
    for (int y = 0; y < h; y++) {
        memcpy(r->alpha.plane[0].data + y * r->alpha.plane[0].stride,
               gray.plane[0].data + y * gray.plane[0].stride, (size_t)w);
    }
    for (int i = 1; i < 3; i++) {
        struct kb_plane *c = &r->alpha.plane[i];
        const struct kb_plane *g = &gray.plane[0];
        for (int y = 0; y < c->height; y++) {
            for (int x = 0; x < c->width; x++) {
                const uint8_t *p = g->data + 2 * y * g->stride + 2 * x;
                c->data[y * c->stride + x] =
                    (uint8_t)((p[0] + p[1] + p[g->stride] + p[g->stride + 1] +
                               2) >>
                              2);
            }
        }
    }
    kb_image_release(&gray);
}

/* Decodes the images and builds the canvas, camera and layers. */
static int prepare(struct render *r, const struct kenburns_job *job)
{
    struct kb_options *o = &r->opts;
    struct kb_picture pic = { 0 }, extra = { 0 };
    char *label = xasprintf("%s", base_name(job->image_path));
    int rc = kb_decode_file(job->image_path, label, &pic, &r->err);
    double cw, ch, out_ratio = (double)o->width / o->height;

    free(label);
    if (rc != 0) {
        goto out;
    }
    /* The canvas the camera moves over, in the photo's own pixels. */
    cw = pic.width;
    ch = pic.height;
    if (o->pad) {
        if (cw / ch > out_ratio) {
            ch = cw / out_ratio;
        } else {
            cw = ch * out_ratio;
        }
    }
    /* Shrink (area-averaged) to the most detail the move ever shows. */
    kb_camera_init(&r->cam, &o->move, o->width, o->height, cw, ch);
    double density = kb_camera_max_density(&r->cam);
    double s = density > 1 ? 1 / density : 1;
    int canvas_w = even_floor(cw * s), canvas_h = even_floor(ch * s);
    if (o->pad) {
        rc = make_canvas(&pic, canvas_w, canvas_h, 3, true, o->pad_blur,
                         &r->src, &r->err);
    } else {
        rc =
            kb_picture_convert(&pic, at_least_1(pic.width * s),
                               at_least_1(pic.height * s), 3, &r->src, &r->err);
        canvas_w = r->src.width;
        canvas_h = r->src.height;
    }
    if (rc != 0) {
        goto out;
    }
    kb_camera_init(&r->cam, &o->move, o->width, o->height, canvas_w, canvas_h);
    if (o->tail) {
        rc =
            load_asset(job->asset_dir, o->tail_field, o->tail, &extra, &r->err);
        struct kb_image canvas;
        if (rc == 0) {
            rc = make_canvas(&extra, canvas_w, canvas_h, 3, o->pad, o->pad_blur,
                             &canvas, &r->err);
        }
        kb_picture_release(&extra);
        if (rc != 0) {
            goto out;
        }
        freeze(r, &canvas, &r->tail);
        kb_image_release(&canvas);
        r->has_tail = true;
    }
    if (o->mask) {
        rc = load_asset(job->asset_dir, "staticMask", o->mask, &extra, &r->err);
        struct kb_image canvas;
        if (rc == 0) {
            rc = make_canvas(&extra, canvas_w, canvas_h, 1, o->pad, false,
                             &canvas, &r->err);
        }
        kb_picture_release(&extra);
        if (rc != 0) {
            goto out;
        }
        build_alpha(r, &canvas);
        kb_image_release(&canvas);
        freeze(r, &r->src, &r->still);
        r->has_mask = true;
    }
out:
    kb_picture_release(&pic);
    return rc;
}

static int produce(void *arg, int index, AVFrame *frame)
{
    struct render *r = arg;
    int n = r->opts.frames, w = r->opts.width, h = r->opts.height;
    double t = n > 1 ? (double)index / (n - 1) : 0;
    double m[9];

    kb_camera_at(&r->cam, t, m);
    kb_sample_image(&r->src, m, frame->data, frame->linesize, w, h);
    for (int i = 0; i < 3; i++) {
        int pw = i ? (w + 1) / 2 : w, ph = i ? (h + 1) / 2 : h;
        if (r->has_mask) {
            kb_blend_plane_alpha(
                frame->data[i], frame->linesize[i], r->still.plane[i].data,
                r->still.plane[i].stride, r->alpha.plane[i].data,
                r->alpha.plane[i].stride, pw, ph);
        }
        if (r->has_tail) {
            int weight = (int)lround(kb_ease(t) * 256);
            kb_blend_plane(frame->data[i], frame->linesize[i],
                           r->tail.plane[i].data, r->tail.plane[i].stride,
                           weight, pw, ph);
        }
    }
    return 0;
}

static int consume(void *arg, int index, AVFrame *frame)
{
    struct render *r = arg;
    int rc = kb_encoder_write(r->enc, frame, &r->err);
    /* 100 waits for the finished file. */
    int percent = (int)((int64_t)(index + 1) * 99 / r->opts.frames);

    if (rc == 0 && r->progress && percent != r->last_percent) {
        r->last_percent = percent;
        r->progress(r->progress_arg, percent);
    }
    return rc;
}

static int encode_all(struct render *r, const char *out_path,
                      const atomic_bool *cancel)
{
    AVFrame *slots[RING_SLOTS] = { NULL };
    AVRational fps = { r->opts.fps_num, r->opts.fps_den };
    int rc = kb_encoder_open(&r->enc, out_path, r->opts.width, r->opts.height,
                             fps, &r->err);

    if (rc != 0) {
        return rc;
    }
    for (int i = 0; i < RING_SLOTS; i++) {
        slots[i] = kb_encoder_frame(r->enc);
    }
    const struct kb_pipeline p = {
        .slots = slots,
        .nslots = RING_SLOTS,
        .count = r->opts.frames,
        .producers = PRODUCERS,
        .produce = produce,
        .consume = consume,
        .arg = r,
        .cancel = cancel,
    };
    rc = kb_pipeline_run(&p);
    if (rc == 0) {
        rc = kb_encoder_finish(r->enc, &r->err);
    }
    for (int i = 0; i < RING_SLOTS; i++) {
        av_frame_free(&slots[i]);
    }
    return rc;
}

int kenburns_render(const struct kenburns_job *job,
                    kenburns_progress_cb progress, void *arg,
                    const atomic_bool *cancel, char **err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    struct render r = { .progress = progress,
                        .progress_arg = arg,
                        .last_percent = -1 };
    int rc;

    *err = NULL;
    (void)pthread_once(&once, quiet_ffmpeg); /* cannot fail once set up */
    rc = kb_options_parse(job->request, &r.opts, &r.err);
    if (rc == 0) {
        rc = prepare(&r, job);
    }
    if (rc == 0 && cancel && atomic_load(cancel)) {
        rc = -ECANCELED;
    }
    if (rc == 0) {
        rc = encode_all(&r, job->out_path, cancel);
    }
    if (rc == 0 && progress) {
        progress(arg, 100);
    }
    kb_encoder_free(r.enc);
    kb_image_release(&r.src);
    kb_image_release(&r.tail);
    kb_image_release(&r.still);
    kb_image_release(&r.alpha);
    kb_options_release(&r.opts);
    if (rc != 0 && rc != -ECANCELED) {
        *err = r.err ? r.err : xasprintf("rendering failed: %s", strerror(-rc));
        r.err = NULL;
    }
    free(r.err);
    return rc;
}
