/*
 * Helper of scripts/bench.sh (make bench), never part of make test:
 *   bench_render render SRC OUT   the i2vfs renderer, end to end
 *   bench_render floor SRC OUT    the same frames rendered in advance,
 *                                 then timed through the encoder alone
 *   bench_render jitter SRC MP4   RMS wobble (px) of each frame's fitted
 *                                 zoom and position around a smooth path
 * Each prints one line: "seconds S" or "jitter_px J".
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#include "core/mem.h"
#include "providers/local/camera.h"
#include "providers/local/decode.h"
#include "providers/local/encode.h"
#include "providers/local/image.h"
#include "providers/local/kenburns.h"
#include "providers/local/options.h"
#include "providers/local/sample.h"

/* 5 s of 1080p at 24 fps, zooming in 1.6× with eased timing. */
static const char *const request_text =
    "{\"resolution\": \"1080p\", \"aspectRatio\": \"16:9\", \"duration\": 5, "
    "\"fps\": 24, \"providerOptions\": {\"local\": {\"cameraControl\": "
    "{\"type\": \"simple\", \"config\": {\"zoom\": -10}}}}}";

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int die(const char *what, const char *err)
{
    fprintf(stderr, "bench_render: %s: %s\n", what, err ? err : "failed");
    return 1;
}

static int cmd_render(const char *src, const char *out)
{
    cJSON *req = cJSON_Parse(request_text);
    const struct kenburns_job job = {
        .image_path = src, .asset_dir = "/", .request = req, .out_path = out
    };
    char *err = NULL;
    double t0 = now_s();
    int rc = kenburns_render(&job, NULL, NULL, NULL, &err);
    double t1 = now_s();

    cJSON_Delete(req);
    if (rc != 0) {
        return die("render", err);
    }
    printf("seconds %.4f\n", t1 - t0);
    return 0;
}

/* The source as the renderer samples it: W × H yuv420p. */
static int load_source(const char *src, int w, int h, struct kb_image *img)
{
    struct kb_picture pic;
    char *err = NULL;
    int rc = kb_decode_file(src, "source", &pic, &err);

    if (rc == 0) {
        rc = kb_picture_convert(&pic, w, h, 3, img, &err);
    }
    kb_picture_release(&pic);
    if (rc != 0) {
        die("source", err);
    }
    free(err);
    return rc;
}

static int cmd_floor(const char *src, const char *out)
{
    cJSON *req = cJSON_Parse(request_text);
    struct kb_options o;
    struct kb_image img;
    struct kb_camera cam;
    struct kb_encoder *enc = NULL;
    char *err = NULL;
    int rc = kb_options_parse(req, &o, &err);

    cJSON_Delete(req);
    if (rc != 0 || load_source(src, o.width, o.height, &img) != 0) {
        return die("options", err);
    }
    kb_camera_init(&cam, &o.move, o.width, o.height, img.width, img.height);
    rc = kb_encoder_open(&enc, out, o.width, o.height,
                         (AVRational){ o.fps_num, o.fps_den }, &err);
    if (rc != 0) {
        return die("encoder", err);
    }
    AVFrame **frames = xcalloc((size_t)o.frames, sizeof(*frames));
    for (int i = 0; i < o.frames; i++) {
        frames[i] = kb_encoder_frame(enc);
        memset(frames[i]->data[0], 0,
               (size_t)frames[i]->linesize[0] * o.height);
        memset(frames[i]->data[1], 0,
               (size_t)frames[i]->linesize[1] * o.height / 2);
        memset(frames[i]->data[2], 0,
               (size_t)frames[i]->linesize[2] * o.height / 2);
    }
    double ts = now_s();
    for (int i = 0; i < o.frames; i++) {
        double m[9];
        kb_camera_at(&cam, o.frames > 1 ? (double)i / (o.frames - 1) : 0, m);
        kb_sample_image(&img, m, frames[i]->data, frames[i]->linesize, o.width,
                        o.height);
    }
    double t0 = now_s();
    fprintf(stderr, "sampling %.4f s\n", t0 - ts);
    for (int i = 0; i < o.frames && rc == 0; i++) {
        rc = kb_encoder_write(enc, frames[i], &err);
    }
    if (rc == 0) {
        rc = kb_encoder_finish(enc, &err);
    }
    double t1 = now_s();
    for (int i = 0; i < o.frames; i++) {
        av_frame_free(&frames[i]);
    }
    free(frames);
    kb_encoder_free(enc);
    kb_image_release(&img);
    kb_options_release(&o);
    if (rc != 0) {
        return die("encode", err);
    }
    printf("seconds %.4f\n", t1 - t0);
    return 0;
}

