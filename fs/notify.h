/*
 * Readiness for service managers: the sd_notify protocol without
 * libsystemd (a datagram "READY=1" to $NOTIFY_SOCKET).
 */
#ifndef FS_NOTIFY_H
#define FS_NOTIFY_H

/*
 * Sends READY=1 when $NOTIFY_SOCKET is set. Returns 0 (also when it is not
 * set) or a negative errno.
 */
int notify_ready(void);

#endif
