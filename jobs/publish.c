/*
 * The publisher thread (see publish.h): renames finished files from the
 * staging folder into out/, through the mount when it can so that inotify
 * watchers on the mount see them arrive, else inside the store.
 */
#include "jobs/publish.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/list.h"
#include "core/log.h"
#include "core/mem.h"

enum publish_op {
    PUBLISH_RENAME,
    PUBLISH_REMOVE,
    PUBLISH_FLUSH,
    PUBLISH_STOP,
};

struct publish_item {
    struct list link;
    enum publish_op op;
    char *staging_name; /* PUBLISH_RENAME */
    char *dest_rel;     /* PUBLISH_RENAME, PUBLISH_REMOVE */
    bool *done;         /* PUBLISH_FLUSH: set when reached */
};

struct publisher {
    char *store_root;
    char *staging_dir;
    pthread_t thread;
    pid_t tid;

    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t cond;
    struct list queue;
    char *mount_root;
    publisher_invalidate_cb invalidate;
    void *invalidate_arg;
};

static void item_free(struct publish_item *item)
{
    free(item->staging_name);
    free(item->dest_rel);
    free(item);
}

static void enqueue(struct publisher *pub, struct publish_item *item)
{
    pthread_mutex_lock(&pub->lock);
    list_append(&pub->queue, &item->link);
    pthread_cond_broadcast(&pub->cond);
    pthread_mutex_unlock(&pub->lock);
}

/* fsyncs the folder that holds path, so a rename survives a crash. */
static void sync_parent(const char *path)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');

    if (slash) {
        *slash = '\0';
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            /* Best effort: the rename already happened either way. */
            (void)fsync(fd);
            close(fd);
        }
    }
    free(dir);
}

/*
 * Makes the folder that will hold path (out/), but not its parents: if the
 * job's own folder was renamed or deleted meanwhile, recreating it would
 * bring back a folder the user just moved away. Returns 0 or -errno
 * (-ENOENT when the job's folder is gone).
 */
static int make_out_dir(const char *path)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    int rc = 0;

    if (slash) {
        *slash = '\0';
        if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            rc = -errno;
    }
    free(dir);
    return rc;
}

/* Renames src to dst, making dst's out/ first. Returns 0 or -errno. */
static int rename_into(const char *src, const char *dst)
{
    int rc = make_out_dir(dst);

    if (rc < 0)
        return rc;
    if (rename(src, dst) < 0)
        return -errno;
    return 0;
}

/* Tries through the mount, then in the store. Runs without the lock. */
static void do_rename(struct publisher *pub, const struct publish_item *item,
                      const char *mount_root, publisher_invalidate_cb cb,
                      void *cb_arg)
{
    char *store_dst = fsutil_join(pub->store_root, item->dest_rel);
    char *store_src = fsutil_join(pub->staging_dir, item->staging_name);
    int rc = -ENOENT;

    if (mount_root) {
        char *src = xasprintf("%s/%s/staging/%s", mount_root,
                              PUBLISH_PRIVATE_DIR, item->staging_name);
        char *dst = fsutil_join(mount_root, item->dest_rel);
        rc = rename_into(src, dst);
        if (rc < 0)
            log_debug("publish through the mount failed (%s), "
                      "publishing in the store",
                      strerror(-rc));
        free(src);
        free(dst);
    }
    if (rc < 0) {
        rc = rename_into(store_src, store_dst);
        if (rc == 0 && cb)
            cb(cb_arg, item->dest_rel);
    }
    if (rc == -ENOENT) {
        log_info("not publishing %s: its folder was moved or deleted",
                 item->dest_rel);
        (void)unlink(store_src); /* nobody is left to see it */
    } else if (rc < 0) {
        log_error("cannot publish %s: %s", item->dest_rel, strerror(-rc));
        /* Never leave a stray staging file behind a failed publish. */
        (void)unlink(store_src);
    } else {
        sync_parent(store_dst);
    }
    free(store_src);
    free(store_dst);
}

static void do_remove(struct publisher *pub, const struct publish_item *item,
                      const char *mount_root, publisher_invalidate_cb cb,
                      void *cb_arg)
{
    int rc = -ENOENT;

    if (mount_root) {
        char *path = fsutil_join(mount_root, item->dest_rel);
        rc = unlink(path) < 0 ? -errno : 0;
        free(path);
    }
    if (rc < 0) {
        char *path = fsutil_join(pub->store_root, item->dest_rel);
        rc = unlink(path) < 0 ? -errno : 0;
        if (rc == 0 && cb)
            cb(cb_arg, item->dest_rel);
        free(path);
    }
    if (rc < 0 && rc != -ENOENT)
        log_warn("cannot remove %s: %s", item->dest_rel, strerror(-rc));
}

