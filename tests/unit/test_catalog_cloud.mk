test_catalog_cloud_MODULES := $(CATALOG_MODULES)
