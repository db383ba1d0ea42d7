"""CTX006: the message history sent to an LLM is changed other than by appending."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ctxlint.diagnostics import Diagnostic
from ctxlint.python.triggers import HISTORY_EDIT_NEEDLES, HISTORY_HELPER_PATTERN, Trigger
from ctxlint.redact import evidence
from ctxlint.rule import InputKind, Invalid, Rule, Valid

if TYPE_CHECKING:
    from ctxlint.python.containers import Change
    from ctxlint.python.index import Scope
    from ctxlint.python.module import PythonModule
    from ctxlint.python.sinks import Sink
    from ctxlint.trace.compare import Step
    from ctxlint.trace.model import Message
    from ctxlint.typescript.module import ScriptModule

# How much of a message's text a trace finding quotes.
_QUOTED = 40

_RETURNED_EFFECTS = {
    "window": "returns a window that moves its start and so rewrites",
    "head_and_window": "keeps the first message and a window that moves its start, and so rewrites",
    "prepend": "puts a new message in front of",
    "stub": "stubs out older messages as the list grows, and so rewrites",
}


class HistoryEdit(Rule):
    """
    ## What it does
    Flags code that changes a message history sent to an LLM (`messages=`, `input=`,
    `contents=`) other than by appending to it: item assignment, `del`, `pop(i)` or `insert(i)`
    at an earlier position, `remove`, `sort`, `reverse`, slice assignment, editing an earlier
    message in place (`messages[i]["content"] = ...`, or `m["content"]` while iterating the
    history), rebinding it to a window that drops the front (`messages = messages[-20:]`), or
    rebuilding it with a filter whose outcome changes from call to call.

    Only histories that outlive one call are considered: an attribute, a global, a parameter,
    or a local made before the loop that makes the calls. Setting or removing `cache_control`
    is not an edit: it does not change what is cached. Neither is a change made once before
    the loop that sends the history, to the newest message alone, or to an empty history;
    but a list rebuilt for each call from a history kept on the object (`[system,
    *self.history, user]`) and cut to a budget before that loop is: the cut moves as the kept
    history grows.

    The history is followed into the module's own functions it is handed to (`trim(history)`,
    `self._compact(self.messages)`, `history = recent(history)`, `messages=self.get_history()`):
    a helper that changes it in place, through a slice or the blocks nested in its messages,
    or returns it rewritten (a window cut from the end, the first message and such a window,
    older items stubbed out, a message put in front) is reported in the helper, where it must
    change, naming the call that applies it. A helper of another module that such a function
    hands the history on to (`self._call(messages)` → `prepend_reminder(messages)` imported)
    is reported in its module.

    In recorded traces, it flags a request that is not the previous request's messages plus
    new ones, and points at the first message that differs (edited, dropped, reordered,
    truncated or compacted), quoting the start of it with credentials redacted. In a transcript
    an agent product writes of its own requests (Claude Code, Codex, OpenHands...), the
    product's own edits, such as Claude Code compacting a long session, are its design and are
    reported only with `harness-findings`.

    ## Why is this bad?
    The cache holds the previous request's prefix. Appending keeps all of it; changing message
    *i* keeps only messages before *i*, and everything from *i* on is re-read at the uncached
    price (about ten times the cached price) and with a slower first token. A sliding window
    moves its start on every call, so nothing after the system prompt is ever reused.

    A deliberate compaction step (summarising old turns when the context is full) pays this
    once per compaction, which can be the right trade: list the function under
    `compaction-functions` to mark it as the sanctioned place. Whether what it drops can be
    read back (a stub or summary that keeps the URL or path) is `unrestorable-compression`'s
    concern (CTX012), checked there even in a sanctioned function.

    ## Example
    ```python
    def run(client, tools, history):
        while True:
            history = history[-20:]
            reply = client.messages.create(
                model="claude-sonnet-4-5", max_tokens=1024, tools=tools, messages=history
            )
            history.append({"role": "assistant", "content": reply.content})
            history.append({"role": "user", "content": execute(reply)})
    ```

    Use instead:
    ```python
    def run(client, tools, history):
        while True:
            if token_count(history) > BUDGET:
                history = compact(history)  # listed in compaction-functions: once in a while
            reply = client.messages.create(
                model="claude-sonnet-4-5", max_tokens=1024, tools=tools, messages=history
            )
            history.append({"role": "assistant", "content": reply.content})
            history.append({"role": "user", "content": execute(reply)})
    ```

    ## TypeScript and JavaScript
    In TypeScript and JavaScript, it flags the same changes to a history sent as `messages`
    (or the Responses API's `input`) of an SDK call (`client.messages.create`,
    `client.chat.completions.create`, `client.responses.create`, the AI SDK's `generateText`
    and `streamText`), within the file: `messages.splice(i, …)` at an earlier position,
    `shift()`, `unshift()`, `sort()`, `reverse()`, `messages[i] = m`, `messages[i].content =
    x` (or `+=`) for an index not counted from the end, `delete messages[i]`, editing `m.content`
    in `for (const m of messages)` or `messages.forEach`, rebinding it to a window
    (`messages = messages.slice(-20)`, `messages = messages.slice(2)`, `[first,
    ...messages.slice(-20)]`), and sending a window (`messages: history.slice(-20)`). The
    history must outlive one call: `this.messages`, a module-level array, a parameter cut to a
    size or changed in the loop that sends it, or a local made before that loop
    (`request.messages` is judged by `request`). Appending
    (`push`, `[...messages, next]`), the newest message (`messages[messages.length - 1]`),
    `providerOptions` and `cache_control`, and copies that are not sent (`slice()` for a log)
    are not edits. `compaction-functions` applies there too. A function the history is
    handed to, in the file, a method of the sending class, or imported from another file of
    the project (one level), counts as well: `trimHistory(this.messages)` that splices or
    shifts the front, and a helper whose result is sent (`messages = compact(messages)`,
    `const { messages } = condense(history)`) that returns a window cut from the end, the
    first message and such a window, or a copy whose older items are stubbed out by their
    position (`messages.map((m, i) => old(i) ? { ...m, content: STUB } : m)`). A request
    body written by hand (`JSON.stringify({ ...body, system, messages })`) sends its
    `messages` as the history. Such a change is reported in the helper, with the call that
    applies it and the place the history is sent from.

    ## Options
    - `compaction-functions` (default empty): names of functions (`compact_history`, or
      `Agent.compact` for a method) whose changes to the history are deliberate; they are not
      reported.
    - `harness-findings` (default false; `--harness-findings`): also report, in an agent
      product's transcript, the edits the product makes by design (its compactions). A trace
      of your own agent is always checked in full.

    ## References
    - [Anthropic: prompt caching](https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching)
    - [Manus: context engineering for AI agents](https://manus.im/blog/Context-Engineering-for-AI-Agents-Lessons-from-Building-Manus)
    """

    code = "CTX006"
    name = "history-edit"
    reports_in_other_modules = True
    # Standalone: histories are often edited in an agent class that hands them to its own
    # model layer, in a module that imports no SDK. These are the edits the rule looks for.
    python_trigger = Trigger(
        needles=HISTORY_EDIT_NEEDLES, pattern=HISTORY_HELPER_PATTERN, standalone=True
    )
    summary = "A message history is changed other than by appending"

    def check_trace(self, step: Step) -> Iterator[Diagnostic]:
        from ctxlint.trace.compare import error_results

        history = step.history
        if history is None or history.volatile is not None or history.reserialised:
            return
        # A lost error result is CTX010's finding, unless the history was compacted.
        lost_errors = error_results(history.lost)
        if lost_errors and history.kind != "compacted":
            return
        position, before, after = history.position, history.before, history.after
        lost = len(history.lost)
        help = _TRACE_HELP
        if history.kind == "compacted":
            replaced = len(step.previous.messages) - position if step.previous else lost
            message = f"the history was compacted: {_count(replaced)} from message {position} on were replaced"
            help = _COMPACTED_HELP
        elif history.kind == "truncated":
            message = f"the history was cut at message {position}: the last {_count(lost)} are gone"
        elif history.kind == "dropped":
            message = (
                f"message {position} ({_role(before)}) was dropped: {_quote(before)}"
                if lost == 1
                else f"{_count(lost)} were dropped, from message {position} ({_role(before)}) on"
            )
        elif history.kind == "reordered":
            message = f"message {position} ({_role(before)}) moved to another position"
        else:
            message = (
                f"message {position} ({_role(before)}) was edited: {_quote(before)} became "
                f"{_quote(after)}"
            )
        previous = step.previous.message_pointer(position) if step.previous else ""
        current = step.current
        # Cut at the end: nothing at that position any more, so the messages themselves.
        pointer = (
            current.message_pointer(position)
            if position < len(current.messages)
            else f"{current.origin.pointer}/messages"
        )
        yield step.diagnostic(
            self,
            message,
            pointer,
            help=help,
            related=step.previous_location(_previous_request(step), previous),
        )

    def check_python(self, module: PythonModule) -> Iterator[Diagnostic]:
        from ctxlint.python.containers import dropped_failure, within_lines

        sanctioned = module.settings.compaction_functions
        reported: set[tuple[int, int]] = set()
        for sink, change in module.container_changes("messages"):
            if _in_sanctioned_function(change.scope, sanctioned) or _applies_sanctioned(
                change, sanctioned
            ):
                continue
            if dropped_failure(change, module, sink) is not None:
                continue  # CTX010 reports it, with the evidence it hides.
            if _runs_before_loop(change, module, sink):
                continue
            # A helper of another module (`store.get_history()`) is reported there, in the
            # module the user must change, with the place it is sent from as related.
            home = module.module_of(change.callee.scope) if change.callee is not None else None
            home = home if home is not None and change.applied is not None else module
            made_in = getattr(change.applied, "made_in", None)
            if made_in is not None:
                # Made in a module the module's own helper hands the history on to.
                home = module.module_of(made_in.scope)
                if home is None:
                    continue
            if home is not module and _unsure_across(change):
                continue
            what = _describe_edit(change, home, _in_loop(module, sink))
            if what is None:
                continue
            node = change.node
            related = (module.location_of(sink.expression, sink.sent_as()),)
            if change.applied is not None and change.call is not None:
                # Reported in the helper, where the user must change: once however many
                # calls apply it.
                node = change.applied.span.locator()
                where = (node.lineno, node.col_offset)
                if where in reported:
                    continue
                reported.add(where)
                chain = "".join(f" → {name}()" for name in change.applied.through)
                applied = f"applied by `{module.snippet(change.call, 40)}`{chain}"
                if within_lines(change.call, sink.expression):
                    related = (module.location_of(sink.expression, f"{applied}, {sink.sent_as()}"),)
                else:
                    related = (module.location_of(change.call, applied), *related)
            yield home.diagnostic(self, node, f"{what} the history", None, related, help=_HELP)
        yield from _round_trips(self, module, sanctioned, reported)

    def check_typescript(self, module: ScriptModule) -> Iterator[Diagnostic]:
        from ctxlint.typescript.history import history_changes, in_sanctioned_function
        from ctxlint.typescript.parse import snippet

        sanctioned = module.compaction_functions
        for change in history_changes(module.parsed, module.histories):
            if in_sanctioned_function(module.parsed, change.node, sanctioned):
                continue
            quoted = snippet(module.text_of(change.node))
            message = f"`{quoted}` {change.effect} the history"
            sink = change.sink
            related = (module.related(sink.call, f"sent as {sink.label}"),)
            yield module.diagnostic(self, change.node, message, related, help=_HELP)
        yield from _script_helper_changes(self, module, sanctioned)


def _script_helper_changes(
    rule: type, module: ScriptModule, sanctioned: tuple[str, ...]
) -> Iterator[Diagnostic]:
    """A history changed by a function it is handed to, reported in that function (in its
    file), with the call that applies it and the place it is sent from as related."""
    from ctxlint.typescript.history import in_sanctioned_function
    from ctxlint.typescript.history_helpers import helper_changes
    from ctxlint.typescript.parse import snippet

    for change in helper_changes(module.parsed, module.histories, module.project):
        rewrite, sink = change.rewrite, change.sink
        if in_sanctioned_function(rewrite.parsed, rewrite.node, sanctioned):
            continue
        if in_sanctioned_function(module.parsed, change.call, sanctioned):
            continue
        quoted = snippet(rewrite.parsed.text(rewrite.node))
        applied = f"applied by `{snippet(module.text_of(change.call))}`"
        related = (
            module.related(change.call, applied),
            module.related(sink.call, f"sent as {sink.label}"),
        )
        message = f"`{quoted}` {rewrite.effect} the history"
        yield module.diagnostic(rule, rewrite.node, message, related, _HELP, None, rewrite.parsed)


_HELP = "Only append to the history; if this is deliberate compaction, list the function under compaction-functions"
_TRACE_HELP = "Only append new messages; leave the ones already sent as they were"
_COMPACTED_HELP = (
    "Compact only when the context is nearly full: each compaction re-reads the prompt uncached"
)
_ROUND_TRIP_HELP = (
    "Store only the conversation and put the front in when sending: messages=[SYSTEM, *history]"
)


def _count(messages: int) -> str:
    return f"{messages} message" + ("" if messages == 1 else "s")


def _role(found: Message | None) -> str:
    return found.role if found is not None else "message"


def _quote(found: Message | None) -> str:
    """The start of a message's text, as evidence: `Draft one`."""
    if found is None:
        return "nothing"
    text = evidence(found.text(), _QUOTED).replace("`", "'")
    return f"`{text}`" if text else "an empty message"


def _previous_request(step: Step) -> str:
    """The previous request, with the size of the prompt it cached when its usage says."""
    previous = step.previous
    usage = previous.usage if previous else None
    if usage is None or usage.prompt_tokens is None:
        return "the previous request"
    return f"the previous request, a prompt of {usage.prompt_tokens:,} tokens"


def _round_trips(
    rule: type, module: PythonModule, sanctioned: tuple[str, ...], reported: set[tuple[int, int]]
) -> Iterator[Diagnostic]:
    """`messages = [SYSTEM] + memory.get(); ...; memory.set(messages)`: each turn puts the
    front in again (round_trip.py)."""
    from ctxlint.python.round_trip import prepended_round_trip

    for sink in module.sinks:
        if sink.kind != "messages" or not isinstance(sink.expression, ast.Name):
            continue
        if _in_sanctioned_function(sink.scope, sanctioned):
            continue
        trip = prepended_round_trip(sink.expression, sink.scope, module.index)
        if trip is None:
            continue
        where = (trip.prepend.lineno, trip.prepend.col_offset)
        if where in reported:
            continue
        reported.add(where)
        message = (
            f"`{module.snippet(trip.prepend)}` puts a message in front of the stored history, "
            "which is stored back with it"
        )
        related = (
            module.location_of(trip.store, f"stored back as `{trip.attribute}` here"),
            module.location_of(sink.expression, sink.sent_as()),
        )
        yield module.diagnostic(rule, trip.prepend, message, None, related, help=_ROUND_TRIP_HELP)


def _unsure_across(change: Change) -> bool:
    """What another module's helper does that its summary cannot tell from a harmless change:
    an in-place edit at no known position (items edited while iterating: the list handed in,
    or a copy made of it there), or a message put in front of a parameter, which is rebuilt
    for each call (litellm's `messages = add_system_prompt_to_messages(messages)`)."""
    from ctxlint.python.summaries import ParameterEdit, ReturnedRewrite

    applied = change.applied
    if isinstance(applied, ParameterEdit):
        return applied.position != "start"
    return (
        isinstance(applied, ReturnedRewrite)
        and applied.kind == "prepend"
        and change.container.lifetime == "parameter"
    )


def _in_loop(module: PythonModule, sink: Sink) -> bool:
    site = module.call_site(sink.call) if sink.call is not None else None
    return site is not None and site.loop is not None


def _describe_edit(change: Change, module: PythonModule, sent_in_loop: bool) -> str | None:
    """What the change does to earlier messages ("`history.pop(0)` removes a message from"),
    or None when it keeps everything already sent."""
    from ctxlint.python.containers import condition_varies
    from ctxlint.python.edits import moves_start, rewrite_effect, size_driven
    from ctxlint.python.summaries import ParameterEdit, ReturnedRewrite

    applied = change.applied
    if isinstance(applied, ReturnedRewrite):
        text = f"`{module.snippet(applied.span.locator())}`"
        return f"{text} {_RETURNED_EFFECTS[applied.kind]}"
    if isinstance(applied, ParameterEdit):
        if change.container.lifetime == "parameter" and not (applied.size_driven or sent_in_loop):
            return None  # as below, unless the list is sent again and again by a loop here
        return f"`{module.snippet(applied.span.locator())}` {applied.effect}"
    text = f"`{module.snippet(change.node)}`"
    if change.how in ("rebinding", "filter"):
        if change.rebinding_kind == "trim":
            return f"{text} trims"
        if change.rebinding_kind == "slice":
            assert isinstance(change.node, ast.Subscript)
            window = change.node.slice
            assert isinstance(window, ast.Slice)
            if not moves_start(window):
                return None  # keeps the front: xs[:-1], xs[1:]
            return f"{text} keeps a window that moves its start and so rewrites"
        if change.condition is None or not condition_varies(change, module.index):
            return None  # decided by each message alone: the same on every call
        return f"{text} filters on state that changes between calls and so rewrites"
    mutation = change.mutation
    assert mutation is not None
    if change.container.lifetime == "parameter" and not size_driven(mutation):
        # A function handed the history that reshapes it before sending (pulls out the
        # system message, converts roles) does the same on every call: the result is stable.
        # Cutting it down to fit a budget is not.
        return None
    effect = rewrite_effect(mutation, through_items=change.how == "element")
    return None if effect is None else f"{text} {effect}"


def _runs_before_loop(change: Change, module: PythonModule, sink: Sink) -> bool:
    """A change made in the function that sends the list, before the loop that sends it
    (`history = history[-20:]`, `messages[1]["content"] += note` on a list just built): once
    per run, before anything is sent, not once per call."""
    from ctxlint.python.containers import within_lines
    from ctxlint.python.history_copies import cut_to_size, per_call_copy_of_history

    lifetime = change.container.lifetime
    if lifetime != "loop" and not (change.how == "rebinding" and lifetime == "parameter"):
        return False
    site = module.call_site(sink.call) if sink.call is not None else None
    loop = site.loop if site is not None else None
    if loop is None or site is None or change.scope is not site.scope:
        return False
    node = change.node
    if not (node.lineno < loop.lineno and not within_lines(node, loop)):  # type: ignore[attr-defined]
        return False
    # Unless the list is rebuilt for each call from a history kept on the object and cut to a
    # budget: the cut moves with the history's growth from one call to the next.
    mutation = change.mutation
    return not (
        mutation is not None
        and cut_to_size(mutation)
        and per_call_copy_of_history(change.container, module.index)
    )


def _applies_sanctioned(change: Change, sanctioned: tuple[str, ...]) -> bool:
    """An edit made by a helper listed under `compaction-functions` (or one it calls)."""
    if change.applied is None or change.call is None or not sanctioned:
        return False
    function = change.call.func
    name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
    return any(n in sanctioned for n in (name, *change.applied.through))


def _in_sanctioned_function(scope: Scope, sanctioned: tuple[str, ...]) -> bool:
    if not sanctioned:
        return False
    current: Scope | None = scope
    while current is not None:
        function = current.function
        if function is not None and current.kind == "function":
            qualified = function.name
            if function.class_info is not None:
                qualified = f"{function.class_info.node.name}.{function.name}"
            if function.name in sanctioned or qualified in sanctioned:
                return True
        current = current.parent
    return False


_HEADER = "import anthropic\nclient = anthropic.Anthropic()\n"

_STORE = (
    "class Bot:\n"
    "    def __init__(self):\n"
    "        self._messages = []\n"
    "    def get(self):\n"
    "        return self._messages\n"
    "    def set(self, messages):\n"
    "        self._messages = messages\n"
    "    def turn(self, text):\n"
)

HistoryEdit.VALID = (
    # A window returned only when the normal trimming raised: a fallback, not what the helper
    # does to the history on every call (langchain's summarization middleware).
    Valid(
        "import anthropic\n"
        "\n"
        "client = anthropic.Anthropic()\n"
        "\n"
        "\n"
        "def trim_for_summary(messages, budget):\n"
        "    try:\n"
        "        return count_and_trim(messages, budget)\n"
        "    except Exception:\n"
        "        return messages[-20:]\n"
        "\n"
        "\n"
        "def count_and_trim(messages, budget):\n"
        "    return messages if len(messages) < budget else messages[:budget]\n"
        "\n"
        "\n"
        "def run(messages, execute):\n"
        "    while True:\n"
        "        messages = trim_for_summary(messages, 100)\n"
        '        reply = client.messages.create(model="m", max_tokens=1024, messages=messages)\n'
        '        messages.append({"role": "user", "content": execute(reply)})\n'
    ),
    # The system message put in front when sending; only the conversation is stored back.
    Valid(
        _HEADER + _STORE + "        history = self.get() + [{'role': 'user', 'content': text}]\n"
        "        client.messages.create(model='m', max_tokens=9, messages=[SYSTEM, *history])\n"
        "        self.set(history)\n"
    ),
    # What is stored back leaves the front out again.
    Valid(
        _HEADER + _STORE + "        messages = [SYSTEM] + self.get()\n"
        "        client.messages.create(model='m', max_tokens=9, messages=messages)\n"
        "        self.set(messages[1:])\n"
    ),
    # Put in front of a list that is not stored back: the same front on every request.
    Valid(
        _HEADER + _STORE + "        messages = [SYSTEM] + self.get()\n"
        "        client.messages.create(model='m', max_tokens=9, messages=messages)\n"
    ),
    # Appending only.
    Valid(
        _HEADER + "def run(history, execute):\n"
        "    while True:\n"
        "        reply = client.messages.create(model='m', max_tokens=9, messages=history)\n"
        "        history.append({'role': 'assistant', 'content': reply.content})\n"
        "        history.append({'role': 'user', 'content': execute(reply)})\n"
    ),
    # Moving the cache breakpoint to the newest message does not change the cached tokens.
    Valid(
        _HEADER + "def run(history):\n"
        "    for message in history:\n"
        "        for block in message['content']:\n"
        "            block.pop('cache_control', None)\n"
        "    history[-1]['content'][-1]['cache_control'] = {'type': 'ephemeral'}\n"
        "    return client.messages.create(model='m', max_tokens=9, messages=history)\n"
    ),
    # A filter decided by each message alone gives the same list every time.
    Valid(
        _HEADER + "def ask(history):\n"
        "    chat = [m for m in history if m['role'] != 'system']\n"
        "    return client.messages.create(model='m', max_tokens=9, messages=chat)\n"
    ),
    # A fresh list per call.
    Valid(
        _HEADER + "def ask(question, examples):\n"
        "    messages = [{'role': 'user', 'content': e} for e in examples]\n"
        "    messages.insert(0, {'role': 'user', 'content': 'Examples follow.'})\n"
        "    messages.append({'role': 'user', 'content': question})\n"
        "    return client.messages.create(model='m', max_tokens=9, messages=messages)\n"
    ),
    # Handed the history, a provider adapter pulls the system messages out on every call
    # (from litellm's Bedrock adapter): the same result each time.
    Valid(
        _HEADER + "def send(messages):\n"
        "    found = [i for i, m in enumerate(messages) if m['role'] == 'system']\n"
        "    if len(found) > 0:\n"
        "        for i in reversed(found):\n"
        "            messages.pop(i)\n"
        "    return client.messages.create(model='m', max_tokens=9, messages=messages)\n"
    ),
    # Sanctioned compaction.
    Valid(
        _HEADER + "class Agent:\n"
        "    def compact(self):\n"
        "        self.history[:-4] = [summary_of(self.history[:-4])]\n"
        "    def step(self):\n"
        "        return client.messages.create(model='m', max_tokens=9, messages=self.history)\n",
        settings={"compaction-functions": ["Agent.compact"]},
    ),
    # Helpers the history is handed to (fixed forms of the INVALID helper cases below).
    # A tool result is shortened once, before it joins the history: what was sent stays.
    Valid(
        _HEADER + "def shorten(result):\n"
        "    return result[:200]\n"
        "def run(task, execute):\n"
        "    messages = [{'role': 'user', 'content': task}]\n"
        "    while True:\n"
        "        reply = client.messages.create(model='m', max_tokens=9, messages=messages)\n"
        "        messages.append({'role': 'user', 'content': shorten(execute(reply))})\n"
    ),
    # Stubbing decided by each message alone gives the same list on every call.
    Valid(
        _HEADER + "def stub_tools(msgs):\n"
        "    return [{**m, 'content': '[omitted]'} if m['role'] == 'tool' else m for m in msgs]\n"
        "def run(task, execute):\n"
        "    messages = [{'role': 'user', 'content': task}]\n"
        "    while True:\n"
        "        sent = stub_tools(messages)\n"
        "        reply = client.messages.create(model='m', max_tokens=9, messages=sent)\n"
        "        messages.append({'role': 'user', 'content': execute(reply)})\n"
    ),
    # A window cut once, before the loop, and never again.
    Valid(
        _HEADER + "def recent(msgs):\n"
        "    return msgs[-20:]\n"
        "def run(history, execute):\n"
        "    history = recent(history)\n"
        "    while True:\n"
        "        reply = client.messages.create(model='m', max_tokens=9, messages=history)\n"
        "        history.append({'role': 'user', 'content': execute(reply)})\n"
    ),
    # The system prompt put in front of the history as it is sent, not into the history.
    Valid(
        _HEADER + "def with_system(msgs, system):\n"
        "    return [system] + msgs\n"
        "def run(history, system, execute):\n"
        "    while True:\n"
        "        sent = with_system(history, system)\n"
        "        reply = client.messages.create(model='m', max_tokens=9, messages=sent)\n"
        "        history.append({'role': 'user', 'content': execute(reply)})\n"
    ),
    # A cache breakpoint set on a copy; the newest user message (found newest first) edited;
    # a system message put into an empty history.
    Valid(
        _HEADER + "import copy\n"
        "def with_breakpoint(h):\n"
        "    msgs = copy.deepcopy(h)\n"
        "    msgs[-1]['content'][-1]['cache_control'] = {'type': 'ephemeral'}\n"
        "    return msgs\n"
        "def wrap_newest(messages):\n"
        "    for i, m in reversed(list(enumerate(messages))):\n"
        "        if m['role'] == 'user':\n"
        "            messages[i]['content'] = [{'type': 'text', 'text': m['content']}]\n"
        "            break\n"
        "def newest_user(messages):\n"
        "    last = [i for i, m in reversed(list(enumerate(messages))) if m['role'] == 'user'][0]\n"
        "    messages[last]['content'] = [{'type': 'text', 'text': 'x'}]\n"
        "def ensure_system(messages, system):\n"
        "    if not messages:\n"
        "        messages.insert(0, system)\n"
        "def run(messages, system, execute):\n"
        "    while True:\n"
        "        ensure_system(messages, system)\n"
        "        wrap_newest(messages)\n"
        "        newest_user(messages)\n"
        "        sent = with_breakpoint(messages)\n"
        "        reply = client.messages.create(model='m', max_tokens=9, messages=sent)\n"
        "        messages.append({'role': 'user', 'content': execute(reply)})\n"
    ),
    # False findings seen on real code, kept silent. A list built for this run, edited
    # before the loop that sends it (from a code-search agent).
    Valid(
        _HEADER + "def search(query, extra, execute):\n"
        "    messages = [{'role': 'system', 'content': 'S'}, {'role': 'user', 'content': query}]\n"
        "    if extra:\n"
        "        messages[1]['content'] += extra\n"
        "    for turn in range(10):\n"
        "        reply = client.messages.create(model='m', max_tokens=9, messages=messages)\n"
        "        messages.append({'role': 'user', 'content': execute(reply)})\n"
    ),
    # A cache breakpoint put on a copy of a message counted from the end.
    Valid(
        _HEADER + "import copy\n"
        "def mark_prefix(messages, keep=2):\n"
        "    boundary = len(messages) - keep - 1\n"
        "    marked = copy.deepcopy(messages[boundary])\n"
        "    marked['cache_control'] = {'type': 'ephemeral'}\n"
        "    messages[boundary] = marked\n"
        "def run(messages, execute):\n"
        "    while True:\n"
        "        mark_prefix(messages)\n"
        "        reply = client.messages.create(model='m', max_tokens=9, messages=messages)\n"
        "        messages.append({'role': 'user', 'content': execute(reply)})\n"
    ),
    # Only what is new since the last response, for a server that keeps the conversation.
    Valid(
        _HEADER + "class Chained:\n"
        "    def _delta(self, messages):\n"
        "        return messages[self.sent_count:]\n"
        "    def ask(self, messages):\n"
        "        reply = client.messages.create(model='m', max_tokens=9, messages=self._delta(messages))\n"
        "        self.sent_count = len(messages)\n"
        "        return reply\n"
    ),
    # Its fixed form: the whole history, converted.
    Valid(
        _HEADER + "class Store:\n"
        "    def get_chat_history(self):\n"
        "        return [m.to_dict() for m in self.messages]\n"
        "    def ask(self, text):\n"
        "        self.messages.append(text)\n"
        "        return client.messages.create(model='m', max_tokens=9, messages=self.get_chat_history())\n"
    ),
    # A method that edits only the newest message kept on `self`.
    Valid(
        _HEADER + "class Agent:\n"
        "    def _shorten_newest(self):\n"
        "        for m in self.messages[-1:]:\n"
        "            m['content'] = m['content'][:200]\n"
        "    def step(self, text):\n"
        "        self.messages.append({'role': 'user', 'content': text})\n"
        "        self._shorten_newest()\n"
        "        return self.send()\n"
        "    def send(self):\n"
        "        return client.messages.create(model='m', max_tokens=9, messages=self.messages)\n"
    ),
    # A provider adapter walking the history by index to convert each message (litellm's
    # prompt factory): the bound on the index is the walk, not a size budget.
    Valid(
        _HEADER + "def to_provider(messages):\n"
        "    i = 0\n"
        "    while i < len(messages):\n"
        "        messages[i] = dict(messages[i])\n"
        "        i += 1\n"
        "    return messages\n"
        "def send(messages):\n"
        "    return client.messages.create(model='m', max_tokens=9, messages=to_provider(messages))\n"
    ),
)
HistoryEdit.INVALID = (
    # A get()/set() round trip: each turn puts the system message in front again.
    Invalid(
        _HEADER + _STORE + "        messages = [SYSTEM] + self.get()\n"
        "        messages.append({'role': 'user', 'content': text})\n"
        "        client.messages.create(model='m', max_tokens=9, messages=messages)\n"
        "        self.set(messages)\n",
        line=11,
        message_contains="which is stored back with it",
    ),
    Invalid(
        _HEADER + "class Bot:\n"
        "    def turn(self, text):\n"
        "        messages = [SYSTEM] + self._messages\n"
        "        client.messages.create(model='m', max_tokens=9, messages=messages)\n"
        "        self._messages = messages\n",
        line=5,
        message_contains="stored back as `_messages` here",
    ),
    # Keeping only the newest images (from open-interpreter): each new image removes an
    # older one from the middle of the history.
    Invalid(
        _HEADER + "def send(messages):\n"
        "    images = [m for m in messages if m['type'] == 'image']\n"
        "    if len(images) > 2:\n"
        "        for image in images[:-2]:\n"
        "            messages.remove(image)\n"
        "    return client.messages.create(model='m', max_tokens=9, messages=messages)\n",
        line=7,
        message_contains="removes a message from",
    ),
    Invalid(
        _HEADER + "def run(history, execute):\n"
        "    while True:\n"
        "        history = history[-20:]\n"
        "        reply = client.messages.create(model='m', max_tokens=9, messages=history)\n"
        "        history.append({'role': 'user', 'content': execute(reply)})\n",
        line=5,
        message_contains="window that moves its start",
    ),
    Invalid(
        _HEADER + "class Agent:\n"
        "    def step(self):\n"
        "        if len(self.messages) > 50:\n"
        "            self.messages.pop(1)\n"
        "        return client.messages.create(model='m', max_tokens=9, messages=self.messages)\n",
        line=6,
        message_contains="`self.messages.pop(1)` removes an earlier message",
    ),
    Invalid(
        _HEADER + "def ask(history, limit):\n"
        "    for message in history:\n"
        "        if len(message['content']) > limit:\n"
        "            message['content'] = message['content'][:limit]\n"
        "    return client.messages.create(model='m', max_tokens=9, messages=history)\n",
        line=6,
        message_contains="edits messages in place while iterating",
    ),
    Invalid(
        _HEADER + "class Agent:\n"
        "    def step(self, system):\n"
        "        self.messages[0]['content'] = system\n"
        "        return client.messages.create(model='m', max_tokens=9, messages=self.messages)\n",
        line=5,
        message_contains="edits an earlier message of the history",
    ),
    Invalid(
        _HEADER + "class Agent:\n"
        "    def compact(self):\n"
        "        self.history[:-4] = [summary_of(self.history[:-4])]\n"
        "    def step(self):\n"
        "        return client.messages.create(model='m', max_tokens=9, messages=self.history)\n",
        line=5,
        message_contains="compaction-functions",
    ),
    # Helpers the history is handed to: reported in the helper, where it must change.
    # Older tool results stubbed out: which ones moves as the history grows.
    Invalid(
        _HEADER + "def stub_old(msgs):\n"
        "    n = len(msgs)\n"
        "    return [{**m, 'content': '[omitted]'} if m['role'] == 'tool' and i < n - 3 else m\n"
        "            for i, m in enumerate(msgs)]\n"
        "def run(task, execute):\n"
        "    messages = [{'role': 'user', 'content': task}]\n"
        "    while True:\n"
        "        messages = stub_old(messages)\n"
        "        reply = client.messages.create(model='m', max_tokens=9, messages=messages)\n"
        "        messages.append({'role': 'user', 'content': execute(reply)})\n",
        line=5,
        message_contains="applied by `stub_old(messages)` (line 10)",
    ),
    Invalid(
        _HEADER + "def recent(msgs, k=20):\n"
        "    return msgs[-k:]\n"
        "def run(task, execute):\n"
        "    messages = [{'role': 'user', 'content': task}]\n"
        "    while True:\n"
        "        messages = recent(messages)\n"
        "        reply = client.messages.create(model='m', max_tokens=9, messages=messages)\n"
        "        messages.append({'role': 'user', 'content': execute(reply)})\n",
        line=4,
        message_contains="returns a window that moves its start",
    ),
    Invalid(
        _HEADER + "def first_and_recent(msgs):\n"
        "    return [msgs[0], *msgs[-10:]]\n"
        "def run(history, execute):\n"
        "    while True:\n"
        "        history = first_and_recent(history)\n"
        "        reply = client.messages.create(model='m', max_tokens=9, messages=history)\n"
        "        history.append({'role': 'user', 'content': execute(reply)})\n",
        line=4,
        message_contains="keeps the first message and a window",
    ),
    # A note put in front of the kept history on every turn.
    Invalid(
        _HEADER + "def with_note(msgs, note):\n"
        "    return [note] + msgs\n"
        "def run(history, note, execute):\n"
        "    while True:\n"
        "        history = with_note(history, note)\n"
        "        reply = client.messages.create(model='m', max_tokens=9, messages=history)\n"
        "        history.append({'role': 'user', 'content': execute(reply)})\n",
        line=4,
        message_contains="puts a new message in front of",
    ),
    # In place, through a slice of the history.
    Invalid(
        _HEADER + "def shorten_old(messages):\n"
        "    for m in messages[1:-4]:\n"
        "        m['content'] = m['content'][:200]\n"
        "def run(messages, execute):\n"
        "    while True:\n"
        "        shorten_old(messages)\n"
        "        reply = client.messages.create(model='m', max_tokens=9, messages=messages)\n"
        "        messages.append({'role': 'user', 'content': execute(reply)})\n",
        line=5,
        message_contains="applied by `shorten_old(messages)`",
    ),
    # Older screenshots deleted from the blocks nested in each message.
    Invalid(
        _HEADER + "class Agent:\n"
        "    def _drop_screens(self, messages):\n"
        "        for m in messages[:-2]:\n"
        "            for b in m['content']:\n"
        "                if b['type'] == 'image':\n"
        "                    m['content'].remove(b)\n"
        "    def step(self):\n"
        "        self._drop_screens(self.messages)\n"
        "        return client.messages.create(model='m', max_tokens=9, messages=self.messages)\n",
        line=8,
        message_contains="edits messages in place",
    ),
    # Older tool results picked out of a flattened list of blocks and rewritten.
    Invalid(
        _HEADER + "def stub_results(msgs):\n"
        "    blocks = [b for m in msgs for b in m['content'] if b['type'] == 'tool_result']\n"
        "    for b in blocks[:-3]:\n"
        "        b['content'] = '...'\n"
        "class Agent:\n"
        "    def step(self):\n"
        "        stub_results(self.messages)\n"
        "        return client.messages.create(model='m', max_tokens=9, messages=self.messages)\n",
        line=6,
        message_contains="applied by `stub_results(self.messages)`",
    ),
    # A value kept on `self`, trimmed by one method and sent by another.
    Invalid(
        _HEADER + "class Agent:\n"
        "    def _trim(self):\n"
        "        for m in self.messages[:-3]:\n"
        "            m['content'] = '[old]'\n"
        "    def step(self, text):\n"
        "        self.messages.append({'role': 'user', 'content': text})\n"
        "        self._trim()\n"
        "        return self.send()\n"
        "    def send(self):\n"
        "        return client.messages.create(model='m', max_tokens=9, messages=self.messages)\n",
        line=6,
        message_contains="edits messages in place",
    ),
    # A session whose history is read as a window of what it keeps.
    Invalid(
        _HEADER + "class Session:\n"
        "    def get_history(self):\n"
        "        return self._messages[-self.max_turns:]\n"
        "    def ask(self, text):\n"
        "        self._messages.append({'role': 'user', 'content': text})\n"
        "        return client.messages.create(model='m', max_tokens=9, messages=self.get_history())\n",
        line=5,
        message_contains="applied by `self.get_history()`",
    ),
    # The window cut by a static helper, its items converted on the way out.
    Invalid(
        _HEADER + "class Store:\n"
        "    @staticmethod\n"
        "    def _tail(messages, limit):\n"
        "        start = len(messages) - limit\n"
        "        return messages[start:]\n"
        "    def get_chat_history(self, limit=40):\n"
        "        kept = self._tail(self.messages, limit)\n"
        "        return [m.to_dict() for m in kept]\n"
        "    def ask(self, text):\n"
        "        self.messages.append(text)\n"
        "        return client.messages.create(model='m', max_tokens=9, messages=self.get_chat_history())\n",
        line=7,
        message_contains="→ _tail()",
    ),
)


# A turn's list rebuilt from the history kept on the object, then cut to a budget before the
# loop that sends it (history_copies.py): the cut moves as the kept history grows, so each
# turn's request differs from the previous one from the cut on.
_TURN_COPY = (
    _HEADER + "LIMIT = 8000\n"
    "class Agent:\n"
    "    def __init__(self):\n"
    "        self.chat_history = []\n"
    "    def _build_messages(self, prompt):\n"
    "        messages = [{{'role': 'system', 'content': 'S'}}]\n"
    "        messages.extend({kept})\n"
    "        messages.append({{'role': 'user', 'content': prompt}})\n"
    "        return messages\n"
    "    def _fit_budget(self, messages):\n"
    "        if len(str(messages)) > LIMIT:\n"
    "            return messages[:1] + messages[-20:]\n"
    "        return messages\n"
    "    def chat(self, prompt, execute):\n"
    "        messages = self._build_messages(prompt)\n"
    "        self.chat_history.append({{'role': 'user', 'content': prompt}})\n"
    "{edit}"
    "        while True:\n"
    "            reply = client.messages.create(model='m', max_tokens=9, messages=messages)\n"
    "            if not reply.stop_reason == 'tool_use':\n"
    "                break\n"
    "            messages.append({{'role': 'user', 'content': execute(reply)}})\n"
    "        self.chat_history.append({{'role': 'assistant', 'content': reply.content}})\n"
)
_BUDGET_CUT = "        messages[:] = self._fit_budget(messages)\n"
HistoryEdit.INVALID += (
    Invalid(_TURN_COPY.format(kept="self.chat_history", edit=_BUDGET_CUT), line=19),
    Invalid(
        _TURN_COPY.format(
            kept="self.chat_history",
            edit="        if len(messages) > 40:\n            del messages[1:-20]\n",
        ),
        line=20,
    ),
)
HistoryEdit.VALID += (
    # The same copy given a fixed edit (a cache breakpoint on the newest message): the same
    # on every call.
    Valid(
        _TURN_COPY.format(
            kept="self.chat_history",
            edit="        messages[-1]['cache_control'] = {'type': 'ephemeral'}\n",
        )
    ),
    # Cut to a budget, but built from a task's fixed examples, not a growing history.
    Valid(_TURN_COPY.format(kept="self.examples", edit=_BUDGET_CUT)),
    # A reshaping not driven by size.
    Valid(
        _TURN_COPY.format(
            kept="self.chat_history",
            edit="        messages[:] = self._normalise(messages)\n",
        )
    ),
)

# TypeScript and JavaScript: histories sent as `messages` of an SDK call, within one file.
_ANTHROPIC_TS = 'import Anthropic from "@anthropic-ai/sdk";\nconst client = new Anthropic();\n'
HistoryEdit.INVALID += (
    # A kept history cut from the front once it is long.
    Invalid(
        _ANTHROPIC_TS + "export class Agent {\n"
        "  messages: Anthropic.MessageParam[] = [];\n"
        "  async step(text: string) {\n"
        '    this.messages.push({ role: "user", content: text });\n'
        "    if (this.messages.length > 40) this.messages.splice(1, 2);\n"
        '    return client.messages.create({ model: "m", max_tokens: 9, messages: this.messages });\n'
        "  }\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=7,
        message_contains="`this.messages.splice(1, 2)` deletes earlier messages of the history",
    ),
    # The oldest message dropped on every pass of the loop.
    Invalid(
        _ANTHROPIC_TS + "export async function run(task, execute) {\n"
        '  const messages = [{ role: "user", content: task }];\n'
        "  for (let step = 0; step < 20; step++) {\n"
        "    if (messages.length > 10) messages.shift();\n"
        '    const reply = await client.messages.create({ model: "m", max_tokens: 9, messages });\n'
        '    messages.push({ role: "assistant", content: reply.content });\n'
        '    messages.push({ role: "user", content: await execute(reply) });\n'
        "  }\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=6,
        message_contains="drops the oldest message of",
    ),
    # A window that moves its start, kept as the history (the AI SDK, in JavaScript).
    Invalid(
        'import { generateText } from "ai";\n'
        "export async function run(model, messages, execute) {\n"
        "  while (true) {\n"
        "    messages = messages.slice(-20);\n"
        "    const result = await generateText({ model, messages });\n"
        "    messages.push(...result.response.messages);\n"
        "  }\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.mjs",
        line=4,
        message_contains="keeps a window that moves its start",
    ),
    # Sent as a window of the kept history.
    Invalid(
        'import OpenAI from "openai";\n'
        "const openai = new OpenAI();\n"
        "export class Chat {\n"
        "  history = [];\n"
        "  ask(question) {\n"
        '    this.history.push({ role: "user", content: question });\n'
        '    return openai.chat.completions.create({ model: "gpt-4.1", messages: this.history.slice(-12) });\n'
        "  }\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.js",
        line=7,
        message_contains="`this.history.slice(-12)` keeps a window",
    ),
    # An older message's content rewritten (the system prompt swapped in place).
    Invalid(
        _ANTHROPIC_TS + "export class Agent {\n"
        "  messages = [];\n"
        "  async step(note: string) {\n"
        "    this.messages[0].content = `Notes: ${note}`;\n"
        '    return client.messages.create({ model: "m", max_tokens: 9, messages: this.messages });\n'
        "  }\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=6,
        message_contains="edits an earlier message of the history",
    ),
    # Older tool results truncated in place as the history grows.
    Invalid(
        _ANTHROPIC_TS + "export async function ask(history, limit: number) {\n"
        "  for (const message of history) {\n"
        "    if (message.content.length > limit) message.content = message.content.slice(0, limit);\n"
        "  }\n"
        '  return client.messages.create({ model: "m", max_tokens: 9, messages: history });\n'
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=5,
        message_contains="edits messages in place while iterating",
    ),
    # A helper handed the kept history cuts its front once it is long.
    Invalid(
        _ANTHROPIC_TS + "function trimHistory(messages: Anthropic.MessageParam[]) {\n"
        "  if (messages.length > 40) messages.splice(0, messages.length - 40);\n"
        "}\n"
        "export class Agent {\n"
        "  messages: Anthropic.MessageParam[] = [];\n"
        "  async step(text: string) {\n"
        '    this.messages.push({ role: "user", content: text });\n'
        "    trimHistory(this.messages);\n"
        '    return client.messages.create({ model: "m", max_tokens: 9, messages: this.messages });\n'
        "  }\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=4,
        message_contains="deletes earlier messages of the history",
    ),
    # A helper returns the history with older tool results stubbed out, by their position.
    Invalid(
        'import { generateText } from "ai";\n'
        "function condense(messages, keep) {\n"
        "  return messages.map((m, i) =>\n"
        '    i < messages.length - keep && m.role === "tool" ? { ...m, content: "[cut]" } : m,\n'
        "  );\n"
        "}\n"
        "export async function reply(model, history) {\n"
        "  return generateText({ model, messages: condense(history, 6) });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.mjs",
        line=3,
        message_contains="stubs out older messages as the list grows",
    ),
)
HistoryEdit.VALID += (
    # Appending, a copy with the new message, the newest message edited, a cache marker moved,
    # and a window sliced for a log.
    Valid(
        _ANTHROPIC_TS + "export class Agent {\n"
        "  messages: Anthropic.MessageParam[] = [];\n"
        "  async step(text: string) {\n"
        "    const last = this.messages[this.messages.length - 1];\n"
        "    if (last) this.messages[this.messages.length - 1].content += '\\n';\n"
        "    this.messages[0].cache_control = { type: 'ephemeral' };\n"
        "    console.log(this.messages.slice(-3));\n"
        '    const next = { role: "user" as const, content: text };\n'
        "    const reply = await client.messages.create({\n"
        '      model: "m", max_tokens: 9, messages: [...this.messages, next],\n'
        "    });\n"
        '    this.messages.push(next, { role: "assistant", content: reply.content });\n'
        "    return reply;\n"
        "  }\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
    # Changed once, before the loop that sends it; a copy that is never sent.
    Valid(
        'import { generateText } from "ai";\n'
        "export async function run(model, history) {\n"
        "  let messages = history.slice(-20);\n"
        "  messages.shift();\n"
        "  const shown = messages.slice();\n"
        "  shown.reverse();\n"
        "  for (let step = 0; step < 5; step++) {\n"
        "    const result = await generateText({ model, messages });\n"
        "    messages = [...messages, ...result.response.messages];\n"
        "  }\n"
        "  return shown;\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
    # A function handed a list that takes out the first message on each call, whatever
    # its size: the same on every call (as for Python).
    Valid(
        'import OpenAI from "openai";\n'
        "const openai = new OpenAI();\n"
        "export function ask(messages) {\n"
        "  messages.splice(0, 1);\n"
        '  return openai.chat.completions.create({ model: "gpt-4.1", messages });\n'
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.js",
    ),
    # A deliberate compaction, listed under compaction-functions.
    Valid(
        _ANTHROPIC_TS + "export class Agent {\n"
        "  messages = [];\n"
        "  compact() {\n"
        "    this.messages.splice(1, this.messages.length - 4, summaryOf(this.messages));\n"
        "  }\n"
        "  step() {\n"
        '    return client.messages.create({ model: "m", max_tokens: 9, messages: this.messages });\n'
        "  }\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        settings={"compaction-functions": ["Agent.compact"]},
    ),
)

# LangChain.js and Google Gen AI (ctxlint.typescript.framework_sinks): the messages given to
# `model.invoke`, and the `contents` sent, are the history.
HistoryEdit.INVALID += (
    Invalid(
        'import { ChatOpenAI } from "@langchain/openai";\n'
        'import { HumanMessage, SystemMessage } from "@langchain/core/messages";\n'
        "export class Bot {\n"
        '  history = [new SystemMessage("You help.")];\n'
        "  constructor(private model: ChatOpenAI) {}\n"
        "  async ask(q: string) {\n"
        "    this.history.push(new HumanMessage(q));\n"
        "    if (this.history.length > 30) this.history.splice(1, 2);\n"
        "    const reply = await this.model.invoke(this.history);\n"
        "    this.history.push(reply);\n"
        "    return reply;\n"
        "  }\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="bot.ts",
        line=8,
        message_contains="deletes earlier messages of the history",
    ),
    Invalid(
        'import { GoogleGenAI } from "@google/genai";\n'
        "const ai = new GoogleGenAI({});\n"
        "export async function run(task, execute) {\n"
        '  const contents = [{ role: "user", parts: [{ text: task }] }];\n'
        "  for (let step = 0; step < 20; step++) {\n"
        "    if (contents.length > 10) contents.shift();\n"
        '    const reply = await ai.models.generateContent({ model: "m", contents });\n'
        "    contents.push(reply.candidates[0].content);\n"
        "  }\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=6,
        message_contains="drops the oldest message of",
    ),
)
HistoryEdit.VALID += (
    # A helper that only appends, and one that rewrites each message by itself alone.
    Valid(
        _ANTHROPIC_TS + "function remember(messages, message) {\n"
        "  messages.push(message);\n"
        "}\n"
        "function plain(messages) {\n"
        '  return messages.map((m) => (typeof m.content === "string" ? m : { ...m }));\n'
        "}\n"
        "export class Agent {\n"
        "  messages = [];\n"
        "  async step(text) {\n"
        '    remember(this.messages, { role: "user", content: text });\n'
        "    return client.messages.create({\n"
        '      model: "m", max_tokens: 9, messages: plain(this.messages),\n'
        "    });\n"
        "  }\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.mjs",
    ),
    # Appended to only: the earlier contents stay as they were sent.
    Valid(
        'import { GoogleGenAI } from "@google/genai";\n'
        "const ai = new GoogleGenAI({});\n"
        "export async function run(task) {\n"
        '  const history = [{ role: "user", parts: [{ text: task }] }];\n'
        '  const chat = ai.chats.create({ model: "m", history });\n'
        "  for (let step = 0; step < 20; step++) history.push(await chat.sendMessage({ message: task }));\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
)
