test_probe_MODULES := providers/probe
