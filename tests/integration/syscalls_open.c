/*
 * Syscall cases on files held open and on what watchers see, compared with
 * a local disk (see syscalls.c): a file deleted while open (and its folder
 * removed), locks between processes, fallocate, O_TMPFILE, and the inotify
 * events a file manager reads.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/integration/syscalls.h"

static void deleted_while_open(struct trace *t, const char *dir)
{
    struct stat st;
    char buf[16] = { 0 };
    int fd;

    (void)dir;
    RC(t, put("f", "kept"));
    fd = (int)RC(t, open("f", O_RDWR));
    RC(t, unlink("f"));
    RC(t, fstat(fd, &st));
    note(t, "nlink=%lu size=%ld", (unsigned long)st.st_nlink, (long)st.st_size);
    VAL(t, pwrite(fd, "!", 1, 4));
    VAL(t, pread(fd, buf, sizeof(buf) - 1, 0));
    note(t, "read='%s'", buf);
    RC(t, fstat(fd, &st));
    note(t, "size=%ld", (long)st.st_size);
    RC(t, ftruncate(fd, 2));
    RC(t, fchmod(fd, 0600));
    RC(t, fstat(fd, &st));
    note(t, "size=%ld mode=%o", (long)st.st_size, st.st_mode & 0777);
    RC(t, access("f", F_OK));
    RC(t, put("f", "new")); /* the name is free again */
    RC(t, close(fd));
    contents(t, "f");
}

/*
 * rm -rf of a folder while a player or thumbnailer holds a file in it
 * open: the folder looks empty and goes (fstat of such a file afterwards
 * is in syscalls_design.c).
 */
static void folder_removed_while_open(struct trace *t, const char *dir)
{
    char buf[16] = { 0 };
    int fd, dfd;

    (void)dir;
    RC(t, mkdir("d", 0755));
    RC(t, put("d/f", "kept"));
    RC(t, put("d/g", "gone"));
    fd = (int)RC(t, open("d/f", O_RDWR));
    RC(t, unlink("d/f"));
    RC(t, rmdir("d"));
    RC(t, unlink("d/g"));
    RC(t, rmdir("d"));
    RC(t, access("d", F_OK));
    VAL(t, pwrite(fd, "!", 1, 4));
    VAL(t, pread(fd, buf, sizeof(buf) - 1, 0));
    note(t, "read='%s'", buf);
    RC(t, close(fd));
    RC(t, mkdir("d", 0755)); /* the name is free again */
    /* A folder renamed over one whose files are deleted but open. */
    RC(t, put("d/f", "x"));
    fd = (int)RC(t, open("d/f", O_RDONLY));
    RC(t, unlink("d/f"));
    RC(t, mkdir("s", 0755));
    RC(t, rename("s", "d"));
    RC(t, close(fd));
    RC(t, rmdir("d"));
    /* The same with a folder held open. */
    RC(t, mkdir("e", 0755));
    dfd = (int)RC(t, open("e", O_RDONLY | O_DIRECTORY));
    RC(t, rmdir("e"));
    RC(t, openat(dfd, "new", O_WRONLY | O_CREAT, 0644));
    RC(t, close(dfd));
}

/* Child: tries the lock kind on name; exits 0 got it, 1 refused. */
static int try_in_child(const char *name, int kind)
{
    pid_t pid = fork();
    int status;

    if (pid == 0) {
        int fd = open(name, O_RDWR);
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

        if (fd < 0)
            _exit(2);
        if (kind == 0)
            _exit(flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : 1);
        _exit(fcntl(fd, F_SETLK, &fl) == 0 ? 0 : 1);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

static void locks(struct trace *t, const char *dir)
{
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 10 };
    struct flock probe = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    int fd;

    (void)dir;
    RC(t, put("lock", "0123456789"));
    fd = (int)RC(t, open("lock", O_RDWR));
    RC(t, flock(fd, LOCK_EX | LOCK_NB));
    note(t, "other-flock=%d", try_in_child("lock", 0));
    RC(t, flock(fd, LOCK_UN));
    note(t, "other-flock-after-unlock=%d", try_in_child("lock", 0));
    RC(t, fcntl(fd, F_SETLK, &fl));
    note(t, "other-fcntl=%d", try_in_child("lock", 1));
    RC(t, fcntl(fd, F_GETLK, &probe));
    note(t, "getlk-own=%d", probe.l_type == F_UNLCK);
    RC(t, close(fd));
    note(t, "other-fcntl-after-close=%d", try_in_child("lock", 1));
}

static void falloc(struct trace *t, const char *dir)
{
    struct stat st;
    char buf[16] = { 0 };
    int fd;

    (void)dir;
    fd = (int)RC(t, open("f", O_RDWR | O_CREAT, 0644));
    RC(t, fallocate(fd, 0, 0, 8192));
    RC(t, fstat(fd, &st));
    note(t, "size=%ld", (long)st.st_size);
    RC(t, fallocate(fd, FALLOC_FL_KEEP_SIZE, 8192, 8192));
    RC(t, fstat(fd, &st));
    note(t, "size=%ld", (long)st.st_size);
    VAL(t, pwrite(fd, "abcdefgh", 8, 0));
    RC(t, fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 2, 4));
    VAL(t, pread(fd, buf, 8, 0));
    for (int i = 0; i < 8; i++)
        buf[i] = buf[i] ? buf[i] : '.';
    note(t, "bytes='%s'", buf);
    RC(t, posix_fallocate(fd, 0, 20000) == 0 ? 0 : -1);
    RC(t, fstat(fd, &st));
    note(t, "size=%ld", (long)st.st_size);
    RC(t, close(fd));
}

