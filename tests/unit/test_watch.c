/*
 * Unit tests for the recursive inotify watches (core/watch.c) on a
 * temporary folder, driven by a real loop. Every wait has a deadline.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/loop.h"
#include "core/watch.h"
#include "tests/check.h"

#define DEADLINE_MS 5000
#define MAX_SEEN    4096

struct seen {
    enum watch_kind kind;
    char path[256];
};

static struct {
    struct loop *loop;
    char *root;
    struct seen log[MAX_SEEN];
    int count;
    /* What wait_for waits for. */
    enum watch_kind want_kind;
    const char *want_path;
    bool is_found;
} t;

static void watch_test_cb(void *arg, enum watch_kind kind, const char *relpath)
{
    (void)arg;
    if (t.count < MAX_SEEN) {
        t.log[t.count].kind = kind;
        snprintf(t.log[t.count].path, sizeof(t.log[t.count].path), "%s",
                 relpath);
        t.count++;
    }
    if (!t.is_found && t.want_path && kind == t.want_kind &&
        strcmp(relpath, t.want_path) == 0) {
        t.is_found = true;
        loop_stop(t.loop);
    }
}

static void deadline_cb(struct loop *loop, void *arg)
{
    (void)arg;
    loop_stop(loop);
}

/* Runs the loop until (kind, path) is reported; false after the deadline. */
static bool wait_for(enum watch_kind kind, const char *path)
{
    uint64_t dog;

    /* Already seen since the last wait? */
    for (int i = 0; i < t.count; i++)
        if (t.log[i].kind == kind && strcmp(t.log[i].path, path) == 0)
            return true;
    t.want_kind = kind;
    t.want_path = path;
    t.is_found = false;
    dog = loop_timer_add(t.loop, DEADLINE_MS, deadline_cb, NULL);
    loop_run(t.loop);
    loop_timer_cancel(t.loop, dog);
    t.want_path = NULL;
    if (!t.is_found)
        fprintf(stderr, "no event %d for \"%s\" within %d ms\n", (int)kind,
                path, DEADLINE_MS);
    return t.is_found;
}

/* Index of the first (kind, path) in the log, or -1. */
static int seen_at(enum watch_kind kind, const char *path)
{
    for (int i = 0; i < t.count; i++)
        if (t.log[i].kind == kind && strcmp(t.log[i].path, path) == 0)
            return i;
    return -1;
}

static void reset_log(void)
{
    t.count = 0;
}

/* Writes a small file at root/rel. */
static bool put(const char *rel, const char *text)
{
    char *path = fsutil_join(t.root, rel);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    bool ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);

    if (fd >= 0)
        close(fd);
    free(path);
    return ok;
}

static int mkdir_in(const char *rel)
{
    char *path = fsutil_join(t.root, rel);
    int rc = fsutil_mkdir_p(path, 0755);

    free(path);
    return rc;
}

static int rename_in(const char *from, const char *to)
{
    char *a = fsutil_join(t.root, from), *b = fsutil_join(t.root, to);
    int rc = rename(a, b) < 0 ? -errno : 0;

    free(a);
    free(b);
    return rc;
}

