"""What the prompt-file rules share: where a placeholder sits in the cached prefix and what its
change costs there, and what a placeholder is by the template alone (a clock read, a random
pick) or by its name when no Python code shows the value it gets.

A value that changes on every request costs everything of the prefix after it: the rest of
its part, the parts after it, and the conversation history when one follows (Prompty's
`{% for item in history %}`, Semantic Kernel's `{{$history}}`, Dotprompt's `{{history}}`, a
message list). At the very end of the prefix, with no history after it, it costs little."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ctxlint.diagnostics import Diagnostic, Fix, RelatedLocation
from ctxlint.prompt_files.checked import PromptCheck
from ctxlint.prompt_files.model import (
    ASSISTANT,
    INSTRUCTIONS,
    SYSTEM,
    USER,
    Part,
    Placeholder,
    share_before,
)
from ctxlint.prompt_files.placeholder_kinds import is_history, printed_name
from ctxlint.prompt_files.renders import PassedValue, Render
from ctxlint.redact import evidence

# Below this many characters of prefix after it (some 100 tokens), a changing value costs
# less than a request's own new message: not worth a finding.
LITTLE_AFTER = 400


@dataclass(frozen=True, slots=True)
class Position:
    """Where a placeholder is in the cached prefix, and what its change costs."""

    role: str
    # Characters of the cached prefix before and after the placeholder.
    before: int
    after: int
    # Whether the conversation history (or later messages) follows it: its change then
    # costs every turn of the conversation too.
    history_after: bool

    @property
    def messages_follow(self) -> bool:
        """A system or instructions part is followed by the request's messages: on a
        conversation's later turns, its whole history."""
        return self.role in (SYSTEM, INSTRUCTIONS)

    @property
    def costs_little(self) -> bool:
        """At the very end of what the file lays out, with no history after it: what follows
        in the request is not in the file, and a request's own new message is lost anyway."""
        return not self.history_after and self.after < LITTLE_AFTER

    def part_name(self) -> str:
        if self.role in (SYSTEM, INSTRUCTIONS):
            return f"the {self.role} part"
        if self.role in (USER, ASSISTANT):
            return f"an earlier {self.role} message"
        return "the template"

    def share(self) -> str:
        """How much of the cached prefix precedes it, for the message."""
        total = self.before + self.after
        return f"{round(100 * self.before / total) if total else 0}%"

    def advice(self) -> str:
        """Where to move it, for the help: the end of the template only where nothing the
        cache could reuse follows that end."""
        if self.history_after:
            return "Move it into the newest user message: the history after it loses the cache too"
        if self.messages_follow:
            return "Move it into the newest user message: the messages after it lose the cache too"
        return "Move it to the end of the template, or into the newest user message"


def position(prompt: PromptCheck, part: Part, placeholder: Placeholder) -> Position | None:
    """The placeholder's position in the cached prefix, or None when its part is not in it
    (the newest user message, which changes with every request anyway)."""
    if not part.in_prefix:
        return None
    before = after = 0
    seen = False
    for other in prompt.file.prefix_parts:
        if other is part:
            share = share_before(part, placeholder.offset)
            before += share.before
            after += share.total - share.before - len(placeholder.expression)
            seen = True
        elif seen:
            after += len(other.text)
        else:
            before += len(other.text)
    # The newest message is new on every request, but the fixed text it opens with (a rubric
    # before the inputs) is the same every time: the cache reaches into it.
    for other in prompt.file.parts:
        if not other.in_prefix and other.start > placeholder.offset:
            first = min((held.offset for held in other.placeholders), default=None)
            after += len(other.text) if first is None else share_before(other, first).before
    later_messages = any(
        other.in_prefix and other.role in (USER, ASSISTANT) and other.start > placeholder.offset
        for other in prompt.file.parts
    )
    history = any(
        held.offset > placeholder.offset and is_history(held)
        for _, held in prompt.file.placeholders()
    )
    return Position(prompt.role_of(part), before, max(after, 0), later_messages or history)


def stated_system(part: Part, prompt: PromptCheck) -> bool:
    """Whether the file itself says the part is a system or instructions part (a `system:`
    line, `<message role="system">`, a `system_prompt:` key), or the code or configuration
    that uses it does (a render sent as the system prompt, promptfoo's `role: system` naming
    the file): not only its file name."""
    if part.label:
        return part.role in (SYSTEM, INSTRUCTIONS)
    return any(render.sent_as in (SYSTEM, INSTRUCTIONS) for render in prompt.renders)


