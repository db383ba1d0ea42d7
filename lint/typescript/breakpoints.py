"""Anthropic cache breakpoints in a TypeScript or JavaScript file, as CTX008 counts them.

A breakpoint is written two ways:
- `cache_control: {type: "ephemeral"}` on a block, a tool or a message, as `@anthropic-ai/sdk`
  sends it (and at the top level of `messages.create`, automatic caching);
- the AI SDK's `providerOptions: {anthropic: {cacheControl: {...}}}`: on a message, a part
  or a tool it is that item's breakpoint; at the call level of `generateText`/`streamText`
  `@ai-sdk/anthropic` sends it as the request's top-level `cache_control`, automatic
  caching (vercel/ai#12743, "Add automatic caching for Anthropic"), which takes one of the
  four breakpoint slots too. A call-level options object is told from a message's by the
  options only a call takes (`thinking`, `effort`, `sendReasoning`...), as
  `AnthropicProviderOptions` of @ai-sdk/anthropic declares them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from ctxlint.typescript import looks_like_a_test
from ctxlint.typescript.parse import ParsedScript, parse_script
from ctxlint.typescript.scope import (
    FUNCTIONS,
    declaration,
    function_of,
    resolved,
    returned,
    string_value,
    unwrapped,
)

RAW = "cache_control"
AI_SDK = "cacheControl"
# Keys of `providerOptions.anthropic` only a call takes (@ai-sdk/anthropic 3.x,
# AnthropicProviderOptions): beside them, `cacheControl` is the call's automatic caching.
CALL_OPTIONS = frozenset(
    {
        "thinking",
        "effort",
        "sendReasoning",
        "disableParallelToolUse",
        "structuredOutputMode",
        "container",
        "mcpServers",
        "contextManagement",
        "speed",
        "toolStreaming",
        "metadata",
        "inferenceGeo",
        "fallbacks",
    }
)
# The AI SDK calls whose own `providerOptions` are the request's.
AI_CALLS = frozenset({"generateText", "streamText", "generateObject", "streamObject"})
_HOLDERS = ("providerOptions", "providerMetadata", "experimental_providerMetadata")
# What a spread may wrap around an object it adds: `...(ttl && {cacheControl})`.
_WRAPPERS = frozenset(
    {"parenthesized_expression", "binary_expression", "ternary_expression", "spread_element"}
)
_NO_VALUE = frozenset({"undefined", "null", "false"})
_DEPTH = 6


@dataclass(frozen=True, slots=True)
class Marker:
    """A breakpoint written in the file: the key (or assignment target) that sets it, its
    value, and whether it is a call's automatic caching."""

    node: Node
    value: Node
    automatic: bool = False


def file_markers(parsed: ParsedScript) -> list[Marker]:
    """Every breakpoint the file writes on an item (not a value merely built to be one, such
    as a helper's `{anthropic: {cacheControl}}`), and every call-level automatic one."""
    found: list[Marker] = []
    pending = [parsed.root]
    while pending:
        node = pending.pop()
        pending.extend(node.named_children)
        marker = marker_at(parsed, node)
        if marker is not None:
            found.append(marker)
    return sorted(found, key=lambda marker: marker.node.start_byte)


def marker_at(parsed: ParsedScript, node: Node) -> Marker | None:
    kind = node.type
    if kind == "pair":
        key = _key_text(parsed, node.child_by_field_name("key"))
        value = node.child_by_field_name("value")
        if value is None or parsed.text(value) in _NO_VALUE:
            return None
        if key == RAW and not is_copied(parsed, value):
            automatic = _request_call(parsed, node.parent, (".messages.create", ".messages.stream"))
            return Marker(node.child_by_field_name("key") or node, value, automatic)
        if key in (AI_SDK, RAW):
            found = _provider_marker(parsed, node, value)
            key_node = node.child_by_field_name("key")
            if found is not None and key_node is not None:
                return Marker(key_node, found.value, found.automatic)
            return found
        if key in _HOLDERS and marks_anthropic(parsed, value) and not _literal_marker(value):
            return Marker(node.child_by_field_name("key") or node, value)
    elif kind == "shorthand_property_identifier" and parsed.text(node) == AI_SDK:
        return _provider_marker(parsed, node, node)
    elif kind == "assignment_expression":
        left = node.child_by_field_name("left")
        value = node.child_by_field_name("right")
        if left is None or value is None or parsed.text(value) in _NO_VALUE:
            return None
        name = _assigned_key(parsed, left)
        if name == RAW and not is_copied(parsed, value):
            return Marker(left, value)
        if name in _HOLDERS and marks_anthropic(parsed, value):
            return Marker(left, value)
    return None


