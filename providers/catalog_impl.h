/*
 * The catalog's parsed form and the private seams between the files of the
 * catalog: catalog_parse*.c (reading catalog.json), catalog.c (lookups),
 * catalog_text.c (values as text), validate*.c (validation, assets) and
 * catalog_doc.c (MODEL.md, examples, README.txt). Private to those files.
 */
#ifndef PROVIDERS_CATALOG_IMPL_H
#define PROVIDERS_CATALOG_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "providers/catalog.h"

/* The JSON types an option accepts (a union when more than one is set). */
enum catalog_type {
    CATALOG_STRING = 1 << 0,
    CATALOG_NUMBER = 1 << 1,
    CATALOG_INTEGER = 1 << 2,
    CATALOG_BOOLEAN = 1 << 3,
    CATALOG_OBJECT = 1 << 4,
    CATALOG_ARRAY = 1 << 5,
    CATALOG_IMAGE = 1 << 6,
    CATALOG_IMAGE_ARRAY = 1 << 7,
    CATALOG_URL = 1 << 8, /* an http(s) URL only, never a file here */
};

/* How images reach the provider. */
enum catalog_transport {
    CATALOG_TRANSPORT_FILE = 1 << 0,     /* read from the folder here */
    CATALOG_TRANSPORT_URL = 1 << 1,      /* an http(s) URL */
    CATALOG_TRANSPORT_BASE64 = 1 << 2,   /* raw base64, no prefix */
    CATALOG_TRANSPORT_DATA_URI = 1 << 3, /* data:image/…;base64,… */
    CATALOG_TRANSPORT_UPLOAD = 1 << 4,   /* uploaded first, then a URL */
};

/* "WxH" sizes a string option accepts besides its enum. */
struct catalog_dims {
    bool is_set;
    long min;
    long max_width;
    long max_height;
    bool is_even;
};

struct catalog_option {
    char *path; /* "providerOptions.local.cameraControl.config.zoom", "a[].b" */
    char *parent;       /* path of the enclosing option, "" at the top */
    char *key;          /* last component ("zoom"; "[]" for array items) */
    unsigned types;     /* enum catalog_type */
    cJSON *enum_values; /* array, or NULL */
    bool has_min, has_max;
    double min, max;
    long min_items, max_items, max_length; /* -1: no limit */
    struct catalog_dims dims;
    cJSON *default_value; /* merged into the defaults; or NULL */
    char *doc_default;    /* shown in MODEL.md only; or NULL */
    char *wire;           /* the name on the wire; or NULL */
    char *description;
    char *unsupported; /* why this model refuses it; or NULL */
    char **extensions; /* url: the file types its path may end in ("wav");
                          NULL-terminated, empty for any */
    bool is_required;  /* required whenever its parent is present */
    bool is_open;      /* an object whose unknown keys are passed through */
};

enum catalog_rule_kind {
    CATALOG_RULE_EXCLUSIVE,
    CATALOG_RULE_REQUIRES,
};

struct catalog_rule {
    enum catalog_rule_kind kind;
    /* EXCLUSIVE: at most one group may be present. */
    char ***groups; /* each a NULL-terminated array of paths */
    size_t group_count;
    char *why; /* or NULL */
    /* REQUIRES: if if_path is present (and equals if_equals, if set) … */
    char *if_path;
    cJSON *if_equals;
    /* … then then_path must be present (and equal then_equals, if set). */
    char *then_path;
    cJSON *then_equals;
};

struct catalog_image {
    bool is_required;
    char **formats;                 /* NULL-terminated */
    long max_bytes, min_px, max_px; /* 0: no limit */
    double aspect_min, aspect_max;  /* 0: no limit */
    char *note;                     /* or NULL */
};

struct catalog_route {
    char *name;
    char *folder;
    char *provider;
    bool needs_request;
    char *title;
    char *description;
    char **env; /* NULL-terminated */
};

struct catalog_model {
    const struct catalog_route *route;
    bool is_enabled;
    char *folder;
    char *id;
    char *short_name; /* the name in error messages, e.g. "kling-v2-6" */
    char *title;
    char *description;
    char *vendor_key;       /* providerOptions.<vendor_key> */
    char **vendor_aliases;  /* read like vendor_key, open; NULL-terminated */
    char **ignored_vendors; /* accepted and not checked; NULL-terminated */
    struct catalog_image image;
    unsigned transport; /* enum catalog_transport */
    struct catalog_option *options;
    size_t option_count;
    struct catalog_rule *rules;
    size_t rule_count;
    char **notes;   /* NULL-terminated */
    cJSON *example; /* or NULL: built from the defaults */
};

struct catalog {
    struct catalog_route *routes;
    size_t route_count;
    struct catalog_model *models; /* every model, enabled or not */
    size_t model_count;
    const struct catalog_model **enabled; /* the ones with folders */
    size_t enabled_count;
};

/*
 * The option of model at canonical path (no aliases, "[]" for items), or
 * NULL (catalog.c).
 */
const struct catalog_option *
catalog_option_find(const struct catalog_model *model, const char *path);

/*
 * Reading catalog.json (catalog_parse*.c). The first error wins: every
 * function returns 0, or -EINVAL with p->err set (if it was not yet) to
 * "catalog: <where>: <what>". where names the place in the catalog, e.g.
 * "model \"local/kenburns\"".
 */
struct catalog_parse {
    char *err; /* the first error, or NULL */
};

