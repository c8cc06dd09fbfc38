/*
 * Unit tests for the event loop (core/loop.c): timers and cancelling, posts
 * from another thread, fd watchers, signals, loop_stop from another thread.
 * Every test arms a watchdog timer that stops the loop and fails the test.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "core/loop.h"
#include "tests/check.h"

#define WATCHDOG_MS 5000

static void watchdog_cb(struct loop *loop, void *arg)
{
    *(bool *)arg = true;
    loop_stop(loop);
}

static void stop_cb(struct loop *loop, void *arg)
{
    (void)arg;
    loop_stop(loop);
}

/* ---- timers ---- */

struct timer_log {
    int order[16];
    int count;
    struct loop *loop;
    uint64_t victim; /* cancelled by the timer tagged 2 */
};

struct timer_tag {
    struct timer_log *log;
    int tag;
};

static void record_cb(struct loop *loop, void *arg)
{
    struct timer_tag *t = arg;

    (void)loop;
    if (t->log->count < 16)
        t->log->order[t->log->count++] = t->tag;
    if (t->tag == 2)
        loop_timer_cancel(t->log->loop, t->log->victim);
}

static void timers_fire_in_order_and_cancel(void)
{
    struct loop *loop = NULL;
    struct timer_log log = { .count = 0 };
    struct timer_tag tags[8];
    bool timed_out = false;
    uint64_t start, id_cancel, id_fired;

    CHECK_INT_EQ(loop_new(&loop), 0);
    if (!loop)
        return;
    log.loop = loop;
    for (int i = 0; i < 8; i++)
        tags[i] = (struct timer_tag){ &log, i };
    start = loop_now_ms();
    loop_timer_add(loop, WATCHDOG_MS, watchdog_cb, &timed_out);
    /* Added out of order; equal delays fire in order of adding. */
    CHECK(loop_timer_add(loop, 40, record_cb, &tags[4]) != 0);
    CHECK(loop_timer_add(loop, 10, record_cb, &tags[1]) != 0);
    id_cancel = loop_timer_add(loop, 20, record_cb, &tags[7]);
    CHECK(loop_timer_add(loop, 30, record_cb, &tags[3]) != 0);
    CHECK(loop_timer_add(loop, 15, record_cb, &tags[2]) != 0);
    log.victim = loop_timer_add(loop, 35, record_cb, &tags[6]);
    CHECK(loop_timer_add(loop, 0, record_cb, &tags[0]) != 0);
    CHECK(loop_timer_add(loop, 30, record_cb, &tags[5]) != 0);
    loop_timer_cancel(loop, id_cancel);
    loop_timer_cancel(loop, 999999); /* unknown: ignored */
    loop_timer_add(loop, 60, stop_cb, NULL);
    CHECK_INT_EQ(loop_run(loop), 0);
    CHECK(!timed_out);
    CHECK(loop_now_ms() - start >= 60);
    CHECK_INT_EQ(log.count, 6);
    static const int want[6] = { 0, 1, 2, 3, 5, 4 };
    for (int i = 0; i < log.count && i < 6; i++)
        CHECK_INT_EQ(log.order[i], want[i]);

    /* Cancelling a timer that already fired is harmless. */
    id_fired = loop_timer_add(loop, 1, stop_cb, NULL);
    CHECK_INT_EQ(loop_run(loop), 0);
    loop_timer_cancel(loop, id_fired);
    loop_free(loop);
}

/* Many timers, a third cancelled: the rest fire by due time, then by adding. */
#define MANY 3000

static struct {
    int delay_ms[MANY];
    /* The loop computes due times between these two bounds. */
    uint64_t due_lo_ms[MANY], due_hi_ms[MANY];
    uint64_t max_lo_ms; /* of the timers fired so far */
    int fired;
    bool is_out_of_order;
    bool fired_cancelled;
} many;

