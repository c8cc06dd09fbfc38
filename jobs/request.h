/*
 * The effective request of a job: model defaults, then every request.json
 * from the model folder down to the job's folder, then the image's sidecar
 * (photo.json). Objects merge key by key; other values replace.
 */
#ifndef JOBS_REQUEST_H
#define JOBS_REQUEST_H

#include <cjson/cJSON.h>

#include "providers/catalog.h"

/* Largest request.json or sidecar read, in bytes. */
#define REQUEST_MAX_BYTES (1024 * 1024)

/*
 * Merges over into base in place: objects recursively, everything else
 * replaced by a copy. Borrows over.
 */
void request_merge(cJSON *base, const cJSON *over);

/*
 * Builds the effective request for a job in store-relative folder dir_rel
 * (inside model's folder), with optional sidecar file name (relative to
 * dir_rel, NULL for none). Reads files under store_root.
 * Returns 0 with *out a new object the caller deletes; -EINVAL with *err a
 * one-line message naming the file, line and column of bad JSON
 * ("trip/request.json: invalid JSON at line 3, column 7"); -ENOENT never
 * (missing files are simply skipped). *has_request is set true when at
 * least one request.json was found in the chain.
 */
int request_effective(const char *store_root, const struct catalog_model *model,
                      const char *dir_rel, const char *sidecar, cJSON **out,
                      int *has_request, char **err);

/*
 * Reads and parses one JSON file of at most REQUEST_MAX_BYTES. Returns 0
 * with *out set; -ENOENT if missing; -EINVAL/-EFBIG with *err (caller
 * frees) naming display_name, and line and column for bad JSON.
 */
int request_read_json(const char *path, const char *display_name, cJSON **out,
                      char **err);

#endif
