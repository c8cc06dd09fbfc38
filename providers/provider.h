/*
 * The provider interface: one constant struct per provider, listed in
 * registry.c. A local provider renders on a worker thread; cloud providers
 * (build_submit, parse_submit, build_poll, parse_poll …) join in the cloud
 * providers issue and will translate only, doing no I/O.
 */
#ifndef PROVIDERS_PROVIDER_H
#define PROVIDERS_PROVIDER_H

#include <stdatomic.h>
#include <stddef.h>

#include <cjson/cJSON.h>

enum provider_caps {
    PROVIDER_CAP_LOCAL = 1 << 0,       /* renders here, no network */
    PROVIDER_CAP_INPUT_IMAGE = 1 << 1, /* takes a first-frame image */
};

/* What a local render needs; every pointer is borrowed for the call. */
struct provider_render_job {
    const char *image_path; /* absolute path of the first frame */
    const char *asset_dir;  /* absolute folder that asset names resolve in */
    const cJSON *request;   /* validated effective request */
    const char *out_path;   /* absolute path of the MP4 to write */
};

/* Reports progress 0..100 from the rendering thread. */
typedef void (*provider_progress_cb)(void *arg, int percent);

struct provider {
    const char *name; /* key in the catalog and config, e.g. "local" */
    unsigned caps;    /* enum provider_caps */
    /*
     * PROVIDER_CAP_LOCAL only: renders job on the calling worker thread.
     * Returns 0, -ECANCELED, or a negative errno with *err (caller frees).
     */
    int (*render)(const struct provider_render_job *job,
                  provider_progress_cb progress, void *arg,
                  const atomic_bool *cancel, char **err);
};

/* The provider registered under name, or NULL. */
const struct provider *provider_find(const char *name);

#endif
