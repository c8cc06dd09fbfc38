/*
 * Unit tests for the cloud settings (providers/config.c): the environment
 * names, the environment over the file, the 0600 rule, base URL overrides.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "providers/config.h"
#include "tests/check.h"

static const char *const vars[] = {
    "AI_GATEWAY_API_KEY",  "KLINGAI_API_KEY",       "KLINGAI_ACCESS_KEY",
    "KLINGAI_SECRET_KEY",  "KLING_ACCESS_KEY",      "KLING_SECRET_KEY",
    "KREA_API_KEY",        "BLOB_READ_WRITE_TOKEN", "I2VFS_GATEWAY_URL",
    "I2VFS_KLING_URL",     "I2VFS_KREA_URL",        "I2VFS_BLOB_URL",
    "VERCEL_BLOB_API_URL", "I2VFS_POLL_MS",         "XDG_CONFIG_HOME",
};

static char dir[64];

static void clear_env(void)
{
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
        unsetenv(vars[i]);
    /* No user file may leak into the test. */
    setenv("HOME", "/nonexistent-i2vfs-test", 1);
}

static char *write_file(const char *text, mode_t mode)
{
    char *path = xasprintf("%s/config.json", dir);
    FILE *f = fopen(path, "w");

    fputs(text, f);
    fclose(f);
    chmod(path, mode);
    return path;
}

static void defaults_without_file_or_env(void)
{
    struct config *cfg = NULL;
    char *err = NULL;

    clear_env();
    CHECK_INT_EQ(config_load(NULL, &cfg, &err), 0);
    CHECK_STR_EQ(config_provider(cfg, "gateway")->base_url,
                 "https://ai-gateway.vercel.sh/v4/ai");
    CHECK_STR_EQ(config_provider(cfg, "kling")->base_url,
                 "https://api-singapore.klingai.com");
    CHECK_STR_EQ(config_provider(cfg, "krea")->base_url, "https://api.krea.ai");
    CHECK_STR_EQ(config_provider(cfg, "blob")->base_url,
                 "https://vercel.com/api/blob");
    CHECK(config_provider(cfg, "gateway")->api_key == NULL);
    CHECK(config_provider(cfg, "nope") == NULL);
    CHECK_INT_EQ(config_concurrency(cfg, "kling"), 4);
    CHECK_INT_EQ(config_poll_interval_ms(cfg), 5000);
    CHECK_INT_EQ(config_poll_timeout_ms(cfg), 600000);
    config_free(cfg);
}

static void reads_the_sdk_names(void)
{
    struct config *cfg = NULL;
    char *err = NULL;

    clear_env();
    setenv("AI_GATEWAY_API_KEY", "gw-key", 1);
    setenv("KLING_ACCESS_KEY", "ak-legacy", 1);
    setenv("KLINGAI_ACCESS_KEY", "ak", 1);
    setenv("KLING_SECRET_KEY", "sk-legacy", 1);
    setenv("KREA_API_KEY", "krea-key", 1);
    setenv("BLOB_READ_WRITE_TOKEN", "vercel_blob_rw_x", 1);
    setenv("VERCEL_BLOB_API_URL", "http://127.0.0.1:9/blob/", 1);
    setenv("I2VFS_KLING_URL", "http://127.0.0.1:8", 1);
    setenv("I2VFS_POLL_MS", "7", 1);
    CHECK_INT_EQ(config_load(NULL, &cfg, &err), 0);
    CHECK_STR_EQ(config_provider(cfg, "gateway")->api_key, "gw-key");
    /* KLINGAI_* wins over KLING_*, which is read when alone. */
    CHECK_STR_EQ(config_provider(cfg, "kling")->access_key, "ak");
    CHECK_STR_EQ(config_provider(cfg, "kling")->secret_key, "sk-legacy");
    CHECK_STR_EQ(config_provider(cfg, "kling")->base_url, "http://127.0.0.1:8");
    CHECK_STR_EQ(config_provider(cfg, "krea")->api_key, "krea-key");
    CHECK_STR_EQ(config_provider(cfg, "blob")->api_key, "vercel_blob_rw_x");
    /* The trailing slash is dropped. */
    CHECK_STR_EQ(config_provider(cfg, "blob")->base_url,
                 "http://127.0.0.1:9/blob");
    CHECK_INT_EQ(config_poll_interval_ms(cfg), 7);
    config_free(cfg);
    setenv("I2VFS_BLOB_URL", "http://127.0.0.1:10", 1);
    CHECK_INT_EQ(config_load(NULL, &cfg, &err), 0);
    CHECK_STR_EQ(config_provider(cfg, "blob")->base_url, "http://127.0.0.1:10");
    config_free(cfg);
}

