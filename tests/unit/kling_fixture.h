/*
 * Helpers of the Kling provider unit tests (test_provider_kling*.c): the
 * fixture folders, the access-key config and jobs as the engine hands them
 * over.
 */
#ifndef TESTS_UNIT_KLING_FIXTURE_H
#define TESTS_UNIT_KLING_FIXTURE_H

#include "providers/kling_impl.h"
#include "providers/provider.h"
#include "tests/unit/provider_fixture.h"

#define FIXTURES "tests/fixtures/kling"
#define SEEDS    "tests/fixtures/seeds/kling"
#define KEY      "job-0123456789abcdef"
#define NOW      1767225600

extern const struct provider provider_kling;

static const struct provider_config jwt_config = {
    .base_url = "http://127.0.0.1:8099/",
    .access_key = "AKexample123",
    .secret_key = "SKsecret/+xyz",
};

static inline struct provider_job
make_job(const char *model, const cJSON *request, const struct resolved *r)
{
    struct provider_job job = {
        .model_id = model,
        .request = request,
        .images = r ? r->images : NULL,
        .image_count = r ? r->count : 0,
        .idempotency_key = KEY,
        .config = &jwt_config,
        .now = NOW,
    };
    return job;
}

#endif
