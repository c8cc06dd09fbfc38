/*
 * What a path means, and the plan for a job (see trigger.h).
 */
#include "jobs/trigger.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/fsutil.h"
#include "core/mem.h"
#include "core/names.h"
#include "jobs/keys.h"
#include "jobs/publish.h"
#include "jobs/request.h"
#include "jobs/scan.h"

/* The largest inline (base64) first frame decoded, in bytes of text. */
#define INLINE_MAX_CHARS (64 * 1024 * 1024)

static bool has_suffix_ci(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);

    return n > s && strcasecmp(name + n - s, suffix) == 0;
}

/* True when store-relative rel is a regular file. */
static bool file_exists(const struct trigger_ctx *ctx, const char *dir_rel,
                        const char *name)
{
    char *path = xasprintf("%s/%s/%s", ctx->store_root, dir_rel, name);
    struct stat st;
    bool ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);

    free(path);
    return ok;
}

void trigger_path_release(struct trigger_path *path)
{
    free(path->dir_rel);
    free(path->name);
    free(path->stem);
    memset(path, 0, sizeof(*path));
}

/*
 * Splits rest (the part inside the model folder) into components, checking
 * each for junk. Returns the number of components, or -1 if one is junk
 * or empty.
 */
static int check_components(const char *rest, const char **last,
                            const char **out_dir)
{
    int count = 0;
    const char *p = rest;

    *last = rest;
    *out_dir = NULL;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        char *comp = xstrndup(p, len);
        bool junk = names_is_junk(comp);

        /* Remembers where an out/ folder is, for records. */
        if (slash && strcmp(comp, "out") == 0 && !*out_dir)
            *out_dir = p;
        free(comp);
        if (junk)
            return -1;
        count++;
        *last = p;
        if (!slash)
            return count;
        p = slash + 1;
    }
}

void trigger_classify(const struct trigger_ctx *ctx, const char *relpath,
                      struct trigger_path *out)
{
    const struct catalog_model *model;
    const char *rest = NULL, *base, *out_dir;
    char **images;

    memset(out, 0, sizeof(*out));
    out->kind = TRIGGER_IGNORE;
    model = catalog_find(ctx->catalog, relpath, &rest);
    if (!model || !rest || !rest[0])
        return;
    if (check_components(rest, &base, &out_dir) < 0)
        return;
    if (out_dir) {
        /* Only <folder>/out/<stem>.json means something: a job record. */
        if (out_dir + 4 != base || !has_suffix_ci(base, ".json"))
            return;
        out->kind = TRIGGER_RECORD;
        out->model = model;
        /* The folder above out/, without the trailing slash. */
        out->dir_rel = xstrndup(relpath, (size_t)(out_dir - relpath - 1));
        out->name = xstrdup(base);
        out->stem = names_stem(base);
        return;
    }
    out->model = model;
    out->dir_rel = xstrndup(relpath, (size_t)(base - relpath - 1));
    out->name = xstrdup(base);
    out->stem = names_stem(base);
    if (names_is_image(base) &&
        strlen(out->stem) + strlen(".json") > NAME_MAX) {
        /* Its record could not be named: never a job (the mount refuses). */
        out->kind = TRIGGER_OTHER;
    } else if (names_is_image(base)) {
        out->kind = TRIGGER_IMAGE;
    } else if (strcmp(base, "request.json") == 0) {
        out->kind = TRIGGER_REQUEST;
    } else if (strcmp(base, "request.example.json") == 0) {
        out->kind = TRIGGER_IGNORE; /* the generated example, never a job */
    } else if (has_suffix_ci(base, ".json")) {
        images = trigger_images_of_stem(ctx, out->dir_rel, out->stem);
        out->kind = images[0] ? TRIGGER_SIDECAR : TRIGGER_STANDALONE;
        catalog_names_free(images);
    } else {
        out->kind = TRIGGER_OTHER;
    }
}

