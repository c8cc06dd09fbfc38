/*
 * Camera geometry of the Ken Burns renderer, with Kling's cameraControl
 * semantics: translations, a zoom, a roll, and pan/tilt as true turns of a
 * camera about its centre (homographies). Pure math; no FFmpeg.
 */
#ifndef PROVIDERS_LOCAL_CAMERA_H
#define PROVIDERS_LOCAL_CAMERA_H

#include <stdbool.h>

enum kb_axis {
    KB_AXIS_HORIZONTAL, /* truck; + moves right */
    KB_AXIS_VERTICAL,   /* pedestal; + moves up */
    KB_AXIS_PAN,        /* turn about the vertical axis; + turns right */
    KB_AXIS_TILT,       /* turn about the horizontal axis; + looks up */
    KB_AXIS_ROLL,       /* turn about the view axis; + clockwise */
    KB_AXIS_ZOOM,       /* focal length; + wider field of view (Kling) */
    KB_AXIS_COUNT,
};

/*
 * A move: each axis in Kling units [-10, 10], reached at the end of its
 * time window [start, end] (fractions of the clip) with eased timing.
 */
struct kb_move {
    double value[KB_AXIS_COUNT];
    double start[KB_AXIS_COUNT];
    double end[KB_AXIS_COUNT];
};

struct kb_camera {
    struct kb_move move;
    int out_w, out_h;    /* output frame, pixels */
    double src_w, src_h; /* source image, pixels */
    double focal;        /* focal length, output pixels */
    double cover;        /* source pixels per output pixel, crop-fitted */
    double extra_zoom;   /* least zoom (>= 1) keeping every frame covered */
};

/* A still move: every axis 0, windows the whole clip. */
void kb_move_init(struct kb_move *move);

/*
 * Sets a Kling preset ("down_back", "forward_up", "right_turn_forward",
 * "left_turn_forward") into move. Returns 0, or -EINVAL for another name.
 */
int kb_move_preset(struct kb_move *move, const char *name);

/* Ease-in-out from 0 to 1 over t in [0, 1]; its derivative is 0 at 0, 1. */
double kb_ease(double t);
/* The derivative of kb_ease. */
double kb_ease_velocity(double t);

/*
 * Sets up cam for move, an out_w × out_h output and a src_w × src_h source,
 * and finds the least extra zoom that keeps the frame covered by the image
 * at every moment (no black edges).
 */
void kb_camera_init(struct kb_camera *cam, const struct kb_move *move,
                    int out_w, int out_h, double src_w, double src_h);

/*
 * The homography at time t in [0, 1] mapping an output point to a source
 * point, both in continuous pixel coordinates (pixel i covers [i, i+1]).
 * Row-major 3×3.
 */
void kb_camera_at(const struct kb_camera *cam, double t, double m[9]);

/* Applies the homography m to (x, y). Returns false behind the camera. */
bool kb_homography_apply(const double m[9], double x, double y, double *u,
                         double *v);

/* True when every output border point at time t maps inside the source. */
bool kb_camera_covers(const struct kb_camera *cam, double t);

/*
 * The most source pixels any output pixel spans over the whole move (the
 * camera's widest view): above 1, the source can be shrunk by that factor.
 */
double kb_camera_max_density(const struct kb_camera *cam);

#endif
