"""The lifetimes of Anthropic cache breakpoints, in the order the API reads them.

A request is read tools, then system, then messages, and a breakpoint with a 1-hour TTL must
not come after one with the default 5 minutes: the API rejects such a request (400). The
mistake spans modules in practice: a provider module marks the last tool with the default
lifetime while a prompt module gives the system prompt `"ttl": "1h"`. So a tool breakpoint of
5 minutes is checked against the 1-hour breakpoints of its own module and of the other files
of its package (a bounded, cached scan of their bytes, parsed only where `"1h"` appears; tests
and a test's expected values are left out).
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from ctxlint.python.breakpoints import is_key_store

ONE_HOUR = "1h"
FIVE_MINUTES = "5m"
_KEY = "cache_control"
# Files of a package read to find a 1-hour breakpoint, and the largest read.
_MAX_FILES = 400
_MAX_BYTES = 1_000_000
_TOOL_KEYS = frozenset({"input_schema", "parameters", "function", "inputSchema"})
# Names that hold a tool's call or result in the messages, not a definition in the tool list.
_NOT_DEFINITIONS = ("result", "use", "call", "message", "msg", "output", "response", "choice")


@dataclass(frozen=True, slots=True)
class HourBreakpoint:
    path: str
    line: int


def breakpoint_ttl(value: ast.expr) -> str | None:
    """The lifetime a `cache_control` value asks for: "1h", "5m" (also a literal without
    `ttl`), or None when it cannot be read."""
    if not isinstance(value, ast.Dict) or any(key is None for key in value.keys):
        return None
    for key, item in zip(value.keys, value.values, strict=True):
        if isinstance(key, ast.Constant) and key.value == "ttl":
            if isinstance(item, ast.Constant) and item.value in (ONE_HOUR, FIVE_MINUTES):
                return item.value
            return None
    return FIVE_MINUTES


def tool_breakpoints(roots: Iterable[ast.AST]) -> list[ast.AST]:
    """Breakpoints of the default lifetime put on a tool definition: `last_tool[...] = {...}`
    or a tool literal (`{"name": ..., "input_schema": ..., "cache_control": {...}}`), outside
    assertions (a test's expected request is not a request)."""
    found: list[ast.AST] = []
    for node in _outside_assertions(roots):
        if isinstance(node, ast.Assign) and is_key_store(node.targets):
            target = node.targets[0]
            assert isinstance(target, ast.Subscript)
            if _names_a_tool(target.value) and breakpoint_ttl(node.value) == FIVE_MINUTES:
                found.append(target)
        elif isinstance(node, ast.Dict) and _is_tool_literal(node):
            for key, value in zip(node.keys, node.values, strict=True):
                if _is_key(key) and breakpoint_ttl(value) == FIVE_MINUTES:
                    found.append(key)  # type: ignore[arg-type]
    return found


def hour_breakpoint(path: str, roots: Iterable[ast.AST]) -> HourBreakpoint | None:
    """A 1-hour breakpoint not on a tool, in this module (the nodes under `roots`) or in
    another file of its package."""
    own = _hour_breakpoints(roots)
    if own:
        return HourBreakpoint(path, own[0])
    here = os.path.abspath(path)
    if _is_test(here):
        return None
    for other in _package_files(os.path.dirname(here)):
        if other == here or _is_test(other):
            continue
        line = _hour_breakpoint_in_file(other)
        if line is not None:
            return HourBreakpoint(other, line)
    return None


def _hour_breakpoints(roots: Iterable[ast.AST]) -> list[int]:
    lines: list[int] = []
    for node in _outside_assertions(roots):
        if isinstance(node, ast.Assign) and is_key_store(node.targets):
            target = node.targets[0]
            assert isinstance(target, ast.Subscript)
            if not _names_a_tool(target.value) and breakpoint_ttl(node.value) == ONE_HOUR:
                lines.append(node.lineno)
        elif isinstance(node, ast.Dict) and not _is_tool_literal(node):
            for key, value in zip(node.keys, node.values, strict=True):
                if _is_key(key) and breakpoint_ttl(value) == ONE_HOUR:
                    lines.append(value.lineno)
    return sorted(lines)


@lru_cache(maxsize=64)
def _package_files(folder: str) -> tuple[str, ...]:
    """The Python files of the package a folder belongs to (its top folder with an
    `__init__.py`), or of the folder alone when it is no package; at most _MAX_FILES."""
    top = folder
    while os.path.exists(os.path.join(top, "__init__.py")):
        parent = os.path.dirname(top)
        if parent == top or not os.path.exists(os.path.join(parent, "__init__.py")):
            break
        top = parent
    packaged = os.path.exists(os.path.join(top, "__init__.py"))
    files: list[str] = []
    for root, folders, names in os.walk(top):
        folders[:] = sorted(f for f in folders if not f.startswith(".")) if packaged else []
        files.extend(os.path.join(root, name) for name in sorted(names) if name.endswith(".py"))
        if len(files) >= _MAX_FILES:
            break
    return tuple(files[:_MAX_FILES])


@lru_cache(maxsize=512)
def _hour_breakpoint_in_file(path: str) -> int | None:
    try:
        if os.path.getsize(path) > _MAX_BYTES:
            return None
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    if b"cache_control" not in data or b"1h" not in data:
        return None
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return None
    if _any_tool_breakpoint(tree):
        return None  # A request path of its own, which marks its tools itself.
    lines = _hour_breakpoints([tree])
    return lines[0] if lines else None


def _outside_assertions(roots: Iterable[ast.AST]) -> Iterator[ast.AST]:
    """The nodes under the roots but those of `assert` statements and comparisons."""
    stack = list(roots)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Assert, ast.Compare)):
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def _is_test(path: str) -> bool:
    name = os.path.basename(path)
    parts = path.replace(os.sep, "/").split("/")
    return name.startswith("test_") or name.endswith("_test.py") or "tests" in parts[:-1]


def _any_tool_breakpoint(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and is_key_store(node.targets):
            target = node.targets[0]
            if isinstance(target, ast.Subscript) and _names_a_tool(target.value):
                return True
        elif (
            isinstance(node, ast.Dict)
            and _is_tool_literal(node)
            and any(_is_key(key) for key in node.keys)
        ):
            return True
    return False


def _names_a_tool(node: ast.expr) -> bool:
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        if isinstance(node, ast.Attribute) and _tool_word(node.attr):
            return True
        node = node.value
    return isinstance(node, ast.Name) and _tool_word(node.id)


def _tool_word(name: str) -> bool:
    lowered = name.lower()
    return "tool" in lowered and not any(word in lowered for word in _NOT_DEFINITIONS)


def _is_tool_literal(node: ast.Dict) -> bool:
    keys = {key.value for key in node.keys if isinstance(key, ast.Constant)}
    return bool(keys & _TOOL_KEYS) and ("name" in keys or "function" in keys)


def _is_key(key: ast.expr | None) -> bool:
    return isinstance(key, ast.Constant) and key.value == _KEY