static void rm_tree(const char *path)
{
    char *cmd = NULL;

    if (asprintf(&cmd, "rm -rf '%s'", path) >= 0 && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", path);
    free(cmd);
}

/* A temporary root with "a/" and ".i2vfs/" already there, being watched. */
static struct watch *setup(void)
{
    char tmpl[] = "/tmp/i2vfs-test-watch.XXXXXX";
    struct watch *w = NULL;

    memset(&t, 0, sizeof(t));
    if (!mkdtemp(tmpl))
        return NULL;
    t.root = strdup(tmpl);
    CHECK_INT_EQ(loop_new(&t.loop), 0);
    CHECK_INT_EQ(mkdir_in("a/deep"), 0);
    CHECK_INT_EQ(mkdir_in(".i2vfs/jobs"), 0);
    CHECK_INT_EQ(watch_new(t.loop, t.root, watch_test_cb, NULL, &w), 0);
    return w;
}

static void teardown(struct watch *w)
{
    watch_free(w);
    loop_free(t.loop);
    if (t.root)
        rm_tree(t.root);
    free(t.root);
    t.root = NULL;
}

static void files_in_existing_folders(void)
{
    struct watch *w = setup();

    CHECK(w != NULL);
    if (!w)
        goto out;
    CHECK(put("top.jpg", "1"));
    CHECK(wait_for(WATCH_CLOSE_WRITE, "top.jpg"));
    CHECK(put("a/deep/x.jpg", "12"));
    CHECK(wait_for(WATCH_CLOSE_WRITE, "a/deep/x.jpg"));
    CHECK(seen_at(WATCH_MODIFY, "a/deep/x.jpg") >= 0);
    CHECK(seen_at(WATCH_MODIFY, "a/deep/x.jpg") <
          seen_at(WATCH_CLOSE_WRITE, "a/deep/x.jpg"));

    CHECK_INT_EQ(rename_in("a/deep/x.jpg", "a/x2.jpg"), 0);
    CHECK(wait_for(WATCH_MOVED_TO, "a/x2.jpg"));
    CHECK(seen_at(WATCH_MOVED_FROM, "a/deep/x.jpg") >= 0);

    char *p = fsutil_join(t.root, "a/x2.jpg");
    CHECK_INT_EQ(chmod(p, 0600), 0);
    CHECK(wait_for(WATCH_ATTRIB, "a/x2.jpg"));
    CHECK_INT_EQ(unlink(p), 0);
    CHECK(wait_for(WATCH_DELETE, "a/x2.jpg"));
    free(p);
out:
    teardown(w);
}

static void private_folder_is_silent(void)
{
    struct watch *w = setup();

    CHECK(w != NULL);
    if (!w)
        goto out;
    CHECK(put(".i2vfs/jobs/state.json", "{}"));
    CHECK(put(".i2vfs/top", "x"));
    CHECK_INT_EQ(mkdir_in(".i2vfs/new"), 0);
    CHECK(put("marker", "m"));
    CHECK(wait_for(WATCH_CLOSE_WRITE, "marker"));
    for (int i = 0; i < t.count; i++)
        CHECK(strncmp(t.log[i].path, ".i2vfs", 6) != 0);
    /* Only at the root: a folder of that name deeper down is watched. */
    CHECK_INT_EQ(mkdir_in("a/.i2vfs"), 0);
    CHECK(wait_for(WATCH_DIR_CREATED, "a/.i2vfs"));
out:
    teardown(w);
}

/* True when some event since the last reset has a path under prefix. */
static bool seen_under(const char *prefix)
{
    size_t n = strlen(prefix);

    for (int i = 0; i < t.count; i++)
        if (strncmp(t.log[i].path, prefix, n) == 0 &&
            (t.log[i].path[n] == '\0' || t.log[i].path[n] == '/'))
            return true;
    return false;
}

static void new_folders_are_watched(void)
{
    struct watch *w = setup();
    char *outside = NULL, *path = NULL, *from = NULL;

    CHECK(w != NULL);
    if (!w)
        goto out;
    CHECK_INT_EQ(mkdir_in("b"), 0);
    CHECK(wait_for(WATCH_DIR_CREATED, "b"));
    CHECK(put("b/y.png", "y"));
    CHECK(wait_for(WATCH_CLOSE_WRITE, "b/y.png"));

    /* A tree built outside and moved in: every folder reported, in order. */
    CHECK(asprintf(&outside, "%s.outside", t.root) > 0);
    path = fsutil_join(outside, "c/d/e");
    CHECK_INT_EQ(fsutil_mkdir_p(path, 0755), 0);
    free(path);
    path = fsutil_join(outside, "c/d/e/old.jpg");
    CHECK_INT_EQ(fsutil_write_new(path, "o", 1), 0);
    free(path);
    from = fsutil_join(outside, "c");
    path = fsutil_join(t.root, "c");
    CHECK_INT_EQ(rename(from, path), 0);
    CHECK(wait_for(WATCH_DIR_CREATED, "c/d/e"));
    CHECK(seen_at(WATCH_DIR_CREATED, "c") >= 0);
    CHECK(seen_at(WATCH_DIR_CREATED, "c") < seen_at(WATCH_DIR_CREATED, "c/d"));
    CHECK(seen_at(WATCH_DIR_CREATED, "c/d") <
          seen_at(WATCH_DIR_CREATED, "c/d/e"));
    CHECK(put("c/d/e/new.jpg", "n"));
    CHECK(wait_for(WATCH_CLOSE_WRITE, "c/d/e/new.jpg"));

    /* Renamed inside the tree: the new paths are reported, not the old. */
    reset_log();
    CHECK_INT_EQ(rename_in("c", "c2"), 0);
    CHECK(wait_for(WATCH_DIR_CREATED, "c2/d/e"));
    CHECK(seen_at(WATCH_DIR_GONE, "c") >= 0);
    CHECK(put("c2/d/f.jpg", "f"));
    CHECK(wait_for(WATCH_CLOSE_WRITE, "c2/d/f.jpg"));
    CHECK(!seen_under("c/d"));

    /* Moved out of the tree: gone, and silent afterwards. */
    free(path);
    free(from);
    from = fsutil_join(t.root, "c2");
    path = fsutil_join(outside, "away");
    CHECK_INT_EQ(rename(from, path), 0);
    CHECK(wait_for(WATCH_DIR_GONE, "c2"));
    free(path);
    path = fsutil_join(outside, "away/d/later.jpg");
    CHECK_INT_EQ(fsutil_write_new(path, "l", 1), 0);
    reset_log();
    CHECK(put("marker", "m"));
    CHECK(wait_for(WATCH_CLOSE_WRITE, "marker"));
    CHECK(!seen_under("c2"));
    CHECK(!seen_under("away"));

    /* Deleted. */
    free(path);
    path = fsutil_join(t.root, "b");
    rm_tree(path);
    CHECK(wait_for(WATCH_DIR_GONE, "b"));
    CHECK(seen_at(WATCH_DELETE, "b/y.png") >= 0);
out:
    if (outside)
        rm_tree(outside);
    free(outside);
    free(path);
    free(from);
    teardown(w);
}

/* Reads /proc's limit on queued events; 16384 when unreadable. */
static int max_queued_events(void)
{
    FILE *f = fopen("/proc/sys/fs/inotify/max_queued_events", "r");
    int n = 16384;

    if (f) {
        if (fscanf(f, "%d", &n) != 1)
            n = 16384;
        fclose(f);
    }
    return n;
}

static void overflow_is_reported_and_watching_goes_on(void)
{
    struct watch *w = setup();
    char *p1 = NULL, *p2 = NULL;
    int limit = max_queued_events();

    CHECK(w != NULL);
    if (!w)
        goto out;
    if (limit > 1000000) {
        fprintf(stderr, "skipped: max_queued_events is %d\n", limit);
        goto out;
    }
    CHECK(put("a/one", "1"));
    CHECK(put("a/two", "2"));
    p1 = fsutil_join(t.root, "a/one");
    p2 = fsutil_join(t.root, "a/two");
    /* Alternate files so the kernel cannot merge repeated events. */
    for (int i = 0; i < limit + 10; i++)
        if (chmod(i % 2 ? p1 : p2, i % 4 < 2 ? 0600 : 0644) < 0)
            break;
    CHECK(wait_for(WATCH_OVERFLOW, ""));
    reset_log();
    CHECK_INT_EQ(mkdir_in("a/deep/after"), 0);
    CHECK(wait_for(WATCH_DIR_CREATED, "a/deep/after"));
    CHECK(put("a/deep/after/x", "x"));
    CHECK(wait_for(WATCH_CLOSE_WRITE, "a/deep/after/x"));
out:
    free(p1);
    free(p2);
    teardown(w);
}

static void bad_roots_fail(void)
{
    struct loop *loop = NULL;
    struct watch *w = NULL;

    CHECK_INT_EQ(loop_new(&loop), 0);
    CHECK_INT_EQ(watch_new(loop, "/nonexistent/i2vfs", watch_test_cb, NULL, &w),
                 -ENOENT);
    CHECK_INT_EQ(watch_new(loop, "/dev/null", watch_test_cb, NULL, &w),
                 -ENOTDIR);
    CHECK(w == NULL);
    watch_free(NULL);
    loop_free(loop);
}

CHECK_MAIN(CHECK_CASE(files_in_existing_folders),
           CHECK_CASE(private_folder_is_silent),
           CHECK_CASE(new_folders_are_watched),
           CHECK_CASE(overflow_is_reported_and_watching_goes_on),
           CHECK_CASE(bad_roots_fail))
