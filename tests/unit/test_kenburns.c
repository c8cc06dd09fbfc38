/*
 * Tests of the offline renderer: the camera geometry on its own, then real
 * renders of small synthetic photos, checked by probing and decoding the
 * MP4 (never by comparing bytes).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>

#include "core/mem.h"
#include "providers/local/camera.h"
#include "providers/local/decode.h"
#include "providers/local/imghdr.h"
#include "providers/local/kenburns.h"
#include "providers/local/motion.h"
#include "providers/local/options.h"
#include "providers/probe.h"
#include "tests/check.h"

/* ---- helpers: a scratch folder, synthetic photos, decoding results ---- */

static char *scratch(void)
{
    char tmpl[] = "/tmp/test_kenburns.XXXXXX";
    char *dir = mkdtemp(tmpl);

    av_log_set_level(AV_LOG_ERROR);
    return dir ? xstrdup(dir) : NULL;
}

static void rm_scratch(char *dir)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
    free(cmd);
    free(dir);
}

typedef void (*paint_fn)(int x, int y, uint8_t rgb[3]);

/* A detailed, smooth texture: sampling errors show up in it. */
static void paint_texture(int x, int y, uint8_t rgb[3])
{
    double v = 128 + 60 * sin(x * 0.21) * cos(y * 0.17) +
               40 * sin((x + 2 * y) * 0.033);
    rgb[0] = (uint8_t)v;
    rgb[1] = (uint8_t)(255 - v);
    rgb[2] = (uint8_t)((x * 3 + y) & 255);
}

static void paint_dark(int x, int y, uint8_t rgb[3])
{
    rgb[0] = rgb[1] = rgb[2] = (uint8_t)(20 + (x + y) % 20);
}

static void paint_bright(int x, int y, uint8_t rgb[3])
{
    rgb[0] = (uint8_t)(200 + (x % 40));
    rgb[1] = (uint8_t)(180 + (y % 50));
    rgb[2] = 230;
}

/* Left half white, right half black (to see a rotation). */
static void paint_halves(int x, int y, uint8_t rgb[3])
{
    (void)y;
    rgb[0] = rgb[1] = rgb[2] = x < 32 ? 255 : 0;
}

static void paint_mask_left(int x, int y, uint8_t rgb[3])
{
    (void)y;
    rgb[0] = rgb[1] = rgb[2] = x < 320 ? 255 : 0;
}

static char *path_in(const char *dir, const char *name)
{
    return xasprintf("%s/%s", dir, name);
}

/* Encodes one w × h frame painted by paint with encoder codec_name. */
static int write_image(const char *path, const char *codec_name, int w, int h,
                       paint_fn paint, const uint8_t *app1, size_t app1_len)
{
    const AVCodec *codec = avcodec_find_encoder_by_name(codec_name);
    AVCodecContext *c = avcodec_alloc_context3(codec);
    AVFrame *rgb = av_frame_alloc(), *frame = av_frame_alloc();
    AVPacket *pkt = av_packet_alloc();
    struct SwsContext *sws = NULL;
    FILE *f = NULL;
    int rc = -1;

    if (!codec || !c || !rgb || !frame || !pkt) {
        goto out;
    }
    c->width = w;
    c->height = h;
    c->time_base = (AVRational){ 1, 25 };
    c->pix_fmt = !strcmp(codec_name, "png")     ? AV_PIX_FMT_RGB24
                 : !strcmp(codec_name, "mjpeg") ? AV_PIX_FMT_YUVJ420P
                                                : AV_PIX_FMT_YUV420P;
    if (!strcmp(codec_name, "mjpeg")) {
        c->flags |= AV_CODEC_FLAG_QSCALE;
        c->global_quality = FF_QP2LAMBDA * 2;
    }
    if (avcodec_open2(c, codec, NULL) < 0) {
        goto out;
    }
    rgb->format = AV_PIX_FMT_RGB24;
    rgb->width = frame->width = w;
    rgb->height = frame->height = h;
    frame->format = c->pix_fmt;
    if (av_frame_get_buffer(rgb, 0) < 0 || av_frame_get_buffer(frame, 0) < 0) {
        goto out;
    }
    /*
     * Rows are padded past the width and encoders read whole blocks: zero
     * the buffers, or valgrind sees uninitialised bytes in the file.
     */
    for (int i = 0; i < AV_NUM_DATA_POINTERS; i++) {
        if (rgb->buf[i])
            memset(rgb->buf[i]->data, 0, rgb->buf[i]->size);
        if (frame->buf[i])
            memset(frame->buf[i]->data, 0, frame->buf[i]->size);
    }
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            paint(x, y, rgb->data[0] + y * rgb->linesize[0] + 3 * x);
        }
    }
    sws = sws_getContext(w, h, AV_PIX_FMT_RGB24, w, h, c->pix_fmt, SWS_BICUBIC,
                         NULL, NULL, NULL);
    sws_scale(sws, (const uint8_t *const *)rgb->data, rgb->linesize, 0, h,
              frame->data, frame->linesize);
    frame->pts = 0;
    if (avcodec_send_frame(c, frame) < 0 || avcodec_send_frame(c, NULL) < 0 ||
        avcodec_receive_packet(c, pkt) < 0) {
        goto out;
    }
    f = fopen(path, "wb");
    if (!f) {
        goto out;
    }
    if (app1) {
        /* EXIF goes right after the JPEG's start-of-image marker. */
        fwrite(pkt->data, 1, 2, f);
        fwrite(app1, 1, app1_len, f);
        fwrite(pkt->data + 2, 1, (size_t)pkt->size - 2, f);
    } else {
        fwrite(pkt->data, 1, (size_t)pkt->size, f);
    }
    rc = fclose(f) == 0 ? 0 : -1;
