/*
 * Recursive inotify watches on a directory tree, delivered as loop events:
 * the input of the hot-folder front end (`i2vfs watch DIR`).
 */
#ifndef CORE_WATCH_H
#define CORE_WATCH_H

struct loop;
struct watch;

/* What happened to relpath; files unless the name says folder. */
enum watch_kind {
    WATCH_CLOSE_WRITE, /* a file open for writing was closed */
    WATCH_MODIFY,      /* a file was written to (a write is under way) */
    WATCH_MOVED_TO,    /* a file was renamed or moved to relpath */
    WATCH_MOVED_FROM,  /* a file was renamed or moved away from relpath */
    WATCH_DELETE,      /* a file was deleted */
    WATCH_ATTRIB,      /* a file's or folder's metadata changed */
    /*
     * A folder appeared: created, moved in, or found inside a folder that
     * appeared. Its watch is in place before this is reported, so scanning
     * its files now misses nothing (events may repeat what the scan finds).
     * Reported once per folder of a new subtree, parents before children;
     * scan each one's files, not recursively.
     */
    WATCH_DIR_CREATED,
    WATCH_DIR_GONE, /* a folder was deleted or moved away (or renamed) */
    /*
     * The kernel dropped events (relpath ""). Watches have been re-synced
     * with the tree; the caller rescans everything.
     */
    WATCH_OVERFLOW,
};

/*
 * Called on the loop thread. relpath is relative to the root, without a
 * leading slash, and valid only during the call. The callback must not call
 * watch_free.
 */
typedef void (*watch_cb)(void *arg, enum watch_kind kind, const char *relpath);

/*
 * Watches root and every folder under it, except the folder ".i2vfs" at the
 * root (nothing under it is reported) and symbolic links. Folders that
 * appear later are watched automatically. Nothing is reported about what
 * already exists: the caller scans root after this returns. Loop thread only
 * (or before loop_run). Returns 0 and *out (free with watch_free), or a
 * negative errno (-ENOSPC when the inotify watch limit is reached).
 */
int watch_new(struct loop *loop, const char *root, watch_cb cb, void *arg,
              struct watch **out);

/* Removes every watch and closes inotify. watch_free(NULL) does nothing. */
void watch_free(struct watch *watch);

#endif
