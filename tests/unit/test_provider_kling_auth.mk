test_provider_kling_auth_MODULES := providers/kling providers/kling_jwt \
	providers/kling_body providers/provider
