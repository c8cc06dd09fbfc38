/*
 * The provider interface: one constant struct per provider, listed in
 * registry.c. A local provider renders on a worker thread. A cloud provider
 * only translates: its hooks build request descriptions and parse replies,
 * and do no I/O; the engine (jobs/) sends, retries, uploads and downloads.
 * The engine calls the cloud hooks through the provider_* wrappers at the
 * end of this header, which answer -ENOTSUP for a hook a provider lacks.
 */
#ifndef PROVIDERS_PROVIDER_H
#define PROVIDERS_PROVIDER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <cjson/cJSON.h>

enum provider_caps {
    PROVIDER_CAP_LOCAL = 1 << 0,       /* renders here, no network */
    PROVIDER_CAP_INPUT_IMAGE = 1 << 1, /* takes a first-frame image */
    PROVIDER_CAP_CLOUD = 1 << 2,       /* submit / poll over HTTP */
    PROVIDER_CAP_CANCEL = 1 << 3,      /* has build_cancel */
    PROVIDER_CAP_UPLOAD = 1 << 4,      /* hosts local images: build_upload */
    /*
     * A submit sent again for the same job (same idempotency key) cannot
     * make a second task: the gateway's idempotency-key, Kling's
     * external_task_id. Without it, a submit whose reply was lost may have
     * made a task nobody can find.
     */
    PROVIDER_CAP_IDEMPOTENT = 1 << 5,
};

/* What a local render needs; every pointer is borrowed for the call. */
struct provider_render_job {
    const char *image_path; /* absolute path of the first frame */
    const char *asset_dir;  /* absolute folder that asset names resolve in */
    const cJSON *request;   /* validated effective request */
    const char *out_path;   /* absolute path of the MP4 to write */
};

/* Reports progress 0..100 from the rendering thread. */
typedef void (*provider_progress_cb)(void *arg, int percent);

/*
 * A provider's settings, from the environment or the config file (never
 * from the mount). Secrets live here and nowhere else: never log them.
 */
struct provider_config {
    const char *base_url;   /* e.g. "https://api-singapore.klingai.com" */
    const char *api_key;    /* bearer token / API key, or NULL */
    const char *access_key; /* Kling access key (JWT iss), or NULL */
    const char *secret_key; /* Kling secret key (JWT HMAC key), or NULL */
};

/* Most headers one request may carry. */
#define PROVIDER_MAX_HEADERS 16

/*
 * One HTTP exchange as a provider describes it; the engine sends it. All
 * strings are owned by the struct (release with provider_http_release).
 * Headers may hold secrets: the engine never logs them.
 */
struct provider_http {
    const char *method; /* static string: "GET", "POST", "PUT", "DELETE" */
    char *url;
    char *headers[PROVIDER_MAX_HEADERS + 1]; /* "Name: value", NULL-ended */
    char *body;                              /* JSON text, or NULL */
    size_t body_size;
    char *body_file;  /* send this file's bytes as the body (Blob PUT) */
    char *form_file;  /* multipart/form-data upload of this file … */
    char *form_field; /* … under this field name ("file") … */
    char *form_mime;  /* … with this content type */
};

/* Frees what http owns and zeroes it. */
void provider_http_release(struct provider_http *http);

/*
 * Appends a header "name: value" to http (copies both). Returns 0, or
 * -E2BIG past PROVIDER_MAX_HEADERS.
 */
int provider_http_add_header(struct provider_http *http, const char *name,
                             const char *value);

/* A reply as the engine received it; borrowed for the hook's call. */
struct provider_reply {
    long status;      /* HTTP status code */
    const char *body; /* NUL-terminated (capped by the engine) */
    size_t body_size;
};

/*
 * An image of the request as it must travel, resolved by the engine from
 * what the user wrote (a file in the folder, a URL, base64): already
 * uploaded where the model takes URLs only, else inline.
 */
struct provider_image {
    const char *path;   /* option path: "image" for the first frame, or e.g.
                           "providerOptions.klingai.imageTail",
                           "providerOptions.klingai.dynamicMasks[0].mask" */
    const char *url;    /* http(s) URL to send, or NULL */
    const char *base64; /* raw standard base64 of the bytes, or NULL */
    const char *mime;   /* "image/png", "image/jpeg", "image/webp" */
};

/* Everything a cloud hook may read about a job; borrowed for the call. */
struct provider_job {
    const char *model_id; /* as the provider names it (catalog id) */
    const cJSON *request; /* validated effective request, as written */
    const struct provider_image *images;
    size_t image_count;
    const char *idempotency_key; /* stable for the job's life (record) */
    const char *task_id;         /* the provider's id, once submitted */
    const struct provider_config *config;
    time_t now; /* wall clock for tokens (JWT iat/nbf/exp) */
};

enum provider_task_state {
    PROVIDER_TASK_PENDING,   /* poll again */
    PROVIDER_TASK_SUCCEEDED, /* result below */
    PROVIDER_TASK_FAILED,    /* error below */
};

/*
 * What a parse hook found. Strings are owned (provider_status_release).
 */
struct provider_status {
    enum provider_task_state state;
    int progress;        /* 0..100, or -1 when the provider reports none */
    char raw_status[64]; /* the provider's own status word, for the record */
    char *task_id;       /* parse_submit: the provider's id for the task */
    char *video_url;     /* succeeded: where to download the video … */
    char *video_base64;  /* … or the video inline */
    char *error;         /* failed: one line, with the provider's own message */
    char *error_code;    /* failed: a short token: "provider_refused",
                            "task_failed", "bad_reply", "unauthorized" … */
    /*
     * failed: the provider refused a per-request token as expired; building
     * the request again signs a fresh one (the engine does that once).
     */
    bool is_token_expired;
};

