/*
 * SHA-256 through OpenSSL's EVP interface (see hash.h).
 */
#include "core/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>

/* EVP failures only come from allocation or a broken libcrypto. */
static void hash_die(const char *what)
{
    fprintf(stderr, "i2vfs: libcrypto failed in %s\n", what);
    abort();
}

void hash_sha256_init(struct hash_sha256 *h)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    if (!ctx)
        hash_die("EVP_MD_CTX_new");
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        hash_die("EVP_DigestInit_ex");
    h->ctx = ctx;
}

void hash_sha256_update(struct hash_sha256 *h, const void *data, size_t size)
{
    if (size > 0 && EVP_DigestUpdate(h->ctx, data, size) != 1)
        hash_die("EVP_DigestUpdate");
}

void hash_sha256_final(struct hash_sha256 *h, char hex[HASH_HEX_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;

    if (EVP_DigestFinal_ex(h->ctx, md, &len) != 1 || len * 2 != HASH_HEX_LEN)
        hash_die("EVP_DigestFinal_ex");
    for (unsigned int i = 0; i < len; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 0xf];
    }
    hex[HASH_HEX_LEN] = '\0';
    EVP_MD_CTX_free(h->ctx);
    h->ctx = NULL;
}

void hash_sha256_buf(const void *data, size_t size, char hex[HASH_HEX_LEN + 1])
{
    struct hash_sha256 h;

    hash_sha256_init(&h);
    hash_sha256_update(&h, data, size);
    hash_sha256_final(&h, hex);
}

int hash_sha256_file(const char *path, char hex[HASH_HEX_LEN + 1])
{
    struct hash_sha256 h;
    char buf[65536];
    int fd, rc = 0;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    hash_sha256_init(&h);
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = -errno;
            break;
        }
        if (n == 0)
            break;
        hash_sha256_update(&h, buf, (size_t)n);
    }
    /* Always finish, which frees the context; the hex is unused on error. */
    hash_sha256_final(&h, hex);
    close(fd);
    return rc;
}