def _provider_marker(parsed: ParsedScript, node: Node, value: Node) -> Marker | None:
    """`cacheControl` in `anthropic: {...}`: an item's breakpoint when the options sit on the
    item (`providerOptions: {anthropic: {...}}` written there), automatic caching when they
    hold call-only options; a value built elsewhere (a helper's return) is neither here."""
    options = _enclosing_object(node)
    holder = options.parent if options is not None else None
    if holder is None or holder.type != "pair":
        return None
    if _key_text(parsed, holder.child_by_field_name("key")) != "anthropic":
        return None
    if is_copied(parsed, value):
        return None
    if CALL_OPTIONS & object_keys(parsed, options):
        return Marker(node, value, automatic=True)
    provider = _enclosing_object(holder)
    outer = provider.parent if provider is not None else None
    if outer is None or outer.type != "pair":
        return None
    if _key_text(parsed, outer.child_by_field_name("key")) not in _HOLDERS:
        return None
    return Marker(node, value, automatic=_request_call(parsed, outer.parent, tuple(AI_CALLS)))


def _request_call(parsed: ParsedScript, literal: Node | None, callees: tuple[str, ...]) -> bool:
    """Whether an object literal is the request given to a call of one of those callees."""
    arguments = literal.parent if literal is not None else None
    call = arguments.parent if arguments is not None else None
    if call is None or call.type != "call_expression" or arguments.type != "arguments":
        return False
    function = call.child_by_field_name("function")
    if function is None:
        return False
    text = "".join(parsed.text(function).split())
    return text in callees or text.endswith(tuple(c for c in callees if c.startswith(".")))


def _enclosing_object(node: Node) -> Node | None:
    """The object a property belongs to, through the wrappers of a conditional spread."""
    parent = node.parent
    while parent is not None:
        if parent.type == "object":
            above = parent.parent
            # `{...(ttl && {cacheControl})}`: the inner literal is spread into its holder.
            while above is not None and above.type in _WRAPPERS:
                above = above.parent
            spread = above is not None and above.type == "object" and above is not parent
            if spread and any(p.type == "spread_element" for p in _between(parent, above)):
                parent = above
                continue
            return parent
        if parent.type not in _WRAPPERS and parent.type != "pair":
            return None
        parent = parent.parent
    return None


def _between(inner: Node, outer: Node) -> Iterator[Node]:
    node = inner.parent
    while node is not None and node is not outer:
        yield node
        node = node.parent


def object_keys(parsed: ParsedScript, literal: Node) -> set[str]:
    """The keys an object literal may have, those of its conditional spreads included."""
    keys: set[str] = set()
    pending = list(literal.named_children)
    while pending:
        child = pending.pop()
        if child.type == "pair":
            key = _key_text(parsed, child.child_by_field_name("key"))
            if key is not None:
                keys.add(key)
        elif child.type == "shorthand_property_identifier":
            keys.add(parsed.text(child))
        elif child.type in _WRAPPERS or child.type == "object":  # inside a spread
            pending.extend(child.named_children)
    return keys


def marks_anthropic(parsed: ParsedScript, value: Node, depth: int = 0) -> bool:
    """Whether a `providerOptions` value holds `anthropic.cacheControl`: a literal, a local
    constant, a local helper's return, either branch of a condition."""
    if depth > _DEPTH:
        return False
    node = resolved(parsed, value)
    if node is None:
        return False
    if node.type == "object":
        for child in node.named_children:
            if child.type == "pair":
                key = _key_text(parsed, child.child_by_field_name("key"))
                inner = child.child_by_field_name("value")
                if key == "anthropic" and inner is not None:
                    options = resolved(parsed, inner)
                    if options is not None and options.type == "object":
                        keys = object_keys(parsed, options)
                        if keys & {AI_SDK, RAW} and not keys & CALL_OPTIONS:
                            return True
        return False
    if node.type == "ternary_expression":
        branches = (
            node.child_by_field_name("consequence"),
            node.child_by_field_name("alternative"),
        )
        return any(b is not None and marks_anthropic(parsed, b, depth + 1) for b in branches)
    if node.type == "call_expression":
        function = node.child_by_field_name("function")
        if function is not None and function.type == "identifier":
            return any(
                marks_anthropic(parsed, value, depth + 1)
                for value in local_returns(parsed, function)
            )
    return False


