"""The prefix-cache simulator: replays traces through token-level models of real caches."""
