/*
 * Unit tests for the file helpers (core/fsutil.c) on a temporary folder.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "tests/check.h"

/* A fresh temporary folder; the caller removes it with rm_tree. */
static char *make_tmpdir(void)
{
    char *dir = strdup("/tmp/i2vfs-test-fsutil.XXXXXX");

    if (!mkdtemp(dir)) {
        free(dir);
        return NULL;
    }
    return dir;
}

static void rm_tree(const char *path)
{
    char *cmd = NULL;

    if (asprintf(&cmd, "rm -rf '%s'", path) >= 0 && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", path);
    free(cmd);
}

/* Number of entries in dir other than . and .. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void atomic_write_replaces_and_leaves_no_temp(void)
{
    char *dir = make_tmpdir();
    char *path, *data = NULL;
    size_t size = 0;
    struct stat st;

    CHECK(dir != NULL);
    if (!dir)
        return;
    path = fsutil_join(dir, "rec.json");
    CHECK_INT_EQ(fsutil_write_atomic(path, "first version", 13), 0);
    CHECK_INT_EQ(fsutil_write_atomic(path, "second", 6), 0);
    CHECK_INT_EQ(fsutil_read_file(path, 1024, &data, &size), 0);
    CHECK_INT_EQ(size, 6);
    CHECK_STR_EQ(data, "second");
    free(data);
    CHECK_INT_EQ(count_entries(dir), 1);
    CHECK_INT_EQ(stat(path, &st), 0);
    CHECK_INT_EQ(st.st_mode & 0777, 0644);

    /* Into a folder that does not exist: fails, leaves nothing behind. */
    char *bad = fsutil_join(dir, "missing/rec.json");
    CHECK_INT_EQ(fsutil_write_atomic(bad, "x", 1), -ENOENT);
    CHECK_INT_EQ(count_entries(dir), 1);
    free(bad);

    /* Over a folder: rename fails and the temporary file is removed. */
    char *sub = fsutil_join(dir, "sub");
    CHECK_INT_EQ(mkdir(sub, 0755), 0);
    CHECK(fsutil_write_atomic(sub, "x", 1) < 0);
    CHECK_INT_EQ(count_entries(dir), 2);
    free(sub);

    free(path);
    rm_tree(dir);
    free(dir);
}

static void read_cap_gives_efbig(void)
{
    char *dir = make_tmpdir();
    char *path, *data = NULL;
    size_t size = 0;

    CHECK(dir != NULL);
    if (!dir)
        return;
    path = fsutil_join(dir, "ten");
    CHECK_INT_EQ(fsutil_write_atomic(path, "0123456789", 10), 0);
    CHECK_INT_EQ(fsutil_read_file(path, 9, &data, &size), -EFBIG);
    CHECK_INT_EQ(fsutil_read_file(path, 10, &data, &size), 0);
    CHECK_INT_EQ(size, 10);
    CHECK_STR_EQ(data, "0123456789");
    free(data);
    data = NULL;
    CHECK_INT_EQ(fsutil_read_file(path, (size_t)-1, &data, &size), 0);
    CHECK_INT_EQ(size, 10);
    free(data);
    free(path);

    /* Larger than the first buffer, to cover growth. */
    size_t big = 100000;
    char *blob = malloc(big);
    for (size_t i = 0; i < big; i++)
        blob[i] = (char)('a' + i % 26);
    path = fsutil_join(dir, "big");
    CHECK_INT_EQ(fsutil_write_atomic(path, blob, big), 0);
    data = NULL;
    CHECK_INT_EQ(fsutil_read_file(path, big, &data, &size), 0);
    CHECK_INT_EQ(size, big);
    CHECK(data && memcmp(data, blob, big) == 0 && data[big] == '\0');
    free(data);
    CHECK_INT_EQ(fsutil_read_file(path, big - 1, &data, &size), -EFBIG);
    free(blob);
    free(path);

    path = fsutil_join(dir, "absent");
    CHECK_INT_EQ(fsutil_read_file(path, 10, &data, &size), -ENOENT);
    free(path);
    rm_tree(dir);
    free(dir);
}

static void write_new_is_exclusive(void)
{
    char *dir = make_tmpdir();
    char *path, *data = NULL;
    size_t size = 0;

    CHECK(dir != NULL);
    if (!dir)
        return;
    path = fsutil_join(dir, "new");
    CHECK_INT_EQ(fsutil_write_new(path, "abc", 3), 0);
    CHECK_INT_EQ(fsutil_write_new(path, "xyz", 3), -EEXIST);
    CHECK_INT_EQ(fsutil_read_file(path, 100, &data, &size), 0);
    CHECK_STR_EQ(data, "abc");
    free(data);
    free(path);
    rm_tree(dir);
    free(dir);
}

