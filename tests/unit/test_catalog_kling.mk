test_catalog_kling_MODULES := $(CATALOG_MODULES)
