test_provider_blob_MODULES := providers/blob providers/provider
