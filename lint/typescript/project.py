"""The other files a TypeScript or JavaScript file imports, as the value flow follows them:
which import a name comes from, which file that is (ctxlint.typescript.resolver), and what
that file exports under the name, through re-exports (`export * from`, `export { x } from`);
each file's import and export tables are read by ctxlint.typescript.import_tables.

A file imported is parsed when the flow first enters it, once per process: its tree is kept
(a bounded number of them) as long as the file's size and modification time are those it was
parsed at, so worker processes keep what earlier batches parsed and a file changed between two
runs of one process is parsed again. Nothing here depends on which files were checked before.
"""

from __future__ import annotations

import os
import re
from collections import OrderedDict

from tree_sitter import Node

from ctxlint.typescript import is_script, looks_bundled
from ctxlint.typescript.import_tables import Exports, Imported, export_table, import_table
from ctxlint.typescript.parse import ParsedScript, parse_script
from ctxlint.typescript.resolver import resolve_import
from ctxlint.typescript.scope import declared_in, function_of, string_value

_KEPT_TREES = 128
# A file larger than this is generated (a bundle, a table of data), not a prompt builder.
_LARGEST = 1_000_000
_REEXPORT_DEPTH = 6
_trees: OrderedDict[str, tuple[tuple[int, int], ParsedScript | None]] = OrderedDict()
_KEPT_DATA = 2048
_data: OrderedDict[str, tuple[tuple[int, int], bytes]] = OrderedDict()


