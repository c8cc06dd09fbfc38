/*
 * Camera geometry (see camera.h). The camera sits at distance 1 from the
 * picture plane: an output pixel becomes a ray (zoom, roll, tilt, pan), the
 * ray meets the plane, the camera's translation shifts the hit, and the
 * hit is scaled into source pixels.
 */
#include "providers/local/camera.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#define PI 3.14159265358979323846

/* Magnitudes at |value| = 10. */
#define SHIFT_AT_10 0.20 /* translation, fraction of the frame side */
#define TURN_AT_10  8.0  /* pan and tilt, degrees */
#define ROLL_AT_10  8.0  /* roll, degrees */
#define ZOOM_AT_10  1.6  /* zoom factor over the move */
#define COVER_STEPS 96   /* moments checked for coverage */
#define COVER_EDGE  16   /* points checked along each border */

void kb_move_init(struct kb_move *move)
{
    for (int i = 0; i < KB_AXIS_COUNT; i++) {
        move->value[i] = 0;
        move->start[i] = 0;
        move->end[i] = 1;
    }
}

static void set_axis(struct kb_move *move, enum kb_axis axis, double value,
                     double start, double end)
{
    move->value[axis] = value;
    move->start[axis] = start;
    move->end[axis] = end;
}

int kb_move_preset(struct kb_move *move, const char *name)
{
    kb_move_init(move);
    if (!strcmp(name, "down_back")) {
        set_axis(move, KB_AXIS_VERTICAL, -6, 0, 1);
        set_axis(move, KB_AXIS_ZOOM, 6, 0, 1);
    } else if (!strcmp(name, "forward_up")) {
        set_axis(move, KB_AXIS_ZOOM, -6, 0, 1);
        set_axis(move, KB_AXIS_TILT, 5, 0, 1);
    } else if (!strcmp(name, "right_turn_forward") ||
               !strcmp(name, "left_turn_forward")) {
        double dir = name[0] == 'r' ? 1 : -1;
        set_axis(move, KB_AXIS_PAN, 6 * dir, 0, 0.6);
        set_axis(move, KB_AXIS_ZOOM, -6, 0.4, 1);
    } else {
        return -EINVAL;
    }
    return 0;
}

double kb_ease(double t)
{
    if (t <= 0) {
        return 0;
    }
    if (t >= 1) {
        return 1;
    }
    return t * t * t * (t * (t * 6 - 15) + 10);
}

double kb_ease_velocity(double t)
{
    if (t <= 0 || t >= 1) {
        return 0;
    }
    return 30 * t * t * (1 - t) * (1 - t);
}

/* Progress of axis at clip time t: eased within its window. */
static double axis_progress(const struct kb_move *move, enum kb_axis axis,
                            double t)
{
    double span = move->end[axis] - move->start[axis];

    if (span <= 0) {
        return t >= move->end[axis] ? 1 : 0;
    }
    return kb_ease((t - move->start[axis]) / span);
}

static void mat_mul(const double a[9], const double b[9], double out[9])
{
    double r[9];

    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
            r[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] +
                           a[i * 3 + 2] * b[6 + j];
        }
    }
    memcpy(out, r, sizeof(r));
}

void kb_camera_at(const struct kb_camera *cam, double t, double m[9])
{
    const struct kb_move *mv = &cam->move;
    double p[KB_AXIS_COUNT];

    for (int i = 0; i < KB_AXIS_COUNT; i++) {
        p[i] = mv->value[i] / 10 * axis_progress(mv, (enum kb_axis)i, t);
    }
    /* Kling: positive zoom widens the view, so it shrinks magnification. */
    double zoom = pow(ZOOM_AT_10, -p[KB_AXIS_ZOOM]) * cam->extra_zoom;
    double f = cam->focal * zoom;
    double roll = p[KB_AXIS_ROLL] * ROLL_AT_10 * PI / 180;
    double tilt = p[KB_AXIS_TILT] * TURN_AT_10 * PI / 180;
    double pan = p[KB_AXIS_PAN] * TURN_AT_10 * PI / 180;
    double tx = p[KB_AXIS_HORIZONTAL] * SHIFT_AT_10 * cam->out_w / cam->focal;
    double ty = -p[KB_AXIS_VERTICAL] * SHIFT_AT_10 * cam->out_h / cam->focal;
    double sc = cam->cover * cam->focal;

    /* Output pixel to a ray of the zoomed camera. */
    double a[9] = { 1 / f, 0,     -cam->out_w / (2 * f),
                    0,     1 / f, -cam->out_h / (2 * f),
                    0,     0,     1 };
    double rz[9] = {
        cos(roll), -sin(roll), 0, sin(roll), cos(roll), 0, 0, 0, 1
    };
    double rx[9] = {
        1, 0, 0, 0, cos(tilt), -sin(tilt), 0, sin(tilt), cos(tilt)
    };
    double ry[9] = { cos(pan), 0, sin(pan), 0, 1, 0, -sin(pan), 0, cos(pan) };
    /* Ray to plane hit, shifted by the camera's position, to pixels. */
    double s[9] = { sc, 0,  sc * tx + cam->src_w / 2,
                    0,  sc, sc * ty + cam->src_h / 2,
                    0,  0,  1 };

    mat_mul(rz, a, m);
    mat_mul(rx, m, m);
    mat_mul(ry, m, m);
    mat_mul(s, m, m);
}

