/*
 * The unit test harness: CHECK and typed equality checks that print the file,
 * the line and both values, and a table of test functions run by CHECK_MAIN.
 * Every test binary ends with the line "N passed, N failed".
 */
#ifndef TESTS_CHECK_H
#define TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

struct check_case {
    const char *name;
    void (*fn)(void);
};

/* Failures of the test function now running; reset before each test. */
static int check_failures;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, \
                    #cond);                                                  \
            check_failures++;                                                \
        }                                                                    \
    } while (0)

#define CHECK_INT_EQ(a, b)                                              \
    do {                                                                \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
        if (check_a_ != check_b_) {                                     \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n",   \
                    __FILE__, __LINE__, #a, #b, check_a_, check_b_);    \
            check_failures++;                                           \
        }                                                               \
    } while (0)

#define CHECK_DBL_NEAR(a, b, tol)                                          \
    do {                                                                   \
        double check_a_ = (double)(a), check_b_ = (double)(b);             \
        double check_d_ = check_a_ - check_b_;                             \
        if (check_d_ < 0)                                                  \
            check_d_ = -check_d_;                                          \
        if (!(check_d_ <= (tol))) {                                        \
            fprintf(stderr, "%s:%d: %s ~= %s failed: %g != %g (tol %g)\n", \
                    __FILE__, __LINE__, #a, #b, check_a_, check_b_,        \
                    (double)(tol));                                        \
            check_failures++;                                              \
        }                                                                  \
    } while (0)

#define CHECK_STR_EQ(a, b)                                                \
    do {                                                                  \
        const char *check_a_ = (a), *check_b_ = (b);                      \
        if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) {  \
            fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", \
                    __FILE__, __LINE__, #a, #b,                           \
                    check_a_ ? check_a_ : "(null)",                       \
                    check_b_ ? check_b_ : "(null)");                      \
            check_failures++;                                             \
        }                                                                 \
    } while (0)

/* True when haystack contains needle; for checking error messages. */
#define CHECK_STR_CONTAINS(hay, needle)                                 \
    do {                                                                \
        const char *check_h_ = (hay), *check_n_ = (needle);             \
        if (!check_h_ || !strstr(check_h_, check_n_)) {                 \
            fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n",  \
                    __FILE__, __LINE__, check_h_ ? check_h_ : "(null)", \
                    check_n_);                                          \
            check_failures++;                                           \
        }                                                               \
    } while (0)

/* Runs every case of the NULL-terminated table and prints the tally. */
static inline int check_run(const struct check_case *cases)
{
    int passed = 0, failed = 0;

    for (const struct check_case *c = cases; c->name; c++) {
        check_failures = 0;
        c->fn();
        if (check_failures) {
            failed++;
            fprintf(stderr, "FAIL %s\n", c->name);
        } else {
            passed++;
            fprintf(stderr, "ok   %s\n", c->name);
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

#define CHECK_MAIN(...)                                              \
    int main(void)                                                   \
    {                                                                \
        static const struct check_case cases[] = { __VA_ARGS__,      \
                                                   { NULL, NULL } }; \
        return check_run(cases);                                     \
    }

#define CHECK_CASE(fn) \
    {                  \
#fn, fn        \
    }

#endif
