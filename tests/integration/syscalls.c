/*
 * Syscall-level checks of the drop area (driven by test_syscalls.sh): each
 * case runs in a fresh folder on a plain local directory and then on the
 * mount, writing down what every call returned; the two traces must be the
 * same, so the expectation is "behaves like a local disk", not a list of
 * hard-coded answers. A case may also assert what both must do (CHECK).
 * Cases where the mount differs by design run on the mount only.
 *
 * usage: syscalls LOCAL_DIR DROP_DIR [OTHER_MODEL_DIR]
 * (without another model's folder, the EXDEV case is skipped).
 * Prints "ok   name" or "FAIL name" (with both traces) per case and
 * "N passed, N failed"; SYSCALLS_VERBOSE=1 prints the traces of passing
 * cases too.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "tests/integration/syscalls.h"

/* --- the trace ---------------------------------------------------------- */

void note(struct trace *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (t->len >= sizeof(t->text) - 2)
        return;
    va_start(ap, fmt);
    n = vsnprintf(t->text + t->len, sizeof(t->text) - t->len - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    t->len += (size_t)n;
    if (t->len > sizeof(t->text) - 2)
        t->len = sizeof(t->text) - 2;
    t->text[t->len++] = ' ';
    t->text[t->len] = '\0';
}

long rc(struct trace *t, const char *what, long res)
{
    if (res < 0)
        note(t, "%s=%s", what, strerrorname_np(errno));
    else
        note(t, "%s=ok", what);
    return res;
}

long val(struct trace *t, const char *what, long res)
{
    if (res < 0)
        note(t, "%s=%s", what, strerrorname_np(errno));
    else
        note(t, "%s=%ld", what, res);
    return res;
}

void check(struct trace *t, bool cond, const char *what)
{
    if (!cond) {
        t->failed = true;
        note(t, "[expected: %s]", what);
    }
}

/* --- helpers ------------------------------------------------------------ */

int put(const char *name, const char *text)
{
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = write(fd, text, strlen(text));
    if (close(fd) != 0 || n != (ssize_t)strlen(text))
        return -1;
    return 0;
}

/* The file's contents (up to size - 1 bytes), or "<errno name>". */
const char *get(const char *name, char *buf, size_t size)
{
    int fd = open(name, O_RDONLY);
    ssize_t n;

    if (fd < 0) {
        snprintf(buf, size, "<%s>", strerrorname_np(errno));
        return buf;
    }
    n = read(fd, buf, size - 1);
    (void)close(fd);
    buf[n < 0 ? 0 : n] = '\0';
    return buf;
}

/* Notes the file's contents under its name. */
void contents(struct trace *t, const char *name)
{
    char buf[256];

    note(t, "%s:'%s'", name, get(name, buf, sizeof(buf)));
}

ino_t ino_of(const char *name)
{
    struct stat st;

    return lstat(name, &st) == 0 ? st.st_ino : 0;
}

/* --- running cases ------------------------------------------------------ */

static int passed, failed;

/* Runs c in a new folder named after it inside base; returns its trace. */
static void run_in(const struct syscase *c, const char *base, struct trace *t)
{
    char dir[PATH_MAX], cwd[PATH_MAX];

    memset(t, 0, sizeof(*t));
    snprintf(dir, sizeof(dir), "%s/%s", base, c->name);
    if (!getcwd(cwd, sizeof(cwd)) || mkdir(dir, 0755) != 0 || chdir(dir) != 0) {
        t->failed = true;
        note(t, "cannot make %s: %s", dir, strerror(errno));
        return;
    }
    c->fn(t, dir);
    if (chdir(cwd) != 0) {
        perror("chdir back");
        exit(2);
    }
}

static void report(const char *name, bool ok, const char *why,
                   const struct trace *a, const char *a_name,
                   const struct trace *b, const char *b_name)
{
    if (ok) {
        passed++;
        printf("ok   %s\n", name);
        if (getenv("SYSCALLS_VERBOSE")) {
            printf("    %-6s %s\n", a_name, a->text);
            if (b)
                printf("    %-6s %s\n", b_name, b->text);
        }
        return;
    }
    failed++;
    printf("FAIL %s (%s)\n", name, why);
    printf("    %-6s %s\n", a_name, a->text);
    if (b)
        printf("    %-6s %s\n", b_name, b->text);
}

/* Runs c on both folders; the mount must do exactly what the disk does. */
static void compare(const struct syscase *c, const char *local,
                    const char *drop)
{
    struct trace *tl = calloc(2, sizeof(*tl)), *tm = tl + 1;
    bool same;

    if (!tl) {
        perror("calloc");
        exit(2);
    }
    run_in(c, local, tl);
    run_in(c, drop, tm);
    same = strcmp(tl->text, tm->text) == 0;
    report(c->name, same && !tl->failed && !tm->failed,
           !same ? "the mount differs from the disk" : "an expectation failed",
           tl, "disk:", tm, "mount:");
    free(tl);
}

/* Runs a by-design case on the mount only. */
static void on_mount(const struct syscase *c, const char *drop)
{
    struct trace *t = calloc(1, sizeof(*t));

    if (!t) {
        perror("calloc");
        exit(2);
    }
    run_in(c, drop, t);
    report(c->name, !t->failed, "an expectation failed", t, "mount:", NULL,
           NULL);
    free(t);
}

const char *other_model; /* another model's folder, for EXDEV */

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: %s LOCAL_DIR DROP_DIR [OTHER_MODEL_DIR]\n",
                argv[0]);
        return 2;
    }
    other_model = argc == 4 ? argv[3] : NULL;
    umask(022);
    for (const struct syscase *c = compared_cases; c->name; c++)
        compare(c, argv[1], argv[2]);
    for (const struct syscase *c = compared_name_cases; c->name; c++)
        compare(c, argv[1], argv[2]);
    for (const struct syscase *c = compared_open_cases; c->name; c++)
        compare(c, argv[1], argv[2]);
    for (const struct syscase *c = designed_cases; c->name; c++)
        on_mount(c, argv[2]);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
