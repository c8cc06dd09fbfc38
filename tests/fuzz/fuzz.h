/*
 * Helpers shared by the libFuzzer targets in tests/fuzz/: a property check
 * that aborts (so libFuzzer keeps the input), and an in-memory file for
 * code that reads from a path.
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* A broken promise of the code under test: report it and crash. */
#define FUZZ_CHECK(cond)                                                \
    do {                                                                \
        if (!(cond)) {                                                  \
            fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed\n", __FILE__, \
                    __LINE__, #cond);                                   \
            abort();                                                    \
        }                                                               \
    } while (0)

/* True when s is a message of one line: not empty, no line break. */
static inline bool fuzz_is_one_line(const char *s)
{
    return s && *s && !strpbrk(s, "\r\n");
}

/* Aborts, quoting s, unless s is a message of one line. */
#define FUZZ_CHECK_LINE(s)                                                   \
    do {                                                                     \
        const char *fuzz_s_ = (s);                                           \
        if (!fuzz_is_one_line(fuzz_s_)) {                                    \
            fprintf(stderr, "%s:%d: %s is not one line: \"%s\"\n", __FILE__, \
                    __LINE__, #s, fuzz_s_ ? fuzz_s_ : "(null)");             \
            abort();                                                         \
        }                                                                    \
    } while (0)

/* An anonymous file that code under test can open by path. */
struct fuzz_file {
    int fd;
    char path[64];
};

static inline void fuzz_file_open(struct fuzz_file *f)
{
    f->fd = memfd_create("fuzz-input", MFD_CLOEXEC);
    if (f->fd < 0) {
        perror("memfd_create");
        abort();
    }
    snprintf(f->path, sizeof(f->path), "/proc/self/fd/%d", f->fd);
}

/* Makes the file hold exactly the size bytes of data. */
static inline void fuzz_file_set(struct fuzz_file *f, const uint8_t *data,
                                 size_t size)
{
    size_t done = 0;

    if (ftruncate(f->fd, 0) != 0) {
        perror("ftruncate");
        abort();
    }
    while (done < size) {
        ssize_t n = pwrite(f->fd, data + done, size - done, (off_t)done);

        if (n <= 0) {
            perror("pwrite");
            abort();
        }
        done += (size_t)n;
    }
}

/* A NUL-terminated copy of data (which may hold NULs too): free it. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
