/*
 * The job engine's front door (see engine.h): takes events from any
 * thread, waits for each file's quiet moment on the loop, and dispatches
 * what a complete or gone path means to schedule.c. Also the start-up scan
 * that resumes interrupted jobs, and the rescan after missed events.
 */
#include "jobs/engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fsutil.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "core/names.h"
#include "jobs/cloud.h"
#include "jobs/engine_impl.h"
#include "jobs/scan.h"

#define DEFAULT_QUIET_MS 300

/* An event handed over by a front end, queued until the loop drains it. */
struct engine_ev {
    struct list link;
    enum engine_event event;
    char *relpath;
};

/*
 * A path waiting for its quiet moment, or held (timer 0) while a writer
 * has it open: a held path is neither complete nor picked up by a folder
 * rescan until its writer is done (ENGINE_FILE_CHANGED).
 */
struct pending {
    struct list link;
    struct engine *engine;
    char *relpath;
    uint64_t timer; /* 0 while held, or once fired */
};

static void drain_cb(struct loop *loop, void *arg);

/* Asks the loop to drain the event queue; lock held. */
static void request_drain(struct engine *engine)
{
    if (engine->drain_posted)
        return;
    if (loop_post(engine->loop, drain_cb, engine) == 0)
        engine->drain_posted = true;
}

int engine_new(const struct engine_config *cfg, struct engine **out)
{
    struct engine *engine = xcalloc(1, sizeof(*engine));
    int rc;

    engine->store_root = xstrdup(cfg->store_root);
    engine->catalog = cfg->catalog;
    engine->publisher = cfg->publisher;
    engine->quiet_ms = cfg->quiet_ms ? cfg->quiet_ms : DEFAULT_QUIET_MS;
    engine->tctx.store_root = engine->store_root;
    engine->tctx.catalog = cfg->catalog;
    pthread_mutex_init(&engine->lock, NULL);
    list_init(&engine->events);
    list_init(&engine->pending);
    atomic_init(&engine->rescan_requested, false);
    atomic_init(&engine->stopping, false);
    job_table_init(&engine->jobs, cfg->store_root, cfg->catalog,
                   cfg->publisher);
    rc = loop_new(&engine->loop);
    if (rc < 0)
        goto fail;
    rc = cloud_new(engine, cfg->cloud_config, &engine->cloud);
    if (rc < 0)
        goto fail;
    rc = worker_pool_new(engine->loop, cfg->render_workers,
                         schedule_task_done_cb, schedule_progress_cb, engine,
                         &engine->pool);
    if (rc < 0)
        goto fail;
    for (size_t i = 0; i < catalog_model_count(cfg->catalog); i++) {
        const char *folder =
            catalog_model_folder(catalog_model_at(cfg->catalog, i));
        char *path = fsutil_join(cfg->store_root, folder);

        rc = fsutil_mkdir_p(path, 0755);
        if (rc < 0)
            log_error("cannot make the model folder %s: %s", path,
                      strerror(-rc));
        free(path);
        if (rc < 0)
            goto fail;
    }
    *out = engine;
    return 0;
fail:
    engine_free(engine);
    return rc;
}

static void pending_free(struct engine *engine, struct pending *p)
{
    if (p->timer)
        loop_timer_cancel(engine->loop, p->timer);
    list_remove(&p->link);
    free(p->relpath);
    free(p);
}

void engine_free(struct engine *engine)
{
    struct list *pos, *tmp;

    if (!engine)
        return;
    atomic_store(&engine->stopping, true);
    worker_pool_free(engine->pool);
    cloud_free(engine->cloud);
    list_for_each_safe(pos, tmp, &engine->pending) {
        pending_free(engine, list_entry(pos, struct pending, link));
    }
    list_for_each_safe(pos, tmp, &engine->events) {
        struct engine_ev *ev = list_entry(pos, struct engine_ev, link);

        list_remove(pos);
        free(ev->relpath);
        free(ev);
    }
    job_table_release(&engine->jobs);
    loop_free(engine->loop);
    pthread_mutex_destroy(&engine->lock);
    free(engine->store_root);
    free(engine);
}

