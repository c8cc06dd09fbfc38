fuzz_replies_MODULES := providers/gateway providers/gateway_body \
	providers/kling providers/kling_jwt providers/kling_body \
	providers/krea providers/krea_body providers/blob providers/provider
fuzz_replies_MAX_LEN := 8192
