"""Per-turn content in recorded traces: the system prompt or a tool description rewritten in
part between consecutive requests, other than in a volatile value (CTX001's). What CTX011
reports and what the simulator names as the cause of such a miss."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ctxlint.redact import evidence, span_evidence
from ctxlint.trace.reading import decode_json_text

if TYPE_CHECKING:
    from ctxlint.trace.compare import Step

# The texts must share this much around the change (start plus end), in characters and as a
# share of the shorter text: a prompt replaced whole is another agent's, not a section of
# this one rebuilt.
_MIN_SHARED = 32
_MIN_SHARED_SHARE = 0.2
# How far before a change a heading that names its section is looked for, and how far into it.
_HEADING_BEFORE = 400
_HEADING_INSIDE = 200
_HEADING = re.compile(
    r"""(?mx)
    ^[ \t]*\#{1,6}[ \t]*(?P<markdown>[^\n]{1,80})$
    | ^[ \t]*(?P<label>[^\n:]{2,60}):[ \t]*$
    | <(?P<tag>[A-Za-z_][\w\-]{1,40})>
    | ^[ \t]*(?:\[|={2,}|-{2,})[ \t]*(?P<banner>[^\n\]=\-]{2,60})
    """
)
# What a section holds when it is rebuilt for each turn.
_PER_TURN_SECTION = re.compile(
    r"""(?ix)
    memor(?:y|ies) | recall | retriev | relevant | knowledge | search[ _]results | documents?
    | context | sources | todo | to-do | tasks? | plan | progress | checklist | scratchpad
    | user[ _](?:message|query|question|input|request)
    | current[ _](?:task|query|question|goal|step|state|request)
    """
)
# Texts of a place remembered per session, to tell agents taking turns from a rebuilt section.
_REMEMBERED_TEXTS = 64
# Characters compared at a time when finding where two texts start and end alike.
_STRETCH = 256


@dataclass(frozen=True, slots=True)
class PromptEdit:
    """A part of the system prompt or of a tool description rewritten between two requests."""

    place: str
    # The tool whose description it is; "" for the system prompt.
    tool: str
    # The changed span in each whole text, as (start, end).
    before_span: tuple[int, int]
    after_span: tuple[int, int]
    # The heading of the section the change is in, when it names per-turn content.
    heading: str | None
    # The same place was rewritten in the request before too.
    repeated: bool
    before_text: str = field(default="", repr=False, compare=False)
    after_text: str = field(default="", repr=False, compare=False)
    # Where a tool's description is inside its definition: "/description", or
    # "/function/description" for Chat Completions.
    within: str = ""

    @property
    def per_turn(self) -> bool:
        """Rebuilt for each turn, not switched once: its section says so, or it keeps
        changing."""
        return self.heading is not None or self.repeated

    @property
    def before(self) -> str:
        return span_evidence(self.before_text, *self.before_span, limit=60)

    @property
    def after(self) -> str:
        return span_evidence(self.after_text, *self.after_span, limit=60)


def prompt_edits(step: Step) -> tuple[PromptEdit, ...]:
    """The system prompt and tool descriptions this request rewrote in part. Called once per
    request (Step.prompt_edits): it remembers in the session which places were rewritten."""
    previous = step.previous
    if previous is None:
        return ()
    rewritten: dict[str, Any] = step.session.memo.setdefault("per-turn-edits", {})
    texts: list[tuple[str, str, str, str, str]] = []
    if step.system_changed and step.system_volatile is None:
        system = (previous.system_text() or "", step.current.system_text() or "")
        texts.append(("the system prompt", "", "", *system))
    for change in step.tool_changes:
        if change.reserialised or change.volatile is not None:
            continue
        old = _definition(previous.tools or (), change.name)
        new = _definition(step.current.tools or (), change.name)
        descriptions = _description_change(old, new)
        if descriptions is not None:
            place = f"the description of tool `{evidence(change.name)}`"
            texts.append((place, change.name, *descriptions))
    edits = []
    this_request = (step.current.path, step.current.origin)
    seen: dict[str, set[int]] = step.session.memo.setdefault("per-turn-texts", {})
    for place, tool, within, before, after in texts:
        texts_seen = seen.setdefault(place, set())
        if len(texts_seen) < _REMEMBERED_TEXTS:
            texts_seen.add(hash(before))
        if hash(after) in texts_seen:
            # Back to a text sent before: agents taking turns in one session, each with its
            # own prompt, which the cache keeps apart; not content rebuilt for each turn.
            continue
        spans = _changed_spans(before, after)
        if spans is None:
            continue
        repeated = rewritten.get(place) == (previous.path, previous.origin)
        rewritten[place] = this_request
        heading = _section_heading(after, *spans[1])
        edits.append(
            PromptEdit(
                place, tool, spans[0], spans[1], heading, repeated, before, after, within=within
            )
        )
    return tuple(edits)


def _definition(tools: Any, name: str) -> str | None:
    return next((tool.definition for tool in tools if tool.name == name), None)


def _description_change(old: str | None, new: str | None) -> tuple[str, str, str] | None:
    """Where the description is in the definition and the two descriptions, when a tool's
    description is all that changed."""
    if old is None or new is None:
        return None
    before, after = decode_json_text(old), decode_json_text(new)
    if not (isinstance(before, dict) and isinstance(after, dict)):
        return None
    old_text, old_rest, _ = _split_description(before)
    new_text, new_rest, within = _split_description(after)
    if old_text is None or new_text is None or old_rest != new_rest or old_text == new_text:
        return None
    return within, old_text, new_text


def _split_description(
    definition: dict[str, Any],
) -> tuple[str | None, dict[str, Any], str]:
    """The description of a tool (Anthropic and Responses at the top, Chat Completions under
    "function"), the rest of its definition, and the description's pointer in it."""
    inner = definition.get("function")
    if isinstance(inner, dict) and "description" in inner:
        rest = {**definition, "function": {k: v for k, v in inner.items() if k != "description"}}
        description = inner["description"]
        within = "/function/description"
    else:
        rest = {k: v for k, v in definition.items() if k != "description"}
        description = definition.get("description")
        within = "/description"
    return (description if isinstance(description, str) else None), rest, within