out:
    sws_freeContext(sws);
    av_packet_free(&pkt);
    av_frame_free(&frame);
    av_frame_free(&rgb);
    avcodec_free_context(&c);
    return rc;
}

/* write_image into dir/name. */
static int write_image_in(const char *dir, const char *name,
                          const char *codec_name, int w, int h, paint_fn paint,
                          const uint8_t *app1, size_t app1_len)
{
    char *path = path_in(dir, name);
    int rc = write_image(path, codec_name, w, h, paint, app1, app1_len);

    free(path);
    return rc;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

struct progress {
    int calls, last;
    atomic_bool *cancel_at_first;
};

static void progress_cb(void *arg, int percent)
{
    struct progress *p = arg;

    p->calls++;
    CHECK(percent >= p->last);
    p->last = percent;
    if (p->cancel_at_first) {
        atomic_store(p->cancel_at_first, true);
    }
}

/* Renders image (a name in dir) with request text into dir/out.mp4. */
static int render(const char *dir, const char *image, const char *request,
                  char **err, struct progress *prog, const atomic_bool *cancel)
{
    cJSON *req = cJSON_Parse(request);
    char *img = path_in(dir, image), *out = path_in(dir, "out.mp4");
    const struct kenburns_job job = {
        .image_path = img,
        .asset_dir = dir,
        .request = req,
        .out_path = out,
    };
    CHECK(req != NULL);
    int rc =
        kenburns_render(&job, prog ? progress_cb : NULL, prog, cancel, err);
    cJSON_Delete(req);
    free(img);
    free(out);
    return rc;
}

struct lumas {
    int w, h, count;
    uint8_t *first, *last; /* w × h, tightly packed */
};

/* Decodes every frame of path and keeps the first and last luma planes. */
static int decode_lumas(const char *path, struct lumas *l)
{
    AVFormatContext *fmt = NULL;
    AVCodecContext *c = NULL;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    int idx, rc = -1;

    memset(l, 0, sizeof(*l));
    if (avformat_open_input(&fmt, path, NULL, NULL) < 0 ||
        avformat_find_stream_info(fmt, NULL) < 0) {
        goto out;
    }
    idx = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (idx < 0) {
        goto out;
    }
    const AVCodec *dec =
        avcodec_find_decoder(fmt->streams[idx]->codecpar->codec_id);
    c = avcodec_alloc_context3(dec);
    avcodec_parameters_to_context(c, fmt->streams[idx]->codecpar);
    if (avcodec_open2(c, dec, NULL) < 0) {
        goto out;
    }
    l->w = c->width;
    l->h = c->height;
    l->first = xmalloc((size_t)l->w * l->h);
    l->last = xmalloc((size_t)l->w * l->h);
    bool eof = false;
    while (!eof) {
        if (av_read_frame(fmt, pkt) < 0) {
            eof = true;
            avcodec_send_packet(c, NULL);
        } else {
            if (pkt->stream_index == idx) {
                avcodec_send_packet(c, pkt);
            }
            av_packet_unref(pkt);
        }
        while (avcodec_receive_frame(c, frame) == 0) {
            uint8_t *dst = l->count == 0 ? l->first : l->last;
            for (int y = 0; y < l->h; y++) {
                memcpy(dst + y * l->w, frame->data[0] + y * frame->linesize[0],
                       (size_t)l->w);
            }
            if (l->count == 0) {
                memcpy(l->last, l->first, (size_t)l->w * l->h);
            }
            l->count++;
        }
    }
    rc = 0;
out:
    avcodec_free_context(&c);
    avformat_close_input(&fmt);
    av_frame_free(&frame);
    av_packet_free(&pkt);
    return rc;
}

static void lumas_free(struct lumas *l)
{
    free(l->first);
    free(l->last);
}

/* Mean absolute difference of a and b over the rectangle x0..x1, y0..y1. */
static double mean_diff(const uint8_t *a, const uint8_t *b, int stride, int x0,
                        int y0, int x1, int y1)
{
    double sum = 0;

    for (int y = y0; y < y1; y++) {
        for (int x = x0; x < x1; x++) {
            sum += abs(a[y * stride + x] - b[y * stride + x]);
        }
    }
    return sum / ((double)(x1 - x0) * (y1 - y0));
}

/* ---- geometry ---- */

static void camera_for(struct kb_camera *cam, const struct kb_move *m, int w,
                       int h, double sw, double sh)
{
    kb_camera_init(cam, m, w, h, sw, sh);
}

static void test_start_is_the_plain_framing(void)
{
    struct kb_move m;
    struct kb_camera cam;
    double h[9], u, v;

    kb_move_init(&m);
    m.value[KB_AXIS_ZOOM] = -10; /* zoom in: needs no extra zoom */
    camera_for(&cam, &m, 1920, 1080, 3840, 2160);
    CHECK_DBL_NEAR(cam.extra_zoom, 1, 1e-9);
    kb_camera_at(&cam, 0, h);
    /* At t = 0 the output is the photo, centre-cropped and scaled: 2×. */
    CHECK(kb_homography_apply(h, 0, 0, &u, &v));
    CHECK_DBL_NEAR(u, 0, 1e-6);
    CHECK_DBL_NEAR(v, 0, 1e-6);
    CHECK(kb_homography_apply(h, 1920, 1080, &u, &v));
    CHECK_DBL_NEAR(u, 3840, 1e-6);
    CHECK_DBL_NEAR(v, 2160, 1e-6);
    CHECK(kb_homography_apply(h, 500, 300, &u, &v));
    CHECK_DBL_NEAR(u, 1000, 1e-6);
    CHECK_DBL_NEAR(v, 600, 1e-6);
    /* At the end, zoom -10 magnifies 1.6×: the view is 1/1.6 as wide. */
    kb_camera_at(&cam, 1, h);
    double ul, ur, vv;
    kb_homography_apply(h, 0, 540, &ul, &vv);
    kb_homography_apply(h, 1920, 540, &ur, &vv);
    CHECK_DBL_NEAR(ur - ul, 3840 / 1.6, 1e-6);
}

static void test_eased_velocity_is_zero_at_both_ends(void)
{
    struct kb_move m;
    struct kb_camera cam;
    double h0[9], h1[9], u0, v0, u1, v1;
    const double dt = 1e-4;

    CHECK_DBL_NEAR(kb_ease(0), 0, 1e-12);
    CHECK_DBL_NEAR(kb_ease(1), 1, 1e-12);
    CHECK_DBL_NEAR(kb_ease(0.5), 0.5, 1e-12);
    CHECK_DBL_NEAR(kb_ease_velocity(0), 0, 1e-12);
    CHECK_DBL_NEAR(kb_ease_velocity(1), 0, 1e-12);
    CHECK(kb_ease_velocity(0.5) > 1);
    /* The picture itself starts and stops without a jolt. */
    kb_move_init(&m);
    m.value[KB_AXIS_HORIZONTAL] = 10;
    camera_for(&cam, &m, 1920, 1080, 1920, 1080);
    double ends[2] = { 0, 1 - dt };
    for (int i = 0; i < 2; i++) {
        kb_camera_at(&cam, ends[i], h0);
        kb_camera_at(&cam, ends[i] + dt, h1);
        kb_homography_apply(h0, 960, 540, &u0, &v0);
        kb_homography_apply(h1, 960, 540, &u1, &v1);
        CHECK(fabs(u1 - u0) / dt < 0.01); /* pixels per clip length */
    }
    kb_camera_at(&cam, 0.5, h0);
    kb_camera_at(&cam, 0.5 + dt, h1);
    kb_homography_apply(h0, 960, 540, &u0, &v0);
    kb_homography_apply(h1, 960, 540, &u1, &v1);
    CHECK(fabs(u1 - u0) / dt > 100);
}

static void test_pan_and_tilt_are_perspective_turns(void)
{
    enum kb_axis axes[2] = { KB_AXIS_PAN, KB_AXIS_TILT };

    for (int a = 0; a < 2; a++) {
        struct kb_move m;
        struct kb_camera cam;
        double h[9];
        kb_move_init(&m);
        m.value[axes[a]] = 10;
        camera_for(&cam, &m, 1920, 1080, 1920, 1080);
        kb_camera_at(&cam, 1, h);
        /* A projective term: not a shift, not even an affine map. */
        CHECK(fabs(h[6]) + fabs(h[7]) > 1e-6);
        /* Equal steps on screen cover unequal stretches of the photo. */
        double p[4][2] = {
            { 10, 10 }, { 30, 30 }, { 1890, 1050 }, { 1910, 1070 }
        };
        double u[4], v[4];
        for (int i = 0; i < 4; i++) {
            CHECK(kb_homography_apply(h, p[i][0], p[i][1], &u[i], &v[i]));
        }
        double near = hypot(u[1] - u[0], v[1] - v[0]);
        double far = hypot(u[3] - u[2], v[3] - v[2]);
        CHECK(fabs(near - far) / near > 0.02);
    }
    /* Turning right shows what was right of the centre. */
    struct kb_move m;
    struct kb_camera cam;
    double h[9], u, v;
    kb_move_init(&m);
    m.value[KB_AXIS_PAN] = 10;
    camera_for(&cam, &m, 1920, 1080, 1920, 1080);
    kb_camera_at(&cam, 1, h);
    kb_homography_apply(h, 960, 540, &u, &v);
    CHECK(u > 1000);
}

static bool inside(const struct kb_camera *cam, const double h[9], double x,
                   double y)
{
    double u, v, tol = 1e-6 * cam->src_w;

    return kb_homography_apply(h, x, y, &u, &v) && u >= -tol && v >= -tol &&
           u <= cam->src_w + tol && v <= cam->src_h + tol;
}

/*
 * True when the frame's whole border (so, the projection being convex,
 * the whole frame) shows the photo at each of 300 moments.
 */
static bool fully_covered(const struct kb_camera *cam)
{
    for (int s = 0; s <= 300; s++) {
        double h[9];
        kb_camera_at(cam, s / 300.0, h);
        for (int x = 0; x <= cam->out_w; x += 4) {
            if (!inside(cam, h, x, 0) || !inside(cam, h, x, cam->out_h)) {
                return false;
            }
        }
        for (int y = 0; y <= cam->out_h; y += 4) {
            if (!inside(cam, h, 0, y) || !inside(cam, h, cam->out_w, y)) {
                return false;
            }
        }
    }
    return true;
}

static void test_every_move_keeps_the_frame_covered(void)
{
    static const char *const presets[] = { "down_back", "forward_up",
                                           "right_turn_forward",
                                           "left_turn_forward" };
    /* Output and photo shapes: same, wider, taller, square. */
    static const double shapes[][4] = { { 1920, 1080, 1920, 1080 },
                                        { 1280, 720, 4000, 1000 },
                                        { 1280, 720, 1000, 3000 },
                                        { 720, 1280, 2000, 2000 } };

    for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
        int w = (int)shapes[s][0], h = (int)shapes[s][1];
        struct kb_move m;
        struct kb_camera cam;
        for (int a = 0; a < KB_AXIS_COUNT; a++) {
            for (int sign = -1; sign <= 1; sign += 2) {
                kb_move_init(&m);
                m.value[a] = 10 * sign;
                kb_camera_init(&cam, &m, w, h, shapes[s][2], shapes[s][3]);
                if (!fully_covered(&cam)) {
                    fprintf(stderr, "uncovered: axis %d value %d shape %zu\n",
                            a, 10 * sign, s);
                    CHECK(false);
                }
            }
        }
        for (size_t p = 0; p < 4; p++) {
            CHECK_INT_EQ(kb_move_preset(&m, presets[p]), 0);
            kb_camera_init(&cam, &m, w, h, shapes[s][2], shapes[s][3]);
            if (!fully_covered(&cam)) {
                fprintf(stderr, "uncovered: %s shape %zu\n", presets[p], s);
                CHECK(false);
            }
        }
        /* Every axis at once, too. */
        kb_move_init(&m);
        for (int a = 0; a < KB_AXIS_COUNT; a++) {
            m.value[a] = a % 2 ? -10 : 10;
        }
        kb_camera_init(&cam, &m, w, h, shapes[s][2], shapes[s][3]);
        CHECK(fully_covered(&cam));
    }
    struct kb_move m;
    CHECK_INT_EQ(kb_move_preset(&m, "sideways"), -EINVAL);
}

