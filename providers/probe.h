/*
 * Probes a finished video with libavformat/libavcodec before it is published.
 */
#ifndef PROVIDERS_PROBE_H
#define PROVIDERS_PROBE_H

#include <stdint.h>

struct probe_info {
    double duration_s;
    int width;
    int height;
    double fps;
    int64_t frames;   /* counted by demuxing every packet of the video stream */
    char codec[32];   /* e.g. "h264" */
    char profile[32]; /* e.g. "High" */
    char pix_fmt[32]; /* e.g. "yuv420p" */
    int64_t bytes;
};

/*
 * Opens path, checks it is an MP4 with one decodable video stream, and fills
 * info. Returns 0, or -EPROTO/-ENOENT/-EIO with *err (caller frees) saying
 * in one line what is wrong. Thread-safe.
 */
int probe_video(const char *path, struct probe_info *info, char **err);

#endif
