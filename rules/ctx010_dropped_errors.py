"""CTX010: failed tool calls or their error results are removed from the history."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ctxlint.diagnostics import Diagnostic
from ctxlint.python.triggers import HISTORY_EDIT_NEEDLES, Trigger
from ctxlint.redact import evidence
from ctxlint.rule import Invalid, Rule, Valid

if TYPE_CHECKING:
    from ctxlint.python.module import PythonModule
    from ctxlint.trace.compare import Step


class DroppedErrors(Rule):
    """
    ## What it does
    Flags code that removes failed tool calls, or their error results, from a history that is
    sent to an LLM: a filter on `is_error`, `error` or `status == "failed"` over the messages,
    or a `pop`/`del`/`remove` made when a tool call failed (a retry that deletes the failed
    attempt).

    In recorded traces, it flags a request whose history has lost a tool result that was
    marked as an error in an earlier request of the session.

    ## Why is this bad?
    A failed action and its error are the evidence the model needs to avoid repeating the
    mistake: with them gone it tends to try the same call again, and the agent loops. Removing
    them also rewrites history that was already sent, so the next request differs from the
    removed message on and everything after it is re-read at the uncached price.

    Removing the newest messages right after they were added (a retry that undoes its own
    attempt) does not break the cached prefix, but it still hides the failure from the model.

    ## Example
    ```python
    def run(client, history, tools):
        while True:
            reply = client.messages.create(
                model="claude-sonnet-4-5", max_tokens=1024, tools=tools, messages=history
            )
            history.append({"role": "assistant", "content": reply.content})
            results = execute(reply)
            history.append({"role": "user", "content": results})
            history = [m for m in history if not has_error(m)]
    ```

    Use instead:
    ```python
    def run(client, history, tools):
        while True:
            reply = client.messages.create(
                model="claude-sonnet-4-5", max_tokens=1024, tools=tools, messages=history
            )
            history.append({"role": "assistant", "content": reply.content})
            # Keep failed results, marked with "is_error": True and shortened if they are long.
            history.append({"role": "user", "content": execute(reply)})
    ```

    ## References
    - [Manus: context engineering for AI agents (keep the wrong stuff in)](https://manus.im/blog/Context-Engineering-for-AI-Agents-Lessons-from-Building-Manus)
    - [Anthropic: handling tool errors](https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use)
    """

    code = "CTX010"
    name = "dropped-errors"
    # Every finding is a removal from a history: the same edits CTX006 looks for.
    python_trigger = Trigger(needles=HISTORY_EDIT_NEEDLES, standalone=True)
    summary = "Failed tool calls or their errors are removed from the history"

    def check_trace(self, step: Step) -> Iterator[Diagnostic]:
        from ctxlint.trace.compare import error_results, snippet

        history = step.history
        if history is None or history.kind == "compacted" or step.previous is None:
            return
        still_there = error_results(step.current.messages)
        previous = step.previous.messages
        for key, block in error_results(history.lost).items():
            if key in still_there:
                continue
            label = f"`{evidence(block.call_id)}`" if block.call_id else f'"{snippet(block.text)}"'
            held = next((i for i, m in enumerate(previous) if block in m.blocks), history.position)
            yield step.diagnostic(
                self,
                f"the error result of tool call {label} is gone since the previous request",
                step.current.message_pointer(history.position),
                help=_HELP,
                related=step.previous_location(
                    "the previous request, which held it", step.previous.message_pointer(held)
                ),
            )

    def check_python(self, module: PythonModule) -> Iterator[Diagnostic]:
        from ctxlint.python.containers import dropped_failure

        reported_guards: set[int] = set()
        for sink, change in module.container_changes("messages"):
            how = dropped_failure(change, module, sink)
            if how is None:
                continue
            # `history.pop(); history.pop()` under one condition is one finding.
            guard = (
                change.mutation.guards[-1] if change.mutation and change.mutation.guards else None
            )
            if guard is not None:
                if id(guard) in reported_guards:
                    continue
                reported_guards.add(id(guard))
            message = f"{how} drops failed tool calls or their errors from the history"
            related = (module.location_of(sink.expression, sink.sent_as()),)
            yield module.diagnostic(self, change.node, message, None, related, help=_HELP)


_HELP = "Keep failures in the history, shortened if they are long"


_HEADER = "import anthropic\nclient = anthropic.Anthropic()\n"

DroppedErrors.VALID = (
    # Undoing a request that failed (the model never answered) hides nothing.
    Valid(
        _HEADER + "def ask(history, question):\n"
        "    history.append({'role': 'user', 'content': question})\n"
        "    try:\n"
        "        return client.messages.create(model='m', max_tokens=9, messages=history)\n"
        "    except anthropic.APIError:\n"
        "        history.pop()\n"
        "        raise\n"
    ),
    # Filtering on something other than failures is not this rule's concern.
    Valid(
        _HEADER + "def ask(history):\n"
        "    kept = [m for m in history if m['role'] != 'system']\n"
        "    return client.messages.create(model='m', max_tokens=9, messages=kept)\n"
    ),
    # Failures kept in the history.
    Valid(
        _HEADER + "def run(history, execute):\n"
        "    while True:\n"
        "        reply = client.messages.create(model='m', max_tokens=9, messages=history)\n"
        "        result = execute(reply)\n"
        "        if result.is_error:\n"
        "            result.content = result.content[:2000]\n"
        "        history.append({'role': 'user', 'content': result.content})\n"
    ),
)
DroppedErrors.INVALID = (
    Invalid(
        _HEADER + "def run(history, execute):\n"
        "    while True:\n"
        "        reply = client.messages.create(model='m', max_tokens=9, messages=history)\n"
        "        history.append({'role': 'assistant', 'content': reply.content})\n"
        "        history.append({'role': 'user', 'content': execute(reply)})\n"
        "        history = [m for m in history if not m.get('is_error')]\n",
        line=8,
        message_contains="drops failed tool calls or their errors from the history",
    ),
    Invalid(
        _HEADER + "class Agent:\n"
        "    def step(self, execute):\n"
        "        reply = client.messages.create(model='m', max_tokens=9, messages=self.history)\n"
        "        self.history.append({'role': 'assistant', 'content': reply.content})\n"
        "        result = execute(reply)\n"
        "        if result['status'] == 'failed':\n"
        "            self.history.pop()\n"
        "            return self.step(execute)\n"
        "        self.history.append({'role': 'user', 'content': result['output']})\n",
        line=9,
        message_contains="under `if result['status'] == 'failed'`",
    ),
    Invalid(
        _HEADER + "def ask(history):\n"
        "    clean = [m for m in history if 'error' not in m]\n"
        "    return client.messages.create(model='m', max_tokens=9, messages=clean)\n",
        line=4,
    ),
)
