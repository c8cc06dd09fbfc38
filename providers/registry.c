/*
 * The one list of every provider (see provider.h).
 */
#include "providers/provider.h"

#include <string.h>

extern const struct provider provider_local;
extern const struct provider provider_kling;
extern const struct provider provider_krea;
extern const struct provider provider_gateway;
extern const struct provider provider_blob;

static const struct provider *const providers[] = {
    &provider_local,   &provider_kling, &provider_krea,
    &provider_gateway, &provider_blob,  NULL,
};

const struct provider *provider_find(const char *name)
{
    for (size_t i = 0; providers[i]; i++) {
        if (strcmp(providers[i]->name, name) == 0)
            return providers[i];
    }
    return NULL;
}
