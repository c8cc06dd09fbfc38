/*
 * Syscall cases where the mount differs from a local disk on purpose
 * (README.md, "Behaving like a disk"), checked on the mount alone; each
 * says why. See syscalls.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "tests/integration/syscalls.h"

/* Did call fail with want? Notes it either way. */
#define FAILS_WITH(t, call, want) \
    check((t), rc((t), #call, (long)(call)) < 0 && errno == (want), #want)

/*
 * A whiteout is a character device (0, 0), and the drop area holds no
 * device nodes: the mount refuses RENAME_WHITEOUT with EINVAL, as a
 * filesystem without whiteouts does (a disk, for root, makes one).
 */
static void no_whiteout(struct trace *t, const char *dir)
{
    (void)dir;
    RC(t, put("a", "A"));
    RC(t, put("b", "B"));
    FAILS_WITH(t, renameat2(AT_FDCWD, "a", AT_FDCWD, "b", RENAME_WHITEOUT),
               EINVAL);
    FAILS_WITH(t, renameat2(AT_FDCWD, "a", AT_FDCWD, "c", RENAME_WHITEOUT),
               EINVAL);
    FAILS_WITH(t, mknod("dev", S_IFCHR | 0600, makedev(1, 3)), EPERM);
    FAILS_WITH(t, mknod("wh", S_IFCHR | 0600, makedev(0, 0)), EPERM);
    RC(t, mknod("fifo", S_IFIFO | 0600, 0));
    contents(t, "a");
    contents(t, "b");
    check(t, access("c", F_OK) != 0, "no c");
}

/*
 * Only user.* attributes are kept (Samba's macOS metadata lives there);
 * trusted.* and security.* are refused with ENOTSUP even for root, who
 * could set them on a disk: they would give the store's files powers.
 */
static void only_user_xattrs(struct trace *t, const char *dir)
{
    char buf[64];

    (void)dir;
    RC(t, put("a", "x"));
    FAILS_WITH(t, setxattr("a", "trusted.x", "1", 1, 0), ENOTSUP);
    FAILS_WITH(t, setxattr("a", "security.x", "1", 1, 0), ENOTSUP);
    FAILS_WITH(t, getxattr("a", "trusted.x", buf, sizeof(buf)), ENOTSUP);
    FAILS_WITH(t, removexattr("a", "trusted.x"), ENOTSUP);
    RC(t, setxattr("a", "user.x", "1", 1, 0));
    check(t, listxattr("a", buf, sizeof(buf)) == 7, "only user.x listed");
}

/*
 * Symlinks stay inside the store whatever they are combined with: an
 * absolute target, one that climbs out, one that climbs back out of
 * another link (lexically inside, really outside), one to the store's root
 * or its private folder are refused with EPERM. A disk takes them all.
 */
static void symlinks_stay_inside(struct trace *t, const char *dir)
{
    char up[PATH_MAX] = "";
    int depth = 0;

    /* From this folder up to the store's root: dir is
     * .../local/kenburns/sys/case */
    for (const char *p = strstr(dir, "/local/"); p && *p; p++)
        depth += *p == '/';
    for (int i = 0; i < depth; i++)
        strcat(up, "../");
    note(t, "depth=%d", depth);
    FAILS_WITH(t, symlink("/etc/passwd", "abs"), EPERM);
    FAILS_WITH(t, symlink("/", "root"), EPERM);
    FAILS_WITH(t, symlink("../../../../../../../../../../etc", "climb"), EPERM);
    RC(t, symlink("../..", "up2"));
    FAILS_WITH(t, symlink("up2/../../../..", "through"), EPERM);
    FAILS_WITH(t, symlink("x/../../../../../etc", "through2"), EPERM);
    FAILS_WITH(t, symlink(up, "storeroot"), EPERM);
    strcat(up, ".i2vfs");
    FAILS_WITH(t, symlink(up, "private"), EPERM);
    FAILS_WITH(t, symlink("", "empty"), ENOENT);
    RC(t, symlink("./a/./b", "dots"));
    RC(t, symlink("../../sys", "sibling"));
    check(t, access("through", F_OK) != 0 && access("abs", F_OK) != 0,
          "the refused links do not exist");
}

/*
 * Between two model folders, rename and link fail with EXDEV, as between
 * two disks: mv and file managers fall back to copy and delete.
 */
static void models_are_devices(struct trace *t, const char *dir)
{
    char there[PATH_MAX];

    (void)dir;
    if (!other_model) {
        printf("# skip EXDEV on the mount: it has one model folder (the "
               "rule is unit-tested in test_policy)\n");
        return;
    }
    snprintf(there, sizeof(there), "%s/syscalls-exdev.txt", other_model);
    RC(t, put("a", "x"));
    FAILS_WITH(t, link("a", there), EXDEV);
    FAILS_WITH(t, rename("a", there), EXDEV);
    RC(t, mkdir("d", 0755));
    FAILS_WITH(t, rename("d", there), EXDEV);
    check(t, access(there, F_OK) != 0, "nothing arrived in the other model");
    contents(t, "a");
}

/*
 * Hard links work within a model, but each name is its own file to the
 * kernel (libfuse's path-based API): a file kept open through one name
 * sees a write made through the other, and a name's st_nlink an unlink
 * of the other, once its cached attributes expire (1 s), as for any change
 * made in the store; a disk shows both at once.
 */
static void hard_link_open_elsewhere(struct trace *t, const char *dir)
{
    char buf[8] = { 0 };
    int fa, fb, waited_ms = 0;
    struct stat st;

    (void)dir;
    RC(t, put("a", "first"));
    RC(t, link("a", "b"));
    fb = (int)RC(t, open("b", O_RDONLY));
    VAL(t, pread(fb, buf, 5, 0));
    fa = (int)RC(t, open("a", O_WRONLY));
    VAL(t, pwrite(fa, "FIRST", 5, 0));
    RC(t, close(fa));
    while (pread(fb, buf, 5, 0) == 5 && strcmp(buf, "FIRST") != 0 &&
           waited_ms < 3000) {
        usleep(50 * 1000);
        waited_ms += 50;
    }
    note(t, "via-b='%s' after %d ms", buf, waited_ms);
    check(t, strcmp(buf, "FIRST") == 0 && waited_ms <= 2000,
          "seen within the attribute timeout");
    RC(t, close(fb));
    RC(t, stat("b", &st));
    RC(t, unlink("a"));
    for (waited_ms = 0;
         stat("b", &st) == 0 && st.st_nlink != 1 && waited_ms < 3000;
         waited_ms += 50)
        usleep(50 * 1000);
    note(t, "nlink=%lu after %d ms", (unsigned long)st.st_nlink, waited_ms);
    check(t, st.st_nlink == 1 && waited_ms <= 2000,
          "st_nlink follows within the attribute timeout");
}

/*
 * libfuse's high-level API has no O_TMPFILE: the mount answers EOPNOTSUPP,
 * on which glibc's tmpfile(), systemd and editors fall back to a named
 * temporary file.
 */
static void no_o_tmpfile(struct trace *t, const char *dir)
{
    (void)dir;
    FAILS_WITH(t, open(".", O_TMPFILE | O_RDWR, 0644), EOPNOTSUPP);
}

/*
 * A path-based API has no path for a removed folder, nor for the files
 * still open in it: fstat and fchmod on them answer ESTALE (a disk answers
 * with st_nlink 0), while reads and writes through the open file go on.
 * The alternative, refusing the rmdir with ENOTEMPTY while the folder
 * looks empty, would be the worse surprise for rm -rf and file managers.
 */
static void removed_folder_held_open(struct trace *t, const char *dir)
{
    struct stat st;
    char buf[8] = { 0 };
    int dfd, fd;

    (void)dir;
    RC(t, mkdir("e", 0755));
    dfd = (int)RC(t, open("e", O_RDONLY | O_DIRECTORY));
    RC(t, rmdir("e"));
    FAILS_WITH(t, fstat(dfd, &st), ESTALE);
    FAILS_WITH(t, openat(dfd, "new", O_WRONLY | O_CREAT, 0644), ENOENT);
    RC(t, close(dfd));
    RC(t, mkdir("d", 0755));
    RC(t, put("d/f", "kept"));
    fd = (int)RC(t, open("d/f", O_RDWR));
    RC(t, unlink("d/f"));
    RC(t, rmdir("d"));
    check(t, pwrite(fd, "!", 1, 4) == 1, "pwrite works");
    check(t, pread(fd, buf, 5, 0) == 5 && strcmp(buf, "kept!") == 0,
          "pread works");
    FAILS_WITH(t, fstat(fd, &st), ESTALE);
    RC(t, close(fd));
}

/*
 * libfuse 3.14's high-level API has no statx: the mount gives the basic
 * fields but no birth time (file managers show "Created: unknown").
 */
static void no_birth_time(struct trace *t, const char *dir)
{
    struct statx stx;

    (void)dir;
    RC(t, put("a", "x"));
    RC(t, statx(AT_FDCWD, "a", 0, STATX_BASIC_STATS | STATX_BTIME, &stx));
    check(t, (stx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS,
          "basic fields");
    check(t, !(stx.stx_mask & STATX_BTIME), "no birth time");
}

/*
 * out/ belongs to i2vfs: users cannot make a folder named out, rename one
 * into it, or write in an existing one (README.md, "Behaving like a disk").
 */
static void out_is_reserved(struct trace *t, const char *dir)
{
    (void)dir;
    RC(t, mkdir("d", 0755));
    FAILS_WITH(t, mkdir("out", 0755), EACCES);
    FAILS_WITH(t, rename("d", "out"), EACCES);
    FAILS_WITH(t, symlink("d", "out"), EACCES);
    RC(t, put("a", "x"));
    FAILS_WITH(t, rename("a", "out"), EACCES);
    FAILS_WITH(t, link("a", "out"), EACCES);
}

const struct syscase designed_cases[] = {
    { "by design: RENAME_WHITEOUT and device nodes refused", no_whiteout },
    { "by design: only user.* extended attributes", only_user_xattrs },
    { "by design: symlinks never lead out of the store", symlinks_stay_inside },
    { "by design: EXDEV between two model folders", models_are_devices },
    { "by design: users cannot make out/", out_is_reserved },
    { "by design: a hard link's other name follows changes within 1 s",
      hard_link_open_elsewhere },
    { "by design: O_TMPFILE is not supported (EOPNOTSUPP)", no_o_tmpfile },
    { "by design: statx has no birth time", no_birth_time },
    { "by design: fstat in a removed folder held open is ESTALE",
      removed_folder_held_open },
    { NULL, NULL },
};
