"""Per-turn content in Python code: values rebuilt on every turn of a conversation (memory and
retrieval results, a task list the agent keeps updating, the user's newest message) that reach
the cached prefix of a request. What CTX011 reports."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain

from ctxlint.python.flow import Reached
from ctxlint.python.index import ClassInfo, ModuleIndex, Mutation, Scope, class_of_self
from ctxlint.python.module import PythonModule
from ctxlint.python.names import by_variable, lookup
from ctxlint.python.none_branches import in_branch_not_taken
from ctxlint.python.retrieval import callee_name, is_retrieval, retrieval_label, retrievals_under
from ctxlint.python.sinks import Sink
from ctxlint.python.summaries import callee_of
from ctxlint.python.turn_values import turn_value_sources

# Attributes of an agent that hold its task list or plan.
_TASK_LIST = re.compile(r"(?i)^_*(todos?|todo_?list|task_?list|tasks|plan|plan_?steps|checklist)$")
_TASK_RENDERER = re.compile(r"(?i)todo|task|plan|checklist")
# Parameter names that hold configuration, not what the user said this turn.
_CONFIG_PARAMETER = re.compile(r"(?i)system|instruction|persona|prompt_template|tools?$|model")
_HISTORY_NAME = re.compile(r"(?i)history|messages|conversation|items|turns")
_CONSTRUCTORS = frozenset({"__init__", "__post_init__", "setup"})


@dataclass(frozen=True, slots=True)
class PerTurnSource:
    """Where per-turn content is made, and what it is, as a finding names it."""

    node: ast.expr
    what: str
    # "is" or "are", as `what` needs.
    verb: str = "is"
    # Where it is made: in another module than the sink's when the flow entered one.
    scope: Scope | None = None
    # The call that makes it, when the finding points elsewhere (where the prompt reads it).
    made: ast.AST | None = None


def per_turn_sources(module: PythonModule, sink: Sink, done: set[int]) -> Iterator[PerTurnSource]:
    """The per-turn values that reach a prefix sink, each where it is made. A walk the sink
    shares with other sinks is looked at once, for the first of them (its id goes in `done`),
    which keeps a file's work linear in its calls."""
    if _sends_one_fresh_conversation(module, sink):
        return
    if sink.call is None and id(sink.expression) in module.fact(_appended_contents):
        # `conversation.append({"role": "system", ...})`: a message at the end of the
        # conversation, after everything the cache can reuse (where the fix puts content).
        return
    lazy = _WalkFacts()
    home = module.index.module_scope
    # Also the values of the project modules the flow entered (a system prompt composed in
    # another module from retrieval results): found there, reported there.
    for reached in chain.from_iterable(module.reached_across(sink).parts_not_in(done)):
        if reached.trail.runs_once or _in_constructor(reached.scope):
            continue
        if sink.kind == "tools" and sink.call is None and _picks_the_tools(reached):
            # Retrieval that picks which tools a definition dict is made for (`for name in
            # found: {"name": name, ...}`) says nothing of what one definition says; which
            # tools are sent is the business of the request that sends them, if any does.
            continue
        found = list(_sources_of(module, sink, reached, home, lazy))
        # Under `if p is None:` while this path's call passes p a value (none_branches.py):
        # asked only of what would be reported, as it may search the project for callers.
        if found and not in_branch_not_taken(reached, module):
            yield from found


@dataclass(slots=True)
class _WalkFacts:
    """What one sink's walk computes once, on first need."""

    sent_by_user: set[int] | None = None
    in_user_turn: set[int] = field(default_factory=set)
    one_turn: bool | None = None