static void mkdir_p_makes_parents(void)
{
    char *dir = make_tmpdir();
    char *deep, *file;
    struct stat st;

    CHECK(dir != NULL);
    if (!dir)
        return;
    deep = fsutil_join(dir, "a/b//c/");
    CHECK_INT_EQ(fsutil_mkdir_p(deep, 0755), 0);
    CHECK_INT_EQ(stat(deep, &st), 0);
    CHECK(S_ISDIR(st.st_mode));
    CHECK_INT_EQ(fsutil_mkdir_p(deep, 0755), 0); /* already there */
    file = fsutil_join(dir, "a/f");
    CHECK_INT_EQ(fsutil_write_new(file, "", 0), 0);
    CHECK_INT_EQ(fsutil_mkdir_p(file, 0755), -ENOTDIR);
    free(file);
    free(deep);
    rm_tree(dir);
    free(dir);
}

static void links_out_of_a_folder_are_seen(void)
{
    char *dir = make_tmpdir();
    char *store, *p;

    CHECK(dir != NULL);
    if (!dir)
        return;
    store = fsutil_join(dir, "store");
    p = fsutil_join(dir, "store/sub");
    CHECK_INT_EQ(fsutil_mkdir_p(p, 0755), 0);
    free(p);
    p = fsutil_join(dir, "store/sub/a.jpg");
    CHECK_INT_EQ(fsutil_write_new(p, "x", 1), 0);
    free(p);
    p = fsutil_join(dir, "secret");
    CHECK_INT_EQ(fsutil_write_new(p, "x", 1), 0);
    free(p);
    p = fsutil_join(dir, "store-sibling");
    CHECK_INT_EQ(fsutil_mkdir_p(p, 0755), 0);
    free(p);
    /* Links: inside, out to a file, out through a folder, to a sibling. */
    p = fsutil_join(dir, "store/sub/in.jpg");
    CHECK_INT_EQ(symlink("a.jpg", p), 0);
    CHECK_INT_EQ(fsutil_is_beneath(store, p), 1);
    free(p);
    p = fsutil_join(dir, "store/sub/out.jpg");
    CHECK_INT_EQ(symlink("../../secret", p), 0);
    CHECK_INT_EQ(fsutil_is_beneath(store, p), 0);
    free(p);
    p = fsutil_join(dir, "store/sub/etc");
    CHECK_INT_EQ(symlink("/etc", p), 0);
    free(p);
    p = fsutil_join(dir, "store/sub/etc/passwd");
    CHECK_INT_EQ(fsutil_is_beneath(store, p), 0);
    free(p);
    p = fsutil_join(dir, "store/sub/sib");
    CHECK_INT_EQ(symlink("../../store-sibling", p), 0);
    CHECK_INT_EQ(fsutil_is_beneath(store, p), 0);
    free(p);
    p = fsutil_join(dir, "store/sub/a.jpg");
    CHECK_INT_EQ(fsutil_is_beneath(store, p), 1);
    free(p);
    p = fsutil_join(dir, "store/sub/missing.jpg");
    CHECK_INT_EQ(fsutil_is_beneath(store, p), 1);
    free(p);
    free(store);
    rm_tree(dir);
    free(dir);
}

static void join_uses_one_slash(void)
{
    char *s;

    s = fsutil_join("a", "b");
    CHECK_STR_EQ(s, "a/b");
    free(s);
    s = fsutil_join("a/", "/b/c");
    CHECK_STR_EQ(s, "a/b/c");
    free(s);
    s = fsutil_join("/", "etc");
    CHECK_STR_EQ(s, "/etc");
    free(s);
    s = fsutil_join("", "x");
    CHECK_STR_EQ(s, "x");
    free(s);
    s = fsutil_join("dir", "");
    CHECK_STR_EQ(s, "dir");
    free(s);
}

CHECK_MAIN(CHECK_CASE(atomic_write_replaces_and_leaves_no_temp),
           CHECK_CASE(links_out_of_a_folder_are_seen),
           CHECK_CASE(read_cap_gives_efbig), CHECK_CASE(write_new_is_exclusive),
           CHECK_CASE(mkdir_p_makes_parents), CHECK_CASE(join_uses_one_slash))
