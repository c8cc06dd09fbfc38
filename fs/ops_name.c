/*
 * FUSE operations on names: unlink, rename (RENAME_NOREPLACE and
 * RENAME_EXCHANGE; EXDEV between models), hard links, symlinks that stay
 * inside the store, and special files. Write handles follow renames.
 */
#include "fs/ops.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/ctx.h"
#include "fs/hidden.h"
#include "fs/modes.h"

/* Tells the engine what now sits at rel after a rename. */
static void renamed_into(const struct ctx *ctx, const char *rel)
{
    struct stat st;

    if (fstatat(ctx->store_fd, rel, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return;
    if (S_ISDIR(st.st_mode))
        ctx_notify(ctx, false, ENGINE_DIR_CHANGED, rel);
    else if (handles_count(ctx->handles, rel) == 0)
        ctx_notify(ctx, false, ENGINE_FILE_CHANGED, rel);
    else
        ctx_notify(ctx, false, ENGINE_FILE_BUSY, rel); /* gio save */
}

int ops_unlink(const char *path)
{
    struct ctx *ctx = ctx_get();
    const char *rel = ctx_rel(path);
    bool is_publisher = ctx_is_publisher(ctx);
    int err;

    err = policy_check(ctx->policy, rel, POLICY_DELETE, is_publisher);
    if (err)
        return err;
    if (unlinkat(ctx->store_fd, rel, 0) != 0)
        return -errno;
    handles_forget(ctx->handles, rel);
    ctx_notify(ctx, is_publisher, ENGINE_FILE_GONE, rel);
    return 0;
}

int ops_rename(const char *from_path, const char *to_path, unsigned int flags)
{
    struct ctx *ctx = ctx_get();
    const char *from = ctx_rel(from_path), *to = ctx_rel(to_path);
    bool is_publisher = ctx_is_publisher(ctx);
    bool is_exchange = flags & RENAME_EXCHANGE;
    int err;

    err = policy_check_rename(ctx->policy, from, to, flags, is_publisher);
    if (err)
        return err;
    if (renameat2(ctx->store_fd, from, ctx->store_fd, to, flags) != 0) {
        /* A folder replaced whose files are deleted but still open. */
        if (errno != ENOTEMPTY || is_exchange)
            return -errno;
        err = hidden_purge(ctx->store_fd, to);
        if (err)
            return err;
        if (renameat2(ctx->store_fd, from, ctx->store_fd, to, flags) != 0)
            return -errno;
    }
    if (!is_exchange && policy_is_hide_rename(from, to)) {
        /* libfuse hiding an open file that was unlinked. */
        handles_forget(ctx->handles, from);
        ctx_notify(ctx, is_publisher, ENGINE_FILE_GONE, from);
        return 0;
    }
    handles_rename(ctx->handles, from, to, is_exchange);
    if (is_publisher)
        return 0;
    if (is_exchange)
        renamed_into(ctx, from);
    else
        ctx_notify(ctx, false, ENGINE_FILE_GONE, from);
    renamed_into(ctx, to);
    return 0;
}

int ops_link(const char *from_path, const char *to_path)
{
    struct ctx *ctx = ctx_get();
    const char *from = ctx_rel(from_path), *to = ctx_rel(to_path);
    bool is_publisher = ctx_is_publisher(ctx);
    int err;

    err = policy_check_link(ctx->policy, from, to, is_publisher);
    if (err)
        return err;
    if (linkat(ctx->store_fd, from, ctx->store_fd, to, 0) != 0)
        return -errno;
    ctx_notify(ctx, is_publisher, ENGINE_FILE_CHANGED, to);
    return 0;
}

int ops_symlink(const char *target, const char *path)
{
    struct ctx *ctx = ctx_get();
    const char *rel = ctx_rel(path);
    bool is_publisher = ctx_is_publisher(ctx);
    int err;

    err = policy_check_symlink(ctx->policy, target, rel, is_publisher);
    if (err)
        return err;
    if (symlinkat(target, ctx->store_fd, rel) != 0)
        return -errno;
    ctx_give_to_caller(ctx, rel);
    ctx_notify(ctx, is_publisher, ENGINE_FILE_CHANGED, rel);
    return 0;
}

int ops_readlink(const char *path, char *buf, size_t size)
{
    struct ctx *ctx = ctx_get();
    const char *rel = ctx_rel(path);
    ssize_t n;
    int err;

    err = policy_check(ctx->policy, rel, POLICY_READ, ctx_is_publisher(ctx));
    if (err)
        return err;
    if (size == 0)
        return -EINVAL;
    n = readlinkat(ctx->store_fd, ctx_at(rel), buf, size - 1);
    if (n < 0)
        return -errno;
    buf[n] = '\0';
    return 0;
}

int ops_mknod(const char *path, mode_t mode, dev_t dev)
{
    struct ctx *ctx = ctx_get();
    const char *rel = ctx_rel(path);
    bool is_publisher = ctx_is_publisher(ctx);
    int err;

    err = policy_check(ctx->policy, rel, POLICY_CREATE, is_publisher);
    if (err)
        return err;
    /* No device nodes in a drop folder. */
    if (!S_ISREG(mode) && !S_ISFIFO(mode) && !S_ISSOCK(mode))
        return -EPERM;
    if (mknodat(ctx->store_fd, rel, mode, dev) != 0)
        return -errno;
    (void)modes_fix(ctx->store_fd, rel, mode); /* best effort */
    ctx_give_to_caller(ctx, rel);
    if (S_ISREG(mode))
        ctx_notify(ctx, is_publisher, ENGINE_FILE_CHANGED, rel);
    return 0;
}