void engine_notify(struct engine *engine, enum engine_event event,
                   const char *relpath)
{
    struct engine_ev *ev = xcalloc(1, sizeof(*ev));

    while (relpath[0] == '/')
        relpath++;
    ev->event = event;
    ev->relpath = xstrdup(relpath);
    /* Trailing slashes name the same folder. */
    for (size_t n = strlen(ev->relpath); n > 0 && ev->relpath[n - 1] == '/';
         n--)
        ev->relpath[n - 1] = '\0';
    pthread_mutex_lock(&engine->lock);
    list_append(&engine->events, &ev->link);
    request_drain(engine);
    pthread_mutex_unlock(&engine->lock);
}

void engine_rescan(struct engine *engine)
{
    atomic_store(&engine->rescan_requested, true);
    pthread_mutex_lock(&engine->lock);
    request_drain(engine);
    pthread_mutex_unlock(&engine->lock);
}

struct loop *engine_loop(struct engine *engine)
{
    return engine->loop;
}

/*
 * True when relpath may hold a job's input: inside a model folder, no
 * junk component, not inside out/ or the private folder.
 */
static bool is_drop_path(const struct engine *engine, const char *relpath)
{
    const char *rest = NULL, *p;
    bool ok = true;

    if (!catalog_find(engine->catalog, relpath, &rest) || !rest || !rest[0])
        return false;
    for (p = rest; ok && *p;) {
        size_t len = strcspn(p, "/");
        char *comp = xstrndup(p, len);

        ok = !names_is_junk(comp) && !(p[len] == '/' && !strcmp(comp, "out"));
        free(comp);
        p += len;
        if (*p == '/')
            p++;
    }
    return ok;
}

static struct pending *pending_find(struct engine *engine, const char *rel)
{
    struct list *pos;

    list_for_each(pos, &engine->pending) {
        struct pending *p = list_entry(pos, struct pending, link);

        if (strcmp(p->relpath, rel) == 0)
            return p;
    }
    return NULL;
}

static bool path_is_file(const struct engine *engine, const char *rel)
{
    char *path = fsutil_join(engine->store_root, rel);
    struct stat st;
    bool ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);

    free(path);
    return ok;
}

/* trigger_state_cb over the engine's jobs. */
static int job_state_cb(void *arg, const char *dir_rel, const char *stem,
                        enum job_state *state)
{
    struct engine *engine = arg;
    struct job *job = job_load(&engine->jobs, dir_rel, stem);

    if (!job)
        return -ENOENT;
    /* A job of a stopped run is restarted like a failed one. */
    *state = job->interrupted ? JOB_FAILED : job->rec.state;
    return 0;
}

static struct pending *pending_find(struct engine *engine, const char *rel);

static void pick_cb(void *arg, const char *dir_rel, const char *source)
{
    struct engine *engine = arg;
    char *rel = xasprintf("%s/%s", dir_rel, source);
    bool is_pending = pending_find(engine, rel) != NULL;

    free(rel);
    /*
     * A file still waiting for its quiet moment is planned then, once: a
     * job planned now could read it half written, and run twice.
     */
    if (!is_pending)
        schedule_source(engine, dir_rel, source);
}

/* relpath had its quiet moment: act on what it is. */
static void path_complete(struct engine *engine, const char *relpath)
{
    struct trigger_path tp;
    char **images;
    struct job *job;

    if (!path_is_file(engine, relpath))
        return;
    schedule_wake(engine, relpath);
    trigger_classify(&engine->tctx, relpath, &tp);
    switch (tp.kind) {
    case TRIGGER_IMAGE:
    case TRIGGER_STANDALONE:
        schedule_source(engine, tp.dir_rel, tp.name);
        break;
    case TRIGGER_SIDECAR:
        /* Re-evaluates the image it belongs to (the job's own, if any). */
        images = trigger_images_of_stem(&engine->tctx, tp.dir_rel, tp.stem);
        job = job_load(&engine->jobs, tp.dir_rel, tp.stem);
        if (images[0]) {
            const char *pick = images[0];

            for (size_t i = 0; job && job->rec.source && images[i]; i++) {
                if (strcmp(images[i], job->rec.source) == 0)
                    pick = images[i];
            }
            schedule_source(engine, tp.dir_rel, pick);
        }
        catalog_names_free(images);
        break;
    case TRIGGER_REQUEST:
        trigger_rescan(&engine->tctx, tp.dir_rel, job_state_cb, pick_cb,
                       engine);
        break;
    case TRIGGER_RECORD:
    case TRIGGER_OTHER:
    case TRIGGER_IGNORE:
        break;
    }
    trigger_path_release(&tp);
}

