/*
 * Internals of the Kling API client, shared by providers/kling.c (hooks),
 * kling_jwt.c (the access-key token) and kling_body.c (the submit body).
 * Nothing outside providers/kling*.c and its unit test includes this.
 */
#ifndef PROVIDERS_KLING_IMPL_H
#define PROVIDERS_KLING_IMPL_H

#include <time.h>

#include "providers/provider.h"

/*
 * Mints the HS256 token of kling.md §1: header {"alg":"HS256","typ":"JWT"},
 * payload {"iss":access_key,"exp":now+1800,"nbf":now-5}, base64url without
 * padding, signed with secret_key. Returns 0 and *token (a new string the
 * caller frees; a secret: never log it), or -EIO if OpenSSL fails.
 */
int kling_jwt_mint(const char *access_key, const char *secret_key, time_t now,
                   char **token);

/*
 * Builds the JSON body of the submit request for job and picks the endpoint
 * family: "image2video" when the job has a first frame (or an end frame or
 * masks), "text2video" when it has no image at all. Returns 0 with *body (a
 * new string the caller frees) and *family (static), or -EINVAL with *err
 * (caller frees) naming the option that cannot be sent.
 */
int kling_body_build(const struct provider_job *job, const char **family,
                     char **body, char **err);

/*
 * The endpoint family kling_body_build picks for job, without building the
 * body: "image2video" or "text2video" (static strings).
 */
const char *kling_body_family(const struct provider_job *job);

#endif
