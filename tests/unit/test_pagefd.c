/*
 * Unit tests for the second fd of O_APPEND files (fs/pagefd.c): it writes
 * at the offset it is given, on the same file, even once unlinked.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/pagefd.h"
#include "tests/check.h"

static char path[] = "/tmp/i2vfs-test-pagefd.XXXXXX";

static int make_file(const char *text, int flags)
{
    int fd = mkstemp(path), res;

    CHECK(fd >= 0);
    CHECK_INT_EQ(write(fd, text, strlen(text)), (long long)strlen(text));
    close(fd);
    res = open(path, flags);
    CHECK(res >= 0);
    return res;
}

static void an_append_fd_gets_one_that_writes_in_place(void)
{
    int fd = make_file("0123456789", O_RDWR | O_APPEND), page;
    char buf[16] = { 0 };

    page = pagefd_open(fd, O_RDWR | O_APPEND);
    CHECK(page >= 0);
    CHECK(page != fd);
    /* Unlinked, as a file deleted while open: still the same file. */
    CHECK_INT_EQ(unlink(path), 0);
    CHECK_INT_EQ(pwrite(page, "X", 1, 0), 1);
    CHECK_INT_EQ(pwrite(fd, "+", 1, 0), 1); /* O_APPEND: at the end */
    CHECK_INT_EQ(pread(fd, buf, sizeof(buf) - 1, 0), 11);
    CHECK_STR_EQ(buf, "X123456789+");
    close(page);
    close(fd);
    memcpy(path + strlen(path) - 6, "XXXXXX", 6);
}

static void other_fds_need_none(void)
{
    int fd = make_file("x", O_RDWR);

    CHECK_INT_EQ(pagefd_open(fd, O_RDWR), -1);
    CHECK_INT_EQ(pagefd_open(fd, O_WRONLY), -1);
    CHECK_INT_EQ(pagefd_open(fd, O_RDONLY | O_APPEND), -1);
    close(fd);
    unlink(path);
}

CHECK_MAIN(CHECK_CASE(an_append_fd_gets_one_that_writes_in_place),
           CHECK_CASE(other_fds_need_none))
