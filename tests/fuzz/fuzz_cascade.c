/*
 * Fuzz target: the cascade of a job's request (request_effective). The
 * input is up to three texts split at NUL bytes: the model folder's
 * request.json, trip/request.json and the sidecar trip/photo.json. They
 * are written into a scratch store for two models (the offline renderer
 * and Kling v3, the richest entry), and what request_effective builds must
 * be the defaults with each text merged over them in order, or a one-line
 * error naming the first file that is not a JSON object.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "jobs/request.h"
#include "providers/catalog.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/fuzz_catalog.h"

#define PARTS 3

static const char *const folders[] = { "local/kenburns", "kling/kling-v3" };
static const char *const files[PARTS] = { "request.json", "trip/request.json",
                                          "trip/photo.json" };

static struct catalog *catalog;
static char store[64];
static struct fuzz_file scratch;

static int remove_cb(const char *path, const struct stat *st, int flag,
                     struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_store(void)
{
    (void)nftw(store, remove_cb, 8, FTW_DEPTH | FTW_PHYS); /* best effort */
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    catalog = fuzz_catalog_all();
    fuzz_file_open(&scratch);
    snprintf(store, sizeof(store), "/dev/shm/i2vfs-fuzz-XXXXXX");
    if (!mkdtemp(store)) {
        snprintf(store, sizeof(store), "/tmp/i2vfs-fuzz-XXXXXX");
        if (!mkdtemp(store)) {
            perror("mkdtemp");
            abort();
        }
    }
    atexit(remove_store);
    for (size_t i = 0; i < sizeof(folders) / sizeof(folders[0]); i++) {
        char path[256];
        char *slash = path + strlen(store);

        snprintf(path, sizeof(path), "%s/%s/trip", store, folders[i]);
        while ((slash = strchr(slash + 1, '/'))) {
            *slash = '\0';
            (void)mkdir(path, 0755); /* may exist */
            *slash = '/';
        }
        if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            perror(path);
            abort();
        }
    }
    return 0;
}

/* "a/b/c": a new string the caller frees. */
static char *join3(const char *a, const char *b, const char *c)
{
    char *s = NULL;

    if (asprintf(&s, "%s/%s/%s", a, b, c) < 0)
        abort();
    return s;
}

static void write_file(const char *path, const uint8_t *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) ||
        close(fd) != 0) {
        perror(path);
        abort();
    }
}

/* What one text is on its own: parsed, or the error request_read_json gives. */
static int read_part(const uint8_t *data, size_t size, const char *name,
                     cJSON **out, char **err)
{
    fuzz_file_set(&scratch, data, size);
    return request_read_json(scratch.path, name, out, err);
}

static void check_model(const char *folder, const uint8_t *part[PARTS],
                        const size_t len[PARTS], size_t count)
{
    const struct catalog_model *model =
        catalog_find_model_by_folder(catalog, folder);
    cJSON *want, *got = NULL;
    char *err = NULL, *want_err = NULL, *dir;
    int has_request = 0, rc;

    FUZZ_CHECK(model);
    want = catalog_model_defaults(model);
    for (size_t i = 0; i < PARTS; i++) {
        char *path = join3(store, folder, files[i]);

        if (i < count)
            write_file(path, part[i], len[i]);
        else
            (void)unlink(path); /* may be missing already */
        free(path);
    }
    for (size_t i = 0; i < count && !want_err; i++) {
        cJSON *v = NULL;

        if (read_part(part[i], len[i], files[i], &v, &want_err) == 0 &&
            !cJSON_IsObject(v))
            want_err = strdup(files[i]);
        if (!want_err)
            request_merge(want, v);
        cJSON_Delete(v);
    }
    if (asprintf(&dir, "%s/trip", folder) < 0)
        abort();
    rc = request_effective(store, model, dir, "photo.json", &got, &has_request,
                           &err);
    if (want_err) {
        /* The error names the first bad file, as read_part names it. */
        const char *colon = strchr(want_err, ':');
        size_t n = colon ? (size_t)(colon - want_err) : strlen(want_err);

        FUZZ_CHECK(rc == -EINVAL && !got);
        FUZZ_CHECK_LINE(err);
        FUZZ_CHECK(strncmp(err, want_err, n) == 0 && err[n] == ':');
    } else {
        FUZZ_CHECK(rc == 0 && !err);
        FUZZ_CHECK(has_request == 1);
        FUZZ_CHECK(cJSON_Compare(want, got, true));
    }
    free(dir);
    free(want_err);
    free(err);
    cJSON_Delete(want);
    cJSON_Delete(got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *part[PARTS], *end = data + size;
    size_t len[PARTS], count = 0;

    if (size > 3 * 16384)
        return -1;
    while (count < PARTS) {
        const uint8_t *nul = memchr(data, '\0', (size_t)(end - data));

        part[count] = data;
        len[count] = nul && count < PARTS - 1 ? (size_t)(nul - data)
                                              : (size_t)(end - data);
        count++;
        if (!nul || count == PARTS)
            break;
        data = nul + 1;
    }
    for (size_t i = 0; i < sizeof(folders) / sizeof(folders[0]); i++)
        check_model(folders[i], part, len, count);
    return 0;
}