/* ---- jitter: fit each frame's zoom and position against the source ---- */

struct gray {
    int w, h;
    double *px;
};

static double at(const struct gray *g, double u, double v)
{
    if (u < 0) {
        u = 0;
    }
    if (v < 0) {
        v = 0;
    }
    if (u > g->w - 1.001) {
        u = g->w - 1.001;
    }
    if (v > g->h - 1.001) {
        v = g->h - 1.001;
    }
    int x = (int)u, y = (int)v;
    double fx = u - x, fy = v - y;
    const double *p = g->px + (size_t)y * g->w + x;
    return (p[0] * (1 - fx) + p[1] * fx) * (1 - fy) +
           (p[g->w] * (1 - fx) + p[g->w + 1] * fx) * fy;
}

/* A little blur makes the fit's cost smooth (sub-pixel accurate). */
static void blur(struct gray *g)
{
    double *tmp = xmalloc(sizeof(double) * (size_t)g->w * g->h);
    static const double k[5] = { 1 / 16.0, 4 / 16.0, 6 / 16.0, 4 / 16.0,
                                 1 / 16.0 };

    for (int pass = 0; pass < 2; pass++) {
        for (int y = 0; y < g->h; y++) {
            for (int x = 0; x < g->w; x++) {
                double s = 0;
                for (int i = -2; i <= 2; i++) {
                    int xx = pass ? x : x + i, yy = pass ? y + i : y;
                    xx = xx < 0 ? 0 : xx >= g->w ? g->w - 1 : xx;
                    yy = yy < 0 ? 0 : yy >= g->h ? g->h - 1 : yy;
                    s += k[i + 2] * g->px[(size_t)yy * g->w + xx];
                }
                tmp[(size_t)y * g->w + x] = s;
            }
        }
        memcpy(g->px, tmp, sizeof(double) * (size_t)g->w * g->h);
    }
    free(tmp);
}

/* Frame parameters: source point at the frame centre, source px per px. */
struct fit {
    double cx, cy, s;
};

/* Gauss-Newton on a grid of points: frame(x,y) ≈ a·src(u,v) + b. */
static void fit_frame(const struct gray *src, const struct gray *fr,
                      struct fit *f)
{
    for (int iter = 0; iter < 12; iter++) {
        double jtj[5][5] = { { 0 } }, jtr[5] = { 0 };
        for (int y = 24; y < fr->h - 24; y += 4) {
            for (int x = 24; x < fr->w - 24; x += 4) {
                double dx = x + 0.5 - fr->w / 2.0, dy = y + 0.5 - fr->h / 2.0;
                double u = f->cx + dx * f->s - 0.5, v = f->cy + dy * f->s - 0.5;
                double val = at(src, u, v);
                double gu = (at(src, u + 0.5, v) - at(src, u - 0.5, v));
                double gv = (at(src, u, v + 0.5) - at(src, u, v - 0.5));
                double j[5] = { gu, gv, gu * dx + gv * dy, val, 1 };
                double r = fr->px[(size_t)y * fr->w + x] - val;
                for (int a = 0; a < 5; a++) {
                    jtr[a] += j[a] * r;
                    for (int b = 0; b < 5; b++) {
                        jtj[a][b] += j[a] * j[b];
                    }
                }
            }
        }
        /* Solve jtj · d = jtr (Gaussian elimination, 5 × 5). */
        double d[5];
        for (int c = 0; c < 5; c++) {
            for (int r2 = c + 1; r2 < 5; r2++) {
                double k = jtj[r2][c] / jtj[c][c];
                for (int c2 = c; c2 < 5; c2++) {
                    jtj[r2][c2] -= k * jtj[c][c2];
                }
                jtr[r2] -= k * jtr[c];
            }
        }
        for (int c = 4; c >= 0; c--) {
            double s = jtr[c];
            for (int c2 = c + 1; c2 < 5; c2++) {
                s -= jtj[c][c2] * d[c2];
            }
            d[c] = s / jtj[c][c];
        }
        f->cx += d[0];
        f->cy += d[1];
        f->s += d[2];
        if (fabs(d[0]) + fabs(d[1]) + fabs(d[2]) * 1000 < 1e-5) {
            break;
        }
    }
}