char **trigger_images_of_stem(const struct trigger_ctx *ctx,
                              const char *dir_rel, const char *stem)
{
    char *abs = xasprintf("%s/%s", ctx->store_root, dir_rel);
    struct dirent **entries = NULL;
    char **names;
    size_t count = 0;
    int n;

    n = scandir(abs, &entries, NULL, alphasort);
    names = xcalloc((size_t)(n > 0 ? n : 0) + 1, sizeof(*names));
    for (int i = 0; i < n; i++) {
        const char *name = entries[i]->d_name;

        if (!names_is_junk(name) && names_is_image(name)) {
            char *s = names_stem(name);

            if (strcmp(s, stem) == 0 && file_exists(ctx, dir_rel, name))
                names[count++] = xstrdup(name);
            free(s);
        }
        free(entries[i]);
    }
    free(entries);
    free(abs);
    return names;
}

/* True when the request built with sidecar names name as an asset. */
static bool request_names(const struct trigger_ctx *ctx,
                          const struct catalog_model *model,
                          const char *dir_rel, const char *sidecar,
                          const char *name)
{
    cJSON *req = NULL;
    char *err = NULL, **assets = NULL;
    int has_request = 0;
    bool found = false;

    if (request_effective(ctx->store_root, model, dir_rel, sidecar, &req,
                          &has_request, &err) < 0) {
        free(err);
        return false;
    }
    catalog_assets(model, req, &assets);
    for (size_t i = 0; assets && assets[i]; i++) {
        if (strcmp(assets[i], name) == 0)
            found = true;
    }
    catalog_names_free(assets);
    cJSON_Delete(req);
    return found;
}

bool trigger_is_asset(const struct trigger_ctx *ctx,
                      const struct catalog_model *model, const char *dir_rel,
                      const char *name)
{
    char *abs, *own = names_stem(name);
    struct dirent **entries = NULL;
    bool found;
    int n;

    found = request_names(ctx, model, dir_rel, NULL, name);
    abs = xasprintf("%s/%s", ctx->store_root, dir_rel);
    n = found ? -1 : scandir(abs, &entries, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        const char *json = entries[i]->d_name;
        char *stem = names_stem(json);

        /* Other files' sidecars and job files; not the image's own. */
        if (!found && !names_is_junk(json) && has_suffix_ci(json, ".json") &&
            strcmp(json, "request.json") != 0 &&
            strcmp(json, "request.example.json") != 0 &&
            strcmp(stem, own) != 0 && file_exists(ctx, dir_rel, json))
            found = request_names(ctx, model, dir_rel, json, name);
        free(stem);
        free(entries[i]);
    }
    free(entries);
    free(abs);
    free(own);
    return found;
}

void trigger_plan_release(struct trigger_plan *plan)
{
    free(plan->error_code);
    free(plan->error_message);
    free(plan->message);
    free(plan->waiting_for);
    cJSON_Delete(plan->request);
    free(plan->image_name);
    free(plan->image_path);
    memset(plan, 0, sizeof(*plan));
}

/* Sets the plan to failed with code and message (takes the message). */
static void plan_fail(struct trigger_plan *plan, const char *code,
                      char *message)
{
    plan->state = JOB_FAILED;
    free(plan->error_code);
    free(plan->error_message);
    plan->error_code = xstrdup(code);
    plan->error_message = message;
}

static void plan_wait(struct trigger_plan *plan, const char *missing,
                      char *message)
{
    plan->state = JOB_WAITING;
    free(plan->waiting_for);
    free(plan->message);
    plan->waiting_for = missing ? xstrdup(missing) : NULL;
    plan->message = message;
}

static bool is_url(const char *s)
{
    return strncasecmp(s, "http://", 7) == 0 ||
           strncasecmp(s, "https://", 8) == 0;
}

/* True for a data: URI or a long run of base64 letters. */
static bool is_inline(const char *s)
{
    size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                         "0123456789+/=\r\n");

    return strncmp(s, "data:", 5) == 0 || (n == strlen(s) && n >= 64);
}

