/*
 * The cloud settings: per provider ("gateway", "kling", "krea", "blob") a
 * struct provider_config (base URL and secrets) and a concurrency limit,
 * and the default poll interval and timeout. Read from the environment
 * (the names the seeds and SDKs use) over an optional JSON config file
 * that must be a regular file of mode 0600 owned by the user. Secrets
 * live here and in provider_config only: never log them.
 */
#ifndef PROVIDERS_CONFIG_H
#define PROVIDERS_CONFIG_H

#include <stdint.h>

#include "providers/provider.h"

/* Providers the configuration knows, in this order. */
#define CONFIG_PROVIDER_COUNT 4

#define CONFIG_DEFAULT_CONCURRENCY      4
#define CONFIG_DEFAULT_POLL_INTERVAL_MS 5000
#define CONFIG_DEFAULT_POLL_TIMEOUT_MS  600000

struct config;

/*
 * Reads the configuration: the file at path (or, when path is NULL, the
 * default $XDG_CONFIG_HOME/i2vfs/config.json or ~/.config/i2vfs/
 * config.json, skipped when absent), then the environment over it.
 * Returns 0 and *out, or -EINVAL / -EPERM / -ENOENT (an explicit path that
 * is missing) with *err one line the caller frees.
 */
int config_load(const char *path, struct config **out, char **err);

/* Frees cfg. NULL is a no-op. */
void config_free(struct config *cfg);

/*
 * The settings of provider name ("gateway", "kling", "krea", "blob"), or
 * NULL for a name the configuration does not know. base_url is always set.
 */
const struct provider_config *config_provider(const struct config *cfg,
                                              const char *name);

/* Jobs of provider name allowed in flight at once (default 4). */
unsigned config_concurrency(const struct config *cfg, const char *name);

/* Default poll interval and timeout, in milliseconds. */
uint64_t config_poll_interval_ms(const struct config *cfg);
uint64_t config_poll_timeout_ms(const struct config *cfg);

/* The file config_load reads when given no path: a new string, or NULL. */
char *config_default_path(void);

#endif
