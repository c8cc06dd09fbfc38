/*
 * The operations table of the mount and its init handler, which sets the
 * cache timeouts DESIGN.md asks for.
 */
#include "fs/ops.h"

#include <stdint.h>

#include "fs/ctx.h"

struct ops_file *ops_file_of(const struct fuse_file_info *fi)
{
    struct ops_file *file;

    if (!fi || !fi->fh)
        return NULL;
    file = (struct ops_file *)(uintptr_t)fi->fh;
    return file->is_dir ? NULL : file;
}

void *ops_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    (void)conn;
    /*
     * Short timeouts and no negative caching for the drop area, so files
     * that appear in the store are seen at once. The high-level API cannot
     * give finished videos longer ones; they get keep_cache on open.
     */
    cfg->entry_timeout = 1.0;
    cfg->attr_timeout = 1.0;
    cfg->negative_timeout = 0.0;
    cfg->use_ino = 1;
    /*
     * A file unlinked while open is hidden (renamed to .fuse_hiddenN) until
     * its last close, so fstat and friends keep working on it; listings
     * leave those names out.
     */
    cfg->hard_remove = 0;
    cfg->nullpath_ok = 1;
    cfg->direct_io = 0;
    cfg->kernel_cache = 0;
    cfg->auto_cache = 0;
    return ctx_get();
}

const struct fuse_operations ops_table = {
    .init = ops_init,
    .getattr = ops_getattr,
    .access = ops_access,
    .chmod = ops_chmod,
    .chown = ops_chown,
    .truncate = ops_truncate,
    .utimens = ops_utimens,
    .statfs = ops_statfs,
    .open = ops_open,
    .create = ops_create,
    .read = ops_read,
    .write = ops_write,
    .flush = ops_flush,
    .release = ops_release,
    .fsync = ops_fsync,
    .fallocate = ops_fallocate,
    .copy_file_range = ops_copy_file_range,
    .lseek = ops_lseek,
    .opendir = ops_opendir,
    .readdir = ops_readdir,
    .releasedir = ops_releasedir,
    .fsyncdir = ops_fsyncdir,
    .mkdir = ops_mkdir,
    .rmdir = ops_rmdir,
    .unlink = ops_unlink,
    .rename = ops_rename,
    .link = ops_link,
    .symlink = ops_symlink,
    .readlink = ops_readlink,
    .mknod = ops_mknod,
    .setxattr = ops_setxattr,
    .getxattr = ops_getxattr,
    .listxattr = ops_listxattr,
    .removexattr = ops_removexattr,
};
