/*
 * Internals of the Krea API client, shared by providers/krea.c (hooks) and
 * krea_body.c (the submit body). Nothing outside providers/krea*.c and its
 * unit test includes this.
 */
#ifndef PROVIDERS_KREA_IMPL_H
#define PROVIDERS_KREA_IMPL_H

#include "providers/provider.h"

/*
 * Builds the JSON body of POST /generate/video/{provider}/{model} for job
 * (krea.md §6: snake_case names, images as URLs, duration a number).
 * Returns 0 with *body (a new string the caller frees), or -EINVAL with
 * *err (caller frees) naming an image that is not a URL.
 */
int krea_body_build(const struct provider_job *job, char **body, char **err);

#endif
