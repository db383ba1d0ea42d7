"""Which JavaScript collections come in an order that can differ between two requests, and
where a sent value iterates one: a glob listing (ctxlint.typescript.glob_listings), a
collection a function fills from concurrent async callbacks
(ctxlint.typescript.completion_order), followed through local names and order-keeping methods
(`.values()`, `.map()`, `Array.from`, spreads) to the place it is iterated.

JavaScript itself keeps a deterministic order almost everywhere: an object's keys, a `Map` and
a `Set` iterate in insertion order, and `Promise.all` resolves to its results in the order of
its input, whatever order they complete in. What varies is the order of the data.

`fs.readdir` is not a source: Node documents no order for it
(https://nodejs.org/api/fs.html#fspromisesreaddirpath-options), but it is libuv's
`uv_fs_scandir`, which sorts each folder's names with `strcmp` on POSIX systems
(https://github.com/nodejs/node/issues/3232, and Deno copying it in
https://github.com/denoland/deno/pull/36341); on Windows it gives the file system's order,
stable for an unchanged folder. Between two requests on one machine it gives the same order.

Only collections made inside a function are sources: one filled once when the module loads
keeps its order for the life of the process, so the requests of a conversation agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from ctxlint.typescript.completion_order import CONTAINERS, completion_fill, is_empty_collection
from ctxlint.typescript.glob_listings import is_async_glob
from ctxlint.typescript.parse import ParsedScript
from ctxlint.typescript.scope import binding, declaration, enclosing_function, unwrapped

# Methods that keep the order of what they are called on.
ORDER_KEEPING = frozenset(
    {
        "values",
        "keys",
        "entries",
        "map",
        "filter",
        "flatMap",
        "flat",
        "slice",
        "forEach",
        "reduce",
        "join",
        "concat",
    }
)
# Functions that keep the order of their first argument.
_ORDER_KEEPING_FUNCTIONS = frozenset(
    {"Array.from", "Object.keys", "Object.values", "Object.entries", "Object.fromEntries"}
)
SORTS = frozenset({"sort", "toSorted", "sortBy", "orderBy", "localeCompare"})
_DEPTH = 8


@dataclass(frozen=True, slots=True)
class OrderSource:
    """Where an order that varies comes from: `kind` "listing" or "completion", the node that
    makes it (the glob call, the fill in a callback), and how a message names it."""

    kind: str
    node: Node
    label: str
    holder: str | None = None


def order_source(
    parsed: ParsedScript, expression: Node, imports: dict[str, str], depth: int = 0
) -> OrderSource | None:
    """Where the order of the collection `expression` varies from, through local names,
    order-keeping methods (`.values()`, `.map()`, `Array.from`, spreads); None when it is
    sorted on the way or its order is the source's own."""
    if depth > _DEPTH:
        return None
    node = unwrapped(expression)
    kind = node.type
    if kind == "identifier":
        return _named_source(parsed, node, imports, depth)
    if kind == "array" and len(node.named_children) == 1:
        only = node.named_children[0]
        if only.type == "spread_element" and only.named_children:
            return order_source(parsed, only.named_children[0], imports, depth + 1)
        return None
    if kind == "new_expression":
        constructor = node.child_by_field_name("constructor")
        arguments = node.child_by_field_name("arguments")
        container = constructor is not None and parsed.text(constructor) in CONTAINERS
        if container and arguments is not None and arguments.named_children:
            return order_source(parsed, arguments.named_children[0], imports, depth + 1)
        return None
    if kind != "call_expression":
        return None
    listing = _listing(parsed, node, imports)
    if listing is not None:
        return listing
    function = node.child_by_field_name("function")
    arguments = node.child_by_field_name("arguments")
    if function is None:
        return None
    function = unwrapped(function)
    if function.type == "member_expression":
        method = function.child_by_field_name("property")
        receiver = function.child_by_field_name("object")
        name = parsed.text(method) if method is not None else ""
        dotted = "".join(parsed.text(function).split())
        if dotted in _ORDER_KEEPING_FUNCTIONS and arguments and arguments.named_children:
            return order_source(parsed, arguments.named_children[0], imports, depth + 1)
        if name in ORDER_KEEPING and receiver is not None:
            return order_source(parsed, receiver, imports, depth + 1)
    return None


def _named_source(
    parsed: ParsedScript, name: Node, imports: dict[str, str], depth: int
) -> OrderSource | None:
    bound = declaration(parsed, name)
    if bound is None or bound.type != "variable_declarator":
        return None
    value = bound.child_by_field_name("value")
    if value is None or is_sorted_in_place(parsed, bound):
        return None
    value = unwrapped(value)
    if is_empty_collection(parsed, value):
        found = _binding_kind(parsed, name)
        if found != "local":
            return None
        fill = completion_fill(parsed, bound)
        if fill is None:
            return None
        return OrderSource("completion", fill, parsed.text(name), parsed.text(name))
    source = order_source(parsed, value, imports, depth + 1)
    if source is not None and source.holder is None:
        return OrderSource(source.kind, source.node, source.label, parsed.text(name))
    return source


def _binding_kind(parsed: ParsedScript, name: Node) -> str | None:
    found = binding(parsed, name)
    return found[0] if found is not None else None


