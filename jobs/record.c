/*
 * The job record's JSON (see record.h): one object, keys in the order of
 * the DESIGN.md table, written whole at every state change.
 */
#include "jobs/record.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsutil.h"
#include "core/log.h"
#include "core/mem.h"

/* Strings this long made of base64 letters are inline image bytes. */
#define INLINE_MIN_CHARS 256

void record_init(struct record *rec)
{
    memset(rec, 0, sizeof(*rec));
    rec->state = JOB_WAITING;
    rec->progress = -1;
}

void record_release(struct record *rec)
{
    free(rec->error_code);
    free(rec->error_message);
    free(rec->message);
    free(rec->waiting_for);
    free(rec->model);
    free(rec->source);
    free(rec->image_name);
    free(rec->provider_name);
    free(rec->provider_task_id);
    free(rec->provider_status);
    free(rec->idempotency_key);
    free(rec->copied_from);
    free(rec->duplicate_risk);
    free(rec->output.file);
    cJSON_Delete(rec->request);
    record_init(rec);
}

void record_set_str(char **field, const char *value)
{
    char *copy = value ? xstrdup(value) : NULL;

    free(*field);
    *field = copy;
}

void record_set_error(struct record *rec, const char *code, const char *message)
{
    char *line = NULL;

    rec->state = JOB_FAILED;
    rec->progress = -1;
    record_set_str(&rec->error_code, code);
    /* One line, as in the log: a file name may hold a newline or a tab. */
    if (message) {
        size_t size = 4 * strlen(message) + 1;

        line = log_escape(xmalloc(size), size, message);
    }
    record_set_str(&rec->error_message, line);
    free(line);
}

void record_clear_outcome(struct record *rec)
{
    record_set_str(&rec->error_code, NULL);
    record_set_str(&rec->error_message, NULL);
    record_set_str(&rec->message, NULL);
    record_set_str(&rec->waiting_for, NULL);
    record_set_str(&rec->copied_from, NULL);
    record_set_str(&rec->output.file, NULL);
    memset(&rec->output, 0, sizeof(rec->output));
    rec->has_output = false;
    rec->started_at = 0;
    rec->finished_at = 0;
}

void record_format_time(time_t t, char buf[32])
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int record_parse_time(const char *text, time_t *out)
{
    struct tm tm;
    const char *end;

    memset(&tm, 0, sizeof(tm));
    end = strptime(text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!end || *end)
        return -EINVAL;
    *out = timegm(&tm);
    return 0;
}

static void add_str_or_null(cJSON *obj, const char *name, const char *value)
{
    if (value)
        cJSON_AddStringToObject(obj, name, value);
    else
        cJSON_AddNullToObject(obj, name);
}

static void add_time(cJSON *obj, const char *name, time_t t)
{
    char buf[32];

    if (!t) {
        cJSON_AddNullToObject(obj, name);
        return;
    }
    record_format_time(t, buf);
    cJSON_AddStringToObject(obj, name, buf);
}

static cJSON *output_to_json(const struct record_output *o)
{
    cJSON *obj = cJSON_CreateObject();

    add_str_or_null(obj, "file", o->file);
    cJSON_AddNumberToObject(obj, "bytes", (double)o->bytes);
    cJSON_AddStringToObject(obj, "sha256", o->sha256);
    /* Milliseconds are all a duration needs; avoids 0.99999999 noise. */
    cJSON_AddNumberToObject(obj, "duration_s",
                            round(o->duration_s * 1000.0) / 1000.0);
    cJSON_AddNumberToObject(obj, "width", o->width);
    cJSON_AddNumberToObject(obj, "height", o->height);
    cJSON_AddNumberToObject(obj, "fps", round(o->fps * 1000.0) / 1000.0);
    cJSON_AddStringToObject(obj, "codec", o->codec);
    cJSON_AddStringToObject(obj, "profile", o->profile);
    cJSON_AddStringToObject(obj, "pix_fmt", o->pix_fmt);
    cJSON_AddNumberToObject(obj, "frames", (double)o->frames);
    return obj;
}

