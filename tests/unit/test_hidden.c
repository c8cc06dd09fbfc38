/*
 * Unit tests for files libfuse hid (fs/hidden.c) on a temporary folder: a
 * folder holding only hidden files is purged so that rmdir works, and
 * whoever holds such a file open keeps using it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/hidden.h"
#include "tests/check.h"

static char root[] = "/tmp/i2vfs-test-hidden.XXXXXX";

static void put(const char *rel, const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static int open_root(void)
{
    return open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void names_are_recognised(void)
{
    CHECK(hidden_is_name(".fuse_hidden0000000100000002"));
    CHECK(!hidden_is_name("fuse_hidden01"));
    CHECK(!hidden_is_name(".fuse_hidde"));
    CHECK(!hidden_is_name("photo.jpg"));
}

static void a_folder_of_hidden_files_is_purged(void)
{
    int dir = open_root(), fd;
    char buf[8] = { 0 };

    CHECK_INT_EQ(mkdirat(dir, "d", 0755), 0);
    put("d/.fuse_hidden0001", "kept");
    put("d/.fuse_hidden0002", "x");
    fd = openat(dir, "d/.fuse_hidden0001", O_RDWR);
    CHECK(fd >= 0);
    CHECK_INT_EQ(hidden_purge(dir, "d"), 0);
    CHECK_INT_EQ(unlinkat(dir, "d", AT_REMOVEDIR), 0);
    /* The open file still reads and writes. */
    CHECK_INT_EQ(pwrite(fd, "!", 1, 4), 1);
    CHECK_INT_EQ(pread(fd, buf, sizeof(buf) - 1, 0), 5);
    CHECK_STR_EQ(buf, "kept!");
    close(fd);
    close(dir);
}

static void a_folder_with_visible_entries_is_left_alone(void)
{
    int dir = open_root();

    CHECK_INT_EQ(mkdirat(dir, "e", 0755), 0);
    put("e/.fuse_hidden0003", "h");
    put("e/visible.txt", "v");
    CHECK_INT_EQ(hidden_purge(dir, "e"), -ENOTEMPTY);
    CHECK_INT_EQ(faccessat(dir, "e/.fuse_hidden0003", F_OK, 0), 0);
    CHECK_INT_EQ(mkdirat(dir, "f", 0755), 0);
    CHECK_INT_EQ(mkdirat(dir, "f/sub", 0755), 0);
    CHECK_INT_EQ(hidden_purge(dir, "f"), -ENOTEMPTY);
    CHECK_INT_EQ(mkdirat(dir, "g", 0755), 0);
    CHECK_INT_EQ(hidden_purge(dir, "g"), 0); /* empty: nothing to do */
    CHECK_INT_EQ(hidden_purge(dir, "missing"), -ENOENT);
    close(dir);
}

/*
 * A killed mount leaves the files it hid (a replaced video still open in a
 * player, say) in the store for good; the next start sweeps them, at any
 * depth, and nothing else, and never through a symlink.
 */
static void a_sweep_removes_what_a_killed_mount_hid(void)
{
    int dir = open_root();

    CHECK_INT_EQ(mkdirat(dir, "s", 0755), 0);
    CHECK_INT_EQ(mkdirat(dir, "s/m", 0755), 0);
    CHECK_INT_EQ(mkdirat(dir, "s/m/out", 0755), 0);
    CHECK_INT_EQ(mkdirat(dir, "s/m/out/.fuse_hidden0007", 0755), 0);
    put("s/m/out/.fuse_hidden000000b200000001", "old video");
    put("s/m/out/img.mp4", "video");
    put("s/m/.fuse_hidden0008", "deleted drop");
    put("s/m/photo.jpg", "photo");
    CHECK_INT_EQ(mkdirat(dir, "t", 0755), 0);
    put("t/.fuse_hidden0009", "outside the store");
    CHECK_INT_EQ(symlinkat("../../t", dir, "s/m/link"), 0);
    {
        char path[512];

        snprintf(path, sizeof(path), "%s/s", root);
        CHECK_INT_EQ(hidden_sweep(path), 2);
    }
    CHECK(faccessat(dir, "s/m/out/.fuse_hidden000000b200000001", F_OK,
                    AT_SYMLINK_NOFOLLOW) != 0);
    CHECK(faccessat(dir, "s/m/.fuse_hidden0008", F_OK, AT_SYMLINK_NOFOLLOW) !=
          0);
    CHECK_INT_EQ(faccessat(dir, "s/m/out/img.mp4", F_OK, 0), 0);
    CHECK_INT_EQ(faccessat(dir, "s/m/photo.jpg", F_OK, 0), 0);
    CHECK_INT_EQ(faccessat(dir, "s/m/out/.fuse_hidden0007", F_OK, 0), 0);
    CHECK_INT_EQ(faccessat(dir, "t/.fuse_hidden0009", F_OK, 0), 0);
    CHECK_INT_EQ(hidden_sweep("/nonexistent-i2vfs-sweep"), -ENOENT);
    close(dir);
}

int main(void)
{
    static const struct check_case cases[] = {
        CHECK_CASE(names_are_recognised),
        CHECK_CASE(a_folder_of_hidden_files_is_purged),
        CHECK_CASE(a_folder_with_visible_entries_is_left_alone),
        CHECK_CASE(a_sweep_removes_what_a_killed_mount_hid),
        { NULL, NULL },
    };
    char cmd[128];
    int res;

    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 1;
    }
    res = check_run(cases);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", root);
    return res;
}
