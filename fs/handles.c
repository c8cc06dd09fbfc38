/*
 * Open write handles per path (see handles.h): a list of entries under one
 * mutex. Few files are open for writing at once, so a list is enough.
 */
#include "fs/handles.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/list.h"
#include "core/mem.h"

struct handle {
    struct list node; /* in handles->entries while the name exists */
    char *rel;        /* current name */
    unsigned writers; /* open write handles */
    bool is_gone;     /* unlinked or replaced: report nothing */
    uint64_t last_busy_ms;
};

struct handles {
    pthread_mutex_t lock;
    struct list entries;
};

struct handles *handles_new(void)
{
    struct handles *handles = xcalloc(1, sizeof(*handles));

    pthread_mutex_init(&handles->lock, NULL);
    list_init(&handles->entries);
    return handles;
}

void handles_free(struct handles *handles)
{
    struct list *pos, *tmp;

    if (!handles)
        return;
    list_for_each_safe(pos, tmp, &handles->entries) {
        struct handle *h = list_entry(pos, struct handle, node);

        list_remove(&h->node);
        free(h->rel);
        free(h);
    }
    pthread_mutex_destroy(&handles->lock);
    free(handles);
}

/* The live entry named rel, or NULL. Caller holds the lock. */
static struct handle *find(struct handles *handles, const char *rel)
{
    struct list *pos;

    list_for_each(pos, &handles->entries) {
        struct handle *h = list_entry(pos, struct handle, node);

        if (strcmp(h->rel, rel) == 0)
            return h;
    }
    return NULL;
}

/* Marks an entry gone: it leaves the table but lives while handles do. */
static void detach(struct handle *h)
{
    h->is_gone = true;
    list_remove(&h->node);
}

struct handle *handles_open(struct handles *handles, const char *rel)
{
    struct handle *h;

    pthread_mutex_lock(&handles->lock);
    h = find(handles, rel);
    if (!h) {
        h = xcalloc(1, sizeof(*h));
        h->rel = xstrdup(rel);
        list_append(&handles->entries, &h->node);
    }
    h->writers++;
    pthread_mutex_unlock(&handles->lock);
    return h;
}

bool handles_release(struct handles *handles, struct handle *h, char **rel)
{
    bool is_last = false;

    pthread_mutex_lock(&handles->lock);
    if (--h->writers == 0) {
        if (!h->is_gone) {
            list_remove(&h->node);
            *rel = h->rel;
            is_last = true;
        } else {
            free(h->rel);
        }
        free(h);
    }
    pthread_mutex_unlock(&handles->lock);
    return is_last;
}

unsigned handles_count(struct handles *handles, const char *rel)
{
    struct handle *h;
    unsigned count;

    pthread_mutex_lock(&handles->lock);
    h = find(handles, rel);
    count = h ? h->writers : 0;
    pthread_mutex_unlock(&handles->lock);
    return count;
}

bool handles_busy_due(struct handles *handles, struct handle *h,
                      uint64_t now_ms, uint64_t interval_ms, char **rel)
{
    bool is_due = false;

    pthread_mutex_lock(&handles->lock);
    if (!h->is_gone &&
        (h->last_busy_ms == 0 || now_ms - h->last_busy_ms >= interval_ms)) {
        h->last_busy_ms = now_ms;
        *rel = xstrdup(h->rel);
        is_due = true;
    }
    pthread_mutex_unlock(&handles->lock);
    return is_due;
}

/* If rel is prefix or below it, returns the length of prefix; else 0. */
static size_t under(const char *rel, const char *prefix)
{
    size_t len = strlen(prefix);

    if (strncmp(rel, prefix, len) != 0)
        return 0;
    return rel[len] == '\0' || rel[len] == '/' ? len : 0;
}

static void rebase(struct handle *h, size_t old_len, const char *new_prefix)
{
    char *rel = xasprintf("%s%s", new_prefix, h->rel + old_len);

    free(h->rel);
    h->rel = rel;
}

void handles_rename(struct handles *handles, const char *from, const char *to,
                    bool exchange)
{
    struct list *pos, *tmp;
    struct list moved_from, moved_to;
    size_t len;

    list_init(&moved_from);
    list_init(&moved_to);
    pthread_mutex_lock(&handles->lock);
    /* Sort out the two sides first so that a swap cannot move twice. */
    list_for_each_safe(pos, tmp, &handles->entries) {
        struct handle *h = list_entry(pos, struct handle, node);

        if (under(h->rel, from)) {
            list_remove(&h->node);
            list_append(&moved_from, &h->node);
        } else if (under(h->rel, to)) {
            if (exchange) {
                list_remove(&h->node);
                list_append(&moved_to, &h->node);
            } else {
                detach(h);
            }
        }
    }
    len = strlen(from);
    list_for_each_safe(pos, tmp, &moved_from) {
        struct handle *h = list_entry(pos, struct handle, node);

        rebase(h, len, to);
        list_remove(&h->node);
        list_append(&handles->entries, &h->node);
    }
    len = strlen(to);
    list_for_each_safe(pos, tmp, &moved_to) {
        struct handle *h = list_entry(pos, struct handle, node);

        rebase(h, len, from);
        list_remove(&h->node);
        list_append(&handles->entries, &h->node);
    }
    pthread_mutex_unlock(&handles->lock);
}

void handles_forget(struct handles *handles, const char *rel)
{
    struct handle *h;

    pthread_mutex_lock(&handles->lock);
    h = find(handles, rel);
    if (h)
        detach(h);
    pthread_mutex_unlock(&handles->lock);
}
