test_config_MODULES := providers/config
