test_hidden_MODULES := fs/hidden
