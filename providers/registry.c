/*
 * The one list of every provider (see provider.h).
 */
#include "providers/provider.h"

#include <string.h>

extern const struct provider provider_local;

static const struct provider *const providers[] = {
    &provider_local,
    NULL,
};

const struct provider *provider_find(const char *name)
{
    for (size_t i = 0; providers[i]; i++) {
        if (strcmp(providers[i]->name, name) == 0)
            return providers[i];
    }
    return NULL;
}
