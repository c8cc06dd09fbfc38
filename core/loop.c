/*
 * The event loop (see loop.h): epoll for fds, a min-heap of timers with a
 * hash from id to timer for cancelling, a signalfd, and an eventfd that
 * wakes the loop for posted calls and for loop_stop.
 */
#include "core/loop.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "core/list.h"
#include "core/log.h"
#include "core/mem.h"

#define LOOP_MAX_EVENTS 64

struct fd_watch {
    int fd;
    bool is_dead; /* deleted while events for it may still be pending */
    loop_fd_cb cb;
    void *arg;
    struct list dead_link;
};

struct timer {
    uint64_t id;
    uint64_t due_ms;
    size_t heap_index;
    struct timer *hash_next;
    loop_call_cb cb;
    void *arg;
};

struct post {
    loop_call_cb cb;
    void *arg;
    struct list link;
};

struct sig_handler {
    loop_call_cb cb;
    void *arg;
};

struct loop {
    int epfd;
    int event_fd; /* wakes the loop: posts and loop_stop */
    int signal_fd;
    sigset_t signals;
    struct sig_handler handlers[_NSIG];

    struct fd_watch **by_fd; /* indexed by fd */
    size_t by_fd_len;
    struct list dead; /* fd_watch freed after the current batch */

    struct timer **heap;
    size_t heap_len, heap_cap;
    struct timer **buckets; /* id -> timer, chained */
    size_t bucket_count;
    uint64_t next_timer_id;

    pthread_mutex_t post_lock;
    struct list posts; /* under post_lock */

    atomic_bool is_stopping;
};

uint64_t loop_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Reads and discards the eventfd counter. */
static void event_fd_cb(struct loop *loop, int fd, uint32_t events, void *arg);
static void signal_fd_cb(struct loop *loop, int fd, uint32_t events, void *arg);

int loop_new(struct loop **out)
{
    struct loop *loop = xcalloc(1, sizeof(*loop));
    int rc;

    loop->epfd = -1;
    loop->event_fd = -1;
    loop->signal_fd = -1;
    list_init(&loop->dead);
    list_init(&loop->posts);
    sigemptyset(&loop->signals);
    loop->next_timer_id = 1;
    loop->bucket_count = 64;
    loop->buckets = xcalloc(loop->bucket_count, sizeof(*loop->buckets));
    atomic_init(&loop->is_stopping, false);
    rc = pthread_mutex_init(&loop->post_lock, NULL);
    if (rc != 0) {
        free(loop->buckets);
        free(loop);
        return -rc;
    }

    loop->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (loop->epfd < 0) {
        rc = -errno;
        goto fail;
    }
    loop->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (loop->event_fd < 0) {
        rc = -errno;
        goto fail;
    }
    rc = loop_add_fd(loop, loop->event_fd, EPOLLIN, event_fd_cb, NULL);
    if (rc < 0)
        goto fail;
    *out = loop;
    return 0;
fail:
    loop_free(loop);
    return rc;
}

void loop_free(struct loop *loop)
{
    struct list *pos, *tmp;

    if (!loop)
        return;
    for (size_t i = 0; i < loop->by_fd_len; i++)
        free(loop->by_fd[i]);
    free(loop->by_fd);
    list_for_each_safe(pos, tmp, &loop->dead) {
        free(list_entry(pos, struct fd_watch, dead_link));
    }
    for (size_t i = 0; i < loop->heap_len; i++)
        free(loop->heap[i]);
    free(loop->heap);
    free(loop->buckets);
    list_for_each_safe(pos, tmp, &loop->posts) {
        free(list_entry(pos, struct post, link));
    }
    pthread_mutex_destroy(&loop->post_lock);
    if (loop->signal_fd >= 0)
        close(loop->signal_fd);
    if (loop->event_fd >= 0)
        close(loop->event_fd);
    if (loop->epfd >= 0)
        close(loop->epfd);
    free(loop);
}

/* ---- fd watchers ---- */

/* The live watcher for fd, or NULL. */
static struct fd_watch *fd_find(struct loop *loop, int fd)
{
    if (fd < 0 || (size_t)fd >= loop->by_fd_len)
        return NULL;
    return loop->by_fd[fd];
}