/* cp and file managers copy with copy_file_range, reflink where it can. */
static void copy_range(struct trace *t, const char *dir)
{
    loff_t in_off = 2, out_off = 0;
    int in, out;

    (void)dir;
    RC(t, put("src", "0123456789"));
    in = (int)RC(t, open("src", O_RDONLY));
    out = (int)RC(t, open("dst", O_WRONLY | O_CREAT, 0644));
    VAL(t, copy_file_range(in, &in_off, out, &out_off, 5, 0));
    note(t, "offsets=%ld,%ld", (long)in_off, (long)out_off);
    VAL(t, copy_file_range(in, NULL, out, NULL, 100, 0));
    VAL(t, copy_file_range(in, NULL, out, NULL, 100, 0)); /* at the end */
    RC(t, close(in));
    RC(t, close(out));
    contents(t, "dst");
}

/* Reads the pending inotify events into the trace as "MASK:name". */
static void events(struct trace *t, int in)
{
    char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
    ssize_t n;

    /* The calls queued their events before returning: no wait needed. */
    while ((n = read(in, buf, sizeof(buf))) > 0) {
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *e = (const struct inotify_event *)p;
            static const struct {
                unsigned mask;
                const char *name;
            } kinds[] = {
                { IN_CREATE, "CREATE" },   { IN_MODIFY, "MODIFY" },
                { IN_ATTRIB, "ATTRIB" },   { IN_CLOSE_WRITE, "CLOSE_W" },
                { IN_MOVED_FROM, "FROM" }, { IN_MOVED_TO, "TO" },
                { IN_DELETE, "DELETE" },   { IN_ISDIR, "DIR" },
            };
            char kind[64] = "";

            for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
                if (e->mask & kinds[i].mask) {
                    strcat(kind, kinds[i].name);
                    strcat(kind, "|");
                }
            }
            note(t, "%s%s", kind, e->len ? e->name : "");
            p += sizeof(*e) + e->len;
        }
    }
}

static void watched(struct trace *t, const char *dir)
{
    int in = inotify_init1(IN_NONBLOCK), fd;
    char holder[PATH_MAX];

    (void)dir;
    if (in < 0 ||
        inotify_add_watch(in, ".",
                          IN_CREATE | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE |
                              IN_MOVE | IN_DELETE) < 0) {
        check(t, false, "inotify");
        return;
    }
    RC(t, put("a", "x"));
    events(t, in);
    RC(t, rename("a", "b"));
    RC(t, chmod("b", 0600));
    RC(t, truncate("b", 0));
    events(t, in);
    RC(t, mkdir("d", 0755));
    RC(t, rename("b", "d/b"));
    RC(t, unlink("d/b"));
    RC(t, rmdir("d"));
    events(t, in);
    /* An editor's safe save: write a temporary, rename over the file. */
    RC(t, put("doc.txt", "v1"));
    snprintf(holder, sizeof(holder), ".doc.txt.swp");
    fd = (int)RC(t, open(holder, O_WRONLY | O_CREAT | O_EXCL, 0644));
    VAL(t, write(fd, "v2", 2));
    RC(t, fsync(fd));
    RC(t, close(fd));
    RC(t, rename(holder, "doc.txt"));
    events(t, in);
    contents(t, "doc.txt");
    close(in);
}

const struct syscase compared_open_cases[] = {
    { "a file deleted while open keeps working", deleted_while_open },
    { "a folder whose files are deleted but open can be removed",
      folder_removed_while_open },
    { "flock and fcntl locks between processes", locks },
    { "fallocate, KEEP_SIZE, PUNCH_HOLE", falloc },
    { "copy_file_range", copy_range },
    { "inotify events a file manager reads", watched },
    { NULL, NULL },
};
