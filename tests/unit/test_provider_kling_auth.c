/*
 * Unit tests for Kling auth and requests (providers/kling.c, kling_jwt.c):
 * the JWT, the key precedence, the base URL and the poll request. No
 * network.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "core/json.h"
#include "core/mem.h"
#include "tests/check.h"
#include "tests/unit/kling_fixture.h"

/* Base64url text to bytes (NUL-terminated); *size is the byte count. */
static unsigned char *unbase64url(const char *s, size_t len, size_t *size)
{
    char *std = xmalloc(len + 4);
    unsigned char *out = xmalloc(len + 4);
    size_t n = 0;
    int decoded;

    for (size_t i = 0; i < len; i++) {
        CHECK(s[i] != '+' && s[i] != '/' && s[i] != '=');
        std[n++] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
    }
    while (n % 4)
        std[n++] = '=';
    decoded = EVP_DecodeBlock(out, (const unsigned char *)std, (int)n);
    CHECK(decoded >= 0);
    /* EVP_DecodeBlock counts the padding as zero bytes */
    for (size_t i = len; i % 4; i++)
        decoded--;
    out[decoded < 0 ? 0 : decoded] = '\0';
    *size = decoded < 0 ? 0 : (size_t)decoded;
    free(std);
    return out;
}

/* HMAC-SHA256 through EVP_MAC (kling_jwt.c uses HMAC()). */
static size_t hmac_evp(const char *key, const char *data, unsigned char *mac)
{
    EVP_MAC *alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(alg);
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    size_t n = 0;

    CHECK(EVP_MAC_init(ctx, (const unsigned char *)key, strlen(key), params));
    CHECK(EVP_MAC_update(ctx, (const unsigned char *)data, strlen(data)));
    CHECK(EVP_MAC_final(ctx, mac, &n, EVP_MAX_MD_SIZE));
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(alg);
    return n;
}

static void test_jwt_known_vector(void)
{
    /* python3: hmac/hashlib/base64/json, separators=(',', ':') */
    static const char want[] =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
        "eyJpc3MiOiJBS2V4YW1wbGUxMjMiLCJleHAiOjE3NjcyMjc0MDAsIm5iZiI6MTc2NzIyN"
        "TU5NX0.jVTuTPMc0foiPXMuhe73DdCsdOdJX1zDhALeCllGh2A";
    char *token = NULL;

    CHECK_INT_EQ(kling_jwt_mint("AKexample123", "SKsecret/+xyz", NOW, &token),
                 0);
    CHECK_STR_EQ(token, want);
    free(token);
}

