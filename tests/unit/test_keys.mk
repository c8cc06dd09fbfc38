test_keys_MODULES := jobs/keys
