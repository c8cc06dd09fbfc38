/*
 * Typed getters over cJSON that report errors as negative errno, and
 * parsing with a line and column for error messages.
 */
#ifndef CORE_JSON_H
#define CORE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/*
 * Parses size bytes of text (need not be NUL-terminated). Returns 0 and
 * *out (the caller deletes it with cJSON_Delete), or -EINVAL with *error set
 * to "line L, column C: <what>" (a new string the caller frees). Thread-safe,
 * unlike cJSON_GetErrorPtr.
 */
int json_parse(const char *text, size_t size, cJSON **out, char **error);

/*
 * The getters look up key in the object obj (case-sensitive). They return
 * 0 and fill *out, -ENOENT when obj has no such key or its value is null,
 * -EINVAL when obj is not an object or the value has another type.
 */

/* *out is borrowed from the tree and valid while the tree is. */
int json_get_string(const cJSON *obj, const char *key, const char **out);
/* The number must be a whole number; -ERANGE beyond ±2^53. */
int json_get_int(const cJSON *obj, const char *key, int64_t *out);
int json_get_double(const cJSON *obj, const char *key, double *out);
int json_get_bool(const cJSON *obj, const char *key, bool *out);
/* *out is borrowed from the tree. */
int json_get_object(const cJSON *obj, const char *key, const cJSON **out);
/* *out is borrowed from the tree. */
int json_get_array(const cJSON *obj, const char *key, const cJSON **out);

/* The value's JSON type as a word for messages: "string", "number", … */
const char *json_type_name(const cJSON *value);

/*
 * Turns a byte offset into text into a 1-based line and column (columns
 * count UTF-8 characters). An offset past the end means the end.
 */
void json_line_col(const char *text, size_t offset, int *line, int *col);

#endif