int loop_add_fd(struct loop *loop, int fd, uint32_t events, loop_fd_cb cb,
                void *arg)
{
    struct epoll_event ev = { .events = events };
    struct fd_watch *w;

    if (fd < 0)
        return -EBADF;
    if (fd_find(loop, fd))
        return -EEXIST;
    if ((size_t)fd >= loop->by_fd_len) {
        size_t len = loop->by_fd_len ? loop->by_fd_len : 16;

        while (len <= (size_t)fd)
            len *= 2;
        loop->by_fd = xrealloc(loop->by_fd, len * sizeof(*loop->by_fd));
        memset(loop->by_fd + loop->by_fd_len, 0,
               (len - loop->by_fd_len) * sizeof(*loop->by_fd));
        loop->by_fd_len = len;
    }
    w = xcalloc(1, sizeof(*w));
    w->fd = fd;
    w->cb = cb;
    w->arg = arg;
    list_init(&w->dead_link);
    ev.data.ptr = w;
    if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        int rc = -errno;

        free(w);
        return rc;
    }
    loop->by_fd[fd] = w;
    return 0;
}

int loop_mod_fd(struct loop *loop, int fd, uint32_t events)
{
    struct fd_watch *w = fd_find(loop, fd);
    struct epoll_event ev = { .events = events };

    if (!w)
        return -ENOENT;
    ev.data.ptr = w;
    if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
        return -errno;
    return 0;
}

int loop_del_fd(struct loop *loop, int fd)
{
    struct fd_watch *w = fd_find(loop, fd);
    int rc = 0;

    if (!w)
        return -ENOENT;
    /* The fd may already be closed, which removed it from the set. */
    if (epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL) < 0 && errno != EBADF &&
        errno != ENOENT)
        rc = -errno;
    loop->by_fd[fd] = NULL;
    /* Events for w may sit in the batch being dispatched: free it later. */
    w->is_dead = true;
    list_append(&loop->dead, &w->dead_link);
    return rc;
}

/* ---- timers: a min-heap on (due, id) and a hash on id ---- */

static bool timer_before(const struct timer *a, const struct timer *b)
{
    if (a->due_ms != b->due_ms)
        return a->due_ms < b->due_ms;
    return a->id < b->id;
}

static void heap_set(struct loop *loop, size_t i, struct timer *t)
{
    loop->heap[i] = t;
    t->heap_index = i;
}

static void heap_up(struct loop *loop, size_t i)
{
    struct timer *t = loop->heap[i];

    while (i > 0) {
        size_t parent = (i - 1) / 2;

        if (!timer_before(t, loop->heap[parent]))
            break;
        heap_set(loop, i, loop->heap[parent]);
        i = parent;
    }
    heap_set(loop, i, t);
}

static void heap_down(struct loop *loop, size_t i)
{
    struct timer *t = loop->heap[i];

    for (;;) {
        size_t child = 2 * i + 1;

        if (child >= loop->heap_len)
            break;
        if (child + 1 < loop->heap_len &&
            timer_before(loop->heap[child + 1], loop->heap[child]))
            child++;
        if (!timer_before(loop->heap[child], t))
            break;
        heap_set(loop, i, loop->heap[child]);
        i = child;
    }
    heap_set(loop, i, t);
}

/* Takes t out of the heap (it stays allocated). */
static void heap_remove(struct loop *loop, struct timer *t)
{
    size_t i = t->heap_index;
    struct timer *last = loop->heap[--loop->heap_len];

    if (last == t)
        return;
    heap_set(loop, i, last);
    heap_up(loop, i);
    heap_down(loop, last->heap_index);
}

static size_t bucket_of(const struct loop *loop, uint64_t id)
{
    return (size_t)(id * 0x9E3779B97F4A7C15ull >> 32) % loop->bucket_count;
}

static void hash_insert(struct loop *loop, struct timer *t)
{
    size_t b = bucket_of(loop, t->id);

    t->hash_next = loop->buckets[b];
    loop->buckets[b] = t;
}

/* Unlinks and returns the timer with id, or NULL. */
static struct timer *hash_take(struct loop *loop, uint64_t id)
{
    struct timer **pp = &loop->buckets[bucket_of(loop, id)];