def _changed_spans(before: str, after: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """Where the texts differ, between what they start and end alike with; None when they
    share too little to be one prompt with a part rewritten."""
    head = _common_head(before, after)
    tail = _common_tail(before, after, head)
    shared = head + tail
    if shared < _MIN_SHARED or shared < _MIN_SHARED_SHARE * min(len(before), len(after)):
        return None
    # Whole words, as a reader would quote them: the shared text around is alike in both.
    while head > 0 and not before[head - 1].isspace():
        head -= 1
    while tail > 0 and not before[len(before) - tail].isspace():
        tail -= 1
    return (head, len(before) - tail), (head, len(after) - tail)


def _common_head(before: str, after: str) -> int:
    limit = min(len(before), len(after))
    position = 0
    # A stretch at a time in C, then the last stretch a character at a time.
    while position + _STRETCH <= limit and (
        before[position : position + _STRETCH] == after[position : position + _STRETCH]
    ):
        position += _STRETCH
    while position < limit and before[position] == after[position]:
        position += 1
    return position


def _common_tail(before: str, after: str, head: int) -> int:
    """Characters both texts end with, not reaching back into their shared start."""
    limit = min(len(before), len(after)) - head
    shared = 0
    while shared + _STRETCH <= limit and (
        before[len(before) - shared - _STRETCH : len(before) - shared]
        == after[len(after) - shared - _STRETCH : len(after) - shared]
    ):
        shared += _STRETCH
    while shared < limit and before[len(before) - shared - 1] == after[len(after) - shared - 1]:
        shared += 1
    return shared


def _section_heading(text: str, start: int, end: int) -> str | None:
    """The heading over a change that names what is rebuilt each turn ("Relevant memories:",
    "## Todo", "<context>"): the nearest one before it, or one the change itself brings."""
    window_start = max(0, start - _HEADING_BEFORE)
    window = text[window_start : min(end, start + _HEADING_INSIDE * 10) + _HEADING_INSIDE]
    before: str | None = None
    inside: list[str] = []
    for match in _HEADING.finditer(window):
        name = next(group for group in match.groups() if group)
        if window_start + match.start() <= start:
            before = name
        elif window_start + match.start() < end:
            inside.append(name)
    for name in ([before] if before else []) + inside:
        if _PER_TURN_SECTION.search(name):
            return evidence(name.strip(), 40)
    return None
