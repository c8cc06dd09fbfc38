/*
 * Names of the job states (see job_state.h).
 */
#include "jobs/job_state.h"

#include <errno.h>
#include <string.h>

static const char *const state_names[] = {
    [JOB_WAITING] = "waiting",     [JOB_QUEUED] = "queued",
    [JOB_UPLOADING] = "uploading", [JOB_SUBMITTED] = "submitted",
    [JOB_RUNNING] = "running",     [JOB_DOWNLOADING] = "downloading",
    [JOB_SUCCEEDED] = "succeeded", [JOB_FAILED] = "failed",
    [JOB_CANCELED] = "canceled",
};

const char *job_state_name(enum job_state state)
{
    if ((unsigned)state >= sizeof(state_names) / sizeof(state_names[0]))
        return "failed";
    return state_names[state];
}

int job_state_parse(const char *name, enum job_state *out)
{
    for (unsigned i = 0; i < sizeof(state_names) / sizeof(state_names[0]);
         i++) {
        if (strcmp(state_names[i], name) == 0) {
            *out = (enum job_state)i;
            return 0;
        }
    }
    return -EINVAL;
}

bool job_state_is_in_flight(enum job_state state)
{
    switch (state) {
    case JOB_QUEUED:
    case JOB_UPLOADING:
    case JOB_SUBMITTED:
    case JOB_RUNNING:
    case JOB_DOWNLOADING:
        return true;
    case JOB_WAITING:
    case JOB_SUCCEEDED:
    case JOB_FAILED:
    case JOB_CANCELED:
        return false;
    }
    return false;
}
