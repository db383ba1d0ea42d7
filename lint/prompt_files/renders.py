"""Where the project's Python code renders a prompt file, and what it passes for each variable.

The Python side (ctxlint.python.prompt_renders) finds these; the prompt-file rules read them to
judge a placeholder by the value it is actually given: `{{ now }}` fed
`datetime.now().isoformat()` reads the clock to the microsecond, `{{ now }}` fed
`date.today()` changes once a day. Plain values; nothing here parses Python."""

from __future__ import annotations

from dataclasses import dataclass

from ctxlint.diagnostics import Location, RelatedLocation


@dataclass(frozen=True, slots=True)
class PassedValue:
    """What one render call passes for one template variable."""

    # The variable's name in the template: "now", "documents".
    name: str
    # The Python expression passed, as written and shortened: "datetime.now().isoformat()".
    expression: str
    path: str
    start: Location
    end: Location
    # Why the value differs between calls, in CTX001's words ("reads the clock to the
    # second", "is a random uuid"), or None when it is no clock, id or random value.
    volatile: str | None = None
    # What this turn's data it is, in CTX011's words ("retrieved documents", "the user's
    # question"), or None.
    per_turn: str | None = None
    # Why the order it is iterated in may differ between calls, in CTX003's words ("a
    # set"), or None.
    unordered: str | None = None
    # Why the order of its keys may differ between calls, in CTX002's words ("a dict filled
    # from a set"), or None: what a JSON writer that keeps key order prints differently.
    unsorted_keys: str | None = None

    def location(self, message: str) -> RelatedLocation:
        return RelatedLocation(self.path, self.start, self.end, message)


@dataclass(frozen=True, slots=True)
class Render:
    """One place the project's Python code renders (or fills in) a prompt file."""

    path: str
    start: Location
    end: Location
    # The call as written, short: "template.render", "prompt.format", "prompty.execute".
    call: str
    values: tuple[PassedValue, ...] = ()
    # Whether every variable the call passes is seen: False when it passes `**kwargs` or a
    # mapping whose keys are not known here, so a variable without a value may still get one.
    complete: bool = True
    # What the rendered text becomes when the code shows it ("system", "user"), else None.
    sent_as: str | None = None

    def value(self, name: str) -> PassedValue | None:
        """The value passed for `name` (its first dotted part: `user.name` -> `user`)."""
        head = name.split(".", 1)[0]
        return next((value for value in self.values if value.name == head), None)

    def location(self, message: str) -> RelatedLocation:
        return RelatedLocation(self.path, self.start, self.end, message)
