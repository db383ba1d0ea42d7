"""What a TypeScript or JavaScript file imports and exports, read from its top-level
statements: each local name an `import` or a `require` binds, to the module and the name it
has there; the names the file exports, the modules it re-exports, its default export.
ctxlint.typescript.project follows these tables from file to file.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from ctxlint.typescript.parse import ParsedScript
from ctxlint.typescript.scope import string_value, unwrapped


@dataclass(frozen=True, slots=True)
class Imported:
    """Where a local name comes from: the module specifier and the name it has there
    ("default" for a default import, "*" for a namespace)."""

    specifier: str
    name: str


@dataclass(slots=True)
class Exports:
    """What a file exports, read once: the names its exported declarations declare, the
    names of its export clauses (with the module they come from, or None for its own), the
    modules it re-exports whole, and its default export's value."""

    declared: set[str]
    named: dict[str, tuple[Node | None, str]]
    everything: list[Node]
    default: Node | None = None


def export_table(parsed: ParsedScript) -> Exports:
    """What the file exports, read from its top-level `export` statements."""
    table = Exports(set(), {}, [])
    for statement in parsed.root.named_children:
        if statement.type != "export_statement":
            continue
        if _is_default(statement):
            value = statement.child_by_field_name("declaration") or statement.child_by_field_name(
                "value"
            )
            table.default = unwrapped(value) if value is not None else None
            continue
        declaration = statement.child_by_field_name("declaration")
        if declaration is not None:
            table.declared.update(_declared_names(parsed, declaration))
            continue
        source = statement.child_by_field_name("source")
        clause = next((c for c in statement.named_children if c.type == "export_clause"), None)
        if clause is not None:
            for specifier in clause.named_children:
                original = specifier.child_by_field_name("name")
                alias = specifier.child_by_field_name("alias") or original
                if original is not None and alias is not None:
                    table.named.setdefault(_name(parsed, alias), (source, _name(parsed, original)))
        elif source is not None and _exports_everything(statement):
            table.everything.append(source)
    return table


def _declared_names(parsed: ParsedScript, declaration: Node) -> list[str]:
    if declaration.type in ("lexical_declaration", "variable_declaration"):
        names = (d.child_by_field_name("name") for d in declaration.named_children)
        return [parsed.text(n) for n in names if n is not None and n.type == "identifier"]
    name = declaration.child_by_field_name("name")
    return [parsed.text(name)] if name is not None else []


def _is_default(statement: Node) -> bool:
    return any(child.type == "default" for child in statement.children)


def _exports_everything(statement: Node) -> bool:
    """`export * from "./x"`, not `export * as ns from "./x"`."""
    return any(c.type == "*" for c in statement.children) and not any(
        c.type == "namespace_export" for c in statement.named_children
    )


def _name(parsed: ParsedScript, node: Node) -> str:
    return string_value(parsed, node) or parsed.text(node)


def import_table(parsed: ParsedScript) -> dict[str, Imported]:
    """Each local name an `import` (or a `const x = require(...)`) binds, to where it is from."""
    found: dict[str, Imported] = {}
    for statement in parsed.root.named_children:
        if statement.type == "import_statement":
            source = statement.child_by_field_name("source")
            specifier = string_value(parsed, source) if source is not None else None
            if not specifier:
                continue
            for clause in statement.named_children:
                if clause.type == "import_clause":
                    _clause_names(parsed, clause, specifier, found)
        elif statement.type in ("lexical_declaration", "variable_declaration"):
            for declarator in statement.named_children:
                _required(parsed, declarator, found)
    return found


def _clause_names(parsed: ParsedScript, clause: Node, specifier: str, found: dict) -> None:
    for part in clause.named_children:
        if part.type == "identifier":
            found[parsed.text(part)] = Imported(specifier, "default")
        elif part.type == "namespace_import":
            for name in part.named_children:
                if name.type == "identifier":
                    found[parsed.text(name)] = Imported(specifier, "*")
        elif part.type == "named_imports":
            for item in part.named_children:
                original = item.child_by_field_name("name")
                alias = item.child_by_field_name("alias") or original
                if original is not None and alias is not None:
                    found[parsed.text(alias)] = Imported(specifier, _name(parsed, original))


def _required(parsed: ParsedScript, declarator: Node, found: dict) -> None:
    """`const prompts = require("./prompts")`, `const { build } = require("./prompts")`."""
    if declarator.type != "variable_declarator":
        return
    value = declarator.child_by_field_name("value")
    pattern = declarator.child_by_field_name("name")
    if value is None or pattern is None or value.type != "call_expression":
        return
    function = value.child_by_field_name("function")
    arguments = value.child_by_field_name("arguments")
    if function is None or parsed.text(function) != "require" or arguments is None:
        return
    first = arguments.named_children[0] if arguments.named_children else None
    specifier = string_value(parsed, first)
    if not specifier:
        return
    if pattern.type == "identifier":
        found[parsed.text(pattern)] = Imported(specifier, "*")
    elif pattern.type == "object_pattern":
        for item in pattern.named_children:
            if item.type == "shorthand_property_identifier_pattern":
                found[parsed.text(item)] = Imported(specifier, parsed.text(item))
            elif item.type == "pair_pattern":
                key, value_name = item.child_by_field_name("key"), item.child_by_field_name("value")
                if key is not None and value_name is not None and value_name.type == "identifier":
                    found[parsed.text(value_name)] = Imported(specifier, parsed.text(key))
