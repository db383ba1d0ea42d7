"""Per-turn values besides retrieval and the user's message, for CTX011 (see per_turn): the
count of an agent loop's iterations, the token usage of the last response, a search result
kept under a key of a state shared between hooks, and retrieval results added to a list of
system prompt parts.

Each is a value the flow reaches from a prefix sink (`turn_value_sources`), except the list of
parts, found where it is filled (`system_part_sources`): the list is joined into the system
prompt elsewhere, often in another module the flow does not enter (extensions called by name).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ctxlint.python.flow import Reached
from ctxlint.python.index import ClassInfo, FunctionInfo, ModuleIndex, Scope, class_of_self
from ctxlint.python.module import PythonModule
from ctxlint.python.names import lookup
from ctxlint.python.retrieval import retrieval_label, retrievals_feeding, retrievals_under
from ctxlint.python.sinks import Sink

# Keys and attributes that hold a response's token counts.
_TOKEN_COUNTS = frozenset(
    {
        "token_usage",
        "total_tokens",
        "prompt_tokens",
        "completion_tokens",
        "input_tokens",
        "output_tokens",
        "tokens_used",
        "usage_metadata",
    }
)
# `usage` also names how to use a tool or a command: only on what a model call returned.
_RESPONSE_WORDS = frozenset(
    {"response", "resp", "result", "completion", "reply", "output", "run", "data", "payload",
     "event", "answer", "llm", "chunk", "final", "last"}
)  # fmt: skip
# Lists of the system prompt's parts: `loop_data.system`, `self.system_parts`.
_SYSTEM_PARTS = re.compile(
    r"^_*system(?:_?(?:prompt|message|instruction)s?)?"
    r"(?:_?(?:parts|blocks|sections|segments|chunks|extras))?$",
    re.IGNORECASE,
)
_HISTORY = re.compile(r"(?:^|_)(?:messages|msgs|history|conversation|chat_history)$")
_ADDING_METHODS = frozenset({"append", "extend", "insert"})
_CONSTRUCTORS = frozenset({"__init__", "__post_init__", "setup"})


@dataclass(frozen=True, slots=True)
class TurnValue:
    node: ast.expr
    what: str
    verb: str
    scope: Scope
    # Where the value is made, when that is not where the prompt reads it (a search whose
    # results a hook keeps in its state).
    made: ast.AST | None = None


def turn_value_sources(module: PythonModule, sink: Sink, reached: Reached) -> Iterator[TurnValue]:
    """The per-turn values of this kind among what the flow reached from a prefix sink."""
    node, scope = reached.node, reached.scope
    if isinstance(node, ast.Name):
        if _root(scope) is module.index.module_scope:
            counted = _loop_counter(module, node, scope)
            if counted is not None:
                yield TurnValue(node, counted, "is", scope)
        return
    if isinstance(node, ast.Attribute) and _is_turn_count(module, node, scope):
        yield TurnValue(node, "the turn count", "is", scope)
        return
    key = _constant_key(node)
    if key is None:
        return
    if _is_token_count(node, key, scope):
        if _written_as_text(node, scope):
            yield TurnValue(node, "the last response's token usage", "is", scope)
        return
    index = _index_of(module, scope)
    if index is None or not _reads_a_handed_state(node, scope):
        return
    for value, value_scope in index.derived(_values_by_key).get(key, ()):
        if _in_constructor(value_scope):
            continue
        for call in retrievals_under(value, value_scope):
            # Reported where the prompt reads them: the line that puts them in the prefix.
            label = retrieval_label(call, value_scope)
            yield TurnValue(node, f'{label} kept under "{key}"', "are", scope, call)
            return


def system_part_sources(module: PythonModule) -> Iterator[tuple[TurnValue, ast.Call]]:
    """Retrieval results added to a list of the system prompt's parts (`loop_data.system
    .append(memories_prompt)`), with the call that adds them (where the fix goes)."""
    for site in module.index.calls:
        function = site.call.func
        if not isinstance(function, ast.Attribute) or function.attr not in _ADDING_METHODS:
            continue
        if not site.call.args or _in_constructor(site.scope) or site.scope.runs_once():
            continue
        if _SYSTEM_PARTS.match(_last_name(function.value)) is None:
            continue
        for call in retrievals_feeding(site.call.args[-1], site.scope):
            what = retrieval_label(call, site.scope)
            yield TurnValue(call, what, "are", site.scope), site.call


def _loop_counter(module: PythonModule, node: ast.Name, scope: Scope) -> str | None:
    """What `i` of `for i in range(...)`, or a name counted up by `+= 1`, is when read inside
    a loop that also sends a request: each pass sends a prompt that says which pass it is."""
    index = module.index
    loops = index.derived(_loops_by_iterable)
    for binding in lookup(node.id, scope):
        loop: ast.stmt | None = None
        what = "the loop's iteration count"
        if binding.kind == "for" and _is_counting(binding.value):
            loop = loops.get(id(binding.value))
        elif binding.kind == "augassign" and _adds_one(binding.value):
            loop, what = _loop_around(index, binding.node), "a count the loop advances"
        if loop is not None and _inside(node, loop) and _sends_in(module, loop):
            return what
    return None


def _is_turn_count(module: PythonModule, node: ast.Attribute, scope: Scope) -> bool:
    """`self.step`, counted up by `self.step += 1` in a method that sends a request, or in a
    loop that sends one or calls a method of the class that does."""
    owner = class_of_self(node.value, scope)
    if owner is None or _root(scope) is not module.index.module_scope:
        return False
    for mutation in owner.attribute_mutations.get(node.attr, ()):
        change = mutation.node
        if not (isinstance(change, ast.AugAssign) and _adds_one(change.value)):
            continue
        if _in_constructor(mutation.scope):
            continue
        if mutation.loop is not None:
            if _sends_in(module, mutation.loop) or _calls_a_sender(module, owner, mutation.loop):
                return True
        elif id(_function_of(mutation.scope)) in module.fact(_sending_functions):
            return True
    return False


def _calls_a_sender(module: PythonModule, owner: ClassInfo, loop: ast.stmt) -> bool:
    senders = module.fact(_sending_functions)
    for node in ast.walk(loop):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "self"
        ):
            method = owner.methods.get(node.func.attr)
            if method is not None and id(method) in senders:
                return True
    return False


def _sending_functions(module: PythonModule) -> set[int]:
    """The functions (by id) that make a request themselves."""
    found: set[int] = set()
    for sink in module.sent_lists:
        if sink.call is not None and sink.kind == "messages":
            site = module.call_site(sink.call)
            function = _function_of(site.scope) if site is not None else None
            if function is not None:
                found.add(id(function))
    return found


def _function_of(scope: Scope) -> FunctionInfo | None:
    current: Scope | None = scope
    while current is not None and current.function is None:
        current = current.parent
    return current.function if current is not None else None


def _is_counting(iterable: ast.AST | None) -> bool:
    return (
        isinstance(iterable, ast.Call)
        and isinstance(iterable.func, ast.Name)
        and iterable.func.id == "range"
    )


def _adds_one(value: ast.AST | None) -> bool:
    return isinstance(value, ast.Constant) and value.value == 1


def _loops_by_iterable(index: ModuleIndex) -> dict[int, ast.stmt]:
    return {
        id(loop.iter): loop
        for loop in index.loop_parents
        if isinstance(loop, ast.For | ast.AsyncFor)
    }


def _loop_around(index: ModuleIndex, node: ast.AST | None) -> ast.stmt | None:
    """The innermost loop whose body holds the node."""
    if node is None:
        return None
    found: ast.stmt | None = None
    for loop in index.loop_parents:
        if _inside(node, loop) and (found is None or _inside(loop, found)):
            found = loop
    return found


def _inside(node: ast.AST, outer: ast.AST) -> bool:
    line = getattr(node, "lineno", None)
    start, end = getattr(outer, "lineno", None), getattr(outer, "end_lineno", None)
    return line is not None and start is not None and end is not None and start <= line <= end


def _sends_in(module: PythonModule, loop: ast.stmt) -> bool:
    """A request is made inside the loop: a call that sends messages, the system prompt or
    the tools, or hands a history to a model layer."""
    index = module.index
    for sink in module.sent_lists:
        # A request sends messages: `Agent(system_prompt=...)` made in a loop is configuration.
        if sink.call is None or sink.kind != "messages":
            continue
        site = module.call_site(sink.call)
        if site is not None and index.loop_encloses(loop, site.loop):
            return True
    # A history handed to the app's own model layer (`self.model.chat_with_tools(messages)`).
    return any(
        index.loop_encloses(loop, site.loop) and _passes_a_history(site.call)
        for site in index.calls
        if site.loop is not None
    )


def _passes_a_history(call: ast.Call) -> bool:
    arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
    return any(
        isinstance(argument, ast.Name) and _HISTORY.search(argument.id) is not None
        for argument in arguments
    )


def _constant_key(node: ast.expr) -> str | None:
    """The key `data["usage"]`, `state.get("recalled")` or `response.usage` reads."""
    if isinstance(node, ast.Subscript):
        key = node.slice
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and node.args
    ):
        key = node.args[0]
    elif isinstance(node, ast.Attribute):
        return node.attr
    else:
        return None
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return key.value
    return None


def _reads_a_handed_state(node: ast.expr, scope: Scope) -> bool:
    """`state.get("recalled")` or `state["recalled"]` on a parameter: a state the framework
    hands from one hook to the next (not an item of a loop, whose keys are any record's)."""
    if isinstance(node, ast.Attribute):
        return False
    receiver = node.func.value if isinstance(node, ast.Call) else node.value  # type: ignore[union-attr]
    if not isinstance(receiver, ast.Name):
        return False
    bindings = lookup(receiver.id, scope)
    return bool(bindings) and all(binding.kind == "param" for binding in bindings)


def _is_token_count(node: ast.expr, key: str, scope: Scope) -> bool:
    if key in _TOKEN_COUNTS:
        return True
    if key != "usage":
        return False
    receiver = node.func.value if isinstance(node, ast.Call) else node.value  # type: ignore[union-attr]
    if class_of_self(receiver, scope) is not None:
        return False
    words = set(re.split(r"[^a-z]+", ast.unparse(receiver).lower()))
    return bool(words & _RESPONSE_WORDS)


def _written_as_text(node: ast.expr, scope: Scope) -> bool:
    """The count is turned into text where it is read (`f"{usage.input_tokens}"`,
    `json.dumps(data["usage"])`): a count kept in a dict of metrics and returned in a tuple
    with the messages is not in the prompt, however loosely the flow follows the tuple."""
    current: Scope | None = scope
    while current is not None and current.function is None:
        current = current.parent
    if current is None or current.function is None:
        return False
    for other in ast.walk(current.function.node):
        if isinstance(other, ast.FormattedValue) and other.value is node:
            return True
        if isinstance(other, ast.Call) and node in other.args:
            function = other.func
            name = function.attr if isinstance(function, ast.Attribute) else ""
            if isinstance(function, ast.Name):
                name = function.id
            if name in ("str", "dumps", "format", "repr"):
                return True
        if isinstance(other, ast.BinOp) and node in (other.left, other.right):
            return True
    return False


def _values_by_key(index: ModuleIndex) -> dict[str, list[tuple[ast.expr, Scope]]]:
    """What the module's functions store under a constant key: `state["recalled"] = found`,
    `state.update({"recalled": found})`, `return {"recalled": found}` (a graph node's update
    of the state). Walks nested functions again with their outer one: bounded by the file."""
    found: dict[str, list[tuple[ast.expr, Scope]]] = {}
    for function in index.functions:
        if isinstance(function.node, ast.Lambda):
            continue
        returned = {id(value) for value in function.returns}
        nodes = list(ast.walk(function.node))
        for node in nodes:
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "update"
            ):
                returned.update(id(argument) for argument in node.args)
        for node in nodes:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    key = _constant_key(target) if isinstance(target, ast.Subscript) else None
                    if key is not None:
                        found.setdefault(key, []).append((node.value, function.scope))
            elif isinstance(node, ast.Dict) and id(node) in returned:
                for key_node, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key_node, ast.Constant) and isinstance(key_node.value, str):
                        found.setdefault(key_node.value, []).append((value, function.scope))
    return found


def _last_name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _index_of(module: PythonModule, scope: Scope) -> ModuleIndex | None:
    if _root(scope) is module.index.module_scope:
        return module.index
    owner = module.module_of(scope)
    return owner.index if owner is not None else None


def _in_constructor(scope: Scope) -> bool:
    current: Scope | None = scope
    while current is not None and current.function is None:
        current = current.parent
    function = current.function if current is not None else None
    return function is not None and function.name in _CONSTRUCTORS


def _root(scope: Scope) -> Scope:
    while scope.parent is not None:
        scope = scope.parent
    return scope