static void test_jwt_parts(void)
{
    const time_t now = 1800000123;
    char *token = NULL;
    char *dot1, *dot2, *signing, *payload_want;
    unsigned char *head, *payload, *sig, mac[EVP_MAX_MD_SIZE];
    size_t head_size, payload_size, sig_size, mac_size;

    CHECK_INT_EQ(kling_jwt_mint("ak-\"quoted\"", "another secret", now, &token),
                 0);
    if (!token)
        return;
    dot1 = strchr(token, '.');
    dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    CHECK(dot1 && dot2 && !strchr(dot2 + 1, '.'));
    if (!dot1 || !dot2) {
        free(token);
        return;
    }
    head = unbase64url(token, (size_t)(dot1 - token), &head_size);
    payload = unbase64url(dot1 + 1, (size_t)(dot2 - dot1 - 1), &payload_size);
    sig = unbase64url(dot2 + 1, strlen(dot2 + 1), &sig_size);
    CHECK_STR_EQ((char *)head, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
    payload_want =
        xasprintf("{\"iss\":\"ak-\\\"quoted\\\"\",\"exp\":%lld,\"nbf\":%lld}",
                  (long long)now + 1800, (long long)now - 5);
    CHECK_STR_EQ((char *)payload, payload_want);
    signing = xstrndup(token, (size_t)(dot2 - token));
    mac_size = hmac_evp("another secret", signing, mac);
    CHECK_INT_EQ(sig_size, 32);
    CHECK_INT_EQ(mac_size, 32);
    CHECK(sig_size == mac_size && memcmp(sig, mac, mac_size) == 0);
    /* a different key does not verify */
    mac_size = hmac_evp("another secreT", signing, mac);
    CHECK(memcmp(sig, mac, mac_size) != 0);
    free(signing);
    free(payload_want);
    free(sig);
    free(payload);
    free(head);
    free(token);
}

/* The Authorization header of a poll built with cfg at now. */
static char *auth_for(const struct provider_config *cfg, time_t now, int *rc,
                      char **err)
{
    struct provider_job job = {
        .model_id = "kling-v2-6",
        .task_id = "image2video/task-abc-123",
        .config = cfg,
        .now = now,
    };
    struct provider_http http = { 0 };
    char *value = NULL;

    *rc = provider_build_poll(&provider_kling, &job, &http, err);
    if (*rc == 0 && header(&http, "Authorization"))
        value = xstrdup(header(&http, "Authorization"));
    provider_http_release(&http);
    return value;
}

static void test_key_precedence(void)
{
    struct provider_config cfg = jwt_config;
    char *err = NULL, *jwt = NULL, *want, *got;
    int rc;

    /* an API key wins over access + secret keys, sent verbatim (trimmed) */
    cfg.api_key = "  kling-api-key-123\n";
    got = auth_for(&cfg, NOW, &rc, &err);
    CHECK_INT_EQ(rc, 0);
    CHECK_STR_EQ(got, "Bearer kling-api-key-123");
    free(got);

    /* a blank API key is ignored: the JWT is used */
    cfg.api_key = "   ";
    CHECK_INT_EQ(kling_jwt_mint("AKexample123", "SKsecret/+xyz", NOW, &jwt), 0);
    want = xasprintf("Bearer %s", jwt);
    got = auth_for(&cfg, NOW, &rc, &err);
    CHECK_INT_EQ(rc, 0);
    CHECK_STR_EQ(got, want);
    free(got);

    /* minted per request: another time, another token */
    got = auth_for(&cfg, NOW + 60, &rc, &err);
    CHECK(got && strcmp(got, want) != 0);
    free(got);
    free(want);
    free(jwt);

    /* an access key alone, or nothing, is no key */
    cfg.secret_key = NULL;
    got = auth_for(&cfg, NOW, &rc, &err);
    CHECK_INT_EQ(rc, -ENOKEY);
    CHECK(got == NULL);
    CHECK_STR_EQ(err, "set KLINGAI_API_KEY, or KLINGAI_ACCESS_KEY and "
                      "KLINGAI_SECRET_KEY, to use Kling models");
    CHECK(!strstr(err, "AKexample123"));
    free(err);
    err = NULL;
    got = auth_for(NULL, NOW, &rc, &err);
    CHECK_INT_EQ(rc, -ENOKEY);
    free(got);
    free(err);
}

static void test_submit_without_key_sends_nothing(void)
{
    static const struct provider_config none = { 0 };
    cJSON *request = parse("{\"prompt\":\"x\"}");
    struct provider_job job = make_job("kling-v2-6", request, NULL);
    struct provider_http http = { 0 };
    char *err = NULL;

    job.config = &none;
    CHECK_INT_EQ(provider_build_submit(&provider_kling, &job, &http, &err),
                 -ENOKEY);
    CHECK(http.url == NULL && http.body == NULL && http.headers[0] == NULL);
    CHECK_STR_CONTAINS(err, "KLINGAI_API_KEY");
    free(err);
    provider_http_release(&http);
    cJSON_Delete(request);
}

static void test_default_base_url(void)
{
    static const struct provider_config key_only = { .api_key = "k" };
    cJSON *request = parse("{\"prompt\":\"x\"}");
    struct provider_job job = make_job("kling-v2-6", request, NULL);
    struct provider_http http = { 0 };
    char *err = NULL;

    job.config = &key_only;
    CHECK_INT_EQ(provider_build_submit(&provider_kling, &job, &http, &err), 0);
    CHECK_STR_EQ(http.url, "https://api-singapore.klingai.com/v1/videos/"
                           "text2video");
    CHECK_STR_EQ(header(&http, "Authorization"), "Bearer k");
    provider_http_release(&http);
    cJSON_Delete(request);
}

static void test_build_poll(void)
{
    static const struct {
        const char *task_id, *url;
    } cases[] = {
        { "image2video/task-abc-123",
          "http://127.0.0.1:8099/v1/videos/image2video/task-abc-123" },
        { "text2video/866889456698785798",
          "http://127.0.0.1:8099/v1/videos/text2video/866889456698785798" },
        { "866889456698785798",
          "http://127.0.0.1:8099/v1/videos/image2video/866889456698785798" },
        { "image2video/a b/../c",
          "http://127.0.0.1:8099/v1/videos/image2video/a%20b%2F..%2Fc" },
        /*
         * Found by tests/fuzz/fuzz_replies: the family went into the URL
         * raw (a task id from a record edited by hand in out/).
         */
        { "{\"x\": 1}\n?/7", "http://127.0.0.1:8099/v1/videos/"
                             "%7B%22x%22%3A%201%7D%0A%3F/7" },
        /* "." and ".." are escaped too: no id can step up the path. */
        { "../..", "http://127.0.0.1:8099/v1/videos/%2E%2E/%2E%2E" },
        { "./.", "http://127.0.0.1:8099/v1/videos/%2E/%2E" },
        { "..", "http://127.0.0.1:8099/v1/videos/image2video/%2E%2E" },
    };
    struct provider_job job = make_job("kling-v2-6", NULL, NULL);
    char *err = NULL;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct provider_http http = { 0 };

        job.task_id = cases[i].task_id;
        CHECK_INT_EQ(provider_build_poll(&provider_kling, &job, &http, &err),
                     0);
        CHECK_STR_EQ(http.method, "GET");
        CHECK_STR_EQ(http.url, cases[i].url);
        CHECK(http.body == NULL);
        CHECK(strncmp(header(&http, "Authorization"), "Bearer eyJ", 10) == 0);
        provider_http_release(&http);
    }
    job.task_id = NULL;
    {
        struct provider_http http = { 0 };

        CHECK_INT_EQ(provider_build_poll(&provider_kling, &job, &http, &err),
                     -EINVAL);
        free(err);
    }
}

static void test_identity(void)
{
    CHECK_STR_EQ(provider_kling.name, "kling");
    /* external_task_id makes a resubmit find its task: idempotent. */
    CHECK_INT_EQ(provider_kling.caps, PROVIDER_CAP_CLOUD |
                                          PROVIDER_CAP_INPUT_IMAGE |
                                          PROVIDER_CAP_IDEMPOTENT);
    CHECK(provider_kling.uploader == NULL);
    CHECK(provider_kling.build_cancel == NULL);
}

CHECK_MAIN(CHECK_CASE(test_identity), CHECK_CASE(test_jwt_known_vector),
           CHECK_CASE(test_jwt_parts), CHECK_CASE(test_key_precedence),
           CHECK_CASE(test_submit_without_key_sends_nothing),
           CHECK_CASE(test_default_base_url), CHECK_CASE(test_build_poll))
