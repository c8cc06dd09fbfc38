/*
 * Syscall cases on the contents and attributes of files, run on a local
 * disk and on the mount and compared (see syscalls.c): O_EXCL, O_TRUNC,
 * ftruncate, O_APPEND, pwrite/pread, writers in two processes, mmap,
 * fsync, times, modes and owners, statfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/integration/syscalls.h"

#define BLOCK  4096
#define BLOCKS 32

static void o_excl(struct trace *t, const char *dir)
{
    (void)dir;
    RC(t, put("a", "one"));
    RC(t, open("a", O_WRONLY | O_CREAT | O_EXCL, 0644));
    RC(t, open("b", O_WRONLY | O_CREAT | O_EXCL, 0644));
    RC(t, open("b", O_RDWR | O_CREAT | O_EXCL, 0644));
    RC(t, open(".", O_RDONLY | O_CREAT | O_EXCL, 0644));
    RC(t, open("missing", O_RDONLY));
    contents(t, "a");
}

static void o_trunc(struct trace *t, const char *dir)
{
    struct stat st;
    int fd;

    (void)dir;
    RC(t, put("a", "0123456789"));
    fd = (int)RC(t, open("a", O_WRONLY | O_TRUNC));
    RC(t, fstat(fd, &st));
    note(t, "size-after-open=%ld", (long)st.st_size);
    VAL(t, write(fd, "xy", 2));
    RC(t, close(fd));
    contents(t, "a");
    /* O_TRUNC on a read-only open truncates too (Linux). */
    fd = (int)RC(t, open("a", O_RDONLY | O_TRUNC));
    RC(t, close(fd));
    RC(t, stat("a", &st));
    note(t, "size=%ld", (long)st.st_size);
}

/* Notes the first n bytes at offset 0 as hex-ish text: '.' for a zero. */
static void bytes(struct trace *t, int fd, size_t n)
{
    char buf[64] = { 0 };
    ssize_t got = pread(fd, buf, n < sizeof(buf) ? n : sizeof(buf) - 1, 0);

    for (ssize_t i = 0; i < got; i++)
        if (!buf[i])
            buf[i] = '.';
    note(t, "bytes(%zd)='%s'", got, got < 0 ? "" : buf);
}

static void ftruncate_grow_shrink(struct trace *t, const char *dir)
{
    struct stat st;
    int fd;

    (void)dir;
    fd = (int)RC(t, open("a", O_RDWR | O_CREAT, 0644));
    VAL(t, write(fd, "abcdef", 6));
    RC(t, ftruncate(fd, 12));
    bytes(t, fd, 20);
    RC(t, ftruncate(fd, 2));
    bytes(t, fd, 20);
    RC(t, ftruncate(fd, 5));
    bytes(t, fd, 20); /* the cut bytes must come back as zeros */
    RC(t, fstat(fd, &st));
    note(t, "size=%ld", (long)st.st_size);
    RC(t, truncate("a", 1));
    RC(t, stat("a", &st));
    note(t, "size=%ld", (long)st.st_size);
    RC(t, ftruncate(fd, -1));
    RC(t, close(fd));
    CHECK(t, st.st_size == 1);
}

static void o_append_two_writers(struct trace *t, const char *dir)
{
    int a, b, plain;
    char buf[64];

    (void)dir;
    RC(t, put("log", "start\n"));
    a = (int)RC(t, open("log", O_WRONLY | O_APPEND));
    b = (int)RC(t, open("log", O_WRONLY | O_APPEND));
    plain = (int)RC(t, open("log", O_RDWR));
    VAL(t, write(a, "a1\n", 3));
    VAL(t, write(b, "b1\n", 3));
    VAL(t, write(plain, "S", 1)); /* at offset 0: overwrites */
    VAL(t, write(a, "a2\n", 3));
    VAL(t, pwrite(b, "b2\n", 3, 0)); /* Linux: O_APPEND wins over offset */
    VAL(t, lseek(a, 0, SEEK_CUR));
    RC(t, close(a));
    RC(t, close(b));
    RC(t, close(plain));
    get("log", buf, sizeof(buf));
    CHECK(t, strcmp(buf, "Start\na1\nb1\na2\nb2\n") == 0);
    contents(t, "log");
}

