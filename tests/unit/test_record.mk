test_record_MODULES := jobs/record jobs/job_state jobs/job jobs/publish \
	$(CATALOG_MODULES)
