/*
 * What a path means to the engine (DESIGN.md, "When a job starts"): an
 * image job, an asset, a sidecar, a request.json, a job file of its own,
 * a job record; and the plan for a job: its effective request, its state
 * to be (queued, waiting or failed), its key. Reads the store; keeps no
 * state, so the engine decides what to do with the answers.
 */
#ifndef JOBS_TRIGGER_H
#define JOBS_TRIGGER_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "core/hash.h"
#include "jobs/job_state.h"
#include "providers/catalog.h"

struct trigger_ctx {
    const char *store_root;        /* absolute */
    const struct catalog *catalog; /* borrowed */
};

enum trigger_kind {
    TRIGGER_IGNORE,     /* outside model folders, junk, out/, docs, folders */
    TRIGGER_IMAGE,      /* an image: a job unless it is an asset */
    TRIGGER_SIDECAR,    /* photo.json beside photo.*: re-evaluate the image */
    TRIGGER_REQUEST,    /* request.json: rescan its folder and below */
    TRIGGER_STANDALONE, /* clip.json with no clip.* image: a job of its own */
    TRIGGER_RECORD,     /* out/<stem>.json: a job record */
    TRIGGER_OTHER,      /* any other file in a model folder (an asset?) */
};

/* A classified path; strings owned, release with trigger_path_release. */
struct trigger_path {
    enum trigger_kind kind;
    const struct catalog_model *model; /* NULL for TRIGGER_IGNORE */
    char *dir_rel; /* the job folder (for a record: the folder above out/) */
    char *name;    /* the file's name; for a record, its stem */
    char *stem;    /* the job's stem (image, sidecar, job file, record) */
};

/*
 * Classifies store-relative relpath by its name and, for "<stem>.json", by
 * whether an image of that stem is beside it. Always fills out (kind
 * TRIGGER_IGNORE for anything the engine must not act on).
 */
void trigger_classify(const struct trigger_ctx *ctx, const char *relpath,
                      struct trigger_path *out);
void trigger_path_release(struct trigger_path *path);

/*
 * The images in store-relative dir_rel whose stem is stem, in name order:
 * a new NULL-terminated array (free with catalog_names_free), possibly
 * empty.
 */
char **trigger_images_of_stem(const struct trigger_ctx *ctx,
                              const char *dir_rel, const char *stem);

/*
 * True when image name in dir_rel is an asset of a request there: named by
 * the folder's effective request, or by another file's sidecar or job
 * file in that folder (as imageTail, staticMask, prompt.image …).
 */
bool trigger_is_asset(const struct trigger_ctx *ctx,
                      const struct catalog_model *model, const char *dir_rel,
                      const char *name);

/* The plan for one job; strings and request owned by the plan. */
struct trigger_plan {
    /* JOB_QUEUED: ready to run; JOB_WAITING or JOB_FAILED with reasons. */
    enum job_state state;
    bool is_asset;    /* an image named by a request: not a job, do nothing */
    char *error_code; /* JOB_FAILED: "invalid_request", "name_clash" … */
    char *error_message; /* JOB_FAILED: one line for a person */
    char *message;       /* JOB_WAITING: what to do */
    char *waiting_for;   /* JOB_WAITING: the missing file, in dir_rel */
    cJSON *request;      /* the effective request, or NULL if unreadable */
    char *image_name;    /* first frame's file name; NULL when inline */
    char *image_path;    /* absolute path of the first frame, if any */
    char image_sha256[HASH_HEX_LEN + 1];
    char key[HASH_HEX_LEN + 1]; /* "" unless queued */
};

/*
 * Plans the job made by source (an image or a job file, a name in dir_rel).
 * owner is the source of the job that already has this stem (NULL if
 * none): when it is another file that still exists, the plan fails with
 * "name_clash". Reads request files, hashes the image and the assets; a
 * base64 first frame is decoded into <store>/.i2vfs/inline/. Always fills
 * out; release it with trigger_plan_release.
 */
void trigger_plan(const struct trigger_ctx *ctx,
                  const struct catalog_model *model, const char *dir_rel,
                  const char *source, const char *owner,
                  struct trigger_plan *out);
void trigger_plan_release(struct trigger_plan *plan);

/*
 * Looks up the state of the job with stem in dir_rel. Returns 0 with
 * *state set, or -ENOENT when there is no job.
 */
typedef int (*trigger_state_cb)(void *arg, const char *dir_rel,
                                const char *stem, enum job_state *state);
/* Called for each job source to (re)start; valid during the call. */
typedef void (*trigger_pick_cb)(void *arg, const char *dir_rel,
                                const char *source);

/*
 * A request.json in dir_rel was written: calls pick for every image and
 * job file in dir_rel and below that has no job, or whose job failed, was
 * canceled or waits; not for succeeded or in-flight ones.
 */
void trigger_rescan(const struct trigger_ctx *ctx, const char *dir_rel,
                    trigger_state_cb state, trigger_pick_cb pick, void *arg);

#endif
