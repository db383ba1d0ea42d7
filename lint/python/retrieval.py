"""Retrieval: the calls that search a memory or a document store for this turn's content
(`memory.search(query)`, `retriever.invoke(question)`, `store.similarity_search(text)`), and
the walk back from a value to the retrieval it was taken from. What CTX011 calls per-turn
content when it reaches the cached prefix (see per_turn)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from itertools import chain

from ctxlint.python.index import Scope
from ctxlint.python.names import lookup

# Methods that only ever search a memory or a document store: the call is the retrieval.
_RETRIEVAL_METHODS = frozenset(
    {
        "similarity_search",
        "asimilarity_search",
        "similarity_search_with_score",
        "asimilarity_search_with_score",
        "similarity_search_with_relevance_scores",
        "max_marginal_relevance_search",
        "amax_marginal_relevance_search",
        "get_relevant_documents",
        "aget_relevant_documents",
        "search_memories",
        "search_memory",
        "retrieve_memories",
        "recall_memories",
        "get_relevant_memories",
        "retrieve_relevant",
        "retrieve_context",
    }
)
# Methods that search only when what they are called on is a memory or a store: `search` on
# a web client or `query` on a database are not this turn's recollection.
_SEARCH_METHODS = frozenset(
    {"search", "asearch", "query", "aquery", "retrieve", "aretrieve", "recall", "invoke", "ainvoke"}
)
# `search_long_term`, `retrieve_similar`: a search, when the receiver is a store.
_SEARCH_PREFIXES = ("search_", "asearch_", "retrieve_", "aretrieve_", "query_", "recall_")
# `search_memories`, `get_relevant_memory`: the method's name says it all.
_MEMORY_SEARCH = re.compile(r"(?i)(search|retriev|recall|relevant).*memor|memor.*(search|retriev)")
# How far the walk from a value back to the retrieval it came from goes.
_MAX_ORIGIN_STEPS = 40
_VALUE_BINDINGS = frozenset({"assign", "augassign", "for", "comprehension", "with"})
# Calls named like a search that as often send a request (`chain.invoke(question)`).
_GENERIC_CALLS = frozenset({"invoke", "ainvoke", "query", "aquery"})
# Parameters that hold what the user just said: a search for it is a search for this turn.
_TURN_INPUT = re.compile(
    r"(?i)^(user_?)?(message|msg|query|question|input|utterance|request_text)$|^user_(text|prompt)$"
)
_STORE_WORDS = frozenset(
    {
        "memory",
        "memories",
        "mem",
        "mem0",
        "retriever",
        "retrievers",
        "vectorstore",
        "vectordb",
        "vector",
        "vectors",
        "index",
        "collection",
        "knowledge",
        "kb",
        "rag",
        "docsearch",
        "embeddings",
        "store",
    }
)


def retrieval_label(call: ast.Call, scope: Scope | None = None) -> str:
    words = _receiver_words(call.func, scope)
    if words & {"memory", "memories", "mem", "mem0"} or "memor" in callee_name(call):
        return "memory search results"
    return "retrieval results"


def callee_name(call: ast.Call) -> str:
    function = call.func
    if isinstance(function, ast.Attribute):
        return function.attr
    return function.id if isinstance(function, ast.Name) else ""


def is_retrieval(call: ast.Call, scope: Scope) -> bool:
    method = callee_name(call)
    if not isinstance(call.func, ast.Attribute):
        return False
    # A search for a fixed text gives the same results every turn.
    if all(_is_fixed(a, scope) for a in chain(call.args, _keyword_values(call))):
        return False
    if method in _RETRIEVAL_METHODS or _MEMORY_SEARCH.search(method):
        return True
    searches = method in _SEARCH_METHODS or method.startswith(_SEARCH_PREFIXES)
    if not searches:
        return False
    if _receiver_words(call.func, scope) & _STORE_WORDS:
        return True
    # `client.search(query)` with what the user just said as the query: whatever it
    # searches, the results are this turn's.
    return method not in _GENERIC_CALLS and _searches_turn_input(call, scope)


def _searches_turn_input(call: ast.Call, scope: Scope) -> bool:
    first = call.args[0] if call.args else None
    for keyword in call.keywords:
        if keyword.arg in ("query", "text", "question", "q"):
            first = keyword.value
    if first is None:
        return False
    pending: list[tuple[ast.AST, Scope]] = [(first, scope)]
    steps = 0
    while pending and steps < _MAX_ORIGIN_STEPS:
        steps += 1
        current, where = pending.pop()
        if isinstance(current, ast.Name):
            for binding in lookup(current.id, where):
                if binding.kind == "param" and _TURN_INPUT.match(binding.name):
                    return True
                if binding.kind == "assign" and binding.value is not None:
                    pending.append((binding.value, binding.scope))
        elif isinstance(current, ast.Call):
            # `content_of(message)`, `message.strip()`: the text taken from the message.
            pending.extend((argument, where) for argument in current.args)
            if isinstance(current.func, ast.Attribute):
                pending.append((current.func.value, where))
        elif isinstance(current, (ast.Subscript, ast.Attribute, ast.Await, ast.JoinedStr)):
            pending.extend((child, where) for child in ast.iter_child_nodes(current))
        elif isinstance(current, ast.FormattedValue):
            pending.append((current.value, where))
    return False


def _is_fixed(argument: ast.expr, scope: Scope) -> bool:
    """A constant, or a loop variable over constants (`for kind in ("skill", "error")`)."""
    if isinstance(argument, ast.Constant):
        return True
    if not isinstance(argument, ast.Name):
        return False
    bindings = lookup(argument.id, scope)
    return bool(bindings) and all(
        binding.kind == "for" and _constants(binding.value, binding.scope, depth=2)
        for binding in bindings
    )


def _constants(node: ast.AST | None, scope: Scope, depth: int) -> bool:
    """A literal collection of constants, or a name assigned only one."""
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(isinstance(element, ast.Constant) for element in node.elts)
    if not isinstance(node, ast.Name) or depth == 0:
        return False
    bindings = lookup(node.id, scope)
    return bool(bindings) and all(
        binding.kind == "assign" and _constants(binding.value, binding.scope, depth - 1)
        for binding in bindings
    )


def _keyword_values(call: ast.Call) -> Iterator[ast.expr]:
    return (keyword.value for keyword in call.keywords)


def _receiver_words(function: ast.expr, scope: Scope | None = None) -> set[str]:
    """The words of the names a method is called on: `self.memory_store.search` gives
    {"self", "memory", "store"}; through calls, `index.as_retriever().retrieve` too; and
    through a local name, what it was made from (`db = await Memory.get(agent)`)."""
    words: set[str] = set()
    node = function.value if isinstance(function, ast.Attribute) else function
    for _ in range(8):
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            words.update(_split_words(node.attr))
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            break
    if isinstance(node, ast.Name):
        words.update(_split_words(node.id))
        if scope is not None:
            for binding in lookup(node.id, scope)[:2]:
                value = binding.value
                if isinstance(value, ast.Await):
                    value = value.value
                if binding.kind == "assign" and isinstance(value, ast.Call):
                    words.update(_receiver_words(ast.Attribute(value, "_"), None))
    return words


def receiver_words(function: ast.expr, scope: Scope | None = None) -> set[str]:
    """The words of the names a method is called on (see `_receiver_words`)."""
    return _receiver_words(function, scope)


def _split_words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    words = [word.lower() for word in spaced.split("_") if word]
    return [*words, re.sub(r"_", "", name.lower())]


def retrievals_under(node: ast.expr, scope: Scope) -> Iterator[ast.Call]:
    """Retrieval calls that an expression's value is taken from, through names, loops over
    results, items and attributes, within the function."""
    pending: list[tuple[ast.AST, Scope]] = [(node, scope)]
    steps = 0
    while pending and steps < _MAX_ORIGIN_STEPS:
        steps += 1
        current, where = pending.pop()
        if isinstance(current, ast.Call):
            if is_retrieval(current, where):
                yield current
        elif isinstance(current, (ast.Attribute, ast.Subscript, ast.Await, ast.Starred)):
            pending.append((current.value, where))
        elif isinstance(current, ast.Name):
            for binding in lookup(current.id, where):
                if binding.kind in ("assign", "for", "comprehension") and binding.value:
                    pending.append((binding.value, binding.scope))


def retrievals_feeding(node: ast.expr, scope: Scope) -> Iterator[ast.Call]:
    """Retrieval calls whose results any part of an expression is made from, within the
    function: also through the arguments of calls it does not know (a prompt file rendered
    with `memories=text`) and text added up in a loop (`text += doc.page_content`). Used
    where what is filled is already known to be the system prompt's."""
    pending: list[ast.AST] = [node]
    seen: set[int] = set()
    while pending and len(seen) < _MAX_ORIGIN_STEPS * 2:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ast.Call) and is_retrieval(current, scope):
            yield current
        elif isinstance(current, ast.Name):
            for binding in lookup(current.id, scope):
                if binding.kind in _VALUE_BINDINGS and binding.value is not None:
                    pending.append(binding.value)
        elif isinstance(current, ast.keyword):
            pending.append(current.value)
        elif isinstance(current, ast.expr) and not isinstance(current, ast.Lambda):
            pending.extend(ast.iter_child_nodes(current))
