/*
 * The engine's event loop: one epoll set on one thread for fd watchers,
 * millisecond timers, signals and callbacks posted from other threads.
 * Nothing that runs on it may block.
 */
#ifndef CORE_LOOP_H
#define CORE_LOOP_H

#include <stdint.h>

struct loop;

/* Called on the loop thread when fd is ready; events are EPOLL* bits. */
typedef void (*loop_fd_cb)(struct loop *loop, int fd, uint32_t events,
                           void *arg);
/* Called on the loop thread for timers, signals and posted callbacks. */
typedef void (*loop_call_cb)(struct loop *loop, void *arg);

/* Creates a loop. Returns 0 or a negative errno. */
int loop_new(struct loop **out);

/* Frees the loop; pending posted calls are dropped. loop_free(NULL) is a no-op.
 */
void loop_free(struct loop *loop);

/* Watches fd for events (EPOLLIN, EPOLLOUT …). Loop thread only. */
int loop_add_fd(struct loop *loop, int fd, uint32_t events, loop_fd_cb cb,
                void *arg);
/* Changes the events watched on fd. Loop thread only. */
int loop_mod_fd(struct loop *loop, int fd, uint32_t events);
/* Stops watching fd (does not close it). Loop thread only. */
int loop_del_fd(struct loop *loop, int fd);

/*
 * Calls cb once after delay_ms. Returns a timer id (never 0) for
 * loop_timer_cancel. Loop thread only (or before loop_run starts).
 */
uint64_t loop_timer_add(struct loop *loop, uint64_t delay_ms, loop_call_cb cb,
                        void *arg);
/* Cancels a pending timer; an unknown or fired id is ignored. */
void loop_timer_cancel(struct loop *loop, uint64_t id);

/* Runs cb on the loop thread when signo arrives (blocks signo first). */
int loop_add_signal(struct loop *loop, int signo, loop_call_cb cb, void *arg);

/*
 * Queues cb(arg) to run on the loop thread, in order of posting. Safe from
 * any thread, never blocks on the loop. Returns 0 or a negative errno.
 */
int loop_post(struct loop *loop, loop_call_cb cb, void *arg);

/* Runs until loop_stop. Returns 0 or a negative errno. */
int loop_run(struct loop *loop);

/* Makes loop_run return after the current callback. Safe from any thread. */
void loop_stop(struct loop *loop);

/* Monotonic clock in milliseconds. */
uint64_t loop_now_ms(void);

#endif
