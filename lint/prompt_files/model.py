"""What a prompt file reads as: its kind, its parts (one per role), the placeholders in each,
and the faults met while reading it. Plain values; nothing here imports jinja2 or yaml."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# The kinds of prompt file a reader tells apart.
JINJA = "jinja"  # *.j2, *.jinja, *.jinja2, and text or Markdown written in Jinja
PROMPTY = "prompty"  # *.prompty: YAML front matter, then a Jinja body split by role lines
DOTPROMPT = "dotprompt"  # *.prompt: YAML front matter, then a Handlebars body
FORMAT_STRING = "format-string"  # text or Markdown with str.format `{name}` fields
SEMANTIC_KERNEL = "semantic-kernel"  # skprompt.txt, or a YAML prompt with `template:`
PROMPTFOO = "promptfoo"  # a promptfoo config's `prompts:` list
LANGCHAIN = "langchain"  # a LangChain `load_prompt` export (`_type: prompt` / `chat`)
CHAT = "chat"  # a JSON or YAML list of `{role, content}` messages
ROLE_KEYED = "role-keyed"  # a YAML mapping whose keys name roles (`system:`, `user:`)
UNRECOGNISED = "unrecognised"  # read, but no prompt found in it

# The roles a part can have. `instructions` is the developer's standing text that is not
# called system (OpenAI's `developer` messages and `instructions` fields).
SYSTEM = "system"
INSTRUCTIONS = "instructions"
USER = "user"
ASSISTANT = "assistant"
UNKNOWN = "unknown"

# What template language a part's text is written in: how its placeholders were found.
SYNTAX_JINJA = "jinja"  # jinja2's parser (Nunjucks and Prompty's default are close enough)
SYNTAX_FORMAT = "format"  # string.Formatter
SYNTAX_SEMANTIC_KERNEL = "semantic-kernel"  # `{{$var}}`, `{{plugin.function $arg}}`
SYNTAX_HANDLEBARS = "handlebars"  # `{{var}}`, `{{#each xs}}`, Mustache too
SYNTAX_NONE = "none"  # plain text, no placeholders


@dataclass(frozen=True, slots=True)
class Placeholder:
    """A placeholder or expression of a template, where the file holds it."""

    # The expression's source text, as written: `now()`, `items | shuffle`, `$input`.
    expression: str
    # Where the expression sits: `output` (its value is written into the prompt), `loop` (the
    # sequence a loop walks), `condition`, `assignment`, `statement`, or `field` (str.format).
    construct: str
    # The variables it reads, dotted where attributes are taken: ("user.name",).
    names: tuple[str, ...] = ()
    # The functions it calls: ("now",), or Semantic Kernel's ("time.now",).
    calls: tuple[str, ...] = ()
    # The filters it applies: ("random",), ("tojson",).
    filters: tuple[str, ...] = ()
    # 0-based character offset of the expression in the file, and its 1-based line and column.
    offset: int = 0
    line: int = 1
    column: int = 1


@dataclass(frozen=True, slots=True)
class Part:
    """One role's text of a prompt file: a system prompt, a message, a whole template."""

    role: str
    # The template text as its renderer sees it (a YAML block scalar without its indent).
    text: str
    # Where the part's text sits in the file: 0-based character offsets, end exclusive, and
    # the 1-based line it starts on.
    start: int
    end: int
    line: int
    syntax: str
    # Whether the part is in the prompt's cached prefix: every part but the last user or
    # assistant message, which is the turn that changes on every request.
    in_prefix: bool
    placeholders: tuple[Placeholder, ...] = ()
    # What the part is called in its file, for messages: `system:` line, `prompts[2]`.
    label: str = ""


@dataclass(frozen=True, slots=True)
class PromptFileError:
    """A fault of a prompt file (unparseable Jinja, bad YAML); becomes a CTX900 at its line."""

    path: Path
    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class Reference:
    """Another file a prompt config names for its text (promptfoo `file://`, LangChain
    `template_path`), and the role the config gives that text."""

    target: str  # as written, without `file://`; relative to the config's folder
    role: str
    line: int


@dataclass(frozen=True, slots=True)
class PromptFile:
    """A prompt file as read: its parts in prompt order, and the faults met reading it."""

    path: Path
    kind: str
    parts: tuple[Part, ...] = ()
    errors: tuple[PromptFileError, ...] = ()
    # Other files the prompt names for its text: not read here; discovery decides whether
    # they are prompt files, and reads them with the role given here.
    references: tuple[Reference, ...] = ()
    # Front matter and config values that are not prompt text (`model`, `inputs`), as read.
    metadata: dict[str, object] = field(default_factory=dict)

    @property
    def prefix_parts(self) -> tuple[Part, ...]:
        return tuple(part for part in self.parts if part.in_prefix)

    def prefix_share_before(self, offset: int) -> PrefixShare:
        """How much of the whole cached prefix (every prefix part, in order) precedes
        `offset`: a clock in the last message before the user's turn costs less than one at
        the top of the system part."""
        before = total = 0
        for part in self.prefix_parts:
            share = share_before(part, offset)
            before += share.before
            total += share.total
        return PrefixShare(before, total)

    def placeholders(self) -> list[tuple[Part, Placeholder]]:
        """Every placeholder with the part holding it, in file order."""
        found = [(part, held) for part in self.parts for held in part.placeholders]
        return sorted(found, key=lambda pair: pair[1].offset)


@dataclass(frozen=True, slots=True)
class PrefixShare:
    """How much of a cached part precedes a point in it: what a volatile value there costs.
    A value at the very end of the system part leaves nearly all of it cacheable; one at its
    start leaves none."""

    before: int  # characters of the part's text before the point
    total: int  # characters of the part's text

    @property
    def fraction(self) -> float:
        """The share of the part that stays cacheable, 0.0 (the start) to 1.0 (the end)."""
        return self.before / self.total if self.total else 0.0


def share_before(part: Part, offset: int) -> PrefixShare:
    """How much of `part` precedes `offset` (a placeholder's offset in the file). A point
    outside the part counts as its start or its end, whichever is nearer."""
    total = len(part.text)
    if offset <= part.start:
        return PrefixShare(0, total)
    if offset >= part.end:
        return PrefixShare(total, total)
    # A part's text and its span in the file differ when YAML strips an indent: scale the
    # file span onto the text, which is exact for a part read verbatim from the file.
    span = part.end - part.start
    if span == total:
        return PrefixShare(offset - part.start, total)
    return PrefixShare(round((offset - part.start) * total / span), total)


def with_prefix_flags(parts: list[Part]) -> tuple[Part, ...]:
    """The parts with `in_prefix` set: all but a trailing user or assistant message, which
    holds the turn that changes with every request."""
    from dataclasses import replace

    last = len(parts) - 1
    return tuple(
        replace(part, in_prefix=not (index == last and part.role in (USER, ASSISTANT)))
        for index, part in enumerate(parts)
    )
