/*
 * Helpers of the Krea provider unit tests (test_provider_krea*.c): reading
 * fixtures, comparing JSON, and jobs as the engine hands them over.
 */
#ifndef TESTS_UNIT_KREA_FIXTURE_H
#define TESTS_UNIT_KREA_FIXTURE_H

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/fsutil.h"
#include "core/json.h"
#include "core/mem.h"
#include "providers/krea_impl.h"
#include "providers/provider.h"
#include "tests/check.h"
#include "tests/unit/provider_fixture.h"

#define FIXTURES "tests/fixtures/krea"
#define SEEDS    "tests/fixtures/seeds/krea"
#define ASSETS   "https://gen.krea.ai/assets/"
#define JOB_ID   "550e8400-e29b-41d4-a716-446655440000"

extern const struct provider provider_krea;

static const struct provider_config config = {
    .base_url = "http://127.0.0.1:8098",
    .api_key = "krea-key-123",
};

static inline struct provider_job
make_job(const char *model, const cJSON *request, const struct resolved *r)
{
    struct provider_job job = {
        .model_id = model,
        .request = request,
        .images = r ? r->images : NULL,
        .image_count = r ? r->count : 0,
        .idempotency_key = "job-0123456789abcdef",
        .config = &config,
        .now = 1767225600,
    };
    return job;
}

/* Reads an upload reply fixture through parse_upload. */
static inline int upload_reply(const char *file, long status, char **url,
                               char **err)
{
    char *path = xasprintf(FIXTURES "/%s", file);
    size_t size = 0;
    char *body = read_text(path, &size);
    struct provider_reply reply = { .status = status,
                                    .body = body,
                                    .body_size = size };
    int rc = provider_parse_upload(&provider_krea, &reply, url, err);

    free(body);
    free(path);
    return rc;
}

#endif
