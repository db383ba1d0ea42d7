"""Framework options that make the framework itself put changing content into the system prompt.

Some agent frameworks build the system message for the user, from switches on the agent:
agno's `add_datetime_to_context=True` appends the current time (to the microsecond, unless a
`datetime_format=` says otherwise) on every run, `add_session_summary_to_context=True` the
session summary, which agno rewrites after every run when the same call also turns summaries
on (`enable_session_summaries=True` or a `session_summary_manager=`). No value of the
project's code reaches a sink there: the switch is the place to report, and turning it off (or
passing the content in the newest message) the fix.

A switch counts when it is given as the constant `True`, in a module that imports the
framework, to any call: projects often build the agent through a helper of their own that
forwards its keyword arguments (`_make_agent(..., add_session_summary_to_context=True)`).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from ctxlint.python.index import ModuleIndex


@dataclass(frozen=True, slots=True)
class FrameworkSwitch:
    """A keyword argument switching on content the framework rewrites into the prefix."""

    keyword: ast.keyword
    # "CTX001" for a volatile value (the clock), "CTX011" for per-turn content.
    code: str
    framework: str
    # What the framework writes, as a finding names it: "the current time".
    what: str


# framework package -> keyword -> (rule code, what it writes into the system message)
_SWITCHES: dict[str, dict[str, tuple[str, str]]] = {
    "agno": {
        "add_datetime_to_context": ("CTX001", "the current time"),
        "add_session_summary_to_context": ("CTX011", "the session summary"),
    },
}


# The switches' names: a file that spells one is parsed whatever else it holds.
SWITCH_NEEDLES = {
    code: tuple(k.encode() for s in _SWITCHES.values() for k, (c, _) in s.items() if c == code)
    for code in ("CTX001", "CTX011")
}


def framework_switches(index: ModuleIndex, code: str) -> list[FrameworkSwitch]:
    """The switches of rule `code` set to `True` in the module, for the frameworks it
    imports."""
    top_levels = {name.split(".")[0] for name in index.imported_modules}
    wanted = {
        keyword: (framework, found)
        for framework, switches in _SWITCHES.items()
        if framework in top_levels
        for keyword, found in switches.items()
        if found[0] == code
    }
    if not wanted:
        return []
    switches: list[FrameworkSwitch] = []
    for site in index.calls:
        for keyword in site.call.keywords:
            if keyword.arg not in wanted:
                continue
            value = keyword.value
            if isinstance(value, ast.Constant) and value.value is True:
                if keyword.arg == "add_datetime_to_context" and not _keeps_the_time(site.call):
                    continue
                if keyword.arg == "add_session_summary_to_context" and not _writes_summaries(
                    site.call
                ):
                    continue
                framework, (code, what) = wanted[keyword.arg]
                switches.append(FrameworkSwitch(keyword, code, framework, what))
    return switches


def _writes_summaries(call: ast.Call) -> bool:
    """Whether the same call has agno write a session summary after each run:
    `enable_session_summaries=True` or a `session_summary_manager=`. Without either, agno
    only puts in a summary something else stored (the project's own compaction), which
    changes when that runs, not every turn."""
    for keyword in call.keywords:
        value = keyword.value
        if keyword.arg == "enable_session_summaries" and (
            isinstance(value, ast.Constant) and value.value is True
        ):
            return True
        if keyword.arg == "session_summary_manager" and not (
            isinstance(value, ast.Constant) and value.value is None
        ):
            return True
    return False


# strftime directives finer than a day: with none of them the value changes once a day.
_TIME_DIRECTIVES = re.compile(r"%-?[HIMSfpXcTsrRzZ]")


def _keeps_the_time(call: ast.Call) -> bool:
    """Whether the time written is finer than a day: by default agno writes `str(now)`; a
    `datetime_format=` given as a literal decides, and one computed elsewhere is not known."""
    for keyword in call.keywords:
        if keyword.arg == "datetime_format":
            value = keyword.value
            if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
                return False
            return _TIME_DIRECTIVES.search(value.value) is not None
    return True


def switch_message(switch: FrameworkSwitch) -> str:
    return (
        f"`{switch.keyword.arg}=True` makes {switch.framework} write {switch.what} into the "
        "system prompt"
    )
