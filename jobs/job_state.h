/*
 * The states of a job (DESIGN.md, "out/photo.json — the job record"), their
 * names in the record, and which of them mean "still under way".
 */
#ifndef JOBS_JOB_STATE_H
#define JOBS_JOB_STATE_H

#include <stdbool.h>

enum job_state {
    JOB_WAITING,     /* needs something first: request.json, an asset */
    JOB_QUEUED,      /* accepted, not started yet */
    JOB_UPLOADING,   /* cloud: sending the inputs */
    JOB_SUBMITTED,   /* cloud: accepted by the provider */
    JOB_RUNNING,     /* rendering (local) or generating (cloud) */
    JOB_DOWNLOADING, /* cloud: fetching the result */
    JOB_SUCCEEDED,
    JOB_FAILED,
    JOB_CANCELED,
};

/* The state's name in the record, e.g. "succeeded". */
const char *job_state_name(enum job_state state);

/* Parses a record's state name. Returns 0, or -EINVAL for an unknown name. */
int job_state_parse(const char *name, enum job_state *out);

/* True for queued, uploading, submitted, running and downloading. */
bool job_state_is_in_flight(enum job_state state);

#endif
