/*
 * Small file helpers (see fsutil.h): capped reads, atomic and exclusive
 * writes, mkdir -p, path joining.
 */
#include "core/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"

int fsutil_read_file(const char *path, size_t max_bytes, char **data,
                     size_t *size)
{
    /* Read up to one byte past the cap, to tell "exactly max" from "more". */
    size_t limit = max_bytes < SIZE_MAX ? max_bytes + 1 : SIZE_MAX;
    size_t cap = 4096, len = 0;
    char *buf = NULL;
    int fd, rc = 0;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    buf = xmalloc(cap);
    for (;;) {
        /* Keep one byte free for the NUL. */
        if (cap - len < 2) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        size_t want = cap - len - 1;
        if (want > limit - len)
            want = limit - len;
        ssize_t n = read(fd, buf + len, want);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = -errno;
            goto out;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > max_bytes) {
            rc = -EFBIG;
            goto out;
        }
    }
    buf[len] = '\0';
    *data = buf;
    *size = len;
    buf = NULL;
out:
    free(buf);
    close(fd);
    return rc;
}

/* Writes all of data to fd, retrying short writes and EINTR. */
static int write_all(int fd, const void *data, size_t size)
{
    const char *p = data;

    while (size > 0) {
        ssize_t n = write(fd, p, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

/* fsyncs the folder that holds path, so a rename or create in it is durable. */
static int fsync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    int fd, rc = 0;

    if (!slash)
        dir = xstrdup(".");
    else if (slash == path)
        dir = xstrdup("/");
    else
        dir = xstrndup(path, (size_t)(slash - path));
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (fd < 0)
        return -errno;
    if (fsync(fd) < 0 && errno != EINVAL)
        rc = -errno;
    close(fd);
    return rc;
}

/* Writes data to the open fd, fsyncs and closes it; returns 0 or -errno. */
static int write_sync_close(int fd, const void *data, size_t size)
{
    int rc = write_all(fd, data, size);

    if (rc == 0 && fsync(fd) < 0)
        rc = -errno;
    if (close(fd) < 0 && rc == 0)
        rc = -errno;
    return rc;
}

int fsutil_write_atomic(const char *path, const void *data, size_t size)
{
    const char *slash = strrchr(path, '/');
    char *tmp;
    int fd, rc;

    /* A hidden temporary name, so the drop area's rules ignore it. */
    if (slash)
        tmp =
            xasprintf("%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
    else
        tmp = xasprintf(".%s.XXXXXX", path);
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        rc = -errno;
        goto out;
    }
    /* mkstemp creates 0600; results are ordinary files. */
    if (fchmod(fd, 0644) < 0) {
        rc = -errno;
        close(fd);
        goto fail;
    }
    rc = write_sync_close(fd, data, size);
    if (rc < 0)
        goto fail;
    if (rename(tmp, path) < 0) {
        rc = -errno;
        goto fail;
    }
    rc = fsync_parent(path);
    goto out;
fail:
    (void)unlink(tmp); /* best effort: the error being returned matters more */
out:
    free(tmp);
    return rc;
}

int fsutil_write_new(const char *path, const void *data, size_t size)
{
    int fd, rc;

    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    rc = write_sync_close(fd, data, size);
    if (rc < 0)
        (void)unlink(path); /* best effort: do not leave a partial file */
    return rc;
}

int fsutil_mkdir_p(const char *path, unsigned mode)
{
    char *copy = xstrdup(path);
    int rc = 0;

    for (char *p = copy + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, (mode_t)mode) < 0 && errno != EEXIST) {
            rc = -errno;
            goto out;
        }
        *p = '/';
    }
    if (mkdir(copy, (mode_t)mode) < 0) {
        struct stat st;

        if (errno != EEXIST) {
            rc = -errno;
            goto out;
        }
        if (stat(copy, &st) < 0) {
            rc = -errno;
            goto out;
        }
        if (!S_ISDIR(st.st_mode))
            rc = -ENOTDIR;
    }
out:
    free(copy);
    return rc;
}

char *fsutil_join(const char *a, const char *b)
{
    size_t la = strlen(a);

    while (la > 0 && a[la - 1] == '/')
        la--;
    while (*b == '/')
        b++;
    if (la == 0 && a[0] == '/')
        return xasprintf("/%s", b);
    if (la == 0)
        return xstrdup(b);
    if (*b == '\0')
        return xstrndup(a, la);
    return xasprintf("%.*s/%s", (int)la, a, b);
}

int fsutil_is_beneath(const char *root, const char *path)
{
    char *real_root = realpath(root, NULL);
    char *real = NULL;
    size_t n;
    int rc;

    if (!real_root)
        return -errno;
    real = realpath(path, NULL);
    if (!real) {
        rc = errno == ENOENT ? 1 : -errno;
        goto out;
    }
    n = strlen(real_root);
    rc = strncmp(real, real_root, n) == 0 &&
         (real[n] == '/' || real[n] == '\0' || n == 1);
out:
    free(real);
    free(real_root);
    return rc;
}
