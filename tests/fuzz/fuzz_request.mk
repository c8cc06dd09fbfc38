fuzz_request_MODULES := jobs/request $(CATALOG_MODULES) \
	providers/gateway providers/gateway_body providers/kling \
	providers/kling_jwt providers/kling_body providers/krea \
	providers/krea_body providers/provider
fuzz_request_MAX_LEN := 16384
