"""Parses a TypeScript or JavaScript file with tree-sitter: the grammar its suffix calls for,
the places tree-sitter could not read (each a CTX900), and positions in characters.

tree-sitter recovers from an error and goes on: what it read around the error is still a
tree, so the rest of the file is checked as usual.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import tree_sitter

from ctxlint.diagnostics import Location

# `.tsx` is TypeScript with JSX, which the plain TypeScript grammar reads as type assertions;
# the JavaScript grammar reads JSX itself, so `.jsx` and `.js` (often JSX too) take it.
_TSX = (".tsx",)
_TYPESCRIPT = (".ts", ".mts", ".cts")


@functools.cache
def _parser(grammar: str) -> tree_sitter.Parser:
    if grammar == "javascript":
        import tree_sitter_javascript

        capsule = tree_sitter_javascript.language()
    else:
        import tree_sitter_typescript

        if grammar == "tsx":
            capsule = tree_sitter_typescript.language_tsx()
        else:
            capsule = tree_sitter_typescript.language_typescript()
    return tree_sitter.Parser(tree_sitter.Language(capsule))


def load_grammars() -> None:
    for grammar in ("typescript", "tsx", "javascript"):
        _parser(grammar)


def grammar_for(path: str) -> str:
    lowered = path.lower()
    if lowered.endswith(_TSX):
        return "tsx"
    if lowered.endswith(_TYPESCRIPT):
        return "typescript"
    return "javascript"


@dataclass(frozen=True, slots=True)
class ParseError:
    location: Location
    reason: str


@dataclass(slots=True)
class ParsedScript:
    """A parsed file: its tree, its text, and what tree-sitter could not read."""

    path: str
    data: bytes
    tree: tree_sitter.Tree
    grammar: str = "typescript"
    errors: list[ParseError] = field(default_factory=list)
    _lines: list[bytes] = field(default_factory=list)
    # Facts about the tree computed once for every rule that asks (ctxlint.typescript.flow).
    memo: dict = field(default_factory=dict)

    @property
    def root(self) -> tree_sitter.Node:
        return self.tree.root_node

    def location(self, point: tree_sitter.Point) -> Location:
        """A tree-sitter point (0-based row, column in bytes) as a 1-based line and column
        in characters, as every other finding is placed."""
        row, column = point
        if not self._lines:
            self._lines = self.data.split(b"\n")
        line = self._lines[row] if row < len(self._lines) else b""
        characters = len(line[:column].decode("utf-8", errors="replace"))
        return Location(row + 1, characters + 1)

    def text(self, node: tree_sitter.Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", errors="replace")


# tree-sitter-typescript (0.23.2, the newest wheel) cannot read an import type as the type
# argument of a call without arguments, as vitest's `importOriginal<typeof import("x")>()`,
# `toMatchTypeOf<import("x").T>()` or `new Set<import("node:net").Socket>()`: valid
# TypeScript, read as an ERROR. It is the only false parse error met on some 13,000 files of
# real agent code (11, in openai-agents-js and kimi-code tests). The import is read as a
# type name of the same length instead (`import("x")` as `I__________`): every byte keeps
# its place, and a type says nothing the rules read.
_TYPE_IMPORT = re.compile(rb"""(\btypeof\s+|<\s*)(import\s*\(\s*(['"])[^'"\n]*\3\s*\))""")
# Searched first, twenty times faster (a literal start): most files hold no `import(` at all.
_IMPORT_CALL = re.compile(rb"import\s*\(")


def _readable(data: bytes) -> bytes:
    if _IMPORT_CALL.search(data) is None:
        return data
    return _TYPE_IMPORT.sub(lambda m: m[1] + b"I" + b"_" * (len(m[2]) - 1), data)


def parse_script(path: str, data: bytes) -> ParsedScript:
    grammar = grammar_for(path)
    tree = _parser(grammar).parse(_readable(data))
    parsed = ParsedScript(path, data, tree, grammar)
    if tree.root_node.has_error:
        parsed.errors = _errors(parsed)
    return parsed


def _errors(parsed: ParsedScript) -> list[ParseError]:
    """Each place tree-sitter skipped text (an ERROR node) or assumed a token that is not
    there (a MISSING one), outermost only; one per line."""
    found: dict[int, ParseError] = {}
    pending = [parsed.root]
    while pending:
        node = pending.pop()
        if not node.has_error:
            continue
        if node.is_missing or node.type == "ERROR":
            at = parsed.location(node.start_point)
            if node.is_missing:
                reason = f"cannot parse: `{node.type}` expected here"
            else:
                reason = "cannot parse: unexpected text"
            found.setdefault(at.line, ParseError(at, reason))
            continue
        pending.extend(node.children)
    return sorted(found.values(), key=lambda error: error.location)


@functools.cache
def query(grammar: str, source: str) -> tree_sitter.Query:
    """A tree-sitter query compiled once per grammar: it finds nodes in C, many times faster
    than a walk of the tree in Python."""
    return tree_sitter.Query(_parser(grammar).language, source)


def matches(parsed: ParsedScript, source: str) -> list[dict[str, list[tree_sitter.Node]]]:
    cursor = tree_sitter.QueryCursor(query(parsed.grammar, source))
    return [captures for _, captures in cursor.matches(parsed.root)]
