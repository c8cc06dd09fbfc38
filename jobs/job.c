/*
 * The job object and the table of jobs (see job.h).
 */
#include "jobs/job.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/log.h"
#include "core/mem.h"

void job_table_init(struct job_table *table, const char *store_root,
                    const struct catalog *catalog, struct publisher *publisher)
{
    struct timespec ts;

    memset(table, 0, sizeof(*table));
    table->store_root = xstrdup(store_root);
    table->catalog = catalog;
    table->publisher = publisher;
    list_init(&table->jobs);
    table->next_id = 1;
    /*
     * Staging names carry the pid and this counter; starting it from the
     * clock keeps them unique across engines of one process (tests).
     */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    table->seq = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void job_free(struct job *job)
{
    record_release(&job->rec);
    free(job->dir_rel);
    free(job->stem);
    free(job->waiting_rel);
    free(job);
}

void job_table_release(struct job_table *table)
{
    struct list *pos, *tmp;

    list_for_each_safe(pos, tmp, &table->jobs) {
        list_remove(pos);
        job_free(list_entry(pos, struct job, link));
    }
    free(table->store_root);
    table->store_root = NULL;
}

struct job *job_find(struct job_table *table, const char *dir_rel,
                     const char *stem)
{
    struct list *pos;

    list_for_each(pos, &table->jobs) {
        struct job *job = list_entry(pos, struct job, link);

        if (strcmp(job->dir_rel, dir_rel) == 0 && strcmp(job->stem, stem) == 0)
            return job;
    }
    return NULL;
}

struct job *job_find_id(struct job_table *table, uint64_t id)
{
    struct list *pos;

    list_for_each(pos, &table->jobs) {
        struct job *job = list_entry(pos, struct job, link);

        if (job->id == id)
            return job;
    }
    return NULL;
}

struct job *job_create(struct job_table *table, const char *dir_rel,
                       const char *stem)
{
    struct job *job = xcalloc(1, sizeof(*job));

    job->id = table->next_id++;
    job->model = catalog_find(table->catalog, dir_rel, NULL);
    job->dir_rel = xstrdup(dir_rel);
    job->stem = xstrdup(stem);
    job->progress_written = -1;
    record_init(&job->rec);
    list_init(&job->link);
    list_append(&table->jobs, &job->link);
    return job;
}

struct job *job_load(struct job_table *table, const char *dir_rel,
                     const char *stem)
{
    struct job *job = job_find(table, dir_rel, stem);
    struct record rec;
    char *path, *err = NULL;
    int rc;

    if (job)
        return job;
    path = xasprintf("%s/%s/out/%s.json", table->store_root, dir_rel, stem);
    rc = record_read_file(path, &rec, &err);
    if (rc < 0) {
        if (rc != -ENOENT)
            log_warn("ignoring the record %s: %s", path, err ? err : "");
        record_release(&rec);
        free(err);
        free(path);
        return NULL;
    }
    free(path);
    job = job_create(table, dir_rel, stem);
    record_release(&job->rec);
    job->rec = rec;
    job->interrupted = job_state_is_in_flight(rec.state);
    if (rec.state == JOB_WAITING && rec.waiting_for)
        job->waiting_rel = xasprintf("%s/%s", dir_rel, rec.waiting_for);
    return job;
}

void job_forget(struct job_table *table, struct job *job)
{
    (void)table;
    list_remove(&job->link);
    job_free(job);
}

char *job_out_rel(const struct job *job, const char *ext)
{
    return xasprintf("%s/out/%s%s", job->dir_rel, job->stem, ext);
}

char *job_staging_name(struct job_table *table, const struct job *job,
                       const char *ext)
{
    return xasprintf("job-%ld-%llu-%llu-%llu%s", (long)getpid(),
                     (unsigned long long)job->id, (unsigned long long)job->run,
                     (unsigned long long)++table->seq, ext);
}

int job_write_record_as(struct job_table *table, const char *dir_rel,
                        const char *name, const struct record *rec)
{
    char *dir = xasprintf("%s/%s", table->store_root, dir_rel);
    char *staging_name = NULL, *path = NULL, *text = NULL, *dest = NULL;
    struct stat st;
    int rc = 0;

    /* A folder the user deleted is not brought back by its record. */
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        rc = -ENOENT;
        goto out;
    }
    staging_name = xasprintf("record-%ld-%llu.json", (long)getpid(),
                             (unsigned long long)++table->seq);
    path = fsutil_join(publisher_staging_dir(table->publisher), staging_name);
    text = record_to_json(rec);
    rc = fsutil_write_new(path, text, strlen(text));
    if (rc < 0) {
        log_error("cannot write the record %s/out/%s.json: %s", dir_rel, name,
                  strerror(-rc));
        goto out;
    }
    dest = xasprintf("%s/out/%s.json", dir_rel, name);
    publisher_submit(table->publisher, staging_name, dest);
out:
    free(dest);
    free(text);
    free(path);
    free(staging_name);
    free(dir);
    return rc;
}

int job_write(struct job_table *table, struct job *job)
{
    return job_write_record_as(table, job->dir_rel, job->stem, &job->rec);
}

void job_set_state(struct job *job, enum job_state state)
{
    time_t now = time(NULL);

    job->rec.state = state;
    switch (state) {
    case JOB_RUNNING:
        if (!job->rec.started_at)
            job->rec.started_at = now;
        break;
    case JOB_SUCCEEDED:
    case JOB_FAILED:
    case JOB_CANCELED:
        job->rec.finished_at = now;
        break;
    case JOB_WAITING:
    case JOB_QUEUED:
    case JOB_UPLOADING:
    case JOB_SUBMITTED:
    case JOB_DOWNLOADING:
        break;
    }
}
