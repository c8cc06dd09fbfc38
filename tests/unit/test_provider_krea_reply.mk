test_provider_krea_reply_MODULES := providers/krea providers/krea_body \
	providers/provider
