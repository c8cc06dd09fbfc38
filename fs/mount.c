/*
 * fs_main: sets up the handlers' shared state, mounts with libfuse's
 * high-level API, serves on a multi-threaded loop until unmounted or
 * signalled, and unmounts. Also points the publisher at the mount.
 */
#include "fs/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/fuse_version.h"

#include <fuse.h>
#include <fuse_log.h>

#include "core/log.h"
#include "core/mem.h"
#include "fs/ctx.h"
#include "fs/daemon.h"
#include "fs/notify.h"
#include "fs/ops.h"

/* Our mount options go first so that the user's -o can override them. */
#define MOUNT_OPTIONS "-ofsname=i2vfs,subtype=i2vfs,default_permissions"

/*
 * The publisher renamed something inside the store (the mount was not
 * reachable): drop the kernel's cached view of the path and its folder.
 */
static void invalidate_cb(void *arg, const char *relpath)
{
    struct ctx *ctx = arg;
    char *path = xasprintf("/%s", relpath);
    char *slash;

    pthread_mutex_lock(&ctx->fuse_lock);
    if (ctx->fuse) {
        /* -ENOENT only means the kernel had nothing cached. */
        (void)fuse_invalidate_path(ctx->fuse, path);
        slash = strrchr(path, '/');
        if (slash == path)
            slash[1] = '\0';
        else
            *slash = '\0';
        (void)fuse_invalidate_path(ctx->fuse, path);
    }
    pthread_mutex_unlock(&ctx->fuse_lock);
    free(path);
}

/*
 * Sends libfuse's messages through our log, one line each. libfuse writes
 * some lines in pieces, so each thread keeps its unfinished line.
 */
__attribute__((format(printf, 2, 0))) static void
fuse_log_cb(enum fuse_log_level fuse_level, const char *fmt, va_list ap)
{
    static _Thread_local char pending[1024];
    enum log_level level = LOG_DEBUG;
    size_t len = strlen(pending);
    char *start, *newline;

    if (fuse_level <= FUSE_LOG_ERR)
        level = LOG_ERROR;
    else if (fuse_level == FUSE_LOG_WARNING)
        level = LOG_WARN;
    else if (fuse_level <= FUSE_LOG_INFO)
        level = LOG_INFO;
    vsnprintf(pending + len, sizeof(pending) - len, fmt, ap);
    start = pending;
    for (;;) {
        newline = strchr(start, '\n');
        if (!newline)
            break;
        *newline = '\0';
        if (*start)
            log_msg(level, "%s", start);
        start = newline + 1;
    }
    len = strlen(start);
    if (len == sizeof(pending) - 1) {
        log_msg(level, "%s", start); /* too long: flush it as it is */
        len = 0;
    }
    memmove(pending, start, len);
    pending[len] = '\0';
}

static int make_policy(const struct catalog *cat, struct policy **out)
{
    size_t count = catalog_model_count(cat);
    const char **folders = xcalloc(count, sizeof(*folders));
    int err;

    for (size_t i = 0; i < count; i++)
        folders[i] = catalog_model_folder(catalog_model_at(cat, i));
    err = policy_new(folders, count, out);
    free(folders);
    return err;
}

static int serve(const struct fs_config *cfg, struct fuse *fuse)
{
    struct fuse_loop_config *loop_cfg;
    int res;

    if (cfg->single_thread)
        return fuse_loop(fuse);
    loop_cfg = fuse_loop_cfg_create();
    fuse_loop_cfg_set_clone_fd(loop_cfg, 0);
    res = fuse_loop_mt(fuse, loop_cfg);
    fuse_loop_cfg_destroy(loop_cfg);
    return res;
}

static void set_publisher_mount(const struct fs_config *cfg, struct ctx *ctx,
                                bool is_mounted)
{
    if (!cfg->publisher)
        return;
    if (is_mounted)
        publisher_set_mount(cfg->publisher, cfg->mountpoint, invalidate_cb,
                            ctx);
    else
        publisher_set_mount(cfg->publisher, NULL, NULL, NULL);
}

int fs_main(const struct fs_config *cfg)
{
    struct ctx ctx = { .cfg = cfg, .store_fd = -1 };
    struct fuse_session *se;
    struct fuse *fuse = NULL;
    int err, res;

    fuse_set_log_func(fuse_log_cb);
    pthread_mutex_init(&ctx.fuse_lock, NULL);
    ctx.is_root = geteuid() == 0;
    err = make_policy(cfg->catalog, &ctx.policy);
    if (err) {
        log_error("the catalog's model folders do not form a tree");
        goto out;
    }
    ctx.virt = virtual_new(cfg->catalog);
    ctx.handles = handles_new();
    ctx.store_fd = open(cfg->store_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (ctx.store_fd < 0) {
        err = -errno;
        log_error("cannot open the store %s: %s", cfg->store_root,
                  strerror(errno));
        goto out;
    }
    if (fuse_opt_insert_arg(cfg->args, 1, MOUNT_OPTIONS) != 0) {
        err = -ENOMEM;
        goto out;
    }
    fuse = fuse_new(cfg->args, &ops_table, sizeof(ops_table), &ctx);
    if (!fuse) {
        err = -EINVAL; /* libfuse said why, through fuse_log_cb */
        goto out;
    }
    if (fuse_mount(fuse, cfg->mountpoint) != 0) {
        err = -EIO;
        log_error("cannot mount on %s", cfg->mountpoint);
        goto out_destroy;
    }
    se = fuse_get_session(fuse);
    if (fuse_set_signal_handlers(se) != 0) {
        err = -EIO;
        log_error("cannot install signal handlers");
        goto out_unmount;
    }
    pthread_mutex_lock(&ctx.fuse_lock);
    ctx.fuse = fuse;
    pthread_mutex_unlock(&ctx.fuse_lock);
    set_publisher_mount(cfg, &ctx, true);
    log_info("mounted %s (store %s)", cfg->mountpoint, cfg->store_root);
    err = notify_ready();
    if (err)
        log_warn("cannot tell the service manager we are ready: %s",
                 strerror(-err));
    daemon_ready(cfg->ready_fd);

    res = serve(cfg, fuse);
    err = res < 0 ? res : 0;
    if (err)
        log_error("the FUSE loop failed: %s", strerror(-err));

    set_publisher_mount(cfg, &ctx, false);
    pthread_mutex_lock(&ctx.fuse_lock);
    ctx.fuse = NULL;
    pthread_mutex_unlock(&ctx.fuse_lock);
    fuse_remove_signal_handlers(se);
out_unmount:
    fuse_unmount(fuse);
    log_info("unmounted %s", cfg->mountpoint);
out_destroy:
    fuse_destroy(fuse);
out:
    if (ctx.store_fd >= 0)
        (void)close(ctx.store_fd);
    handles_free(ctx.handles);
    virtual_free(ctx.virt);
    policy_free(ctx.policy);
    pthread_mutex_destroy(&ctx.fuse_lock);
    return err;
}
