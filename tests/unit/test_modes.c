/*
 * Unit tests for the mode of created files (fs/modes.c): the permission
 * bits asked for, whatever the daemon's umask, and inherited bits kept.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/modes.h"
#include "tests/check.h"

static char root[] = "/tmp/i2vfs-test-modes.XXXXXX";

static mode_t mode_of(int dir, const char *rel)
{
    struct stat st;

    CHECK_INT_EQ(fstatat(dir, rel, &st, AT_SYMLINK_NOFOLLOW), 0);
    return st.st_mode & 07777;
}

static void the_daemons_umask_does_not_apply(void)
{
    int dir = open(root, O_RDONLY | O_DIRECTORY);

    umask(022);
    close(openat(dir, "f", O_WRONLY | O_CREAT, 0664));
    CHECK_INT_EQ(mode_of(dir, "f"), 0644);
    CHECK_INT_EQ(modes_fix(dir, "f", S_IFREG | 0664), 0);
    CHECK_INT_EQ(mode_of(dir, "f"), 0664);
    CHECK_INT_EQ(mkdirat(dir, "d", 0777), 0);
    CHECK_INT_EQ(modes_fix(dir, "d", 0777), 0);
    CHECK_INT_EQ(mode_of(dir, "d"), 0777);
    /* A more restrictive mode is kept too: exactly what was asked. */
    CHECK_INT_EQ(modes_fix(dir, "f", 0600), 0);
    CHECK_INT_EQ(mode_of(dir, "f"), 0600);
    CHECK_INT_EQ(modes_fix(dir, "missing", 0600), -ENOENT);
    close(dir);
}

static void inherited_setgid_is_kept(void)
{
    int dir = open(root, O_RDONLY | O_DIRECTORY);

    umask(022);
    CHECK_INT_EQ(mkdirat(dir, "g", 0755), 0);
    CHECK_INT_EQ(fchmodat(dir, "g", 02775, 0), 0);
    CHECK_INT_EQ(mkdirat(dir, "g/sub", 0775), 0);
    CHECK_INT_EQ(mode_of(dir, "g/sub"), 02755);
    CHECK_INT_EQ(modes_fix(dir, "g/sub", 0775), 0);
    CHECK_INT_EQ(mode_of(dir, "g/sub"), 02775);
    CHECK_INT_EQ(symlinkat("g", dir, "l"), 0);
    CHECK_INT_EQ(modes_fix(dir, "l", 0600), 0); /* links have no mode */
    CHECK_INT_EQ(mode_of(dir, "g"), 02775);
    close(dir);
}

int main(void)
{
    static const struct check_case cases[] = {
        CHECK_CASE(the_daemons_umask_does_not_apply),
        CHECK_CASE(inherited_setgid_is_kept),
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
