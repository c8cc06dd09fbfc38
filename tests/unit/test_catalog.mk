test_catalog_MODULES := $(CATALOG_MODULES)
