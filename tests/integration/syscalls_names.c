/*
 * Syscall cases on names (see syscalls.c): rename and its flags, folders,
 * hard links, long listings, extended attributes, unusual names and
 * symlinks, compared with a local disk; then the cases where the mount
 * differs from a disk by design, checked on the mount alone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "tests/integration/syscalls.h"

#define MANY 1000

static void rename_flags(struct trace *t, const char *dir)
{
    struct stat st;

    (void)dir;
    RC(t, put("one", "1"));
    RC(t, put("two", "2"));
    RC(t, renameat2(AT_FDCWD, "one", AT_FDCWD, "two", RENAME_NOREPLACE));
    RC(t, renameat2(AT_FDCWD, "one", AT_FDCWD, "new", RENAME_NOREPLACE));
    RC(t, renameat2(AT_FDCWD, "new", AT_FDCWD, "two", RENAME_EXCHANGE));
    contents(t, "new");
    contents(t, "two");
    RC(t, renameat2(AT_FDCWD, "new", AT_FDCWD, "none", RENAME_EXCHANGE));
    RC(t, renameat2(AT_FDCWD, "new", AT_FDCWD, "two",
                    RENAME_EXCHANGE | RENAME_NOREPLACE));
    RC(t, renameat2(AT_FDCWD, "new", AT_FDCWD, "two", 0x100));
    /* A folder and a file swap places. */
    RC(t, mkdir("d", 0755));
    RC(t, put("d/in", "i"));
    RC(t, renameat2(AT_FDCWD, "d", AT_FDCWD, "two", RENAME_EXCHANGE));
    RC(t, stat("two", &st));
    note(t, "two-is-dir=%d", S_ISDIR(st.st_mode));
    contents(t, "two/in");
    contents(t, "d");
}

static void rename_over(struct trace *t, const char *dir)
{
    ino_t ino;

    (void)dir;
    RC(t, put("a", "A"));
    RC(t, put("b", "B"));
    ino = ino_of("a");
    RC(t, rename("a", "b"));
    contents(t, "a");
    contents(t, "b");
    note(t, "inode-moves=%d", ino_of("b") == ino);
    RC(t, rename("b", "b")); /* onto itself: nothing */
    contents(t, "b");
    /* Folders: over an empty one, over a full one, file and folder mixed. */
    RC(t, mkdir("d1", 0755));
    RC(t, put("d1/f", "f"));
    RC(t, mkdir("empty", 0755));
    RC(t, rename("d1", "empty"));
    contents(t, "empty/f");
    RC(t, mkdir("d2", 0755));
    RC(t, rename("d2", "empty"));
    RC(t, rename("b", "empty"));
    RC(t, rename("d2", "b"));
    RC(t, rename("empty", "empty/f/x"));
    RC(t, rename("empty", "empty/sub")); /* into itself */
    RC(t, rename("missing", "x"));
    RC(t, rename("b", "nodir/b"));
    /* An open file keeps working after its name moves. */
    int fd = (int)RC(t, open("b", O_RDWR));
    RC(t, rename("b", "c"));
    VAL(t, write(fd, "more", 4));
    RC(t, close(fd));
    contents(t, "c");
}

static void folders(struct trace *t, const char *dir)
{
    (void)dir;
    RC(t, mkdir("d", 0755));
    RC(t, mkdir("d", 0755));
    RC(t, put("d/f", "x"));
    RC(t, rmdir("d"));
    RC(t, rmdir("d/f"));
    RC(t, unlink("d"));
    RC(t, rmdir("d/."));
    RC(t, mkdir("d/f/g", 0755));
    RC(t, unlink("d/f"));
    RC(t, rmdir("d"));
    RC(t, rmdir("d"));
    RC(t, mkdir("a/b", 0755));
}

static void hard_links(struct trace *t, const char *dir)
{
    struct stat a, b, a2;
    int fa, fb;
    char buf[16] = { 0 };

    (void)dir;
    RC(t, put("a", "first"));
    RC(t, link("a", "b"));
    RC(t, link("a", "b"));
    RC(t, stat("a", &a));
    RC(t, stat("b", &b));
    RC(t, stat("a", &a2));
    note(t, "nlink=%lu,%lu same-ino=%d stable-ino=%d",
         (unsigned long)a.st_nlink, (unsigned long)b.st_nlink,
         a.st_ino == b.st_ino, a.st_ino == a2.st_ino);
    /* A write through one name is read through the other. */
    fa = (int)RC(t, open("a", O_WRONLY));
    VAL(t, pwrite(fa, "FIRST", 5, 0));
    RC(t, close(fa));
    fb = (int)RC(t, open("b", O_RDONLY));
    VAL(t, pread(fb, buf, 5, 0));
    note(t, "via-b='%s'", buf);
    RC(t, close(fb));
    RC(t, unlink("a"));
    contents(t, "b");
    /* (b's st_nlink after unlinking a: see syscalls_design.c) */
    RC(t, stat("b", &b));
    note(t, "same-ino=%d", b.st_ino == a.st_ino);
    /* rename between two names of one file does nothing: both stay. */
    RC(t, link("b", "c"));
    RC(t, rename("b", "c"));
    RC(t, access("b", F_OK));
    RC(t, access("c", F_OK));
    RC(t, unlink("c"));
    RC(t, mkdir("d", 0755));
    RC(t, link("d", "d2")); /* no links to folders */
    RC(t, link("missing", "m"));
    RC(t, stat("b", &b));
    CHECK(t, b.st_ino == a.st_ino);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads the folder's names from its current position; returns the count. */
static size_t read_names(DIR *d, char **names, size_t max)
{
    struct dirent *e;
    size_t n = 0;

    while ((e = readdir(d)) && n < max) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[n++] = strdup(e->d_name);
    }
    return n;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
}