/* Records a formatted error (unless one is already recorded). */
int catalog_parse_fail(struct catalog_parse *p, const char *where,
                       const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Fails on any member of obj not in the NULL-terminated list known. */
int catalog_parse_known(struct catalog_parse *p, const char *where,
                        const cJSON *obj, const char *const *known);
/* A non-empty string (NULL when absent and optional): a new string. */
int catalog_parse_str(struct catalog_parse *p, const char *where,
                      const cJSON *obj, const char *key, bool is_required,
                      char **out);
int catalog_parse_bool(struct catalog_parse *p, const char *where,
                       const cJSON *obj, const char *key, bool fallback,
                       bool *out);
/* A finite number; *is_set (if not NULL) tells whether it was there. */
int catalog_parse_num(struct catalog_parse *p, const char *where,
                      const cJSON *obj, const char *key, bool *is_set,
                      double *out);
/* A whole number >= 0, or fallback when absent. */
int catalog_parse_count(struct catalog_parse *p, const char *where,
                        const cJSON *obj, const char *key, long fallback,
                        long *out);
/*
 * A NULL-terminated copy of an array of non-empty strings (absent: empty).
 * *out is always set, even on failure; free it with catalog_names_free.
 */
int catalog_parse_str_list(struct catalog_parse *p, const char *where,
                           const cJSON *obj, const char *key, char ***out);

/*
 * Reads the option v of the model named by model_where into opt (zeroed by
 * the caller); opt owns what it holds even on failure.
 */
int catalog_parse_option(struct catalog_parse *p, const char *model_where,
                         const cJSON *v, struct catalog_option *opt);
/*
 * Reads the rule v of model m (whose options are read) into r (zeroed by
 * the caller); r owns what it holds even on failure.
 */
int catalog_parse_rule(struct catalog_parse *p, const char *where,
                       const struct catalog_model *m, const cJSON *v,
                       struct catalog_rule *r);

/* Values as text for messages and docs (catalog_text.c). */

/* How each type is named; the table ends with a zeroed entry. */
struct catalog_type_name {
    unsigned bit;     /* enum catalog_type */
    const char *json; /* in catalog.json: "image-array" */
    const char *doc;  /* in MODEL.md: "image array" */
    const char *text; /* in messages: "an array of images" */
};

extern const struct catalog_type_name catalog_type_names[];

/* "a string", "an integer or an object" …: a new string the caller frees. */
char *catalog_types_text(unsigned types);

/* A number as people write it: 5, -10, 0.5. Returns buf. */
const char *catalog_num_text(double value, char *buf, size_t size);

/* What values an option allows, e.g. "5, 10" or "-10 to 10"; or NULL. */
char *catalog_allowed_text(const struct catalog_option *opt);

/*
 * How many items an array option allows, e.g. "1 to 3" or "at least 1";
 * NULL when it sets no limit. A new string the caller frees.
 */
char *catalog_items_text(const struct catalog_option *opt);

/*
 * What a url option allows: "an http(s) URL", or "an http(s) URL of a .wav
 * or .mp3 file" when it lists file types. A new string the caller frees.
 */
char *catalog_url_text(const struct catalog_option *opt);

/* The JSON text of v, shortened for a message: a new string. */
char *catalog_value_text(const cJSON *v);

/*
 * The items of the NULL-terminated list, each after prefix, separated by
 * sep (".wav or .mp3"): a new string the caller frees.
 */
char *catalog_list_text(char **list, const char *prefix, const char *sep);

/*
 * Input images (validate_image.c): how an image-valued string names its
 * image.
 */
enum catalog_image_kind {
    CATALOG_IMAGE_FILE, /* a file name in the folder */
    CATALOG_IMAGE_URL,
    CATALOG_IMAGE_DATA_URI,
    CATALOG_IMAGE_BASE64,
    CATALOG_IMAGE_INVALID,
};

enum catalog_image_kind catalog_image_kind(const char *s);

/*
 * One walk over a request (validate*.c): validating, where the first error
 * wins, or collecting the asset names, where nothing fails.
 */
struct catalog_walk {
    const struct catalog_model *model;
    char *err;       /* validating: the first error */
    bool is_collect; /* collecting asset names, never failing */
    char **names;    /* collecting: NULL-terminated */
    size_t name_count;
    catalog_image_cb image_cb; /* collecting: every image value, or NULL */
    void *image_arg;
};

/*
 * Records msg (taking ownership) as the walk's error, unless one is already
 * recorded or the walk collects. Returns -EINVAL, or 0 when collecting
 * (validate.c, as is catalog_walk_reject).
 */
int catalog_walk_fail(struct catalog_walk *w, char *msg);
/*
 * The same for the message "<disp>: <v as text> <fmt …>", the usual form
 * for a value that is wrong.
 */
int catalog_walk_reject(struct catalog_walk *w, const char *disp,
                        const cJSON *v, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* JSON equality, with 5 and 5.0 equal (validate_value.c). */
bool catalog_same_value(const cJSON *a, const cJSON *b);

/*
 * Checks the value v of option opt, shown in messages as disp (e.g.
 * "providerOptions.klingai.mode"), once its JSON type fits (validate_value.c).
 * Each returns catalog_walk_fail's result, or 0.
 */
int catalog_walk_string(struct catalog_walk *w,
                        const struct catalog_option *opt, const cJSON *v,
                        const char *disp);
int catalog_walk_number(struct catalog_walk *w,
                        const struct catalog_option *opt, const cJSON *v,
                        const char *disp);
int catalog_walk_url(struct catalog_walk *w, const struct catalog_option *opt,
                     const cJSON *v, const char *disp);

/*
 * Checks request against the model's rules (exclusive, requires), after its
 * options passed (validate_rules.c). Returns 0 or catalog_walk_fail's result.
 */
int catalog_walk_rules(struct catalog_walk *w, const cJSON *request);

#endif