/* Least-squares polynomial (degree deg) through y[0..n-1]; smooth out. */
static void smooth(const double *y, int n, int deg, double *out)
{
    double a[12][13] = { { 0 } };
    int m = deg + 1;

    for (int i = 0; i < n; i++) {
        double t = n > 1 ? 2.0 * i / (n - 1) - 1 : 0, p[12];
        p[0] = 1;
        for (int k = 1; k < m; k++) {
            p[k] = p[k - 1] * t;
        }
        for (int r = 0; r < m; r++) {
            for (int c = 0; c < m; c++) {
                a[r][c] += p[r] * p[c];
            }
            a[r][m] += p[r] * y[i];
        }
    }
    for (int c = 0; c < m; c++) {
        for (int r = c + 1; r < m; r++) {
            double k = a[r][c] / a[c][c];
            for (int c2 = c; c2 <= m; c2++) {
                a[r][c2] -= k * a[c][c2];
            }
        }
    }
    double coef[12];
    for (int c = m - 1; c >= 0; c--) {
        double s = a[c][m];
        for (int c2 = c + 1; c2 < m; c2++) {
            s -= a[c][c2] * coef[c2];
        }
        coef[c] = s / a[c][c];
    }
    for (int i = 0; i < n; i++) {
        double t = n > 1 ? 2.0 * i / (n - 1) - 1 : 0, v = 0;
        for (int k = m - 1; k >= 0; k--) {
            v = v * t + coef[k];
        }
        out[i] = v;
    }
}

static void to_gray(const AVFrame *f, struct gray *g)
{
    g->w = f->width;
    g->h = f->height;
    g->px = xmalloc(sizeof(double) * (size_t)g->w * g->h);
    for (int y = 0; y < g->h; y++) {
        for (int x = 0; x < g->w; x++) {
            g->px[(size_t)y * g->w + x] = f->data[0][y * f->linesize[0] + x];
        }
    }
}

