"""Retrieval in TypeScript and JavaScript: the calls that search a memory or a document store
for this turn's content, as on the Python side (ctxlint.python.retrieval): a method that only
ever searches (`vectorStore.similaritySearch(q)`, `retriever.getRelevantDocuments(q)`,
`searchMemories(q)`), a search on a store (`memory.search(q)`, `index.query(q)`), or a call
named like a search or a memory given what the user just said (`loadMemoryBlock(event.prompt)`,
`searchWiki(paths, prompt)`)."""

from __future__ import annotations

import re

from tree_sitter import Node

from ctxlint.typescript.parse import ParsedScript
from ctxlint.typescript.scope import binding, is_parameter_of, unwrapped

# Methods that only ever search a memory or a document store.
_RETRIEVAL_METHODS = frozenset(
    {
        "similaritySearch",
        "similaritySearchWithScore",
        "similaritySearchVectorWithScore",
        "maxMarginalRelevanceSearch",
        "getRelevantDocuments",
        "searchMemories",
        "searchMemory",
        "retrieveMemories",
        "recallMemories",
        "getRelevantMemories",
        "retrieveRelevant",
        "retrieveContext",
    }
)
_MEMORY_SEARCH = re.compile(r"(?i)(search|retriev|recall|relevant).*memor|memor.*(search|retriev)")
# Searches when what they are called on is a memory or a store.
_SEARCH_METHODS = frozenset({"search", "query", "retrieve", "recall", "invoke", "similarity"})
_STORE_WORDS = frozenset(
    {"memory", "memories", "mem", "mem0", "retriever", "retrievers", "vectorstore", "vectordb",
     "vector", "vectors", "index", "collection", "knowledge", "kb", "rag", "docsearch",
     "embeddings", "store"}
)  # fmt: skip
# Given the user's turn, a call named with one of these words is a search for it.
_SEARCH_WORDS = frozenset(
    {"search", "retrieve", "retrieval", "recall", "memory", "memories", "relevant", "rag",
     "knowledge", "lookup", "similar"}
)  # fmt: skip
# Calls that send a request (`chain.invoke(question)`), or only write or format.
_NOT_SEARCHES = re.compile(
    r"(?i)^(invoke|query|format|render|to[A-Z]|stringify|escape|sanitize|truncate|log|count|"
    r"estimate|record|save|store|add|write|update|set|track|emit|push|append|remember|index)"
)
# Parameters that hold what the user just said.
_TURN_INPUT = re.compile(
    r"(?i)^(user_?)?(message|msg|query|question|input|utterance)$"
    r"|^(user|last_?user|latest_?user|current_?user)_?(text|prompt|message|msg|query|input)$"
)
_MAX_STEPS = 40


def retrieval_label(parsed: ParsedScript, call: Node) -> str:
    words = _words(parsed.text(call.child_by_field_name("function") or call))
    if words & {"memory", "memories", "mem", "mem0"}:
        return "memory search results"
    return "retrieval results"


def is_retrieval(parsed: ParsedScript, call: Node, hook: Node | None) -> bool:
    """Whether the call searches for this turn's content. `hook` is a pi handler given the
    event whose `prompt` is the user's turn."""
    function = call.child_by_field_name("function")
    arguments = call.child_by_field_name("arguments")
    if function is None or arguments is None or not arguments.named_children:
        return False
    function = unwrapped(function)
    if all(_is_fixed(argument) for argument in arguments.named_children):
        return False  # The same text searched every turn finds the same.
    receiver_words: set[str] = set()
    if function.type == "member_expression":
        name_node = function.child_by_field_name("property")
        receiver = function.child_by_field_name("object")
        receiver_words = _words(parsed.text(receiver)) if receiver is not None else set()
    elif function.type == "identifier":
        name_node = function
    else:
        return False
    name = parsed.text(name_node) if name_node is not None else ""
    if name in _RETRIEVAL_METHODS or _MEMORY_SEARCH.search(name):
        return True
    if name in _SEARCH_METHODS and receiver_words & _STORE_WORDS:
        return True
    if _NOT_SEARCHES.match(name) or not (_words(name) & _SEARCH_WORDS):
        return False
    return any(_is_turn_input(parsed, argument, hook) for argument in arguments.named_children)


def is_turn_input_name(name: str) -> bool:
    return bool(_TURN_INPUT.match(name))


def _is_turn_input(parsed: ParsedScript, start: Node, hook: Node | None) -> bool:
    """Whether the value is taken from what the user just said: a parameter named like it,
    or pi's `event.prompt` in a `before_agent_start` handler."""
    pending = [start]
    steps = 0
    while pending and steps < _MAX_STEPS:
        steps += 1
        node = unwrapped(pending.pop())
        kind = node.type
        if kind == "identifier":
            bound = binding(parsed, node)
            if bound is None:
                continue
            if bound[0] == "parameter":
                if _TURN_INPUT.match(parsed.text(node)):
                    return True
                continue
            value = bound[1].child_by_field_name("value")
            if value is not None:
                pending.append(value)
        elif kind == "member_expression":
            target = node.child_by_field_name("object")
            name = node.child_by_field_name("property")
            if (
                hook is not None
                and name is not None
                and parsed.text(name) == "prompt"
                and target is not None
                and is_parameter_of(parsed, target, hook)
            ):
                return True
            if target is not None:
                pending.append(target)
        elif kind == "call_expression":
            # `prompt.trim()`, `textOf(message)`: the text taken from the message.
            function = node.child_by_field_name("function")
            arguments = node.child_by_field_name("arguments")
            if function is not None and function.type == "member_expression":
                target = function.child_by_field_name("object")
                if target is not None:
                    pending.append(target)
            if arguments is not None:
                pending.extend(arguments.named_children)
        elif kind in ("binary_expression", "template_string", "template_substitution"):
            pending.extend(node.named_children)
    return False


def _is_fixed(node: Node) -> bool:
    node = unwrapped(node)
    if node.type in ("string", "number", "true", "false", "null", "undefined"):
        return True
    return node.type == "template_string" and not any(
        child.type == "template_substitution" for child in node.named_children
    )


def _words(text: str) -> set[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    return {word.lower() for word in re.split(r"[^A-Za-z0-9]+", spaced) if word}