static void test_motion_words(void)
{
    struct kb_move m;

    kb_move_init(&m);
    CHECK_INT_EQ(kb_motion_words("A slow Zoom Out over the bay", &m), 1);
    CHECK(m.value[KB_AXIS_ZOOM] > 0); /* Kling: + widens the view */
    kb_move_init(&m);
    CHECK_INT_EQ(kb_motion_words("dolly in, then pan left", &m), 2);
    CHECK(m.value[KB_AXIS_ZOOM] < 0);
    CHECK(m.value[KB_AXIS_PAN] < 0);
    kb_move_init(&m);
    CHECK_INT_EQ(kb_motion_words("tilt up; truck right; pedestal down", &m), 3);
    CHECK(m.value[KB_AXIS_TILT] > 0);
    CHECK(m.value[KB_AXIS_HORIZONTAL] > 0);
    CHECK(m.value[KB_AXIS_VERTICAL] < 0);
    kb_move_init(&m);
    CHECK_INT_EQ(kb_motion_words("a cat blinks, panorama of zoomies", &m), 0);
    CHECK_INT_EQ(kb_motion_words(NULL, &m), 0);
    kb_motion_default(&m);
    CHECK(m.value[KB_AXIS_ZOOM] < 0); /* a gentle zoom in */
}

