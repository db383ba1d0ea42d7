"""What the prompt-file rules share: where a placeholder sits in the cached prefix and what its
change costs there, and what a placeholder is by the template alone (a clock read, a random
pick) or by its name when no Python code shows the value it gets.

A value that changes on every request costs everything of the prefix after it: the rest of
its part, the parts after it, and the conversation history when one follows (Prompty's
`{% for item in history %}`, Semantic Kernel's `{{$history}}`, Dotprompt's `{{history}}`, a
message list). At the very end of the prefix, with no history after it, it costs little."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ctxlint.diagnostics import Applicability, Diagnostic, Edit, Fix, RelatedLocation
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
from ctxlint.prompt_files.renders import PassedValue, Render

# Below this many characters of prefix after it (some 100 tokens), a changing value costs
# less than a request's own new message: not worth a finding.
LITTLE_AFTER = 400

# Variables that carry the conversation so far: a loop over one (or an SK/Dotprompt
# history placeholder) is where the history goes.
_HISTORY = re.compile(r"(?i)^(chat_?)?(history|messages|conversation|turns|dialog(ue)?)$")

# Names that say "the time now" (not a date: a date changes once a day, which caches that
# live minutes to hours hardly notice), a fresh id or a random value.
_CLOCK_NAME = re.compile(
    r"(?i)^(now|time|time_?now|now_?time|current_?time|current_?date_?time|date_?time"
    r"|local_?date_?time|utc_?now|now_?utc|(current_?)?timestamp|time_?stamp)$"
)
_DAY_NAME = re.compile(r"(?i)^(today|date|current_?date|todays?_?date|date_?today)$")
_ID_NAME = re.compile(r"(?i)^(uuid|request_?id|nonce|random(_\w+)?)$")

# Functions and filters a template evaluates itself: (what it is, whether only to the day).
_CLOCK_CALLS = {
    "now": "reads the clock",
    "utcnow": "reads the clock",
    "datetime.now": "reads the clock",
    "datetime.utcnow": "reads the clock",
    "uuid4": "makes a random uuid",
    "uuid.uuid4": "makes a random uuid",
    "uuid1": "makes a new uuid",
    "random": "picks a random value",
    "randint": "picks a random value",
    "random.random": "picks a random value",
    "random.randint": "picks a random value",
    "random.choice": "picks a random value",
    # Semantic Kernel's TimePlugin: now to the minute, time to the second (date and today
    # are to the day).
    "time.now": "reads the clock to the minute",
    "time.utcnow": "reads the clock to the minute",
    "time.time": "reads the clock",
    "time.hour": "reads the hour",
    "time.minute": "reads the clock to the minute",
    "time.second": "reads the clock to the second",
    "time.timezoneoffset": "reads the clock",
}
_DAY_CALLS = frozenset({"time.date", "time.today", "time.daysago", "time.dayofmonth"})
_RANDOM_FILTERS = {"random": "picks a random item", "shuffle": "shuffles"}

# This turn's data by its name: retrieved documents, memories, what the user just asked, a
# task list the agent keeps updating. A name-only judgement, used when no render is seen.
_USERS_MESSAGE = "the user's message"
_PER_TURN_NAMES = (
    (
        re.compile(
            r"(?i)^(retrieved_?\w*|documents|docs|documentation|search_?results|sources"
            r"|chunks|passages|context_?docs|relevant_?docs|rag_?context|retrieval)$"
        ),
        "retrieved documents",
    ),
    (re.compile(r"(?i)^(memories|relevant_?memories|recalled_?\w*|recall)$"), "memories"),
    (
        re.compile(
            r"(?i)^(question|query|input|user_?input|user_?query|user_?question|user_?message)$"
        ),
        _USERS_MESSAGE,
    ),
    (re.compile(r"(?i)^(todos?|todo_?list|task_?list|checklist)$"), "the task list"),
)


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


def is_history(placeholder: Placeholder) -> bool:
    """A loop over the conversation, or a placeholder that inserts it whole."""
    if placeholder.construct not in ("loop", "output", "field"):
        return False
    return any(_HISTORY.match(_last(name)) for name in placeholder.names)


def clock_in_template(placeholder: Placeholder, daily: bool) -> str | None:
    """What the template itself makes change: a clock read, a random pick or shuffle."""
    for call in placeholder.calls:
        key = call.lower()
        if key in _CLOCK_CALLS:
            return _CLOCK_CALLS[key]
        if daily and key in _DAY_CALLS:
            return "reads the date"
    for name in placeholder.filters:
        if name in _RANDOM_FILTERS:
            return _RANDOM_FILTERS[name]
    # Nunjucks (promptfoo) and Prompty-style `"now" | date(...)`: the date filter of "now".
    if "date" in placeholder.filters and re.match(r"""\s*["']now["']""", placeholder.expression):
        return "reads the clock"
    return None


def clock_by_name(placeholder: Placeholder, daily: bool) -> str | None:
    """What a variable's name says it holds, when nothing shows its value."""
    if placeholder.construct not in ("output", "field"):
        return None
    for name in placeholder.names:
        last = _last(name)
        if _CLOCK_NAME.match(last):
            return "the time now"
        if _ID_NAME.match(last):
            return "a fresh id or random value"
        if daily and _DAY_NAME.match(last):
            return "today's date"
    return None


def per_turn_by_name(placeholder: Placeholder, stated_system: bool) -> str | None:
    """What this turn's data a variable's name says it holds, when nothing shows its value.
    A question or input is taken for the user's newest message only in a part the file calls
    system or instructions: above a history in one message it is as often a persona's fixed
    opening line (Semantic Kernel's ChatUser sample: `{{$bot}} {{$question}}`)."""
    if placeholder.construct not in ("output", "field", "loop"):
        return None
    for name in placeholder.names:
        head = name.split(".", 1)[0].lstrip("$")
        for pattern, what in _PER_TURN_NAMES:
            if pattern.match(head) and (stated_system or what != _USERS_MESSAGE):
                return what
    return None


def stated_system(part: Part, prompt: PromptCheck) -> bool:
    """Whether the file itself says the part is a system or instructions part (a `system:`
    line, `<message role="system">`, a `system_prompt:` key), or the code or configuration
    that uses it does (a render sent as the system prompt, promptfoo's `role: system` naming
    the file): not only its file name."""
    if part.label:
        return part.role in (SYSTEM, INSTRUCTIONS)
    return any(render.sent_as in (SYSTEM, INSTRUCTIONS) for render in prompt.renders)


def per_turn_in_template(placeholder: Placeholder) -> str | None:
    """A search the template runs itself on every render: Semantic Kernel's
    `{{recall $input}}` finds the memories for this turn's input."""
    for call in placeholder.calls:
        if call.lower().split(".")[-1] in ("recall", "search", "retrieve") and placeholder.names:
            return "searches memory for this turn"
    return None


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
        for name in (printed,):
            value = render.value(name.lstrip("$"))
            if value is not None:
                yield render, value


_PRINTED = re.compile(r"\s*\$?([A-Za-z_]\w*)(\.\w+|\[[^\]]*\])*\s*(\|.*)?", re.DOTALL)


def printed_name(placeholder: Placeholder) -> str | None:
    """The variable whose value the placeholder writes out or loops over (`docs`,
    `user.name`, `items | join(", ")`): a variable only tested (`{% if docs %}`, `'x' if docs
    else 'y'`) changes nothing by its value, and no value passed for it is judged."""
    if placeholder.construct not in ("output", "field", "loop"):
        return None
    matched = _PRINTED.fullmatch(placeholder.expression)
    return matched.group(1) if matched else None


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


def _last(name: str) -> str:
    return name.rsplit(".", 1)[-1].lstrip("$")


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
        named = "Judged by its name, as no Python code renders this file. " if first.by_name else ""
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
    text = " ".join(placeholder.expression.split())
    return text if len(text) <= 40 else text[:37] + "..."


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
    return value.location(f"`{_short(value.expression)}` passed by {render.call}()")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."


# Tags that open and close a block, by template language: a line inside one cannot move.
_OPENS = {
    "jinja": re.compile(r"\{%-?\s*(for|if|macro|call|filter|block|with|raw|autoescape)\b"),
    "handlebars": re.compile(r"\{\{~?#"),
    "semantic-kernel": re.compile(r"(?!)"),
    "format": re.compile(r"(?!)"),
}
_CLOSES = {
    "jinja": re.compile(r"\{%-?\s*end\w+"),
    "handlebars": re.compile(r"\{\{~?/"),
    "semantic-kernel": re.compile(r"(?!)"),
    "format": re.compile(r"(?!)"),
}
# A variable set in the template: a moved line might then read it before it is set.
_SETS = re.compile(r"\{%-?\s*set\b")
_TAG = re.compile(r"\{%|\{#|\{\{~?[#/]")


def move_to_part_end(prompt: PromptCheck, part: Part, placeholder: Placeholder) -> Fix | None:
    """An unsafe fix that moves the placeholder's line to the end of the part's own text:
    before the history when the part lays it out, else to the part's end. Offered only where
    the move is plain: the part is read verbatim from the file (not a YAML value), it sets no
    variable, the line and the place it goes to are in no block of the template, and the line
    holds this one placeholder and no tag."""
    opens, closes = _OPENS.get(part.syntax), _CLOSES.get(part.syntax)
    if opens is None or closes is None or part.end - part.start != len(part.text):
        return None
    if _SETS.search(part.text):
        return None
    text = prompt.text
    line_start = text.rfind("\n", part.start, placeholder.offset) + 1 or part.start
    line_end = text.find("\n", placeholder.offset, part.end)
    if line_end == -1:
        return None
    line = text[line_start:line_end]
    on_line = [held for held in part.placeholders if line_start <= held.offset < line_end]
    if len(on_line) != 1 or _TAG.search(line) or not line.strip():
        return None
    target = _end_of_own_text(text, part, placeholder)
    if target <= line_end:
        return None

    def depth(offset: int) -> int:
        before = text[part.start : offset]
        return len(opens.findall(before)) - len(closes.findall(before))

    if depth(line_start) != 0 or depth(target) != 0:
        return None
    delete = _edit(prompt, line_start, line_end + 1, "")
    insert = _edit(prompt, target, target, "\n" + line)
    return Fix("Move the line to the end of its part", (delete, insert), Applicability.UNSAFE)


def _end_of_own_text(text: str, part: Part, placeholder: Placeholder) -> int:
    """Where the part's own text ends: the end of the last line before the history the part
    lays out after the placeholder, else the part's end, trailing blank lines left out."""
    end = part.end
    for held in part.placeholders:
        if held.offset > placeholder.offset and is_history(held):
            end = text.rfind("\n", part.start, held.offset) + 1 or part.start
            break
    while end > part.start and text[end - 1] in " \t\r\n":
        end -= 1
    # Past a tag that opens the history loop's line (`{% for item in history %}`): the
    # insertion goes on the line before it.
    return end


def _edit(prompt: PromptCheck, start: int, end: int, content: str) -> Edit:
    return Edit(start, end, content, prompt.location(start), prompt.location(end))


def names_worth_values(prompt: PromptCheck) -> set[str]:
    """The variables whose values a rule may judge in this file: written out or looped over in
    the cached prefix, with enough of it after them to matter. The values passed for the
    others are not worth following through the project."""
    return {
        name
        for _, placeholder, position in prefix_placeholders(prompt)
        if not position.costs_little and (name := printed_name(placeholder)) is not None
    }
