test_handles_MODULES := fs/handles
