/*
 * Intrusive doubly linked list, circular with a sentinel head.
 */
#ifndef CORE_LIST_H
#define CORE_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list {
    struct list *prev;
    struct list *next;
};

#define LIST_INIT(name)  \
    {                    \
        &(name), &(name) \
    }

#define list_entry(ptr, type, member) \
    ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

#define list_for_each(pos, head) \
    for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

#define list_for_each_safe(pos, tmp, head)                           \
    for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head); \
         (pos) = (tmp), (tmp) = (pos)->next)

static inline void list_init(struct list *head)
{
    head->prev = head;
    head->next = head;
}

static inline bool list_is_empty(const struct list *head)
{
    return head->next == head;
}

/* Inserts item at the end of the list. */
static inline void list_append(struct list *head, struct list *item)
{
    item->prev = head->prev;
    item->next = head;
    head->prev->next = item;
    head->prev = item;
}

/* Unlinks item and leaves it pointing at itself. */
static inline void list_remove(struct list *item)
{
    item->prev->next = item->next;
    item->next->prev = item->prev;
    item->prev = item;
    item->next = item;
}

#endif