static void pending_fire_cb(struct loop *loop, void *arg)
{
    struct pending *p = arg;
    struct engine *engine = p->engine;
    char *rel = p->relpath;

    (void)loop;
    p->timer = 0;
    p->relpath = NULL;
    pending_free(engine, p);
    path_complete(engine, rel);
    free(rel);
}

/* (Re)starts relpath's quiet moment. */
static void pending_arm(struct engine *engine, const char *relpath)
{
    struct pending *p = pending_find(engine, relpath);

    if (!p) {
        p = xcalloc(1, sizeof(*p));
        p->engine = engine;
        p->relpath = xstrdup(relpath);
        list_append(&engine->pending, &p->link);
    } else if (p->timer) {
        loop_timer_cancel(engine->loop, p->timer);
    }
    p->timer =
        loop_timer_add(engine->loop, engine->quiet_ms, pending_fire_cb, p);
}

/* Holds relpath while a writer has it: no quiet moment runs for it. */
static void pending_hold(struct engine *engine, const char *relpath)
{
    struct pending *p = pending_find(engine, relpath);

    if (!p) {
        p = xcalloc(1, sizeof(*p));
        p->engine = engine;
        p->relpath = xstrdup(relpath);
        list_append(&engine->pending, &p->link);
    } else if (p->timer) {
        loop_timer_cancel(engine->loop, p->timer);
    }
    p->timer = 0;
}

/* Forgets pending paths equal to relpath, or (with below) under it. */
static void pending_drop(struct engine *engine, const char *relpath, bool below)
{
    size_t len = strlen(relpath);
    struct list *pos, *tmp;

    list_for_each_safe(pos, tmp, &engine->pending) {
        struct pending *p = list_entry(pos, struct pending, link);

        if (strcmp(p->relpath, relpath) == 0 ||
            (below && strncmp(p->relpath, relpath, len) == 0 &&
             p->relpath[len] == '/'))
            pending_free(engine, p);
    }
}

static void arm_file_cb(void *arg, const char *relpath)
{
    struct engine *engine = arg;
    const struct pending *p = pending_find(engine, relpath);

    /* A held file is still being written: its writer's close arms it. */
    if (p && !p->timer)
        return;
    if (is_drop_path(engine, relpath))
        pending_arm(engine, relpath);
}

/* Calls cb for every file in dir_rel and below, or every model folder. */
static void scan_folder(struct engine *engine, const char *dir_rel,
                        scan_file_cb cb)
{
    size_t len = strlen(dir_rel);

    const char *rest = NULL;

    if (catalog_find(engine->catalog, dir_rel, &rest)) {
        /* A folder that vanished has nothing to scan. */
        if ((rest && !rest[0]) || is_drop_path(engine, dir_rel))
            (void)scan_tree(engine->store_root, dir_rel, 1, cb, engine);
        return;
    }
    /* A folder above the models (the root, a route): each model below. */
    for (size_t i = 0; i < catalog_model_count(engine->catalog); i++) {
        const char *folder =
            catalog_model_folder(catalog_model_at(engine->catalog, i));

        if (len == 0 ||
            (strncmp(folder, dir_rel, len) == 0 && folder[len] == '/'))
            (void)scan_tree(engine->store_root, folder, 1, cb, engine);
    }
}

