/*
 * FUSE operations on attributes: stat, access checks, chmod, chown,
 * truncate, utimens, statfs. A change of attributes with no write handle
 * open counts as "complete" for the engine: gio copy sets them after close.
 */
#include "fs/ops.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "fs/ctx.h"

/* Tells the engine about a changed regular file in the drop area. */
static void attrs_changed(const struct ctx *ctx, const char *rel,
                          bool is_publisher, bool is_write)
{
    struct stat st;

    if (is_publisher || policy_area(ctx->policy, rel) != POLICY_DROP)
        return;
    if (fstatat(ctx->store_fd, ctx_at(rel), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISREG(st.st_mode))
        return;
    if (handles_count(ctx->handles, rel) == 0)
        ctx_notify(ctx, is_publisher, ENGINE_FILE_CHANGED, rel);
    else if (is_write)
        ctx_notify(ctx, is_publisher, ENGINE_FILE_BUSY, rel);
}

int ops_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    struct ctx *ctx = ctx_get();
    struct ops_file *file = ops_file_of(fi);
    const struct virtual_file *virt;
    const char *rel;
    int err;

    if (file) {
        if (file->virt) {
            virtual_stat(ctx->virt, file->virt, st);
            return 0;
        }
        return fstat(file->fd, st) != 0 ? -errno : 0;
    }
    if (!path && fi && fi->fh)
        path = ((struct ops_dir *)(uintptr_t)fi->fh)->rel;
    if (!path)
        return -ENOENT;
    rel = ctx_rel(path);
    err = policy_check(ctx->policy, rel, POLICY_READ, ctx_is_publisher(ctx));
    if (err)
        return err;
    virt = virtual_find(ctx->virt, rel);
    if (virt) {
        virtual_stat(ctx->virt, virt, st);
        return 0;
    }
    if (policy_area(ctx->policy, rel) == POLICY_VIRTUAL)
        return -ENOENT;
    if (fstatat(ctx->store_fd, ctx_at(rel), st, AT_SYMLINK_NOFOLLOW) != 0)
        return -errno;
    return 0;
}

int ops_access(const char *path, int mask)
{
    struct ctx *ctx = ctx_get();
    const char *rel = ctx_rel(path);
    bool is_publisher = ctx_is_publisher(ctx);
    int err;

    err = policy_check(ctx->policy, rel, POLICY_READ, is_publisher);
    if (!err && (mask & W_OK))
        err = policy_check(ctx->policy, rel, POLICY_MODIFY, is_publisher);
    if (err)
        return err;
    if (virtual_find(ctx->virt, rel))
        return mask & X_OK ? -EACCES : 0;
    if (faccessat(ctx->store_fd, ctx_at(rel), mask, 0) != 0)
        return -errno;
    return 0;
}

int ops_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    struct ctx *ctx = ctx_get();
    struct ops_file *file = ops_file_of(fi);
    bool is_publisher = ctx_is_publisher(ctx);
    const char *rel;
    int err;

    if (file && !file->virt)
        return fchmod(file->fd, mode) != 0 ? -errno : 0;
    if (!path)
        return -ENOENT;
    rel = ctx_rel(path);
    err = policy_check(ctx->policy, rel, POLICY_MODIFY, is_publisher);
    if (err)
        return err;
    if (fchmodat(ctx->store_fd, ctx_at(rel), mode, 0) != 0)
        return -errno;
    attrs_changed(ctx, rel, is_publisher, false);
    return 0;
}

int ops_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
    struct ctx *ctx = ctx_get();
    struct ops_file *file = ops_file_of(fi);
    bool is_publisher = ctx_is_publisher(ctx);
    const char *rel;
    int err;

    if (file && !file->virt)
        return fchown(file->fd, uid, gid) != 0 ? -errno : 0;
    if (!path)
        return -ENOENT;
    rel = ctx_rel(path);
    err = policy_check(ctx->policy, rel, POLICY_MODIFY, is_publisher);
    if (err)
        return err;
    if (fchownat(ctx->store_fd, ctx_at(rel), uid, gid, AT_SYMLINK_NOFOLLOW) !=
        0)
        return -errno;
    attrs_changed(ctx, rel, is_publisher, false);
    return 0;
}

int ops_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
    struct ctx *ctx = ctx_get();
    struct ops_file *file = ops_file_of(fi);
    bool is_publisher = ctx_is_publisher(ctx);
    char full[PATH_MAX];
    const char *rel;
    int err;

    if (file && !file->virt) {
        char *name;

        if (ftruncate(file->fd, size) != 0)
            return -errno;
        if (file->writer && handles_busy_due(ctx->handles, file->writer,
                                             ctx_now_ms(), 0, &name)) {
            ctx_notify(ctx, is_publisher, ENGINE_FILE_BUSY, name);
            free(name);
        }
        return 0;
    }
    if (!path)
        return -ENOENT;
    rel = ctx_rel(path);
    err = policy_check(ctx->policy, rel, POLICY_MODIFY, is_publisher);
    if (!err)
        err = ctx_full_path(ctx, rel, full);
    if (err)
        return err;
    if (truncate(full, size) != 0)
        return -errno;
    attrs_changed(ctx, rel, is_publisher, true);
    return 0;
}

int ops_utimens(const char *path, const struct timespec tv[2],
                struct fuse_file_info *fi)
{
    struct ctx *ctx = ctx_get();
    struct ops_file *file = ops_file_of(fi);
    bool is_publisher = ctx_is_publisher(ctx);
    const char *rel;
    int err;

    if (file && !file->virt)
        return futimens(file->fd, tv) != 0 ? -errno : 0;
    if (!path)
        return -ENOENT;
    rel = ctx_rel(path);
    err = policy_check(ctx->policy, rel, POLICY_MODIFY, is_publisher);
    if (err)
        return err;
    if (utimensat(ctx->store_fd, ctx_at(rel), tv, AT_SYMLINK_NOFOLLOW) != 0)
        return -errno;
    attrs_changed(ctx, rel, is_publisher, false);
    return 0;
}

int ops_statfs(const char *path, struct statvfs *st)
{
    struct ctx *ctx = ctx_get();

    (void)path;
    return fstatvfs(ctx->store_fd, st) != 0 ? -errno : 0;
}
