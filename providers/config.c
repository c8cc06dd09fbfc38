/*
 * The cloud settings (see config.h): defaults, then the config file, then
 * the environment.
 */
#include "providers/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/mem.h"

#define CONFIG_MAX_BYTES (64 * 1024)

struct config_entry {
    const char *name;
    const char *default_url;
    struct provider_config pc;
    char *base_url, *api_key, *access_key, *secret_key; /* owned */
    unsigned concurrency;
};

struct config {
    struct config_entry entries[CONFIG_PROVIDER_COUNT];
    uint64_t poll_interval_ms;
    uint64_t poll_timeout_ms;
};

static const struct {
    const char *name;
    const char *url;
} known[CONFIG_PROVIDER_COUNT] = {
    { "gateway", "https://ai-gateway.vercel.sh/v4/ai" },
    { "kling", "https://api-singapore.klingai.com" },
    { "krea", "https://api.krea.ai" },
    { "blob", "https://vercel.com/api/blob" },
};

/* The index of provider name, or -1. */
static int entry_index(const char *name)
{
    for (int i = 0; i < CONFIG_PROVIDER_COUNT; i++) {
        if (name && strcmp(known[i].name, name) == 0)
            return i;
    }
    return -1;
}

static struct config_entry *entry_find(struct config *cfg, const char *name)
{
    int i = entry_index(name);

    return i < 0 ? NULL : &cfg->entries[i];
}

static void set(char **field, const char *value)
{
    free(*field);
    *field = value ? xstrdup(value) : NULL;
}

/* The environment variable name when set and non-empty, else NULL. */
static const char *env(const char *name)
{
    const char *v = getenv(name);

    return v && v[0] ? v : NULL;
}

/* Sets *field from the first variable of names that is set. */
static void from_env(char **field, const char *a, const char *b)
{
    const char *v = env(a);

    if (!v && b)
        v = env(b);
    if (v)
        set(field, v);
}

/* A whole number of milliseconds from the environment, if set and valid. */
static void ms_from_env(uint64_t *out, const char *name)
{
    const char *v = env(name);
    char *end = NULL;
    unsigned long long n;

    if (!v)
        return;
    errno = 0;
    n = strtoull(v, &end, 10);
    if (errno == 0 && *end == '\0' && n > 0)
        *out = n;
}

static void apply_env(struct config *cfg)
{
    struct config_entry *g = entry_find(cfg, "gateway");
    struct config_entry *k = entry_find(cfg, "kling");
    struct config_entry *r = entry_find(cfg, "krea");
    struct config_entry *b = entry_find(cfg, "blob");

    from_env(&g->api_key, "AI_GATEWAY_API_KEY", NULL);
    from_env(&g->base_url, "I2VFS_GATEWAY_URL", NULL);
    from_env(&k->api_key, "KLINGAI_API_KEY", NULL);
    from_env(&k->access_key, "KLINGAI_ACCESS_KEY", "KLING_ACCESS_KEY");
    from_env(&k->secret_key, "KLINGAI_SECRET_KEY", "KLING_SECRET_KEY");
    from_env(&k->base_url, "I2VFS_KLING_URL", NULL);
    from_env(&r->api_key, "KREA_API_KEY", NULL);
    from_env(&r->base_url, "I2VFS_KREA_URL", NULL);
    from_env(&b->api_key, "BLOB_READ_WRITE_TOKEN", NULL);
    from_env(&b->base_url, "I2VFS_BLOB_URL", "VERCEL_BLOB_API_URL");
    ms_from_env(&cfg->poll_interval_ms, "I2VFS_POLL_MS");
}

/* A positive whole number member, if present. */
static int get_count(const cJSON *obj, const char *key, const char *where,
                     uint64_t *out, char **err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (!v)
        return 0;
    if (!cJSON_IsNumber(v) || v->valuedouble < 1 ||
        v->valuedouble != (double)(uint64_t)v->valuedouble) {
        *err =
            xasprintf("%s%s must be a whole number of at least 1", where, key);
        return -EINVAL;
    }
    *out = (uint64_t)v->valuedouble;
    return 0;
}

