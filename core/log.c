/*
 * Logging to stderr (see log.h). The threshold is the one process-wide
 * setting: it is written once before any thread starts and only read after.
 */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

static enum log_level threshold = LOG_INFO;

void log_set_level(enum log_level level)
{
    threshold = level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    static const char *const names[] = { "debug", "info", "warning", "error" };
    char line[1024];
    va_list ap;

    if (level < threshold)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    /* One fprintf per line: stdio locks the stream, so lines never mix. */
    fprintf(stderr, "i2vfs: %s: %s\n", names[level], line);
}
