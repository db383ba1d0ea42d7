"""CTX012: content compressed out of the history with nothing kept to read it back from."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ctxlint.diagnostics import Diagnostic
from ctxlint.python.triggers import HISTORY_EDIT_NEEDLES, HISTORY_HELPER_PATTERN, Trigger
from ctxlint.redact import evidence
from ctxlint.rule import Invalid, Rule, Valid

if TYPE_CHECKING:
    from ctxlint.python.module import PythonModule
    from ctxlint.trace.compare import Step
    from ctxlint.trace.restorable import DroppedContent

# How much of a reference or a stub a finding quotes.
_QUOTED = 40


class UnrestorableCompression(Rule):
    """
    ## What it does
    Flags compression of a message history that cannot be undone: an earlier tool result (a
    web page, a file, a query's rows) replaced by a stub or a summary that keeps no reference
    to where the content came from, so the agent cannot read it back when it needs it again.

    In code, it flags a change to a history sent to an LLM (in the function that sends it, or
    in a helper it is handed to, as `history-edit` follows them) that writes a constant stub
    over a message's `content`, `m["content"] = "[removed]"` or `{**m, "content": "..."}`,
    with no reference in the stub (`f"[removed; see {path}]"`) and no reference field beside
    it (`url`, `path`, `file`, `source`, `id`...). Code cannot show whether the tool call that
    made the content stays in the history, so the stub itself must say where it came from.

    In recorded traces, it flags a request whose history replaced an earlier tool result with
    shorter text (`[content removed]`, `<truncated>`, the first lines) or, when the history
    was compacted, with a summary, where none of the URLs, file paths or ids the result held
    appears anywhere in the new request: not in the stub, not in the tool call's arguments,
    not in the summary (clearing a result while its call stays, as Anthropic's server-side
    tool result clearing does by default, can be undone). It names the first reference lost. In a transcript an agent product
    writes of its own requests (opencode clearing old tool results, Claude Code compacting a
    session), that is the product's design and is reported only with `harness-findings`.

    This is the other half of `history-edit` (CTX006): that rule counts what an edit costs
    the cache, this one what it costs the agent. A compaction listed under
    `compaction-functions` is still checked here: deliberate compression should be
    restorable.

    ## Why is this bad?
    Compressing old observations keeps the context within the window and the cost down, and
    a prefix rewritten once in a while is cheap. But a stub that says only "removed" loses the
    content for good: when the agent needs the page or the file again, it has nothing to fetch
    it with and guesses, or asks again and repeats work. A stub that keeps the URL or the path
    costs a few tokens more and lets the agent read the content back with one tool call.

    ## Example
    ```python
    def clear_old_results(messages, keep=5):
        for m in messages[:-keep]:
            if m["role"] == "tool":
                m["content"] = "[content removed]"
    ```

    Use instead:
    ```python
    def clear_old_results(messages, keep=5):
        for m in messages[:-keep]:
            if m["role"] == "tool":
                m["content"] = f"[content removed; read it again from {m['path']}]"
    ```

    ## References
    - [Manus: context engineering for AI agents (use the file system as context)](https://manus.im/blog/Context-Engineering-for-AI-Agents-Lessons-from-Building-Manus)
    - [Anthropic: context editing (tool result clearing keeps the tool calls by default)](https://platform.claude.com/docs/en/build-with-claude/context-editing)
    """

    code = "CTX012"
    name = "unrestorable-compression"
    # The same edits history-edit looks for, in the same files.
    python_trigger = Trigger(
        needles=HISTORY_EDIT_NEEDLES, pattern=HISTORY_HELPER_PATTERN, standalone=True
    )
    summary = "History content is compressed with nothing kept to read it back from"
    reports_in_other_modules = True

    def check_trace(self, step: Step) -> Iterator[Diagnostic]:
        from ctxlint.trace.restorable import dropped_content

        dropped = dropped_content(step)
        if not dropped or step.previous is None:
            return
        first = dropped[0]
        message = f"{_what(first)} keeps no reference to `{_quote_reference(first.references[0])}`"
        if len(dropped) > 1:
            message += f" (and {len(dropped) - 1} more results)"
        held = step.previous.message_pointer(first.position)
        yield step.diagnostic(
            self,
            message,
            _pointer(step, first),
            help=_TRACE_HELP,
            related=step.previous_location("the previous request, which held it", held),
        )

    def check_python(self, module: PythonModule) -> Iterator[Diagnostic]:
        from ctxlint.python.stubs import unrestorable_stub

        reported: set[tuple[str, int, int]] = set()
        for sink, change in module.container_changes("messages"):
            stub = unrestorable_stub(change, module)
            if stub is None:
                continue
            node = stub.node
            where = (stub.module.path, node.lineno, node.col_offset)  # type: ignore[attr-defined]
            if where in reported:
                continue
            reported.add(where)
            related = [module.location_of(sink.expression, sink.sent_as())]
            if change.call is not None:
                applied = f"applied by `{module.snippet(change.call, 40)}`"
                related.insert(0, module.location_of(change.call, applied))
            message = f"`{stub.text}` replaces the content and keeps no URL, path or id"
            yield stub.module.diagnostic(self, node, message, None, tuple(related), help=_HELP)


_HELP = "Keep where the content came from (its URL, path or id) in the stub or in a field beside it"
_TRACE_HELP = "Keep the URL, path or id in the stub or summary, so the agent can read it back"


def _quote(text: str) -> str:
    return evidence(text, _QUOTED).replace("`", "'")


def _quote_reference(reference: str) -> str:
    """A path by its end, which names the file; a URL or an id from its start."""
    if "://" in reference or len(reference) <= _QUOTED or not reference.startswith(("/", "~", ".")):
        return _quote(reference)
    return "…" + _quote(reference[-(_QUOTED - 1) :])


def _what(dropped: DroppedContent) -> str:
    tool = f"`{_quote(dropped.tool)}` result" if dropped.tool else "tool result"
    if dropped.replacement is None:
        return f"the summary that replaced the {tool}"
    stub = _quote(dropped.replacement.strip())
    return f"the {tool} became `{stub}`, which" if stub else f"the {tool} was emptied and"


def _pointer(step: Step, dropped: DroppedContent) -> str:
    from ctxlint.trace.model import TOOL_RESULT

    current = step.current
    if dropped.call_id:
        for position, found in enumerate(current.messages):
            if any(b.kind == TOOL_RESULT and b.call_id == dropped.call_id for b in found.blocks):
                return current.message_pointer(position)
    position = step.history.position if step.history is not None else 0
    if position < len(current.messages):
        return current.message_pointer(position)
    return f"{current.origin.pointer}/messages"


_HEADER = "import anthropic\nclient = anthropic.Anthropic()\n"
_LOOP = (
    "def run(messages, execute):\n"
    "    while True:\n"
    "        {apply}\n"
    "        reply = client.messages.create(model='m', max_tokens=9, messages=messages)\n"
    "        messages.append({{'role': 'user', 'content': execute(reply)}})\n"
)


def _clearing(stub: str, extra: str = "") -> str:
    return (
        _HEADER + "def clear_old(msgs):\n"
        "    for m in msgs[:-4]:\n"
        "        if m['role'] == 'tool':\n"
        f"            m['content'] = {stub}\n"
        f"{extra}" + _LOOP.format(apply="clear_old(messages)")
    )


UnrestorableCompression.VALID = (
    # The stub says where the content is.
    Valid(_clearing("f\"[removed; see {m['path']}]\"")),
    Valid(_clearing("f'[page dropped: {m[\"url\"]}]'")),
    # A reference field set beside the stub.
    Valid(_clearing("'[elided]'", "            m['path'] = m['meta']['path']\n")),
    # A stub message that carries the path as a field of its own.
    Valid(
        _HEADER + "def stub_old(msgs):\n"
        "    n = len(msgs)\n"
        "    return [{'role': m['role'], 'content': '[elided]', 'path': m['path']}\n"
        "            if m['role'] == 'tool' and i < n - 3 else m for i, m in enumerate(msgs)]\n"
        + _LOOP.format(apply="messages = stub_old(messages)")
    ),
    # Shortened, not replaced: what is kept of the content is still there.
    Valid(_clearing("m['content'][:500]")),
    # Appending only.
    Valid(_HEADER + _LOOP.format(apply="pass")),
)
UnrestorableCompression.INVALID = (
    Invalid(
        _clearing("'[content removed]'"),
        line=6,
        message_contains="`'[content removed]'` replaces the content and keeps no URL, path or id",
    ),
    # A compaction listed as deliberate for history-edit is still checked here.
    Invalid(
        _clearing("'[content removed]'"), line=6, settings={"compaction-functions": ["clear_old"]}
    ),
    # `m.update(...)` with a stub and no reference beside it.
    Invalid(
        _clearing("'[old output]'").replace(
            "m['content'] = '[old output]'", "m.update(content='[old output]')"
        ),
        line=6,
    ),
    # An f-string that names no source: how much was removed is no way back to it.
    Invalid(_clearing("f'[{len(m[\"content\"])} characters removed]'"), line=6),
    # Older tool results stubbed out by a helper that rebuilds the list.
    Invalid(
        _HEADER + "def stub_old(msgs):\n"
        "    n = len(msgs)\n"
        "    return [{**m, 'content': '[omitted]'} if m['role'] == 'tool' and i < n - 3 else m\n"
        "            for i, m in enumerate(msgs)]\n"
        + _LOOP.format(apply="messages = stub_old(messages)"),
        line=5,
        message_contains="applied by `stub_old(messages)` (line 9)",
    ),
    # Edited in place, on the history kept by the agent.
    Invalid(
        _HEADER + "class Agent:\n"
        "    def _trim(self):\n"
        "        for m in self.messages[:-3]:\n"
        "            m['content'] = 'Output cleared'\n"
        "    def step(self, text):\n"
        "        self.messages.append({'role': 'user', 'content': text})\n"
        "        self._trim()\n"
        "        return client.messages.create(model='m', max_tokens=9, messages=self.messages)\n",
        line=6,
        message_contains="`'Output cleared'`",
    ),
)
