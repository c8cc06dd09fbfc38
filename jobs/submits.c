/*
 * Submit marks (see submits.h).
 */
#include "jobs/submits.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/mem.h"
#include "jobs/publish.h"

/* Idempotency keys are "i2vfs_" and 32 hex digits; room to spare. */
#define MAX_MARK_BYTES 256

/* True for a name that is safe as one path component. */
static bool is_plain(const char *s)
{
    return s && s[0] && s[0] != '.' && !strchr(s, '/');
}

static char *mark_dir(const char *store_root)
{
    return xasprintf("%s/%s/submits", store_root, PUBLISH_PRIVATE_DIR);
}

int submits_mark(const char *store_root, const char *job_key,
                 const char *idempotency_key)
{
    char *dir, *path;
    int rc;

    if (!is_plain(job_key) || !is_plain(idempotency_key) ||
        strlen(idempotency_key) >= MAX_MARK_BYTES)
        return -EINVAL;
    dir = mark_dir(store_root);
    path = xasprintf("%s/%s", dir, job_key);
    rc = fsutil_mkdir_p(dir, 0700);
    if (rc == 0)
        rc =
            fsutil_write_atomic(path, idempotency_key, strlen(idempotency_key));
    free(path);
    free(dir);
    return rc;
}

int submits_find(const char *store_root, const char *job_key,
                 char **idempotency_key)
{
    char *dir, *path, *data = NULL;
    size_t size = 0;
    int rc;

    if (!is_plain(job_key))
        return -ENOENT;
    dir = mark_dir(store_root);
    path = xasprintf("%s/%s", dir, job_key);
    rc = fsutil_read_file(path, MAX_MARK_BYTES, &data, &size);
    free(path);
    free(dir);
    if (rc < 0)
        return -ENOENT;
    if (size == 0 || strlen(data) != size || !is_plain(data)) {
        free(data);
        return -ENOENT;
    }
    *idempotency_key = data;
    return 0;
}

void submits_clear(const char *store_root, const char *job_key)
{
    char *dir, *path;

    if (!is_plain(job_key))
        return;
    dir = mark_dir(store_root);
    path = xasprintf("%s/%s", dir, job_key);
    (void)unlink(path); /* missing is fine: nothing was marked */
    free(path);
    free(dir);
}
