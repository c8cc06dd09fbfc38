/*
 * The request's options as a render plan (see options.h). The catalog has
 * validated types and ranges already; this stays defensive anyway.
 */
#include "providers/local/options.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "providers/local/motion.h"

#define MAX_SIDE 4096
#define MIN_SIDE 16

static const char *const vendors[] = { "local",  "klingai",   "vertex",
                                       "google", "bytedance", "alibaba",
                                       "xai",    NULL };

/* The provider options object the renderer reads, or NULL. */
static const cJSON *vendor_options(const cJSON *request)
{
    const cJSON *po =
        cJSON_GetObjectItemCaseSensitive(request, "providerOptions");

    if (!cJSON_IsObject(po)) {
        return NULL;
    }
    for (int i = 0; vendors[i]; i++) {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(po, vendors[i]);
        if (cJSON_IsObject(o)) {
            return o;
        }
    }
    return NULL;
}

/* A top-level option, else the same key among the vendor options. */
static const cJSON *option(const cJSON *request, const cJSON *vendor,
                           const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(request, key);

    if (!v || cJSON_IsNull(v)) {
        v = vendor ? cJSON_GetObjectItemCaseSensitive(vendor, key) : NULL;
    }
    return cJSON_IsNull(v) ? NULL : v;
}

/* A number, or a string holding one (Kling sends duration as "5"). */
static int number(const cJSON *v, const char *field, double lo, double hi,
                  double *out, char **err)
{
    char *end = NULL;

    if (cJSON_IsNumber(v)) {
        *out = v->valuedouble;
    } else if (cJSON_IsString(v)) {
        *out = strtod(v->valuestring, &end);
        if (end == v->valuestring || *end) {
            *err = xasprintf("%s: \"%.32s\" is not a number", field,
                             v->valuestring);
            return -EINVAL;
        }
    } else {
        *err = xasprintf("%s: must be a number", field);
        return -EINVAL;
    }
    if (!isfinite(*out) || *out < lo || *out > hi) {
        *err = xasprintf("%s: %g is out of range (allowed: %g to %g)", field,
                         *out, lo, hi);
        return -EINVAL;
    }
    return 0;
}

