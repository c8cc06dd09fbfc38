/*
 * Unit tests for log lines (core/log.c): a message with control characters
 * in it (a file name with a newline) stays one line.
 */
#include <stdlib.h>

#include "core/log.h"
#include "tests/check.h"

static void control_characters_are_escaped(void)
{
    char out[64];

    CHECK_STR_EQ(log_escape(out, sizeof(out), "a\nb\tc\rd"), "a\\nb\\tc\\rd");
    CHECK_STR_EQ(log_escape(out, sizeof(out), "x\x01y\x1b[31m\x7f"),
                 "x\\x01y\\x1b[31m\\x7f");
    CHECK_STR_EQ(log_escape(out, sizeof(out), "back\\slash"), "back\\\\slash");
    CHECK(strchr(log_escape(out, sizeof(out), "one\nline\n"), '\n') == NULL);
}

static void printable_and_utf8_pass_through(void)
{
    char out[64];

    CHECK_STR_EQ(log_escape(out, sizeof(out), "été à Paris.png"),
                 "été à Paris.png");
    CHECK_STR_EQ(log_escape(out, sizeof(out), ""), "");
}

static void truncates_whole_escapes(void)
{
    char out[6];

    /* "ab\n" needs 4 bytes; "ab\ncd" would need 6 + NUL: cut before "cd". */
    CHECK_STR_EQ(log_escape(out, sizeof(out), "ab\ncd"), "ab\\nc");
    CHECK_STR_EQ(log_escape(out, 4, "ab\x01"), "ab");
    CHECK_STR_EQ(log_escape(out, 1, "abc"), "");
}

CHECK_MAIN(CHECK_CASE(control_characters_are_escaped),
           CHECK_CASE(printable_and_utf8_pass_through),
           CHECK_CASE(truncates_whole_escapes))