static int parse_entry(struct config_entry *e, const cJSON *obj,
                       const char *file, char **err)
{
    static const char *const strs[] = { "api_key", "base_url", "access_key",
                                        "secret_key" };
    char **fields[] = { &e->api_key, &e->base_url, &e->access_key,
                        &e->secret_key };
    char *where = xasprintf("%s: %s.", file, e->name);
    const cJSON *it;
    uint64_t n = e->concurrency;
    int rc = 0;

    if (!cJSON_IsObject(obj)) {
        *err = xasprintf("%s: \"%s\" must be an object", file, e->name);
        rc = -EINVAL;
        goto out;
    }
    cJSON_ArrayForEach(it, obj)
    {
        bool ok = strcmp(it->string, "concurrency") == 0;

        for (size_t i = 0; i < 4 && !ok; i++) {
            if (strcmp(it->string, strs[i]) != 0)
                continue;
            ok = true;
            if (!cJSON_IsString(it) || !it->valuestring[0]) {
                *err = xasprintf("%s%s must be a non-empty string", where,
                                 strs[i]);
                rc = -EINVAL;
                goto out;
            }
            set(fields[i], it->valuestring);
        }
        if (!ok) {
            *err = xasprintf("%s%s is not a setting (known: api_key, "
                             "base_url, access_key, secret_key, concurrency)",
                             where, it->string);
            rc = -EINVAL;
            goto out;
        }
    }
    rc = get_count(obj, "concurrency", where, &n, err);
    e->concurrency = (unsigned)(n > 1000 ? 1000 : n);
out:
    free(where);
    return rc;
}

static int parse_file(struct config *cfg, const char *file, const char *text,
                      char **err)
{
    cJSON *root = cJSON_Parse(text);
    const cJSON *it;
    char *where = xasprintf("%s: ", file);
    int rc = 0;

    if (!cJSON_IsObject(root)) {
        *err = xasprintf("%s: not a JSON object", file);
        rc = -EINVAL;
        goto out;
    }
    cJSON_ArrayForEach(it, root)
    {
        struct config_entry *e = entry_find(cfg, it->string);

        if (e) {
            rc = parse_entry(e, it, file, err);
        } else if (strcmp(it->string, "poll_interval_ms") == 0) {
            rc =
                get_count(root, it->string, where, &cfg->poll_interval_ms, err);
        } else if (strcmp(it->string, "poll_timeout_ms") == 0) {
            rc = get_count(root, it->string, where, &cfg->poll_timeout_ms, err);
        } else {
            *err = xasprintf("%s%s is not a setting (known: gateway, kling, "
                             "krea, blob, poll_interval_ms, poll_timeout_ms)",
                             where, it->string);
            rc = -EINVAL;
        }
        if (rc < 0)
            goto out;
    }
out:
    free(where);
    cJSON_Delete(root);
    return rc;
}

/* Reads file, refusing anything but a regular 0600 file of ours. */
static int read_private(const char *file, char **text, char **err)
{
    struct stat st;
    ssize_t n;
    int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    int rc = 0;

    if (fd < 0) {
        rc = -errno;
        if (rc == -ELOOP)
            *err = xasprintf("%s: must be a regular file of mode 0600 owned "
                             "by you, not a symbolic link",
                             file);
        else
            *err = xasprintf("%s: %s", file, strerror(errno));
        return rc;
    }
    if (fstat(fd, &st) < 0) {
        rc = -errno;
        *err = xasprintf("%s: %s", file, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077)) {
        *err =
            xasprintf("%s: holds API keys, so it must be a regular file of "
                      "mode 0600 owned by you (it is %s mode %04o): run "
                      "chmod 600 %s",
                      file, S_ISREG(st.st_mode) ? "a file of" : "not a file,",
                      (unsigned)(st.st_mode & 07777), file);
        rc = -EPERM;
        goto out;
    }
    *text = xcalloc(1, CONFIG_MAX_BYTES + 1);
    n = read(fd, *text, CONFIG_MAX_BYTES + 1);
    if (n < 0 || n > CONFIG_MAX_BYTES) {
        rc = n < 0 ? -errno : -EFBIG;
        *err = xasprintf("%s: %s", file,
                         n < 0 ? strerror(errno) : "larger than 64 KiB");
        free(*text);
        *text = NULL;
    }
out:
    close(fd);
    return rc;
}