/* Two processes append LINES lines each at once: every line arrives whole. */
#define LINES 200

static void append_lines(char who)
{
    char line[8];
    int fd = open("log", O_WRONLY | O_APPEND);

    if (fd < 0)
        _exit(3);
    for (int i = 0; i < LINES; i++) {
        snprintf(line, sizeof(line), "%c%03d\n", who, i);
        if (write(fd, line, 5) != 5)
            _exit(4);
    }
    _exit(close(fd) == 0 ? 0 : 5);
}

static void o_append_two_processes(struct trace *t, const char *dir)
{
    static char buf[2 * LINES * 5 + 16];
    int status, seen[2] = { 0, 0 }, whole = 0, next[2] = { 0, 0 };
    pid_t pids[2];
    ssize_t n;
    int fd;

    (void)dir;
    RC(t, put("log", ""));
    for (int w = 0; w < 2; w++) {
        pids[w] = fork();
        if (pids[w] == 0)
            append_lines((char)('a' + w));
    }
    for (int w = 0; w < 2; w++) {
        (void)waitpid(pids[w], &status, 0);
        note(t, "appender%d-exit=%d", w,
             WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    fd = (int)RC(t, open("log", O_RDONLY));
    n = read(fd, buf, sizeof(buf));
    RC(t, close(fd));
    note(t, "bytes=%zd", n);
    /* Each writer's lines whole and in its own order. */
    for (ssize_t i = 0; i + 5 <= n; i += 5) {
        int w = buf[i] - 'a', num;

        if ((w == 0 || w == 1) && buf[i + 4] == '\n' &&
            sscanf(buf + i + 1, "%3d", &num) == 1 && num == next[w]) {
            next[w]++;
            seen[w]++;
            whole++;
        }
    }
    note(t, "whole-lines=%d a=%d b=%d", whole, seen[0], seen[1]);
    CHECK(t, whole == 2 * LINES);
}

static void pwrite_pread_offsets(struct trace *t, const char *dir)
{
    char buf[16] = { 0 };
    struct stat st;
    int fd;

    (void)dir;
    fd = (int)RC(t, open("a", O_RDWR | O_CREAT, 0644));
    VAL(t, pwrite(fd, "tail", 4, 8));
    VAL(t, pwrite(fd, "hd", 2, 0));
    bytes(t, fd, 20);
    VAL(t, pread(fd, buf, 4, 8));
    note(t, "at8='%s'", buf);
    VAL(t, pread(fd, buf, 4, 100)); /* past the end: 0 */
    VAL(t, pread(fd, buf, 4, -1));
    VAL(t, lseek(fd, 0, SEEK_CUR)); /* pread/pwrite leave the offset */
    VAL(t, lseek(fd, 0, SEEK_END));
    VAL(t, lseek(fd, 0, SEEK_DATA));
    VAL(t, lseek(fd, 12, SEEK_DATA));
    RC(t, fstat(fd, &st));
    note(t, "size=%ld", (long)st.st_size);
    VAL(t, pwrite(fd, "x", 1, (off_t)1 << 20)); /* a sparse megabyte */
    RC(t, fstat(fd, &st));
    note(t, "size=%ld", (long)st.st_size);
    RC(t, close(fd));
}

/* The byte at block i of the two writers' file. */
static char expected_byte(int i)
{
    return (char)('A' + i % 2);
}

/* A writer: fills every other block, says done, then reads it all back. */
static void writer(int which, int done_fd, int go_fd)
{
    char block[BLOCK], buf[BLOCK];
    int fd = open("shared", O_RDWR);
    char ok = 1;

    if (fd < 0)
        _exit(3);
    memset(block, 'A' + which, sizeof(block));
    for (int i = which; i < BLOCKS; i += 2)
        if (pwrite(fd, block, BLOCK, (off_t)i * BLOCK) != BLOCK)
            _exit(4);
    if (write(done_fd, "d", 1) != 1 || read(go_fd, buf, 1) != 1)
        _exit(5);
    /* Both see the whole file, through the fd they wrote with. */
    for (int i = 0; i < BLOCKS; i++) {
        if (pread(fd, buf, BLOCK, (off_t)i * BLOCK) != BLOCK ||
            buf[0] != expected_byte(i) || buf[BLOCK - 1] != expected_byte(i))
            ok = 0;
    }
    if (write(done_fd, &ok, 1) != 1)
        _exit(6);
    _exit(0);
}

static void two_processes_write(struct trace *t, const char *dir)
{
    int done[2], go[2], status, seen = 0;
    pid_t pids[2];
    char c, buf[BLOCK];
    int fd;

    (void)dir;
    RC(t, put("shared", ""));
    if (pipe(done) != 0 || pipe(go) != 0) {
        check(t, false, "pipes");
        return;
    }
    for (int w = 0; w < 2; w++) {
        pids[w] = fork();
        if (pids[w] == 0)
            writer(w, done[1], go[0]);
    }
    for (int w = 0; w < 2; w++)
        VAL(t, read(done[0], &c, 1));
    VAL(t, write(go[1], "gg", 2));
    for (int w = 0; w < 2; w++) {
        if (read(done[0], &c, 1) == 1)
            seen += c;
    }
    note(t, "writers-see-all=%d", seen);
    for (int w = 0; w < 2; w++) {
        (void)waitpid(pids[w], &status, 0);
        note(t, "writer%d-exit=%d", w,
             WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    close(done[0]);
    close(done[1]);
    close(go[0]);
    close(go[1]);
    fd = (int)RC(t, open("shared", O_RDONLY));
    for (int i = 0; i < BLOCKS; i++) {
        if (read(fd, buf, BLOCK) != BLOCK || buf[0] != expected_byte(i) ||
            buf[BLOCK / 2] != expected_byte(i)) {
            note(t, "block %d wrong", i);
            t->failed = true;
        }
    }
    RC(t, close(fd));
    CHECK(t, seen == 2);
}

static void mmap_read_and_shared_write(struct trace *t, const char *dir)
{
    char buf[64];
    char *map;
    int fd;

    (void)dir;
    RC(t, put("m", "hello mapped world"));
    fd = (int)RC(t, open("m", O_RDWR));
    map = mmap(NULL, 18, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    note(t, "mmap=%s", map == MAP_FAILED ? strerrorname_np(errno) : "ok");
    if (map == MAP_FAILED) {
        t->failed = true;
        return;
    }
    note(t, "mapped='%.18s'", map);
    memcpy(map, "HELLO", 5);
    RC(t, msync(map, 18, MS_SYNC));
    /* A write() through the fd shows in the map (same page cache). */
    VAL(t, pwrite(fd, "W", 1, 13));
    note(t, "mapped='%.18s'", map);
    RC(t, munmap(map, 18));
    RC(t, close(fd));
    /* Another open sees what msync wrote. */
    get("m", buf, sizeof(buf));
    CHECK(t, strcmp(buf, "HELLO mapped World") == 0);
    contents(t, "m");
    /* A private map's writes stay private. */
    fd = (int)RC(t, open("m", O_RDONLY));
    map = mmap(NULL, 18, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (map != MAP_FAILED) {
        map[0] = 'J';
        RC(t, munmap(map, 18));
    }
    RC(t, close(fd));
    contents(t, "m");
}

/*
 * A log opened O_APPEND and the same file mapped: the map's writes land
 * where they were made, not at the end.
 */
static void mmap_with_an_append_writer(struct trace *t, const char *dir)
{
    char *map;
    int fd, log;

    (void)dir;
    RC(t, put("m", "0123456789"));
    log = (int)RC(t, open("m", O_RDWR | O_APPEND));
    fd = (int)RC(t, open("m", O_RDWR));
    map = mmap(NULL, 10, PROT_READ | PROT_WRITE, MAP_SHARED, log, 0);
    note(t, "mmap=%s", map == MAP_FAILED ? strerrorname_np(errno) : "ok");
    if (map != MAP_FAILED) {
        map[0] = 'X';
        RC(t, msync(map, 10, MS_SYNC));
        RC(t, munmap(map, 10));
    }
    VAL(t, write(log, "+", 1));
    RC(t, close(fd));
    RC(t, close(log));
    contents(t, "m");
}

static void fsync_fdatasync(struct trace *t, const char *dir)
{
    int fd, dfd;

    (void)dir;
    fd = (int)RC(t, open("a", O_WRONLY | O_CREAT, 0644));
    VAL(t, write(fd, "data", 4));
    RC(t, fsync(fd));
    RC(t, fdatasync(fd));
    RC(t, sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE));
    RC(t, syncfs(fd));
    RC(t, close(fd));
    fd = (int)RC(t, open("a", O_RDONLY));
    RC(t, fsync(fd)); /* allowed on a read-only fd */
    RC(t, close(fd));
    dfd = (int)RC(t, open(".", O_RDONLY | O_DIRECTORY));
    RC(t, fsync(dfd));
    RC(t, fdatasync(dfd));
    RC(t, close(dfd));
}

static bool same_time(struct timespec a, struct timespec b)
{
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/* a <= b */
static bool not_after(struct timespec a, struct timespec b)
{
    return a.tv_sec < b.tv_sec ||
           (a.tv_sec == b.tv_sec && a.tv_nsec <= b.tv_nsec);
}

static void times_utimensat(struct trace *t, const char *dir)
{
    const struct timespec old[2] = { { 981173106, 123456789 },
                                     { 981173107, 987654321 } };
    struct timespec ts[2], before, after;
    struct stat st, st2;
    int fd;

    (void)dir;
    RC(t, put("a", "x"));
    RC(t, utimensat(AT_FDCWD, "a", old, 0));
    RC(t, stat("a", &st));
    note(t, "atime-set=%d mtime-set=%d", same_time(st.st_atim, old[0]),
         same_time(st.st_mtim, old[1]));
    /* UTIME_OMIT keeps atime; UTIME_NOW sets mtime to now. */
    ts[0].tv_nsec = UTIME_OMIT;
    ts[1].tv_nsec = UTIME_NOW;
    ts[0].tv_sec = ts[1].tv_sec = 0;
    clock_gettime(CLOCK_REALTIME_COARSE, &before);
    RC(t, utimensat(AT_FDCWD, "a", ts, 0));
    clock_gettime(CLOCK_REALTIME, &after);
    RC(t, stat("a", &st2));
    note(t, "atime-kept=%d mtime-now=%d ctime-now=%d",
         same_time(st2.st_atim, old[0]),
         not_after(before, st2.st_mtim) && not_after(st2.st_mtim, after),
         not_after(before, st2.st_ctim));
    /* Both omitted: nothing changes. */
    ts[1].tv_nsec = UTIME_OMIT;
    RC(t, utimensat(AT_FDCWD, "a", ts, 0));
    RC(t, stat("a", &st));
    note(t, "unchanged=%d", same_time(st.st_mtim, st2.st_mtim));
    /* futimens on an open fd, then a write moves mtime forward. */
    fd = (int)RC(t, open("a", O_WRONLY));
    RC(t, futimens(fd, old));
    RC(t, fstat(fd, &st));
    note(t, "futimens=%d", same_time(st.st_mtim, old[1]));
    VAL(t, write(fd, "y", 1));
    RC(t, close(fd));
    RC(t, stat("a", &st));
    note(t, "write-moves-mtime=%d", st.st_mtim.tv_sec > old[1].tv_sec);
    /* NULL times: both now. */
    RC(t, utimensat(AT_FDCWD, "a", NULL, 0));
    RC(t, stat("a", &st));
    note(t, "null-is-now=%d", not_after(before, st.st_atim));
    RC(t, utimensat(AT_FDCWD, "missing", NULL, 0));
}

static void chmod_chown(struct trace *t, const char *dir)
{
    struct stat st;
    int fd;

    (void)dir;
    RC(t, put("a", "x"));
    RC(t, chmod("a", 0640));
    RC(t, stat("a", &st));
    note(t, "mode=%o", st.st_mode & 07777);
    RC(t, chown("a", 1234, 5678));
    RC(t, stat("a", &st));
    note(t, "owner=%d:%d", (int)st.st_uid, (int)st.st_gid);
    RC(t, chown("a", (uid_t)-1, 42));
    RC(t, stat("a", &st));
    note(t, "owner=%d:%d", (int)st.st_uid, (int)st.st_gid);
    fd = (int)RC(t, open("a", O_RDONLY));
    RC(t, fchmod(fd, 0604));
    RC(t, fchown(fd, 0, 0));
    RC(t, fstat(fd, &st));
    note(t, "fmode=%o owner=%d:%d", st.st_mode & 07777, (int)st.st_uid,
         (int)st.st_gid);
    RC(t, close(fd));
    RC(t, mkdir("d", 0755));
    RC(t, chmod("d", 01777));
    RC(t, stat("d", &st));
    note(t, "dmode=%o", st.st_mode & 07777);
    RC(t, chmod("a", 04755)); /* setuid as root: kept */
    RC(t, stat("a", &st));
    note(t, "suid=%o", st.st_mode & 07777);
    RC(t, chmod("missing", 0600));
}

/* New files and folders get the creator's umask, whatever it is. */
static void umask_and_setgid(struct trace *t, const char *dir)
{
    static const mode_t masks[] = { 002, 077, 0 };
    struct stat st;
    char name[32];
    mode_t old = umask(022);

    (void)dir;
    for (size_t i = 0; i < sizeof(masks) / sizeof(*masks); i++) {
        umask(masks[i]);
        snprintf(name, sizeof(name), "f%03o", masks[i]);
        RC(t, close((int)RC(t, open(name, O_WRONLY | O_CREAT, 0666))));
        RC(t, stat(name, &st));
        note(t, "%s=%o", name, st.st_mode & 07777);
        name[0] = 'd';
        RC(t, mkdir(name, 0777));
        RC(t, stat(name, &st));
        note(t, "%s=%o", name, st.st_mode & 07777);
        name[0] = 'n';
        RC(t, mknod(name, S_IFIFO | 0666, 0));
        RC(t, lstat(name, &st));
        note(t, "%s=%o", name, st.st_mode & 07777);
    }
    umask(old);
    /* A setgid folder passes its group and the bit on. */
    RC(t, mkdir("g", 0755));
    RC(t, chown("g", 0, 42));
    RC(t, chmod("g", 02775));
    RC(t, mkdir("g/sub", 0755));
    RC(t, put("g/f", "x"));
    RC(t, stat("g/sub", &st));
    note(t, "sub=%o:%d", st.st_mode & 07777, (int)st.st_gid);
    RC(t, stat("g/f", &st));
    note(t, "f=%o:%d", st.st_mode & 07777, (int)st.st_gid);
    /* Root reads and writes what its mode forbids, as on a disk. */
    RC(t, chmod("g/f", 0));
    RC(t, close((int)RC(t, open("g/f", O_RDWR))));
}

static void statfs_fields(struct trace *t, const char *dir)
{
    struct statvfs vfs;

    (void)dir;
    RC(t, statvfs(".", &vfs));
    note(t, "bsize=%lu frsize=%lu blocks=%llu files=%llu namemax=%lu",
         vfs.f_bsize, vfs.f_frsize, (unsigned long long)vfs.f_blocks,
         (unsigned long long)vfs.f_files, vfs.f_namemax);
    CHECK(t, vfs.f_bsize > 0 && vfs.f_blocks > 0);
    CHECK(t, vfs.f_bfree <= vfs.f_blocks && vfs.f_bavail <= vfs.f_bfree);
    CHECK(t, vfs.f_namemax == 255);
}

const struct syscase compared_cases[] = {
    { "O_CREAT|O_EXCL on an existing name fails with EEXIST", o_excl },
    { "O_TRUNC empties the file", o_trunc },
    { "ftruncate grows with zeros and shrinks", ftruncate_grow_shrink },
    { "O_APPEND with two writers appends both", o_append_two_writers },
    { "O_APPEND from two processes at once: every line whole",
      o_append_two_processes },
    { "pwrite and pread at offsets", pwrite_pread_offsets },
    { "two processes write one file; both see the result",
      two_processes_write },
    { "mmap read, MAP_SHARED write and msync", mmap_read_and_shared_write },
    { "MAP_SHARED writes beside an O_APPEND writer",
      mmap_with_an_append_writer },
    { "fsync, fdatasync, syncfs, fsync of a folder", fsync_fdatasync },
    { "utimensat with UTIME_OMIT and UTIME_NOW", times_utimensat },
    { "chmod and chown (as root) show in stat", chmod_chown },
    { "umask, setgid folders, root and mode 0", umask_and_setgid },
    { "statfs fields", statfs_fields },
    { NULL, NULL },
};