static void many_cb(struct loop *loop, void *arg)
{
    long i = (int *)arg - many.delay_ms;

    (void)loop;
    if (many.due_hi_ms[i] < many.max_lo_ms)
        many.is_out_of_order = true;
    if (many.due_lo_ms[i] > many.max_lo_ms)
        many.max_lo_ms = many.due_lo_ms[i];
    if (i % 3 == 0)
        many.fired_cancelled = true;
    many.fired++;
}

static void many_timers_stay_ordered(void)
{
    static uint64_t ids[MANY];
    struct loop *loop = NULL;
    bool timed_out = false;
    int expected = 0;

    CHECK_INT_EQ(loop_new(&loop), 0);
    if (!loop)
        return;
    loop_timer_add(loop, WATCHDOG_MS, watchdog_cb, &timed_out);
    for (int i = 0; i < MANY; i++) {
        /* Delays scrambled over 0..49 ms. */
        many.delay_ms[i] = (i * 37) % 50;
        many.due_lo_ms[i] = loop_now_ms() + (uint64_t)many.delay_ms[i];
        ids[i] = loop_timer_add(loop, (uint64_t)many.delay_ms[i], many_cb,
                                &many.delay_ms[i]);
        many.due_hi_ms[i] = loop_now_ms() + (uint64_t)many.delay_ms[i];
    }
    for (int i = 0; i < MANY; i += 3)
        loop_timer_cancel(loop, ids[i]);
    for (int i = 0; i < MANY; i++)
        expected += i % 3 != 0;
    loop_timer_add(loop, 100, stop_cb, NULL);
    CHECK_INT_EQ(loop_run(loop), 0);
    CHECK(!timed_out);
    CHECK_INT_EQ(many.fired, expected);
    CHECK(!many.is_out_of_order);
    CHECK(!many.fired_cancelled);
    loop_free(loop);
}

/* ---- posts ---- */

#define POSTS 20000

struct post_state {
    struct loop *loop;
    atomic_int next; /* the value expected next */
    atomic_bool is_out_of_order;
    long values[POSTS];
};

static struct post_state post_state;

static void post_cb(struct loop *loop, void *arg)
{
    long *v = arg;
    struct post_state *s = &post_state;

    if (*v != atomic_load(&s->next))
        atomic_store(&s->is_out_of_order, true);
    atomic_fetch_add(&s->next, 1);
    if (*v == POSTS - 1)
        loop_stop(loop);
}

static void *poster_main(void *arg)
{
    struct post_state *s = arg;

    for (long i = 0; i < POSTS; i++) {
        s->values[i] = i;
        if (loop_post(s->loop, post_cb, &s->values[i]) != 0)
            break;
    }
    return NULL;
}

static void posts_from_thread_arrive_in_order(void)
{
    struct post_state *ps = &post_state;
    bool timed_out = false;
    pthread_t th;

    CHECK_INT_EQ(loop_new(&ps->loop), 0);
    if (!ps->loop)
        return;
    atomic_init(&ps->next, 0);
    atomic_init(&ps->is_out_of_order, false);
    loop_timer_add(ps->loop, WATCHDOG_MS, watchdog_cb, &timed_out);
    CHECK_INT_EQ(pthread_create(&th, NULL, poster_main, ps), 0);
    CHECK_INT_EQ(loop_run(ps->loop), 0);
    pthread_join(th, NULL);
    CHECK(!timed_out);
    CHECK(!atomic_load(&ps->is_out_of_order));
    CHECK_INT_EQ(atomic_load(&ps->next), POSTS);
    loop_free(ps->loop);
}

static void count_cb(struct loop *loop, void *arg)
{
    int *n = arg;

    if (++*n == 2)
        loop_stop(loop);
}

