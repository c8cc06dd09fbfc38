/*
 * Unit tests for renders of the offline renderer: small synthetic photos,
 * checked by probing and decoding the MP4 (never by comparing bytes).
 */
#include "tests/unit/kenburns_fixture.h"

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

CHECK_MAIN(CHECK_CASE(test_render_probes_as_h264_high),
           CHECK_CASE(test_resolution_and_aspect_ratio),
           CHECK_CASE(test_exif_orientation_is_respected),
           CHECK_CASE(test_webp_input),
           CHECK_CASE(test_image_tail_ends_on_the_tail),
           CHECK_CASE(test_static_mask_holds_its_region_still),
           CHECK_CASE(test_large_photos_are_shrunk_to_what_the_move_shows),
           CHECK_CASE(test_cancel_stops_between_frames))
