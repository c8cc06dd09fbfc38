test_provider_krea_MODULES := providers/krea providers/krea_body \
	providers/provider
