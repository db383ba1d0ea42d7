"""A change to a sent history that replaces a message's content with a constant stub and keeps
nothing to read the content back from (no URL, path or id in the stub or beside it)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ctxlint.python.summary_types import Span

if TYPE_CHECKING:
    from ctxlint.python.container_types import Change
    from ctxlint.python.module import PythonModule

# Names of a field, or of a value put into a stub, that say where content came from.
_REFERENCE = re.compile(
    r"(?:^|_)(?:url|uri|href|link|path|file|filename|source|src|id|key|location|ref|reference)s?$",
    re.IGNORECASE,
)
# A stub is short: a longer constant is a message of its own, not a placeholder.
_STUB_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Stub:
    """Where the stub is written, in the module that writes it."""

    module: PythonModule
    node: ast.AST
    # The stub as written (`"[removed]"`).
    text: str


def unrestorable_stub(change: Change, module: PythonModule) -> Stub | None:
    """The constant stub a change to a sent history writes over a message's content, when
    neither the stub nor a field beside it keeps a reference; None otherwise."""
    home = module
    if change.applied is not None:
        span = change.applied.span
        made_in = getattr(change.applied, "made_in", None)
        where = (
            made_in.scope
            if made_in is not None
            else (change.callee.scope if change.callee is not None else None)
        )
        found = module.module_of(where) if where is not None else None
        home = found if found is not None else module
    else:
        span = Span.of(change.node)
    for node in _within(home, span):
        stub = _stub_in(node, home)
        if stub is not None:
            return Stub(home, node, home.snippet(stub, 40))
    return None


def _within(module: PythonModule, span: Span) -> list[ast.AST]:
    """The places that may write a stub on the lines of the span, outermost first."""
    by_line = module.fact(_stub_places)
    return [
        node
        for line in range(span.line, span.end_line + 1)
        for node in by_line.get(line, ())
        if (node.end_lineno or node.lineno) <= span.end_line  # type: ignore[attr-defined]
    ]


def _stub_places(module: PythonModule) -> dict[int, list[ast.AST]]:
    """What may write a stub over an existing message, by line: assignments, calls, and dicts
    that copy a message (`{**m, ...}`) or stand in for one in a comprehension (`[{...} if old
    else m for m in msgs]`); a dict appended is a new message. Found once per module."""
    replacing = set()
    places = []
    for node in ast.walk(module.tree):
        if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            for part in ast.walk(node.elt):
                if isinstance(part, ast.IfExp):
                    replacing.update(id(branch) for branch in (part.body, part.orelse))
        if isinstance(node, (ast.Assign, ast.Dict, ast.Call)):
            places.append(node)
    by_line: dict[int, list[ast.AST]] = {}
    for node in places:
        if not isinstance(node, ast.Dict) or None in node.keys or id(node) in replacing:
            by_line.setdefault(node.lineno, []).append(node)  # type: ignore[attr-defined]
    return by_line


def _stub_in(node: ast.AST, module: PythonModule) -> ast.expr | None:
    """The stub `node` writes over a `content` field, when nothing beside it keeps a reference."""
    if isinstance(node, ast.Assign):
        for target in node.targets:
            base = _content_target(target)
            if base is not None and _constant_stub(node.value):
                if _reference_set_on(base, module):
                    return None
                return node.value
        return None
    if isinstance(node, ast.Dict):
        fields = {
            key.value: value
            for key, value in zip(node.keys, node.values, strict=False)
            if isinstance(key, ast.Constant) and isinstance(key.value, str)
        }
        content = fields.get("content")
        if content is None or not _constant_stub(content):
            return None
        if any(_REFERENCE.search(name) for name in fields):
            return None
        return content
    if isinstance(node, ast.Call):
        # `m.update(content="[removed]")`, `dict(m, content="[removed]")`, not a new message
        # built by a constructor (`Message(role="user", content="...")`).
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        if not (
            name in ("update", "copy", "model_copy", "replace", "_replace")
            or (name == "dict" and node.args)
        ):
            return None
        names = {k.arg: k.value for k in node.keywords if k.arg is not None}
        content = names.get("content")
        if content is None or not _constant_stub(content):
            return None
        if any(_REFERENCE.search(name) for name in names):
            return None
        return content
    return None


def _content_target(target: ast.expr) -> ast.expr | None:
    """`m["content"]` or `m.content` as an assignment target: the `m`."""
    if isinstance(target, ast.Subscript):
        key = target.slice
        if isinstance(key, ast.Constant) and key.value == "content":
            return target.value
    if isinstance(target, ast.Attribute) and target.attr == "content":
        return target.value
    return None


def _constant_stub(value: ast.expr) -> bool:
    """A short constant text, or an f-string that puts in nothing naming a source
    (`f"[{n} lines removed]"`); `f"[removed; see {path}]"` keeps one."""
    if isinstance(value, ast.Constant):
        return isinstance(value.value, str) and len(value.value) <= _STUB_LENGTH
    if isinstance(value, ast.JoinedStr):
        for part in value.values:
            if isinstance(part, ast.FormattedValue) and _names_reference(part.value):
                return False
        return True
    return False


def _names_reference(expression: ast.expr) -> bool:
    for node in ast.walk(expression):
        name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            name = node.value
        if isinstance(name, str) and _REFERENCE.search(name):
            return True
    return False


def _reference_set_on(base: ast.expr, module: PythonModule) -> bool:
    """Whether the module also sets a reference field on the same object (`m["path"] = p`)."""
    return ast.dump(base) in module.fact(_objects_given_references)


def _objects_given_references(module: PythonModule) -> frozenset[str]:
    """The objects (as `ast.dump` of the expression) the module sets a reference field on."""
    found = set()
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            if isinstance(target, ast.Subscript):
                key = target.slice
                name = key.value if isinstance(key, ast.Constant) else None
            else:
                name = target.attr if isinstance(target, ast.Attribute) else None
            if isinstance(name, str) and _REFERENCE.search(name):
                found.add(ast.dump(target.value))  # type: ignore[attr-defined]
    return frozenset(found)