/* Posts left when the loop stops run on the next loop_run, still in order. */
static void posts_survive_stop(void)
{
    struct loop *loop = NULL;
    bool timed_out = false;
    int n = 0;

    CHECK_INT_EQ(loop_new(&loop), 0);
    if (!loop)
        return;
    for (int i = 0; i < 3; i++)
        CHECK_INT_EQ(loop_post(loop, count_cb, &n), 0);
    uint64_t dog = loop_timer_add(loop, WATCHDOG_MS, watchdog_cb, &timed_out);
    CHECK_INT_EQ(loop_run(loop), 0);
    CHECK_INT_EQ(n, 2);
    CHECK_INT_EQ(loop_post(loop, stop_cb, NULL), 0);
    CHECK_INT_EQ(loop_run(loop), 0);
    CHECK_INT_EQ(n, 3);
    CHECK(!timed_out);
    loop_timer_cancel(loop, dog);
    /* Dropped, not leaked, when the loop is freed with posts queued. */
    CHECK_INT_EQ(loop_post(loop, count_cb, &n), 0);
    loop_free(loop);
}

/* ---- fd watchers ---- */

struct pipe_state {
    int fds[2];
    int calls;
    char got;
};

static void write_cb(struct loop *loop, void *arg)
{
    struct pipe_state *p = arg;

    (void)loop;
    CHECK_INT_EQ(write(p->fds[1], "x", 1), 1);
}

static void pipe_read_cb(struct loop *loop, int fd, uint32_t events, void *arg)
{
    struct pipe_state *p = arg;

    CHECK(events & EPOLLIN);
    CHECK_INT_EQ(read(fd, &p->got, 1), 1);
    p->calls++;
    CHECK_INT_EQ(loop_del_fd(loop, fd), 0);
    loop_stop(loop);
}

static void fd_watcher_fires_on_pipe(void)
{
    struct pipe_state p = { .calls = 0 };
    struct loop *loop = NULL;
    bool timed_out = false;

    CHECK_INT_EQ(loop_new(&loop), 0);
    CHECK_INT_EQ(pipe(p.fds), 0);
    if (!loop)
        return;
    loop_timer_add(loop, WATCHDOG_MS, watchdog_cb, &timed_out);
    CHECK_INT_EQ(loop_add_fd(loop, p.fds[0], EPOLLIN, pipe_read_cb, &p), 0);
    CHECK_INT_EQ(loop_add_fd(loop, p.fds[0], EPOLLIN, pipe_read_cb, &p),
                 -EEXIST);
    loop_timer_add(loop, 10, write_cb, &p);
    CHECK_INT_EQ(loop_run(loop), 0);
    CHECK(!timed_out);
    CHECK_INT_EQ(p.calls, 1);
    CHECK_INT_EQ(p.got, 'x');
    CHECK_INT_EQ(loop_del_fd(loop, p.fds[0]), -ENOENT);
    CHECK_INT_EQ(loop_mod_fd(loop, p.fds[0], EPOLLIN), -ENOENT);
    close(p.fds[0]);
    close(p.fds[1]);
    loop_free(loop);
}

struct two_pipes {
    int a[2], b[2];
    int calls;
};

static void both_gone_cb(struct loop *loop, int fd, uint32_t events, void *arg)
{
    struct two_pipes *t = arg;

    (void)fd;
    (void)events;
    t->calls++;
    /* One of these has an event waiting in the batch being dispatched. */
    CHECK_INT_EQ(loop_del_fd(loop, t->a[0]), 0);
    CHECK_INT_EQ(loop_del_fd(loop, t->b[0]), 0);
    loop_timer_add(loop, 20, stop_cb, NULL);
}

