test_kenburns_MODULES := providers/local/asset providers/local/camera \
	providers/local/compose providers/local/decode providers/local/encode \
	providers/local/image providers/local/imghdr providers/local/kenburns \
	providers/local/motion providers/local/options providers/local/pipeline \
	providers/local/sample providers/probe
