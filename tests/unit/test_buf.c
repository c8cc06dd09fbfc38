/*
 * Unit tests for the capped byte buffer (core/buf.c).
 */
#include <errno.h>
#include <stdlib.h>

#include "core/buf.h"
#include "tests/check.h"

static void appends_up_to_the_cap(void)
{
    struct buf b;
    char *s;
    size_t n = 99;

    buf_init(&b, 10);
    CHECK_INT_EQ(buf_append(&b, "hello", 5), 0);
    CHECK_INT_EQ(buf_append(&b, " world", 6), -EFBIG);
    CHECK_INT_EQ(b.len, 5); /* nothing of the refused append */
    CHECK_INT_EQ(buf_append(&b, "12345", 5), 0);
    CHECK_STR_EQ(b.data, "hello12345");
    CHECK_INT_EQ(buf_append(&b, "x", 1), -EFBIG);
    s = buf_steal(&b, &n);
    CHECK_STR_EQ(s, "hello12345");
    CHECK_INT_EQ(n, 10);
    free(s);
    CHECK_INT_EQ(b.len, 0);
    s = buf_steal(&b, &n); /* empty: "" rather than NULL */
    CHECK_STR_EQ(s, "");
    CHECK_INT_EQ(n, 0);
    free(s);
    buf_release(&b);
}

static void grows_past_first_block(void)
{
    struct buf b;
    char chunk[1000];
    int ok = 1;

    buf_init(&b, 1 << 20);
    for (size_t i = 0; i < sizeof(chunk); i++)
        chunk[i] = (char)('a' + i % 26);
    for (int i = 0; i < 100; i++)
        ok &= buf_append(&b, chunk, sizeof(chunk)) == 0;
    CHECK(ok);
    CHECK_INT_EQ(b.len, 100000);
    CHECK_INT_EQ(b.data[99999], chunk[999]);
    CHECK_INT_EQ(b.data[100000], '\0');
    buf_release(&b);
    CHECK(b.data == NULL);
}

CHECK_MAIN(CHECK_CASE(appends_up_to_the_cap),
           CHECK_CASE(grows_past_first_block))
