/*
 * The naming rules of the drop area: which names are never jobs (hidden
 * files and the temporaries of editors, downloaders, sync tools), which are
 * images, and the stem that names a job's results.
 */
#ifndef CORE_NAMES_H
#define CORE_NAMES_H

#include <stdbool.h>

/*
 * True for names that never start anything: ".*" (covers .goutputstream-*,
 * vim's .x.swp, .~lock.x#, rsync's .x.XXXXXX, .syncthing.*.tmp, ._x,
 * .DS_Store), "*~", "*.part", "*.crdownload", "*.tmp", "*.swp", "Thumbs.db",
 * "desktop.ini". name is a single path component.
 */
bool names_is_junk(const char *name);

/* True when the name's extension is one of the images we accept: .jpg, .jpeg,
 * .png, .webp (any case). */
bool names_is_image(const char *name);

/*
 * The stem of a name: "photo.jpg" -> "photo" (up to the last dot; a name
 * without a dot is its own stem). Returns a new string the caller frees.
 */
char *names_stem(const char *name);

/* The last component of a store-relative path (borrowed, inside path). */
const char *names_base(const char *path);

#endif
