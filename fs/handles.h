/*
 * Open write handles per store-relative path: how many are open on each
 * name, so the last close of a path can say "this file is complete". The
 * count follows the name through renames (gio save renames its temp file
 * before closing it) and is dropped when the name is unlinked. Thread-safe.
 */
#ifndef FS_HANDLES_H
#define FS_HANDLES_H

#include <stdbool.h>
#include <stdint.h>

struct handles;
/* One path with write handles open on it; kept by each open file. */
struct handle;

struct handles *handles_new(void);
/* Frees the table; entries still held by open files must be gone. */
void handles_free(struct handles *handles);

/*
 * Registers one more write handle on rel (copied) and returns the entry the
 * open file keeps until handles_release.
 */
struct handle *handles_open(struct handles *handles, const char *rel);

/*
 * Drops one write handle. Returns true when it was the last one on a name
 * that still exists, with *rel set to that name (a new string the caller
 * frees); false otherwise (*rel untouched).
 */
bool handles_release(struct handles *handles, struct handle *handle,
                     char **rel);

/* Number of write handles open on rel. */
unsigned handles_count(struct handles *handles, const char *rel);

/*
 * Returns true, with *rel set to the entry's current name (caller frees),
 * at most once per interval_ms for an entry: for "still being written"
 * events on every write without flooding. False when the name is gone.
 */
bool handles_busy_due(struct handles *handles, struct handle *handle,
                      uint64_t now_ms, uint64_t interval_ms, char **rel);

/*
 * Applies a rename: entries named from, or below from when it is a folder,
 * move to to; with exchange the two swap. Entries that a plain rename
 * replaces at to are forgotten.
 */
void handles_rename(struct handles *handles, const char *from, const char *to,
                    bool exchange);

/* Forgets rel (unlinked): its handles still close, but report nothing. */
void handles_forget(struct handles *handles, const char *rel);

#endif
