"""OpenHands evaluation output (`output.jsonl`, one instance per line, as its benchmark runners
write `EvalOutput`): each line's `history` is the instance's event stream, read as an OpenHands
trajectory (see openhands.py), and the instance is its session. Histories of the old format
(pairs of action and observation) are not read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ctxlint.trace import typed
from ctxlint.trace.formats import LineFormat, stand_alone_lines
from ctxlint.trace.formats.openhands import read_events
from ctxlint.trace.model import Request
from ctxlint.trace.reading import Line, Problem
from ctxlint.trace.typed import TypeFault

NAME = "openhands-eval"


def _accepts(value: Any) -> bool:
    if not (isinstance(value, dict) and "instance_id" in value):
        return False
    history = value.get("history")
    if not (isinstance(history, list) and history):
        return False
    first = history[0]
    if not (isinstance(first, dict) and "source" in first):
        return False
    return "action" in first or "observation" in first


def _parse(path: str, line: Line) -> Iterable[Request | Problem]:
    session = typed.identifier(line.value, "instance_id", "") or f"line-{line.number}"
    history = typed.array(line.value, "history", "") or []
    found: list[Request | Problem] = []
    for item in read_events(path, history, "/history", session, line.number):
        if isinstance(item, TypeFault):
            found.append(Problem(line.number, item.reason))
        else:
            item.format = NAME
            found.append(item)
    return found


FORMAT = LineFormat(
    NAME,
    "OpenHands evaluation output (output.jsonl), one instance's event history per line",
    _accepts,
    stand_alone_lines(_parse),
)