/*
 * Decodes an inline first frame into <store>/.i2vfs/inline/<sha256>, named
 * by the bytes' hash. Returns 0 with plan->image_path and image_sha256 set,
 * or fails the plan.
 */
static int decode_inline(const struct trigger_ctx *ctx,
                         struct trigger_plan *plan, const char *text)
{
    const char *comma =
        strncmp(text, "data:", 5) == 0 ? strchr(text, ',') : NULL;
    const char *b64 = comma ? comma + 1 : text;
    size_t len = strlen(b64), clean_len = 0, pad = 0;
    char *clean, *dir, *path;
    unsigned char *bytes;
    int n, rc = 0;

    if (len > INLINE_MAX_CHARS) {
        plan_fail(plan, "invalid_request",
                  xstrdup("prompt.image: the inline image is larger than "
                          "64 MB; put the file in this folder instead"));
        return -EFBIG;
    }
    clean = xmalloc(len + 4);
    for (size_t i = 0; i < len; i++) {
        if (!strchr(" \t\r\n", b64[i]))
            clean[clean_len++] = b64[i];
    }
    while (clean_len % 4)
        clean[clean_len++] = '=';
    clean[clean_len] = '\0';
    for (size_t i = clean_len; i > 0 && clean[i - 1] == '='; i--)
        pad++;
    bytes = xmalloc(clean_len / 4 * 3 + 1);
    n = EVP_DecodeBlock(bytes, (const unsigned char *)clean, (int)clean_len);
    if (n < 0 || (size_t)n < pad) {
        plan_fail(plan, "invalid_request",
                  xstrdup("prompt.image: not a file name, an http(s) URL "
                          "or valid base64"));
        rc = -EINVAL;
        goto out;
    }
    n -= (int)pad;
    hash_sha256_buf(bytes, (size_t)n, plan->image_sha256);
    dir = xasprintf("%s/%s/inline", ctx->store_root, PUBLISH_PRIVATE_DIR);
    path = xasprintf("%s/%s", dir, plan->image_sha256);
    rc = fsutil_mkdir_p(dir, 0755);
    if (rc == 0 && access(path, F_OK) != 0)
        rc = fsutil_write_atomic(path, bytes, (size_t)n);
    if (rc < 0) {
        plan_fail(plan, "internal",
                  xasprintf("cannot keep the inline image: %s", strerror(-rc)));
        free(path);
    } else {
        plan->image_path = path;
    }
    free(dir);
out:
    free(bytes);
    free(clean);
    return rc;
}

/* The first frame named by a job file's prompt.image, or NULL. */
static const char *prompt_image(const cJSON *req)
{
    const cJSON *prompt = cJSON_GetObjectItemCaseSensitive(req, "prompt");
    const cJSON *image = cJSON_GetObjectItemCaseSensitive(prompt, "image");

    return cJSON_IsString(image) ? image->valuestring : NULL;
}

/*
 * Finds the first frame of a job file. Returns 0 when the plan may go on
 * (image set, or none needed), or a negative errno after failing or
 * parking the plan.
 */
static int plan_first_frame(const struct trigger_ctx *ctx,
                            const struct catalog_model *model,
                            const char *dir_rel, const char *source,
                            struct trigger_plan *plan)
{
    const char *image = prompt_image(plan->request);
    bool local = strcmp(catalog_model_provider(model), "local") == 0;