/* Parses request text into opts; returns kb_options_parse's result. */
static int parse(const char *text, struct kb_options *opts, char **err)
{
    cJSON *req = cJSON_Parse(text);
    int rc;

    CHECK(req != NULL);
    rc = kb_options_parse(req, opts, err);
    cJSON_Delete(req);
    return rc;
}

static void test_options(void)
{
    struct kb_options o;
    char *err = NULL;

    /* Defaults: 5 s, 24 fps, 720p 16:9, a gentle zoom in. */
    CHECK_INT_EQ(parse("{}", &o, &err), 0);
    CHECK_INT_EQ(o.frames, 120);
    CHECK_INT_EQ(o.width, 1280);
    CHECK_INT_EQ(o.height, 720);
    CHECK(o.move.value[KB_AXIS_ZOOM] < 0);
    CHECK(!o.pad);
    kb_options_release(&o);
    /* NTSC rates stay exact; 1080p at 21:9. */
    CHECK_INT_EQ(parse("{\"fps\": 23.976, \"duration\": \"10\", "
                       "\"resolution\": \"1080p\", \"aspectRatio\": "
                       "\"21:9\"}",
                       &o, &err),
                 0);
    CHECK_INT_EQ(o.fps_num, 24000);
    CHECK_INT_EQ(o.fps_den, 1001);
    CHECK_INT_EQ(o.frames, 240);
    CHECK_INT_EQ(o.width, 2520);
    CHECK_INT_EQ(o.height, 1080);
    kb_options_release(&o);
    /* A cloud vendor's options preview offline; local wins over them. */
    CHECK_INT_EQ(parse("{\"providerOptions\": {\"klingai\": "
                       "{\"cameraControl\": {\"type\": \"simple\", "
                       "\"config\": {\"pan\": -4}}, \"imageTail\": "
                       "\"end.png\", \"staticMask\": \"m.png\"}}, "
                       "\"prompt\": \"zoom out\"}",
                       &o, &err),
                 0);
    CHECK_DBL_NEAR(o.move.value[KB_AXIS_PAN], -4, 1e-12);
    CHECK_DBL_NEAR(o.move.value[KB_AXIS_ZOOM], 0, 1e-12);
    CHECK_STR_EQ(o.tail, "end.png");
    CHECK_STR_EQ(o.mask, "m.png");
    kb_options_release(&o);
    CHECK_INT_EQ(parse("{\"providerOptions\": {\"local\": {}, \"klingai\": "
                       "{\"imageTail\": \"end.png\"}}, \"prompt\": "
                       "{\"text\": \"tilt down\"}}",
                       &o, &err),
                 0);
    CHECK(o.tail == NULL);
    CHECK(o.move.value[KB_AXIS_TILT] < 0);
    kb_options_release(&o);
    /* Veo's lastFrameImage and resizeMode. */
    CHECK_INT_EQ(parse("{\"providerOptions\": {\"vertex\": "
                       "{\"lastFrameImage\": \"b.jpg\", \"resizeMode\": "
                       "\"pad\"}}}",
                       &o, &err),
                 0);
    CHECK_STR_EQ(o.tail, "b.jpg");
    CHECK_STR_EQ(o.tail_field, "lastFrameImage");
    CHECK(o.pad);
    kb_options_release(&o);
    /* Defensive: wrong values name their field. */
    CHECK_INT_EQ(parse("{\"resolution\": \"huge\"}", &o, &err), -EINVAL);
    CHECK_STR_CONTAINS(err, "resolution");
    free(err);
    err = NULL;
    kb_options_release(&o);
    CHECK_INT_EQ(parse("{\"providerOptions\": {\"local\": "
                       "{\"cameraControl\": {\"type\": \"simple\", "
                       "\"config\": {\"zoom\": 11}}}}}",
                       &o, &err),
                 -EINVAL);
    CHECK_STR_CONTAINS(err, "cameraControl.config.zoom");
    free(err);
    kb_options_release(&o);
}

