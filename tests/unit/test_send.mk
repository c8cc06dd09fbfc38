test_send_MODULES := jobs/send providers/provider
