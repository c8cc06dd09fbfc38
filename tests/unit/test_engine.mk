test_engine_MODULES := jobs/engine jobs/schedule jobs/trigger jobs/job \
	jobs/job_state jobs/record jobs/keys jobs/scan jobs/worker \
	jobs/publish jobs/request providers/catalog providers/catalog_parse \
	providers/catalog_parse_field providers/catalog_parse_option \
	providers/catalog_text providers/validate providers/validate_value \
	providers/validate_rules providers/validate_image \
	providers/catalog_doc providers/catalog_data providers/registry \
	providers/local providers/probe providers/local/asset \
	providers/local/camera providers/local/compose \
	providers/local/decode providers/local/encode providers/local/image \
	providers/local/imghdr providers/local/kenburns \
	providers/local/motion providers/local/options \
	providers/local/pipeline providers/local/sample
