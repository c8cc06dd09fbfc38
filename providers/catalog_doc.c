/*
 * The documents generated from the catalog (see catalog.h): each model's
 * MODEL.md and request.example.json, and README.txt at the mount's root.
 */
#include "providers/catalog.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/mem.h"
#include "providers/catalog_impl.h"

/* A growing string. */
struct text {
    char *s;
    size_t len, cap;
};

static void add(struct text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort(); /* only a bad format string fails here */
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = (t->len + (size_t)n + 1) * 2;
        t->s = xrealloc(t->s, t->cap);
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

/* Adds text word-wrapped at 76 columns, each line indented by indent. */
static void add_wrapped(struct text *t, int indent, const char *text)
{
    int col = 0;

    while (*text) {
        size_t word = strcspn(text, " ");

        if (col > indent && col + 1 + (int)word > 76) {
            add(t, "\n");
            col = 0;
        }
        if (col == 0) {
            add(t, "%*s", indent, "");
            col = indent;
        } else {
            add(t, " ");
            col++;
        }
        add(t, "%.*s", (int)word, text);
        col += (int)word;
        text += word;
        text += strspn(text, " ");
    }
    add(t, "\n");
}

/* s with '|' escaped and newlines flattened, for a Markdown table cell. */
static char *cell(const char *s)
{
    struct text t = { NULL, 0, 0 };

    add(&t, "%s", "");
    for (; s && *s; s++) {
        if (*s == '|')
            add(&t, "\\|");
        else if (*s == '\n')
            add(&t, " ");
        else
            add(&t, "%c", *s);
    }
    return t.s;
}

/* JSON pretty-printed with two-space indents and a final newline. */
static char *pretty(const cJSON *v)
{
    char *raw = cJSON_Print(v);
    struct text t = { NULL, 0, 0 };

    if (!raw)
        abort(); /* cJSON fails only when out of memory */
    add(&t, "%s", "");
    for (const char *s = raw; *s; s++) {
        /* Raw tabs are only layout: cJSON escapes those inside strings. */
        if (*s == '\t' && s > raw && s[-1] == ':')
            add(&t, " ");
        else if (*s == '\t')
            add(&t, "  ");
        else
            add(&t, "%c", *s);
    }
    add(&t, "\n");
    free(raw);
    return t.s;
}

static char *type_words(unsigned types)
{
    struct text t = { NULL, 0, 0 };

    add(&t, "%s", "");
    for (const struct catalog_type_name *n = catalog_type_names; n->bit; n++) {
        if (types & n->bit)
            add(&t, "%s%s", t.len ? " or " : "", n->doc);
    }
    return t.s;
}

static char *allowed_words(const struct catalog_option *o)
{
    struct text t = { NULL, 0, 0 };
    char *base = catalog_allowed_text(o), *part;

    add(&t, "%s", base ? base : "");
    free(base);
    if (o->types & (CATALOG_IMAGE | CATALOG_IMAGE_ARRAY))
        add(&t, "%sa file name here, an http(s) URL, a data: URI or base64",
            t.len ? "; " : "");
    if (o->types & CATALOG_URL) {
        part = catalog_url_text(o);
        add(&t, "%s%s", t.len ? "; " : "", part);
        free(part);
    }
    part = catalog_items_text(o);
    if (part)
        add(&t, "%s%s items", t.len ? "; " : "", part);
    free(part);
    if (o->max_length >= 0)
        add(&t, "%sat most %ld characters", t.len ? "; " : "", o->max_length);
    if (o->is_required)
        add(&t, "%srequired", t.len ? "; " : "");
    if (o->is_open)
        add(&t, "%sany keys", t.len ? "; " : "");
    return t.s;
}

static char *default_words(const struct catalog_option *o)
{
    if (o->default_value) {
        char *s = cJSON_PrintUnformatted(o->default_value);

        if (!s)
            abort(); /* cJSON fails only when out of memory */
        return s;
    }
    return xstrdup(o->doc_default ? o->doc_default : "");
}

static bool has_wire_names(const struct catalog_model *m)
{
    if (strcmp(m->route->name, "gateway") == 0)
        return false; /* the gateway takes the options as written */
    for (size_t i = 0; i < m->option_count; i++) {
        if (m->options[i].wire)
            return true;
    }
    return false;
}

static void doc_image(struct text *t, const struct catalog_model *m)
{
    const struct catalog_image *img = &m->image;

    add(t, "## The input image\n\n");
    add(t, "- %s\n",
        img->is_required ? "Required: every image dropped here (or named by "
                           "prompt.image in a job file) is the first frame."
                         : "Optional: the model also makes video from text "
                           "alone.");
    add(t, "- Formats:");
    for (size_t i = 0; img->formats[i]; i++)
        add(t, "%s %s", i ? "," : "", img->formats[i]);
    add(t, "\n");
    if (img->max_bytes)
        add(t, "- Size: at most %ld bytes (%.0f MB)\n", img->max_bytes,
            (double)img->max_bytes / (1024.0 * 1024.0));
    if (img->min_px)
        add(t, "- Width and height: at least %ld px\n", img->min_px);
    if (img->max_px)
        add(t, "- Width and height: at most %ld px\n", img->max_px);
    if (img->aspect_min > 0 || img->aspect_max > 0)
        add(t, "- Aspect ratio (width / height): %g to %g\n", img->aspect_min,
            img->aspect_max);
    if (img->note)
        add(t, "- %s\n", img->note);
    add(t, "\n## How images travel\n\n");
    if (m->transport & CATALOG_TRANSPORT_FILE)
        add(t, "- file: read from this folder, on this machine; nothing is "
               "sent anywhere.\n");
    if (m->transport & CATALOG_TRANSPORT_URL)
        add(t, "- url: an http(s) URL is passed on as it is.\n");
    if (m->transport & CATALOG_TRANSPORT_BASE64)
        add(t, "- base64: a file here is sent inline as raw base64 (no "
               "data: prefix).\n");
    if (m->transport & CATALOG_TRANSPORT_DATA_URI)
        add(t, "- data-uri: a file here is sent inline as a data: URI.\n");
    if (m->transport & CATALOG_TRANSPORT_UPLOAD)
        add(t, "- upload-first: a file here is uploaded first and sent as "
               "the URL of the upload.\n");
    add(t, "\nEvery image-valued option (prompt.image, imageTail, "
           "staticMask, …) takes a file name in this folder (no \"/\" or "
           "\"..\"), an http(s) URL, a data: URI or raw base64. A file named "
           "this way is an asset of the request, not a job of its own; a job "
           "waits until it is there.\n\n");
}

static void doc_options(struct text *t, const struct catalog_model *m)
{
    bool is_wire = has_wire_names(m);
    bool has_unsupported = false;

    add(t, "## Options\n\n");
    add(t, "| Option | Type | Allowed | Default |%s Description |\n",
        is_wire ? " Wire name |" : "");
    add(t, "|---|---|---|---|%s---|\n", is_wire ? "---|" : "");
    for (size_t i = 0; i < m->option_count; i++) {
        const struct catalog_option *o = &m->options[i];
        char *type, *allowed, *def, *desc;

        if (o->unsupported) {
            has_unsupported = true;
            continue;
        }
        type = type_words(o->types);
        allowed = allowed_words(o);
        def = default_words(o);
        desc = cell(o->description);
        add(t, "| `%s` | %s | %s | %s |", o->path, type, allowed, def);
        if (is_wire)
            add(t, " %s%s%s |", o->wire ? "`" : "", o->wire ? o->wire : "",
                o->wire ? "`" : "");
        add(t, " %s |\n", desc);
        free(type);
        free(allowed);
        free(def);
        free(desc);
    }
    add(t, "\nA path such as `a[].b` means the key `b` of every item of the "
           "array `a`.\n");
    if (m->vendor_aliases[0]) {
        add(t,
            "\nThe keys of `providerOptions.%s` are also read under "
            "`providerOptions.` +",
            m->vendor_key);
        for (size_t i = 0; m->vendor_aliases[i]; i++)
            add(t, "%s `%s`", i ? "," : "", m->vendor_aliases[i]);
        add(t, "; other keys under those names are ignored here.\n");
    }
    if (m->ignored_vendors[0]) {
        add(t, "\nAccepted and not checked:");
        for (size_t i = 0; m->ignored_vendors[i]; i++)
            add(t, "%s `providerOptions.%s`", i ? "," : "",
                m->ignored_vendors[i]);
        add(t, ".\n");
    }
    if (has_unsupported) {
        add(t, "\nNot supported by this model (an error if given):\n\n");
        for (size_t i = 0; i < m->option_count; i++) {
            if (m->options[i].unsupported)
                add(t, "- `%s`: %s\n", m->options[i].path,
                    m->options[i].unsupported);
        }
    }
    add(t, "\n");
}

static void doc_rules(struct text *t, const struct catalog_model *m)
{
    if (!m->rule_count)
        return;
    add(t, "## Rules\n\n");
    for (size_t i = 0; i < m->rule_count; i++) {
        const struct catalog_rule *r = &m->rules[i];

        if (r->kind == CATALOG_RULE_EXCLUSIVE) {
            add(t, "- Only one of these may be used at a time:");
            for (size_t g = 0; g < r->group_count; g++) {
                add(t, "%s", g ? ";" : "");
                for (size_t k = 0; r->groups[g][k]; k++)
                    add(t, "%s `%s`", k ? " or" : "", r->groups[g][k]);
            }
            if (r->why)
                add(t, " (%s)", r->why);
            add(t, ".\n");
        } else {
            char *ie =
                r->if_equals ? cJSON_PrintUnformatted(r->if_equals) : NULL;
            char *te =
                r->then_equals ? cJSON_PrintUnformatted(r->then_equals) : NULL;

            add(t, "- `%s`%s%s%s needs `%s`%s%s%s.\n", r->if_path,
                ie ? " set to `" : "", ie ? ie : "", ie ? "`" : "",
                r->then_path, te ? " set to `" : "", te ? te : "",
                te ? "`" : "");
            free(ie);
            free(te);
        }
    }
    add(t, "\n");
}

char *catalog_model_doc(const struct catalog_model *m)
{
    struct text t = { NULL, 0, 0 };
    char *example = catalog_model_example(m);

    add(&t, "# %s\n\n%s\n\n", m->title, m->description);
    add(&t, "- Folder: `%s`\n- Model: `%s`\n- Provider: `%s` (%s)\n\n",
        m->folder, m->id, m->route->provider, m->route->title);
    add(&t, "## How to use it\n\n");
    if (m->route->needs_request)
        add(&t,
            "This model costs money, so nothing runs until a "
            "`request.json` is in this folder or in a folder above it "
            "(inside `%s`). Copy `request.example.json` to "
            "`request.json`, edit it, then drop images here.\n\n",
            m->folder);
    else
        add(&t, "Drop an image here. Without a `request.json`, the "
                "defaults below apply; with one, its settings do.\n\n");
    add(&t, "Each image becomes a job: the video appears as "
            "`out/<name>.mp4` once it is complete and verified, and "
            "`out/<name>.json` records the job (state, progress, error). "
            "Settings cascade: the defaults, then each `request.json` from "
            "this folder down to the image's folder, then `<name>.json` next "
            "to the image. Objects merge key by key; other values replace. "
            "A `clip.json` with no `clip.*` image beside it is a job of its "
            "own, naming its first frame in `prompt.image`.\n\n");
    doc_image(&t, m);
    doc_options(&t, m);
    doc_rules(&t, m);
    if (m->notes[0]) {
        add(&t, "## Notes\n\n");
        for (size_t i = 0; m->notes[i]; i++)
            add(&t, "- %s\n", m->notes[i]);
        add(&t, "\n");
    }
    add(&t,
        "## Example\n\n`request.example.json`, valid as it is:\n\n"
        "```json\n%s```\n",
        example);
    free(example);
    return t.s;
}

char *catalog_model_example(const struct catalog_model *model)
{
    cJSON *v = model->example ? cJSON_Duplicate(model->example, true)
                              : catalog_model_defaults(model);
    char *s = pretty(v);

    cJSON_Delete(v);
    return s;
}

char *catalog_readme(const struct catalog *cat)
{
    struct text t = { NULL, 0, 0 };

    add(&t,
        "i2vfs: image-to-video as files\n"
        "==============================\n\n"
        "Every folder below is a model. Drop an image (JPEG, PNG or WebP) "
        "into a\nmodel's folder and a job starts; when it is done, the video "
        "appears in\nout/ beside it.\n\n"
        "  cp photo.jpg local/kenburns/\n"
        "  cat local/kenburns/out/photo.json   the job record: state, "
        "progress ...\n"
        "  ls local/kenburns/out/              ... then photo.mp4\n\n"
        "MODELS\n\n");
    for (size_t r = 0; r < cat->route_count; r++) {
        const struct catalog_route *route = &cat->routes[r];
        bool is_shown = false;

        for (size_t i = 0; i < cat->enabled_count; i++) {
            const struct catalog_model *m = cat->enabled[i];

            if (m->route != route)
                continue;
            if (!is_shown) {
                add(&t, "%s/  %s\n", route->folder, route->title);
                add_wrapped(&t, 4, route->description);
            }
            is_shown = true;
            add(&t, "  %s/  %s\n", m->folder, m->title);
        }
        if (is_shown)
            add(&t, "\n");
    }
    add(&t,
        "Each model folder holds MODEL.md (what the model accepts) and\n"
        "request.example.json (a valid request to copy). Both are "
        "read-only.\n\n"
        "SETTINGS\n\n"
        "request.json   the folder's settings, as in the AI SDK's "
        "generateVideo:\n"
        "               prompt, duration, aspectRatio, resolution, "
        "providerOptions ...\n"
        "photo.json     per-image settings, merged over request.json\n"
        "sub/           a subfolder works the same way and inherits "
        "request.json\n"
        "clip.json      a job of its own when no clip.* image is beside it: "
        "it names\n"
        "               its first frame in prompt.image (a file here or a "
        "URL)\n\n"
        "Settings cascade: the model's defaults, then each request.json "
        "from the\nmodel folder down to the image's folder, then the "
        "image's own .json.\nObjects merge key by key; other values replace. "
        "Image-valued options take\na file name in the folder, an http(s) "
        "URL, a data: URI or base64.\nMistakes (unknown keys, wrong types, "
        "values out of range, combinations\nthe provider rejects) fail the "
        "job with a message naming the field.\n\n"
        "A cloud model needs a request.json in the folder or above it "
        "before it\nspends anything; the local renderer runs with its "
        "defaults. Writing\nrequest.json starts the images that have no job "
        "yet or whose job failed.\nWriting new content into an image starts "
        "a new job. Deleting\nout/photo.json (and its video) lets the image "
        "run again.\n\n"
        "Names that never start a job: hidden files (.*), *~, *.part, "
        "*.crdownload,\n*.tmp, Thumbs.db, desktop.ini.\n\n"
        "THE JOB RECORD: out/photo.json\n\n"
        "state          waiting, queued, uploading, submitted, running, "
        "downloading,\n"
        "               succeeded, failed or canceled\n"
        "progress       0-100 where the provider reports it, else null\n"
        "error          { code, message } when the job failed\n"
        "model, image, request   what was asked, as sent (no secrets, "
        "images by\n"
        "               name and sha256)\n"
        "provider       the provider's task id and last raw status\n"
        "created_at, submitted_at, finished_at, attempts   timings "
        "(RFC 3339), retries\n"
        "output         file, bytes, sha256, duration_s, width, height, "
        "fps, codec\n\n"
        "STATES\n\n"
        "waiting        an asset the request names is not there yet (the "
        "record says\n"
        "               which)\n"
        "queued         accepted, waiting for a worker or the provider\n"
        "uploading      images are being uploaded (cloud)\n"
        "submitted      the provider has the job\n"
        "running        being generated; progress moves\n"
        "downloading    the video is being fetched and verified\n"
        "succeeded      out/photo.mp4 is complete\n"
        "failed         see error; fix request.json and the job runs "
        "again\n"
        "canceled       stopped before it finished (its image was "
        "deleted)\n\n"
        "out/ is written only by i2vfs; you may read it and delete from "
        "it.\nThe same image with the same settings never runs twice.\n");
    return t.s;
}
