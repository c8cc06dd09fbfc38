/*
 * Helpers of the renderer unit tests (test_kenburns*.c): a scratch folder,
 * synthetic photos, renders, and decoding their frames.
 */
#ifndef TESTS_UNIT_KENBURNS_FIXTURE_H
#define TESTS_UNIT_KENBURNS_FIXTURE_H

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

static inline char *scratch(void)
{
    char tmpl[] = "/tmp/test_kenburns.XXXXXX";
    char *dir = mkdtemp(tmpl);

    av_log_set_level(AV_LOG_ERROR);
    return dir ? xstrdup(dir) : NULL;
}

static inline void rm_scratch(char *dir)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
    free(cmd);
    free(dir);
}

typedef void (*paint_fn)(int x, int y, uint8_t rgb[3]);

/* A detailed, smooth texture: sampling errors show up in it. */
static inline void paint_texture(int x, int y, uint8_t rgb[3])
{
    double v = 128 + 60 * sin(x * 0.21) * cos(y * 0.17) +
               40 * sin((x + 2 * y) * 0.033);
    rgb[0] = (uint8_t)v;
    rgb[1] = (uint8_t)(255 - v);
    rgb[2] = (uint8_t)((x * 3 + y) & 255);
}

static inline void paint_dark(int x, int y, uint8_t rgb[3])
{
    rgb[0] = rgb[1] = rgb[2] = (uint8_t)(20 + (x + y) % 20);
}

static inline void paint_bright(int x, int y, uint8_t rgb[3])
{
    rgb[0] = (uint8_t)(200 + (x % 40));
    rgb[1] = (uint8_t)(180 + (y % 50));
    rgb[2] = 230;
}

static inline char *path_in(const char *dir, const char *name)
{
    return xasprintf("%s/%s", dir, name);
}

/* Encodes one w × h frame painted by paint with encoder codec_name. */
static inline int write_image(const char *path, const char *codec_name, int w,
                              int h, paint_fn paint, const uint8_t *app1,
                              size_t app1_len)
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
static inline int write_image_in(const char *dir, const char *name,
                                 const char *codec_name, int w, int h,
                                 paint_fn paint, const uint8_t *app1,
                                 size_t app1_len)
{
    char *path = path_in(dir, name);
    int rc = write_image(path, codec_name, w, h, paint, app1, app1_len);

    free(path);
    return rc;
}

struct progress {
    int calls, last;
    atomic_bool *cancel_at_first;
};

static inline void progress_cb(void *arg, int percent)
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
static inline int render(const char *dir, const char *image,
                         const char *request, char **err, struct progress *prog,
                         const atomic_bool *cancel)
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

/* The small render most tests use: fast, and enough to probe. */
#define SMALL "\"resolution\": \"320x180\", \"duration\": 1, \"fps\": 12"

/* Renders photo with request and checks the probed size and frames. */
static inline void check_render_size(const char *dir, const char *photo,
                                     const char *request, int w, int h,
                                     int frames)
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

#endif
