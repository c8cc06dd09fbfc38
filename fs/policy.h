/*
 * The rules of the tree: which part of it a store-relative path is in (the
 * fixed folders, the generated files, the drop area, out/, the private
 * folder) and which operations a user, or the publisher, may do there.
 * Pure: no I/O, so every rule is unit-tested without a mount.
 */
#ifndef FS_POLICY_H
#define FS_POLICY_H

#include <stdbool.h>
#include <stddef.h>

/* Names of the generated read-only files. */
#define POLICY_README_NAME  "README.txt"
#define POLICY_DOC_NAME     "MODEL.md"
#define POLICY_EXAMPLE_NAME "request.example.json"
/*
 * libfuse renames a file that is unlinked while open to ".fuse_hiddenN…"
 * in the same folder and unlinks it at the last close.
 */
#define POLICY_HIDDEN_PREFIX ".fuse_hidden"
/* Name of the results folder, at any depth inside a model folder. */
#define POLICY_OUT_NAME "out"

struct policy;

enum policy_area {
    POLICY_OUTSIDE, /* a name in the fixed part that the tree does not have */
    POLICY_FIXED,   /* the root, a route folder or a model folder */
    POLICY_VIRTUAL, /* README.txt, a model folder's MODEL.md or example */
    POLICY_DROP,    /* inside a model folder, outside out/ */
    POLICY_OUT_DIR, /* a folder named out inside a model folder */
    POLICY_OUT,     /* anything inside such a folder */
    POLICY_PRIVATE, /* the private folder (.i2vfs) and everything in it */
};

enum policy_op {
    POLICY_READ,   /* stat, list, open for reading, readlink, get xattrs */
    POLICY_CREATE, /* create, mkdir, symlink; target of link or rename */
    POLICY_MODIFY, /* open for writing, truncate, chmod, utimens, set xattrs */
    POLICY_DELETE, /* unlink, rmdir */
    POLICY_MOVE,   /* rename source */
};

/*
 * Builds the rules for the given model folders (store-relative, e.g.
 * "local/kenburns"; copied). Returns 0 or -EINVAL for an empty or
 * absolute folder name.
 */
int policy_new(const char *const *model_folders, size_t count,
               struct policy **out);
/* policy_free(NULL) is a no-op. */
void policy_free(struct policy *policy);

/* The area of rel (store-relative, no leading slash; "" is the root). */
enum policy_area policy_area(const struct policy *policy, const char *rel);

/*
 * Index of the model folder that contains rel (or is rel), or -1. Two paths
 * in different models are on different "devices" for rename and link.
 */
long policy_model_of(const struct policy *policy, const char *rel);

/*
 * May the caller do op on rel? Returns 0, or the negative errno to reply:
 * -ENOENT for what the caller may not see, -EPERM for the fixed part and
 * the generated files' names, -EACCES for writes to generated files and,
 * for users, to out/, -ENAMETOOLONG for creating an image whose record
 * name (out/<stem>.json) would be longer than NAME_MAX.
 */
int policy_check(const struct policy *policy, const char *rel,
                 enum policy_op op, bool is_publisher);

/*
 * Checks a rename (flags as renameat2: RENAME_NOREPLACE, RENAME_EXCHANGE;
 * any other flag, RENAME_WHITEOUT included, is -EINVAL): both names'
 * rules, and -EXDEV between two model folders. A hide rename needs only
 * the right to delete from.
 */
int policy_check_rename(const struct policy *policy, const char *from,
                        const char *to, unsigned flags, bool is_publisher);

/*
 * True when renaming from to to is libfuse hiding an open file it was asked
 * to unlink (same folder, POLICY_HIDDEN_PREFIX name): an unlink really.
 */
bool policy_is_hide_rename(const char *from, const char *to);

/* Checks a hard link: from must be modifiable, -EXDEV across models. */
int policy_check_link(const struct policy *policy, const char *from,
                      const char *to, bool is_publisher);

/*
 * Checks a symlink at rel pointing to target: -EPERM when target is
 * absolute, climbs out of the store, has ".." after a name (which climbs
 * from wherever that name leads, maybe another link), or leads to the
 * store's root or its private folder. With every link checked so, no chain
 * of links leads out of the store or into the private folder.
 */
int policy_check_symlink(const struct policy *policy, const char *target,
                         const char *rel, bool is_publisher);

/*
 * The names the fixed folder rel holds (route and model folders, not the
 * generated files), or NULL when rel is not a fixed folder or is a model
 * folder (whose contents are real). *count is set. Borrowed.
 */
const char *const *policy_fixed_children(const struct policy *policy,
                                         const char *rel, size_t *count);

/* True when rel is exactly a model folder. */
bool policy_is_model_folder(const struct policy *policy, const char *rel);

/*
 * The most bytes a user may write to rel, or 0 for no cap: an image that
 * would start a job (in the drop area, not a junk name) is refused with
 * EFBIG as soon as it grows past the largest image a job reads (one byte
 * past it is kept, so that the job's record says the image is too large).
 */
unsigned long long policy_write_cap_bytes(const struct policy *policy,
                                          const char *rel);

#endif
