/*
 * Submit marks: <store>/.i2vfs/submits/<job key> holds the idempotency key
 * of the job's run from just before its submit is sent until the run ends.
 * Written synchronously, unlike records (which the publisher makes visible
 * a moment later), so a daemon killed in between still knows, at its next
 * start, that the provider may have the task and under which key.
 */
#ifndef JOBS_SUBMITS_H
#define JOBS_SUBMITS_H

/*
 * Marks the submit of the run of job_key (hex) with idempotency_key as
 * sent; called before the submit leaves. 0, -EINVAL for a key that is not
 * a plain name, or -errno.
 */
int submits_mark(const char *store_root, const char *job_key,
                 const char *idempotency_key);

/*
 * The idempotency key of a submit an earlier daemon sent for job_key and
 * whose run did not end: 0 with *idempotency_key (the caller frees), or
 * -ENOENT.
 */
int submits_find(const char *store_root, const char *job_key,
                 char **idempotency_key);

/* Forgets the mark of job_key (its run ended); missing is fine. */
void submits_clear(const char *store_root, const char *job_key);

#endif
