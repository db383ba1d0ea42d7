"""What a value sent in the prefix is made of: the parts of a template literal and of a `+`,
a `const`'s initialiser, what a function returns, the receiver of a method call
(`parts.join("\\n")`), the arguments of other calls. Given the run's ScriptProject, the
walk goes on into the files the sink's file imports (an imported builder's returns, an
imported const, through re-exports), and each part reached names the file it is in.

Tool definitions are walked without entering functions: a tool's `execute` runs when the
model calls the tool, and what it returns is a tool result, not the definition.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tree_sitter import Node

from ctxlint.typescript.additions import added_later, initialised_at_load
from ctxlint.typescript.elsewhere import (
    imported_returns,
    imported_value,
    method_returns,
    namespace_member,
)
from ctxlint.typescript.parse import ParsedScript
from ctxlint.typescript.scope import (
    FUNCTIONS,
    declaration,
    function_returns,
    object_properties,
    returned,
    unwrapped,
)
from ctxlint.typescript.sinks import Sink

if TYPE_CHECKING:
    from ctxlint.typescript.project import ScriptProject

_DEPTH = 12
# Type annotations, type arguments and the like say nothing about a value.
_TYPES = frozenset(
    {
        "type_annotation",
        "type_arguments",
        "type_parameters",
        "type_identifier",
        "predefined_type",
        "formal_parameters",
        "comment",
        "regex",
    }
)


@dataclass(frozen=True, slots=True)
class Reached:
    """An expression the sink's value is made of: a call or a `new`, with its method chain
    (`new Date().toISOString().slice(0, 10)` is reached whole, not its receivers alone).
    Reached through a variable, `shown` is the expression that shows it where it is used
    (`now.toLocaleDateString()` for `const now = new Date()`)."""

    node: Node
    sink: Sink
    shown: Node | None = None
    # The file the node is in: the sink's own file, or one it imports (None when built by
    # hand for the sink's file).
    parsed: ParsedScript | None = None
    # Reached through a module's top-level variable: computed once when the module loads
    # (`const STATE = initialState()`), not on every call, whatever functions it ran.
    at_load: bool = False

    def in_other_file(self, checked: ParsedScript) -> bool:
        return self.parsed is not None and self.parsed.path != checked.path


def reached_by_file(
    parsed: ParsedScript,
    sink: Sink,
    project: ScriptProject | None = None,
    seen: set[tuple[str, int, int]] | None = None,
    receivers_of: frozenset[str] = frozenset(),
) -> list[tuple[ParsedScript, list[Reached]]]:
    """The parts of the sink's value grouped by the file each is in, the sink's file first:
    for a rule that judges a file's parts together (which collections it iterates, what it
    imports), each file with its own ParsedScript."""
    groups: dict[str, tuple[ParsedScript, list[Reached]]] = {parsed.path: (parsed, [])}
    for part in reached(parsed, sink, project, seen, receivers_of):
        where = part.parsed or parsed
        groups.setdefault(where.path, (where, []))[1].append(part)
    return [group for group in groups.values() if group[1]]


def reached(
    parsed: ParsedScript,
    sink: Sink,
    project: ScriptProject | None = None,
    seen: set[tuple[str, int, int]] | None = None,
    receivers_of: frozenset[str] = frozenset(),
) -> Iterator[Reached]:
    """The parts of the sink's value; into imported files only when given the project (a
    rule that reports in the checked file alone leaves it out). A rule that judges each part
    once, whatever sink it is met through, passes one `seen` for all its sinks: what an
    earlier sink's walk went through is not walked again. The receiver of a method named in
    `receivers_of` is followed into other files too (`skills.map(...)` for a rule that
    judges the order of the list mapped)."""
    seen = set() if seen is None else seen
    # A prompt given as a function (Mastra's `instructions: () => ...`) is called each run.
    start = unwrapped(sink.value)
    Pending = tuple[Node, int, "Node | None", ParsedScript, bool, bool]
    if start.type in FUNCTIONS and not sink.in_tools:
        pending: list[Pending] = [
            (value, 0, None, parsed, False, False) for value in returned(start)
        ]
    else:
        pending = [(start, 0, None, parsed, False, False)]
    while pending:
        node, depth, shown, where, once, within = pending.pop()
        key = (where.path, node.id, (shown.id if shown is not None else 0) * 4 + once * 2 + within)
        if key in seen or depth > _DEPTH or node.type in _TYPES:
            continue
        seen.add(key)
        node = unwrapped(node)
        kind = node.type
        # What a method chain's receiver is shown by: the whole chain.
        outer = shown or node
        # An object a method is called on (`agent.getSystemPrompt()`), and all it is made
        # of, is followed within its file only: across files it is no text of the value.
        crossing = project is not None and not within
        if kind in ("call_expression", "new_expression"):
            yield Reached(node, sink, shown, where, once)
            receiver, others = _call_parts(where, node)
            if receiver is not None:
                kept = within or _method_name(where, node) not in receivers_of
                pending.append((receiver, depth + 1, outer, where, once, kept))
            pending.extend((part, depth + 1, None, where, once, within) for part in others)
            if crossing:
                for other, value in imported_returns(project, where, node):
                    pending.append((value, depth + 1, None, other, once, within))
                for other, value in method_returns(project, where, node):
                    pending.append((value, depth + 1, None, other, once, within))
        elif kind in ("identifier", "shorthand_property_identifier"):
            for value, at_load in _bound_value(where, node, sink):
                pending.append((value, depth + 1, shown, where, once or at_load, within))
            if crossing:
                for other, value, at_load in imported_value(project, where, node):
                    pending.append((value, depth + 1, shown, other, once or at_load, within))
        elif kind in FUNCTIONS:
            if not sink.in_tools:
                pending.extend(
                    (value, depth + 1, None, where, once, within) for value in returned(node)
                )
        elif kind == "subscript_expression":
            # `new Date().toISOString().split("T")[0]`: the index says what is kept.
            yield Reached(node, sink, shown, where, once)
            target = node.child_by_field_name("object")
            index = node.child_by_field_name("index")
            if target is not None:
                pending.append((target, depth, outer, where, once, within))
            if index is not None:
                pending.append((index, depth, None, where, once, within))
        elif kind == "member_expression":
            # `now.getTime`: the object, shown by the member. With the project, `config.system`
            # for an object literal (`const config = {...}`, or the one a function returns)
            # is that property alone: `STATE.cwd` does not reach `STATE.startTime`.
            selected = _selected(project, where, node) if crossing else None
            if selected is not None:
                pending.extend(
                    (value, depth + 1, shown, other, once or at_load, within)
                    for other, value, at_load in selected
                )
                continue
            target = node.child_by_field_name("object")
            if target is not None:
                pending.append((target, depth + 1, outer, where, once, True))
            if crossing:
                for other, value, at_load in namespace_member(project, where, node):
                    pending.append((value, depth + 1, shown, other, once or at_load, within))
        else:
            pending.extend(
                (child, depth, None, where, once, within) for child in node.named_children
            )


def values_elsewhere(
    project: ScriptProject, parsed: ParsedScript, node: Node
) -> Iterator[tuple[ParsedScript, Node]]:
    """What an expression stands for in another file, or in a method of the project's
    classes, for a rule with its own walk: a call's imported function or method returns, an
    imported name's const (and what is added to it), a namespace import's member."""
    node = unwrapped(node)
    if node.type == "call_expression":
        yield from imported_returns(project, parsed, node)
        yield from method_returns(project, parsed, node)
    elif node.type in ("identifier", "shorthand_property_identifier"):
        yield from ((other, value) for other, value, _ in imported_value(project, parsed, node))
    elif node.type == "member_expression":
        found = namespace_member(project, parsed, node)
        yield from ((other, value) for other, value, _ in found)


def _method_name(parsed: ParsedScript, call: Node) -> str:
    function = call.child_by_field_name("function")
    if function is None or unwrapped(function).type != "member_expression":
        return ""
    name = unwrapped(function).child_by_field_name("property")
    return parsed.text(name) if name is not None else ""


_SELECTION_DEPTH = 4


def _selected(
    project: ScriptProject, parsed: ParsedScript, member: Node
) -> list[tuple[ParsedScript, Node, bool]] | None:
    """The value of `object.property` when the object is known to be object literals: the
    property of each (none when they lack it), and whether it was built when its module
    loaded; None when the object may be anything else."""
    target = member.child_by_field_name("object")
    name = member.child_by_field_name("property")
    if target is None or name is None or name.type != "property_identifier":
        return None
    literals = _object_literals(project, parsed, target, 0)
    if not literals:
        return None
    wanted = parsed.text(name)
    found = []
    for where, literal, at_load in literals:
        value = object_properties(where, literal).get(wanted)
        if value is not None:
            found.append((where, value, at_load))
    return found


def _object_literals(
    project: ScriptProject, parsed: ParsedScript, node: Node, depth: int, at_load: bool = False
) -> list[tuple[ParsedScript, Node, bool]] | None:
    """The object literals an expression stands for (a const bound to one, a call of a
    function whose every return is one); None when it may be anything else."""
    node = unwrapped(node)
    if depth > _SELECTION_DEPTH:
        return None
    if node.type == "object":
        return [(parsed, node, at_load)]
    if node.type == "identifier":
        bound = declaration(parsed, node)
        where = parsed
        if bound is None and parsed.text(node) in project.imports_of(parsed):
            found = project.definition(parsed, parsed.text(node))
            if found is not None:
                where, bound = found
        if bound is None or bound.type != "variable_declarator":
            return None
        value = bound.child_by_field_name("value")
        if value is None or next(added_later(where, bound), None) is not None:
            return None
        return _object_literals(
            project, where, value, depth + 1, at_load or initialised_at_load(bound)
        )
    if node.type != "call_expression":
        return None
    function = node.child_by_field_name("function")
    if function is None or unwrapped(function).type != "identifier":
        return None
    function = unwrapped(function)
    bound = declaration(parsed, function)
    where = parsed
    if bound is None and parsed.text(function) in project.imports_of(parsed):
        definition = project.definition(parsed, parsed.text(function))
        if definition is not None:
            where, bound = definition
    if bound is None:
        return None
    values = list(function_returns(bound))
    if not values:
        return None
    literals: list[tuple[ParsedScript, Node, bool]] = []
    for value in values:
        found = _object_literals(project, where, value, depth + 1, at_load)
        if found is None:
            return None
        literals.extend(found)
    return literals


def _bound_value(parsed: ParsedScript, name: Node, sink: Sink) -> Iterator[tuple[Node, bool]]:
    """A local variable's initialiser (and whether it runs when the module loads), and what
    the code after it adds to it."""
    bound = declaration(parsed, name)
    if bound is None:
        # A loop's variable (`for (const tool of tools)`) is made of what the loop iterates.
        iterated = _loop_iterated(parsed, name)
        if iterated is not None:
            yield iterated, False
        return
    if bound.type == "variable_declarator":
        value = bound.child_by_field_name("value")
        if value is not None and unwrapped(value).type in FUNCTIONS:
            return  # A function named where a value is expected is not called here.
        if value is not None:
            yield value, initialised_at_load(bound)
        yield from ((added, False) for added in added_later(parsed, bound))


def _loop_iterated(parsed: ParsedScript, name: Node) -> Node | None:
    """What a `for...of` (or `for...in`) loop iterates, when `name` is its variable used in
    its body."""
    wanted = parsed.text(name)
    child, node = name, name.parent
    while node is not None and node.type != "program":
        if node.type == "for_in_statement":
            body = node.child_by_field_name("body")
            left = node.child_by_field_name("left")
            inside = body is not None and body.start_byte <= child.start_byte < body.end_byte
            if inside and left is not None and _declares(parsed, left, wanted):
                return node.child_by_field_name("right")
        child, node = node, node.parent
    return None


def _declares(parsed: ParsedScript, pattern: Node, wanted: str) -> bool:
    """Whether a loop's left side (`tool`, `[name, tool]`, `{ name }`) binds `wanted`."""
    pending = [pattern]
    while pending:
        node = pending.pop()
        if node.type in ("identifier", "shorthand_property_identifier_pattern"):
            if parsed.text(node) == wanted:
                return True
        elif node.type not in ("type_annotation", "property_identifier"):
            pending.extend(node.named_children)
    return False


def _call_parts(parsed: ParsedScript, call: Node) -> tuple[Node | None, list[Node]]:
    """What a call's value is made of, as far as one file shows: a method's receiver, then
    a local function's returns and the arguments (`String(x)`, a tagged template, `format(x)`)."""
    receiver = None
    others: list[Node] = []
    function = call.child_by_field_name("function") or call.child_by_field_name("constructor")
    if function is not None:
        function = unwrapped(function)
        if function.type == "identifier":
            bound = declaration(parsed, function)
            if bound is not None:
                others.extend(function_returns(bound))
        elif function.type == "member_expression":
            receiver = function.child_by_field_name("object")
    arguments = call.child_by_field_name("arguments")
    if arguments is not None:
        others.extend(arguments.named_children)
    return receiver, others
