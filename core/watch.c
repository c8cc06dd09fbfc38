/*
 * Recursive inotify watches (see watch.h): one inotify fd on the loop, a
 * list mapping each watch descriptor to its folder's root-relative path.
 */
#include "core/watch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/list.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"

#define WATCH_MASK                                                          \
    (IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | \
     IN_ATTRIB | IN_CREATE | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK)

/* The folder skipped at the root: i2vfs's own state. */
#define WATCH_PRIVATE ".i2vfs"

struct watch_dir {
    int wd;
    char *relpath; /* "" for the root */
    struct list link;
};

struct watch {
    struct loop *loop;
    char *root;
    int fd;
    watch_cb cb;
    void *arg;
    struct list dirs;
};

static struct watch_dir *dir_find(struct watch *w, int wd)
{
    struct list *pos;

    list_for_each(pos, &w->dirs) {
        struct watch_dir *d = list_entry(pos, struct watch_dir, link);

        if (d->wd == wd)
            return d;
    }
    return NULL;
}

static void dir_free(struct watch_dir *d)
{
    list_remove(&d->link);
    free(d->relpath);
    free(d);
}

/* "a" + "b" -> "a/b", "" + "b" -> "b"; the caller frees. */
static char *rel_join(const char *dir, const char *name)
{
    return dir[0] ? xasprintf("%s/%s", dir, name) : xstrdup(name);
}

/* True for relpath ".i2vfs" or anything under it. */
static bool is_private(const char *relpath)
{
    size_t n = strlen(WATCH_PRIVATE);

    return strncmp(relpath, WATCH_PRIVATE, n) == 0 &&
           (relpath[n] == '\0' || relpath[n] == '/');
}

/* True when the entry is a real folder (symbolic links are not). */
static bool entry_is_dir(int dirfd, const struct dirent *e)
{
    struct stat st;

    if (e->d_type != DT_UNKNOWN)
        return e->d_type == DT_DIR;
    if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return false;
    return S_ISDIR(st.st_mode);
}

/*
 * Watches the folder relpath and every folder under it, reporting each as
 * WATCH_DIR_CREATED when report is set. A folder that vanished meanwhile is
 * skipped. Returns 0, or a negative errno when a watch could not be added
 * for another reason (-ENOSPC at the watch limit).
 */
static int add_tree(struct watch *w, const char *relpath, bool report)
{
    char *abs = relpath[0] ? fsutil_join(w->root, relpath) : xstrdup(w->root);
    struct watch_dir *d;
    struct dirent *e;
    DIR *dir = NULL;
    int wd, rc = 0;

    if (is_private(relpath))
        goto out;
    wd = inotify_add_watch(w->fd, abs, WATCH_MASK);
    if (wd < 0) {
        if (errno != ENOENT && errno != ENOTDIR) {
            rc = -errno;
            log_warn("cannot watch %s: %s", abs, strerror(errno));
        }
        goto out;
    }
    /* The same folder may come back under a new name: keep one entry. */
    d = dir_find(w, wd);
    if (d) {
        free(d->relpath);
    } else {
        d = xcalloc(1, sizeof(*d));
        d->wd = wd;
        list_append(&w->dirs, &d->link);
    }
    d->relpath = xstrdup(relpath);
    if (report)
        w->cb(w->arg, WATCH_DIR_CREATED, relpath);

    dir = opendir(abs);
    if (!dir)
        goto out; /* gone again: its removal is reported by the parent */
    while ((e = readdir(dir))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (!entry_is_dir(dirfd(dir), e))
            continue;
        char *child = rel_join(relpath, e->d_name);
        int child_rc = add_tree(w, child, report);

        free(child);
        if (child_rc < 0 && rc == 0)
            rc = child_rc;
    }
out:
    if (dir)
        closedir(dir);
    free(abs);
    return rc;
}

/* Stops watching relpath and the folders under it. */
static void remove_tree(struct watch *w, const char *relpath)
{
    size_t n = strlen(relpath);
    struct list *pos, *tmp;

    list_for_each_safe(pos, tmp, &w->dirs) {
        struct watch_dir *d = list_entry(pos, struct watch_dir, link);

        if (strncmp(d->relpath, relpath, n) != 0 ||
            (d->relpath[n] != '\0' && d->relpath[n] != '/'))
            continue;
        /* Fails with EINVAL when the folder is already gone: fine. */
        (void)inotify_rm_watch(w->fd, d->wd);
        dir_free(d);
    }
}

