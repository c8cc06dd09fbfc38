/*
 * The FUSE operations of the mount (libfuse's high-level, path-based API),
 * split by concern over ops_attr.c, ops_file.c, ops_dir.c, ops_name.c and
 * ops_xattr.c; ops.c gathers them in the table fs_main hands to fuse_new.
 * Each returns 0 (or a count) or a negative errno, as libfuse expects.
 */
#ifndef FS_OPS_H
#define FS_OPS_H

#include "fs/fuse_version.h"

#include <dirent.h>
#include <stdbool.h>

#include <fuse.h>

#include "fs/handles.h"
#include "fs/virtual.h"

/* What fi->fh points to for an open file. */
struct ops_file {
    bool is_dir; /* false: tells it from an ops_dir */
    int fd;      /* -1 for a generated file */
    int page_fd; /* without O_APPEND for page-cache writes, or -1 */
    const struct virtual_file *virt; /* the generated file, or NULL */
    struct handle *writer;           /* write handle entry, or NULL */
    unsigned long long max_bytes;    /* writes past it: EFBIG; 0: no cap */
};

/* What fi->fh points to for an open folder. */
struct ops_dir {
    bool is_dir; /* true */
    DIR *dir;    /* NULL for the fixed folders above the models */
    char *rel;   /* store-relative name */
    bool is_publisher;
};

/* The open regular file of fi, or NULL (no fi, or a folder's). */
struct ops_file *ops_file_of(const struct fuse_file_info *fi);

/* The table for fuse_new. */
extern const struct fuse_operations ops_table;

/* ops.c */
void *ops_init(struct fuse_conn_info *conn, struct fuse_config *cfg);

/* ops_attr.c: attributes and the filesystem as a whole. */
int ops_getattr(const char *path, struct stat *st, struct fuse_file_info *fi);
int ops_access(const char *path, int mask);
int ops_chmod(const char *path, mode_t mode, struct fuse_file_info *fi);
int ops_chown(const char *path, uid_t uid, gid_t gid,
              struct fuse_file_info *fi);
int ops_truncate(const char *path, off_t size, struct fuse_file_info *fi);
int ops_utimens(const char *path, const struct timespec tv[2],
                struct fuse_file_info *fi);
int ops_statfs(const char *path, struct statvfs *st);

/* ops_file.c: open files. */
int ops_open(const char *path, struct fuse_file_info *fi);
int ops_create(const char *path, mode_t mode, struct fuse_file_info *fi);
int ops_read(const char *path, char *buf, size_t size, off_t off,
             struct fuse_file_info *fi);
int ops_write(const char *path, const char *buf, size_t size, off_t off,
              struct fuse_file_info *fi);
int ops_flush(const char *path, struct fuse_file_info *fi);
int ops_release(const char *path, struct fuse_file_info *fi);
int ops_fsync(const char *path, int datasync, struct fuse_file_info *fi);
int ops_fallocate(const char *path, int mode, off_t off, off_t len,
                  struct fuse_file_info *fi);
ssize_t ops_copy_file_range(const char *path_in, struct fuse_file_info *fi_in,
                            off_t off_in, const char *path_out,
                            struct fuse_file_info *fi_out, off_t off_out,
                            size_t size, int flags);
off_t ops_lseek(const char *path, off_t off, int whence,
                struct fuse_file_info *fi);

/* ops_dir.c: folders. */
int ops_opendir(const char *path, struct fuse_file_info *fi);
int ops_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
                struct fuse_file_info *fi, enum fuse_readdir_flags flags);
int ops_releasedir(const char *path, struct fuse_file_info *fi);
int ops_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi);
int ops_mkdir(const char *path, mode_t mode);
int ops_rmdir(const char *path);

/* ops_name.c: names: unlink, rename, links, special files. */
int ops_unlink(const char *path);
int ops_rename(const char *from, const char *to, unsigned int flags);
int ops_link(const char *from, const char *to);
int ops_symlink(const char *target, const char *path);
int ops_readlink(const char *path, char *buf, size_t size);
int ops_mknod(const char *path, mode_t mode, dev_t dev);

/* ops_xattr.c: user.* extended attributes. */
int ops_setxattr(const char *path, const char *name, const char *value,
                 size_t size, int flags);
int ops_getxattr(const char *path, const char *name, char *value, size_t size);
int ops_listxattr(const char *path, char *list, size_t size);
int ops_removexattr(const char *path, const char *name);

#endif
