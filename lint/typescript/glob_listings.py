"""Which JavaScript glob calls list files in an order that can differ between two calls.

node-glob (v9 on), fast-glob and globby read folders concurrently and return matches in the
order the reads complete, "not sorted at all, and the order is non deterministic, set by os
latency" (isaacs, https://github.com/isaacs/node-glob/issues/576; fast-glob's README: "results
are returned in arbitrary order", and globby's users seeing it change from run to run,
https://github.com/sindresorhus/globby/issues/131). Two listings of the same folder can
differ. The sync forms (`globSync`, `fg.sync`) read one folder after another, each in
readdir's order, and node-glob before v9 sorted its results (its default import,
`glob.sync`): neither is a source. ctxlint.typescript.unordered follows such a listing into
what is sent.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from ctxlint.typescript.parse import ParsedScript
from ctxlint.typescript.scope import enclosing_function, unwrapped

_GLOB_MODULES = ("glob", "fast-glob", "globby")
# The async calls of those modules: `glob(p)`, `fg(p)`, `fg.glob(p)`, `fg.async(p)`,
# `globby(p)`.
_GLOB_FUNCTIONS = frozenset({"glob", "globby", "async"})
# The names a listing function is imported as: node-glob from v9 on by name (`{ glob }`,
# `{ glob as find }`; its default import is v8's API, which sorted), globby's `{ globby }`,
# fast-glob's default import (`import fg from "fast-glob"`) and its `{ glob }`/`{ async }`.
# Other names these modules export (`escape`, `hasMagic`, `isDynamicPattern`) list nothing.
_NAMED_IMPORT = re.compile(
    rb"""import\s*(?:type\s+)?\{([^}]*)\}\s*from\s*["'](glob|globby|fast-glob)["']"""
)
_DEFAULT_IMPORT = re.compile(rb"""import\s+(\w+)\s*(?:,\s*\{[^}]*\})?\s*from\s*["']fast-glob["']""")
_REQUIRED = re.compile(rb"""(?:const|let|var)\s+(\w+)\s*=\s*require\(\s*["']fast-glob["']\s*\)""")


def is_async_glob(parsed: ParsedScript, call: Node, imports: dict[str, str]) -> bool:
    """Whether the call is an async glob call of one of the glob packages (`imports`: local
    name to module), made inside a function."""
    function = call.child_by_field_name("function")
    if function is None:
        return False
    function = unwrapped(function)
    if function.type == "identifier":
        root, called = parsed.text(function), parsed.text(function)
    elif function.type == "member_expression":
        target = function.child_by_field_name("object")
        method = function.child_by_field_name("property")
        if target is None or method is None or target.type != "identifier":
            return False
        root, called = parsed.text(target), parsed.text(method)
    else:
        return False
    module = imports.get(root, "")
    if module not in _GLOB_MODULES:
        return False
    # `fg(p)` (fast-glob's default export) lists too; `fg.sync(p)`, `fg.escapePath(p)` do not.
    if function.type == "member_expression" and called not in _GLOB_FUNCTIONS:
        return False
    if function.type == "identifier" and called not in _listing_names(parsed):
        return False
    if function.type == "member_expression" and module != "fast-glob":
        return False  # `glob.sync` of glob v8, `globby.sync`: sorted or sync.
    return enclosing_function(call) is not None


def _listing_names(parsed: ParsedScript) -> set[str]:
    """The local names of the async listing functions the file imports."""
    names: set[str] = set()
    for found in _NAMED_IMPORT.finditer(parsed.data):
        for specifier in found[1].decode(errors="replace").split(","):
            parts = specifier.split()
            if not parts or parts[0] not in _GLOB_FUNCTIONS:
                continue
            names.add(parts[-1] if len(parts) == 3 and parts[1] == "as" else parts[0])
    for pattern in (_DEFAULT_IMPORT, _REQUIRED):
        names.update(found[1].decode() for found in pattern.finditer(parsed.data))
    return names