static void environment_wins_over_the_file(void)
{
    struct config *cfg = NULL;
    char *err = NULL;
    char *path = write_file(
        "{\"gateway\":{\"api_key\":\"file-key\",\"base_url\":\"http://f\","
        "\"concurrency\":2},\"krea\":{\"api_key\":\"krea-file\"},"
        "\"poll_interval_ms\":1000,\"poll_timeout_ms\":2000}",
        0600);

    clear_env();
    setenv("AI_GATEWAY_API_KEY", "env-key", 1);
    CHECK_INT_EQ(config_load(path, &cfg, &err), 0);
    CHECK_STR_EQ(config_provider(cfg, "gateway")->api_key, "env-key");
    CHECK_STR_EQ(config_provider(cfg, "gateway")->base_url, "http://f");
    CHECK_STR_EQ(config_provider(cfg, "krea")->api_key, "krea-file");
    CHECK_INT_EQ(config_concurrency(cfg, "gateway"), 2);
    CHECK_INT_EQ(config_poll_interval_ms(cfg), 1000);
    CHECK_INT_EQ(config_poll_timeout_ms(cfg), 2000);
    config_free(cfg);
    /* The default path under XDG_CONFIG_HOME. */
    clear_env();
    {
        char *sub = xasprintf("%s/i2vfs", dir), *moved;

        mkdir(sub, 0700);
        moved = xasprintf("%s/config.json", sub);
        rename(path, moved);
        setenv("XDG_CONFIG_HOME", dir, 1);
        CHECK_INT_EQ(config_load(NULL, &cfg, &err), 0);
        CHECK_STR_EQ(config_provider(cfg, "gateway")->api_key, "file-key");
        config_free(cfg);
        unlink(moved);
        rmdir(sub);
        free(moved);
        free(sub);
    }
    free(path);
}

static void refuses_a_file_others_may_read(void)
{
    struct config *cfg = NULL;
    char *err = NULL;
    char *path =
        write_file("{\"gateway\":{\"api_key\":\"sekrit-value\"}}", 0644);

    clear_env();
    CHECK_INT_EQ(config_load(path, &cfg, &err), -EPERM);
    CHECK(cfg == NULL);
    CHECK_STR_CONTAINS(err, "mode 0600");
    CHECK_STR_CONTAINS(err, "0644");
    CHECK_STR_CONTAINS(err, "chmod 600");
    CHECK(strchr(err, '\n') == NULL);
    CHECK(strstr(err, "sekrit") == NULL);
    free(err);
    chmod(path, 0640);
    CHECK_INT_EQ(config_load(path, &cfg, &err), -EPERM);
    free(err);
    chmod(path, 0600);
    CHECK_INT_EQ(config_load(path, &cfg, &err), 0);
    config_free(cfg);
    unlink(path);
    free(path);
}

static void refuses_bad_files(void)
{
    struct config *cfg = NULL;
    char *err = NULL;
    char *path = write_file("{\"gatway\":{}}", 0600);

    clear_env();
    CHECK_INT_EQ(config_load(path, &cfg, &err), -EINVAL);
    CHECK_STR_CONTAINS(err, "gatway is not a setting");
    free(err);
    free(path);
    path = write_file("{\"kling\":{\"concurrency\":0}}", 0600);
    CHECK_INT_EQ(config_load(path, &cfg, &err), -EINVAL);
    CHECK_STR_CONTAINS(err, "kling.concurrency");
    free(err);
    free(path);
    path = write_file("not json", 0600);
    CHECK_INT_EQ(config_load(path, &cfg, &err), -EINVAL);
    free(err);
    unlink(path);
    /* An explicit path must exist; the default one may be absent. */
    CHECK_INT_EQ(config_load(path, &cfg, &err), -ENOENT);
    CHECK_STR_CONTAINS(err, path);
    free(err);
    free(path);
}

static void make_dir(void)
{
    snprintf(dir, sizeof(dir), "/tmp/test_config.XXXXXX");
    if (!mkdtemp(dir))
        abort();
}

CHECK_MAIN(CHECK_CASE(make_dir), CHECK_CASE(defaults_without_file_or_env),
           CHECK_CASE(reads_the_sdk_names),
           CHECK_CASE(environment_wins_over_the_file),
           CHECK_CASE(refuses_a_file_others_may_read),
           CHECK_CASE(refuses_bad_files))
