fuzz_cascade_MODULES := jobs/request $(CATALOG_MODULES)
fuzz_cascade_MAX_LEN := 8192
