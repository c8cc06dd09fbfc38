test_images_MODULES := jobs/images jobs/uploads providers/local/imghdr \
	providers/catalog providers/catalog_parse \
	providers/catalog_parse_field providers/catalog_parse_option \
	providers/catalog_text providers/validate providers/validate_value \
	providers/validate_rules providers/validate_image \
	providers/catalog_doc providers/catalog_data
