"""Content a request dropped from its history, and whether the request still says where that
content came from (a URL, a file path, an id the agent can read it back from)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ctxlint.trace.model import TOOL_CALL, TOOL_RESULT, Block, Message

if TYPE_CHECKING:
    from ctxlint.trace.compare import Step

# How much of a dropped text is searched for references: a reference that matters is near the
# start of a tool's output (the page fetched, the file read), and outputs can be megabytes.
_SEARCHED = 20_000
# References taken from one dropped text at most.
_MOST = 20

_URL = re.compile(r"\b(?:https?|s3|gs|file)://[^\s\"'<>()\[\]{}`\\]+")
# An absolute or home-relative path of at least two segments (`/src/app.py`, `~/notes/a.md`),
# or a relative one with a folder and an extension (`src/app.py`): one segment (`/tmp`) or a
# bare word with a slash (`and/or`) names no content.
_PATH = re.compile(
    r"(?<![\w.\-/~])(?:~|\.{1,2})?/(?:[\w.@+\-]+/)+[\w.@+\-]*[\w@+\-]"
    r"|(?<![\w.\-/~:])[\w.\-]+/(?:[\w.\-]+/)*[\w\-]+\.[A-Za-z]\w{0,7}\b"
)
# An id given as a field (`"id": "doc_8f2c"`, `page_id=8f2c…`): something a tool looks up. It
# holds a digit: `id: string` in a type declaration is no id.
_ID = re.compile(
    r"\b(?:id|[A-Za-z]+_id|[A-Za-z]+Id)[\"']?\s*[:=]\s*[\"']?(?P<value>[\w.\-:]*\d[\w.\-:]*)",
)


@dataclass(frozen=True, slots=True)
class DroppedContent:
    """A text the previous request held that this one replaced by something shorter, with
    none of the references the text held kept anywhere in this request."""

    # Position of the message that held it in the previous request.
    position: int
    # The tool whose result it was ("" for a message that is not a tool result).
    tool: str
    call_id: str
    references: tuple[str, ...]
    # What it became: the stub text, or None when a compaction replaced it with a summary.
    replacement: str | None


def references(text: str) -> tuple[str, ...]:
    """The URLs, paths and ids in a text, in order, each once."""
    text = text[:_SEARCHED]
    found: list[str] = []
    urls = [m.group(0).rstrip(".,;:") for m in _URL.finditer(text)]
    found.extend(urls)
    rest = _URL.sub(" ", text)
    found.extend(m.group(0).rstrip(".,;:") for m in _PATH.finditer(rest))
    found.extend(m.group("value").rstrip(".,;:") for m in _ID.finditer(rest))
    unique = list(dict.fromkeys(r for r in found if len(r) >= 4))
    return tuple(unique[:_MOST])


def dropped_content(step: Step) -> list[DroppedContent]:
    """Tool results this request replaced by a shorter stub (content cleared or cut) or, when
    the history was compacted, left to a summary, whose every reference is gone from the
    request: content the agent cannot read back."""
    history, previous = step.history, step.previous
    if history is None or previous is None or history.volatile is not None:
        return []
    if history.reserialised:
        return []
    current = step.current.messages
    results = {
        block.call_id: block
        for found in current
        for block in found.blocks
        if block.kind == TOOL_RESULT and block.call_id
    }
    kept_keys = {found.key for found in current}
    calls = _calls(previous.messages)
    kept_text: str | None = None
    dropped = []
    for position in range(history.position, len(previous.messages)):
        old = previous.messages[position]
        if old.key in kept_keys:
            continue
        for block, replacement in _replacements(old, history.kind, results):
            call = calls.get(block.call_id) if block.call_id else None
            # The call's arguments first: they name the source (the file read, the URL fetched).
            found = tuple(
                dict.fromkeys(references(call.arguments if call else "") + references(block.text))
            )
            if not found:
                continue
            if kept_text is None:
                kept_text = _request_text(current)
            if any(_kept(reference, kept_text) for reference in found):
                continue
            tool = call.name if call is not None else ""
            dropped.append(DroppedContent(position, tool, block.call_id, found, replacement))
    return dropped


def _replacements(
    old: Message, kind: str, results: dict[str, Block]
) -> list[tuple[Block, str | None]]:
    """The tool results of an old message that were compressed, with what replaced each: a
    shorter text under the same call id, or (in a compaction) the summary, given as None."""
    pairs: list[tuple[Block, str | None]] = []
    for block in old.blocks:
        if block.kind != TOOL_RESULT or not block.text:
            continue
        new = results.get(block.call_id) if block.call_id else None
        if new is not None:
            if new.text != block.text and len(new.text) < len(block.text):
                pairs.append((block, new.text))
        elif kind == "compacted":
            pairs.append((block, None))
    return pairs


def _kept(reference: str, text: str) -> bool:
    """Whether the request still names the reference: a path also by its folder and file name
    (`assets/js/app.js` for `/home/u/site/assets/js/app.js`), as a summary written from the
    working folder names it."""
    if reference in text:
        return True
    if "://" in reference:
        return False
    parts = [part for part in reference.split("/") if part]
    return len(parts) > 2 and "/".join(parts[-2:]) in text


def _calls(messages: tuple[Message, ...]) -> dict[str, Block]:
    return {
        block.call_id: block
        for found in messages
        for block in found.blocks
        if block.kind == TOOL_CALL and block.call_id
    }


def _request_text(messages: tuple[Message, ...]) -> str:
    """Everything the request's messages say, tool-call arguments included: a reference kept
    anywhere (the call that fetched the page, a note) can be followed back."""
    return "\n".join(
        part
        for found in messages
        for block in found.blocks
        for part in (block.text, block.arguments)
    )
