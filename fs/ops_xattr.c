/*
 * FUSE operations on extended attributes: the user.* namespace passes
 * through to the store (Samba keeps macOS metadata there); other
 * namespaces are not supported. Generated files have none.
 */
#include "fs/ops.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "core/mem.h"
#include "fs/ctx.h"

#define USER_PREFIX "user."

/* The most a list of attribute names can hold (Linux's XATTR_LIST_MAX). */
#define LIST_MAX 65536

static bool is_user_name(const char *name)
{
    return strncmp(name, USER_PREFIX, strlen(USER_PREFIX)) == 0;
}

/* Checks op on path and builds its store path; -ENODATA: generated file. */
static int prepare(const char *path, enum policy_op op, char full[PATH_MAX])
{
    struct ctx *ctx = ctx_get();
    const char *rel = ctx_rel(path);
    int err;

    err = policy_check(ctx->policy, rel, op, ctx_is_publisher(ctx));
    if (err)
        return err;
    if (virtual_find(ctx->virt, rel))
        return op == POLICY_READ ? -ENODATA : -EACCES;
    return ctx_full_path(ctx, rel, full);
}

int ops_setxattr(const char *path, const char *name, const char *value,
                 size_t size, int flags)
{
    char full[PATH_MAX];
    int err;

    if (!is_user_name(name))
        return -ENOTSUP;
    err = prepare(path, POLICY_MODIFY, full);
    if (err)
        return err;
    return lsetxattr(full, name, value, size, flags) != 0 ? -errno : 0;
}

int ops_getxattr(const char *path, const char *name, char *value, size_t size)
{
    char full[PATH_MAX];
    ssize_t n;
    int err;

    if (!is_user_name(name))
        return -ENOTSUP;
    err = prepare(path, POLICY_READ, full);
    if (err)
        return err;
    n = lgetxattr(full, name, value, size);
    return n < 0 ? -errno : (int)n;
}

int ops_listxattr(const char *path, char *list, size_t size)
{
    char full[PATH_MAX];
    char *all = NULL;
    size_t kept = 0;
    ssize_t n;
    int err;

    err = prepare(path, POLICY_READ, full);
    if (err == -ENODATA)
        return 0;
    if (err)
        return err;
    all = xmalloc(LIST_MAX);
    n = llistxattr(full, all, LIST_MAX);
    if (n < 0) {
        err = -errno;
        goto out;
    }
    /* Only user.* names are ours to show; the others are refused anyway. */
    for (ssize_t i = 0; i < n;) {
        size_t len = strlen(all + i) + 1;

        if (is_user_name(all + i)) {
            if (size && kept + len > size) {
                err = -ERANGE;
                goto out;
            }
            if (size)
                memcpy(list + kept, all + i, len);
            kept += len;
        }
        i += (ssize_t)len;
    }
    err = (int)kept;
out:
    free(all);
    return err;
}

int ops_removexattr(const char *path, const char *name)
{
    char full[PATH_MAX];
    int err;

    if (!is_user_name(name))
        return -ENOTSUP;
    err = prepare(path, POLICY_MODIFY, full);
    if (err)
        return err;
    return lremovexattr(full, name) != 0 ? -errno : 0;
}
