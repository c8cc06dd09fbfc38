/*
 * The rules of the tree (see policy.h): a sorted table of the fixed folders
 * built from the model folders, and the table of what each area allows.
 */
#include "fs/policy.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/names.h"
#include "jobs/images.h"
#include "jobs/publish.h"

/* A folder of the fixed part: the root, a route folder or a model folder. */
struct fixed_dir {
    char *rel;
    long model; /* index of the model folder, or -1 for the root and routes */
    const char **children; /* basenames, borrowed from the children's rel */
    size_t child_count;
};

struct policy {
    struct fixed_dir *dirs; /* sorted by rel */
    size_t dir_count;
};

static int compare_dirs(const void *a, const void *b)
{
    const struct fixed_dir *da = a, *db = b;

    return strcmp(da->rel, db->rel);
}

static int compare_key(const void *key, const void *elem)
{
    const struct fixed_dir *d = elem;

    return strcmp(key, d->rel);
}

static struct fixed_dir *find_dir(const struct policy *policy, const char *rel)
{
    return bsearch(rel, policy->dirs, policy->dir_count, sizeof(*policy->dirs),
                   compare_key);
}

/* Same as find_dir for the first len bytes of rel. */
static struct fixed_dir *find_dir_n(const struct policy *policy,
                                    const char *rel, size_t len)
{
    char buf[4096];

    if (len >= sizeof(buf))
        return NULL;
    memcpy(buf, rel, len);
    buf[len] = '\0';
    return find_dir(policy, buf);
}

/* A folder name we accept: relative, no empty, "." or ".." components. */
static bool is_clean_folder(const char *rel)
{
    const char *p = rel;

    if (!*rel || strlen(rel) >= 4096)
        return false;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);

        if (len == 0 || (len == 1 && p[0] == '.') ||
            (len == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        if (!slash)
            break;
        p = slash + 1;
        if (!*p)
            return false;
    }
    return true;
}

static void add_dir(struct policy *policy, size_t *cap, const char *rel,
                    size_t len, long model)
{
    struct fixed_dir *d;

    for (size_t i = 0; i < policy->dir_count; i++) {
        d = &policy->dirs[i];
        if (strlen(d->rel) == len && memcmp(d->rel, rel, len) == 0) {
            if (model >= 0)
                d->model = model;
            return;
        }
    }
    if (policy->dir_count == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        policy->dirs = xrealloc(policy->dirs, *cap * sizeof(*policy->dirs));
    }
    d = &policy->dirs[policy->dir_count++];
    d->rel = xstrndup(rel, len);
    d->model = model;
    d->children = NULL;
    d->child_count = 0;
}

static void link_children(struct policy *policy)
{
    for (size_t i = 0; i < policy->dir_count; i++) {
        struct fixed_dir *d = &policy->dirs[i], *parent;
        const char *slash = strrchr(d->rel, '/');

        if (!*d->rel)
            continue;
        parent = slash ? find_dir_n(policy, d->rel, (size_t)(slash - d->rel))
                       : find_dir(policy, "");
        parent->children =
            xrealloc(parent->children,
                     (parent->child_count + 1) * sizeof(*parent->children));
        parent->children[parent->child_count++] = slash ? slash + 1 : d->rel;
    }
}

int policy_new(const char *const *model_folders, size_t count,
               struct policy **out)
{
    struct policy *policy = xcalloc(1, sizeof(*policy));
    size_t cap = 0;

    add_dir(policy, &cap, "", 0, -1);
    for (size_t m = 0; m < count; m++) {
        const char *rel = model_folders[m];

        if (!is_clean_folder(rel))
            goto fail;
        for (const char *p = strchr(rel, '/'); p; p = strchr(p + 1, '/'))
            add_dir(policy, &cap, rel, (size_t)(p - rel), -1);
        add_dir(policy, &cap, rel, strlen(rel), (long)m);
    }
    qsort(policy->dirs, policy->dir_count, sizeof(*policy->dirs), compare_dirs);
    /* A model folder inside another would make "the drop area" ambiguous. */
    for (size_t i = 0; i < policy->dir_count; i++) {
        const struct fixed_dir *d = &policy->dirs[i];

        if (d->model < 0)
            continue;
        for (size_t j = 0; j < policy->dir_count; j++) {
            size_t len = strlen(d->rel);

            if (j != i && strncmp(policy->dirs[j].rel, d->rel, len) == 0 &&
                policy->dirs[j].rel[len] == '/')
                goto fail;
        }
    }
    link_children(policy);
    *out = policy;
    return 0;
fail:
    policy_free(policy);
    return -EINVAL;
}

