/*
 * Unit tests for SHA-256 (core/hash.c): known vectors, incremental use,
 * files.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/hash.h"
#include "tests/check.h"

static void known_vectors(void)
{
    char hex[HASH_HEX_LEN + 1];

    hash_sha256_buf("abc", 3, hex);
    CHECK_STR_EQ(
        hex,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    hash_sha256_buf("", 0, hex);
    CHECK_STR_EQ(
        hex,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void incremental_matches_one_shot(void)
{
    const char *msg =
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    char hex[HASH_HEX_LEN + 1];
    struct hash_sha256 h;

    hash_sha256_init(&h);
    size_t len = strlen(msg);

    for (size_t i = 0; i < len; i += 5) {
        size_t n = len - i < 5 ? len - i : 5;
        hash_sha256_update(&h, msg + i, n);
    }
    hash_sha256_final(&h, hex);
    CHECK_STR_EQ(
        hex,
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void file_hash_matches_buffer(void)
{
    char dir[] = "/tmp/i2vfs-test-hash.XXXXXX";
    char hex_file[HASH_HEX_LEN + 1], hex_buf[HASH_HEX_LEN + 1];
    size_t size = 200000; /* more than one read */
    char *data = malloc(size), *path;

    CHECK(mkdtemp(dir) != NULL);
    for (size_t i = 0; i < size; i++)
        data[i] = (char)(i * 7 + i / 251);
    path = fsutil_join(dir, "blob");
    CHECK_INT_EQ(fsutil_write_new(path, data, size), 0);
    CHECK_INT_EQ(hash_sha256_file(path, hex_file), 0);
    hash_sha256_buf(data, size, hex_buf);
    CHECK_STR_EQ(hex_file, hex_buf);
    /* One changed byte changes the hash. */
    data[size / 2] ^= 1;
    hash_sha256_buf(data, size, hex_buf);
    CHECK(strcmp(hex_file, hex_buf) != 0);
    CHECK_INT_EQ(unlink(path), 0);
    CHECK_INT_EQ(hash_sha256_file(path, hex_file), -ENOENT);
    CHECK_INT_EQ(rmdir(dir), 0);
    free(path);
    free(data);
}

CHECK_MAIN(CHECK_CASE(known_vectors), CHECK_CASE(incremental_matches_one_shot),
           CHECK_CASE(file_hash_matches_buffer))
