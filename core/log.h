/*
 * Logging to stderr with a level threshold. Thread-safe. Never log secrets.
 */
#ifndef CORE_LOG_H
#define CORE_LOG_H

#include <stddef.h>

enum log_level {
    LOG_DEBUG,
    LOG_INFO,
    LOG_WARN,
    LOG_ERROR,
};

/* Sets the threshold once at start-up, before threads exist. */
void log_set_level(enum log_level level);

/*
 * Copies src into dst (dst_size bytes, always NUL-terminated, truncated if
 * need be) with control characters escaped as \n, \r, \t or \xNN and a
 * backslash as \\, so a file name can never split or forge a log line.
 * Returns dst.
 */
char *log_escape(char *dst, size_t dst_size, const char *src);

/*
 * Writes one line "i2vfs: <level>: <message>" if level passes the threshold;
 * control characters in the message are escaped (log_escape).
 */
void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
