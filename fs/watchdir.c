/*
 * The hot-folder front end (see watchdir.h): writes the generated docs as
 * real files, then turns recursive inotify events on the directory into
 * the engine's events. No job logic lives here.
 */
#include "fs/watchdir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsutil.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/watch.h"

/* Generated docs are small; anything larger is not ours to compare. */
#define DOC_MAX_BYTES (1024 * 1024)

struct watchdir {
    struct engine *engine;
    struct watch *watch;
};

/* Writes text to dir/rel unless the file already holds exactly that. */
static int write_doc(const char *dir, const char *rel, const char *text)
{
    char *path = fsutil_join(dir, rel), *old = NULL;
    size_t size = 0, len = strlen(text);
    int rc;

    rc = fsutil_read_file(path, DOC_MAX_BYTES, &old, &size);
    if (rc == 0 && size == len && memcmp(old, text, len) == 0) {
        rc = 0;
        goto out;
    }
    rc = fsutil_write_atomic(path, text, len);
    if (rc < 0)
        log_error("cannot write %s: %s", path, strerror(-rc));
out:
    free(old);
    free(path);
    return rc;
}

static int write_docs(const char *dir, const struct catalog *cat)
{
    char *text = catalog_readme(cat);
    int rc = write_doc(dir, "README.txt", text);

    free(text);
    for (size_t i = 0; rc == 0 && i < catalog_model_count(cat); i++) {
        const struct catalog_model *model = catalog_model_at(cat, i);
        const char *folder = catalog_model_folder(model);
        char *path = fsutil_join(dir, folder), *rel;

        rc = fsutil_mkdir_p(path, 0755);
        free(path);
        if (rc < 0) {
            log_error("cannot make %s/%s: %s", dir, folder, strerror(-rc));
            break;
        }
        text = catalog_model_doc(model);
        rel = xasprintf("%s/MODEL.md", folder);
        rc = write_doc(dir, rel, text);
        free(rel);
        free(text);
        if (rc < 0)
            break;
        text = catalog_model_example(model);
        rel = xasprintf("%s/request.example.json", folder);
        rc = write_doc(dir, rel, text);
        free(rel);
        free(text);
    }
    return rc;
}

static void watch_event_cb(void *arg, enum watch_kind kind, const char *relpath)
{
    struct watchdir *wd = arg;

    switch (kind) {
    case WATCH_CLOSE_WRITE:
    case WATCH_MOVED_TO:
    case WATCH_ATTRIB:
        /* gio copy sets attributes after close: that restarts the wait. */
        engine_notify(wd->engine, ENGINE_FILE_CHANGED, relpath);
        break;
    case WATCH_MODIFY:
        engine_notify(wd->engine, ENGINE_FILE_BUSY, relpath);
        break;
    case WATCH_MOVED_FROM:
    case WATCH_DELETE:
    case WATCH_DIR_GONE:
        engine_notify(wd->engine, ENGINE_FILE_GONE, relpath);
        break;
    case WATCH_DIR_CREATED:
        engine_notify(wd->engine, ENGINE_DIR_CHANGED, relpath);
        break;
    case WATCH_OVERFLOW:
        log_warn("inotify dropped events: rescanning");
        engine_rescan(wd->engine);
        break;
    }
}

int watchdir_new(const char *dir, const struct catalog *cat,
                 struct engine *engine, struct watchdir **out)
{
    struct watchdir *wd;
    int rc;

    rc = write_docs(dir, cat);
    if (rc < 0)
        return rc;
    wd = xcalloc(1, sizeof(*wd));
    wd->engine = engine;
    rc = watch_new(engine_loop(engine), dir, watch_event_cb, wd, &wd->watch);
    if (rc < 0) {
        log_error("cannot watch %s: %s%s", dir, strerror(-rc),
                  rc == -ENOSPC ? " (raise fs.inotify.max_user_watches)" : "");
        free(wd);
        return rc;
    }
    *out = wd;
    return 0;
}

void watchdir_free(struct watchdir *wd)
{
    if (!wd)
        return;
    watch_free(wd->watch);
    free(wd);
}
