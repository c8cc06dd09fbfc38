test_trigger_MODULES := jobs/trigger jobs/keys jobs/scan jobs/job_state \
	jobs/request $(CATALOG_MODULES)
