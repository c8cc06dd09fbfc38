/*
 * FUSE operations on folders. The root and the route folders are listed
 * from the catalog (plus README.txt); a model folder lists its real
 * contents plus MODEL.md and request.example.json; the private folder is
 * listed only to the publisher.
 */
#include "fs/ops.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "fs/ctx.h"
#include "fs/hidden.h"
#include "fs/modes.h"
#include "jobs/publish.h"

static struct ops_dir *dir_of(const struct fuse_file_info *fi)
{
    return (struct ops_dir *)(uintptr_t)fi->fh;
}

/* The root and route folders: made of the catalog, not of the store. */
static bool is_catalog_dir(const struct ctx *ctx, const char *rel)
{
    return policy_area(ctx->policy, rel) == POLICY_FIXED &&
           !policy_is_model_folder(ctx->policy, rel);
}

int ops_opendir(const char *path, struct fuse_file_info *fi)
{
    struct ctx *ctx = ctx_get();
    const char *rel = ctx_rel(path);
    bool is_publisher = ctx_is_publisher(ctx);
    struct ops_dir *dir;
    int err, fd;

    err = policy_check(ctx->policy, rel, POLICY_READ, is_publisher);
    if (err)
        return err;
    dir = xcalloc(1, sizeof(*dir));
    dir->is_dir = true;
    dir->rel = xstrdup(rel);
    dir->is_publisher = is_publisher;
    if (!is_catalog_dir(ctx, rel)) {
        fd = openat(ctx->store_fd, ctx_at(rel),
                    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            dir->dir = fdopendir(fd);
            if (!dir->dir)
                (void)close(fd);
        }
        if (!dir->dir) {
            err = -errno;
            free(dir->rel);
            free(dir);
            return err;
        }
    }
    fi->fh = (uint64_t)(uintptr_t)dir;
    return 0;
}

static void fill(void *buf, fuse_fill_dir_t filler, const char *name, ino_t ino,
                 mode_t type)
{
    struct stat st = { .st_ino = ino, .st_mode = type };

    /* In "all at once" mode the filler only fails when out of memory. */
    (void)filler(buf, name, &st, 0, 0);
}

/* Lists a generated file with its inode number (0 would hide it). */
static void fill_virtual(const struct ctx *ctx, void *buf,
                         fuse_fill_dir_t filler, const char *folder,
                         const char *name)
{
    char *rel = *folder ? xasprintf("%s/%s", folder, name) : xstrdup(name);
    const struct virtual_file *virt = virtual_find(ctx->virt, rel);
    struct stat st;

    if (virt) {
        virtual_stat(ctx->virt, virt, &st);
        fill(buf, filler, name, st.st_ino, S_IFREG);
    }
    free(rel);
}

static void fill_catalog_dir(const struct ctx *ctx, const struct ops_dir *dir,
                             void *buf, fuse_fill_dir_t filler)
{
    const char *const *children;
    size_t count;
    struct stat st;

    if (!*dir->rel) {
        fill_virtual(ctx, buf, filler, "", POLICY_README_NAME);
        if (dir->is_publisher &&
            fstatat(ctx->store_fd, PUBLISH_PRIVATE_DIR, &st, 0) == 0)
            fill(buf, filler, PUBLISH_PRIVATE_DIR, st.st_ino, S_IFDIR);
    }
    children = policy_fixed_children(ctx->policy, dir->rel, &count);
    for (size_t i = 0; i < count; i++) {
        char *rel = *dir->rel ? xasprintf("%s/%s", dir->rel, children[i])
                              : xstrdup(children[i]);

        /* A folder missing from the store is not listed: it would not stat. */
        if (fstatat(ctx->store_fd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0)
            fill(buf, filler, children[i], st.st_ino, S_IFDIR);
        free(rel);
    }
}

static int fill_real_dir(const struct ctx *ctx, const struct ops_dir *dir,
                         void *buf, fuse_fill_dir_t filler)
{
    bool is_model = policy_is_model_folder(ctx->policy, dir->rel);
    struct dirent *e;

    rewinddir(dir->dir);
    for (;;) {
        errno = 0;
        e = readdir(dir->dir);
        if (!e)
            break;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            hidden_is_name(e->d_name))
            continue;
        if (is_model && (strcmp(e->d_name, POLICY_DOC_NAME) == 0 ||
                         strcmp(e->d_name, POLICY_EXAMPLE_NAME) == 0))
            continue;
        fill(buf, filler, e->d_name, e->d_ino, (mode_t)DTTOIF(e->d_type));
    }
    if (errno)
        return -errno;
    if (is_model) {
        fill_virtual(ctx, buf, filler, dir->rel, POLICY_DOC_NAME);
        fill_virtual(ctx, buf, filler, dir->rel, POLICY_EXAMPLE_NAME);
    }
    return 0;
}

int ops_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
                struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    struct ctx *ctx = ctx_get();
    struct ops_dir *dir = dir_of(fi);

    (void)path;
    (void)off; /* every call lists the whole folder from the start */
    (void)flags;
    fill(buf, filler, ".", 1, S_IFDIR);
    fill(buf, filler, "..", 1, S_IFDIR);
    if (!dir->dir) {
        fill_catalog_dir(ctx, dir, buf, filler);
        return 0;
    }
    return fill_real_dir(ctx, dir, buf, filler);
}

int ops_releasedir(const char *path, struct fuse_file_info *fi)
{
    struct ops_dir *dir = dir_of(fi);

    (void)path;
    if (dir->dir)
        (void)closedir(dir->dir); /* read-only: nothing to lose */
    free(dir->rel);
    free(dir);
    return 0;
}

int ops_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi)
{
    struct ops_dir *dir = dir_of(fi);
    int fd, res;

    (void)path;
    if (!dir->dir)
        return 0;
    fd = dirfd(dir->dir);
    res = datasync ? fdatasync(fd) : fsync(fd);
    return res != 0 ? -errno : 0;
}

int ops_mkdir(const char *path, mode_t mode)
{
    struct ctx *ctx = ctx_get();
    const char *rel = ctx_rel(path);
    bool is_publisher = ctx_is_publisher(ctx);
    int err;

    err = policy_check(ctx->policy, rel, POLICY_CREATE, is_publisher);
    if (err)
        return err;
    if (mkdirat(ctx->store_fd, rel, mode) != 0)
        return -errno;
    (void)modes_fix(ctx->store_fd, rel, mode); /* best effort */
    ctx_give_to_caller(ctx, rel);
    ctx_notify(ctx, is_publisher, ENGINE_DIR_CHANGED, rel);
    return 0;
}

int ops_rmdir(const char *path)
{
    struct ctx *ctx = ctx_get();
    const char *rel = ctx_rel(path);
    bool is_publisher = ctx_is_publisher(ctx);
    int err;

    err = policy_check(ctx->policy, rel, POLICY_DELETE, is_publisher);
    if (err)
        return err;
    if (unlinkat(ctx->store_fd, rel, AT_REMOVEDIR) != 0) {
        /*
         * Files deleted while open (a player, a thumbnailer) linger under
         * hidden names: the folder is empty to its users, so remove it.
         */
        if (errno != ENOTEMPTY)
            return -errno;
        err = hidden_purge(ctx->store_fd, rel);
        if (err)
            return err;
        if (unlinkat(ctx->store_fd, rel, AT_REMOVEDIR) != 0)
            return -errno;
    }
    ctx_notify(ctx, is_publisher, ENGINE_FILE_GONE, rel);
    return 0;
}
