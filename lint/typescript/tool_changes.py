"""How a TypeScript or JavaScript file changes the tools it sends from one call of an agent
loop to the next, within the file: a list filtered, sliced or spread under a condition in the
loop that sends it, from state that loop changes; the AI SDK's `activeTools` chosen per step
(by `prepareStep`, or in the loop); an MCP `listTools()` sent in the server's order.

`activeTools` is no decode-time constraint: the AI SDK drops the tools it does not name from
the request before sending it (`prepareToolsAndToolChoice` in `ai` 6.0.333, dist/index.mjs,
read 2026-12-03: `Object.entries(tools).filter(([name]) => activeTools.includes(name))`), so
the tool definitions sent change with it. `toolChoice` leaves them as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tree_sitter import Node

from ctxlint.typescript.flow import reached
from ctxlint.typescript.loop_changes import loop_around, names_changed_in, names_in, within
from ctxlint.typescript.parse import ParsedScript, descendants, snippet
from ctxlint.typescript.scope import (
    FUNCTIONS,
    enclosing_function,
    object_properties,
    resolved,
    returned,
    unwrapped,
)
from ctxlint.typescript.sinks import Sink

if TYPE_CHECKING:
    from ctxlint.typescript.project import ScriptProject

_NARROWING = ("filter", "slice", "splice")
_SORTS = ("sort", "toSorted")
_STEP_OPTIONS = "prepareStep"


@dataclass(frozen=True, slots=True)
class ToolChange:
    """A tool list that differs between calls: the node to report, the message, the help kind
    ("listing" for an unsorted listing), and the sink."""

    node: Node
    message: str
    sink: Sink
    listing: bool = False
    # Made in another file, or in a helper the sending file calls: that file, and the call.
    parsed: ParsedScript | None = None
    call: Node | None = None


def tool_changes(
    parsed: ParsedScript, sinks: list[Sink], project: ScriptProject | None = None
) -> Iterator[ToolChange]:
    seen: set[tuple[str, int]] = set()
    for sink in sinks:
        if not sink.in_tools:
            continue
        for change in _changes(parsed, sink, project):
            key = ((change.parsed or parsed).path, change.node.id)
            if key not in seen:
                seen.add(key)
                yield change
    for sink in _step_sinks(parsed, sinks):
        for node, message in _active_tools_per_step(parsed, sink):
            if (parsed.path, node.id) not in seen:
                seen.add((parsed.path, node.id))
                yield ToolChange(node, message, sink)


def _changes(
    parsed: ParsedScript, sink: Sink, project: ScriptProject | None
) -> Iterator[ToolChange]:
    from ctxlint.typescript.tool_helpers import helper_tool_changes

    loop = loop_around(sink.call)
    varying = names_changed_in(parsed, loop) if loop is not None else set()
    parts = list(reached(parsed, sink, project))
    listings = [part.node for part in parts if not part.in_other_file(parsed)]
    listings.extend(_destructured_listings(parsed, sink))
    yield from _listings_elsewhere(parsed, sink, parts)
    if loop is not None:
        # `tools: toolsFor(state.phase)`: a helper rebuilding the list from what the loop changes.
        calls = [
            node
            for node in listings
            if node.type == "call_expression"
            and within(node, loop)
            and _method_call(parsed, node)[0] is None
        ]
        for found in helper_tool_changes(parsed, calls, varying, project):
            call = found.call
            yield ToolChange(found.node, found.message, sink, False, found.parsed, call)
    for node in listings:
        if node.type != "call_expression":
            continue
        receiver, method, arguments = _method_call(parsed, node)
        if receiver is None:
            continue
        if method == "listTools" and enclosing_function(node) is not None:
            if not _sorted_around(parsed, node, sink.value) and not _runs_once(parsed, node):
                message = (
                    f"`{snippet(parsed.text(node))}` lists the tools anew for each call, in the "
                    "server's order, which may change"
                )
                yield ToolChange(node, message, sink, listing=True)
            continue
        if method in _NARROWING and loop is not None and within(node, loop):
            changed = sorted(names_in(parsed, arguments) & varying)
            if changed:
                names = ", ".join(f"`{name}`" for name in changed[:2])
                message = (
                    f"`{snippet(parsed.text(node))}` rebuilds the tool list on each pass from "
                    f"{names}, which the loop changes"
                )
                yield ToolChange(node, message, sink)
    if loop is not None:
        yield from _conditional_spreads(parsed, sink, loop, varying)


def _listings_elsewhere(parsed: ParsedScript, sink: Sink, parts: list) -> Iterator[ToolChange]:
    """An MCP `listTools()` in a function of another file the tools are made of, run for each
    call (not when its module loads), unsorted in its file and in the value sent."""
    sent = parsed.text(resolved(parsed, sink.value) or sink.value)
    if any(f".{method}(" in sent for method in _SORTS):
        return
    for part in parts:
        where, node = part.parsed, part.node
        if not part.in_other_file(parsed) or part.at_load or node.type != "call_expression":
            continue
        receiver, method, _ = _method_call(where, node)
        if receiver is None or method != "listTools" or enclosing_function(node) is None:
            continue
        if _sorted_in_function(where, node) or _runs_once(where, node):
            continue
        message = (
            f"`{snippet(where.text(node))}` lists the tools anew for each call, in the "
            "server's order, which may change"
        )
        yield ToolChange(node, message, sink, True, where, None)


def _sorted_in_function(parsed: ParsedScript, listing: Node) -> bool:
    """Whether the function that lists the tools sorts anything: what it returns is sorted."""
    function = enclosing_function(listing)
    text = parsed.text(function) if function is not None else ""
    return any(f".{method}(" in text for method in _SORTS) or "localeCompare" in text


def _destructured_listings(parsed: ParsedScript, sink: Sink) -> Iterator[Node]:
    """`const { tools } = await mcp.listTools()` in the sink's function, for a `tools` sent:
    the listing call (the flow follows named bindings only)."""
    function = enclosing_function(sink.call)
    if function is None:
        return
    sent = names_in(parsed, [sink.value])
    pending = [function.child_by_field_name("body")]
    while pending:
        node = pending.pop()
        if node is None:
            continue
        if node.type == "variable_declarator":
            pattern = node.child_by_field_name("name")
            value = node.child_by_field_name("value")
            destructured = pattern is not None and pattern.type == "object_pattern"
            if destructured and value is not None and _pattern_names(parsed, pattern) & sent:
                call = unwrapped(value)
                if call.type == "call_expression":
                    yield call
        if node.type not in FUNCTIONS:
            pending.extend(node.named_children)


def _conditional_spreads(
    parsed: ParsedScript, sink: Sink, loop: Node, varying: set[str]
) -> Iterator[ToolChange]:
    """`tools: { ...base, ...(done ? {} : { finish }) }` in the loop, on state it changes."""
    value = resolved(parsed, sink.value)
    if value is None or value.type not in ("object", "array") or not within(value, loop):
        return
    for element in value.named_children:
        if element.type != "spread_element" or not element.named_children:
            continue
        spread = unwrapped(element.named_children[0])
        if spread.type == "ternary_expression":
            condition = spread.child_by_field_name("condition")
        elif spread.type == "binary_expression":
            condition = spread.child_by_field_name("left")
        else:
            continue
        changed = sorted(names_in(parsed, [condition]) & varying) if condition else []
        if changed:
            names = ", ".join(f"`{name}`" for name in changed[:2])
            message = (
                f"`{snippet(parsed.text(spread))}` adds tools on some passes, by {names}, "
                "which the loop changes"
            )
            yield ToolChange(spread, message, sink)


def _step_sinks(parsed: ParsedScript, sinks: list[Sink]) -> list[Sink]:
    """One sink per AI SDK call (its tools) whose options may set `activeTools`."""
    found: dict[int, Sink] = {}
    for sink in sinks:
        if sink.in_tools:
            found.setdefault(sink.call.id, sink)
    return list(found.values())


def _active_tools_per_step(parsed: ParsedScript, sink: Sink) -> Iterator[tuple[Node, str]]:
    arguments = sink.call.child_by_field_name("arguments")
    if arguments is None or not arguments.named_children:
        return
    options = resolved(parsed, arguments.named_children[0])
    if options is None or options.type != "object":
        return
    properties = object_properties(parsed, options)
    active = properties.get("activeTools")
    loop = loop_around(sink.call)
    if active is not None and loop is not None and within(active, loop):
        changed = sorted(names_in(parsed, [active]) & names_changed_in(parsed, loop))
        if changed:
            names = ", ".join(f"`{name}`" for name in changed[:2])
            yield (
                active,
                f"`activeTools` follows {names}, which the loop changes, and so do the tools sent",
            )
    step = properties.get(_STEP_OPTIONS)
    step = resolved(parsed, step) if step is not None else None
    if step is None or unwrapped(step).type not in FUNCTIONS:
        return
    step = unwrapped(step)
    parameters = _parameter_names(parsed, step)
    choices = []
    for value in _branches(parsed, returned(step)):
        if value.type != "object":
            continue
        chosen = object_properties(parsed, value).get("activeTools")
        if chosen is not None:
            choices.append(chosen)
    if not choices:
        return
    texts = {"".join(parsed.text(choice).split()) for choice in choices}
    depends = any(names_in(parsed, [choice]) & parameters for choice in choices)
    if len(texts) > 1 or depends:
        yield (
            choices[0],
            ("`prepareStep` sets `activeTools` per step, and the AI SDK sends only those tools"),
        )


def _branches(parsed: ParsedScript, values: Iterator[Node]) -> Iterator[Node]:
    """What may be returned: both branches of a `cond ? a : b`, through consts."""
    pending = list(values)
    while pending:
        value = resolved(parsed, pending.pop())
        if value is None:
            continue
        if value.type == "ternary_expression":
            for field in ("consequence", "alternative"):
                branch = value.child_by_field_name(field)
                if branch is not None:
                    pending.append(branch)
        else:
            yield value


def _parameter_names(parsed: ParsedScript, function: Node) -> set[str]:
    parameters = function.child_by_field_name("parameters") or function.child_by_field_name(
        "parameter"
    )
    names: set[str] = set()
    pending = [parameters] if parameters is not None else []
    while pending:
        node = pending.pop()
        if node.type in ("identifier", "shorthand_property_identifier_pattern"):
            names.add(parsed.text(node))
        elif node.type != "type_annotation":
            pending.extend(node.named_children)
    return names


def _sorted_around(parsed: ParsedScript, listing: Node, value: Node) -> bool:
    """Whether the listing is sorted on its way to the sink: a `.sort()` or `.toSorted()` in
    the chain above it, or anywhere in the value sent."""
    node = listing.parent
    while node is not None and node.type not in FUNCTIONS:
        if node.type == "call_expression":
            _, method, _ = _method_call(parsed, node)
            if method in _SORTS:
                return True
        if node.type in ("lexical_declaration", "expression_statement", "return_statement"):
            break
        node = node.parent
    text = parsed.text(resolved(parsed, value) or value)
    return any(f".{method}(" in text for method in _SORTS)


def _runs_once(parsed: ParsedScript, node: Node) -> bool:
    """Whether the node runs once per process: outside any loop of a script's entry function,
    one the module does not export and calls only from its top level (`main().catch(...)`).
    A listing there is the one every request of the run is sent with."""
    function = enclosing_function(node)
    if function is None or loop_around(node) is not None:
        return False
    if loop_around(function) is not None or enclosing_function(function) is not None:
        return False
    holder = function.parent
    if holder is not None and holder.type == "variable_declarator":
        name, holder = holder.child_by_field_name("name"), holder.parent
        holder = holder.parent if holder is not None else None
    else:
        name = function.child_by_field_name("name")
    if name is None or holder is None or holder.type != "program":
        return False  # exported, a method, or passed somewhere: called who knows how often
    wanted = parsed.text(name)
    uses = [
        use
        for use in descendants(parsed.root)
        if use.type == "identifier" and use.id != name.id and parsed.text(use) == wanted
    ]
    return bool(uses) and all(
        use.parent is not None
        and use.parent.type == "call_expression"
        and use.parent.child_by_field_name("function") == use
        and enclosing_function(use) is None
        and loop_around(use) is None
        for use in uses
    )


def _method_call(parsed: ParsedScript, call: Node) -> tuple[Node | None, str, list[Node]]:
    function = call.child_by_field_name("function")
    if function is None or function.type != "member_expression":
        return None, "", []
    member = function.child_by_field_name("property")
    arguments = call.child_by_field_name("arguments")
    listed = list(arguments.named_children) if arguments is not None else []
    method = parsed.text(member) if member is not None else ""
    return function.child_by_field_name("object"), method, listed


def _pattern_names(parsed: ParsedScript, pattern: Node) -> set[str]:
    """The names `{ tools }` and `{ tools: listed }` bind."""
    names = set()
    for node in pattern.named_children:
        if node.type == "pair_pattern":
            node = node.child_by_field_name("value")
        if node is not None and node.type in (
            "shorthand_property_identifier_pattern",
            "identifier",
        ):
            names.add(parsed.text(node))
    return names