def local_returns(parsed: ParsedScript, name: Node) -> list[Node]:
    """What the file's own function of that name returns; nothing for another."""
    bound = declaration(parsed, name)
    function = function_of(bound) if bound is not None else None
    return list(returned(function)) if function is not None else []


def _literal_marker(value: Node) -> bool:
    """A `providerOptions` literal whose own `cacheControl` is already a marker."""
    return value.type == "object"


def is_copied(parsed: ParsedScript, value: Node) -> bool:
    """A breakpoint carried over from what is converted (`part.cache_control`,
    `options?.cacheControl`), not a new one."""
    node = unwrapped(value)
    if node.type in ("member_expression", "subscript_expression"):
        return True
    text = parsed.text(node)
    return node.type != "call_expression" and (".cache_control" in text or ".cacheControl" in text)


def _key_text(parsed: ParsedScript, key: Node | None) -> str | None:
    if key is None:
        return None
    text = parsed.text(key)
    if key.type in ("string", "template_string"):
        return text[1:-1]
    return text


def _assigned_key(parsed: ParsedScript, left: Node) -> str | None:
    if left.type == "member_expression":
        field = left.child_by_field_name("property")
        return parsed.text(field) if field is not None else None
    if left.type == "subscript_expression":
        index = left.child_by_field_name("index")
        return _key_text(parsed, index) if index is not None else None
    return None


def ttl_of(parsed: ParsedScript, marker: Marker) -> str | None:
    """ "1h" or "5m" when the marker's value says it, else None."""
    value = resolved(parsed, marker.value)
    if value is None or value.type != "object":
        return None
    ttl = None
    marked = False
    for child in value.named_children:
        if child.type != "pair":
            continue
        key = _key_text(parsed, child.child_by_field_name("key"))
        inner = child.child_by_field_name("value")
        if key == "type":
            marked = True
        elif key == "ttl" and inner is not None:
            ttl = string_value(parsed, unwrapped(inner))  # `"1h" as const` too
    if ttl in ("1h", "5m"):
        return ttl
    return "5m" if marked else None


def manual_sites(parsed: ParsedScript) -> set[tuple[str, int]]:
    """Where the file sets breakpoints on items: one per function that sets any (the system
    prompt's, the tools', the newest message's), as (path, line of the function)."""
    sites = set()
    for marker in file_markers(parsed):
        if marker.automatic:
            continue
        function = marker.node.parent
        # A callback (`content.map((part, i) => ...)`) marks for the function that calls it.
        while function is not None and (
            function.type not in FUNCTIONS
            or (function.parent is not None and function.parent.type == "arguments")
        ):
            function = function.parent
        at = function if function is not None else marker.node
        sites.add((parsed.path, parsed.location(at.start_point).line))
    return sites


def package_sites(parsed: ParsedScript) -> set[tuple[str, int]]:
    """The places the file and the other source files of its folder set breakpoints."""
    sites = manual_sites(parsed)
    folder = os.path.dirname(os.path.abspath(parsed.path))
    own = os.path.abspath(parsed.path)
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return sites
    for name in names:
        path = os.path.join(folder, name)
        if path == own or not _is_source(name):
            continue
        try:
            with open(path, "rb") as handle:
                data = handle.read(1_000_000)
        except OSError:
            continue
        if RAW.encode() in data or AI_SDK.encode() in data:
            sites |= manual_sites(parse_script(path, data))
    return sites


def _is_source(name: str) -> bool:
    lowered = name.lower()
    if looks_like_a_test(name) or lowered.endswith((".d.ts", ".min.js")):
        return False
    return lowered.endswith((".ts", ".tsx", ".mts", ".js", ".mjs", ".cjs", ".jsx"))


def stops_early(body: Node) -> bool:
    """Whether a loop's body leaves the loop (`break`, `return`, not in a function inside it):
    a loop that stops at the first item it marks marks one."""
    pending = list(body.named_children)
    while pending:
        node = pending.pop()
        if node.type in ("break_statement", "return_statement"):
            return True
        if node.type not in FUNCTIONS:
            pending.extend(node.named_children)
    return False
