"""Which TypeScript or JavaScript function a call calls, and the names it binds: a plain call
of a function declared in the file or, given the project, imported from another one; `this.m()`
of the class the call is made in; the parameter names of a function; the key and call a
destructured name comes from. Shared by the summaries of what helpers do to histories
(ctxlint.typescript.history_summaries) and tool lists (ctxlint.typescript.tool_helpers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tree_sitter import Node

from ctxlint.typescript.parse import ParsedScript
from ctxlint.typescript.scope import FUNCTIONS, declaration, function_of, unwrapped

if TYPE_CHECKING:
    from ctxlint.typescript.project import ScriptProject


def callee(
    parsed: ParsedScript, call: Node, project: ScriptProject | None
) -> tuple[ParsedScript, Node] | None:
    """The function a plain call `helper(...)` calls: declared in the file, or, given the
    project, imported from another one."""
    if call.type != "call_expression":
        return None
    function = call.child_by_field_name("function")
    if function is not None and unwrapped(function).type == "member_expression":
        return _own_method(parsed, call, unwrapped(function))
    if function is None or unwrapped(function).type != "identifier":
        return None
    name = unwrapped(function)
    bound = declaration(parsed, name)
    where = parsed
    if bound is None and project is not None and parsed.text(name) in project.imports_of(parsed):
        found = project.definition(parsed, parsed.text(name))
        if found is not None:
            where, bound = found
    if bound is None:
        return None
    found_function = function_of(bound)
    return (where, found_function) if found_function is not None else None


def _own_method(parsed: ParsedScript, call: Node, member: Node) -> tuple[ParsedScript, Node] | None:
    """`this.trim(messages)`: the method of the class the call is made in."""
    target = member.child_by_field_name("object")
    name = member.child_by_field_name("property")
    if target is None or name is None or unwrapped(target).type != "this":
        return None
    body = call.parent
    while body is not None and body.type != "class_body":
        body = body.parent
    if body is None:
        return None
    wanted = parsed.text(name)
    for method in body.named_children:
        declared = method.child_by_field_name("name")
        named = declared is not None and parsed.text(declared) == wanted
        if method.type == "method_definition" and named:
            return parsed, method
    return None


def parameter_names(parsed: ParsedScript, function: Node) -> list[str]:
    """The names of the function's parameters by position ("" for a destructured one)."""
    parameters = function.child_by_field_name("parameters")
    if parameters is None:
        single = function.child_by_field_name("parameter")
        return [parsed.text(single)] if single is not None else []
    names = []
    for parameter in parameters.named_children:
        if parameter.type == "comment":
            continue
        pattern = parameter.child_by_field_name("pattern") or parameter
        names.append(parsed.text(pattern) if pattern.type == "identifier" else "")
    return names


def destructured_from(parsed: ParsedScript, name: Node) -> tuple[str, Node] | None:
    """(the key, the call) for a name bound by `const { key: name } = call(...)` (or `{ name }`)
    in the function around it."""
    wanted = parsed.text(name)
    scope = name.parent
    while scope is not None and scope.type not in FUNCTIONS and scope.type != "program":
        scope = scope.parent
    if scope is None:
        return None
    pending = [scope]
    while pending:
        node = pending.pop()
        if node.type == "variable_declarator":
            pattern = node.child_by_field_name("name")
            value = node.child_by_field_name("value")
            if pattern is not None and pattern.type == "object_pattern" and value is not None:
                value = unwrapped(value)
                for item in pattern.named_children:
                    if item.type == "shorthand_property_identifier_pattern":
                        if parsed.text(item) == wanted:
                            return wanted, value
                    elif item.type == "pair_pattern":
                        key = item.child_by_field_name("key")
                        bound = item.child_by_field_name("value")
                        if key is not None and bound is not None and parsed.text(bound) == wanted:
                            return parsed.text(key), value
        if node.type not in FUNCTIONS or node is scope:
            pending.extend(node.named_children)
    return None
