/*
 * Helpers shared by every provider (request and status structs) and the
 * wrappers through which the engine calls the cloud hooks (see provider.h).
 */
#include "providers/provider.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

void provider_http_release(struct provider_http *http)
{
    free(http->url);
    for (size_t i = 0; http->headers[i]; i++)
        free(http->headers[i]);
    free(http->body);
    free(http->body_file);
    free(http->form_file);
    free(http->form_field);
    free(http->form_mime);
    memset(http, 0, sizeof(*http));
}

int provider_http_add_header(struct provider_http *http, const char *name,
                             const char *value)
{
    size_t n = 0;

    while (http->headers[n])
        n++;
    if (n == PROVIDER_MAX_HEADERS)
        return -E2BIG;
    http->headers[n] = xasprintf("%s: %s", name, value);
    return 0;
}

void provider_status_release(struct provider_status *status)
{
    free(status->task_id);
    free(status->video_url);
    free(status->video_base64);
    free(status->error);
    free(status->error_code);
    memset(status, 0, sizeof(*status));
}

static int missing(const struct provider *p, const char *hook, char **err)
{
    if (err)
        *err = xasprintf("the %s provider cannot %s", p->name, hook);
    return -ENOTSUP;
}

static int missing_status(const struct provider *p, const char *hook,
                          struct provider_status *out)
{
    out->state = PROVIDER_TASK_FAILED;
    out->error_code = xstrdup("unsupported");
    return missing(p, hook, &out->error);
}

int provider_build_submit(const struct provider *p,
                          const struct provider_job *job,
                          struct provider_http *out, char **err)
{
    if (!p->build_submit)
        return missing(p, "submit jobs", err);
    return p->build_submit(job, out, err);
}

int provider_parse_submit(const struct provider *p,
                          const struct provider_job *job,
                          const struct provider_reply *reply,
                          struct provider_status *out)
{
    if (!p->parse_submit)
        return missing_status(p, "submit jobs", out);
    return p->parse_submit(job, reply, out);
}

int provider_build_poll(const struct provider *p,
                        const struct provider_job *job,
                        struct provider_http *out, char **err)
{
    if (!p->build_poll)
        return missing(p, "poll jobs", err);
    return p->build_poll(job, out, err);
}

int provider_parse_poll(const struct provider *p,
                        const struct provider_job *job,
                        const struct provider_reply *reply,
                        struct provider_status *out)
{
    if (!p->parse_poll)
        return missing_status(p, "poll jobs", out);
    return p->parse_poll(job, reply, out);
}

int provider_build_cancel(const struct provider *p,
                          const struct provider_job *job,
                          struct provider_http *out, char **err)
{
    if (!p->build_cancel)
        return missing(p, "cancel jobs", err);
    return p->build_cancel(job, out, err);
}

int provider_build_upload(const struct provider *p,
                          const struct provider_config *config,
                          const char *path, const char *sha256,
                          const char *mime, struct provider_http *out,
                          char **err)
{
    if (!p->build_upload)
        return missing(p, "host images", err);
    return p->build_upload(config, path, sha256, mime, out, err);
}

int provider_parse_upload(const struct provider *p,
                          const struct provider_reply *reply, char **url,
                          char **err)
{
    if (!p->parse_upload)
        return missing(p, "host images", err);
    return p->parse_upload(reply, url, err);
}
