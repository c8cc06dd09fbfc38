test_request_MODULES := jobs/request $(CATALOG_MODULES)