/* Frees what status owns and zeroes it. */
void provider_status_release(struct provider_status *status);

struct provider {
    const char *name; /* key in the catalog and config, e.g. "kling" */
    unsigned caps;    /* enum provider_caps */
    /* The provider whose build_upload hosts local images for models that
     * take URLs only ("blob" for the gateway, "krea" for Krea), or NULL. */
    const char *uploader;

    /*
     * PROVIDER_CAP_LOCAL only: renders job on the calling worker thread.
     * Returns 0, -ECANCELED, or a negative errno with *err (caller frees).
     */
    int (*render)(const struct provider_render_job *job,
                  provider_progress_cb progress, void *arg,
                  const atomic_bool *cancel, char **err);

    /*
     * PROVIDER_CAP_CLOUD: build the submit request for job. Returns 0, or
     * -EINVAL / -ENOKEY with *err (caller frees) one line for the record.
     */
    int (*build_submit)(const struct provider_job *job,
                        struct provider_http *out, char **err);
    /*
     * Reads the submit reply, any status code (the engine has already
     * retried 408/409/429/5xx as far as it will). On success fills
     * out->task_id and out->state (usually PENDING); on an error reply sets
     * state FAILED with error. Returns 0, or -EPROTO for a malformed reply
     * (with out->error set).
     */
    int (*parse_submit)(const struct provider_job *job,
                        const struct provider_reply *reply,
                        struct provider_status *out);
    /* Builds the status request for job->task_id. */
    int (*build_poll)(const struct provider_job *job, struct provider_http *out,
                      char **err);
    /* Reads a status reply into out; same contract as parse_submit. */
    int (*parse_poll)(const struct provider_job *job,
                      const struct provider_reply *reply,
                      struct provider_status *out);
    /* Optional (PROVIDER_CAP_CANCEL): builds a cancel request. */
    int (*build_cancel)(const struct provider_job *job,
                        struct provider_http *out, char **err);

    /*
     * PROVIDER_CAP_UPLOAD: builds the upload of the local file at path
     * (bytes hash to sha256 hex, type mime) so that its result URL is
     * stable for the same bytes (a content-hash name), which lets a
     * restarted daemon reuse an upload.
     */
    int (*build_upload)(const struct provider_config *config, const char *path,
                        const char *sha256, const char *mime,
                        struct provider_http *out, char **err);
    /*
     * Reads an upload reply: 0 with *url (caller frees), or a negative
     * errno with *err (caller frees) quoting the provider's message.
     */
    int (*parse_upload)(const struct provider_reply *reply, char **url,
                        char **err);
};

/* The provider registered under name, or NULL. */
const struct provider *provider_find(const char *name);

/*
 * Wrappers over the cloud hooks: the same contracts, and -ENOTSUP (with
 * *err or status->error set) when p lacks the hook. Callable from the
 * engine's loop: they do no I/O.
 */
int provider_build_submit(const struct provider *p,
                          const struct provider_job *job,
                          struct provider_http *out, char **err);
int provider_parse_submit(const struct provider *p,
                          const struct provider_job *job,
                          const struct provider_reply *reply,
                          struct provider_status *out);
int provider_build_poll(const struct provider *p,
                        const struct provider_job *job,
                        struct provider_http *out, char **err);
int provider_parse_poll(const struct provider *p,
                        const struct provider_job *job,
                        const struct provider_reply *reply,
                        struct provider_status *out);
int provider_build_cancel(const struct provider *p,
                          const struct provider_job *job,
                          struct provider_http *out, char **err);
int provider_build_upload(const struct provider *p,
                          const struct provider_config *config,
                          const char *path, const char *sha256,
                          const char *mime, struct provider_http *out,
                          char **err);
int provider_parse_upload(const struct provider *p,
                          const struct provider_reply *reply, char **url,
                          char **err);

/*
 * Helpers for provider implementations (providers/<name>*.c), not for the
 * engine. None does I/O.
 */

/*
 * s percent-encoded as one URL path segment (everything but A-Z a-z 0-9
 * - . _ ~ escaped; "." and ".." escaped too, so no id can change the
 * path): a new string.
 */
char *provider_path_segment(const char *s);

/* Turns every control character in s into a space: errors are one line. */
void provider_flatten(char *s);

/*
 * A provider's message as one line of at most max bytes ("no message" for
 * NULL or empty), control characters made spaces: a new string.
 */
char *provider_one_line(const char *msg, size_t max);

/* True for a 2xx reply. */
bool provider_is_2xx(const struct provider_reply *reply);

/* A whole reply body parsed as JSON (cJSON_Delete it); NULL if not JSON. */
cJSON *provider_parse_body(const struct provider_reply *reply);

/*
 * Marks out FAILED with message (taken, made one line) and a copy of code,
 * replacing any earlier error.
 */
void provider_set_failed(struct provider_status *out, const char *code,
                         char *message);

/*
 * Marks out FAILED "bad_reply": "<who> sent a reply we cannot read: <what>".
 * Returns -EPROTO.
 */
int provider_set_malformed(struct provider_status *out, const char *who,
                           const char *what);

/* True for an http:// or https:// URL. */
bool provider_is_http_url(const char *s);

/* True for the first frame's option path: "image" or "prompt.image". */
bool provider_is_first_frame(const char *path);

/* The option path of the job's resolved first frame, or NULL. */
const char *provider_first_frame_path(const struct provider_job *job);

/* Adds "prompt" to body: the request's prompt string, or its prompt.text. */
void provider_add_prompt(cJSON *body, const cJSON *request);

#endif