/* ---- renders ---- */

#define SMALL "\"resolution\": \"320x180\", \"duration\": 1, \"fps\": 12"

static void test_render_probes_as_h264_high(void)
{
    char *dir = scratch(), *err = NULL, *out;
    struct probe_info info;
    struct progress prog = { 0 };

    CHECK(dir != NULL);
    CHECK_INT_EQ(write_image_in(dir, "photo.jpg", "mjpeg", 640, 480,
                                paint_texture, NULL, 0),
                 0);
    CHECK_INT_EQ(render(dir, "photo.jpg", "{" SMALL "}", &err, &prog, NULL), 0);
    CHECK(err == NULL);
    CHECK(prog.calls > 1);
    CHECK_INT_EQ(prog.last, 100);
    out = path_in(dir, "out.mp4");
    CHECK_INT_EQ(probe_video(out, &info, &err), 0);
    CHECK_STR_EQ(info.codec, "h264");
    CHECK_STR_EQ(info.profile, "High");
    CHECK_STR_EQ(info.pix_fmt, "yuv420p");
    CHECK_INT_EQ(info.width, 320);
    CHECK_INT_EQ(info.height, 180);
    CHECK_INT_EQ(info.frames, 12);
    CHECK_DBL_NEAR(info.fps, 12, 1e-6);
    CHECK_DBL_NEAR(info.duration_s, 1.0, 0.01);
    CHECK(info.bytes > 1000);
    free(out);
    free(err);
    rm_scratch(dir);
}

/* Renders photo with request and checks the probed size and frames. */
static void check_render_size(const char *dir, const char *photo,
                              const char *request, int w, int h, int frames)
{
    char *err = NULL, *out = path_in(dir, "out.mp4");
    struct probe_info info;

    CHECK_INT_EQ(render(dir, photo, request, &err, NULL, NULL), 0);
    if (err) {
        fprintf(stderr, "render: %s\n", err);
    }
    free(err);
    err = NULL;
    CHECK_INT_EQ(probe_video(out, &info, &err), 0);
    CHECK_INT_EQ(info.width, w);
    CHECK_INT_EQ(info.height, h);
    CHECK_INT_EQ(info.frames, frames);
    free(err);
    free(out);
}

static void test_resolution_and_aspect_ratio(void)
{
    char *dir = scratch();

    CHECK_INT_EQ(
        write_image_in(dir, "p.png", "png", 300, 500, paint_texture, NULL, 0),
        0);
    check_render_size(dir, "p.png",
                      "{\"resolution\": \"480p\", \"aspectRatio\": \"9:16\", "
                      "\"duration\": 1, \"fps\": 4}",
                      480, 854, 4);
    check_render_size(dir, "p.png",
                      "{\"resolution\": \"480p\", \"aspectRatio\": \"1:1\", "
                      "\"duration\": 2, \"fps\": 3}",
                      480, 480, 6);
    /* A portrait photo letterboxed into 16:9, options under klingai. */
    check_render_size(dir, "p.png",
                      "{\"resolution\": \"480p\", \"duration\": 1, \"fps\": 5,"
                      " \"providerOptions\": {\"vertex\": {\"resizeMode\": "
                      "\"pad\"}}}",
                      854, 480, 5);
    check_render_size(dir, "p.png",
                      "{\"resolution\": \"98x50\", \"duration\": 1.5, \"fps\": "
                      "10, \"prompt\": {\"text\": \"pan right\"}}",
                      98, 50, 15);
    rm_scratch(dir);
}