def _sources_of(
    module: PythonModule, sink: Sink, reached: Reached, home: Scope, lazy: _WalkFacts
) -> Iterator[PerTurnSource]:
    """The per-turn values one reached value is, or holds (`lazy` keeps what a sink's walk
    computes once, on first need)."""
    node, where = reached.node, reached.scope
    for value in turn_value_sources(module, sink, reached):
        yield PerTurnSource(value.node, value.what, value.verb, value.scope, value.made)
    if isinstance(node, ast.Call):
        if is_retrieval(node, where):
            yield PerTurnSource(node, retrieval_label(node, where), "are", where)
        elif _TASK_RENDERER.search(callee_name(node)):
            for argument in node.args:
                if _task_list_owner(argument, where) is not None:
                    yield PerTurnSource(argument, "the task list", scope=where)
    elif isinstance(node, ast.Attribute):
        if _task_list_owner(node, where) is not None:
            yield PerTurnSource(node, "the task list", scope=where)
        elif class_of_self(node.value, where) is None:
            # `doc.page_content`, `m.memory`: the flow stops at attributes of objects it
            # does not know; follow them back to a retrieval in the same function.
            for call in retrievals_under(node.value, where):
                yield PerTurnSource(call, retrieval_label(call, where), "are", where)
    elif isinstance(node, ast.Name) and _root(where) is home:
        if lazy.sent_by_user is None:
            lazy.sent_by_user = module.fact(_parameters_sent_as_messages)
            lazy.in_user_turn = module.fact(_nodes_in_user_contents)
        if id(node) in lazy.in_user_turn:
            # The flow came back to the user's own message (an adapter that sorts a
            # history by role): the text is the user turn, not a copy in the prefix.
            return
        if not _is_user_parameter(node, reached.scope, lazy.sent_by_user):
            return
        if lazy.one_turn is None:
            lazy.one_turn = _is_one_turn(module, sink)
        if lazy.one_turn:
            yield PerTurnSource(node, "the user's newest message")


def _picks_the_tools(reached: Reached) -> bool:
    """Whether the value reached the tool definitions as what a loop iterates over."""
    iterated, scope = reached.trail.iterated, reached.trail.iterated_scope
    function = _function_scope(scope) if scope is not None else None
    if iterated is None or function is None or function.node is None:
        return False
    for node in ast.walk(function.node):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)) and node.iter is iterated:
            return True
    return False


def _sends_one_fresh_conversation(module: PythonModule, sink: Sink, depth: int = 2) -> bool:
    """The request's messages are a literal list of messages made for it alone (`[system,
    user]`): a one-shot request, with no conversation whose turns could share a prefix."""
    # Named and never added to, it is one question whichever call sends it (SuperAGI's
    # `messages = [{"role": "system", ...}]; self.llm.chat_completion(messages)`).
    if id(sink.expression) in module.fact(_one_shot_contents):
        return True
    sent = [other.expression for other in _messages_sent_with(module, sink)]
    if not sent:
        return depth > 0 and _wrapper_sends_one_fresh_conversation(module, sink, depth - 1)
    return all(
        isinstance(messages, ast.List)
        and all(isinstance(element, ast.Dict) for element in messages.elts)
        for messages in sent
    )


def _appended_contents(module: PythonModule) -> set[int]:
    """The contents of message dicts written as the argument of `.append(...)` onto a list
    that holds a conversation already: in a loop, or onto a list not made empty just before
    (`messages = []; messages.append(system)` puts the system message first)."""
    found: set[int] = set()
    # Whether a variable was ever made empty, by its bindings (a script rebinds `messages`
    # before each of its many appends: decided once per variable).
    empty: dict[int, bool] = {}
    for site in module.index.calls:
        function = site.call.func
        if (
            isinstance(function, ast.Attribute)
            and function.attr == "append"
            and (site.loop is not None or not _made_empty(function.value, site.scope, empty))
        ):
            for argument in site.call.args:
                content = _entries(argument).get("content")
                if content is not None:
                    found.add(id(content))
    return found


def _made_empty(node: ast.expr, scope: Scope, known: dict[int, bool]) -> bool:
    if not isinstance(node, ast.Name):
        return False
    bindings = lookup(node.id, scope)
    if id(bindings) not in known:
        known[id(bindings)] = any(
            isinstance(binding.value, ast.List) and not binding.value.elts for binding in bindings
        )
    return known[id(bindings)]


def _wrapper_sends_one_fresh_conversation(module: PythonModule, sink: Sink, depth: int) -> bool:
    """`generate_prompt(config, template)` or `self.summarise(...)`, a function of the module
    whose prompt sinks all go into one-shot requests: its call is one too."""
    call = sink.call
    if call is None:
        return False
    if isinstance(call.func, ast.Name):
        functions = module.index.functions_by_name.get(call.func.id, [])
        function = functions[0] if len(functions) == 1 else None
    else:
        function = callee_of(call, sink.scope)  # `self.summarise_result(...)`
    if function is None:
        return False
    inner = module.fact(_prefix_sinks_by_function).get(id(function.scope), [])
    return bool(inner) and all(
        _sends_one_fresh_conversation(module, other, depth) for other in inner
    )


def _prefix_sinks_by_function(module: PythonModule) -> dict[int, list[Sink]]:
    found: dict[int, list[Sink]] = {}
    for sink in module.sinks:
        if sink.in_prefix:
            found.setdefault(id(_function_scope(sink.scope)), []).append(sink)
    return found


