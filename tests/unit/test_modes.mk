test_modes_MODULES := fs/modes
