test_record_MODULES := jobs/record jobs/job_state jobs/job jobs/publish \
	providers/catalog providers/catalog_parse \
	providers/catalog_parse_field providers/catalog_parse_option \
	providers/catalog_text providers/catalog_data
