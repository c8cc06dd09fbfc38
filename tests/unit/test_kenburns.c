/*
 * Unit tests for the geometry of the offline renderer: the camera, its
 * easing, coverage of the frame, motion words and request options.
 */
#include "tests/unit/kenburns_fixture.h"

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

CHECK_MAIN(CHECK_CASE(test_start_is_the_plain_framing),
           CHECK_CASE(test_eased_velocity_is_zero_at_both_ends),
           CHECK_CASE(test_pan_and_tilt_are_perspective_turns),
           CHECK_CASE(test_every_move_keeps_the_frame_covered),
           CHECK_CASE(test_motion_words), CHECK_CASE(test_options))