static void many_entries(struct trace *t, const char *dir)
{
    static char *all[MANY + 8], *rest[MANY + 8], *again[MANY + 8];
    size_t n, n_rest, n_again, bad = 0;
    long pos = -1;
    char name[32];
    DIR *d;

    (void)dir;
    for (int i = 0; i < MANY; i++) {
        snprintf(name, sizeof(name), "file-%04d.txt", i);
        if (put(name, "") != 0)
            bad++;
    }
    note(t, "create-failures=%zu", bad);
    d = opendir(".");
    if (!d) {
        check(t, false, "opendir");
        return;
    }
    n = read_names(d, all, MANY + 8);
    note(t, "listed=%zu", n);
    qsort(all, n, sizeof(*all), by_name);
    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "file-%04zu.txt", i);
        if (strcmp(all[i], name))
            bad++;
    }
    note(t, "wrong-names=%zu", bad);
    /* telldir half way, read the rest, seekdir back: the same rest. */
    rewinddir(d);
    for (int i = 0; i < MANY / 2 && readdir(d); i++)
        ;
    pos = telldir(d);
    n_rest = read_names(d, rest, MANY + 8);
    seekdir(d, pos);
    n_again = read_names(d, again, MANY + 8);
    bad = n_rest != n_again;
    for (size_t i = 0; !bad && i < n_rest; i++)
        bad = strcmp(rest[i], again[i]) != 0;
    note(t, "rest=%zu seekdir-same=%d", n_rest + MANY / 2 - 2, !bad);
    rewinddir(d);
    free_names(again, n_again);
    n_again = read_names(d, again, MANY + 8);
    note(t, "rewind=%zu", n_again);
    /* A rewind sees a name made since the listing began. */
    free_names(again, n_again);
    if (put("late.txt", "") != 0)
        check(t, false, "late.txt");
    rewinddir(d);
    n_again = read_names(d, again, MANY + 8);
    note(t, "after-create=%zu", n_again);
    closedir(d);
    free_names(all, n);
    free_names(rest, n_rest);
    free_names(again, n_again);
    CHECK(t, n == MANY);
}

static void xattrs(struct trace *t, const char *dir)
{
    char buf[256] = { 0 };

    (void)dir;
    RC(t, put("a", "x"));
    RC(t, setxattr("a", "user.one", "value", 5, 0));
    RC(t, setxattr("a", "user.one", "v", 1, XATTR_CREATE));
    RC(t, setxattr("a", "user.two", "v", 1, XATTR_REPLACE));
    RC(t, setxattr("a", "user.two", "", 0, XATTR_CREATE));
    VAL(t, getxattr("a", "user.one", buf, sizeof(buf)));
    note(t, "value='%s'", buf);
    VAL(t, getxattr("a", "user.one", NULL, 0));
    VAL(t, getxattr("a", "user.one", buf, 2));
    VAL(t, getxattr("a", "user.none", buf, sizeof(buf)));
    VAL(t, listxattr("a", NULL, 0));
    VAL(t, listxattr("a", buf, 3));
    VAL(t, listxattr("a", buf, sizeof(buf)));
    RC(t, removexattr("a", "user.one"));
    RC(t, removexattr("a", "user.one"));
    VAL(t, listxattr("a", buf, sizeof(buf)));
    RC(t, mkdir("d", 0755));
    RC(t, setxattr("d", "user.dir", "1", 1, 0));
    VAL(t, getxattr("d", "user.dir", buf, sizeof(buf)));
    RC(t, setxattr("a", "bogus.name", "1", 1, 0));
    RC(t, setxattr("a", "user.", "1", 1, 0));
}

