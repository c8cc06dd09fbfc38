/*
 * The state every FUSE handler of the mount shares (set up by fs_main) and
 * the helpers they all use: path translation, "is this the publisher",
 * handing events to the engine.
 */
#ifndef FS_CTX_H
#define FS_CTX_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "fs/fs.h"
#include "fs/handles.h"
#include "fs/policy.h"
#include "fs/virtual.h"

struct fuse;

struct ctx {
    const struct fs_config *cfg;
    int store_fd; /* the store's root folder */
    struct policy *policy;
    struct handles *handles;
    struct virtual_files *virt;
    bool is_root; /* the daemon runs as root: new files go to their maker */
    pthread_mutex_t fuse_lock; /* guards fuse against unmount */
    struct fuse *fuse;         /* set while mounted, for invalidation */
};

/* The mount's state, from inside a FUSE handler. */
struct ctx *ctx_get(void);

/* The store-relative form of a FUSE path: "/a/b" -> "a/b", "/" -> "". */
const char *ctx_rel(const char *path);

/* rel as an *at() argument relative to the store fd: "" becomes ".". */
const char *ctx_at(const char *rel);

/* True when the current request comes from the publisher thread. */
bool ctx_is_publisher(const struct ctx *ctx);

/*
 * Hands an event about rel to the engine, except for the publisher's own
 * requests and the private folder.
 */
void ctx_notify(const struct ctx *ctx, bool is_publisher,
                enum engine_event event, const char *rel);

/* Writes "<store>/<rel>" into buf. Returns 0 or -ENAMETOOLONG. */
int ctx_full_path(const struct ctx *ctx, const char *rel, char buf[PATH_MAX]);

/*
 * When the daemon runs as root (allow_other), gives rel to the user who
 * made it, as a local filesystem would. Errors are ignored on purpose: the
 * file exists either way.
 */
void ctx_give_to_caller(const struct ctx *ctx, const char *rel);

/* Monotonic clock in milliseconds. */
uint64_t ctx_now_ms(void);

#endif
