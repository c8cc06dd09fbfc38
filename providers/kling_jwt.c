/*
 * The Kling API's access-key token: an HS256 JWT minted for every request
 * from the access key and secret key (kling.md §1), with OpenSSL's HMAC.
 */
#include "providers/kling_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/mem.h"

/* How long a token is valid, and how far back it starts (kling.md §1). */
#define KLING_JWT_TTL_S  1800
#define KLING_JWT_SKEW_S 5

/* Base64url of size bytes, without padding: a new string the caller frees. */
static char *base64url(const unsigned char *data, size_t size)
{
    char *out = xmalloc(4 * ((size + 2) / 3) + 1);
    int n = EVP_EncodeBlock((unsigned char *)out, data, (int)size);

    while (n > 0 && out[n - 1] == '=')
        n--;
    out[n] = '\0';
    for (char *p = out; *p; p++) {
        if (*p == '+')
            *p = '-';
        else if (*p == '/')
            *p = '_';
    }
    return out;
}

/* The payload JSON, keys in the order iss, exp, nbf: a new string. */
static char *jwt_payload(const char *access_key, time_t now)
{
    cJSON *payload = cJSON_CreateObject();
    char *text;

    cJSON_AddStringToObject(payload, "iss", access_key);
    cJSON_AddNumberToObject(payload, "exp", (double)(now + KLING_JWT_TTL_S));
    cJSON_AddNumberToObject(payload, "nbf", (double)(now - KLING_JWT_SKEW_S));
    text = cJSON_PrintUnformatted(payload);
    cJSON_Delete(payload);
    if (!text)
        abort(); /* cJSON fails only when out of memory */
    return text;
}

int kling_jwt_mint(const char *access_key, const char *secret_key, time_t now,
                   char **token)
{
    static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_size = 0;
    char *payload = jwt_payload(access_key, now);
    char *head64 = base64url((const unsigned char *)header, strlen(header));
    char *body64 = base64url((const unsigned char *)payload, strlen(payload));
    char *signing = xasprintf("%s.%s", head64, body64);
    char *sig64 = NULL;
    int rc = 0;

    if (!HMAC(EVP_sha256(), secret_key, (int)strlen(secret_key),
              (const unsigned char *)signing, strlen(signing), mac,
              &mac_size)) {
        rc = -EIO;
        goto out;
    }
    sig64 = base64url(mac, mac_size);
    *token = xasprintf("%s.%s", signing, sig64);
out:
    OPENSSL_cleanse(mac, sizeof(mac));
    free(sig64);
    free(signing);
    free(body64);
    free(head64);
    cJSON_free(payload);
    return rc;
}
