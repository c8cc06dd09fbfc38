test_provider_gateway_body_MODULES := providers/gateway providers/gateway_body providers/provider