def _one_shot_contents(module: PythonModule) -> set[int]:
    """The contents of the messages of `messages = [system, user]`: a literal list of message
    dicts with the user's message in it, which its function never adds to. Sent through a
    helper the sink finder does not know, it is still a request made for one question."""
    index = module.index
    found: set[int] = set()
    candidates = [
        (name, value, scope)
        for name, value, scope in index.named_assignments
        if isinstance(value, ast.List) and _is_one_question(value)
    ]
    if not candidates:
        return found
    # `self.messages = [...]` is kept, and changed elsewhere: only names bound to the list.
    bound = {
        id(binding.value)
        for scope in index.scopes
        for bindings in scope.bindings.values()
        for binding in bindings
        if binding.kind == "assign"
    }
    changed = index.derived(_mutations_by_variable)
    for name, value, scope in candidates:
        if id(value) not in bound or changed.get((name, id(lookup(name, scope)))):
            continue
        for element in value.elts:
            content = _entries(element).get("content")
            if content is not None:
                found.add(id(content))
    return found


def _mutations_by_variable(index: ModuleIndex) -> dict[tuple[str, int], list[Mutation]]:
    return by_variable(index.mutations)


def _is_one_question(messages: ast.List) -> bool:
    """`[system, user]`, or a lone system message holding the whole task (`[{"role":
    "system", "content": summarize_prompt}]`)."""
    if any(_is_user_dict(element) for element in messages.elts):
        return True
    return len(messages.elts) == 1 and _role(messages.elts[0]) in ("system", "developer")


def _role(node: ast.expr) -> object:
    role = _entries(node).get("role")
    return role.value if isinstance(role, ast.Constant) else None


def _is_user_dict(node: ast.expr) -> bool:
    role = _entries(node).get("role")
    return isinstance(role, ast.Constant) and role.value == "user"


def _entries(node: ast.expr) -> dict[str, ast.expr]:
    """The constant-keyed entries of a dict literal; nothing for anything else."""
    if not isinstance(node, ast.Dict):
        return {}
    return {
        key.value: value
        for key, value in zip(node.keys, node.values, strict=True)
        if isinstance(key, ast.Constant) and isinstance(key.value, str)
    }


def _messages_sent_with(module: PythonModule, sink: Sink) -> list[Sink]:
    """The `messages=` sinks of the sink's own call or, for a sink outside a call (a system
    message dict, a variable named like a system prompt), of the calls in its function."""
    by_call, by_function = module.fact(_messages_sinks)
    if sink.call is not None:
        return by_call.get(id(sink.call), [])
    return by_function.get(id(_function_scope(sink.scope)), [])


def _messages_sinks(module: PythonModule) -> tuple[dict[int, list[Sink]], dict[int, list[Sink]]]:
    by_call: dict[int, list[Sink]] = {}
    by_function: dict[int, list[Sink]] = {}
    for sink in module.sinks:
        if sink.kind == "messages" and sink.call is not None:
            by_call.setdefault(id(sink.call), []).append(sink)
            by_function.setdefault(id(_function_scope(sink.scope)), []).append(sink)
    return by_call, by_function


def _task_list_owner(node: ast.expr, scope: Scope) -> ClassInfo | None:
    """The class of `self.todos` when the agent changes that list after it is made: a task
    list filled once in `__init__` and never touched again is configuration."""
    if not isinstance(node, ast.Attribute) or not _TASK_LIST.match(node.attr):
        return None
    owner = class_of_self(node.value, scope)
    if owner is None:
        return None
    assigned = (value_scope for _, value_scope in owner.attributes.get(node.attr, ()))
    written = (write.scope for write in owner.attribute_writes.get(node.attr, ()))
    mutated = (mutation.scope for mutation in owner.attribute_mutations.get(node.attr, ()))
    changed = [s for s in chain(assigned, written, mutated) if not _in_constructor(s)]
    return owner if changed else None


def _in_constructor(scope: Scope) -> bool:
    current: Scope | None = scope
    while current is not None and current.kind in ("comprehension", "lambda"):
        current = current.parent
    function = current.function if current is not None else None
    return function is not None and function.name in _CONSTRUCTORS


