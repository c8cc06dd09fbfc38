test_kenburns_render_MODULES := $(RENDERER_MODULES)
