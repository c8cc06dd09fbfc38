/*
 * The publisher: one thread that makes finished files visible in out/ by
 * renaming them from the hidden staging folder. With a mount it renames
 * through the mountpoint, so inotify watchers on the mount see IN_MOVED_TO;
 * without one (watch mode, or the mount unreachable) it renames inside the
 * store and asks the front end to invalidate its caches. It is never a FUSE
 * handler and holds no lock while renaming.
 */
#ifndef JOBS_PUBLISH_H
#define JOBS_PUBLISH_H

#include <sys/types.h>

/* Name of the hidden folder at the store's root that i2vfs owns. */
#define PUBLISH_PRIVATE_DIR ".i2vfs"

struct publisher;

/* Called on the publisher thread after a rename inside the store. */
typedef void (*publisher_invalidate_cb)(void *arg, const char *relpath);

/*
 * Starts the publisher for store_root (absolute). Creates
 * <store>/.i2vfs/staging. Returns 0 or a negative errno.
 */
int publisher_new(const char *store_root, struct publisher **out);

/* Publishes what is queued, then stops the thread. NULL is a no-op. */
void publisher_free(struct publisher *pub);

/*
 * Sets the mountpoint (absolute) to publish through, or NULL to publish
 * inside the store, and the fallback invalidation callback. Safe from any
 * thread at any time: the FUSE front end sets it once the mount is up and
 * clears it before unmounting; each rename uses the value current when it
 * starts.
 */
void publisher_set_mount(struct publisher *pub, const char *mount_root,
                         publisher_invalidate_cb cb, void *arg);

/* Absolute path of the staging folder inside the store. Borrowed. */
const char *publisher_staging_dir(const struct publisher *pub);

/*
 * Queues a rename of staging file name (a plain name inside the staging
 * folder) to store-relative dest_rel, creating dest_rel's folder (out/) if
 * needed. Renames happen in submission order. Thread-safe, never blocks on
 * the filesystem. Copies both strings.
 */
void publisher_submit(struct publisher *pub, const char *staging_name,
                      const char *dest_rel);

/* Queues removal of store-relative rel, in order with the renames. */
void publisher_remove(struct publisher *pub, const char *rel);

/*
 * Blocks until everything queued before the call is done (for shutdown
 * and tests). Not for the engine's loop thread.
 */
void publisher_flush(struct publisher *pub);

/*
 * The kernel thread id of the publisher thread: FUSE requests from it are
 * the only ones allowed to write in out/ and in the private folder.
 */
pid_t publisher_tid(const struct publisher *pub);

#endif
