/*
 * FUSE operations on open files: each real file keeps its store fd in
 * fi->fh (pread/pwrite), generated files their contents. A write handle
 * tells the engine "busy" when opened and while written; the last one to
 * close on a name tells it "changed".
 */
#include "fs/ops.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/mem.h"
#include "fs/ctx.h"
#include "fs/modes.h"
#include "fs/pagefd.h"

/* Writes tell the engine "still busy" at most this often per file. */
#define BUSY_INTERVAL_MS 100

/* Flags the store's open must not see: the kernel has handled them. */
#define FLAGS_DROPPED (O_CREAT | O_EXCL | O_NOCTTY | O_DIRECT)

static bool is_write_open(int flags)
{
    return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
}

/* Finished videos do not change: let the kernel keep their pages. */
static bool is_finished_video(const struct ctx *ctx, const char *rel)
{
    size_t len = strlen(rel);

    return policy_area(ctx->policy, rel) == POLICY_OUT && len > 4 &&
           strcasecmp(rel + len - 4, ".mp4") == 0;
}

static struct ops_file *file_of(const struct fuse_file_info *fi)
{
    return (struct ops_file *)(uintptr_t)fi->fh;
}

/* Says "busy" for a file being written, at most once per interval_ms. */
static void busy(struct ctx *ctx, struct ops_file *file, uint64_t interval_ms)
{
    char *rel;

    if (file->writer && handles_busy_due(ctx->handles, file->writer,
                                         ctx_now_ms(), interval_ms, &rel)) {
        ctx_notify(ctx, false, ENGINE_FILE_BUSY, rel);
        free(rel);
    }
}

/*
 * Shortens a write of size bytes at off to the file's cap, as a file size
 * limit does: a write that would start past it fails with -EFBIG.
 */
static int cap_write(const struct ops_file *file, off_t off, size_t *size)
{
    unsigned long long end = (unsigned long long)off + *size;

    if (!file->max_bytes || end <= file->max_bytes)
        return 0;
    if ((unsigned long long)off >= file->max_bytes)
        return -EFBIG;
    *size = (size_t)(file->max_bytes - (unsigned long long)off);
    return 0;
}

static void still_busy(struct ctx *ctx, struct ops_file *file)
{
    busy(ctx, file, BUSY_INTERVAL_MS);
}

/* Wraps fd into fi; registers a write handle and says "busy" if writing. */
static void attach(struct ctx *ctx, const char *rel, int fd, bool is_writing,
                   bool is_publisher, struct fuse_file_info *fi)
{
    struct ops_file *file = xcalloc(1, sizeof(*file));

    file->fd = fd;
    file->page_fd = pagefd_open(fd, fi->flags);
    if (is_writing && !is_publisher &&
        policy_area(ctx->policy, rel) != POLICY_PRIVATE) {
        file->writer = handles_open(ctx->handles, rel);
        file->max_bytes = policy_write_cap_bytes(ctx->policy, rel);
        busy(ctx, file, 0);
    }
    fi->fh = (uint64_t)(uintptr_t)file;
}

int ops_open(const char *path, struct fuse_file_info *fi)
{
    struct ctx *ctx = ctx_get();
    const char *rel = ctx_rel(path);
    bool is_publisher = ctx_is_publisher(ctx);
    bool is_writing = is_write_open(fi->flags);
    const struct virtual_file *virt;
    int err, fd;

    err = policy_check(ctx->policy, rel,
                       is_writing ? POLICY_MODIFY : POLICY_READ, is_publisher);
    if (err)
        return err;
    virt = virtual_find(ctx->virt, rel);
    if (virt) {
        struct ops_file *file = xcalloc(1, sizeof(*file));

        file->fd = -1;
        file->page_fd = -1;
        file->virt = virt;
        fi->fh = (uint64_t)(uintptr_t)file;
        fi->keep_cache = 1; /* fixed for the life of the mount */
        return 0;
    }
    fd = openat(ctx->store_fd, ctx_at(rel),
                (fi->flags & ~FLAGS_DROPPED) | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (!is_writing && is_finished_video(ctx, rel))
        fi->keep_cache = 1;
    attach(ctx, rel, fd, is_writing, is_publisher, fi);
    return 0;
}

int ops_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    struct ctx *ctx = ctx_get();
    const char *rel = ctx_rel(path);
    bool is_publisher = ctx_is_publisher(ctx);
    int flags =
        (fi->flags & ~(O_NOCTTY | O_DIRECT | O_CREAT | O_EXCL)) | O_CLOEXEC;
    int err, fd;

    err = policy_check(ctx->policy, rel, POLICY_CREATE, is_publisher);
    if (err)
        return err;
    fd = openat(ctx->store_fd, rel, flags | O_CREAT | O_EXCL, mode);
    if (fd >= 0) {
        (void)modes_fix(ctx->store_fd, rel, mode); /* best effort */
        ctx_give_to_caller(ctx, rel);
    } else if (errno == EEXIST && !(fi->flags & O_EXCL)) {
        /* Made in the store since the kernel looked: open it as it is. */
        fd = openat(ctx->store_fd, rel, flags, mode);
    }
    if (fd < 0)
        return -errno;
    attach(ctx, rel, fd, true, is_publisher, fi);
    return 0;
}