/* The length of the UTF-8 sequence at s, or 0 when it is not one. */
static size_t utf8_length(const unsigned char *s)
{
    size_t n = s[0] < 0x80                    ? 1
               : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
               : s[0] >= 0xe0 && s[0] <= 0xef ? 3
               : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
                                              : 0;
    uint32_t cp = s[0] & (0x7f >> n);

    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0; /* also stops at the NUL */
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/*
 * JSON text is UTF-8 (RFC 8259), but file names and providers' messages
 * need not be: each byte that does not start a UTF-8 sequence becomes
 * U+FFFD. Returns a new string.
 */
static char *valid_utf8(const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    char *out = xmalloc(3 * strlen(text) + 1), *p = out;

    while (*s) {
        size_t n = utf8_length(s);

        if (n) {
            memcpy(p, s, n);
            p += n;
            s += n;
        } else {
            memcpy(p, "\xef\xbf\xbd", 3);
            p += 3;
            s++;
        }
    }
    *p = '\0';
    return out;
}

/*
 * cJSON indents with tabs and puts a tab after each colon; a record is read
 * by people, so indent by two spaces and follow colons with one. Raw tabs
 * only ever come from the formatting (cJSON escapes them in strings).
 * Returns a new string ending in a newline.
 */
static char *retab(const char *text)
{
    size_t n = 0;
    char *out, *p;

    for (const char *c = text; *c; c++)
        n += *c == '\t' ? 2 : 1;
    out = xmalloc(n + 2);
    p = out;
    for (const char *c = text; *c; c++) {
        if (*c != '\t') {
            *p++ = *c;
        } else if (c > text && c[-1] == ':') {
            *p++ = ' ';
        } else {
            *p++ = ' ';
            *p++ = ' ';
        }
    }
    *p++ = '\n';
    *p = '\0';
    return out;
}

char *record_to_json(const struct record *rec)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *obj;
    char *text, *utf8, *out;

    cJSON_AddStringToObject(root, "state", job_state_name(rec->state));
    if (rec->progress >= 0)
        cJSON_AddNumberToObject(root, "progress", rec->progress);
    else
        cJSON_AddNullToObject(root, "progress");
    if (rec->error_code || rec->error_message) {
        obj = cJSON_AddObjectToObject(root, "error");
        add_str_or_null(obj, "code", rec->error_code);
        add_str_or_null(obj, "message", rec->error_message);
    } else {
        cJSON_AddNullToObject(root, "error");
    }
    if (rec->message)
        cJSON_AddStringToObject(root, "message", rec->message);
    if (rec->waiting_for)
        cJSON_AddStringToObject(root, "waiting_for", rec->waiting_for);
    add_str_or_null(root, "model", rec->model);
    if (rec->source)
        cJSON_AddStringToObject(root, "source", rec->source);
    obj = cJSON_AddObjectToObject(root, "image");
    add_str_or_null(obj, "name", rec->image_name);
    add_str_or_null(obj, "sha256",
                    rec->image_sha256[0] ? rec->image_sha256 : NULL);
    if (rec->request)
        cJSON_AddItemToObject(root, "request",
                              cJSON_Duplicate(rec->request, true));
    else
        cJSON_AddNullToObject(root, "request");
    add_str_or_null(root, "key", rec->key[0] ? rec->key : NULL);
    obj = cJSON_AddObjectToObject(root, "provider");
    add_str_or_null(obj, "name", rec->provider_name);
    if (rec->provider_task_id || rec->provider_status) {
        add_str_or_null(obj, "task_id", rec->provider_task_id);
        add_str_or_null(obj, "status", rec->provider_status);
    }
    if (rec->idempotency_key)
        cJSON_AddStringToObject(obj, "idempotency_key", rec->idempotency_key);
    add_time(root, "created_at", rec->created_at);
    add_time(root, "started_at", rec->started_at);
    add_time(root, "finished_at", rec->finished_at);
    cJSON_AddNumberToObject(root, "attempts", rec->attempts);
    if (rec->has_output)
        cJSON_AddItemToObject(root, "output", output_to_json(&rec->output));
    else
        cJSON_AddNullToObject(root, "output");
    if (rec->copied_from)
        cJSON_AddStringToObject(root, "copied_from", rec->copied_from);
    if (rec->duplicate_risk)
        cJSON_AddStringToObject(root, "duplicate_risk", rec->duplicate_risk);
    text = cJSON_Print(root);
    cJSON_Delete(root);
    utf8 = valid_utf8(text);
    cJSON_free(text);
    out = retab(utf8);
    free(utf8);
    return out;
}

