"""Names and values within one TypeScript or JavaScript file: what a local name is bound to
(a `const`'s initialiser, a function), an object literal's properties (spreads included),
and a string literal's text. Other files are followed by ctxlint.typescript.project.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from ctxlint.typescript.parse import ParsedScript

LOOPS = frozenset({"for_statement", "for_in_statement", "while_statement", "do_statement"})
FUNCTIONS = frozenset(
    {
        "function_declaration",
        "function_expression",
        "function",
        "arrow_function",
        "method_definition",
        "generator_function",
        "generator_function_declaration",
    }
)
# Where declarations are looked for, from the use outwards.
_BLOCKS = frozenset({"statement_block", "program", "switch_case", "class_body"})
# Wrappers that leave the value as it is (TypeScript's casts, parentheses, await).
_TRANSPARENT = frozenset(
    {
        "parenthesized_expression",
        "as_expression",
        "satisfies_expression",
        "non_null_expression",
        "type_assertion",
        "await_expression",
    }
)
_DEPTH = 8


def string_value(parsed: ParsedScript, node: Node | None) -> str | None:
    """The text of a string literal (or a template without substitutions), else None."""
    if node is None:
        return None
    if node.type == "string":
        return "".join(parsed.text(c) for c in node.named_children)
    if node.type == "template_string" and not any(
        c.type == "template_substitution" for c in node.named_children
    ):
        return "".join(parsed.text(c) for c in node.named_children)
    return None


def unwrapped(node: Node) -> Node:
    while node.type in _TRANSPARENT and node.named_children:
        node = node.named_children[-1] if node.type == "type_assertion" else node.named_children[0]
    return node


def resolved(parsed: ParsedScript, node: Node | None, depth: int = 0) -> Node | None:
    """The expression a name stands for when it is a local `const` (or a `let` never assigned
    again is not checked: its initialiser), through casts and parentheses."""
    if node is None or depth > _DEPTH:
        return node
    node = unwrapped(node)
    if node.type in ("identifier", "shorthand_property_identifier"):
        declarator = declaration(parsed, node)
        if declarator is not None and declarator.type == "variable_declarator":
            value = declarator.child_by_field_name("value")
            if value is not None:
                return resolved(parsed, value, depth + 1)
    return node


def declaration(parsed: ParsedScript, name: Node) -> Node | None:
    """The variable declarator or function declaration the identifier `name` refers to, in
    the nearest enclosing block that declares it; None for a parameter or an unknown name."""
    wanted = parsed.text(name)
    node = name.parent
    while node is not None:
        if node.type in FUNCTIONS and _is_parameter(parsed, node, wanted):
            return None
        if node.type in _BLOCKS:
            found = declared_in(parsed, node, wanted)
            if found is not None:
                return found
        node = node.parent
    return None


def _is_parameter(parsed: ParsedScript, function: Node, wanted: str) -> bool:
    parameters = function.child_by_field_name("parameters") or function.child_by_field_name(
        "parameter"
    )
    if parameters is None:
        return False
    pending = [parameters]
    while pending:
        node = pending.pop()
        if node.type in ("identifier", "shorthand_property_identifier_pattern"):
            if parsed.text(node) == wanted:
                return True
        elif node.type not in ("type_annotation",):
            pending.extend(node.named_children)
    return False


def declared_in(parsed: ParsedScript, block: Node, wanted: str) -> Node | None:
    """The declarator or function declaration of `wanted` among the block's own statements
    (exported ones included), not in blocks nested within it."""
    return _declarations(parsed, block).get(wanted)


def _declarations(parsed: ParsedScript, block: Node) -> dict[str, Node]:
    """The variables and functions a block declares, by name (the first of a name): read once
    per block, since every name looked up from inside it asks the same block."""
    key = ("declarations", block.id)
    found = parsed.memo.get(key)
    if found is not None:
        return found
    found = {}
    for statement in block.named_children:
        if statement.type == "export_statement":
            inner = statement.child_by_field_name("declaration")
            if inner is None:
                continue
            statement = inner
        if statement.type in ("lexical_declaration", "variable_declaration"):
            for declarator in statement.named_children:
                if declarator.type != "variable_declarator":
                    continue
                target = declarator.child_by_field_name("name")
                if target is not None and target.type == "identifier":
                    found.setdefault(parsed.text(target), declarator)
        elif statement.type in ("function_declaration", "generator_function_declaration"):
            target = statement.child_by_field_name("name")
            if target is not None:
                found.setdefault(parsed.text(target), statement)
    parsed.memo[key] = found
    return found


def object_properties(parsed: ParsedScript, literal: Node, depth: int = 0) -> dict[str, Node]:
    """An object literal's properties by name, a later one replacing an earlier one as at run
    time; a spread of a local object literal (`{...base, system}`) brings its properties in.
    A shorthand property (`{ system }`) is the name itself; a method is the method."""
    properties: dict[str, Node] = {}
    for child in literal.named_children:
        if child.type == "pair":
            key = child.child_by_field_name("key")
            value = child.child_by_field_name("value")
            name = _key(parsed, key)
            if name is not None and value is not None:
                properties[name] = value
        elif child.type == "shorthand_property_identifier":
            properties[parsed.text(child)] = child
        elif child.type == "method_definition":
            name = _key(parsed, child.child_by_field_name("name"))
            if name is not None:
                properties[name] = child
        elif child.type == "spread_element" and depth < _DEPTH and child.named_children:
            spread = resolved(parsed, child.named_children[0])
            if spread is not None and spread.type == "object":
                properties.update(object_properties(parsed, spread, depth + 1))
    return properties


def _key(parsed: ParsedScript, key: Node | None) -> str | None:
    if key is None:
        return None
    if key.type in ("property_identifier", "identifier"):
        return parsed.text(key)
    return string_value(parsed, key)


def returned(function: Node) -> Iterator[Node]:
    """What a function returns: an arrow function's expression body, or each `return`'s
    value (not those of functions nested in it)."""
    body = function.child_by_field_name("body")
    if body is None:
        return
    if body.type != "statement_block":
        yield body
        return
    pending = list(body.named_children)
    while pending:
        node = pending.pop()
        if node.type in FUNCTIONS or node.type == "class_declaration":
            continue
        if node.type == "return_statement":
            yield from node.named_children
            continue
        pending.extend(node.named_children)


def in_a_function(node: Node) -> bool:
    """Whether the node runs each time a function is called, not once when the module loads."""
    parent = node.parent
    while parent is not None:
        if parent.type in FUNCTIONS:
            return True
        parent = parent.parent
    return False


def shorthand_name(node: Node) -> bool:
    return node.type == "shorthand_property_identifier"


def binding(parsed: ParsedScript, name: Node) -> tuple[str, Node] | None:
    """Where the identifier `name` is bound: ("parameter", the function), ("local", the
    declarator) in a function, ("module", the declarator) at the top level; None when unknown
    (a loop variable, an import, a global of the runtime)."""
    wanted = parsed.text(name)
    node = name.parent
    while node is not None:
        if node.type in FUNCTIONS and _is_parameter(parsed, node, wanted):
            return ("parameter", node)
        if node.type in _BLOCKS:
            found = declared_in(parsed, node, wanted)
            if found is not None and found.type == "variable_declarator":
                return ("module" if node.type == "program" else "local", found)
            if found is not None:
                return None
        node = node.parent
    return None


def enclosing_function(node: Node) -> Node | None:
    parent = node.parent
    while parent is not None:
        if parent.type in FUNCTIONS:
            return parent
        parent = parent.parent
    return None


_NAMED_BY_HOLDER = ("variable_declarator", "pair", "public_field_definition")


def function_names(parsed: ParsedScript, function: Node) -> tuple[str, ...]:
    """The names a function is known by: `compact`, and `Agent.compact` for a method."""
    name = function.child_by_field_name("name")
    holder = function.parent
    if name is None and holder is not None and holder.type in _NAMED_BY_HOLDER:
        name = holder.child_by_field_name("name") or holder.child_by_field_name("key")
    if name is None:
        return ()
    own = parsed.text(name)
    names = [own]
    holder = function.parent
    while holder is not None and holder.type not in ("class_declaration", "class"):
        holder = holder.parent if holder.type in ("class_body", "public_field_definition") else None
    if holder is not None:
        class_name = holder.child_by_field_name("name")
        if class_name is not None:
            names.append(f"{parsed.text(class_name)}.{own}")
    return tuple(names)


def is_parameter_of(parsed: ParsedScript, node: Node, function: Node) -> bool:
    """Whether the node names a parameter of `function` (not a local of the same name)."""
    node = unwrapped(node)
    if node.type != "identifier":
        return False
    bound = binding(parsed, node)
    return bound is not None and bound[0] == "parameter" and bound[1].id == function.id


def function_of(bound: Node) -> Node | None:
    """The function a declaration holds: a function declaration, or a const's arrow."""
    if bound.type in FUNCTIONS:
        return bound
    if bound.type == "variable_declarator":
        value = bound.child_by_field_name("value")
        if value is not None and unwrapped(value).type in FUNCTIONS:
            return unwrapped(value)
    return None


def function_returns(bound: Node) -> Iterator[Node]:
    """What the function a declaration holds returns (a function declaration, a const's arrow)."""
    if bound.type in FUNCTIONS:
        yield from returned(bound)
    elif bound.type == "variable_declarator":
        value = bound.child_by_field_name("value")
        if value is not None and unwrapped(value).type in FUNCTIONS:
            yield from returned(unwrapped(value))