bool kb_homography_apply(const double m[9], double x, double y, double *u,
                         double *v)
{
    double w = m[6] * x + m[7] * y + m[8];

    if (w <= 1e-9) {
        *u = *v = 0;
        return false;
    }
    *u = (m[0] * x + m[1] * y + m[2]) / w;
    *v = (m[3] * x + m[4] * y + m[5]) / w;
    return true;
}

/* Border points of the output, walked along its four sides. */
static void border_point(const struct kb_camera *cam, int i, double *x,
                         double *y)
{
    int side = i / COVER_EDGE;
    double f = (double)(i % COVER_EDGE) / COVER_EDGE;
    double w = cam->out_w, h = cam->out_h;

    switch (side) {
    case 0:
        *x = f * w, *y = 0;
        break;
    case 1:
        *x = w, *y = f * h;
        break;
    case 2:
        *x = w - f * w, *y = h;
        break;
    default:
        *x = 0, *y = h - f * h;
        break;
    }
}

bool kb_camera_covers(const struct kb_camera *cam, double t)
{
    double m[9], u, v;
    double tol = 1e-6 * (cam->src_w + cam->src_h);

    kb_camera_at(cam, t, m);
    for (int i = 0; i < 4 * COVER_EDGE; i++) {
        double x, y;
        border_point(cam, i, &x, &y);
        if (!kb_homography_apply(m, x, y, &u, &v) || u < -tol || v < -tol ||
            u > cam->src_w + tol || v > cam->src_h + tol) {
            return false;
        }
    }
    return true;
}

static bool covers_always(const struct kb_camera *cam)
{
    for (int i = 0; i <= COVER_STEPS; i++) {
        if (!kb_camera_covers(cam, (double)i / COVER_STEPS)) {
            return false;
        }
    }
    return true;
}

void kb_camera_init(struct kb_camera *cam, const struct kb_move *move,
                    int out_w, int out_h, double src_w, double src_h)
{
    cam->move = *move;
    cam->out_w = out_w;
    cam->out_h = out_h;
    cam->src_w = src_w;
    cam->src_h = src_h;
    cam->focal = 0.9 * (out_w > out_h ? out_w : out_h);
    cam->cover = fmin(src_w / out_w, src_h / out_h);
    cam->extra_zoom = 1;
    if (covers_always(cam)) {
        return;
    }
    /*
     * Coverage grows with zoom: bisect for the least zoom that works. The
     * small margin keeps the bilinear footprint inside the image too.
     */
    double lo = 1, hi = 2;
    cam->extra_zoom = hi;
    while (!covers_always(cam) && hi < 64) {
        lo = hi;
        hi *= 2;
        cam->extra_zoom = hi;
    }
    for (int i = 0; i < 40; i++) {
        cam->extra_zoom = (lo + hi) / 2;
        if (covers_always(cam)) {
            hi = cam->extra_zoom;
        } else {
            lo = cam->extra_zoom;
        }
    }
    cam->extra_zoom = hi * 1.0005;
}

double kb_camera_max_density(const struct kb_camera *cam)
{
    double worst = 0, m[9];
    const double eps = 0.5;

    for (int i = 0; i <= COVER_STEPS; i++) {
        kb_camera_at(cam, (double)i / COVER_STEPS, m);
        for (int j = 0; j < 4 * COVER_EDGE; j++) {
            double x, y, u0, v0, u1, v1, u2, v2;
            border_point(cam, j, &x, &y);
            if (!kb_homography_apply(m, x, y, &u0, &v0) ||
                !kb_homography_apply(m, x + eps, y, &u1, &v1) ||
                !kb_homography_apply(m, x, y + eps, &u2, &v2)) {
                continue;
            }
            /* Geometric mean of the two axis stretches. */
            double area = fabs((u1 - u0) * (v2 - v0) - (u2 - u0) * (v1 - v0));
            double d = sqrt(area) / eps;
            if (d > worst) {
                worst = d;
            }
        }
    }
    return worst;
}