    for (; *pp; pp = &(*pp)->hash_next) {
        struct timer *t = *pp;

        if (t->id == id) {
            *pp = t->hash_next;
            return t;
        }
    }
    return NULL;
}

/* Doubles the buckets when timers outnumber them, to keep chains short. */
static void hash_grow(struct loop *loop)
{
    struct timer **old = loop->buckets;
    size_t old_count = loop->bucket_count;

    loop->bucket_count *= 2;
    loop->buckets = xcalloc(loop->bucket_count, sizeof(*loop->buckets));
    for (size_t i = 0; i < old_count; i++) {
        struct timer *t = old[i];

        while (t) {
            struct timer *next = t->hash_next;

            hash_insert(loop, t);
            t = next;
        }
    }
    free(old);
}

uint64_t loop_timer_add(struct loop *loop, uint64_t delay_ms, loop_call_cb cb,
                        void *arg)
{
    struct timer *t = xcalloc(1, sizeof(*t));
    uint64_t now = loop_now_ms();

    t->id = loop->next_timer_id++;
    t->due_ms = delay_ms > UINT64_MAX - now ? UINT64_MAX : now + delay_ms;
    t->cb = cb;
    t->arg = arg;
    if (loop->heap_len == loop->heap_cap) {
        loop->heap_cap = loop->heap_cap ? loop->heap_cap * 2 : 16;
        loop->heap = xrealloc(loop->heap, loop->heap_cap * sizeof(*loop->heap));
    }
    loop->heap[loop->heap_len++] = t;
    heap_up(loop, loop->heap_len - 1);
    if (loop->heap_len > loop->bucket_count)
        hash_grow(loop);
    hash_insert(loop, t);
    return t->id;
}

void loop_timer_cancel(struct loop *loop, uint64_t id)
{
    struct timer *t = hash_take(loop, id);

    if (!t)
        return;
    heap_remove(loop, t);
    free(t);
}

/* Milliseconds until the next timer, for epoll_wait: -1 when none. */
static int next_timeout_ms(struct loop *loop)
{
    uint64_t now, due;

    if (loop->heap_len == 0)
        return -1;
    due = loop->heap[0]->due_ms;
    now = loop_now_ms();
    if (due <= now)
        return 0;
    return due - now > INT_MAX ? INT_MAX : (int)(due - now);
}

/*
 * Fires the timers that are due, in order. Timers added meanwhile wait for
 * the next round, so a timer that re-arms itself at 0 ms cannot starve fds.
 */
static void run_timers(struct loop *loop)
{
    uint64_t now = loop_now_ms();
    uint64_t first_new_id = loop->next_timer_id;

    while (loop->heap_len > 0 && !atomic_load(&loop->is_stopping)) {
        struct timer *t = loop->heap[0];

        if (t->due_ms > now || t->id >= first_new_id)
            break;
        heap_remove(loop, t);
        (void)hash_take(loop, t->id); /* known to be there */
        t->cb(loop, t->arg);
        free(t);
    }
}

/* ---- signals ---- */