/* After an overflow: drop every watch and watch the tree afresh. */
static void resync(struct watch *w)
{
    struct list *pos, *tmp;

    list_for_each_safe(pos, tmp, &w->dirs) {
        struct watch_dir *d = list_entry(pos, struct watch_dir, link);

        (void)inotify_rm_watch(w->fd, d->wd); /* may be gone: fine */
        dir_free(d);
    }
    if (add_tree(w, "", false) < 0)
        log_warn("watch: some folders under %s are not watched", w->root);
}

static void handle_event(struct watch *w, const struct inotify_event *ev)
{
    struct watch_dir *d;
    char *rel;

    if (ev->mask & IN_Q_OVERFLOW) {
        resync(w);
        w->cb(w->arg, WATCH_OVERFLOW, "");
        return;
    }
    d = dir_find(w, ev->wd);
    if (!d)
        return; /* a watch we removed; its last events are stale */
    if (ev->mask & IN_IGNORED) {
        /* The kernel dropped the watch: the folder is gone. */
        dir_free(d);
        return;
    }
    if (ev->len == 0 || ev->name[0] == '\0')
        return; /* about the folder itself: its parent reports it */
    rel = rel_join(d->relpath, ev->name);
    if (is_private(rel))
        goto out;
    if (ev->mask & IN_ISDIR) {
        if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
            (void)add_tree(w, rel, true); /* failures are logged inside */
        } else if (ev->mask & (IN_DELETE | IN_MOVED_FROM)) {
            remove_tree(w, rel);
            w->cb(w->arg, WATCH_DIR_GONE, rel);
        } else if (ev->mask & IN_ATTRIB) {
            w->cb(w->arg, WATCH_ATTRIB, rel);
        }
        goto out;
    }
    if (ev->mask & IN_MODIFY)
        w->cb(w->arg, WATCH_MODIFY, rel);
    if (ev->mask & IN_ATTRIB)
        w->cb(w->arg, WATCH_ATTRIB, rel);
    if (ev->mask & IN_CLOSE_WRITE)
        w->cb(w->arg, WATCH_CLOSE_WRITE, rel);
    if (ev->mask & IN_MOVED_FROM)
        w->cb(w->arg, WATCH_MOVED_FROM, rel);
    if (ev->mask & IN_MOVED_TO)
        w->cb(w->arg, WATCH_MOVED_TO, rel);
    if (ev->mask & IN_DELETE)
        w->cb(w->arg, WATCH_DELETE, rel);
out:
    free(rel);
}

static void inotify_cb(struct loop *loop, int fd, uint32_t events, void *arg)
{
    alignas(struct inotify_event) char buf[65536];
    struct watch *w = arg;

    (void)loop;
    (void)events;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));

        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN)
                log_warn("inotify read: %s", strerror(errno));
            return;
        }
        if (n == 0)
            return;
        for (ssize_t off = 0; off < n;) {
            const struct inotify_event *ev =
                (const struct inotify_event *)(const void *)(buf + off);

            handle_event(w, ev);
            off += (ssize_t)(sizeof(*ev) + ev->len);
        }
    }
}

int watch_new(struct loop *loop, const char *root, watch_cb cb, void *arg,
              struct watch **out)
{
    struct watch *w = xcalloc(1, sizeof(*w));
    struct stat st;
    int rc;

    w->loop = loop;
    w->root = xstrdup(root);
    w->cb = cb;
    w->arg = arg;
    list_init(&w->dirs);
    w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->fd < 0) {
        rc = -errno;
        goto fail;
    }
    if (stat(root, &st) < 0) {
        rc = -errno;
        goto fail;
    }
    if (!S_ISDIR(st.st_mode)) {
        rc = -ENOTDIR;
        goto fail;
    }
    rc = add_tree(w, "", false);
    if (rc < 0)
        goto fail;
    if (list_is_empty(&w->dirs)) {
        rc = -ENOENT; /* the root vanished under us */
        goto fail;
    }
    rc = loop_add_fd(loop, w->fd, EPOLLIN, inotify_cb, w);
    if (rc < 0)
        goto fail;
    *out = w;
    return 0;
fail:
    if (w->fd >= 0) {
        close(w->fd);
        w->fd = -1;
    }
    watch_free(w);
    return rc;
}

void watch_free(struct watch *w)
{
    struct list *pos, *tmp;

    if (!w)
        return;
    if (w->fd >= 0) {
        /* Not registered if watch_new failed before loop_add_fd. */
        (void)loop_del_fd(w->loop, w->fd);
        close(w->fd); /* drops every watch */
    }
    list_for_each_safe(pos, tmp, &w->dirs) {
        dir_free(list_entry(pos, struct watch_dir, link));
    }
    free(w->root);
    free(w);
}