def _listing(parsed: ParsedScript, call: Node, imports: dict[str, str]) -> OrderSource | None:
    """A glob call of one of the glob packages, made inside a function."""
    if not is_async_glob(parsed, call, imports):
        return None
    function = unwrapped(call.child_by_field_name("function"))
    return OrderSource("listing", call, f"{parsed.text(function)}(...)")


def is_sorted_in_place(parsed: ParsedScript, declarator: Node) -> bool:
    """Whether the code around a variable sorts it (`files.sort()`), which fixes its order
    whatever order it was filled in."""
    name_node = declarator.child_by_field_name("name")
    block = declarator.parent.parent if declarator.parent is not None else None
    if name_node is None or block is None:
        return False
    name = parsed.text(name_node)
    pending = list(block.named_children)
    while pending:
        node = pending.pop()
        pending.extend(node.named_children)
        if node.type != "call_expression":
            continue
        function = node.child_by_field_name("function")
        if function is None or function.type != "member_expression":
            continue
        target = function.child_by_field_name("object")
        method = function.child_by_field_name("property")
        sorted_here = method is not None and parsed.text(method) in SORTS
        if sorted_here and target is not None and parsed.text(target) == name:
            return True
    return False


def sorts(parsed: ParsedScript, call: Node) -> bool:
    """Whether a call sorts: `.sort()`, `.toSorted()`, lodash's `sortBy`/`orderBy`."""
    function = call.child_by_field_name("function")
    if function is None:
        return False
    function = unwrapped(function)
    if function.type == "member_expression":
        method = function.child_by_field_name("property")
        return method is not None and parsed.text(method) in SORTS
    return function.type == "identifier" and parsed.text(function) in SORTS


@dataclass(frozen=True, slots=True)
class Iteration:
    """A place that iterates a collection of varying order into a sent value."""

    node: Node
    source: OrderSource


def unordered_iterations(
    parsed: ParsedScript, reached_nodes: list[Node], imports: dict[str, str]
) -> list[Iteration]:
    """The iterations of collections whose order varies among what a sent value is made of
    (`reached_nodes`, from ctxlint.typescript.flow), one per source. Nothing when a sort is
    among them: which list it sorts is not told, and silence is cheaper than a wrong guess."""
    calls = [node for node in reached_nodes if node.type == "call_expression"]
    if any(sorts(parsed, call) for call in calls):
        return []
    found: dict[int, Iteration] = {}
    for node in reached_nodes:
        source = order_source(parsed, node, imports)
        if source is not None and source.node.id != node.id:
            found.setdefault(source.node.id, Iteration(node, source))
            continue
        # The collection itself, reached through a name or a loop's variable: the finding is
        # where that name is iterated.
        if source is None:
            source = _filled_collection(parsed, node)
        declarator = _declarator_of(node)
        holder = declarator.child_by_field_name("name") if declarator is not None else None
        if source is None or holder is None or holder.type != "identifier":
            continue
        iterated = _iteration_of(parsed, node, parsed.text(holder))
        if iterated is not None:
            found.setdefault(source.node.id, Iteration(iterated, source))
    return list(found.values())


def _filled_collection(parsed: ParsedScript, node: Node) -> OrderSource | None:
    """An empty `new Map()` or `new Set()` a function declares and fills in completion order."""
    declarator = _declarator_of(node)
    if declarator is None or not is_empty_collection(parsed, node):
        return None
    name = declarator.child_by_field_name("name")
    if name is None or name.type != "identifier" or enclosing_function(declarator) is None:
        return None
    if is_sorted_in_place(parsed, declarator):
        return None
    fill = completion_fill(parsed, declarator)
    if fill is None:
        return None
    return OrderSource("completion", fill, parsed.text(name), parsed.text(name))


def _declarator_of(node: Node) -> Node | None:
    """The variable declarator `node` is the (awaited, cast) initialiser of."""
    parent = node.parent
    while parent is not None and parent.type in (
        "await_expression",
        "parenthesized_expression",
        "as_expression",
        "satisfies_expression",
        "non_null_expression",
    ):
        parent = parent.parent
    if parent is not None and parent.type == "variable_declarator":
        return parent
    return None


def _iteration_of(parsed: ParsedScript, made: Node, holder: str) -> Node | None:
    """Where the variable `holder` (declared by the declarator around `made`) is iterated in
    its block: a `for...of`, a spread, or an order-keeping method called on it; None when it
    is sorted in place there, or only read whole (`files.length`)."""
    declarator = _declarator_of(made)
    if declarator is None or is_sorted_in_place(parsed, declarator):
        return None
    block = declarator.parent.parent if declarator.parent is not None else None
    if block is None:
        return None
    pending = list(block.named_children)
    found: list[Node] = []
    while pending:
        node = pending.pop()
        pending.extend(node.named_children)
        if node.type != "identifier" or parsed.text(node) != holder:
            continue
        parent = node.parent
        if parent is None:
            continue
        looped = parent.type == "for_in_statement" and parent.child_by_field_name("right") == node
        if looped or parent.type == "spread_element":
            found.append(node)
        elif parent.type == "member_expression" and parent.child_by_field_name("object") == node:
            method = parent.child_by_field_name("property")
            call = parent.parent
            kept = method is not None and parsed.text(method) in ORDER_KEEPING
            if kept and call is not None and call.type == "call_expression":
                found.append(call)
    return min(found, key=lambda n: n.start_byte) if found else None