    if (!image) {
        char *stem;

        if (!local)
            return 0; /* text-to-video: no first frame needed */
        /* Perhaps the settings of an image still on its way. */
        stem = names_stem(source);
        plan_wait(plan, NULL,
                  xasprintf("%s names no first frame: add the image %s.jpg "
                            "(or .png, .webp) beside it, or set prompt.image "
                            "to the name of an image in this folder",
                            source, stem));
        free(stem);
        return -EINVAL;
    }
    if (is_url(image)) {
        if (local) {
            plan_fail(plan, "unsupported_image",
                      xasprintf("prompt.image is a URL (%.80s): the local "
                                "renderer works offline and cannot fetch "
                                "it; save the image in this folder and "
                                "name it in prompt.image",
                                image));
            return -ENOTSUP;
        }
        plan->image_name = xstrdup(image);
        hash_sha256_buf(image, strlen(image), plan->image_sha256);
        return 0;
    }
    if (is_inline(image))
        return decode_inline(ctx, plan, image);
    if (strchr(image, '/') || strcmp(image, "..") == 0 ||
        strcmp(image, ".") == 0) {
        plan_fail(plan, "invalid_request",
                  xasprintf("prompt.image \"%.80s\": must be the name of a "
                            "file in this folder, an http(s) URL or base64",
                            image));
        return -EINVAL;
    }
    if (!file_exists(ctx, dir_rel, image)) {
        plan_wait(plan, image,
                  xasprintf("waiting for %s (prompt.image in %s): the job "
                            "starts when that file is in this folder",
                            image, source));
        return -ENOENT;
    }
    plan->image_name = xstrdup(image);
    plan->image_path = xasprintf("%s/%s/%s", ctx->store_root, dir_rel, image);
    return 0;
}

/*
 * True (after failing the plan) when path, a file named name in the
 * store, is a symbolic link, or is in a linked folder, that leads out of
 * the store: i2vfs never reads, hashes or uploads such a file.
 */
static bool leads_out(const struct trigger_ctx *ctx, struct trigger_plan *plan,
                      const char *path, const char *name, const char *what)
{
    int rc = fsutil_is_beneath(ctx->store_root, path);

    if (rc == 1)
        return false;
    plan_fail(plan, "unreadable_image",
              rc == 0 ? xasprintf("%s leads out of the store (a symbolic "
                                  "link): i2vfs never follows a link out",
                                  name ? name : what)
                      : xasprintf("cannot resolve %s: %s", name ? name : what,
                                  strerror(-rc)));
    return true;
}

/* Hashes the first frame (if a file) into plan->image_sha256. */
static int plan_hash_image(const struct trigger_ctx *ctx,
                           struct trigger_plan *plan)
{
    int rc;

    if (!plan->image_path || plan->image_sha256[0])
        return 0;
    if (leads_out(ctx, plan, plan->image_path, plan->image_name, "the image"))
        return -EPERM;
    rc = hash_sha256_file(plan->image_path, plan->image_sha256);
    if (rc < 0)
        plan_fail(plan, "unreadable_image",
                  xasprintf("cannot read %s: %s",
                            plan->image_name ? plan->image_name : "the image",
                            strerror(-rc)));
    return rc;
}

/*
 * Checks the request's assets are there and hashes them, then computes
 * the key. Returns 0, or a negative errno after parking or failing.
 */
static int plan_assets_and_key(const struct trigger_ctx *ctx,
                               const struct catalog_model *model,
                               const char *dir_rel, struct trigger_plan *plan)
{
    char **assets = NULL, **shas;
    size_t n;
    int rc = 0;

    n = catalog_assets(model, plan->request, &assets);
    shas = xcalloc(n + 1, sizeof(*shas));
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *path;

        if (!file_exists(ctx, dir_rel, assets[i])) {
            plan_wait(plan, assets[i],
                      xasprintf("waiting for %s, which the request names: "
                                "the job starts when that file is in this "
                                "folder",
                                assets[i]));
            rc = -ENOENT;
            break;
        }
        shas[i] = xcalloc(1, HASH_HEX_LEN + 1);
        path = xasprintf("%s/%s/%s", ctx->store_root, dir_rel, assets[i]);
        if (leads_out(ctx, plan, path, assets[i], "an asset")) {
            free(path);
            rc = -EPERM;
            break;
        }
        rc = hash_sha256_file(path, shas[i]);
        free(path);
        if (rc < 0)
            plan_fail(
                plan, "missing_asset",
                xasprintf("cannot read %s: %s", assets[i], strerror(-rc)));
    }
    if (rc == 0)
        keys_compute(catalog_model_folder(model), plan->request,
                     plan->image_sha256, (const char *const *)shas, n,
                     plan->key);
    for (size_t i = 0; i < n; i++)
        free(shas[i]);
    free(shas);
    catalog_names_free(assets);
    return rc;
}