/* The string member name of obj, or NULL if absent or not a string. */
static const char *get_str(const cJSON *obj, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);

    return cJSON_IsString(item) ? item->valuestring : NULL;
}

static double get_num(const cJSON *obj, const char *name, double fallback)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);

    return cJSON_IsNumber(item) ? item->valuedouble : fallback;
}

/*
 * A whole number member within [min, max], else fallback: a record edited
 * by hand may hold anything, and casting a double out of range is undefined.
 */
static int64_t get_int(const cJSON *obj, const char *name, int64_t min,
                       int64_t max, int64_t fallback)
{
    double d = get_num(obj, name, NAN);

    return d >= (double)min && d <= (double)max ? (int64_t)d : fallback;
}

/*
 * A number member within [0, 1e9], else 0: record_to_json rounds it to
 * milliseconds, which turns a larger one into infinity, written as null.
 */
static double get_real(const cJSON *obj, const char *name)
{
    double d = get_num(obj, name, 0);

    return d >= 0 && d <= 1e9 ? d : 0;
}

/* A SHA-256 as record_to_json writes it (64 lowercase hex digits), or "". */
static void copy_hex(char dst[HASH_HEX_LEN + 1], const char *src)
{
    dst[0] = '\0';
    if (src && strlen(src) == HASH_HEX_LEN &&
        strspn(src, "0123456789abcdef") == HASH_HEX_LEN)
        memcpy(dst, src, HASH_HEX_LEN + 1);
}

