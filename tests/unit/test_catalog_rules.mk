test_catalog_rules_MODULES := $(CATALOG_MODULES)
