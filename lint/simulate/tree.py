"""A prefix tree of prompt segments: each node is one segment (a content block's tokens), so a
prompt that extends an earlier one walks the shared part by segment identity and compares
tokens only inside the one segment where the two diverge."""

from __future__ import annotations

import weakref
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field

from ctxlint.simulate.prompt_layout import Prompt


class Node:
    __slots__ = (
        "__weakref__",
        "_parent",
        "by_tokens",
        "children",
        "children_by_tokens",
        "expires",
        "index",
        "marks",
        "start",
        "stored",
        "tokens",
        "used",
    )

    def __init__(self, tokens: array, parent: Node | None, start: int, index: int) -> None:
        self.children: dict[str, Node] = {}
        # The children again, in the order of their tokens: the child sharing the most
        # leading tokens with a segment is beside where the segment would sort.
        self.by_tokens: list[array] = []
        self.children_by_tokens: list[Node] = []
        self.tokens = tokens
        # Weak, so that a tree has no reference cycles and is freed as soon as it is dropped,
        # without waiting for (and walking) Python's cycle collector.
        self._parent = None if parent is None else weakref.ref(parent)
        # Our-token position of the node's first token, and its segment index in a prompt.
        self.start = start
        self.index = index
        # How many of the node's leading tokens are held (caches that keep token runs).
        self.stored = 0
        # Cache entries ending inside or at the end of the node (caches that keep entries at
        # chosen points): token offset within the node -> (expiry, provider position, TTL).
        self.marks: dict[int, tuple[float, float, str | None]] | None = None
        # Order of the last write or read (least recently used goes first), and when what the
        # node holds expires (idle expiry, refreshed by use; never, in caches without it).
        self.used = 0
        self.expires = 0.0

    @property
    def parent(self) -> Node | None:
        return None if self._parent is None else self._parent()

    @property
    def end(self) -> int:
        return self.start + len(self.tokens)

    def mark(
        self, offset: int, expires: float, provider_position: float, ttl: str | None = None
    ) -> None:
        if self.marks is None:
            self.marks = {}
        self.marks[offset] = (expires, provider_position, ttl)


@dataclass(slots=True)
class Match:
    # Nodes whose segment the prompt repeats whole, from the root on.
    path: list[Node] = field(default_factory=list)
    # The node where the prompt diverges inside a segment, and how many tokens agree there.
    partial: Node | None = None
    partial_tokens: int = 0

    @property
    def length(self) -> int:
        """Tokens of the prompt found in the tree."""
        if self.partial is not None:
            return self.partial.start + self.partial_tokens
        return self.path[-1].end if self.path else 0


class PrefixTree:
    def __init__(self) -> None:
        self.root = Node(array("I"), None, 0, -1)

    def match(self, prompt: Prompt, segments: int | None = None) -> Match:
        limit = len(prompt.segments) if segments is None else segments
        found = Match(self._known_start(prompt, limit))
        node = found.path[-1] if found.path else self.root
        for index in range(len(found.path), limit):
            segment = prompt.segments[index]
            child = node.children.get(segment.text)
            if child is None:
                found.partial, found.partial_tokens = _best_partial(node, segment.tokens)
                break
            found.path.append(child)
            node = child
        return found

    def insert(self, prompt: Prompt, segments: int | None = None) -> list[Node]:
        """The prompt's path of nodes (its first `segments` segments), created as needed."""
        limit = len(prompt.segments) if segments is None else segments
        path = self._known_start(prompt, limit)
        node = path[-1] if path else self.root
        for index in range(len(path), limit):
            segment = prompt.segments[index]
            child = node.children.get(segment.text)
            if child is None:
                child = node.children[segment.text] = Node(
                    segment.tokens, node, prompt.starts[index], index
                )
                position = bisect_left(node.by_tokens, segment.tokens)
                node.by_tokens.insert(position, segment.tokens)
                node.children_by_tokens.insert(position, child)
            path.append(child)
            node = child
        if limit == len(prompt.segments):
            prompt.seen_by[self] = path
        return path

    def _known_start(self, prompt: Prompt, limit: int) -> list[Node]:
        """The nodes of the prompt's leading segments that an earlier prompt it continues
        already found here (nodes are never removed, so they are still the path)."""
        if prompt.continues is None:
            return []
        seen_by, shared = prompt.continues
        known = seen_by.get(self)
        if known is None:
            return []
        return known[: min(shared, limit)]


def _best_partial(node: Node, tokens: array) -> tuple[Node | None, int]:
    """The child whose tokens share the longest start with `tokens`, and how long."""
    best, best_length = None, 0
    position = bisect_left(node.by_tokens, tokens)
    for neighbour in (position - 1, position):
        if 0 <= neighbour < len(node.by_tokens):
            length = common_prefix(node.by_tokens[neighbour], tokens)
            if length > best_length:
                best, best_length = node.children_by_tokens[neighbour], length
    return best, best_length


def common_prefix(left: Sequence, right: Sequence) -> int:
    """Length of the common prefix of two token arrays (or lists), by bisection over slice
    equality (each comparison runs in C)."""
    if isinstance(left, array) and isinstance(right, array) and left.typecode == right.typecode:
        # Views of the arrays compare in C as slices do, without copying megabytes of tokens.
        with memoryview(left) as left_view, memoryview(right) as right_view:
            return _common_prefix(left_view, right_view)
    return _common_prefix(left, right)


def _common_prefix(left: Sequence, right: Sequence) -> int:
    high = min(len(left), len(right))
    if left[:high] == right[:high]:
        return high
    low = 0
    while low < high:
        middle = (low + high + 1) // 2
        if left[:middle] == right[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def shared_prefix(left: Prompt, right: Prompt) -> int:
    """Tokens at the start of two prompts that are the same."""
    # Prompts of one session share their leading segment objects: skip those in C first.
    first = common_prefix(left.segments, right.segments)
    for index in range(first, min(len(left.segments), len(right.segments))):
        one, other = left.segments[index], right.segments[index]
        if one.text != other.text:
            return left.starts[index] + common_prefix(one.tokens, other.tokens)
    shorter = min(len(left.segments), len(right.segments))
    return left.starts[shorter]


def token_stream_prefix(left: Prompt, right: Prompt) -> int:
    """Tokens at the start of two prompts that are the same, compared as one run of tokens
    each, across segment boundaries (the two may split the same tokens differently), without
    joining the segments into one array: a stand-in segment stays a run."""
    shared = common_prefix(left.segments, right.segments)
    total = left.starts[shared]
    left_index = right_index = shared
    left_offset = right_offset = 0
    while left_index < len(left.segments) and right_index < len(right.segments):
        left_tokens = left.segments[left_index].tokens
        right_tokens = right.segments[right_index].tokens
        width = min(len(left_tokens) - left_offset, len(right_tokens) - right_offset)
        same = common_prefix(
            left_tokens[left_offset : left_offset + width],
            right_tokens[right_offset : right_offset + width],
        )
        total += same
        if same < width:
            return total
        left_offset += width
        right_offset += width
        if left_offset == len(left_tokens):
            left_index, left_offset = left_index + 1, 0
        if right_offset == len(right_tokens):
            right_index, right_offset = right_index + 1, 0
    return total
