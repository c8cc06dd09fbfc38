test_provider_gateway_MODULES := providers/gateway providers/gateway_body providers/provider
