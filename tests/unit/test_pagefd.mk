test_pagefd_MODULES := fs/pagefd
