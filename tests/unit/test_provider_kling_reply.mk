test_provider_kling_reply_MODULES := providers/kling providers/kling_jwt \
	providers/kling_body providers/provider
