fuzz_imghdr_MODULES := providers/local/imghdr providers/local/decode \
	providers/local/image $(CATALOG_MODULES)
fuzz_imghdr_MAX_LEN := 4096