static int cmd_jitter(const char *src_path, const char *video)
{
    struct kb_image img;
    struct gray src;
    AVFormatContext *fmt = NULL;
    AVCodecContext *c = NULL;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    struct fit f = { 960, 540, 1 };
    int n = 0, cap = 256;
    struct fit *fits = xcalloc((size_t)cap, sizeof(*fits));

    if (load_source(src_path, 1920, 1080, &img) != 0) {
        return 1;
    }
    src.w = img.width;
    src.h = img.height;
    src.px = xmalloc(sizeof(double) * (size_t)src.w * src.h);
    for (int y = 0; y < src.h; y++) {
        for (int x = 0; x < src.w; x++) {
            src.px[(size_t)y * src.w + x] =
                img.plane[0].data[y * img.plane[0].stride + x];
        }
    }
    kb_image_release(&img);
    blur(&src);
    if (avformat_open_input(&fmt, video, NULL, NULL) < 0 ||
        avformat_find_stream_info(fmt, NULL) < 0) {
        return die("open", video);
    }
    int idx = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    const AVCodec *dec =
        avcodec_find_decoder(fmt->streams[idx]->codecpar->codec_id);
    c = avcodec_alloc_context3(dec);
    avcodec_parameters_to_context(c, fmt->streams[idx]->codecpar);
    if (avcodec_open2(c, dec, NULL) < 0) {
        return die("decoder", video);
    }
    f.cx = src.w / 2.0;
    f.cy = src.h / 2.0;
    f.s = (double)src.w / c->width;
    for (bool eof = false; !eof;) {
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
            struct gray g;
            to_gray(frame, &g);
            blur(&g);
            fit_frame(&src, &g, &f);
            free(g.px);
            if (n == cap) {
                cap *= 2;
                fits = xrealloc(fits, sizeof(*fits) * (size_t)cap);
            }
            fits[n++] = f;
        }
    }
    /* Corner displacement (output px) between the fit and a smooth path. */
    double *cx = xmalloc(sizeof(double) * (size_t)n * 6);
    double *cy = cx + n, *s = cy + n, *scx = s + n, *scy = scx + n,
           *ss = scy + n;
    for (int i = 0; i < n; i++) {
        cx[i] = fits[i].cx;
        cy[i] = fits[i].cy;
        s[i] = fits[i].s;
    }
    if (getenv("BENCH_FITS")) {
        for (int i = 0; i < n; i++) {
            double t = n > 1 ? (double)i / (n - 1) : 0;
            double e = t * t * t * (t * (t * 6 - 15) + 10);
            fprintf(stderr, "%d %.4f %.4f %.6f truth_s %.6f\n", i, cx[i], cy[i],
                    s[i], pow(1.6, -e));
        }
    }
    /*
     * The smooth path: degree-7 least squares in time for the position
     * and for log zoom (an eased zoom is a polynomial in log zoom). The
     * wobble is the RMS, over frames and over every pixel of the frame,
     * of how far the fitted frame maps a pixel from where the path does:
     * a shift error counts fully, a zoom error by the pixel's distance
     * from the centre (mean square W^2/12 + H^2/12).
     */
    for (int i = 0; i < n; i++) {
        s[i] = log(s[i]);
    }
    smooth(cx, n, 7, scx);
    smooth(cy, n, 7, scy);
    smooth(s, n, 7, ss);
    double sum = 0;
    double r2 =
        ((double)c->width * c->width + (double)c->height * c->height) / 12;
    for (int i = 0; i < n; i++) {
        double scale = exp(s[i]);
        double eu = (cx[i] - scx[i]) / scale, ev = (cy[i] - scy[i]) / scale;
        double ez = exp(s[i] - ss[i]) - 1;
        sum += eu * eu + ev * ev + ez * ez * r2;
    }
    int count = n ? n : 1;
    for (int i = 0; i < n; i++) {
        s[i] = exp(s[i]);
    }
    printf("jitter_px %.4f frames %d zoom %.3f\n", sqrt(sum / count), n,
           n ? s[0] / s[n - 1] : 0);
    free(cx);
    free(fits);
    free(src.px);
    avcodec_free_context(&c);
    avformat_close_input(&fmt);
    av_frame_free(&frame);
    av_packet_free(&pkt);
    return 0;
}

int main(int argc, char **argv)
{
    av_log_set_level(AV_LOG_ERROR);
    if (argc == 4 && !strcmp(argv[1], "render")) {
        return cmd_render(argv[2], argv[3]);
    }
    if (argc == 4 && !strcmp(argv[1], "floor")) {
        return cmd_floor(argv[2], argv[3]);
    }
    if (argc == 4 && !strcmp(argv[1], "jitter")) {
        return cmd_jitter(argv[2], argv[3]);
    }
    fprintf(stderr, "usage: bench_render render|floor|jitter SRC OUT\n");
    return 2;
}
