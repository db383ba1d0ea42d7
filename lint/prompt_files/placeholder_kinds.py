"""What a placeholder of a prompt file is by the template alone: a clock read, a random pick, a
memory search the template runs itself, the conversation laid out; or, when no Python code
shows the value it gets, what its variable's name says it holds."""

from __future__ import annotations

import re

from ctxlint.prompt_files.model import Placeholder

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

# Functions and filters a template evaluates itself, and what each does.
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


_PRINTED = re.compile(r"\s*\$?([A-Za-z_]\w*)(\.\w+|\[[^\]]*\])*\s*(\|.*)?", re.DOTALL)


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


def per_turn_in_template(placeholder: Placeholder) -> str | None:
    """A search the template runs itself on every render: Semantic Kernel's
    `{{recall $input}}` finds the memories for this turn's input."""
    for call in placeholder.calls:
        if call.lower().split(".")[-1] in ("recall", "search", "retrieve") and placeholder.names:
            return "searches memory for this turn"
    return None


def printed_name(placeholder: Placeholder) -> str | None:
    """The variable whose value the placeholder writes out or loops over (`docs`,
    `user.name`, `items | join(", ")`): a variable only tested (`{% if docs %}`, `'x' if docs
    else 'y'`) changes nothing by its value, and no value passed for it is judged."""
    if placeholder.construct not in ("output", "field", "loop"):
        return None
    matched = _PRINTED.fullmatch(placeholder.expression)
    return matched.group(1) if matched else None


def _last(name: str) -> str:
    return name.rsplit(".", 1)[-1].lstrip("$")