static void path_gone(struct engine *engine, const char *relpath)
{
    struct trigger_path tp;
    char *path = fsutil_join(engine->store_root, relpath);
    struct stat st;
    size_t len = strlen(relpath);

    pending_drop(engine, relpath, true);
    /* Replaced already (renamed away, then a new file moved in). */
    if (stat(path, &st) == 0) {
        free(path);
        return;
    }
    free(path);
    trigger_classify(&engine->tctx, relpath, &tp);
    if (tp.kind == TRIGGER_RECORD)
        schedule_record_gone(engine, tp.dir_rel, tp.stem);
    else if (tp.kind == TRIGGER_IMAGE || tp.kind == TRIGGER_STANDALONE)
        schedule_source_gone(engine, tp.dir_rel, tp.name);
    trigger_path_release(&tp);
    /* A folder: its jobs go with it; an out/ folder: its records. */
    if (len > 4 && strcmp(relpath + len - 4, "/out") == 0) {
        char *dir = xstrndup(relpath, len - 4);

        if (catalog_find(engine->catalog, dir, NULL))
            schedule_folder_gone(engine, dir, false);
        free(dir);
    } else if (catalog_find(engine->catalog, relpath, NULL)) {
        schedule_folder_gone(engine, relpath, true);
    }
}

static void handle_event(struct engine *engine, const struct engine_ev *ev)
{
    switch (ev->event) {
    case ENGINE_FILE_BUSY:
        /* Not complete while a writer is at it; CHANGED re-arms it. */
        if (is_drop_path(engine, ev->relpath))
            pending_hold(engine, ev->relpath);
        break;
    case ENGINE_FILE_CHANGED:
        if (is_drop_path(engine, ev->relpath))
            pending_arm(engine, ev->relpath);
        break;
    case ENGINE_FILE_GONE:
        path_gone(engine, ev->relpath);
        break;
    case ENGINE_DIR_CHANGED:
        scan_folder(engine, ev->relpath, arm_file_cb);
        break;
    }
}

static void drain_cb(struct loop *loop, void *arg)
{
    struct engine *engine = arg;
    struct list events, *pos, *tmp;

    (void)loop;
    list_init(&events);
    pthread_mutex_lock(&engine->lock);
    engine->drain_posted = false;
    list_for_each_safe(pos, tmp, &engine->events) {
        list_remove(pos);
        list_append(&events, pos);
    }
    pthread_mutex_unlock(&engine->lock);
    list_for_each_safe(pos, tmp, &events) {
        struct engine_ev *ev = list_entry(pos, struct engine_ev, link);

        list_remove(pos);
        if (!atomic_load(&engine->stopping))
            handle_event(engine, ev);
        free(ev->relpath);
        free(ev);
    }
    if (atomic_exchange(&engine->rescan_requested, false)) {
        log_info("rescanning the store");
        scan_folder(engine, "", arm_file_cb);
    }
}

/* Start-up: every image and job file, resumed or started as needed. */
static void startup_file_cb(void *arg, const char *relpath)
{
    struct engine *engine = arg;
    struct trigger_path tp;

    trigger_classify(&engine->tctx, relpath, &tp);
    if (tp.kind == TRIGGER_IMAGE || tp.kind == TRIGGER_STANDALONE)
        schedule_scanned(engine, tp.dir_rel, tp.name);
    trigger_path_release(&tp);
}

int engine_run(struct engine *engine)
{
    const char *staging = publisher_staging_dir(engine->publisher);
    int rc;

    rc = worker_pool_start(engine->pool);
    if (rc < 0)
        return rc;
    rc = scan_clear_staging(staging);
    if (rc > 0)
        log_info("deleted %d unfinished files from %s", rc, staging);
    scan_folder(engine, "", startup_file_cb);
    rc = loop_run(engine->loop);
    /* Interrupted jobs keep their records: they resume at the next start. */
    atomic_store(&engine->stopping, true);
    worker_pool_stop(engine->pool);
    return rc;
}

void engine_stop(struct engine *engine)
{
    atomic_store(&engine->stopping, true);
    loop_stop(engine->loop);
}
