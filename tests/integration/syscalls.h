/*
 * The syscall checks' shared parts (see syscalls.c): a trace of what each
 * call returned, helpers, and the tables of cases in syscalls_io.c
 * (contents of files), syscalls_names.c (names, folders, links,
 * attributes), syscalls_open.c (files held open, locks, inotify) and
 * syscalls_design.c (where the mount differs from a disk by design).
 */
#ifndef TESTS_INTEGRATION_SYSCALLS_H
#define TESTS_INTEGRATION_SYSCALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct trace {
    char text[16384];
    size_t len;
    bool failed; /* a CHECK did not hold */
};

/* A case runs with its own empty folder as the working directory. */
struct syscase {
    const char *name;
    void (*fn)(struct trace *t, const char *dir);
};

/* Appends one printf-formatted item to the trace. */
__attribute__((format(printf, 2, 3))) void note(struct trace *t,
                                                const char *fmt, ...);
/* Notes "what=ok" for res >= 0, else "what=ENAME"; returns res. */
long rc(struct trace *t, const char *what, long res);
/* Notes "what=res" for res >= 0, else "what=ENAME"; returns res. */
long val(struct trace *t, const char *what, long res);
/* Marks the case failed, with what, unless cond holds. */
void check(struct trace *t, bool cond, const char *what);

#define RC(t, call)    rc((t), #call, (long)(call))
#define VAL(t, call)   val((t), #call, (long)(call))
#define CHECK(t, cond) check((t), (cond), #cond)

/* Writes text to name (created or truncated). Returns 0 or -1. */
int put(const char *name, const char *text);
/* Reads name into buf (NUL-terminated), or "<ENAME>" when it cannot. */
const char *get(const char *name, char *buf, size_t size);
/* Notes name:'contents'. */
void contents(struct trace *t, const char *name);
/* lstat's inode number of name, or 0. */
ino_t ino_of(const char *name);

/* Another model's folder on the mount (argv[3]), for EXDEV. */
extern const char *other_model;

/* NULL-terminated tables. */
extern const struct syscase compared_cases[];      /* syscalls_io.c */
extern const struct syscase compared_name_cases[]; /* syscalls_names.c */
extern const struct syscase compared_open_cases[]; /* syscalls_open.c */
extern const struct syscase designed_cases[];      /* syscalls_names.c */

#endif
