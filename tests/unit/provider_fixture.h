/*
 * Helpers shared by the provider unit tests (test_provider_*.c): reading
 * fixtures, comparing JSON, finding headers, and jobs as the engine hands
 * them over (struct resolved for Kling and Krea, struct test_job for the
 * gateway). Static inline: the Makefile links only modules into tests.
 */
#ifndef TESTS_UNIT_PROVIDER_FIXTURE_H
#define TESTS_UNIT_PROVIDER_FIXTURE_H

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "core/fsutil.h"
#include "core/json.h"
#include "core/mem.h"
#include "providers/provider.h"
#include "tests/check.h"

/* Most images a gateway test job holds. */
#define FIXTURE_MAX_IMAGES 16

/* The file's text (caller frees), or NULL with a failed check. */
static inline char *read_text(const char *path, size_t *size)
{
    char *data = NULL;
    size_t n = 0;
    int rc = fsutil_read_file(path, 1 << 20, &data, &n);

    CHECK_INT_EQ(rc, 0);
    if (rc < 0) {
        fprintf(stderr, "cannot read %s\n", path);
        return NULL;
    }
    if (size)
        *size = n;
    return data;
}

static inline cJSON *read_json(const char *path)
{
    char *text = read_text(path, NULL);
    cJSON *root = NULL;
    char *err = NULL;

    if (!text)
        return NULL;
    if (json_parse(text, strlen(text), &root, &err) < 0) {
        fprintf(stderr, "%s: %s\n", path, err);
        CHECK(!"fixture is JSON");
    }
    free(err);
    free(text);
    return root;
}

static inline cJSON *parse(const char *text)
{
    cJSON *root = NULL;
    char *err = NULL;

    CHECK_INT_EQ(json_parse(text, strlen(text), &root, &err), 0);
    free(err);
    return root;
}

/* Compares two JSON values field by field, naming the first difference. */
static inline void check_json(const cJSON *want, const cJSON *got,
                              const char *where)
{
    const cJSON *item;

    if (cJSON_IsObject(want) && cJSON_IsObject(got)) {
        cJSON_ArrayForEach(item, want)
        {
            const cJSON *other =
                cJSON_GetObjectItemCaseSensitive(got, item->string);
            char *sub = xasprintf("%s.%s", where, item->string);

            if (!other) {
                fprintf(stderr, "%s: missing\n", sub);
                CHECK(!"field present");
            } else {
                check_json(item, other, sub);
            }
            free(sub);
        }
        cJSON_ArrayForEach(item, got)
        {
            if (!cJSON_GetObjectItemCaseSensitive(want, item->string)) {
                fprintf(stderr, "%s.%s: not expected\n", where, item->string);
                CHECK(!"no extra field");
            }
        }
        return;
    }
    if (!cJSON_Compare(want, got, true)) {
        char *a = cJSON_PrintUnformatted(want);
        char *b = cJSON_PrintUnformatted(got);

        fprintf(stderr, "%s: want %s, got %s\n", where, a, b);
        CHECK(!"same value");
        cJSON_free(a);
        cJSON_free(b);
    }
}

/* No string anywhere in v starts with "data:". */
static inline void check_no_data_uri(const cJSON *v)
{
    const cJSON *item;

    if (cJSON_IsString(v))
        CHECK(strncmp(v->valuestring, "data:", 5) != 0);
    cJSON_ArrayForEach(item, v)
    {
        check_no_data_uri(item);
    }
}

/* The value of header name in http, or NULL. */
static inline const char *header(const struct provider_http *http,
                                 const char *name)
{
    size_t n = strlen(name);

    for (size_t i = 0; http->headers[i]; i++) {
        if (strncasecmp(http->headers[i], name, n) == 0 &&
            strncmp(http->headers[i] + n, ": ", 2) == 0)
            return http->headers[i] + n + 2;
    }
    return NULL;
}

/*
 * Feeds the reply file at path, with HTTP status, to p's submit or poll
 * parser for job.
 */
static inline int parse_reply_file(const struct provider *p, bool submit,
                                   const char *path, long status,
                                   const struct provider_job *job,
                                   struct provider_status *out)
{
    size_t size = 0;
    char *body = read_text(path, &size);
    struct provider_reply reply = { .status = status,
                                    .body = body,
                                    .body_size = size };
    int rc = submit ? provider_parse_submit(p, job, &reply, out)
                    : provider_parse_poll(p, job, &reply, out);

    free(body);
    return rc;
}

/*
 * Calls check(folder, file) for every *.json file in each folder under
 * seeds (tests/fixtures/seeds/<provider>); returns how many it saw.
 */
static inline int for_each_seed(const char *seeds,
                                void (*check)(const char *folder,
                                              const char *file))
{
    DIR *models = opendir(seeds);
    struct dirent *m;
    int seen = 0;

    CHECK(models != NULL);
    while (models && (m = readdir(models))) {
        char *dir;
        DIR *files;
        struct dirent *f;

        if (m->d_name[0] == '.')
            continue;
        dir = xasprintf("%s/%s", seeds, m->d_name);
        files = opendir(dir);
        CHECK(files != NULL);
        while (files && (f = readdir(files))) {
            if (!strstr(f->d_name, ".json"))
                continue;
            check(m->d_name, f->d_name);
            seen++;
        }
        if (files)
            closedir(files);
        free(dir);
    }
    if (models)
        closedir(models);
    return seen;
}

/* Images as the engine would hand them over, and what owns their text. */
struct resolved {
    struct provider_image images[16];
    size_t count;
    char *owned[32];
    size_t owned_count;
};

static inline const char *own(struct resolved *r, char *s)
{
    r->owned[r->owned_count++] = s;
    return s;
}

static inline void resolved_release(struct resolved *r)
{
    for (size_t i = 0; i < r->owned_count; i++)
        free(r->owned[i]);
    memset(r, 0, sizeof(*r));
}

static inline const cJSON *at(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* A job under construction; strings it owns are freed by job_release. */
struct test_job {
    struct provider_job job;
    struct provider_image images[FIXTURE_MAX_IMAGES];
    char *owned[3 * FIXTURE_MAX_IMAGES];
    size_t n_owned;
    cJSON *request;
};

static inline char *keep(struct test_job *t, char *s)
{
    t->owned[t->n_owned++] = s;
    return s;
}

static inline void job_release(struct test_job *t)
{
    for (size_t i = 0; i < t->n_owned; i++)
        free(t->owned[i]);
    cJSON_Delete(t->request);
}

static inline void add_url_image(struct test_job *t, const char *path,
                                 const char *u)
{
    struct provider_image *img = &t->images[t->job.image_count++];

    img->path = keep(t, xstrdup(path));
    img->url = keep(t, xstrdup(u));
}

/* Starts a gateway job: takes request; config is borrowed. */
static inline void job_init(struct test_job *t, const char *model,
                            cJSON *request,
                            const struct provider_config *config)
{
    memset(t, 0, sizeof(*t));
    t->request = request;
    t->job.model_id = model;
    t->job.request = request;
    t->job.images = t->images;
    t->job.idempotency_key = "aisdk_vid_test42";
    t->job.config = config;
}

#endif
