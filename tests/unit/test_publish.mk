test_publish_MODULES := jobs/publish
