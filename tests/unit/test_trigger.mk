test_trigger_MODULES := jobs/trigger jobs/keys jobs/scan jobs/job_state \
	jobs/request providers/catalog providers/validate providers/catalog_doc \
	providers/catalog_data
