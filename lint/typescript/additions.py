"""What the code around a variable does to it after its declaration (`prompt += x`, `prompt =
x` for a `let`, `parts.push(x)` for a list joined later), found once per block, and whether a
declaration runs once, when its module loads."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node, QueryCursor

from ctxlint.typescript.parse import ParsedScript, query


def initialised_at_load(declarator: Node) -> bool:
    """Whether a variable's initialiser runs once, when its module loads (a top-level
    `const STATE = initialState()`), whatever the functions it calls."""
    statement = declarator.parent
    parent = statement.parent if statement is not None else None
    if parent is not None and parent.type == "export_statement":
        parent = parent.parent
    return parent is not None and parent.type == "program"


def added_later(parsed: ParsedScript, declarator: Node) -> Iterator[Node]:
    """What the code around a variable adds to it after its declaration: `prompt += x` and
    `prompt = x` (a `let`), `parts.push(x)` (a list joined later)."""
    name_node = declarator.child_by_field_name("name")
    block = declarator.parent.parent if declarator.parent is not None else None
    if name_node is None or block is None:
        return
    yield from additions_of(parsed, block).get(parsed.text(name_node), ())


_ADDITIONS = """
(assignment_expression left: (_) @target right: (_) @added)
(augmented_assignment_expression left: (_) @target right: (_) @added)
((call_expression
   function: (member_expression object: (_) @target property: (property_identifier) @method)
   arguments: (arguments) @arguments)
 (#any-of? @method "push" "unshift"))
"""
# The additions of a block, by the name added to: found once per block (a module's top level
# is met by every sink whose value names one of its variables), for the last files walked.
_KEPT_BLOCKS = 64
_blocks: dict[tuple[int, int], tuple[ParsedScript, dict[str, list[Node]]]] = {}


def additions_of(parsed: ParsedScript, block: Node) -> dict[str, list[Node]]:
    key = (id(parsed), block.id)
    kept = _blocks.get(key)
    if kept is not None and kept[0] is parsed:
        return kept[1]
    found: dict[str, list[Node]] = {}
    cursor = QueryCursor(query(parsed.grammar, _ADDITIONS))
    for _, captures in cursor.matches(block):
        target = captures.get("target", [None])[0]
        if target is None:
            continue
        if "arguments" in captures:
            added = list(captures["arguments"][0].named_children)
        else:
            added = captures.get("added", [])[:1]
        found.setdefault(parsed.text(target), []).extend(added)
    if len(_blocks) >= _KEPT_BLOCKS:
        _blocks.clear()
    _blocks[key] = (parsed, found)
    return found