char *config_default_path(void)
{
    const char *xdg = env("XDG_CONFIG_HOME"), *home = env("HOME");

    if (xdg && xdg[0] == '/')
        return xasprintf("%s/i2vfs/config.json", xdg);
    if (home)
        return xasprintf("%s/.config/i2vfs/config.json", home);
    return NULL;
}

int config_load(const char *path, struct config **out, char **err)
{
    struct config *cfg = xcalloc(1, sizeof(*cfg));
    char *file = path ? xstrdup(path) : config_default_path();
    char *text = NULL;
    int rc = 0;

    *err = NULL;
    for (size_t i = 0; i < CONFIG_PROVIDER_COUNT; i++) {
        cfg->entries[i].name = known[i].name;
        cfg->entries[i].default_url = known[i].url;
        cfg->entries[i].concurrency = CONFIG_DEFAULT_CONCURRENCY;
    }
    cfg->poll_interval_ms = CONFIG_DEFAULT_POLL_INTERVAL_MS;
    cfg->poll_timeout_ms = CONFIG_DEFAULT_POLL_TIMEOUT_MS;
    if (file) {
        rc = read_private(file, &text, err);
        if (rc == -ENOENT && !path) {
            free(*err);
            *err = NULL;
            rc = 0;
        } else if (rc == 0) {
            rc = parse_file(cfg, file, text, err);
        }
    }
    free(text);
    free(file);
    if (rc < 0) {
        config_free(cfg);
        return rc;
    }
    apply_env(cfg);
    for (size_t i = 0; i < CONFIG_PROVIDER_COUNT; i++) {
        struct config_entry *e = &cfg->entries[i];
        size_t n;

        if (!e->base_url)
            e->base_url = xstrdup(e->default_url);
        /* "https://host/" and "https://host" name the same base. */
        n = strlen(e->base_url);
        while (n > 0 && e->base_url[n - 1] == '/')
            e->base_url[--n] = '\0';
        e->pc.base_url = e->base_url;
        e->pc.api_key = e->api_key;
        e->pc.access_key = e->access_key;
        e->pc.secret_key = e->secret_key;
    }
    *out = cfg;
    return 0;
}

/* Overwrites a secret before freeing it. */
static void free_secret(char *s)
{
    if (s)
        explicit_bzero(s, strlen(s));
    free(s);
}

void config_free(struct config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < CONFIG_PROVIDER_COUNT; i++) {
        struct config_entry *e = &cfg->entries[i];

        free(e->base_url);
        free_secret(e->api_key);
        free_secret(e->access_key);
        free_secret(e->secret_key);
    }
    free(cfg);
}

const struct provider_config *config_provider(const struct config *cfg,
                                              const char *name)
{
    int i = entry_index(name);

    return i < 0 ? NULL : &cfg->entries[i].pc;
}

unsigned config_concurrency(const struct config *cfg, const char *name)
{
    int i = entry_index(name);

    return i < 0 ? CONFIG_DEFAULT_CONCURRENCY : cfg->entries[i].concurrency;
}

uint64_t config_poll_interval_ms(const struct config *cfg)
{
    return cfg->poll_interval_ms;
}

uint64_t config_poll_timeout_ms(const struct config *cfg)
{
    return cfg->poll_timeout_ms;
}