def _parameters_sent_as_messages(module: PythonModule) -> set[int]:
    """The parameter bindings whose value reaches the user's message of a request: the user's
    turn, once it is also in the prompt's front, is there twice. Only the text the function
    itself makes the user message of counts: the flow also runs back through helpers whose
    results end up somewhere in the request (a tool's cleaned `schema`), and a parameter
    declared as a dict or an object is no text a user typed."""
    found: set[int] = set()
    user_contents = module.fact(_user_contents)
    for sink in module.sinks:
        if not _is_user_turn(sink, user_contents):
            continue
        home = _function_scope(sink.scope)
        for reached in module.reached(sink):
            if isinstance(reached.node, ast.Name):
                for binding in lookup(reached.node.id, reached.scope):
                    if (
                        binding.kind == "param"
                        and binding.scope is home
                        and _may_be_text(binding.annotation)
                    ):
                        found.add(id(binding))
    return found


def _may_be_text(annotation: ast.expr | None) -> bool:
    """No annotation, or one that allows a string (`str`, `str | None`, `Optional[str]`,
    `Any`)."""
    if annotation is None:
        return True
    names: set[str] = set()
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.add(node.value)
    return bool(names & {"str", "Any", "object"})


def _user_contents(module: PythonModule) -> set[int]:
    """The content of each `{"role": "user", "content": ...}` dict."""
    contents: set[int] = set()
    for node, _ in module.index.dicts:
        entries = {
            key.value: value
            for key, value in zip(node.keys, node.values, strict=True)
            if isinstance(key, ast.Constant) and isinstance(key.value, str)
        }
        role = entries.get("role")
        if isinstance(role, ast.Constant) and role.value == "user" and "content" in entries:
            contents.add(id(entries["content"]))
    return contents


def _nodes_in_user_contents(module: PythonModule) -> set[int]:
    """Every node inside the content of a `{"role": "user", "content": ...}` dict."""
    contents = module.fact(_user_contents)
    found: set[int] = set()
    for node, _ in module.index.dicts:
        for value in node.values:
            if id(value) in contents:
                found.update(id(inner) for inner in ast.walk(value))
    return found


def _is_user_turn(sink: Sink, user_contents: set[int]) -> bool:
    if sink.kind == "content":
        if id(sink.expression) in user_contents:
            return True
        call = sink.call
        return call is not None and callee_name(call) in ("HumanMessage", "UserMessage")
    # A whole input given as one text (`responses.create(input=question)`) is the user's turn.
    expression = sink.expression
    return (
        sink.kind == "messages"
        and isinstance(expression, ast.Name)
        and not _HISTORY_NAME.search(expression.id)
    )


def _is_user_parameter(node: ast.Name, scope: Scope, sent_by_user: set[int]) -> bool:
    # A history handed in whole is no newest message: its system message moved to a
    # `system_instruction=` while the rest is converted is the conversion of a request.
    if _CONFIG_PARAMETER.search(node.id) or _HISTORY_NAME.search(node.id):
        return False
    return any(
        binding.kind == "param" and id(binding) in sent_by_user
        for binding in lookup(node.id, scope)
    )


def _is_one_turn(module: PythonModule, sink: Sink) -> bool:
    """The request is made once per call of its function, and sends a history kept outside
    it: each call is a turn of one conversation, and what the call is given changes every
    turn. A loop that sends the same prompt for many steps of one task caches across them."""
    turn_calls = module.fact(_turn_calls)
    return any(id(other) in turn_calls for other in _messages_sent_with(module, sink))


def _turn_calls(module: PythonModule) -> set[int]:
    """The `messages=` sinks (by id) of calls made once per call of their function with a
    history kept outside it."""
    found: set[int] = set()
    for other in module.sinks:
        if other.kind != "messages" or other.call is None:
            continue
        site = module.call_site(other.call)
        if site is None or site.loop is not None:
            continue
        if any(_is_kept_history(reached.node, reached.scope) for reached in module.reached(other)):
            found.add(id(other))
    return found


def _is_kept_history(node: ast.expr, scope: Scope) -> bool:
    if isinstance(node, ast.Attribute):
        return class_of_self(node.value, scope) is not None
    return isinstance(node, ast.Name) and _is_history_parameter(node, scope)


def _function_scope(scope: Scope) -> Scope | None:
    current: Scope | None = scope
    while current is not None and current.function is None:
        current = current.parent
    return current


def _is_history_parameter(node: ast.Name, scope: Scope) -> bool:
    return bool(_HISTORY_NAME.search(node.id)) and any(
        binding.kind == "param" for binding in lookup(node.id, scope)
    )


def _root(scope: Scope) -> Scope:
    while scope.parent is not None:
        scope = scope.parent
    return scope
