"""The rules: one module per concept, each found by the registry without a hand-kept list."""