int ops_read(const char *path, char *buf, size_t size, off_t off,
             struct fuse_file_info *fi)
{
    struct ops_file *file = file_of(fi);
    ssize_t n;

    (void)path;
    if (file->virt) {
        if (off < 0 || (size_t)off >= file->virt->size)
            return 0;
        if (size > file->virt->size - (size_t)off)
            size = file->virt->size - (size_t)off;
        memcpy(buf, file->virt->data + off, size);
        return (int)size;
    }
    n = pread(file->fd, buf, size, off);
    return n < 0 ? -errno : (int)n;
}

int ops_write(const char *path, const char *buf, size_t size, off_t off,
              struct fuse_file_info *fi)
{
    struct ops_file *file = file_of(fi);
    ssize_t n;
    int err;

    (void)path;
    if (file->virt)
        return -EACCES;
    err = cap_write(file, off, &size);
    if (err)
        return err;
    /* A mapped page written back goes at its offset, even on O_APPEND. */
    n = pwrite(fi->writepage && file->page_fd >= 0 ? file->page_fd : file->fd,
               buf, size, off);
    if (n < 0)
        return -errno;
    still_busy(ctx_get(), file);
    return (int)n;
}

int ops_flush(const char *path, struct fuse_file_info *fi)
{
    struct ops_file *file = file_of(fi);
    int fd;

    (void)path;
    if (file->virt)
        return 0;
    /* close() of a duplicate reports delayed write errors, as close would. */
    fd = dup(file->fd);
    if (fd < 0)
        return -errno;
    return close(fd) != 0 ? -errno : 0;
}

int ops_release(const char *path, struct fuse_file_info *fi)
{
    struct ctx *ctx = ctx_get();
    struct ops_file *file = file_of(fi);
    char *rel;

    (void)path;
    if (file->fd >= 0)
        (void)close(file->fd); /* errors were reported by flush */
    if (file->page_fd >= 0)
        (void)close(file->page_fd);
    if (file->writer && handles_release(ctx->handles, file->writer, &rel)) {
        ctx_notify(ctx, false, ENGINE_FILE_CHANGED, rel);
        free(rel);
    }
    free(file);
    return 0;
}

int ops_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
    struct ops_file *file = file_of(fi);
    int res;

    (void)path;
    if (file->virt)
        return 0;
    res = datasync ? fdatasync(file->fd) : fsync(file->fd);
    return res != 0 ? -errno : 0;
}

int ops_fallocate(const char *path, int mode, off_t off, off_t len,
                  struct fuse_file_info *fi)
{
    struct ops_file *file = file_of(fi);

    (void)path;
    if (file->virt)
        return -EACCES;
    if (fallocate(file->fd, mode, off, len) != 0)
        return -errno;
    still_busy(ctx_get(), file);
    return 0;
}

ssize_t ops_copy_file_range(const char *path_in, struct fuse_file_info *fi_in,
                            off_t off_in, const char *path_out,
                            struct fuse_file_info *fi_out, off_t off_out,
                            size_t size, int flags)
{
    struct ops_file *in = file_of(fi_in), *out = file_of(fi_out);
    ssize_t n;
    int err;

    (void)path_in;
    (void)path_out;
    if (in->virt || out->virt)
        return -EOPNOTSUPP; /* the kernel falls back to read and write */
    err = cap_write(out, off_out, &size);
    if (err)
        return err;
    n = copy_file_range(in->fd, &off_in, out->fd, &off_out, size,
                        (unsigned)flags);
    if (n < 0)
        return -errno;
    still_busy(ctx_get(), out);
    return n;
}

off_t ops_lseek(const char *path, off_t off, int whence,
                struct fuse_file_info *fi)
{
    struct ops_file *file = file_of(fi);
    off_t res;

    (void)path;
    if (file->virt) {
        off_t size = (off_t)file->virt->size;

        if (whence != SEEK_DATA && whence != SEEK_HOLE)
            return -EINVAL;
        if (off < 0 || off >= size)
            return -ENXIO;
        return whence == SEEK_DATA ? off : size;
    }
    res = lseek(file->fd, off, whence);
    return res < 0 ? -errno : res;
}
