test_request_MODULES := jobs/request providers/catalog providers/validate providers/catalog_doc providers/catalog_data