/* A JPEG APP1 segment with EXIF Orientation = 6 (rotate 90° clockwise). */
static const uint8_t exif_rotate_cw[] = {
    0xff, 0xe1, 0x00, 0x22, 'E',  'x',  'i',  'f',  0x00, 0x00, 'M',  'M',
    0x00, 0x2a, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x01, 0x12, 0x00, 0x03,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void test_exif_orientation_is_respected(void)
{
    char *dir = scratch(), *err = NULL;
    char *path = path_in(dir, "rot.jpg");
    struct kb_picture pic;
    struct kb_image img;

    CHECK_INT_EQ(write_image(path, "mjpeg", 64, 32, paint_halves,
                             exif_rotate_cw, sizeof(exif_rotate_cw)),
                 0);
    CHECK_INT_EQ(kb_decode_file(path, "rot.jpg", &pic, &err), 0);
    CHECK_INT_EQ(pic.orientation, 6);
    CHECK_INT_EQ(pic.width, 32); /* portrait, as a camera shows it */
    CHECK_INT_EQ(pic.height, 64);
    CHECK_INT_EQ(kb_picture_convert(&pic, 32, 64, 3, &img, &err), 0);
    /* The stored left (white) half is now on top. */
    const struct kb_plane *y = &img.plane[0];
    CHECK(y->data[8 * y->stride + 16] > 200);
    CHECK(y->data[56 * y->stride + 16] < 40);
    kb_image_release(&img);
    kb_picture_release(&pic);
    /* And a render of it picks a portrait canvas: 9:16 output is filled. */
    check_render_size(dir, "rot.jpg",
                      "{\"resolution\": \"90x160\", \"duration\": 1, \"fps\": "
                      "2}",
                      90, 160, 2);
    free(err);
    free(path);
    rm_scratch(dir);
}

static void test_webp_input(void)
{
    char *dir = scratch();

    if (!avcodec_find_encoder_by_name("libwebp")) {
        rm_scratch(dir);
        return;
    }
    CHECK_INT_EQ(write_image_in(dir, "w.webp", "libwebp", 200, 120,
                                paint_texture, NULL, 0),
                 0);
    check_render_size(dir, "w.webp", "{" SMALL "}", 320, 180, 12);
    rm_scratch(dir);
}

static void test_image_tail_ends_on_the_tail(void)
{
    char *dir = scratch(), *err = NULL, *out = path_in(dir, "out.mp4");
    struct lumas l;
    struct kb_picture pic;
    struct kb_image tail;

    CHECK_INT_EQ(
        write_image_in(dir, "a.png", "png", 640, 360, paint_dark, NULL, 0), 0);
    CHECK_INT_EQ(
        write_image_in(dir, "end.png", "png", 640, 360, paint_bright, NULL, 0),
        0);
    CHECK_INT_EQ(render(dir, "a.png",
                        "{" SMALL ", \"providerOptions\": {\"klingai\": "
                        "{\"imageTail\": \"end.png\"}}}",
                        &err, NULL, NULL),
                 0);
    CHECK_INT_EQ(decode_lumas(out, &l), 0);
    CHECK_INT_EQ(l.count, 12);
    /* The tail as framed at the start: the same picture, 320 × 180. */
    char *tail_path = path_in(dir, "end.png");
    CHECK_INT_EQ(kb_decode_file(tail_path, "end.png", &pic, &err), 0);
    CHECK_INT_EQ(kb_picture_convert(&pic, 320, 180, 3, &tail, &err), 0);
    double last = 0, first = 0;
    for (int y = 0; y < 180; y++) {
        for (int x = 0; x < 320; x++) {
            int t = tail.plane[0].data[y * tail.plane[0].stride + x];
            last += abs(l.last[y * 320 + x] - t);
            first += abs(l.first[y * 320 + x] - t);
        }
    }
    last /= 320 * 180;
    first /= 320 * 180;
    CHECK(last < 4);
    CHECK(first > 100); /* it starts on the dark photo */
    kb_image_release(&tail);
    kb_picture_release(&pic);
    lumas_free(&l);
    free(tail_path);
    free(out);
    free(err);
    rm_scratch(dir);
}

static void test_static_mask_holds_its_region_still(void)
{
    char *dir = scratch(), *err = NULL, *out = path_in(dir, "out.mp4");
    struct lumas l;

    CHECK_INT_EQ(
        write_image_in(dir, "a.png", "png", 640, 360, paint_texture, NULL, 0),
        0);
    CHECK_INT_EQ(write_image_in(dir, "mask.png", "png", 640, 360,
                                paint_mask_left, NULL, 0),
                 0);
    CHECK_INT_EQ(render(dir, "a.png",
                        "{" SMALL ", \"providerOptions\": {\"local\": "
                        "{\"staticMask\": \"mask.png\", \"cameraControl\": "
                        "{\"type\": \"simple\", \"config\": {\"horizontal\": "
                        "10}}}}}",
                        &err, NULL, NULL),
                 0);
    CHECK(err == NULL);
    CHECK_INT_EQ(decode_lumas(out, &l), 0);
    /* Left third (static) holds; right third (moving) changes. */
    double still = mean_diff(l.first, l.last, 320, 8, 8, 130, 172);
    double moving = mean_diff(l.first, l.last, 320, 190, 8, 312, 172);
    CHECK(still < 3);
    CHECK(moving > 10);
    lumas_free(&l);
    free(out);
    free(err);
    rm_scratch(dir);
}

static void test_errors_are_one_clear_line(void)
{
    char *dir = scratch(), *err = NULL;

    char *notes = path_in(dir, "notes.png");
    write_text(notes, "just some text, not a picture\n");
    free(notes);
    CHECK_INT_EQ(render(dir, "notes.png", "{" SMALL "}", &err, NULL, NULL),
                 -EINVAL);
    CHECK_STR_EQ(err, "notes.png is not an image i2vfs can read (JPEG, PNG "
                      "or WebP)");
    free(err);
    err = NULL;

    CHECK_INT_EQ(
        write_image_in(dir, "a.png", "png", 64, 64, paint_texture, NULL, 0), 0);
    CHECK_INT_EQ(render(dir, "a.png",
                        "{" SMALL ", \"providerOptions\": {\"klingai\": "
                        "{\"imageTail\": \"end.png\"}}}",
                        &err, NULL, NULL),
                 -ENOENT);
    CHECK_STR_EQ(err, "imageTail end.png: no such file in this folder");
    free(err);
    err = NULL;

    CHECK_INT_EQ(render(dir, "a.png",
                        "{" SMALL ", \"providerOptions\": {\"local\": "
                        "{\"staticMask\": \"../x.png\"}}}",
                        &err, NULL, NULL),
                 -EINVAL);
    CHECK_STR_CONTAINS(err, "staticMask \"../x.png\"");
    CHECK_STR_CONTAINS(err, "no '/'");
    CHECK(err && !strchr(err, '\n'));
    free(err);
    err = NULL;

    CHECK_INT_EQ(render(dir, "a.png",
                        "{" SMALL ", \"providerOptions\": {\"local\": "
                        "{\"imageTail\": \"/etc/passwd\"}}}",
                        &err, NULL, NULL),
                 -EINVAL);
    free(err);
    err = NULL;

    /* A PNG whose header claims 20000 × 20000: refused before decoding. */
    static const uint8_t bomb[] = {
        0x89, 'P', 'N',  'G',  '\r', '\n', 0x1a, '\n', 0,    0,
        0,    13,  'I',  'H',  'D',  'R',  0,    0,    0x4e, 0x20,
        0,    0,   0x4e, 0x20, 8,    2,    0,    0,    0,
    };
    char *bomb_path = path_in(dir, "huge.png");
    FILE *f = fopen(bomb_path, "wb");
    CHECK(f != NULL);
    if (f) {
        fwrite(bomb, 1, sizeof(bomb), f);
        fclose(f);
    }
    CHECK_INT_EQ(render(dir, "huge.png", "{" SMALL "}", &err, NULL, NULL),
                 -EFBIG);
    CHECK_STR_EQ(err, "huge.png: image is 20000×20000; the largest supported "
                      "is 16384 px per side");
    free(err);
    err = NULL;

    CHECK_INT_EQ(render(dir, "missing.jpg", "{" SMALL "}", &err, NULL, NULL),
                 -ENOENT);
    CHECK_STR_CONTAINS(err, "missing.jpg");
    free(err);
    err = NULL;

    /* Out-of-range values that slipped past validation are still refused. */
    CHECK_INT_EQ(render(dir, "a.png",
                        "{\"duration\": 99, \"resolution\": \"320x180\"}", &err,
                        NULL, NULL),
                 -EINVAL);
    CHECK_STR_CONTAINS(err, "duration");
    free(err);
    free(bomb_path);
    rm_scratch(dir);
}

static void test_odd_tiny_and_truncated_inputs(void)
{
    char *dir = scratch(), *err = NULL;

    CHECK_INT_EQ(
        write_image_in(dir, "dot.png", "png", 1, 1, paint_bright, NULL, 0), 0);
    check_render_size(dir, "dot.png", "{" SMALL "}", 320, 180, 12);
    CHECK_INT_EQ(write_image_in(dir, "odd.jpg", "mjpeg", 301, 201,
                                paint_texture, NULL, 0),
                 0);
    check_render_size(dir, "odd.jpg",
                      "{\"resolution\": \"66x38\", \"duration\": 1, \"fps\": "
                      "3, \"providerOptions\": {\"local\": {\"resizeMode\": "
                      "\"pad\", \"padBackground\": \"blur\", "
                      "\"cameraControl\": {\"type\": \"forward_up\"}}}}",
                      66, 38, 3);
    /* The first 300 bytes of a JPEG: a header, then nothing. */
    char *full = path_in(dir, "odd.jpg"), *cut = path_in(dir, "cut.jpg");
    FILE *in = fopen(full, "rb"), *out = fopen(cut, "wb");
    char buf[300];
    CHECK(in && out);
    if (in && out) {
        size_t n = fread(buf, 1, sizeof(buf), in);
        fwrite(buf, 1, n, out);
    }
    if (in) {
        fclose(in);
    }
    if (out) {
        fclose(out);
    }
    /* A decoder would conceal the missing part in gray: refused instead. */
    int rc = render(dir, "cut.jpg", "{" SMALL "}", &err, NULL, NULL);
    CHECK_INT_EQ(rc, -EINVAL);
    CHECK_STR_CONTAINS(err, "cut.jpg is cut short");
    free(err);
    err = NULL;
    /* Past the 50 MB cap (sparse: no disk is used). */
    char *huge = path_in(dir, "huge.jpg");
    CHECK(truncate(huge, 0) != 0); /* not there yet */
    out = fopen(huge, "wb");
    CHECK(out != NULL);
    if (out) {
        fwrite(buf, 1, sizeof(buf), out);
        fclose(out);
    }
    CHECK_INT_EQ(truncate(huge, (50LL << 20) + 1), 0);
    rc = render(dir, "huge.jpg", "{" SMALL "}", &err, NULL, NULL);
    CHECK(rc < 0);
    CHECK_STR_CONTAINS(err, "huge.jpg is larger than 50 MB");
    free(huge);
    free(err);
    free(full);
    free(cut);
    rm_scratch(dir);
}

/* A whole JPEG ends with its end-of-image marker; a cut one does not. */
static void test_jpeg_completeness(void)
{
    char *dir = scratch();
    char *path = path_in(dir, "whole.jpg");
    static unsigned char data[1 << 20];
    size_t n = 0;
    FILE *f;

    CHECK_INT_EQ(write_image_in(dir, "whole.jpg", "mjpeg", 320, 240,
                                paint_texture, NULL, 0),
                 0);
    f = fopen(path, "rb");
    CHECK(f != NULL);
    if (f) {
        n = fread(data, 1, sizeof(data) - 16, f);
        fclose(f);
    }
    CHECK(n > 1000);
    CHECK(kb_imghdr_jpeg_is_complete(data, n));
    memcpy(data + n, "trailing bytes", 14); /* as some cameras append */
    CHECK(kb_imghdr_jpeg_is_complete(data, n + 14));
    CHECK(!kb_imghdr_jpeg_is_complete(data, n - 2));
    CHECK(!kb_imghdr_jpeg_is_complete(data, n / 2));
    CHECK(!kb_imghdr_jpeg_is_complete(data, 300));
    CHECK(!kb_imghdr_jpeg_is_complete(data, 2));
    free(path);
    rm_scratch(dir);
}

/*
 * Found by tests/fuzz/fuzz_imghdr: a WebP whose VP8X header says 1x1 in
 * front of a 1000x1000 image passed the header's size check, and the
 * decoder made the large picture anyway. It must be refused.
 */
static void test_header_that_lies_about_the_size(void)
{
    char *dir = scratch(), *err = NULL;
    char *real = path_in(dir, "real.webp"), *lie = path_in(dir, "lie.webp");
    static const uint8_t vp8x[] = { 'V', 'P', '8', 'X', 10, 0, 0, 0, 0,
                                    0,   0,   0,   0,   0,  0, 0, 0, 0 };
    uint8_t data[1 << 16];
    struct kb_picture pic;
    size_t n = 0;
    FILE *f;

    if (!avcodec_find_encoder_by_name("libwebp")) {
        rm_scratch(dir);
        free(real);
        free(lie);
        return;
    }
    CHECK_INT_EQ(write_image_in(dir, "real.webp", "libwebp", 1000, 1000,
                                paint_dark, NULL, 0),
                 0);
    f = fopen(real, "rb");
    CHECK(f != NULL);
    if (f) {
        n = fread(data, 1, sizeof(data), f);
        fclose(f);
    }
    CHECK(n > 12 && n < sizeof(data) && memcmp(data + 8, "WEBP", 4) == 0);
    f = fopen(lie, "wb");
    CHECK(f != NULL);
    if (f && n > 12) {
        uint32_t riff = (uint32_t)(n - 8 + sizeof(vp8x));
        uint8_t size_le[4] = { riff & 0xff, (riff >> 8) & 0xff,
                               (riff >> 16) & 0xff, riff >> 24 };

        fwrite("RIFF", 1, 4, f);
        fwrite(size_le, 1, 4, f);
        fwrite("WEBP", 1, 4, f);
        fwrite(vp8x, 1, sizeof(vp8x), f);
        fwrite(data + 12, 1, n - 12, f);
        fclose(f);
    }
    CHECK_INT_EQ(kb_decode_file(real, "real.webp", &pic, &err), 0);
    CHECK_INT_EQ(pic.width, 1000);
    kb_picture_release(&pic);
    free(err);
    err = NULL;
    CHECK_INT_EQ(kb_decode_file(lie, "lie.webp", &pic, &err), -EINVAL);
    CHECK_STR_CONTAINS(err, "lie.webp is damaged");
    kb_picture_release(&pic);
    free(err);
    free(real);
    free(lie);
    rm_scratch(dir);
}

static void test_large_photos_are_shrunk_to_what_the_move_shows(void)
{
    struct kb_move m;
    struct kb_camera cam;

    /* A 4K photo into 1080p, zooming in: 2 photo px per output px. */
    kb_move_init(&m);
    m.value[KB_AXIS_ZOOM] = -10;
    kb_camera_init(&cam, &m, 1920, 1080, 3840, 2160);
    CHECK_DBL_NEAR(kb_camera_max_density(&cam), 2, 0.01);
    /* Zooming out shows the whole photo at the end: the same density. */
    m.value[KB_AXIS_ZOOM] = 10;
    kb_camera_init(&cam, &m, 1920, 1080, 3840, 2160);
    CHECK_DBL_NEAR(kb_camera_max_density(&cam), 2, 0.01);
    CHECK(cam.extra_zoom > 1.59 && cam.extra_zoom < 1.61);
}

static void test_cancel_stops_between_frames(void)
{
    char *dir = scratch(), *err = NULL;
    atomic_bool cancel = false;
    struct progress prog = { .cancel_at_first = &cancel };

    CHECK_INT_EQ(
        write_image_in(dir, "a.jpg", "mjpeg", 320, 180, paint_texture, NULL, 0),
        0);
    CHECK_INT_EQ(render(dir, "a.jpg",
                        "{\"resolution\": \"320x180\", \"duration\": 10, "
                        "\"fps\": 24}",
                        &err, &prog, &cancel),
                 -ECANCELED);
    CHECK(err == NULL);
    CHECK(prog.calls >= 1 && prog.calls < 50);
    /* Canceled before it starts: nothing is rendered. */
    prog.calls = 0;
    CHECK_INT_EQ(render(dir, "a.jpg", "{" SMALL "}", &err, &prog, &cancel),
                 -ECANCELED);
    CHECK_INT_EQ(prog.calls, 0);
    free(err);
    rm_scratch(dir);
}

CHECK_MAIN(CHECK_CASE(test_start_is_the_plain_framing),
           CHECK_CASE(test_eased_velocity_is_zero_at_both_ends),
           CHECK_CASE(test_pan_and_tilt_are_perspective_turns),
           CHECK_CASE(test_every_move_keeps_the_frame_covered),
           CHECK_CASE(test_motion_words), CHECK_CASE(test_options),
           CHECK_CASE(test_render_probes_as_h264_high),
           CHECK_CASE(test_resolution_and_aspect_ratio),
           CHECK_CASE(test_exif_orientation_is_respected),
           CHECK_CASE(test_webp_input),
           CHECK_CASE(test_image_tail_ends_on_the_tail),
           CHECK_CASE(test_static_mask_holds_its_region_still),
           CHECK_CASE(test_errors_are_one_clear_line),
           CHECK_CASE(test_odd_tiny_and_truncated_inputs),
           CHECK_CASE(test_header_that_lies_about_the_size),
           CHECK_CASE(test_jpeg_completeness),
           CHECK_CASE(test_large_photos_are_shrunk_to_what_the_move_shows),
           CHECK_CASE(test_cancel_stops_between_frames))
