/*
 * Job keys and the dedup index (see keys.h).
 */
#include "jobs/keys.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/mem.h"
#include "jobs/publish.h"

/* The index never holds anything larger than a path. */
#define KEYS_MAX_BYTES 4096

static int compare_names(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a;
    const cJSON *y = *(const cJSON *const *)b;

    return strcmp(x->string, y->string);
}

/* A deep copy of value with every object's members sorted by name. */
static cJSON *sorted_copy(const cJSON *value)
{
    const cJSON *child;
    cJSON *copy;

    if (cJSON_IsArray(value)) {
        copy = cJSON_CreateArray();
        cJSON_ArrayForEach(child, value)
        {
            cJSON_AddItemToArray(copy, sorted_copy(child));
        }
        return copy;
    }
    if (!cJSON_IsObject(value))
        return cJSON_Duplicate(value, true);

    size_t n = 0, i = 0;
    const cJSON **members;

    cJSON_ArrayForEach(child, value)
    {
        n++;
    }
    members = xcalloc(n ? n : 1, sizeof(*members));
    cJSON_ArrayForEach(child, value)
    {
        members[i++] = child;
    }
    qsort((void *)members, n, sizeof(*members), compare_names);
    copy = cJSON_CreateObject();
    for (i = 0; i < n; i++)
        cJSON_AddItemToObject(copy, members[i]->string,
                              sorted_copy(members[i]));
    free((void *)members);
    return copy;
}

char *keys_canonical(const cJSON *value)
{
    cJSON *sorted = sorted_copy(value);
    char *text = cJSON_PrintUnformatted(sorted);
    char *out = xstrdup(text ? text : "null");

    cJSON_free(text);
    cJSON_Delete(sorted);
    return out;
}

/* Adds a field and a separator, so ("ab","c") and ("a","bc") differ. */
static void hash_field(struct hash_sha256 *h, const char *text)
{
    hash_sha256_update(h, text, strlen(text) + 1);
}

void keys_compute(const char *model, const cJSON *request,
                  const char *image_sha256, const char *const *asset_sha256,
                  size_t n, char key[HASH_HEX_LEN + 1])
{
    struct hash_sha256 h;
    char *canon = keys_canonical(request);

    hash_sha256_init(&h);
    hash_field(&h, "i2vfs-job-v1");
    hash_field(&h, model);
    hash_field(&h, canon);
    hash_field(&h, image_sha256 ? image_sha256 : "");
    for (size_t i = 0; i < n; i++)
        hash_field(&h, asset_sha256[i]);
    hash_sha256_final(&h, key);
    free(canon);
}

static char *index_path(const char *store_root, const char *key)
{
    return xasprintf("%s/%s/keys/%s", store_root, PUBLISH_PRIVATE_DIR, key);
}

int keys_lookup(const char *store_root, const char *key, char **prefix_rel)
{
    char *path = index_path(store_root, key), *data = NULL;
    size_t size;
    int rc;

    rc = fsutil_read_file(path, KEYS_MAX_BYTES, &data, &size);
    free(path);
    if (rc < 0)
        return rc;
    /* A path on one line; anything else is a damaged entry, treat as none. */
    data[strcspn(data, "\n")] = '\0';
    if (!data[0]) {
        free(data);
        return -ENOENT;
    }
    *prefix_rel = data;
    return 0;
}

int keys_store(const char *store_root, const char *key, const char *prefix_rel)
{
    char *dir = xasprintf("%s/%s/keys", store_root, PUBLISH_PRIVATE_DIR);
    char *path = index_path(store_root, key);
    char *text = xasprintf("%s\n", prefix_rel);
    int rc;

    rc = fsutil_mkdir_p(dir, 0755);
    if (rc == 0)
        rc = fsutil_write_atomic(path, text, strlen(text));
    free(text);
    free(path);
    free(dir);
    return rc;
}

int keys_forget(const char *store_root, const char *key, const char *prefix_rel)
{
    char *current = NULL, *path;
    int rc;

    rc = keys_lookup(store_root, key, &current);
    if (rc < 0)
        return rc == -ENOENT ? 0 : rc;
    rc = 0;
    if (strcmp(current, prefix_rel) == 0) {
        path = index_path(store_root, key);
        if (unlink(path) < 0 && errno != ENOENT)
            rc = -errno;
        free(path);
    }
    free(current);
    return rc;
}
