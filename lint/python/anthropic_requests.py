"""Anthropic messages requests as CTX008 reads them: which calls are requests (with their
sinks, in the order the prefix grows), what breakpoints and volatile values reach them, how
much fixed text a prompt holds, and whether a module sets breakpoints the flow cannot see."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ctxlint.python.flow import Reached
from ctxlint.python.index import Scope
from ctxlint.python.module import PythonModule
from ctxlint.python.names import attribute_chain, lookup, qualified_name
from ctxlint.python.sinks import Sink
from ctxlint.python.volatile import how_volatile

# Anthropic renders tools, then system, then messages: the order in which the prefix grows.
SEGMENT_ORDER = {"tools": 0, "system": 1, "messages": 2, "content": 2}
_ANTHROPIC_METHODS = frozenset({"create", "stream", "parse"})


@dataclass(slots=True)
class Request:
    call: ast.Call
    sinks: list[Sink]


def may_pass_cache_control(call: ast.Call) -> bool:
    """Whether the call may turn automatic caching on where its keywords do not show it: in
    `**options`, or in an `extra_body` (which the SDK merges into the request) that is not a
    dict literal without the key. Then nothing is said to be missing, and no fix adds a
    second `cache_control` (a TypeError beside `**options` that hold one)."""
    for keyword in call.keywords:
        if keyword.arg is None:
            return True
        if keyword.arg == "extra_body":
            body = keyword.value
            if not isinstance(body, ast.Dict) or has_key(body, "cache_control"):
                return True
            if not all(isinstance(key, ast.Constant) for key in body.keys):
                return True  # `{**defaults}` or a computed key.
    return False


def anthropic_requests(module: PythonModule) -> list[Request]:
    """Calls to `messages.create` (and stream/parse) recognised as Anthropic, with their sinks."""
    requests: dict[int, Request] = {}
    for sink in module.sinks:
        call = sink.call
        if call is None or not is_anthropic_messages(call):
            continue
        requests.setdefault(id(call), Request(call, [])).sinks.append(sink)
    for request in requests.values():
        request.sinks.sort(key=lambda s: SEGMENT_ORDER.get(s.kind, 3))
    return list(requests.values())


def is_anthropic_messages(call: ast.Call) -> bool:
    function = call.func
    if not isinstance(function, ast.Attribute) or function.attr not in _ANTHROPIC_METHODS:
        return False
    _, attributes = attribute_chain(function)
    return attributes[-2:-1] == ["messages"] and "completions" not in attributes


def breakpoints_and_volatile(
    module: PythonModule, reached: list[Reached]
) -> list[tuple[ast.AST, str | None]]:
    """What a request's rule looks at among reached values: dicts that set a breakpoint (with
    None) and calls whose value changes on every call (with how), each node where first met."""
    found: list[tuple[ast.AST, str | None]] = []
    seen: set[int] = set()
    for item in reached:
        node = item.node
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ast.Dict) and has_key(node, "cache_control"):
            found.append((node, None))
        elif isinstance(node, ast.Call):
            how = how_volatile(item, module)
            if how is not None:
                found.append((node, how))
    return found


def volatile_before(
    block: ast.Dict, sink: Sink, volatile: list[tuple[ast.AST, Sink, str]]
) -> tuple[ast.AST, str] | None:
    """The volatile value the breakpoint's cached prefix includes, and how it varies ("reads
    the clock"): in an earlier part of the request (tools before system before messages), in
    the block itself, or in an earlier block of the same list."""
    order = SEGMENT_ORDER.get(sink.kind, 3)
    block_end = (block.end_lineno, block.end_col_offset)
    same_literal = isinstance(sink.expression, (ast.List, ast.Tuple)) and within(
        block, sink.expression
    )
    for node, source_sink, how in volatile:
        source_order = SEGMENT_ORDER.get(source_sink.kind, 3)
        text = (node, how)
        if source_order < order:
            return text
        if source_sink is sink or source_order == order:
            position = (node.lineno, node.col_offset)  # type: ignore[attr-defined]
            earlier_block = same_literal and within(node, sink.expression) and position < block_end
            if within(node, block) or earlier_block:
                return text
    return None


def fixed_length(node: ast.AST, scope: Scope, depth: int) -> int:
    """How many characters of a prompt are fixed text: string literals, joined, repeated,
    and reached through names bound once."""
    if depth > 8:
        return 0
    if isinstance(node, ast.Constant):
        return len(node.value) if isinstance(node.value, str) else 0
    if isinstance(node, ast.JoinedStr):
        return sum(fixed_length(value, scope, depth + 1) for value in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return fixed_length(node.left, scope, depth + 1) + fixed_length(
            node.right, scope, depth + 1
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        if isinstance(node.right, ast.Constant) and isinstance(node.right.value, int):
            return fixed_length(node.left, scope, depth + 1) * node.right.value
        return 0
    if isinstance(node, (ast.List, ast.Tuple)):
        return sum(fixed_length(element, scope, depth + 1) for element in node.elts)
    if isinstance(node, ast.Dict):
        return sum(
            fixed_length(value, scope, depth + 1)
            for key, value in zip(node.keys, node.values, strict=True)
            if isinstance(key, ast.Constant) and key.value == "text"
        )
    if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
        if qualified_name(node.func, scope) in ("textwrap.dedent", "inspect.cleandoc", "str"):
            return fixed_length(node.args[0], scope, depth + 1)
        return 0
    if isinstance(node, ast.Name):
        bindings = lookup(node.id, scope)
        if len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].value is not None:
            return fixed_length(bindings[0].value, bindings[0].scope, depth + 1)
    return 0


def within(node: ast.AST, outer: ast.AST) -> bool:
    start = (outer.lineno, outer.col_offset)  # type: ignore[attr-defined]
    end = (outer.end_lineno, outer.end_col_offset)  # type: ignore[attr-defined]
    return start <= (node.lineno, node.col_offset) <= end  # type: ignore[attr-defined]


def is_key(node: ast.expr | None, key: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == key


def has_key(node: ast.Dict, key: str) -> bool:
    return any(isinstance(k, ast.Constant) and k.value == key for k in node.keys)


def key_node(node: ast.Dict, key: str) -> ast.AST:
    for candidate in node.keys:
        if isinstance(candidate, ast.Constant) and candidate.value == key:
            return candidate
    return node


def sets_cache_control_elsewhere(module: PythonModule) -> bool:
    """Breakpoints added other than in a dict literal (`block["cache_control"] = ...`, a
    keyword, a helper's parameter) may reach a request in ways the flow does not follow:
    then nothing is said to be missing. Asked for every request, decided once per module."""
    return module.fact(_mentions_beyond_literal_breakpoints)


def _mentions_beyond_literal_breakpoints(module: PythonModule) -> bool:
    mentions = module.source.text.count("cache_control")
    literal_keys = sum(1 for node, _ in module.index.dicts if has_key(node, "cache_control"))
    keywords = sum(
        1
        for site in module.index.calls
        for keyword in site.call.keywords
        if keyword.arg == "cache_control"
    )
    return mentions > literal_keys + keywords