static int gcd(int a, int b)
{
    while (b) {
        int t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static int parse_ratio(const char *s, double *ratio)
{
    double a, b;
    char tail;

    if (sscanf(s, "%lf:%lf%c", &a, &b, &tail) != 2 || !(a > 0) || !(b > 0) ||
        a / b > 8 || b / a > 8) {
        return -EINVAL;
    }
    *ratio = a / b;
    return 0;
}

static int even(double v)
{
    int n = (int)lround(v / 2) * 2;
    return n < MIN_SIDE ? MIN_SIDE : n;
}

/* resolution ("480p", "720p", "1080p" or "WxH") with aspectRatio. */
static int frame_size(const cJSON *res, const cJSON *aspect,
                      struct kb_options *opts, char **err)
{
    double ratio = 16.0 / 9;
    const char *r = cJSON_IsString(res) ? res->valuestring : "720p";
    int w, h, lines;
    char tail;

    if (aspect && (!cJSON_IsString(aspect) ||
                   parse_ratio(aspect->valuestring, &ratio) != 0)) {
        *err = xasprintf("aspectRatio: must be a ratio like \"16:9\"");
        return -EINVAL;
    }
    if (res && !cJSON_IsString(res)) {
        *err = xasprintf("resolution: must be a string like \"720p\"");
        return -EINVAL;
    }
    if (sscanf(r, "%dx%d%c", &w, &h, &tail) == 2) {
        if (w < MIN_SIDE || h < MIN_SIDE || w > MAX_SIDE || h > MAX_SIDE) {
            *err = xasprintf("resolution: %dx%d is out of range (each side "
                             "%d to %d)",
                             w, h, MIN_SIDE, MAX_SIDE);
            return -EINVAL;
        }
        opts->width = even(w);
        opts->height = even(h);
        return 0;
    }
    if (sscanf(r, "%dp%c", &lines, &tail) != 1 || lines < MIN_SIDE ||
        lines > 2160) {
        *err = xasprintf("resolution: \"%.32s\" is not allowed (allowed: "
                         "480p, 720p, 1080p or WxH)",
                         r);
        return -EINVAL;
    }
    /* "720p" names the short side, portrait or landscape. */
    if (ratio >= 1) {
        opts->height = even(lines);
        opts->width = even(lines * ratio);
    } else {
        opts->width = even(lines);
        opts->height = even(lines / ratio);
    }
    if (opts->width > MAX_SIDE || opts->height > MAX_SIDE) {
        *err = xasprintf("resolution: %s at this aspectRatio is wider than "
                         "%d px",
                         r, MAX_SIDE);
        return -EINVAL;
    }
    return 0;
}

static const char *const axis_names[KB_AXIS_COUNT] = {
    [KB_AXIS_HORIZONTAL] = "horizontal",
    [KB_AXIS_VERTICAL] = "vertical",
    [KB_AXIS_PAN] = "pan",
    [KB_AXIS_TILT] = "tilt",
    [KB_AXIS_ROLL] = "roll",
    [KB_AXIS_ZOOM] = "zoom",
};

static int camera_control(const cJSON *cc, struct kb_move *move, char **err)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(cc, "type");
    const cJSON *config = cJSON_GetObjectItemCaseSensitive(cc, "config");

    kb_move_init(move);
    if (!cJSON_IsObject(cc) || !cJSON_IsString(type)) {
        *err = xasprintf("cameraControl: must be an object with a \"type\"");
        return -EINVAL;
    }
    if (strcmp(type->valuestring, "simple") != 0) {
        if (kb_move_preset(move, type->valuestring) != 0) {
            *err = xasprintf("cameraControl.type: \"%.32s\" is not allowed "
                             "(allowed: simple, down_back, forward_up, "
                             "right_turn_forward, left_turn_forward)",
                             type->valuestring);
            return -EINVAL;
        }
        return 0;
    }
    if (!config || cJSON_IsNull(config)) {
        return 0;
    }
    if (!cJSON_IsObject(config)) {
        *err = xasprintf("cameraControl.config: must be an object");
        return -EINVAL;
    }
    for (int i = 0; i < KB_AXIS_COUNT; i++) {
        const cJSON *v =
            cJSON_GetObjectItemCaseSensitive(config, axis_names[i]);
        char field[48];
        if (!v || cJSON_IsNull(v)) {
            continue;
        }
        snprintf(field, sizeof(field), "cameraControl.config.%s",
                 axis_names[i]);
        if (number(v, field, -10, 10, &move->value[i], err) != 0) {
            return -EINVAL;
        }
    }
    return 0;
}

static const char *prompt_text(const cJSON *request)
{
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(request, "prompt");

    if (cJSON_IsObject(p)) {
        p = cJSON_GetObjectItemCaseSensitive(p, "text");
    }
    return cJSON_IsString(p) ? p->valuestring : NULL;
}

static int asset_name(const cJSON *request, const cJSON *vendor,
                      const char *key, char **out, char **err)
{
    const cJSON *v = option(request, vendor, key);

    if (!v) {
        return 0;
    }
    if (!cJSON_IsString(v)) {
        *err = xasprintf("%s: must be the name of an image file in this "
                         "folder",
                         key);
        return -EINVAL;
    }
    *out = xstrdup(v->valuestring);
    return 0;
}

static int resize_mode(const cJSON *request, const cJSON *vendor,
                       struct kb_options *opts, char **err)
{
    const cJSON *mode = option(request, vendor, "resizeMode");
    const cJSON *bg = option(request, vendor, "padBackground");

    if (mode &&
        (!cJSON_IsString(mode) || (strcmp(mode->valuestring, "pad") != 0 &&
                                   strcmp(mode->valuestring, "crop") != 0))) {
        *err = xasprintf("resizeMode: must be \"pad\" or \"crop\"");
        return -EINVAL;
    }
    if (bg && (!cJSON_IsString(bg) || (strcmp(bg->valuestring, "black") != 0 &&
                                       strcmp(bg->valuestring, "blur") != 0))) {
        *err = xasprintf("padBackground: must be \"black\" or \"blur\"");
        return -EINVAL;
    }
    opts->pad = mode && !strcmp(mode->valuestring, "pad");
    opts->pad_blur = bg && !strcmp(bg->valuestring, "blur");
    return 0;
}

int kb_options_parse(const cJSON *request, struct kb_options *opts, char **err)
{
    const cJSON *vendor = vendor_options(request);
    const cJSON *v;
    double fps = 24;

    memset(opts, 0, sizeof(*opts));
    opts->duration_s = 5;
    kb_motion_default(&opts->move);
    if (!cJSON_IsObject(request)) {
        *err = xasprintf("the request must be a JSON object");
        return -EINVAL;
    }
    v = option(request, vendor, "duration");
    if (v && number(v, "duration", 1, 15, &opts->duration_s, err) != 0) {
        return -EINVAL;
    }
    v = option(request, vendor, "fps");
    if (v && number(v, "fps", 1, 60, &fps, err) != 0) {
        return -EINVAL;
    }
    /* 23.976 and 29.97 become NTSC fractions, others exact to 1/1000. */
    if (fabs(fps * 1.001 - round(fps * 1.001)) < 1e-3 &&
        fabs(fps - round(fps)) > 1e-3) {
        opts->fps_num = (int)round(fps * 1.001) * 1000;
        opts->fps_den = 1001;
    } else {
        opts->fps_num = (int)round(fps * 1000);
        opts->fps_den = 1000;
    }
    int g = gcd(opts->fps_num, opts->fps_den);
    opts->fps_num /= g;
    opts->fps_den /= g;
    opts->frames =
        (int)lround(opts->duration_s * opts->fps_num / opts->fps_den);
    if (opts->frames < 1) {
        opts->frames = 1;
    }
    if (frame_size(option(request, vendor, "resolution"),
                   option(request, vendor, "aspectRatio"), opts, err) != 0) {
        return -EINVAL;
    }
    if (resize_mode(request, vendor, opts, err) != 0) {
        return -EINVAL;
    }
    v = option(request, vendor, "cameraControl");
    if (v) {
        if (camera_control(v, &opts->move, err) != 0) {
            return -EINVAL;
        }
    } else {
        struct kb_move words;
        kb_move_init(&words);
        if (kb_motion_words(prompt_text(request), &words) > 0) {
            opts->move = words;
        }
    }
    if (asset_name(request, vendor, "imageTail", &opts->tail, err) != 0) {
        return -EINVAL;
    }
    opts->tail_field = "imageTail";
    if (!opts->tail) {
        if (asset_name(request, vendor, "lastFrameImage", &opts->tail, err) !=
            0) {
            return -EINVAL;
        }
        opts->tail_field = "lastFrameImage";
    }
    if (asset_name(request, vendor, "staticMask", &opts->mask, err) != 0) {
        return -EINVAL;
    }
    return 0;
}

void kb_options_release(struct kb_options *opts)
{
    free(opts->tail);
    free(opts->mask);
    opts->tail = NULL;
    opts->mask = NULL;
}
