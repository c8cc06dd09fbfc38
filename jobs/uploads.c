/*
 * The upload cache (see uploads.h).
 */
#include "jobs/uploads.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/fsutil.h"
#include "core/mem.h"
#include "jobs/publish.h"

#define MAX_URL_BYTES 8192

/* True for a name that is safe as one path component. */
static bool is_plain(const char *s)
{
    return s[0] && s[0] != '.' && !strchr(s, '/');
}

static char *entry_dir(const char *store_root, const char *uploader)
{
    return xasprintf("%s/%s/uploads/%s", store_root, PUBLISH_PRIVATE_DIR,
                     uploader);
}

int uploads_lookup(const char *store_root, const char *uploader,
                   const char *sha256, char **url)
{
    char *dir, *path, *data = NULL;
    size_t size = 0;
    int rc;

    if (!is_plain(uploader) || !is_plain(sha256))
        return -EINVAL;
    dir = entry_dir(store_root, uploader);
    path = xasprintf("%s/%s", dir, sha256);
    rc = fsutil_read_file(path, MAX_URL_BYTES, &data, &size);
    free(path);
    free(dir);
    if (rc < 0)
        return rc == -EFBIG ? -ENOENT : rc;
    data[strcspn(data, "\r\n")] = '\0';
    if (strncasecmp(data, "https://", 8) != 0 &&
        strncasecmp(data, "http://", 7) != 0) {
        free(data);
        return -ENOENT;
    }
    *url = data;
    return 0;
}

int uploads_store(const char *store_root, const char *uploader,
                  const char *sha256, const char *url)
{
    char *dir, *path, *text;
    int rc;

    if (!is_plain(uploader) || !is_plain(sha256))
        return -EINVAL;
    dir = entry_dir(store_root, uploader);
    path = xasprintf("%s/%s", dir, sha256);
    text = xasprintf("%s\n", url);
    rc = fsutil_mkdir_p(dir, 0700);
    if (rc == 0)
        rc = fsutil_write_atomic(path, text, strlen(text));
    free(text);
    free(path);
    free(dir);
    return rc;
}
