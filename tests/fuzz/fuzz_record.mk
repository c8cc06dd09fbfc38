fuzz_record_MODULES := jobs/record jobs/job_state
fuzz_record_MAX_LEN := 16384
