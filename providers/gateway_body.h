/*
 * The JSON body of the Vercel AI Gateway's POST /video-model/start (see
 * gateway.c): AI SDK call options, camelCase, built from a job's request.
 */
#ifndef PROVIDERS_GATEWAY_BODY_H
#define PROVIDERS_GATEWAY_BODY_H

#include "providers/provider.h"

/*
 * Builds the start body for job: prompt, n, aspectRatio, resolution,
 * duration, fps, seed, generateAudio, providerOptions (image-valued options
 * replaced by job->images, pollIntervalMs / pollTimeoutMs removed) and the
 * first frame as "image". Returns 0 and *body (compact JSON, caller frees),
 * or -EINVAL with *err (caller frees). No I/O.
 */
int gateway_body_build(const struct provider_job *job, char **body, char **err);

/*
 * The gateway's "WxH" for a resolution: "480p", "720p" and "1080p" become
 * "854x480", "1280x720" and "1920x1080", swapped to portrait when aspect
 * is portrait ("9:16"); any other value is returned as it is. The result is
 * a static string or res itself.
 */
const char *gateway_body_resolution(const char *res, const char *aspect);

#endif
