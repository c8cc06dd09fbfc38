test_kenburns_MODULES := $(RENDERER_MODULES)