int loop_add_signal(struct loop *loop, int signo, loop_call_cb cb, void *arg)
{
    sigset_t one;
    int fd, rc;

    if (signo <= 0 || signo >= _NSIG)
        return -EINVAL;
    sigemptyset(&one);
    sigaddset(&one, signo);
    rc = pthread_sigmask(SIG_BLOCK, &one, NULL);
    if (rc != 0)
        return -rc;
    sigaddset(&loop->signals, signo);
    fd = signalfd(loop->signal_fd, &loop->signals, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (loop->signal_fd < 0) {
        rc = loop_add_fd(loop, fd, EPOLLIN, signal_fd_cb, NULL);
        if (rc < 0) {
            close(fd);
            return rc;
        }
        loop->signal_fd = fd;
    }
    loop->handlers[signo].cb = cb;
    loop->handlers[signo].arg = arg;
    return 0;
}

static void signal_fd_cb(struct loop *loop, int fd, uint32_t events, void *arg)
{
    struct signalfd_siginfo si;

    (void)events;
    (void)arg;
    while (!atomic_load(&loop->is_stopping)) {
        ssize_t n = read(fd, &si, sizeof(si));

        if (n != (ssize_t)sizeof(si)) {
            if (n < 0 && errno != EAGAIN && errno != EINTR)
                log_warn("signalfd read: %s", strerror(errno));
            return;
        }
        if (si.ssi_signo < _NSIG && loop->handlers[si.ssi_signo].cb)
            loop->handlers[si.ssi_signo].cb(loop,
                                            loop->handlers[si.ssi_signo].arg);
    }
}

/* ---- posted calls and stopping ---- */

/* Adds one to the eventfd counter so epoll_wait returns. */
static int wake(struct loop *loop)
{
    uint64_t one = 1;

    for (;;) {
        if (write(loop->event_fd, &one, sizeof(one)) == (ssize_t)sizeof(one))
            return 0;
        if (errno == EINTR)
            continue;
        /* EAGAIN: the counter is saturated, so the loop wakes anyway. */
        return errno == EAGAIN ? 0 : -errno;
    }
}

int loop_post(struct loop *loop, loop_call_cb cb, void *arg)
{
    struct post *p = xcalloc(1, sizeof(*p));

    p->cb = cb;
    p->arg = arg;
    pthread_mutex_lock(&loop->post_lock);
    list_append(&loop->posts, &p->link);
    pthread_mutex_unlock(&loop->post_lock);
    return wake(loop);
}

void loop_stop(struct loop *loop)
{
    atomic_store(&loop->is_stopping, true);
    /* Nothing useful to do if the wake fails: the loop is broken anyway. */
    (void)wake(loop);
}

/* Runs the calls posted so far, in order; the rest stay queued on stop. */
static void run_posts(struct loop *loop)
{
    struct list batch;

    list_init(&batch);
    pthread_mutex_lock(&loop->post_lock);
    if (!list_is_empty(&loop->posts)) {
        /* Move the whole queue into batch. */
        batch.next = loop->posts.next;
        batch.prev = loop->posts.prev;
        batch.next->prev = &batch;
        batch.prev->next = &batch;
        list_init(&loop->posts);
    }
    pthread_mutex_unlock(&loop->post_lock);

    while (!list_is_empty(&batch)) {
        struct post *p;

        if (atomic_load(&loop->is_stopping)) {
            /* Put the rest back in front of anything posted meanwhile. */
            pthread_mutex_lock(&loop->post_lock);
            batch.prev->next = loop->posts.next;
            loop->posts.next->prev = batch.prev;
            loop->posts.next = batch.next;
            batch.next->prev = &loop->posts;
            pthread_mutex_unlock(&loop->post_lock);
            /* Let the next loop_run see them without a new post. */
            (void)wake(loop); /* failure only delays them */
            return;
        }
        p = list_entry(batch.next, struct post, link);
        list_remove(&p->link);
        p->cb(loop, p->arg);
        free(p);
    }
}

static void event_fd_cb(struct loop *loop, int fd, uint32_t events, void *arg)
{
    uint64_t count;

    (void)events;
    (void)arg;
    /* Drain first: a post that races in after this re-arms the fd. */
    if (read(fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
        log_warn("eventfd read: %s", strerror(errno));
    run_posts(loop);
}

/* ---- running ---- */

static void free_dead(struct loop *loop)
{
    struct list *pos, *tmp;

    list_for_each_safe(pos, tmp, &loop->dead) {
        list_remove(pos);
        free(list_entry(pos, struct fd_watch, dead_link));
    }
}

int loop_run(struct loop *loop)
{
    struct epoll_event events[LOOP_MAX_EVENTS];
    int rc = 0;

    while (!atomic_load(&loop->is_stopping)) {
        int n = epoll_wait(loop->epfd, events, LOOP_MAX_EVENTS,
                           next_timeout_ms(loop));

        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = -errno;
            log_error("epoll_wait: %s", strerror(errno));
            break;
        }
        for (int i = 0; i < n && !atomic_load(&loop->is_stopping); i++) {
            struct fd_watch *w = events[i].data.ptr;

            if (!w->is_dead)
                w->cb(loop, w->fd, events[i].events, w->arg);
        }
        free_dead(loop);
        run_timers(loop);
    }
    atomic_store(&loop->is_stopping, false);
    return rc;
}