void policy_free(struct policy *policy)
{
    if (!policy)
        return;
    for (size_t i = 0; i < policy->dir_count; i++) {
        free(policy->dirs[i].rel);
        free(policy->dirs[i].children);
    }
    free(policy->dirs);
    free(policy);
}

/*
 * Finds the model folder holding rel (or equal to it); sets *rest to the
 * part inside it ("" for the folder itself). Returns the folder or NULL.
 */
static const struct fixed_dir *find_model(const struct policy *policy,
                                          const char *rel, const char **rest)
{
    const struct fixed_dir *d;
    const char *p;

    for (p = strchr(rel, '/'); p; p = strchr(p + 1, '/')) {
        d = find_dir_n(policy, rel, (size_t)(p - rel));
        if (!d)
            return NULL; /* the fixed part ends above any model */
        if (d->model >= 0) {
            *rest = p + 1;
            return d;
        }
    }
    d = find_dir(policy, rel);
    if (d && d->model >= 0) {
        *rest = rel + strlen(rel);
        return d;
    }
    return NULL;
}

long policy_model_of(const struct policy *policy, const char *rel)
{
    const char *rest;
    const struct fixed_dir *d = find_model(policy, rel, &rest);

    return d ? d->model : -1;
}

static bool first_component_is(const char *rel, const char *name)
{
    size_t len = strlen(name);

    return strncmp(rel, name, len) == 0 &&
           (rel[len] == '\0' || rel[len] == '/');
}

enum policy_area policy_area(const struct policy *policy, const char *rel)
{
    const struct fixed_dir *d;
    const char *rest;

    if (!*rel)
        return POLICY_FIXED;
    if (first_component_is(rel, PUBLISH_PRIVATE_DIR))
        return POLICY_PRIVATE;
    if (strcmp(rel, POLICY_README_NAME) == 0)
        return POLICY_VIRTUAL;
    d = find_model(policy, rel, &rest);
    if (!d)
        return find_dir(policy, rel) ? POLICY_FIXED : POLICY_OUTSIDE;
    if (!*rest)
        return POLICY_FIXED;
    if (strcmp(rest, POLICY_DOC_NAME) == 0 ||
        strcmp(rest, POLICY_EXAMPLE_NAME) == 0)
        return POLICY_VIRTUAL;
    for (const char *p = rest; p; p = strchr(p, '/')) {
        if (*p == '/')
            p++;
        if (first_component_is(p, POLICY_OUT_NAME))
            return p[strlen(POLICY_OUT_NAME)] ? POLICY_OUT : POLICY_OUT_DIR;
    }
    return POLICY_DROP;
}

/*
 * True for an image whose record, out/<stem>.json, would be a longer name
 * than a folder may hold: its job could not say what happened to it.
 */
static bool is_record_too_long(const char *rel)
{
    const char *base = strrchr(rel, '/');
    const char *dot;

    base = base ? base + 1 : rel;
    if (names_is_junk(base) || !names_is_image(base))
        return false;
    dot = strrchr(base, '.');
    return (size_t)(dot - base) + strlen(".json") > NAME_MAX;
}

int policy_check(const struct policy *policy, const char *rel,
                 enum policy_op op, bool is_publisher)
{
    switch (policy_area(policy, rel)) {
    case POLICY_OUTSIDE:
        return op == POLICY_CREATE ? -EPERM : -ENOENT;
    case POLICY_FIXED:
        /*
         * A model folder's own times, mode and xattrs are the user's:
         * rsync -a and cp -a set them on the folder they copy into.
         */
        if (op == POLICY_READ ||
            (op == POLICY_MODIFY && policy_is_model_folder(policy, rel)))
            return 0;
        return -EPERM;
    case POLICY_VIRTUAL:
        if (op == POLICY_READ)
            return 0;
        return op == POLICY_MODIFY ? -EACCES : -EPERM;
    case POLICY_DROP:
        return op == POLICY_CREATE && is_record_too_long(rel) ? -ENAMETOOLONG
                                                              : 0;
    case POLICY_OUT_DIR:
        if (is_publisher || op == POLICY_READ || op == POLICY_DELETE)
            return 0;
        return -EACCES;
    case POLICY_OUT:
        /* Users may take a result out of out/ (mv it away) or delete it. */
        if (is_publisher || op == POLICY_READ || op == POLICY_DELETE ||
            op == POLICY_MOVE)
            return 0;
        return -EACCES;
    case POLICY_PRIVATE:
        return is_publisher ? 0 : -ENOENT;
    }
    return -EINVAL;
}

