"""What a name, a member or a call of one file stands for elsewhere in the project: an
imported const's initialiser, an imported function's returns (by name or through a namespace
import), and what a method of the project's own classes returns (`this.context()`,
`new Builder().build()`, a field holding `new B()`), the class declared in the file or
imported. The value flow (ctxlint.typescript.flow) walks on from there in that file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tree_sitter import Node

from ctxlint.typescript.additions import added_later, initialised_at_load
from ctxlint.typescript.parse import ParsedScript
from ctxlint.typescript.scope import FUNCTIONS, declaration, function_returns, returned, unwrapped

if TYPE_CHECKING:
    from ctxlint.typescript.project import ScriptProject


def imported_value(
    project: ScriptProject, parsed: ParsedScript, name: Node
) -> Iterator[tuple[ParsedScript, Node, bool]]:
    """An imported const's initialiser (and what its file adds to it later)."""
    text = parsed.text(name)
    if text not in project.imports_of(parsed) or declaration(parsed, name) is not None:
        return
    found = project.definition(parsed, text)
    if found is not None:
        yield from value_of_definition(*found)


def value_of_definition(
    other: ParsedScript, bound: Node
) -> Iterator[tuple[ParsedScript, Node, bool]]:
    if bound.type == "variable_declarator":
        value = bound.child_by_field_name("value")
        if value is not None and unwrapped(value).type not in FUNCTIONS:
            yield other, value, initialised_at_load(bound)
            yield from ((other, added, False) for added in added_later(other, bound))
    elif bound.type not in FUNCTIONS and bound.type != "class_declaration":
        yield other, bound, True  # `export default "..."`


def namespace_member(
    project: ScriptProject, parsed: ParsedScript, member: Node
) -> Iterator[tuple[ParsedScript, Node, bool]]:
    """`prompts.SYSTEM` for `import * as prompts from "./prompts"`: the const it names."""
    found = namespace_definition(project, parsed, member)
    if found is not None:
        yield from value_of_definition(*found)


def namespace_definition(
    project: ScriptProject, parsed: ParsedScript, member: Node
) -> tuple[ParsedScript, Node] | None:
    target = member.child_by_field_name("object")
    name = member.child_by_field_name("property")
    if target is None or name is None or target.type != "identifier":
        return None
    if parsed.text(target) not in project.imports_of(parsed):
        return None
    if declaration(parsed, target) is not None:
        return None
    module = project.imported_module(parsed, parsed.text(target))
    if module is None or module[1] != "*":
        return None
    return project.exported(module[0], parsed.text(name))


def imported_returns(
    project: ScriptProject, parsed: ParsedScript, call: Node
) -> Iterator[tuple[ParsedScript, Node]]:
    """What an imported function returns, in its file: `buildPrompt()` for `import {
    buildPrompt } from "./prompt"`, and `prompts.build()` for a namespace import."""
    function = call.child_by_field_name("function")
    if function is None:
        return
    function = unwrapped(function)
    found = None
    if function.type == "identifier":
        text = parsed.text(function)
        if text in project.imports_of(parsed) and declaration(parsed, function) is None:
            found = project.definition(parsed, text)
    elif function.type == "member_expression":
        found = namespace_definition(project, parsed, function)
    if found is not None:
        other, bound = found
        yield from ((other, value) for value in function_returns(bound))


def method_returns(
    project: ScriptProject, parsed: ParsedScript, call: Node
) -> Iterator[tuple[ParsedScript, Node]]:
    """What a method of the project's own classes returns: `this.context()` in a class, and
    `new Builder().build()` or `builder.build()` for `const builder = new Builder()`, the
    class declared in the file or imported."""
    from ctxlint.typescript.project import top_level_class

    function = call.child_by_field_name("function")
    if function is None or unwrapped(function).type != "member_expression":
        return
    member = unwrapped(function)
    target = member.child_by_field_name("object")
    name = member.child_by_field_name("property")
    if target is None or name is None:
        return
    target = unwrapped(target)
    found: tuple[ParsedScript, Node] | None = None
    if target.type == "this":
        body = _enclosing_class_body(call)
        found = (parsed, body) if body is not None else None
    else:
        if target.type == "identifier":
            bound = declaration(parsed, target)
            value = bound.child_by_field_name("value") if bound is not None else None
            if value is None or bound.type != "variable_declarator":
                return
            target = unwrapped(value)
        elif target.type == "member_expression":  # `this.builder.build()`
            value = _field_value(parsed, target)
            if value is None:
                return
            target = unwrapped(value)
        constructor = target.child_by_field_name("constructor")
        if target.type != "new_expression" or constructor is None:
            return
        if constructor.type != "identifier":
            return
        class_name = parsed.text(constructor)
        declared = top_level_class(parsed, class_name)
        where = parsed
        if declared is None and class_name in project.imports_of(parsed):
            definition = project.definition(parsed, class_name)
            if definition is not None:
                where, declared = definition
        body = declared.child_by_field_name("body") if declared is not None else None
        found = (where, body) if body is not None else None
    if found is None:
        return
    where, body = found
    wanted = parsed.text(name)
    for method in body.named_children:
        method_name = method.child_by_field_name("name")
        named = method_name is not None and where.text(method_name) == wanted
        if method.type == "method_definition" and named:
            yield from ((where, value) for value in returned(method))


def _field_value(parsed: ParsedScript, member: Node) -> Node | None:
    """The initialiser of the class field `this.name` names (`private builder = new B()`)."""
    target = member.child_by_field_name("object")
    name = member.child_by_field_name("property")
    body = _enclosing_class_body(member)
    if target is None or name is None or target.type != "this" or body is None:
        return None
    for field in body.named_children:
        if field.type not in ("public_field_definition", "field_definition"):
            continue
        field_name = field.child_by_field_name("name") or field.child_by_field_name("property")
        if field_name is not None and parsed.text(field_name) == parsed.text(name):
            return field.child_by_field_name("value")
    return None


def _enclosing_class_body(node: Node) -> Node | None:
    parent = node.parent
    while parent is not None:
        if parent.type == "class_body":
            return parent
        parent = parent.parent
    return None