void trigger_plan(const struct trigger_ctx *ctx,
                  const struct catalog_model *model, const char *dir_rel,
                  const char *source, const char *owner,
                  struct trigger_plan *out)
{
    bool is_job_file = has_suffix_ci(source, ".json");
    char *stem = names_stem(source), *sidecar = NULL, *err = NULL;
    int has_request = 0, rc;

    memset(out, 0, sizeof(*out));
    out->state = JOB_FAILED;
    /* A job file's stem passes to an image: the file is now its sidecar. */
    if (owner && strcmp(owner, source) != 0 && !has_suffix_ci(owner, ".json") &&
        file_exists(ctx, dir_rel, owner)) {
        plan_fail(out, "name_clash",
                  xasprintf("%s and %s would both write out/%s.mp4: rename "
                            "one of them",
                            source, owner, stem));
        goto out;
    }
    if (!is_job_file && trigger_is_asset(ctx, model, dir_rel, source)) {
        out->is_asset = true;
        goto out;
    }
    if (is_job_file) {
        sidecar = xstrdup(source);
    } else {
        sidecar = xasprintf("%s.json", stem);
        if (!file_exists(ctx, dir_rel, sidecar)) {
            free(sidecar);
            sidecar = NULL;
        }
    }
    rc = request_effective(ctx->store_root, model, dir_rel, sidecar,
                           &out->request, &has_request, &err);
    if (rc < 0) {
        plan_fail(out, "invalid_request",
                  err ? err : xstrdup("the request cannot be read"));
        err = NULL;
        goto out;
    }
    rc = catalog_validate(model, out->request, &err);
    if (rc < 0) {
        plan_fail(out, "invalid_request",
                  err ? err : xstrdup("the request is not valid"));
        err = NULL;
        goto out;
    }
    if (catalog_model_needs_request(model) && !has_request && !is_job_file) {
        plan_wait(out, NULL,
                  xstrdup("add a request.json to this folder or above it "
                          "(copy request.example.json): this model is paid, "
                          "and nothing is spent until then"));
        goto out;
    }
    if (is_job_file) {
        if (plan_first_frame(ctx, model, dir_rel, source, out) < 0)
            goto out;
    } else {
        out->image_name = xstrdup(source);
        out->image_path =
            xasprintf("%s/%s/%s", ctx->store_root, dir_rel, source);
    }
    if (plan_hash_image(ctx, out) < 0)
        goto out;
    if (plan_assets_and_key(ctx, model, dir_rel, out) < 0)
        goto out;
    out->state = JOB_QUEUED;
out:
    free(err);
    free(sidecar);
    free(stem);
}

struct rescan_ctx {
    const struct trigger_ctx *ctx;
    trigger_state_cb state;
    trigger_pick_cb pick;
    void *arg;
};

static void rescan_file_cb(void *arg, const char *relpath)
{
    struct rescan_ctx *rc = arg;
    struct trigger_path path;
    enum job_state state;

    trigger_classify(rc->ctx, relpath, &path);
    if (path.kind == TRIGGER_IMAGE || path.kind == TRIGGER_STANDALONE) {
        if (rc->state(rc->arg, path.dir_rel, path.stem, &state) < 0 ||
            state == JOB_FAILED || state == JOB_CANCELED ||
            state == JOB_WAITING)
            rc->pick(rc->arg, path.dir_rel, path.name);
    }
    trigger_path_release(&path);
}

void trigger_rescan(const struct trigger_ctx *ctx, const char *dir_rel,
                    trigger_state_cb state, trigger_pick_cb pick, void *arg)
{
    struct rescan_ctx rc = { ctx, state, pick, arg };

    /* A folder that vanished meanwhile has nothing to restart. */
    (void)scan_tree(ctx->store_root, dir_rel, 1, rescan_file_cb, &rc);
}
