"""What the prefilter is built from: each rule's `Trigger` (what a file it can flag contains),
the needles rules and the analysis share, and the user's configured prompt sinks.

Kept apart from the analysis, with no import of it: the registry loads every rule module and
the configuration reads `prompt-sinks` on every run, and a run answered from the results cache
parses nothing, so it must not pay for importing the analysis (bench/startup.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Trigger:
    """What every file a rule can flag contains: any of the needles, or a match of the
    pattern (tried only when no needle is present). A standalone trigger's rule looks at code
    that need not talk to an LLM itself (a module of tool definitions), so its needles let a
    file through on their own."""

    needles: tuple[bytes, ...]
    pattern: bytes | None = None
    standalone: bool = False
    # Needles that let a file through on their own, for a rule whose other needles do not
    # (a module that gathers tool listings need not send them itself).
    standalone_needles: tuple[bytes, ...] = ()
    # Attributes whose read lets a file through on its own (`hub.tools`): spelt as a module
    # path in an import (`from .tools import`) or a longer name, they do not count.
    standalone_attributes: tuple[bytes, ...] = ()


@dataclass(frozen=True, slots=True)
class ConfiguredSink:
    """A user's own LLM-call wrapper, from `prompt-sinks` in the configuration."""

    call: str
    prefix: tuple[str, ...]
    prompt: tuple[str, ...]


# What a file that edits a history holds: the edits CTX006 and CTX010 look for, written on a
# list named like a history. The rules' prefilter triggers; a file without any is not parsed
# for them.
HISTORY_EDIT_NEEDLES = (
    b"messages[-",
    b"history[-",
    b"messages[:",
    b"history[:",
    b"messages[0] =",
    b"history[0] =",
    b"messages.pop(",
    b"history.pop(",
    b"messages.insert(",
    b"history.insert(",
    b"messages.remove(",
    b"history.remove(",
    b"messages.popleft(",
    b"history.popleft(",
    b"del self.messages",
    b"del self.history",
    b"del messages",
    b"del history",
    b'["content"] =',
    b"['content'] =",
    b"messages if ",
    b"history if ",
    b"trim(",
    b"messages.sort(",
    b"messages.reverse(",
)
# And what a file that hands its history to a helper of its own holds, when it also talks to
# an LLM: a window cut from the end (`msgs[-k:]`, `messages[start:]`), something put in front
# (`[note] + msgs`), positions enumerated (to stub out older items), or a loop over a slice.
HISTORY_HELPER_PATTERN = (
    rb"\[-[\w.]+ ?: ?\]|(?:messages|history)\[\w+ ?:\]"
    rb"|\]\s*\+\s*[\w.]|in enumerate\(|in [\w.]+\[\d*:-"
)
# What a file must contain to hold a file-system listing, an unordered source of CTX003
# (unordered.py).
ORDER_SOURCE_NEEDLES = (b"listdir(", b"scandir(", b"walk(", b"iterdir(", b"glob(", b"et[")
