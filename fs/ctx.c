/*
 * Helpers shared by the FUSE handlers (see ctx.h).
 */
#include "fs/ctx.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fs/fuse_version.h"

#include <fuse.h>

struct ctx *ctx_get(void)
{
    return fuse_get_context()->private_data;
}

const char *ctx_rel(const char *path)
{
    while (*path == '/')
        path++;
    return path;
}

const char *ctx_at(const char *rel)
{
    return *rel ? rel : ".";
}

bool ctx_is_publisher(const struct ctx *ctx)
{
    pid_t tid;

    if (!ctx->cfg->publisher)
        return false;
    tid = publisher_tid(ctx->cfg->publisher);
    return tid > 0 && fuse_get_context()->pid == tid;
}

void ctx_notify(const struct ctx *ctx, bool is_publisher,
                enum engine_event event, const char *rel)
{
    if (is_publisher || !ctx->cfg->engine)
        return;
    if (policy_area(ctx->policy, rel) == POLICY_PRIVATE)
        return;
    engine_notify(ctx->cfg->engine, event, rel);
}

int ctx_full_path(const struct ctx *ctx, const char *rel, char buf[PATH_MAX])
{
    int n = snprintf(buf, PATH_MAX, "%s%s%s", ctx->cfg->store_root,
                     *rel ? "/" : "", rel);

    return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

void ctx_give_to_caller(const struct ctx *ctx, const char *rel)
{
    const struct fuse_context *fc = fuse_get_context();

    if (!ctx->is_root || (fc->uid == 0 && fc->gid == 0))
        return;
    /* Best effort: the new file exists whoever owns it. */
    (void)fchownat(ctx->store_fd, ctx_at(rel), fc->uid, fc->gid,
                   AT_SYMLINK_NOFOLLOW);
}

uint64_t ctx_now_ms(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts); /* cannot fail on Linux */
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
