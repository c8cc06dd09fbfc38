test_catalog_seeds_MODULES := $(CATALOG_MODULES)