static void *publisher_main(void *arg)
{
    struct publisher *pub = arg;
    bool running = true;

    pthread_mutex_lock(&pub->lock);
    pub->tid = gettid();
    pthread_cond_broadcast(&pub->cond);
    while (running) {
        while (list_is_empty(&pub->queue))
            pthread_cond_wait(&pub->cond, &pub->lock);
        struct publish_item *item =
            list_entry(pub->queue.next, struct publish_item, link);
        list_remove(&item->link);
        char *mount = pub->mount_root ? xstrdup(pub->mount_root) : NULL;
        publisher_invalidate_cb cb = pub->invalidate;
        void *cb_arg = pub->invalidate_arg;
        pthread_mutex_unlock(&pub->lock);

        switch (item->op) {
        case PUBLISH_RENAME:
            do_rename(pub, item, mount, cb, cb_arg);
            break;
        case PUBLISH_REMOVE:
            do_remove(pub, item, mount, cb, cb_arg);
            break;
        case PUBLISH_FLUSH:
            break;
        case PUBLISH_STOP:
            running = false;
            break;
        }
        free(mount);

        pthread_mutex_lock(&pub->lock);
        if (item->op == PUBLISH_FLUSH) {
            *item->done = true;
            pthread_cond_broadcast(&pub->cond);
        }
        item_free(item);
    }
    pthread_mutex_unlock(&pub->lock);
    return NULL;
}

int publisher_new(const char *store_root, struct publisher **out)
{
    struct publisher *pub = xcalloc(1, sizeof(*pub));
    int rc;

    pub->store_root = xstrdup(store_root);
    pub->staging_dir =
        xasprintf("%s/%s/staging", store_root, PUBLISH_PRIVATE_DIR);
    list_init(&pub->queue);
    pthread_mutex_init(&pub->lock, NULL);
    pthread_cond_init(&pub->cond, NULL);
    rc = fsutil_mkdir_p(pub->staging_dir, 0700);
    if (rc < 0) {
        log_error("cannot create %s: %s", pub->staging_dir, strerror(-rc));
        goto fail;
    }
    rc = -pthread_create(&pub->thread, NULL, publisher_main, pub);
    if (rc < 0)
        goto fail;
    pthread_mutex_lock(&pub->lock);
    while (pub->tid == 0)
        pthread_cond_wait(&pub->cond, &pub->lock);
    pthread_mutex_unlock(&pub->lock);
    *out = pub;
    return 0;

fail:
    pthread_cond_destroy(&pub->cond);
    pthread_mutex_destroy(&pub->lock);
    free(pub->staging_dir);
    free(pub->store_root);
    free(pub);
    return rc;
}

void publisher_free(struct publisher *pub)
{
    if (!pub)
        return;
    struct publish_item *stop = xcalloc(1, sizeof(*stop));
    stop->op = PUBLISH_STOP;
    enqueue(pub, stop);
    pthread_join(pub->thread, NULL);
    pthread_cond_destroy(&pub->cond);
    pthread_mutex_destroy(&pub->lock);
    free(pub->mount_root);
    free(pub->staging_dir);
    free(pub->store_root);
    free(pub);
}

void publisher_set_mount(struct publisher *pub, const char *mount_root,
                         publisher_invalidate_cb cb, void *arg)
{
    pthread_mutex_lock(&pub->lock);
    free(pub->mount_root);
    pub->mount_root = mount_root ? xstrdup(mount_root) : NULL;
    pub->invalidate = cb;
    pub->invalidate_arg = arg;
    pthread_mutex_unlock(&pub->lock);
}

const char *publisher_staging_dir(const struct publisher *pub)
{
    return pub->staging_dir;
}

void publisher_submit(struct publisher *pub, const char *staging_name,
                      const char *dest_rel)
{
    struct publish_item *item = xcalloc(1, sizeof(*item));

    item->op = PUBLISH_RENAME;
    item->staging_name = xstrdup(staging_name);
    item->dest_rel = xstrdup(dest_rel);
    enqueue(pub, item);
}

void publisher_remove(struct publisher *pub, const char *rel)
{
    struct publish_item *item = xcalloc(1, sizeof(*item));

    item->op = PUBLISH_REMOVE;
    item->dest_rel = xstrdup(rel);
    enqueue(pub, item);
}

void publisher_flush(struct publisher *pub)
{
    struct publish_item *item = xcalloc(1, sizeof(*item));
    bool done = false;

    item->op = PUBLISH_FLUSH;
    item->done = &done;
    enqueue(pub, item);
    pthread_mutex_lock(&pub->lock);
    while (!done)
        pthread_cond_wait(&pub->cond, &pub->lock);
    pthread_mutex_unlock(&pub->lock);
}

pid_t publisher_tid(const struct publisher *pub)
{
    return pub->tid;
}
