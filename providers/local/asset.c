/*
 * Asset names: plain file names in the job's folder only (see asset.h).
 */
#include "providers/local/asset.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/mem.h"

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int kb_asset_resolve(const char *asset_dir, const char *field, const char *name,
                     char **path, char **err)
{
    struct stat st;

    *path = NULL;
    if (has_prefix(name, "http://") || has_prefix(name, "https://") ||
        has_prefix(name, "data:")) {
        *err = xasprintf("%s: the local renderer reads images from this "
                         "folder only; put the file here and give its name",
                         field);
        return -EINVAL;
    }
    if (!name[0] || strlen(name) > 255 || strchr(name, '/') ||
        !strcmp(name, ".") || !strcmp(name, "..")) {
        *err = xasprintf("%s \"%.64s\": must be the name of a file in this "
                         "folder (no '/', no '..')",
                         field, name);
        return -EINVAL;
    }
    *path = xasprintf("%s/%s", asset_dir, name);
    if (stat(*path, &st) != 0 || !S_ISREG(st.st_mode)) {
        *err = xasprintf("%s %s: no such file in this folder", field, name);
        free(*path);
        *path = NULL;
        return -ENOENT;
    }
    return 0;
}