bool policy_is_hide_rename(const char *from, const char *to)
{
    const char *from_slash = strrchr(from, '/'), *to_slash = strrchr(to, '/');
    size_t from_dir = from_slash ? (size_t)(from_slash - from) : 0;
    size_t to_dir = to_slash ? (size_t)(to_slash - to) : 0;
    const char *name = to_slash ? to_slash + 1 : to;

    return from_dir == to_dir && strncmp(from, to, from_dir) == 0 &&
           strncmp(name, POLICY_HIDDEN_PREFIX, strlen(POLICY_HIDDEN_PREFIX)) ==
               0;
}

int policy_check_rename(const struct policy *policy, const char *from,
                        const char *to, unsigned flags, bool is_publisher)
{
    bool exchange = flags & RENAME_EXCHANGE;
    long from_model, to_model;
    int err;

    /*
     * RENAME_WHITEOUT would leave a device node (0, 0) in the drop area,
     * which holds none: refused as by a filesystem without whiteouts.
     */
    if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE))
        return -EINVAL;
    if (!exchange && policy_is_hide_rename(from, to))
        return policy_check(policy, from, POLICY_DELETE, is_publisher);

    err = policy_check(policy, from, POLICY_MOVE, is_publisher);
    if (!err && exchange)
        err = policy_check(policy, from, POLICY_CREATE, is_publisher);
    if (!err)
        err = policy_check(policy, to, POLICY_CREATE, is_publisher);
    if (!err && exchange)
        err = policy_check(policy, to, POLICY_MOVE, is_publisher);
    if (err)
        return err;
    from_model = policy_model_of(policy, from);
    to_model = policy_model_of(policy, to);
    if (from_model >= 0 && to_model >= 0 && from_model != to_model)
        return -EXDEV;
    return 0;
}

int policy_check_link(const struct policy *policy, const char *from,
                      const char *to, bool is_publisher)
{
    int err;

    err = policy_check(policy, from, POLICY_MODIFY, is_publisher);
    if (!err)
        err = policy_check(policy, to, POLICY_CREATE, is_publisher);
    if (err)
        return err;
    if (!is_publisher &&
        policy_model_of(policy, from) != policy_model_of(policy, to))
        return -EXDEV;
    return 0;
}

int policy_check_symlink(const struct policy *policy, const char *target,
                         const char *rel, bool is_publisher)
{
    bool named = false; /* a name came before: ".." is refused from then */
    long depth = 0;
    int err;

    err = policy_check(policy, rel, POLICY_CREATE, is_publisher);
    if (err)
        return err;
    if (!*target || target[0] == '/')
        return -EPERM;
    /* The link's own folder: one level per '/' in rel. */
    for (const char *p = rel; *p; p++)
        depth += *p == '/';
    for (const char *p = target; *p;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);

        if (len == 2 && p[0] == '.' && p[1] == '.') {
            /*
             * After a name, ".." climbs from wherever that name leads,
             * which may be another link: "up/../.." with up -> "../.."
             * looks inside and is not.
             */
            if (named || --depth < 0)
                return -EPERM;
        } else if (len > 0 && !(len == 1 && p[0] == '.')) {
            /* The private folder is nobody's target. */
            if (depth == 0 && !named && len == strlen(PUBLISH_PRIVATE_DIR) &&
                memcmp(p, PUBLISH_PRIVATE_DIR, len) == 0)
                return -EPERM;
            named = true;
        }
        p += len;
        if (*p == '/')
            p++;
    }
    /*
     * Nor is the store's root: a link to it would lead, through one more
     * name, to the private folder.
     */
    return !named && depth == 0 ? -EPERM : 0;
}

const char *const *policy_fixed_children(const struct policy *policy,
                                         const char *rel, size_t *count)
{
    const struct fixed_dir *d = find_dir(policy, rel);

    *count = 0;
    if (!d || d->model >= 0)
        return NULL;
    *count = d->child_count;
    return d->children;
}

bool policy_is_model_folder(const struct policy *policy, const char *rel)
{
    const struct fixed_dir *d = find_dir(policy, rel);

    return d && d->model >= 0;
}

unsigned long long policy_write_cap_bytes(const struct policy *policy,
                                          const char *rel)
{
    const char *base = strrchr(rel, '/');

    base = base ? base + 1 : rel;
    if (policy_area(policy, rel) != POLICY_DROP || names_is_junk(base) ||
        !names_is_image(base))
        return 0;
    /* One byte past the cap, so the job's record says "larger than". */
    return IMAGES_MAX_BYTES + 1ULL;
}
