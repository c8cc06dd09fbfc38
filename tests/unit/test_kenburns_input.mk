test_kenburns_input_MODULES := $(RENDERER_MODULES)
