/*
 * Job keys and the dedup index: a key is the SHA-256 of what a job asks
 * (model, canonical effective request, image and asset bytes), and the
 * index <store>/.i2vfs/keys/<key> names the result that key produced, so
 * the same pair is never rendered twice, across restarts included.
 */
#ifndef JOBS_KEYS_H
#define JOBS_KEYS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/hash.h"

/*
 * The canonical text of a JSON value: object keys sorted at every depth,
 * no whitespace. Returns a new string the caller frees.
 */
char *keys_canonical(const cJSON *value);

/*
 * Computes the key of a job: model is the model's route/id, image_sha256 the
 * first frame's SHA-256 (hex), asset_sha256 the n assets' SHA-256 (hex) in
 * the order the request names them.
 */
void keys_compute(const char *model, const cJSON *request,
                  const char *image_sha256, const char *const *asset_sha256,
                  size_t n, char key[HASH_HEX_LEN + 1]);

/*
 * Looks key up in the index under store_root. Returns 0 with *prefix_rel
 * (caller frees) the store-relative result without extension, e.g.
 * "local/kenburns/out/photo"; -ENOENT when the key produced nothing yet.
 */
int keys_lookup(const char *store_root, const char *key, char **prefix_rel);

/* Records that key produced prefix_rel (atomic write). Returns 0 or -errno. */
int keys_store(const char *store_root, const char *key, const char *prefix_rel);

/*
 * Removes key from the index if it names prefix_rel (the record was
 * deleted, so the image may run again). Returns 0 or a negative errno.
 */
int keys_forget(const char *store_root, const char *key,
                const char *prefix_rel);

#endif
