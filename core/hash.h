/*
 * SHA-256 through OpenSSL's libcrypto, as lowercase hex.
 */
#ifndef CORE_HASH_H
#define CORE_HASH_H

#include <stddef.h>

#define HASH_HEX_LEN 64

/* An incremental SHA-256; embed it and use init/update/final. */
struct hash_sha256 {
    void *ctx; /* EVP_MD_CTX */
};

void hash_sha256_init(struct hash_sha256 *h);
void hash_sha256_update(struct hash_sha256 *h, const void *data, size_t size);
/* Writes 64 hex digits and a NUL into hex, and releases the context. */
void hash_sha256_final(struct hash_sha256 *h, char hex[HASH_HEX_LEN + 1]);

/* SHA-256 of a buffer, as hex. */
void hash_sha256_buf(const void *data, size_t size, char hex[HASH_HEX_LEN + 1]);

/* SHA-256 of a file's contents, as hex. Returns 0 or a negative errno. */
int hash_sha256_file(const char *path, char hex[HASH_HEX_LEN + 1]);

#endif