def passed(prompt: PromptCheck, placeholder: Placeholder) -> Iterator[tuple[Render, PassedValue]]:
    """The values the project's renders pass for the placeholder's variables. A render whose
    text the code visibly sends as the system prompt or instructions is left to the Python
    rules: they report the value where it is made, and a finding here would repeat theirs."""
    printed = printed_name(placeholder)
    if printed is None:
        return
    for render in prompt.renders:
        if render.sent_as in (SYSTEM, INSTRUCTIONS):
            continue
        value = render.value(printed)
        if value is not None:
            yield render, value


def values_seen(prompt: PromptCheck, placeholder: Placeholder) -> bool:
    """Whether the renders show what the placeholder's variables get: a complete render
    that passes none of them leaves them unset (a default, or nothing)."""
    if not prompt.renders:
        return False
    return any(True for _ in passed(prompt, placeholder)) or all(
        render.complete for render in prompt.renders
    )


def prefix_placeholders(prompt: PromptCheck) -> Iterator[tuple[Part, Placeholder, Position]]:
    """Every placeholder of the cached prefix, in file order, with its position."""
    for part, placeholder in prompt.file.placeholders():
        where = position(prompt, part, placeholder)
        if where is not None:
            yield part, placeholder, where


def names_may_judge(prompt: PromptCheck, part: Part, position: Position) -> bool:
    """Whether a variable's name alone may make a finding here: the file itself says the
    part is cached, by a role it states (a `system:` line, `<message role="system">`, a
    `system_prompt:` key; a file named `agent.system.md` may be placed anywhere by the code)
    or by the history it lays out after the placeholder."""
    return stated_system(part, prompt) or position.history_after


@dataclass(frozen=True, slots=True)
class Hit:
    """A placeholder a rule flags, with what it is and where the value comes from."""

    part: Part
    placeholder: Placeholder
    position: Position
    # What it is, for the message: "reads the clock", "is this turn's retrieved documents".
    what: str
    # Where its value is made, when a Python render shows it.
    related: tuple[RelatedLocation, ...] = ()
    # Judged by the variable's name alone (no render seen): the message says so.
    by_name: bool = False
    fix: Fix | None = None
    # What to do, when it is not to move the value (the rule's help, else the position's).
    help: str | None = None


def diagnostics(
    prompt: PromptCheck, rule: type, hits: list[Hit], help: str | None = None
) -> Iterator[Diagnostic]:
    """One finding per part, at its first hit: everything after that one is lost to the cache
    already, so the later hits of the part are its related places, not findings of their own."""
    by_part: dict[int, list[Hit]] = {}
    for hit in hits:
        by_part.setdefault(id(hit.part), []).append(hit)
    for part_hits in by_part.values():
        first, *later = part_hits
        where = first.position
        message = (
            f"`{quoted(first.placeholder)}` {first.what} in {where.part_name()}, "
            f"after {where.share()} of the prefix"
        )
        named = "Judged by its name: no Python code shows its value. " if first.by_name else ""
        also = tuple(
            prompt.related_at(hit.placeholder, f"`{quoted(hit.placeholder)}` {hit.what} too")
            for hit in later
        )
        yield prompt.diagnostic(
            rule,
            first.placeholder,
            message,
            help=named + (first.help or help or where.advice()),
            related=first.related + also,
            fix=first.fix,
        )


def quoted(placeholder: Placeholder) -> str:
    """The placeholder as the template writes it, short: `now()`, `$input`, `documents`."""
    return _short(placeholder.expression)


def unordered_values(
    prompt: PromptCheck, placeholder: Placeholder, keys: bool = False
) -> Iterator[tuple[Render, PassedValue, str]]:
    """The values passed for the placeholder whose order (with `keys`, whose key order) may
    differ between calls, with why."""
    for render, value in passed(prompt, placeholder):
        why = value.unsorted_keys if keys else value.unordered
        if why is not None:
            yield render, value, why


def passed_note(render: Render, value: PassedValue) -> RelatedLocation:
    """The related place where a render passes the value a finding is about."""
    return value.location(f"`{_short(evidence(value.expression))}` passed by {render.call}()")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."


def names_worth_values(prompt: PromptCheck) -> set[str]:
    """The variables whose values a rule may judge in this file: written out or looped over in
    the cached prefix, with enough of it after them to matter. The values passed for the
    others are not worth following through the project."""
    return {
        name
        for _, placeholder, position in prefix_placeholders(prompt)
        if not position.costs_little and (name := printed_name(placeholder)) is not None
    }
