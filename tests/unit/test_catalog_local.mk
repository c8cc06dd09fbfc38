test_catalog_local_MODULES := $(CATALOG_MODULES)
