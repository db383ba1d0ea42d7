"""Which replica of a self-hosted engine serves a request: what routing does to the hit rate."""

from __future__ import annotations

import random
import zlib

from ctxlint.simulate.policies import Policy, RadixCache
from ctxlint.simulate.prompt_layout import Prompt

ROUTINGS = ("sticky", "round-robin", "random", "prefix-aware")


class Router:
    def __init__(self, replicas: list[Policy], routing: str) -> None:
        if routing not in ROUTINGS:
            raise ValueError(f"unknown routing {routing!r}; known: {', '.join(ROUTINGS)}")
        self.replicas = replicas
        self.routing = routing
        self._turn = 0
        # Seeded: the same trace gives the same report on every run.
        self._random = random.Random(0)

    def route(self, session: str, prompt: Prompt) -> Policy:
        count = len(self.replicas)
        if count == 1:
            return self.replicas[0]
        if self.routing == "sticky":
            return self.replicas[zlib.crc32(session.encode()) % count]
        if self.routing == "round-robin":
            self._turn += 1
            return self.replicas[(self._turn - 1) % count]
        if self.routing == "random":
            return self.replicas[self._random.randrange(count)]
        return max(self.replicas, key=lambda replica: _held_prefix(replica, prompt))


def _held_prefix(replica: Policy, prompt: Prompt) -> int:
    if not isinstance(replica, RadixCache):
        return 0
    best = 0
    for tree in replica.trees.values():
        best = max(best, tree.match(prompt).length)
    return best