static void copy_small(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static time_t get_time(const cJSON *obj, const char *name)
{
    const char *s = get_str(obj, name);
    time_t t = 0;

    if (s && record_parse_time(s, &t) < 0)
        t = 0;
    return t;
}

static void output_from_json(const cJSON *obj, struct record_output *o)
{
    record_set_str(&o->file, get_str(obj, "file"));
    o->bytes = get_int(obj, "bytes", 0, INT64_MAX / 2, 0);
    copy_hex(o->sha256, get_str(obj, "sha256"));
    o->duration_s = get_real(obj, "duration_s");
    o->width = (int)get_int(obj, "width", 0, INT_MAX, 0);
    o->height = (int)get_int(obj, "height", 0, INT_MAX, 0);
    o->fps = get_real(obj, "fps");
    copy_small(o->codec, sizeof(o->codec), get_str(obj, "codec"));
    copy_small(o->profile, sizeof(o->profile), get_str(obj, "profile"));
    copy_small(o->pix_fmt, sizeof(o->pix_fmt), get_str(obj, "pix_fmt"));
    o->frames = get_int(obj, "frames", 0, INT64_MAX / 2, 0);
}

int record_parse(const char *text, struct record *rec, char **err)
{
    cJSON *root = cJSON_Parse(text);
    const cJSON *obj;
    const char *state;
    int rc = 0;

    record_init(rec);
    if (!cJSON_IsObject(root)) {
        *err = xstrdup("not a JSON object");
        rc = -EINVAL;
        goto out;
    }
    state = get_str(root, "state");
    if (!state || job_state_parse(state, &rec->state) < 0) {
        *err = xasprintf("unknown state \"%.64s\"", state ? state : "");
        /* It is logged: a control character must not break the line. */
        for (char *p = *err; *p; p++) {
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = ' ';
        }
        rc = -EINVAL;
        goto out;
    }
    rec->progress = (int)get_int(root, "progress", 0, 100, -1);
    obj = cJSON_GetObjectItemCaseSensitive(root, "error");
    if (cJSON_IsObject(obj)) {
        record_set_str(&rec->error_code, get_str(obj, "code"));
        record_set_str(&rec->error_message, get_str(obj, "message"));
    }
    record_set_str(&rec->message, get_str(root, "message"));
    record_set_str(&rec->waiting_for, get_str(root, "waiting_for"));
    record_set_str(&rec->model, get_str(root, "model"));
    record_set_str(&rec->source, get_str(root, "source"));
    obj = cJSON_GetObjectItemCaseSensitive(root, "image");
    if (cJSON_IsObject(obj)) {
        record_set_str(&rec->image_name, get_str(obj, "name"));
        copy_hex(rec->image_sha256, get_str(obj, "sha256"));
    }
    obj = cJSON_GetObjectItemCaseSensitive(root, "request");
    if (cJSON_IsObject(obj))
        rec->request = cJSON_Duplicate(obj, true);
    copy_hex(rec->key, get_str(root, "key"));
    obj = cJSON_GetObjectItemCaseSensitive(root, "provider");
    if (cJSON_IsObject(obj)) {
        record_set_str(&rec->provider_name, get_str(obj, "name"));
        record_set_str(&rec->provider_task_id, get_str(obj, "task_id"));
        record_set_str(&rec->provider_status, get_str(obj, "status"));
        record_set_str(&rec->idempotency_key, get_str(obj, "idempotency_key"));
    }
    record_set_str(&rec->copied_from, get_str(root, "copied_from"));
    record_set_str(&rec->duplicate_risk, get_str(root, "duplicate_risk"));
    rec->created_at = get_time(root, "created_at");
    rec->started_at = get_time(root, "started_at");
    rec->finished_at = get_time(root, "finished_at");
    rec->attempts = (int)get_int(root, "attempts", 0, INT_MAX, 0);
    obj = cJSON_GetObjectItemCaseSensitive(root, "output");
    if (cJSON_IsObject(obj)) {
        rec->has_output = true;
        output_from_json(obj, &rec->output);
    }
out:
    cJSON_Delete(root);
    return rc;
}

int record_read_file(const char *path, struct record *rec, char **err)
{
    char *text = NULL;
    size_t size;
    int rc;

    record_init(rec);
    rc = fsutil_read_file(path, RECORD_MAX_BYTES, &text, &size);
    if (rc < 0) {
        if (rc != -ENOENT)
            *err = xasprintf("cannot read %s: %s", path, strerror(-rc));
        return rc;
    }
    rc = record_parse(text, rec, err);
    free(text);
    return rc;
}

/* True when s carries image bytes inline rather than naming them. */
static bool is_inline_bytes(const char *s)
{
    size_t n = 0;

    if (strncmp(s, "data:", 5) == 0)
        return true;
    for (const char *p = s; *p; p++, n++) {
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                    "0123456789+/=\r\n",
                    *p))
            return false;
    }
    return n >= INLINE_MIN_CHARS;
}

static void strip_inline(cJSON *item)
{
    cJSON *child;

    if (cJSON_IsString(item) && is_inline_bytes(item->valuestring)) {
        char hex[HASH_HEX_LEN + 1], *repl;

        hash_sha256_buf(item->valuestring, strlen(item->valuestring), hex);
        repl = xasprintf("sha256:%s", hex);
        cJSON_SetValuestring(item, repl);
        free(repl);
        return;
    }
    cJSON_ArrayForEach(child, item)
    {
        strip_inline(child);
    }
}

cJSON *record_request_copy(const cJSON *request)
{
    cJSON *copy = cJSON_Duplicate(request, true);

    if (!copy)
        copy = cJSON_CreateObject();
    strip_inline(copy);
    return copy;
}