static void names(struct trace *t, const char *dir)
{
    static const char *const odd[] = {
        "caf\xc3\xa9.txt",  /* é precomposed */
        "cafe\xcc\x81.txt", /* é combining: another name */
        "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e.txt", /* 日本語 */
        "\xf0\x9f\x8e\xac clip.txt",                /* emoji and a space */
        "two\nlines.txt",
        " leading and trailing ",
        "tab\there",
        "back\\slash:colon*star?\"<>|.txt",
        "-dash",
        "\xff\xfe not utf-8",
    };
    char n255[256], n256[257], u255[256];
    struct stat st;
    size_t found = 0;
    DIR *d;
    struct dirent *e;

    (void)dir;
    for (size_t i = 0; i < sizeof(odd) / sizeof(*odd); i++) {
        RC(t, put(odd[i], odd[i]));
        RC(t, stat(odd[i], &st));
    }
    memset(n255, 'x', 255);
    n255[255] = '\0';
    memset(n256, 'y', 256);
    n256[256] = '\0';
    /* 85 three-byte characters: 255 bytes. */
    for (int i = 0; i < 85; i++)
        memcpy(u255 + 3 * i, "\xe2\x82\xac", 3);
    u255[255] = '\0';
    RC(t, put(n255, "long"));
    RC(t, put(u255, "long"));
    RC(t, stat(n255, &st));
    RC(t, put(n256, "too long"));
    RC(t, mkdir(n256, 0755));
    RC(t, stat(n256, &st));
    RC(t, rename(n255, n256));
    RC(t, symlink("x", n256));
    d = opendir(".");
    while (d && (e = readdir(d))) {
        for (size_t i = 0; i < sizeof(odd) / sizeof(*odd); i++)
            found += strcmp(e->d_name, odd[i]) == 0;
        found += strcmp(e->d_name, n255) == 0 || strcmp(e->d_name, u255) == 0;
    }
    if (d)
        closedir(d);
    note(t, "listed=%zu", found);
    contents(t, "two\nlines.txt");
    RC(t, rename("two\nlines.txt", "\xe6\x97\xa5 2.txt"));
    contents(t, "\xe6\x97\xa5 2.txt");
    CHECK(t, found == sizeof(odd) / sizeof(*odd) + 2);
}

static const char *type_name(unsigned char type)
{
    switch (type) {
    case DT_DIR:
        return "dir";
    case DT_LNK:
        return "lnk";
    case DT_REG:
        return "reg";
    default:
        return "other";
    }
}

/* Notes the d_type readdir gives each entry (file managers rely on it). */
static void types(struct trace *t)
{
    char *list[32];
    size_t n = 0;
    struct dirent *e;
    DIR *d = opendir(".");

    while (d && (e = readdir(d)) && n < 32) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
            asprintf(&list[n], "%s:%s", e->d_name, type_name(e->d_type)) >= 0)
            n++;
    }
    if (d)
        closedir(d);
    qsort(list, n, sizeof(*list), by_name);
    for (size_t i = 0; i < n; i++) {
        note(t, "type(%s)", list[i]);
        free(list[i]);
    }
}

static void symlinks_inside(struct trace *t, const char *dir)
{
    char buf[PATH_MAX] = { 0 };
    struct stat st;
    DIR *d;
    int n = 0;

    (void)dir;
    RC(t, mkdir("sub", 0755));
    RC(t, put("sub/f", "target"));
    RC(t, symlink("sub/f", "lf"));
    RC(t, symlink("sub", "ld"));
    RC(t, symlink("../lf", "sub/up"));
    RC(t, symlink("dangling", "ldang"));
    VAL(t, readlink("lf", buf, sizeof(buf)));
    note(t, "target='%s'", buf);
    contents(t, "lf");
    contents(t, "sub/up");
    contents(t, "ld/f");
    RC(t, lstat("ld", &st));
    note(t, "ld-is-link=%d", S_ISLNK(st.st_mode));
    RC(t, stat("ld", &st));
    note(t, "ld-is-dir=%d", S_ISDIR(st.st_mode));
    d = opendir("ld");
    while (d && readdir(d))
        n++;
    if (d)
        closedir(d);
    note(t, "ld-lists=%d", n);
    RC(t, open("ldang", O_RDONLY));
    RC(t, open("lf", O_RDONLY | O_NOFOLLOW));
    RC(t, rmdir("ld"));           /* a link to a folder is not one */
    RC(t, open("ld/", O_RDONLY)); /* followed: the folder */
    RC(t, symlink("sub", "lf"));
    RC(t, rename("ld", "ld2"));
    RC(t, unlink("ld2")); /* removes the link, not the folder */
    contents(t, "sub/f");
    RC(t, link("lf", "hl")); /* a hard link to a symlink */
    RC(t, lstat("hl", &st));
    note(t, "hl-is-link=%d", S_ISLNK(st.st_mode));
    /* Emacs locks a file with a link whose target is not a path. */
    RC(t, symlink("root@host.1234:1700000000", ".#doc.txt"));
    memset(buf, 0, sizeof(buf));
    VAL(t, readlink(".#doc.txt", buf, sizeof(buf)));
    note(t, "lock='%s'", buf);
    types(t);
    RC(t, lchown("lf", 1234, 1234));
    RC(t, lstat("lf", &st));
    note(t, "lchown=%d:%d", (int)st.st_uid, (int)st.st_gid);
}

const struct syscase compared_name_cases[] = {
    { "rename flags: NOREPLACE, EXCHANGE, bad flags", rename_flags },
    { "rename over files and folders", rename_over },
    { "mkdir, rmdir, unlink of folders", folders },
    { "hard links: link count, inode, unlink one name", hard_links },
    { "1000 entries, telldir and seekdir", many_entries },
    { "user.* extended attributes", xattrs },
    { "unicode, 255-byte and odd names", names },
    { "symlinks inside the drop area", symlinks_inside },
    { NULL, NULL },
};
