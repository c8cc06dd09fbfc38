/*
 * The job record, out/<stem>.json (DESIGN.md): its fields in memory, and
 * its JSON, written and read back (at start-up, to resume).
 */
#ifndef JOBS_RECORD_H
#define JOBS_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "core/hash.h"
#include "jobs/job_state.h"

/* The largest record read back, in bytes. */
#define RECORD_MAX_BYTES (4 * 1024 * 1024)

/* The probed result, as the record's "output" object. */
struct record_output {
    char *file; /* "photo.mp4" */
    int64_t bytes;
    char sha256[HASH_HEX_LEN + 1];
    double duration_s;
    int width;
    int height;
    double fps;
    char codec[32];
    char profile[32];
    char pix_fmt[32];
    int64_t frames;
};

/*
 * Every field of a record. Strings and request are owned by the record;
 * NULL (or 0 for times, -1 for progress) means absent or null.
 */
struct record {
    enum job_state state;
    int progress; /* 0..100, or -1 for null */
    char *error_code;
    char *error_message;
    char *message;     /* why it waits or was canceled, for a person */
    char *waiting_for; /* the missing file's name, in the job's folder */
    char *model;       /* route/id, e.g. "local/kenburns" */
    char *source;      /* the file that made the job: photo.jpg, clip.json */
    char *image_name;  /* first frame's name; NULL when inline */
    char image_sha256[HASH_HEX_LEN + 1]; /* "" when unknown */
    cJSON *request;                      /* effective request, as recorded */
    char key[HASH_HEX_LEN + 1];          /* "" when not computed */
    char *provider_name;
    char *provider_task_id; /* cloud: the provider's id, once submitted */
    char *provider_status;  /* cloud: the provider's last raw status */
    char *idempotency_key;  /* cloud: sent with every submit of the job */
    char *copied_from; /* store-relative video this result was copied from */
    /*
     * cloud: why the provider may run this job twice (a submit whose reply
     * was lost, to a provider without idempotency), or NULL
     */
    char *duplicate_risk;
    time_t created_at;
    time_t started_at;
    time_t finished_at;
    int attempts;
    bool has_output;
    struct record_output output;
};

/* Sets every field to absent (state waiting, progress null). */
void record_init(struct record *rec);

/* Frees what rec owns and leaves it as record_init does. */
void record_release(struct record *rec);

/* Replaces *field with a copy of value (NULL clears it). */
void record_set_str(char **field, const char *value);

/* Records a failure: state failed, error {code, message}, progress null. */
void record_set_error(struct record *rec, const char *code,
                      const char *message);

/* Clears error, message, waiting_for and output (before a new run). */
void record_clear_outcome(struct record *rec);

/*
 * The record as indented JSON text ending in a newline: a new string the
 * caller frees.
 */
char *record_to_json(const struct record *rec);

/*
 * Parses a record written by record_to_json into rec (record_init'ed by
 * the call; release it even on failure). Returns 0, or -EINVAL with *err
 * (caller frees) when the text is not a record.
 */
int record_parse(const char *text, struct record *rec, char **err);

/* Reads and parses the record file at path. -ENOENT when there is none. */
int record_read_file(const char *path, struct record *rec, char **err);

/*
 * A copy of request fit for the record: string values that carry inline
 * image bytes (data: URIs and long base64) are replaced by
 * "sha256:<hex>" of their text. Returns a new object the caller deletes.
 */
cJSON *record_request_copy(const cJSON *request);

/* Formats t as RFC 3339 UTC ("2026-11-21T12:00:00Z") into buf. */
void record_format_time(time_t t, char buf[32]);

/* Parses what record_format_time writes. Returns 0 or -EINVAL. */
int record_parse_time(const char *text, time_t *out);

#endif
