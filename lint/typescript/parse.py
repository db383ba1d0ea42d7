"""Parses a TypeScript or JavaScript file with tree-sitter: the grammar its suffix calls for,
the places tree-sitter could not read (each a CTX900), and positions in characters.

tree-sitter recovers from an error and goes on: what it read around the error is still a
tree, so the rest of the file is checked as usual.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
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


# tree-sitter-typescript 0.23.2 (the newest wheel) misreads some valid code, each a false
# CTX900 where nothing is wrong: 109 of 122 files with parse errors among 43,072 files of 26
# real agent trees (cline, mux, kimi-code, oh-my-openagent, openclaude, Kilo cloud, ...) were
# such. Those below are read as other text of the same length before parsing, so that every
# byte keeps its place, and a rule never reads what was changed.
#
# 1. An import type, `importOriginal<typeof import("x")>()`, `new Set<import("node:net").Socket>()`,
#    `let entries: import("node:fs").Dirent[]`, `type C = import("p").Input["client"]`: the
#    import is read as a type name (`I__________`). One followed by a member that is called
#    (`import("x").then(...)`) is a dynamic import, an expression: it is kept.
_TYPE_IMPORT = re.compile(
    rb"""(\btypeof\s+|<\s*)(import\s*\(\s*(['"])[^'"\n]*\3\s*\))"""
    rb"""|(import\s*\(\s*(['"])[^'"\n]*\5\s*\))(?=(?:\s*\.\s*[A-Za-z_$][\w$]*)+(?![\w$]|\s*\())"""
)
# Searched first, twenty times faster (a literal start): each import type holds `import(`, and
# most files hold none.
_IMPORT_CALL = re.compile(rb"import\s*\(")
# 2. Type arguments on a tagged template, as styled-components writes them:
#    styled.div<{ disabled: boolean }>`...`. They are read as spaces.
_TAGGED_TYPE_ARGUMENTS = re.compile(rb">\s*`")
_TYPE_ARGUMENTS_SPAN = 2_000
# 3. `export type * from "./types"` (TypeScript 5.0) is read as `export      * from`, and a
#    property named `abstract` (`abstract?: string;`) as `_bstract`.
_TYPE_ONLY_EXPORT = re.compile(rb"\bexport\s+(type)\s*\*")
_ABSTRACT_PROPERTY = re.compile(rb"^\s*(a)bstract\??\s*:", re.MULTILINE)
# 4. A bare `&` in JSX text (`<p>Copy & Open</p>`), which React reads as text and the grammars
#    (JavaScript's 0.25 too) only as the start of a character reference; the error can take
#    the whole element with it. A file with JSX that does not parse is read once more with
#    each lone `&` that starts no character reference as `|`: JSX text either way, and in
#    code `A & B` and `x & 1` become `A | B` and `x | 1`, which no rule tells apart. The
#    second reading is kept only when less of it is unreadable.
_BARE_AMPERSAND = re.compile(rb"(?<!&)&(?![&=]|#?\w+;)")


def readable_bytes(data: bytes) -> bytes:
    """The file's bytes with the valid code the grammar misreads (1 to 3 above) rewritten."""
    if _IMPORT_CALL.search(data) is not None:
        data = _TYPE_IMPORT.sub(_as_type_name, data)
    if b">`" in data or b"> `" in data:
        data = _without_template_type_arguments(data)
    if b"export type" in data:
        data = _TYPE_ONLY_EXPORT.sub(lambda m: _blanked(m, 1, b" "), data)
    if b"abstract" in data:
        data = _ABSTRACT_PROPERTY.sub(lambda m: _blanked(m, 1, b"_"), data)
    return data


def _blanked(match: re.Match[bytes], group: int, filler: bytes) -> bytes:
    """The match with one group's bytes each replaced by `filler`."""
    start, end = match.span(group)
    whole = match.start()
    text = match[0]
    return text[: start - whole] + filler * (end - start) + text[end - whole :]


def _as_type_name(match: re.Match[bytes]) -> bytes:
    if match[2] is not None:
        return match[1] + b"I" + b"_" * (len(match[2]) - 1)
    return b"I" + b"_" * (len(match[4]) - 1)


def _without_template_type_arguments(data: bytes) -> bytes:
    """`tag<T>` + a template: the `<T>` as spaces, found from its `>` back to the `<` that
    opens it, right after a name, on the same line."""
    edited = bytearray(data)
    for found in _TAGGED_TYPE_ARGUMENTS.finditer(data):
        close = found.start()
        if data[close - 1 : close] == b"=":
            continue  # an arrow function's `=>` returning a template
        depth = braces = 0
        position = close
        floor = max(0, close - _TYPE_ARGUMENTS_SPAN)
        while position >= floor:
            byte = data[position]
            if byte == ord(">") and data[position - 1 : position] != b"=":
                depth += 1
            elif byte == ord("<"):
                depth -= 1
                if depth <= 0:
                    break
            elif byte == ord("}"):
                braces += 1
            elif byte == ord("{"):
                braces -= 1
            # A `;` ends a statement, unless it separates the members of an object type.
            elif byte in b"`\n" or (byte == ord(";") and braces <= 0):
                position = -1
                break
            position -= 1
        if depth != 0 or position < 1 or not _ends_a_name(data[position - 1]):
            continue
        edited[position : close + 1] = b" " * (close + 1 - position)
    return bytes(edited)


def _ends_a_name(byte: int) -> bool:
    return chr(byte).isalnum() or byte in b"_$)]"


def parse_script(path: str, data: bytes) -> ParsedScript:
    grammar = grammar_for(path)
    readable = readable_bytes(data)
    tree = _parser(grammar).parse(readable)
    parsed = ParsedScript(path, data, tree, grammar)
    if tree.root_node.has_error:
        parsed.errors = _errors(parsed)
        if grammar != "typescript" and b"&" in readable:
            retried = _parser(grammar).parse(_BARE_AMPERSAND.sub(b"|", readable))
            if _damage(retried.root_node) < _damage(tree.root_node):
                parsed = ParsedScript(path, data, retried, grammar)
                parsed.errors = _errors(parsed) if retried.root_node.has_error else []
    return parsed


def descendants(root: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    """The node and every named node below it, depth first (last child first)."""
    pending = [root]
    while pending:
        node = pending.pop()
        yield node
        pending.extend(node.named_children)


def snippet(text: str) -> str:
    """Code as a message quotes it: its first line, white space folded, at most 40 characters
    (cut with "…", as is code that runs over more lines)."""
    first = " ".join(text.split("\n", 1)[0].split())
    if len(first) <= 40 and "\n" not in text:
        return first
    return first[:39].rstrip() + "…"


def _damage(root: tree_sitter.Node) -> int:
    """How much of a tree tree-sitter could not read: the bytes its errors span, and one
    for each token it had to assume."""
    damage = 0
    pending = [root]
    while pending:
        node = pending.pop()
        if not node.has_error:
            continue
        if node.is_missing:
            damage += 1
        elif node.type == "ERROR":
            damage += node.end_byte - node.start_byte
        else:
            pending.extend(node.children)
    return damage


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
    """Each match of the query in the file, found once per file: the sinks, the host hooks
    and several rules ask for the same ones (a third of the queries run were repeats)."""
    key = ("matches", source)
    found = parsed.memo.get(key)
    if found is None:
        cursor = tree_sitter.QueryCursor(query(parsed.grammar, source))
        found = parsed.memo[key] = [captures for _, captures in cursor.matches(parsed.root)]
    return found
