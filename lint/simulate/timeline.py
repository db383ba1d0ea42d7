"""The requests of several traces in the order they were sent, so that a replay never lets a
request read what a session recorded later in time wrote to the cache.

Each file keeps its own order (a proxy log can hold a late timestamp before an early one; what
it recorded first is what it saw first); the files are merged by the time of each one's next
request. A request without a timestamp goes with the one before it in its file, and a file with
none at all goes first, in path order, as no time can place it.

Only the files whose times overlap are open at once: a file is opened when the merge reaches the
time of its first request, which a first short pass finds (it reads each file up to its first
timestamp), and closed when read to its end. Files that follow one another in time are read one
after another, as a replay of them one by one would.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterator
from typing import TypeVar

from ctxlint.trace.model import Request

Item = TypeVar("Item")

# Heap entries: (time of the file's next item, the file's place in path order, that item, the
# rest of the file). The place breaks ties (and is unique), so items are never compared.
_Head = tuple[float, int, object, Iterator]


def in_time_order(
    paths: list[str],
    read: Callable[[str], Iterator[Item]],
    start_of: Callable[[str], float | None],
) -> Iterator[tuple[str, Item]]:
    """Every item `read` gives of each path, paired with its path: the files merged by the
    time of their requests. `start_of` gives the time of a file's first timestamped request
    (None when it has none); items that are not Requests (problems found reading) keep their
    place in their file."""
    if len(paths) < 2:
        for path in paths:
            for item in read(path):
                yield path, item
        return
    starts = [(_or_first(start_of(path)), place) for place, path in enumerate(paths)]
    # Files not yet opened, latest first, so the earliest is popped off the end.
    waiting = sorted(starts, reverse=True)
    heads: list[_Head] = []
    while waiting or heads:
        # A file opens once the merge reaches its first request's time: the items of a file
        # before that time (problems, untimed requests) go no earlier than its first request.
        while waiting and (not heads or waiting[-1] <= (heads[0][0], heads[0][1])):
            start, place = waiting.pop()
            _advance(heads, place, start, iter(read(paths[place])))
        if not heads:
            continue
        time, place, item, rest = heapq.heappop(heads)
        yield paths[place], item  # type: ignore[misc]
        _advance(heads, place, time, rest)


def _advance(heads: list[_Head], place: int, time: float, rest: Iterator) -> None:
    """The file's next item put on the heap, at its own time or, without one, at the time of
    the item before it; nothing when the file is read to its end."""
    for item in rest:
        if isinstance(item, Request) and item.timestamp is not None:
            time = item.timestamp.timestamp()
        heapq.heappush(heads, (time, place, item, rest))
        return


def first_time(items: Iterator[object]) -> float | None:
    """The time of the first timestamped request among `items`, reading no further."""
    for item in items:
        if isinstance(item, Request) and item.timestamp is not None:
            return item.timestamp.timestamp()
    return None


def _or_first(time: float | None) -> float:
    return -math.inf if time is None else time