/* Deleting a watcher whose event is already in the batch is safe. */
static void delete_pending_watcher(void)
{
    struct two_pipes t = { .calls = 0 };
    struct loop *loop = NULL;
    bool timed_out = false;

    CHECK_INT_EQ(loop_new(&loop), 0);
    CHECK_INT_EQ(pipe(t.a), 0);
    CHECK_INT_EQ(pipe(t.b), 0);
    if (!loop)
        return;
    CHECK_INT_EQ(write(t.a[1], "1", 1), 1);
    CHECK_INT_EQ(write(t.b[1], "2", 1), 1);
    CHECK_INT_EQ(loop_add_fd(loop, t.a[0], EPOLLIN, both_gone_cb, &t), 0);
    CHECK_INT_EQ(loop_add_fd(loop, t.b[0], EPOLLIN, both_gone_cb, &t), 0);
    loop_timer_add(loop, WATCHDOG_MS, watchdog_cb, &timed_out);
    CHECK_INT_EQ(loop_run(loop), 0);
    CHECK(!timed_out);
    /* Both were ready; only the first callback ran. */
    CHECK_INT_EQ(t.calls, 1);
    for (int i = 0; i < 2; i++) {
        close(t.a[i]);
        close(t.b[i]);
    }
    loop_free(loop);
}

/* ---- signals ---- */

static void raise_cb(struct loop *loop, void *arg)
{
    (void)loop;
    (void)arg;
    CHECK_INT_EQ(kill(getpid(), SIGUSR1), 0);
}

static void got_signal_cb(struct loop *loop, void *arg)
{
    *(int *)arg += 1;
    loop_stop(loop);
}

static void signal_runs_callback(void)
{
    struct loop *loop = NULL;
    bool timed_out = false;
    int got = 0;

    CHECK_INT_EQ(loop_new(&loop), 0);
    if (!loop)
        return;
    CHECK_INT_EQ(loop_add_signal(loop, SIGUSR1, got_signal_cb, &got), 0);
    CHECK_INT_EQ(loop_add_signal(loop, SIGUSR2, got_signal_cb, &got), 0);
    loop_timer_add(loop, WATCHDOG_MS, watchdog_cb, &timed_out);
    loop_timer_add(loop, 5, raise_cb, NULL);
    CHECK_INT_EQ(loop_run(loop), 0);
    CHECK(!timed_out);
    CHECK_INT_EQ(got, 1);
    loop_free(loop);
}

/* ---- loop_stop from another thread ---- */

struct stopper {
    struct loop *loop;
    atomic_bool is_running;
};

static void mark_running_cb(struct loop *loop, void *arg)
{
    (void)loop;
    atomic_store(&((struct stopper *)arg)->is_running, true);
}

static void *stopper_main(void *arg)
{
    struct stopper *s = arg;
    struct timespec tick = { 0, 1000000 };

    /* Wait, with a deadline, until the loop is provably running. */
    CHECK_INT_EQ(loop_post(s->loop, mark_running_cb, s), 0);
    for (int i = 0; i < WATCHDOG_MS && !atomic_load(&s->is_running); i++)
        nanosleep(&tick, NULL);
    loop_stop(s->loop);
    return NULL;
}

static void stop_from_other_thread(void)
{
    struct stopper s;
    bool timed_out = false;
    pthread_t th;
    uint64_t start;

    CHECK_INT_EQ(loop_new(&s.loop), 0);
    if (!s.loop)
        return;
    atomic_init(&s.is_running, false);
    /* Only the watchdog is armed: without loop_stop the loop would wait. */
    loop_timer_add(s.loop, 2 * WATCHDOG_MS, watchdog_cb, &timed_out);
    start = loop_now_ms();
    CHECK_INT_EQ(pthread_create(&th, NULL, stopper_main, &s), 0);
    CHECK_INT_EQ(loop_run(s.loop), 0);
    pthread_join(th, NULL);
    CHECK(!timed_out);
    CHECK(atomic_load(&s.is_running));
    CHECK(loop_now_ms() - start < WATCHDOG_MS);
    loop_free(s.loop);
}

CHECK_MAIN(CHECK_CASE(signal_runs_callback),
           CHECK_CASE(timers_fire_in_order_and_cancel),
           CHECK_CASE(many_timers_stay_ordered),
           CHECK_CASE(posts_from_thread_arrive_in_order),
           CHECK_CASE(posts_survive_stop), CHECK_CASE(fd_watcher_fires_on_pipe),
           CHECK_CASE(delete_pending_watcher),
           CHECK_CASE(stop_from_other_thread))