def parsed_file(path: str) -> ParsedScript | None:
    """The parsed file at `path`, parsed at most once while it stays as it is; None when it
    cannot be read or is no one's source."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    stamp = (status.st_mtime_ns, status.st_size)
    kept = _trees.get(path)
    if kept is not None and kept[0] == stamp:
        _trees.move_to_end(path)
        return kept[1]
    data = file_data(path)
    parsed = parse_script(path, data) if data and not looks_bundled(path, data) else None
    _trees[path] = (stamp, parsed)
    while len(_trees) > _KEPT_TREES:
        _trees.popitem(last=False)
    return parsed


def file_data(path: str) -> bytes:
    """The bytes of a source file small enough to be someone's code (b"" otherwise), read
    once while it stays as it is."""
    try:
        status = os.stat(path)
    except OSError:
        return b""
    stamp = (status.st_mtime_ns, status.st_size)
    kept = _data.get(path)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    data = b""
    if is_script(path) and status.st_size <= _LARGEST:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            data = b""
    _data[path] = (stamp, data)
    while len(_data) > _KEPT_DATA:
        _data.popitem(last=False)
    return data


def _exports_name(data: bytes, name: str) -> bool:
    """Whether an `export` is followed by the name before its statement ends."""
    position = data.find(name.encode())
    while position != -1:
        start = data.rfind(b"export", 0, position)
        if start != -1 and b";" not in data[start:position] and b"\n\n" not in data[start:position]:
            return True
        position = data.find(name.encode(), position + 1)
    return False


# `export * from "./x"`, `export { ask } from "./llm"`: a file that passes names on.
_REEXPORT = re.compile(rb"export\s*(?:\*|\{[^}]*\})\s*from")


class ScriptProject:
    """Follows imports from the files of one run. Holds nothing of one file's check: what it
    keeps (the imports of a parsed file) is keyed by the tree it was read from."""

    def __init__(self) -> None:
        self._imports: dict[int, tuple[ParsedScript, dict[str, Imported]]] = {}
        self._wrappers: dict[int, tuple[ParsedScript, dict]] = {}
        # Within one run (one batch in a worker) files do not change: what a specifier
        # resolves to, and what a file exports under a name, are looked up once.
        self._resolved: dict[tuple[str, str], str | None] = {}
        self._exported: dict[tuple[str, str], tuple[ParsedScript, Node] | None] = {}
        self._wrapped: dict[tuple[str, str], tuple | None] = {}
        self._file_traits: dict[str, tuple[bool, bool]] = {}
        self._exports: dict[str, tuple[ParsedScript, Exports]] = {}

    def __getstate__(self) -> dict:
        return {}  # Sent to worker processes empty: each builds its own.

    def __setstate__(self, state: dict) -> None:
        self.__init__()

    def traits(self, path: str) -> tuple[bool, bool]:
        """Whether the file calls an SDK, and whether it passes names of others on."""
        found = self._file_traits.get(path)
        if found is None:
            data = file_data(path)
            found = self._file_traits[path] = (_sends(data), _REEXPORT.search(data) is not None)
        return found

    def resolve(self, importer: str, specifier: str) -> str | None:
        key = (os.path.dirname(importer), specifier)
        if key not in self._resolved:
            self._resolved[key] = resolve_import(importer, specifier)
        return self._resolved[key]

    def wrapper_of(self, parsed: ParsedScript, name: str):
        """The sent parameters of the imported function `name` when it wraps an SDK call in
        its own file (ctxlint.typescript.wrappers); None otherwise. A file that neither
        names an SDK nor re-exports is not parsed for it."""
        imported = self.imports_of(parsed).get(name)
        if imported is None or imported.name == "*":
            return None
        path = self.resolve(parsed.path, imported.specifier)
        if path is None:
            return None
        key = (path, imported.name)
        if key not in self._wrapped:
            self._wrapped[key] = self._wrapper_at(path, imported.name)
        return self._wrapped[key]

    def _wrapper_at(self, path: str, name: str):

        sends, passes_on = self.traits(path)
        if not (sends or passes_on):
            return None
        other = parsed_file(path)
        found = self.exported(other, name, sending=True) if other is not None else None
        if found is None:
            return None
        other, bound = found
        function = function_of(bound)
        if function is None:
            return None
        kept = self._wrappers.get(id(other))
        if kept is None or kept[0] is not other:
            if len(self._wrappers) > _KEPT_TREES:
                self._wrappers.clear()
            kept = self._wrappers[id(other)] = (other, _wrappers_in(other))
        entry = kept[1].get(function.id)
        return entry[1] if entry is not None else None

    def imports_of(self, parsed: ParsedScript) -> dict[str, Imported]:
        kept = self._imports.get(id(parsed))
        if kept is not None and kept[0] is parsed:
            return kept[1]
        found = import_table(parsed)
        if len(self._imports) > _KEPT_TREES:
            self._imports.clear()
        self._imports[id(parsed)] = (parsed, found)
        return found

    def imported_module(self, parsed: ParsedScript, name: str) -> tuple[ParsedScript, str] | None:
        """The file a local name is imported from, and the name it has there."""
        imported = self.imports_of(parsed).get(name)
        if imported is None:
            return None
        path = self.resolve(parsed.path, imported.specifier)
        if path is None or os.path.abspath(path) == os.path.abspath(parsed.path):
            return None
        other = parsed_file(path)
        return (other, imported.name) if other is not None else None

    def definition(self, parsed: ParsedScript, name: str) -> tuple[ParsedScript, Node] | None:
        """What the imported local name `name` stands for, in the file that defines it: a
        variable declarator, a function or class declaration, or a default export's value."""
        found = self.imported_module(parsed, name)
        if found is None or found[1] == "*":
            return None
        return self.exported(found[0], found[1])

    def exported(
        self, parsed: ParsedScript, name: str, depth: int = 0, sending: bool = False
    ) -> tuple[ParsedScript, Node] | None:
        """What the file exports as `name`, following re-exports into other files; with
        `sending`, only into files that name an SDK (where a wrapper can be)."""
        if depth > _REEXPORT_DEPTH:
            return None
        key = (parsed.path, name, sending)
        if key not in self._exported:
            self._exported[key] = None  # A cycle of re-exports ends here.
            self._exported[key] = self._exported_uncached(parsed, name, depth, sending)
        return self._exported[key]

    def _exported_uncached(
        self, parsed: ParsedScript, name: str, depth: int, sending: bool
    ) -> tuple[ParsedScript, Node] | None:
        table = self._export_table(parsed)
        if name == "default":
            value = table.default
            if value is None:
                return None
            if value.type == "identifier":
                return self._local(parsed, parsed.text(value), depth, sending)
            return parsed, value
        if name in table.declared:
            local = declared_in(parsed, parsed.root, name) or top_level_class(parsed, name)
            if local is not None:
                return parsed, local
        named = table.named.get(name)
        if named is not None:
            source, original = named
            if source is None:
                return self._local(parsed, original, depth, sending)
            return self._from(parsed, source, original, depth, sending)
        for source in table.everything:
            found = self._from(parsed, source, name, depth, sending, everything=True)
            if found is not None:
                return found
        return None

    def _export_table(self, parsed: ParsedScript) -> Exports:
        kept = self._exports.get(parsed.path)
        if kept is None or kept[0] is not parsed:
            kept = self._exports[parsed.path] = (parsed, export_table(parsed))
        return kept[1]

    def _local(self, parsed: ParsedScript, name: str, depth: int, sending: bool):
        local = declared_in(parsed, parsed.root, name) or top_level_class(parsed, name)
        if local is not None:
            return parsed, local
        found = self.imported_module(parsed, name)
        if found is None or found[1] == "*":
            return None
        return self.exported(found[0], found[1], depth + 1, sending)

    def _from(
        self,
        parsed: ParsedScript,
        source: Node,
        name: str,
        depth: int,
        sending: bool,
        everything: bool = False,
    ):
        specifier = string_value(parsed, source)
        path = self.resolve(parsed.path, specifier) if specifier else None
        if path is None:
            return None
        sends, passes_on = self.traits(path)
        if sending and not passes_on and not sends:
            return None
        # An index re-exporting a hundred files: only those that export the name (or pass
        # names on again) are parsed to look for it.
        if everything and not passes_on and not _exports_name(file_data(path), name):
            return None
        other = parsed_file(path)
        if other is None or other.path == parsed.path:
            return None
        return self.exported(other, name, depth + 1)


