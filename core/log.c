/*
 * Logging to stderr (see log.h). The threshold is the one process-wide
 * setting: it is written once before any thread starts and only read after.
 */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static enum log_level threshold = LOG_INFO;

void log_set_level(enum log_level level)
{
    threshold = level;
}

char *log_escape(char *dst, size_t dst_size, const char *src)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;

    if (dst_size == 0)
        return dst;
    for (; *src; src++) {
        unsigned char c = (unsigned char)*src;
        char esc[5] = { 0 };

        if (c == '\n' || c == '\r' || c == '\t' || c == '\\') {
            esc[0] = '\\';
            esc[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : '\\';
        } else if (c < 0x20 || c == 0x7f) {
            esc[0] = '\\';
            esc[1] = 'x';
            esc[2] = hex[c >> 4];
            esc[3] = hex[c & 0xf];
        } else {
            esc[0] = (char)c;
        }
        size_t len = strlen(esc);
        if (n + len >= dst_size)
            break;
        memcpy(dst + n, esc, len);
        n += len;
    }
    dst[n] = '\0';
    return dst;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    static const char *const names[] = { "debug", "info", "warning", "error" };
    char line[1024];
    char escaped[2048];
    va_list ap;

    if (level < threshold)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    /* One fprintf per line: stdio locks the stream, so lines never mix. */
    fprintf(stderr, "i2vfs: %s: %s\n", names[level],
            log_escape(escaped, sizeof(escaped), line));
}
