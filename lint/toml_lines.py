"""The line a key of the configuration sits on, found by a plain scan of the TOML text (tomllib
keeps no positions), or None whenever the scan cannot be sure."""

from __future__ import annotations

import re
from collections.abc import Sequence

# A table header, `[a.b]` or `[[a.b]]`.
_HEADER = re.compile(r"\s*\[\[?(?P<name>[^\]]*)\]\]?\s*(?:#.*)?$")
_BARE_KEY = re.compile(r"[A-Za-z0-9_\-]+")


def key_line(text: str, key_path: Sequence[str | int], table: Sequence[str]) -> int | None:
    """The line (1-based) where the last key of `key_path` (a path of keys and array indices
    inside the table `table`, such as ("prices", "gpt-4.1", "input") in ("tool", "ctxlint")) is
    assigned; None when it is not found, or found more than once and its parent key does not
    tell the places apart. A wrong line would send the reader looking in the wrong place."""
    keys = [part for part in key_path if isinstance(part, str)]
    if not keys:
        return None
    assigned = re.compile(rf"\s*(?:{_KEY_PART}\s*\.\s*)*{_key_pattern(keys[-1])}\s*=")
    # A key named inside an inline table, `{ "a.py" = [...] }`, or a dotted key's last part.
    inline = re.compile(rf"[{{,.]\s*{_key_pattern(keys[-1])}\s*=")
    candidates: list[tuple[int, str]] = []
    header = ""
    for number, line in enumerate(text.splitlines(), start=1):
        found = _HEADER.match(line)
        if found is not None:
            header = found.group("name")
            continue
        if not _inside(header, table):
            continue
        if assigned.match(line) or inline.search(line):
            candidates.append((number, header + " " + line))
    if len(candidates) > 1 and len(keys) > 1:
        parent = re.compile(_key_pattern(keys[-2]))
        candidates = [(number, where) for number, where in candidates if parent.search(where)]
    return candidates[0][0] if len(candidates) == 1 else None


_KEY_PART = r"""(?:[A-Za-z0-9_\-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""


def _key_pattern(key: str) -> str:
    """A key as TOML may spell it: bare when it can be, or in either quotes."""
    quoted = [re.escape(f'"{key}"'), re.escape(f"'{key}'")]
    if _BARE_KEY.fullmatch(key):
        quoted.append(re.escape(key) + r"(?![A-Za-z0-9_\-])")
    return "(?:" + "|".join(quoted) + ")"


def _inside(header: str, table: Sequence[str]) -> bool:
    """Whether the table a header opens lies within `table` (the top level when empty)."""
    if not table:
        return True
    parts = [part.strip().strip("\"'") for part in header.split(".")]
    return parts[: len(table)] == list(table)
