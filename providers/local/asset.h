/*
 * Resolves the file names a request gives for images (imageTail,
 * staticMask …) inside the job's folder, refusing anything that could
 * point outside it.
 */
#ifndef PROVIDERS_LOCAL_ASSET_H
#define PROVIDERS_LOCAL_ASSET_H

/*
 * Checks that name (the value of option field) is a plain file name in
 * asset_dir and that the file exists. Returns 0 with *path (caller frees)
 * set to the absolute path, or -EINVAL (a path, URL or data) or -ENOENT
 * with *err (caller frees) one line naming the field and the value.
 */
int kb_asset_resolve(const char *asset_dir, const char *field, const char *name,
                     char **path, char **err);

#endif
