/*
 * The catalog's parsed form, shared by catalog.c (parsing, lookups),
 * validate.c (validation, assets) and catalog_doc.c (MODEL.md, examples,
 * README.txt). Private to those three files.
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

/* The option of model at canonical path (no aliases, "[]" for items). */
const struct catalog_option *
catalog_option_find(const struct catalog_model *model, const char *path);

/* "a string", "an integer or an object" …: a new string the caller frees. */
char *catalog_types_text(unsigned types);

/* A number as people write it: 5, -10, 0.5. Returns buf. */
const char *catalog_num_text(double value, char *buf, size_t size);

/* What values an option allows, e.g. "5, 10" or "-10 to 10"; or NULL. */
char *catalog_allowed_text(const struct catalog_option *opt);

#endif
