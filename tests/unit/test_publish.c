/*
 * Unit tests for the publisher thread (jobs/publish.c), without a mount.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/mem.h"
#include "jobs/publish.h"
#include "tests/check.h"

/* A store with the model folder a job lives in (engine_new makes these). */
static char *make_store(void)
{
    char tmpl[] = "/tmp/i2vfs-publish-XXXXXX";

    CHECK(mkdtemp(tmpl) != NULL);
    char *model = fsutil_join(tmpl, "local/kenburns");
    CHECK_INT_EQ(fsutil_mkdir_p(model, 0755), 0);
    free(model);
    return xstrdup(tmpl);
}

static void stage(struct publisher *pub, const char *name, const char *text)
{
    char *path = fsutil_join(publisher_staging_dir(pub), name);

    CHECK_INT_EQ(fsutil_write_new(path, text, strlen(text)), 0);
    free(path);
}

static bool exists(const char *store, const char *rel)
{
    char *path = fsutil_join(store, rel);
    struct stat st;
    bool found = stat(path, &st) == 0;

    free(path);
    return found;
}

static void renames_in_order_into_new_out_folder(void)
{
    char *store = make_store();
    struct publisher *pub = NULL;

    CHECK_INT_EQ(publisher_new(store, &pub), 0);
    CHECK(publisher_tid(pub) > 0);
    CHECK(publisher_tid(pub) != getpid());
    stage(pub, "a.tmp", "first");
    stage(pub, "b.tmp", "second");
    publisher_submit(pub, "a.tmp", "local/kenburns/out/photo.json");
    publisher_submit(pub, "b.tmp", "local/kenburns/out/photo.json");
    publisher_flush(pub);

    char *path = fsutil_join(store, "local/kenburns/out/photo.json");
    char *data = NULL;
    size_t size = 0;
    CHECK_INT_EQ(fsutil_read_file(path, 100, &data, &size), 0);
    CHECK_STR_EQ(data, "second");
    CHECK(!exists(store, ".i2vfs/staging/a.tmp"));
    free(data);
    free(path);

    publisher_remove(pub, "local/kenburns/out/photo.json");
    publisher_flush(pub);
    CHECK(!exists(store, "local/kenburns/out/photo.json"));
    publisher_free(pub);
    free(store);
}

static int invalidations;

static void count_invalidation(void *arg, const char *rel)
{
    (void)arg;
    if (strcmp(rel, "local/kenburns/out/x.mp4") == 0)
        invalidations++;
}

static void unreachable_mount_falls_back_to_store(void)
{
    char *store = make_store();
    struct publisher *pub = NULL;

    CHECK_INT_EQ(publisher_new(store, &pub), 0);
    publisher_set_mount(pub, "/nonexistent/i2vfs-mount", count_invalidation,
                        NULL);
    stage(pub, "x.tmp", "video");
    publisher_submit(pub, "x.tmp", "local/kenburns/out/x.mp4");
    publisher_flush(pub);
    CHECK(exists(store, "local/kenburns/out/x.mp4"));
    CHECK_INT_EQ(invalidations, 1);
    publisher_free(pub);
    free(store);
}

static void moved_folder_is_not_recreated(void)
{
    char *store = make_store();
    struct publisher *pub = NULL;

    CHECK_INT_EQ(publisher_new(store, &pub), 0);
    stage(pub, "late.tmp", "video");
    /* The user renamed the job's folder while it ran. */
    publisher_submit(pub, "late.tmp", "local/kenburns/trip/out/photo.mp4");
    publisher_flush(pub);
    CHECK(!exists(store, "local/kenburns/trip"));
    CHECK(!exists(store, ".i2vfs/staging/late.tmp"));
    publisher_free(pub);
    free(store);
}

CHECK_MAIN(CHECK_CASE(moved_folder_is_not_recreated),
           CHECK_CASE(renames_in_order_into_new_out_folder),
           CHECK_CASE(unreachable_mount_falls_back_to_store))
