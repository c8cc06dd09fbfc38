/*
 * The offline renderer (local/kenburns): animates a still with Kling-style
 * camera moves and encodes H.264 High in MP4 (yuv420p, BT.709, faststart).
 * Runs on a worker thread; shares nothing mutable with the engine.
 */
#ifndef PROVIDERS_LOCAL_KENBURNS_H
#define PROVIDERS_LOCAL_KENBURNS_H

#include <stdatomic.h>
#include <stdbool.h>

#include <cjson/cJSON.h>

struct kenburns_job {
    const char *image_path; /* absolute path of the first frame */
    const char *asset_dir;  /* absolute folder that asset names resolve in */
    const cJSON *request;   /* validated effective request (borrowed) */
    const char *out_path;   /* absolute path of the MP4 to write */
};

/* Reports progress 0..100; called from the rendering thread. */
typedef void (*kenburns_progress_cb)(void *arg, int percent);

/*
 * Renders job into job->out_path (created or truncated; on failure the file
 * may be left partial and the caller removes it). Checks *cancel between
 * frames (NULL: never canceled). Returns 0; -ECANCELED; or a negative errno
 * with *err (caller frees) one line a person understands, e.g.
 * "photo.png is not an image i2vfs can read (JPEG, PNG or WebP)".
 */
int kenburns_render(const struct kenburns_job *job,
                    kenburns_progress_cb progress, void *arg,
                    const atomic_bool *cancel, char **err);

#endif