_SPECIFIER = re.compile(
    rb"""(?:\bfrom\s*|\brequire\(\s*|\bimport\(\s*)["'](\.{1,2}/[^"'\n]*)["']"""
)


def imports_a_sender(project: ScriptProject, path: str, data: bytes) -> bool:
    """Whether a file imports, by a relative path, a file that calls an SDK (itself or one
    an index file re-exports): its calls of that file's wrappers may send what it builds.
    Read from the bytes alone, before any parse, so that a walk parses only such importers;
    a workspace package is not looked into here (its index re-exports the whole package)."""
    for match in _SPECIFIER.finditer(data):
        target = project.resolve(path, match[1].decode("utf-8", errors="replace"))
        if target is None:
            continue
        sends, passes_on = project.traits(target)
        if sends:
            return True
        imported = file_data(target)
        if passes_on and len(imported) < _SMALL_INDEX:
            for again in _SPECIFIER.finditer(imported):
                further = project.resolve(target, again[1].decode("utf-8", errors="replace"))
                if further is not None and project.traits(further)[0]:
                    return True
    return False


# An index file that only passes names on is short; a long one is a module of its own.
_SMALL_INDEX = 4_000


def _sends(data: bytes) -> bool:
    from ctxlint.typescript import calls_a_framework, calls_an_sdk

    return calls_an_sdk(data) or calls_a_framework(data)


def _wrappers_in(parsed: ParsedScript) -> dict:
    """The wrappers of a file, from its own sinks: only a file that imports an SDK and calls
    it can hold one (one level across modules)."""
    from ctxlint.typescript.sinks import find_sinks
    from ctxlint.typescript.wrappers import summarize

    if not _sends(parsed.data):
        return {}
    return summarize(parsed, find_sinks(parsed))


def top_level_class(parsed: ParsedScript, name: str) -> Node | None:
    """The class declared at the top level of the file under `name` (exported or not)."""
    for statement in parsed.root.named_children:
        if statement.type == "export_statement":
            statement = statement.child_by_field_name("declaration") or statement
        if statement.type in ("class_declaration", "abstract_class_declaration"):
            declared = statement.child_by_field_name("name")
            if declared is not None and parsed.text(declared) == name:
                return statement
    return None
