test_policy_MODULES := fs/policy
