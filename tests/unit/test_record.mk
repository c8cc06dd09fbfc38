test_record_MODULES := jobs/record jobs/job_state jobs/job jobs/publish providers/catalog providers/catalog_data
