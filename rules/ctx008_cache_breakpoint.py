"""CTX008: Anthropic `cache_control` breakpoints that are rejected, never hit, or missing."""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from itertools import chain
from typing import TYPE_CHECKING

from ctxlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location, RelatedLocation
from ctxlint.python.triggers import Trigger
from ctxlint.redact import evidence
from ctxlint.registry import explicitly_selected
from ctxlint.rule import InputKind, Invalid, Rule, Valid

if TYPE_CHECKING:
    from ctxlint.python.anthropic_requests import Request
    from ctxlint.python.module import PythonModule
    from ctxlint.python.sinks import Sink
    from ctxlint.trace.compare import Step
    from ctxlint.typescript.module import ScriptModule

_MAX_BREAKPOINTS = 4
# The smallest prompt Anthropic caches is 1,024 tokens (Sonnet; more for some models). At
# about four characters per token, a fixed prompt this long is worth a breakpoint.
_LONG_PROMPT_CHARACTERS = 4 * 1024


class CacheBreakpoint(Rule):
    """
    ## What it does
    Flags Anthropic prompt-caching breakpoints (`cache_control`) that cannot work, in one
    `messages.create` call:
    - more than 4 breakpoints in one request, which the API rejects;
    - a breakpoint on, or after, a block that holds a value that changes on every call (the
      clock, a random id), so the cached prefix never matches again;
    - a long fixed system prompt (about 1,024 tokens or more) sent with no breakpoint at all and
      without automatic caching (a top-level `cache_control`), so nothing is ever cached. This
      one is informational (a choice, not a mistake) and is reported only when CTX008 is
      selected by its exact code (`--select CTX008`, `extend-select = ["CTX008"]`), not
      through the default `CTX`;
    - a 1-hour breakpoint after a 5-minute one (tools, then system, then messages), which the
      API rejects.

    Breakpoints are mostly added by serializers and prompt builders, away from the request, so
    it also flags, wherever they are added (directly or through a helper of the module):
    - a breakpoint added on every pass of a loop over items of unknown number (each block,
      each tool, each section), when nothing that changes between items (an index, a counter,
      the item's own cache flag) decides it: past 4 items the request is rejected;
    - a breakpoint on the newest message of a history that keeps growing, in a module that
      never removes one: one more each turn, rejected from the fifth;
    - a breakpoint set and then deleted by a loop that clears every `cache_control` right
      after, before anything is sent: the request goes out with none;
    - a breakpoint on the first block of a message taken from the history, which is a thinking
      block whenever the model thought first (thinking blocks cannot carry one: rejected);
    - a breakpoint on the tools with the default 5-minute lifetime where the module or another
      file of its package gives the system prompt or messages a 1-hour one.

    In TypeScript and JavaScript, it reads `@anthropic-ai/sdk` requests (`cache_control`) and
    the AI SDK's (`providerOptions: {anthropic: {cacheControl}}` on a message, a part or a
    tool), and flags the same things: more than 4 breakpoints in one request, a breakpoint
    after a value of the system prompt or tools that changes on every call, a 1-hour one after
    a 5-minute one, a breakpoint added for every item of a loop, and a function that sets more
    than 4 (the system prompt, the last tool and "the last 3 messages"), counting one branch
    of an `if`/`else` and a loop as many times as a literal bounds it; and, as in Python,
    tools marked with the default 5 minutes in a file that gives the system prompt or the
    messages a 1-hour breakpoint. It also flags a helper's
    marked copy that is dropped (`withCache(last);` where the helper returns `{...msg,
    providerOptions}`: the message sent has no breakpoint), and call-level automatic caching
    (`cacheControl` beside call options such as `thinking`, or in the call's own
    `providerOptions`, which @ai-sdk/anthropic sends as the top-level `cache_control`) in a
    folder that sets 3 or more breakpoints by hand: the automatic one takes a fourth slot.

    In recorded traces, it flags the same three things in Anthropic requests whose system
    prompt and tools were recorded: more than 4 breakpoints; a breakpoint in the system prompt
    or the messages while the system prompt changes from request to request in a volatile value
    (once per session); and, once per session, a long system prompt and tool list sent without
    any breakpoint while the reported usage shows nothing was cached (informational, as above).

    ## Why is this bad?
    Anthropic caches only where a request asks it to. Past 4 breakpoints the request fails
    (400), as it does for a 1-hour breakpoint after a 5-minute one or a breakpoint on a
    thinking block; a breakpoint removed before sending caches nothing. A
    breakpoint after a volatile value writes a cache entry (at 1.25 times the input price)
    that no later request can read, so caching costs more than not caching. And with no
    breakpoint, a long system prompt is billed in full on every request, when a cached read
    costs a tenth of it.

    ## Example
    ```python
    response = client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        system=[
            {"type": "text", "text": f"Today is {datetime.now():%c}."},
            {"type": "text", "text": LONG_INSTRUCTIONS, "cache_control": {"type": "ephemeral"}},
        ],
        messages=history,
    )
    ```

    Use instead:
    ```python
    response = client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        system=[
            {"type": "text", "text": LONG_INSTRUCTIONS, "cache_control": {"type": "ephemeral"}},
        ],
        messages=[*history, {"role": "user", "content": f"Today is {datetime.now():%c}."}],
    )
    ```

    ## Fix safety
    For a long system prompt with no breakpoint, the fix turns on automatic caching with a
    top-level `cache_control={"type": "ephemeral"}`. It is unsafe: the first request of each
    five minutes pays the cache-write premium (1.25 times), which is a loss when requests are
    rarer than that. A call that passes `**options`, or an `extra_body` that may hold
    `cache_control`, is not flagged: caching may be on there, and a second `cache_control`
    beside options that hold one is a `TypeError`.

    ## Options
    - Select `CTX008` by its exact code to also get the informational finding of a long
      system prompt (or, in traces, system prompt and tools) sent with no breakpoint at all.

    ## References
    - [Anthropic: prompt caching](https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching)
      (at most 4 breakpoints; longer lifetimes before shorter ones; thinking blocks cannot be
      marked)
    - [vercel/ai#12743](https://github.com/vercel/ai/pull/12743): the AI SDK sends a call's
      `providerOptions.anthropic.cacheControl` as the top-level `cache_control`
    - [coder/mux#3112](https://github.com/coder/mux/pull/3112): call-level `cacheControl`
      beside 3 manual breakpoints, rejected with "A maximum of 4 blocks with cache_control
      may be provided. Found 5"
    """

    code = "CTX008"
    name = "cache-breakpoint"
    # Every finding is about a `messages.create` (or stream/parse) call or a breakpoint; a
    # serializer or prompt builder that adds breakpoints need not send anything itself.
    python_trigger = Trigger(
        needles=(b"messages.create", b"messages.stream", b"messages.parse", b"cache_control"),
        standalone_needles=(b"cache_control",),
    )
    summary = "An Anthropic cache breakpoint is rejected, never hit, or missing"
    fix_title = "Turn on automatic caching"
    fix_applicability = Applicability.UNSAFE

    def check_trace(self, step: Step) -> Iterator[Diagnostic]:
        current = step.current
        if current.provider != "anthropic" or current.system is None or current.tools is None:
            return
        breakpoints = (
            sum(1 for tool in current.tools if tool.cache_ttl)
            + sum(1 for block in current.system if block.cache_ttl)
            + sum(1 for found in current.messages for block in found.blocks if block.cache_ttl)
        )
        if breakpoints > _MAX_BREAKPOINTS:
            yield step.diagnostic(
                self,
                f"{breakpoints} cache breakpoints in one request; the API accepts at most "
                f"{_MAX_BREAKPOINTS}",
                help=_TOO_MANY_HELP,
            )
            return
        reported = step.session.memo.setdefault(self.code, set())
        after_system = breakpoints - sum(1 for tool in current.tools if tool.cache_ttl)
        volatile = step.system_volatile
        if after_system and volatile is not None and "volatile" not in reported:
            reported.add("volatile")
            pointer, offset = current.system_pointer(volatile.offset)
            marks = (
                "a cache breakpoint" if after_system == 1 else f"{after_system} cache breakpoints"
            )
            yield step.diagnostic(
                self,
                f"{marks} after a system prompt that changes: `{evidence(volatile.before)}` "
                f"became `{evidence(volatile.after)}`",
                pointer,
                help=_VOLATILE_HELP,
                related=step.previous_location("the previous request"),
                offset=offset,
            )
        if breakpoints or "cache_control" in current.params or "missing" in reported:
            return
        if not explicitly_selected(self.code, step.settings):
            return  # informational: only for those who select CTX008 by its code
        prefix = len(current.system_text() or "") + sum(len(t.definition) for t in current.tools)
        usage = current.usage
        cached = usage is not None and bool(usage.cached_tokens or usage.cache_write_tokens)
        if prefix >= _LONG_PROMPT_CHARACTERS and not cached:
            reported.add("missing")
            yield step.diagnostic(
                self,
                f"about {prefix:,} characters of system prompt and tools are sent with no cache "
                "breakpoint",
                f"{current.origin.pointer}/system",
                help=_MISSING_HELP,
            )

    def check_python(self, module: PythonModule) -> Iterator[Diagnostic]:
        from ctxlint.python.anthropic_requests import anthropic_requests

        for request in anthropic_requests(module):
            yield from self._check_request(module, request)
        yield from self._check_shapes(module)

    def check_typescript(self, module: ScriptModule) -> Iterator[Diagnostic]:
        from ctxlint.typescript.breakpoint_budget import over_budget
        from ctxlint.typescript.breakpoint_lifetimes import short_tools_before_an_hour
        from ctxlint.typescript.breakpoint_requests import crowded_automatic, requests
        from ctxlint.typescript.breakpoint_shapes import dropped_copies, per_item
        from ctxlint.typescript.breakpoints import file_markers

        data = module.parsed.data
        if b"cache_control" not in data and b"cacheControl" not in data:
            return
        found = requests(module.parsed, [*module.sinks, *module.histories])
        for request in found:
            yield from self._script_request(module, request)
        for crowded in crowded_automatic(module.parsed, found):
            count = len(crowded.sites)
            message = (
                f"call-level `cacheControl` adds an automatic breakpoint to the {count} set "
                "by hand in this package"
            )
            related = tuple(
                RelatedLocation(path, Location(line, 1), Location(line, 1), "set by hand here")
                for path, line in crowded.sites[:3]
            )
            help = "Keep one way: drop the call-level cacheControl, or a manual breakpoint"
            yield module.diagnostic(self, crowded.marker.node, message, related, help=help)
        markers = file_markers(module.parsed)
        for order in short_tools_before_an_hour(module.parsed, markers):
            message = "this 5-minute breakpoint on the tools comes before a 1-hour one"
            related = (module.related(order.hour.node, "the 1-hour breakpoint"),)
            help = 'Give the tools\' breakpoint "ttl": "1h" too'
            yield module.diagnostic(self, order.tool.node, message, related, help=help)
        for budget in over_budget(module.parsed, markers):
            message = (
                f"this function sets up to {budget.count} cache breakpoints in one request; "
                f"the API accepts at most {_MAX_BREAKPOINTS}"
            )
            related = (module.related(budget.function, "the function"),)
            yield module.diagnostic(self, budget.marker.node, message, related, _TOO_MANY_HELP)
        for item in per_item(module.parsed, markers):
            snippet = evidence(" ".join(module.text_of(item.iterated).split()), 40)
            message = (
                f"a cache breakpoint is added for every item of `{snippet}`; the API accepts "
                f"at most {_MAX_BREAKPOINTS}"
            )
            related = (module.related(item.iterated, "the items"),)
            yield module.diagnostic(self, item.marker.node, message, related, _TOO_MANY_HELP)
        for dropped in dropped_copies(module.parsed):
            function = dropped.call.child_by_field_name("function")
            name = module.text_of(function) if function is not None else "the helper"
            message = (
                f"`{evidence(name)}()` returns a copy with a cache breakpoint, which is dropped"
            )
            related = (module.related(dropped.helper, "returns the marked copy"),)
            help = "Use the returned copy (assign it back): the original is sent unmarked"
            yield module.diagnostic(self, dropped.call, message, related, help=help)

    def _script_request(self, module: ScriptModule, request) -> Iterator[Diagnostic]:
        from ctxlint.typescript.breakpoints import ttl_of

        sent = (module.related(request.call, f"the request to {request.callee}"),)
        shortest = None
        for _, marker in request.markers:
            ttl = ttl_of(module.parsed, marker)
            if ttl == "5m" and shortest is None:
                shortest = marker
            elif ttl == "1h" and shortest is not None:
                message = "this 1-hour cache breakpoint comes after a 5-minute one"
                related = (module.related(shortest.node, "the 5-minute one"),)
                yield module.diagnostic(self, marker.node, message, related, help=_TTL_HELP)
                break
        for marker, changing in request.after_volatile:
            shown = " ".join(module.text_of(changing.shown).split())
            how = changing.volatility
            message = f"this cache breakpoint comes after `{evidence(shown, 50)}`, which {how}"
            related = (module.related(changing.read, f"{how} here"),)
            yield module.diagnostic(self, marker.node, message, related, help=_VOLATILE_HELP)
        count = len(request.markers)
        if count > _MAX_BREAKPOINTS:
            automatic = 1 if request.automatic is not None else 0
            manual = [marker for _, marker in request.markers if not marker.automatic]
            node = manual[min(_MAX_BREAKPOINTS - automatic, len(manual) - 1)].node
            message = (
                f"this request sets {count} cache breakpoints; the API accepts at most "
                f"{_MAX_BREAKPOINTS}"
            )
            yield module.diagnostic(self, node, message, sent, help=_TOO_MANY_HELP)

    def _lifetimes(
        self, module: PythonModule, breakpoints: list[tuple[ast.Dict, Sink]]
    ) -> Iterator[Diagnostic]:
        """A 1-hour breakpoint after a 5-minute one, in the order the API reads the request."""
        from ctxlint.python.anthropic_requests import is_key, key_node
        from ctxlint.python.ttl_order import FIVE_MINUTES, ONE_HOUR, breakpoint_ttl

        shortest: ast.Dict | None = None
        for block, _ in breakpoints:
            value = next(
                v
                for k, v in zip(block.keys, block.values, strict=True)
                if is_key(k, "cache_control")
            )
            ttl = breakpoint_ttl(value)
            if ttl == FIVE_MINUTES and shortest is None:
                shortest = block
            elif ttl == ONE_HOUR and shortest is not None:
                message = "this 1-hour cache breakpoint comes after a 5-minute one"
                related = (
                    module.location_of(key_node(shortest, "cache_control"), "the 5-minute one"),
                )
                yield module.diagnostic(
                    self, key_node(block, "cache_control"), message, None, related, help=_TTL_HELP
                )
                return

    def _check_shapes(self, module: PythonModule) -> Iterator[Diagnostic]:
        """Breakpoints added outside one request literal, by serializers and helpers."""
        from ctxlint.python.breakpoint_history import accumulated, cleared_after_set, first_block
        from ctxlint.python.breakpoint_loops import per_iteration

        if "cache_control" not in module.source.text:
            return  # every shape below sets or reads that key: spare their walks of the tree
        for found in module.fact(per_iteration):
            message = (
                f"a cache breakpoint is added for every item of `{module.snippet(found.iterated, 40)}`;"
                f" the API accepts at most {_MAX_BREAKPOINTS}"
            )
            related = (module.location_of(found.iterated, "the items"),)
            yield module.diagnostic(self, found.added, message, None, related, help=_TOO_MANY_HELP)
        for cleared in module.fact(cleared_after_set):
            message = "this cache breakpoint is cleared again before the request is sent"
            related = (module.location_of(cleared.clearing, "clears every cache_control"),)
            help = "Clear the old breakpoints first, then set the new one"
            yield module.diagnostic(self, cleared.added, message, None, related, help=help)
        yield from module.fact(_tool_breakpoints_before_an_hour)
        for target in module.fact(accumulated):
            message = (
                "a breakpoint on the newest message of a growing history, and none is ever removed"
            )
            help = "Remove the old breakpoints first, or mark a copy of the history"
            yield module.diagnostic(self, target, message, help=help)
        for target in module.fact(first_block):
            message = "this cache breakpoint goes on the message's first block, which may be a thinking block"
            help = "Mark the last block that is not thinking"
            yield module.diagnostic(self, target, message, help=help)

    def _check_request(self, module: PythonModule, request: Request) -> Iterator[Diagnostic]:
        from ctxlint.python.anthropic_requests import (
            SEGMENT_ORDER,
            breakpoints_and_volatile,
            key_node,
            may_pass_cache_control,
            sets_cache_control_elsewhere,
            volatile_before,
        )

        call = request.call
        automatic = any(keyword.arg == "cache_control" for keyword in call.keywords)
        breakpoints: list[tuple[ast.Dict, Sink]] = []
        volatile: list[tuple[ast.AST, Sink, str]] = []
        seen: set[int] = set()
        for sink in request.sinks:
            # A walk shared with other requests' sinks is sifted once.
            found = module.fact_per_part(breakpoints_and_volatile, sink)
            for node, how in chain.from_iterable(found):
                if id(node) in seen:
                    continue
                seen.add(id(node))
                if how is None:
                    breakpoints.append((node, sink))  # type: ignore[arg-type]
                else:
                    volatile.append((node, sink, how))
        breakpoints.sort(
            key=lambda item: (
                SEGMENT_ORDER.get(item[1].kind, 3),
                item[0].lineno,
                item[0].col_offset,
            )
        )
        yield from self._lifetimes(module, breakpoints)
        count = len(breakpoints) + (1 if automatic else 0)
        if count > _MAX_BREAKPOINTS:
            node = breakpoints[_MAX_BREAKPOINTS - (1 if automatic else 0)][0]
            message = (
                f"this request sets {count} cache breakpoints; the API accepts at most "
                f"{_MAX_BREAKPOINTS}"
            )
            related = (module.location_of(call, f"the request to {module.snippet(call.func, 50)}"),)
            yield module.diagnostic(self, node, message, None, related, help=_TOO_MANY_HELP)
        for block, sink in breakpoints:
            cause = volatile_before(block, sink, volatile)
            if cause is not None:
                node, how = cause
                message = (
                    f"this cache breakpoint comes after `{module.snippet(node, 50)}`, which {how}"
                )
                related = (module.location_of(node, f"{how} here"),)
                yield module.diagnostic(
                    self,
                    key_node(block, "cache_control"),
                    message,
                    None,
                    related,
                    help=_VOLATILE_HELP,
                )
        if (
            not breakpoints
            and not automatic
            and not may_pass_cache_control(call)
            and not sets_cache_control_elsewhere(module)
        ):
            yield from self._missing(module, request)

    def _missing(self, module: PythonModule, request: Request) -> Iterator[Diagnostic]:
        from ctxlint.python.anthropic_requests import fixed_length

        if not explicitly_selected(self.code, module.settings):
            return  # informational: only for those who select CTX008 by its code
        for sink in request.sinks:
            if sink.kind != "system":
                continue
            length = fixed_length(sink.expression, sink.scope, 0)
            if length < _LONG_PROMPT_CHARACTERS:
                continue
            call = request.call
            message = (
                f"{sink.label} is long (about {length // 4:,} tokens) and fixed, but nothing "
                "is cached"
            )
            related = (module.location_of(sink.expression, sink.sent_as()),)
            yield module.diagnostic(
                self,
                sink.expression,
                message,
                self._automatic_fix(module, call),
                related,
                help=_MISSING_HELP,
            )
            return

    def _automatic_fix(self, module: PythonModule, call: ast.Call) -> Fix | None:
        from ctxlint.python.rewrite import add_keyword_argument

        rewritten = add_keyword_argument(
            module.text_of(call), "cache_control", '{"type": "ephemeral"}'
        )
        if rewritten is None:
            return None
        edit: Edit = module.replace_edit(call, rewritten)
        return Fix(self.fix_title, (edit,), Applicability.UNSAFE)


def _tool_breakpoints_before_an_hour(module: PythonModule) -> list[Diagnostic]:
    """Tool breakpoints of the default 5 minutes where the module or its package gives the
    system prompt or messages, read after the tools, a 1-hour one."""
    from ctxlint.python.breakpoint_history import cache_control_roots
    from ctxlint.python.ttl_order import hour_breakpoint, tool_breakpoints

    roots = module.fact(cache_control_roots)
    tools = tool_breakpoints(roots)
    if not tools:
        return []
    hour = hour_breakpoint(module.path, roots)
    if hour is None:
        return []
    if hour.path != os.path.abspath(module.path):
        module.dependency_paths.add(hour.path)
    message = "this 5-minute breakpoint on the tools comes before a 1-hour one"
    place = hour.path if hour.path != os.path.abspath(module.path) else module.path
    line = Location(hour.line, 1)
    related = (RelatedLocation(place, line, line, "the 1-hour breakpoint"),)
    help = 'Give the tools\' breakpoint "ttl": "1h" too'
    return [
        module.diagnostic(CacheBreakpoint, node, message, None, related, help=help)
        for node in tools
    ]


_TOO_MANY_HELP = "Keep at most 4: one breakpoint on the last block caches everything before it"
_VOLATILE_HELP = "Move the changing value after the last breakpoint, into the newest user message"
_TTL_HELP = "Give longer lifetimes first: tools, then system, then messages"
_MISSING_HELP = (
    'Mark its last block with "cache_control", or pass cache_control={"type": "ephemeral"}'
)


_HEADER = "import anthropic\nfrom datetime import datetime\nclient = anthropic.Anthropic()\n"
_LONG = "'''" + "Follow the style guide. " * 180 + "'''"
_EPHEMERAL = "'cache_control': {'type': 'ephemeral'}"

CacheBreakpoint.VALID = (
    # A converter turning each cache point of the input into a breakpoint on the block before.
    Valid(
        "def convert(blocks):\n"
        "    out = []\n"
        "    for block in blocks:\n"
        "        if 'cachePoint' in block:\n"
        "            out[-1]['cache_control'] = {'type': 'ephemeral'}\n"
        "            continue\n"
        "        out.append({'type': 'text', 'text': block['text']})\n"
        "    return out\n"
    ),
    # Breakpoints the blocks already had, normalized one by one.
    Valid(
        "def portable(blocks):\n"
        "    return [_portable(b) for b in blocks]\n"
        "def _portable(block):\n"
        "    if 'cache_control' not in block:\n"
        "        return dict(block)\n"
        "    normalized = _normalized(block['cache_control'])\n"
        "    return {**block, 'cache_control': normalized}\n"
        "def _normalized(cache_control):\n"
        "    return {'type': cache_control.get('type', 'ephemeral')}\n"
    ),
    # Per item, but not one more breakpoint each: a helper that sends its own request, a
    # breakpoint read off the item being converted, a lifetime rewritten on marked blocks.
    Valid(
        _HEADER + "def summarize_all(documents):\n"
        "    return [summarize(d) for d in documents]\n"
        "def summarize(document):\n"
        "    return client.messages.create(model='m', max_tokens=9, messages=[{'role': 'user',\n"
        f"        'content': [{{'type': 'text', 'text': document, {_EPHEMERAL}}}]}}])\n"
    ),
    Valid(
        "def convert(items):\n"
        "    return [{'role': 'user', 'content': i['text'], 'cache_control': _item_cache_control(i)}\n"
        "            for i in items]\n"
        "def _item_cache_control(item):\n"
        "    return item.get('cache_control')\n"
    ),
    Valid(
        "def raise_ttls(carriers, ttls):\n"
        "    for carrier, ttl in zip(carriers, ttls):\n"
        "        carrier['cache_control'] = {'type': 'ephemeral', 'ttl': ttl}\n"
    ),
    # The newest message of a growing history marked on a copy, or after old marks are removed.
    Valid(
        "import copy\n"
        "class Chat:\n"
        "    def __init__(self):\n"
        "        self.messages = []\n"
        "    def request(self, question):\n"
        "        self.messages.append({'role': 'user', 'content': [{'type': 'text', 'text': question}]})\n"
        "        messages = copy.deepcopy(self.messages)\n"
        "        messages[-1]['content'][-1]['cache_control'] = {'type': 'ephemeral'}\n"
        "        return messages\n"
    ),
    Valid(
        "class Chat:\n"
        "    def __init__(self):\n"
        "        self.messages = []\n"
        "    def request(self, question):\n"
        "        for message in self.messages:\n"
        "            message['content'][-1].pop('cache_control', None)\n"
        "        self.messages.append({'role': 'user', 'content': [{'type': 'text', 'text': question}]})\n"
        "        self.messages[-1]['content'][-1]['cache_control'] = {'type': 'ephemeral'}\n"
        "        return self.messages\n"
    ),
    # Loops whose bounds are counted on purpose: the last few of a range, a list of two.
    Valid(
        "def tag_last(blocks, cache_control, most=4):\n"
        "    for i in range(max(len(blocks) - most, 0), len(blocks)):\n"
        "        blocks[i] = {**blocks[i], 'cache_control': cache_control}\n"
        "    return blocks\n"
    ),
    Valid(
        "def mark(messages):\n"
        "    targets = []\n"
        "    targets.append(messages[-1]['content'][-1])\n"
        "    if len(messages) > 2:\n"
        "        targets.append(messages[-3]['content'][-1])\n"
        "    for block in targets:\n"
        "        block['cache_control'] = {'type': 'ephemeral'}\n"
    ),
    # A message at a fixed place of a conversation the code builds itself.
    Valid(
        "def conversation(read_pair):\n"
        "    messages = [{'role': 'user', 'content': [{'type': 'text', 'text': 'hi'}]}, *read_pair]\n"
        "    messages[2]['content'][0]['cache_control'] = {'type': 'ephemeral'}\n"
        "    return messages\n"
    ),
    # Lifetimes that do not grow along the request: 1h tools and system, 5m on the newest turn.
    Valid(
        _HEADER + "def ask(tools, history):\n"
        "    tools = [*tools[:-1], {**tools[-1], 'cache_control': {'type': 'ephemeral', 'ttl': '1h'}}]\n"
        "    last_tool = dict(tools[-1])\n"
        "    last_tool['cache_control'] = {'type': 'ephemeral', 'ttl': '1h'}\n"
        "    return client.messages.create(model='m', max_tokens=9, tools=[*tools[:-1], last_tool],\n"
        "        system=[{'type': 'text', 'text': 'a', 'cache_control': {'type': 'ephemeral', 'ttl': '1h'}}],\n"
        f"        messages=[{{'role': 'user', 'content': [{{'type': 'text', 'text': 'q', {_EPHEMERAL}}}]}}])\n"
    ),
    # One breakpoint, on the last block, whatever the number of blocks.
    Valid(
        "def system_blocks(texts):\n"
        "    blocks = [{'type': 'text', 'text': t} for t in texts]\n"
        "    blocks[-1]['cache_control'] = {'type': 'ephemeral'}\n"
        "    return blocks\n"
    ),
    # Which block is marked depends on its position, or on a cache flag the item carries.
    Valid(
        "def serialize(parts, use_cache):\n"
        "    out = []\n"
        "    for i, part in enumerate(parts):\n"
        "        last = i == len(parts) - 1\n"
        "        out.append(_text(part, cached=use_cache and last))\n"
        "    return out\n"
        "def _text(text, *, cached):\n"
        "    block = {'type': 'text', 'text': text}\n"
        "    if cached:\n"
        "        block['cache_control'] = {'type': 'ephemeral'}\n"
        "    return block\n"
    ),
    Valid(
        "def serialize(messages):\n"
        "    return [{'role': m.role, 'content': [{'type': 'text', 'text': m.text,\n"
        "             'cache_control': {'type': 'ephemeral'} if m.cache else None}]}\n"
        "            for m in messages]\n"
    ),
    # A few items, a loop that stops at the first one marked, a breakpoint copied as it was.
    Valid(
        "def mark(history):\n"
        "    for message in history[-2:]:\n"
        "        message['content'][-1]['cache_control'] = {'type': 'ephemeral'}\n"
    ),
    Valid(
        "def mark(history):\n"
        "    for message in reversed(history):\n"
        "        if message['role'] == 'user':\n"
        "            message['content'][-1]['cache_control'] = {'type': 'ephemeral'}\n"
        "            break\n"
    ),
    Valid(
        "def convert(blocks):\n"
        "    return [{'type': 'text', 'text': b['text'], 'cache_control': b.get('cache_control')}\n"
        "            for b in blocks]\n"
    ),
    # The same fixed block marked again on each pass is still one breakpoint.
    Valid(
        "def mark(history, rounds):\n"
        "    for _ in rounds:\n"
        "        history[-1]['content'][-1]['cache_control'] = {'type': 'ephemeral'}\n"
    ),
    # Old breakpoints cleared first, then the new one set; or cleared after the request.
    Valid(
        "def add_results(history, results):\n"
        "    for message in history:\n"
        "        for block in message['content']:\n"
        "            block.pop('cache_control', None)\n"
        "    results[-1]['cache_control'] = {'type': 'ephemeral'}\n"
        "    history.append({'role': 'user', 'content': results})\n"
    ),
    Valid(
        _HEADER + "def ask(history, results):\n"
        "    results[-1]['cache_control'] = {'type': 'ephemeral'}\n"
        "    history.append({'role': 'user', 'content': results})\n"
        "    reply = client.messages.create(model='m', max_tokens=9, messages=history)\n"
        "    for message in history:\n"
        "        for block in message['content']:\n"
        "            block.pop('cache_control', None)\n"
        "    return reply\n"
    ),
    # The last block of the newest message, or the first block once its type is checked.
    Valid(
        "def mark(messages):\n"
        "    content = messages[-1]['content']\n"
        "    content[-1]['cache_control'] = {'type': 'ephemeral'}\n"
    ),
    Valid(
        "def mark(messages):\n"
        "    content = messages[-1]['content']\n"
        "    if content[0].get('type') == 'text':\n"
        "        content[0]['cache_control'] = {'type': 'ephemeral'}\n"
    ),
    Valid(
        "def user_message(question):\n"
        "    message = {'role': 'user', 'content': [{'type': 'text', 'text': question}]}\n"
        "    message['content'][0]['cache_control'] = {'type': 'ephemeral'}\n"
        "    return message\n"
    ),
    # The volatile value comes after the last breakpoint.
    Valid(
        _HEADER + f"SYSTEM = {_LONG}\n"
        "def ask(history):\n"
        "    return client.messages.create(model='m', max_tokens=9,\n"
        f"        system=[{{'type': 'text', 'text': SYSTEM, {_EPHEMERAL}}}],\n"
        "        messages=[*history, {'role': 'user', 'content': f'Now: {datetime.now()}'}])\n"
    ),
    # Automatic caching is on.
    Valid(
        _HEADER + f"SYSTEM = {_LONG}\n"
        "def ask(history):\n"
        "    return client.messages.create(model='m', max_tokens=9, system=SYSTEM,\n"
        "        messages=history, cache_control={'type': 'ephemeral'})\n"
    ),
    # Caching may be turned on in the options or the extra body: a second cache_control
    # beside options that hold one would be a TypeError.
    Valid(
        _HEADER + f"SYSTEM = {_LONG}\n"
        "def ask(history, **options):\n"
        "    return client.messages.create(model='m', max_tokens=9, system=SYSTEM,\n"
        "        messages=history, **options)\n"
    ),
    Valid(
        _HEADER + f"SYSTEM = {_LONG}\n"
        "def ask(history):\n"
        "    return client.messages.create(model='m', max_tokens=9, system=SYSTEM,\n"
        "        messages=history, extra_body={'cache_control': {'type': 'ephemeral'}})\n"
    ),
    Valid(
        _HEADER + f"SYSTEM = {_LONG}\n"
        "def ask(history, body):\n"
        "    return client.messages.create(model='m', max_tokens=9, system=SYSTEM,\n"
        "        messages=history, extra_body=body)\n"
    ),
    # A short system prompt is below the minimum cacheable length anyway.
    Valid(
        _HEADER + "def ask(history):\n"
        "    return client.messages.create(model='m', max_tokens=9, system='Be brief.',\n"
        "        messages=history)\n"
    ),
)
CacheBreakpoint.INVALID = (
    # Each turn marks the newest message of the stored history, and none is ever unmarked.
    Invalid(
        "class Chat:\n"
        "    def __init__(self):\n"
        "        self.messages = []\n"
        "    def request(self, question):\n"
        "        self.messages.append({'role': 'user', 'content': [{'type': 'text', 'text': question}]})\n"
        "        last = self.messages[-1]\n"
        "        last['content'][-1]['cache_control'] = {'type': 'ephemeral'}\n"
        "        return self.messages\n",
        line=7,
        message_contains="of a growing history, and none is ever removed",
    ),
    Invalid(
        _HEADER + "def run(messages, tools):\n"
        "    while True:\n"
        "        messages[-1]['content'][-1]['cache_control'] = {'type': 'ephemeral'}\n"
        "        reply = client.messages.create(model='m', max_tokens=9, tools=tools, messages=messages)\n"
        "        if reply.stop_reason != 'tool_use':\n"
        "            return reply\n"
        "        messages.append({'role': 'assistant', 'content': reply.content})\n"
        "        messages.append({'role': 'user', 'content': [{'type': 'text', 'text': 'ok'}]})\n",
        line=6,
        message_contains="of a growing history, and none is ever removed",
    ),
    # A 1-hour breakpoint after a 5-minute one.
    Invalid(
        _HEADER + "def ask(history):\n"
        "    return client.messages.create(model='m', max_tokens=9,\n"
        f"        system=[{{'type': 'text', 'text': 'a', {_EPHEMERAL}}},\n"
        "                {'type': 'text', 'text': 'b', 'cache_control': {'type': 'ephemeral', 'ttl': '1h'}}],\n"
        "        messages=history)\n",
        line=7,
        message_contains="the 5-minute one (line 6)",
    ),
    Invalid(
        "SYSTEM = [{'type': 'text', 'text': 'rules', 'cache_control': {'type': 'ephemeral', 'ttl': '1h'}}]\n"
        "def request(tools, history):\n"
        "    last_tool = {**tools[-1]}\n"
        "    last_tool['cache_control'] = {'type': 'ephemeral'}\n"
        "    return {'tools': [*tools[:-1], last_tool], 'system': SYSTEM, 'messages': history}\n",
        line=4,
        message_contains="5-minute breakpoint on the tools comes before a 1-hour one",
    ),
    # A breakpoint for every block, through a helper whose flag does not change per item.
    Invalid(
        "def system_blocks(texts):\n"
        "    parts = []\n"
        "    for text in texts:\n"
        "        if text:\n"
        "            parts.append(_text(text, cached=True))\n"
        "    return parts\n"
        "def _text(text, *, cached):\n"
        "    block = {'type': 'text', 'text': text}\n"
        "    if cached:\n"
        "        block['cache_control'] = {'type': 'ephemeral'}\n"
        "    return block\n",
        line=5,
        message_contains="for every item of `texts`",
    ),
    Invalid(
        "def tool_blocks(calls, use_cache):\n"
        "    return [{'type': 'tool_use', 'id': c.id, 'name': c.name, 'input': c.args,\n"
        "             'cache_control': {'type': 'ephemeral'} if use_cache else None}\n"
        "            for c in calls]\n",
        line=3,
        message_contains="for every item of `calls`",
    ),
    Invalid(
        "def cached_tools(tools):\n"
        "    for tool in tools:\n"
        "        tool['cache_control'] = {'type': 'ephemeral'}\n"
        "    return tools\n",
        line=3,
        message_contains="the API accepts at most 4",
    ),
    # The new breakpoint is deleted with the old ones right after it is set.
    Invalid(
        "def add_results(history, results):\n"
        "    history.append({'role': 'user', 'content': results})\n"
        "    results[-1]['cache_control'] = {'type': 'ephemeral'}\n"
        "    for message in history:\n"
        "        for block in message['content']:\n"
        "            if 'cache_control' in block:\n"
        "                del block['cache_control']\n",
        line=3,
        message_contains="clears every cache_control (line 4)",
    ),
    # The newest message of the history may start with a thinking block.
    Invalid(
        "def mark(messages):\n"
        "    content = messages[-1].get('content')\n"
        "    if isinstance(content, list) and content:\n"
        "        content[0]['cache_control'] = {'type': 'ephemeral'}\n",
        line=4,
        message_contains="first block",
    ),
    Invalid(
        _HEADER + "def ask(q):\n"
        "    return client.messages.create(model='m', max_tokens=9,\n"
        f"        system=[{{'type': 'text', 'text': 'a', {_EPHEMERAL}}},\n"
        f"                {{'type': 'text', 'text': 'b', {_EPHEMERAL}}}],\n"
        "        messages=[\n"
        f"            {{'role': 'user', 'content': [{{'type': 'text', 'text': 'c', {_EPHEMERAL}}}]}},\n"
        f"            {{'role': 'assistant', 'content': [{{'type': 'text', 'text': 'd', {_EPHEMERAL}}}]}},\n"
        f"            {{'role': 'user', 'content': [{{'type': 'text', 'text': q, {_EPHEMERAL}}}]}},\n"
        "        ])\n",
        line=11,
        message_contains="sets 5 cache breakpoints",
    ),
    Invalid(
        _HEADER + f"SYSTEM = {_LONG}\n"
        "def ask(history):\n"
        "    return client.messages.create(model='m', max_tokens=9,\n"
        "        system=[{'type': 'text', 'text': f'Today is {datetime.now():%c}.'},\n"
        f"                {{'type': 'text', 'text': SYSTEM, {_EPHEMERAL}}}],\n"
        "        messages=history)\n",
        line=8,
        message_contains="reads the clock here (line 7)",
    ),
    Invalid(
        _HEADER + f"SYSTEM = {_LONG}\n"
        "def ask(history):\n"
        "    return client.messages.create(model='m', max_tokens=9, system=SYSTEM,\n"
        "        messages=history)\n",
        line=6,
        fixed=_HEADER + f"SYSTEM = {_LONG}\n"
        "def ask(history):\n"
        "    return client.messages.create(model='m', max_tokens=9, system=SYSTEM,\n"
        '        messages=history, cache_control={"type": "ephemeral"})\n',
        message_contains="is long (about 1,080 tokens) and fixed, but nothing is cached",
    ),
    # An extra body seen whole, without cache_control.
    Invalid(
        _HEADER + f"SYSTEM = {_LONG}\n"
        "def ask(history):\n"
        "    return client.messages.create(model='m', max_tokens=9, system=SYSTEM,\n"
        "        messages=history, extra_body={'metadata': {'user_id': 'u'}})\n",
        line=6,
        fixed=_HEADER + f"SYSTEM = {_LONG}\n"
        "def ask(history):\n"
        "    return client.messages.create(model='m', max_tokens=9, system=SYSTEM,\n"
        "        messages=history, extra_body={'metadata': {'user_id': 'u'}}, "
        'cache_control={"type": "ephemeral"})\n',
        message_contains="is long (about 1,080 tokens) and fixed, but nothing is cached",
    ),
)

# TypeScript and JavaScript: `@anthropic-ai/sdk` and the AI SDK.
_ANTHROPIC_TS = 'import Anthropic from "@anthropic-ai/sdk";\nconst client = new Anthropic();\n'
_AI_TS = 'import { streamText } from "ai";\n'
_MARKED = "providerOptions: { anthropic: { cacheControl: { type: 'ephemeral' } } }"
_MARKED_1H = "providerOptions: { anthropic: { cacheControl: { type: 'ephemeral', ttl: '1h' } } }"
_THREE_BY_HAND = (
    "export const systemMessage = (content) => ({ role: 'system', content, " + _MARKED + " });\n"
    "export function markLast(messages) {\n"
    "  const last = messages.at(-1);\n"
    "  return [...messages.slice(0, -1), { ...last, " + _MARKED + " }];\n"
    "}\n"
    "export function markTool(tool) {\n"
    "  return { ...tool, " + _MARKED + " };\n"
    "}\n"
)
CacheBreakpoint.INVALID += (
    Invalid(
        _ANTHROPIC_TS + "export function ask(q) {\n"
        "  const e = { type: 'ephemeral' };\n"
        "  return client.messages.create({\n"
        "    model: 'm', max_tokens: 9,\n"
        "    system: [{ type: 'text', text: 'a', cache_control: e }, { type: 'text', text: 'b', cache_control: e }],\n"
        "    messages: [\n"
        "      { role: 'user', content: [{ type: 'text', text: 'c', cache_control: e }] },\n"
        "      { role: 'assistant', content: [{ type: 'text', text: 'd', cache_control: e }] },\n"
        "      { role: 'user', content: [{ type: 'text', text: q, cache_control: e }] },\n"
        "    ],\n"
        "  });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=11,
        message_contains="this request sets 5 cache breakpoints; the API accepts at most 4",
    ),
    Invalid(
        _ANTHROPIC_TS + "export function ask(history, rules) {\n"
        "  const now = new Date().toISOString();\n"
        "  return client.messages.create({\n"
        "    model: 'm', max_tokens: 9,\n"
        "    system: [\n"
        "      { type: 'text', text: `Now: ${now}` },\n"
        "      { type: 'text', text: rules, cache_control: { type: 'ephemeral' } },\n"
        "    ],\n"
        "    messages: history,\n"
        "  });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=9,
        message_contains="comes after `new Date().toISOString()`, which reads the clock",
    ),
    # The AI SDK: a 1-hour breakpoint on a later message than a 5-minute one.
    Invalid(
        _AI_TS + "export function ask(model, rules, q) {\n"
        "  return streamText({ model, messages: [\n"
        "    { role: 'system', content: rules, " + _MARKED + " },\n"
        "    { role: 'user', content: q, " + _MARKED_1H + " },\n"
        "  ] });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=5,
        message_contains="comes after a 5-minute one Give longer lifetimes first: tools, then system, then messages the 5-minute one (line 4)",
    ),
    # A breakpoint on every block of a list of unknown length.
    Invalid(
        "export function systemBlocks(texts: string[]) {\n"
        "  return texts.map((text) => ({ type: 'text', text, cache_control: { type: 'ephemeral' } }));\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="blocks.ts",
        line=2,
        message_contains="for every item of `texts`; the API accepts at most 4",
    ),
    # The helper returns a marked copy, which is dropped: the message sent is unmarked.
    Invalid(
        "export function addCache(messages) {\n"
        "  const withCache = (msg) => ({ ...msg, " + _MARKED + " });\n"
        "  withCache(messages[messages.length - 1]);\n"
        "  return messages;\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="cache.ts",
        line=3,
        message_contains="`withCache()` returns a copy with a cache breakpoint, which is dropped",
    ),
    # Call-level cacheControl (beside `thinking`): automatic caching, a fourth slot taken.
    Invalid(
        _THREE_BY_HAND + "export function providerOptions(ttl) {\n"
        "  return { anthropic: { thinking: { type: 'adaptive' }, ...(ttl && { cacheControl: { type: 'ephemeral', ttl } }) } };\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="cache.ts",
        line=10,
        message_contains="call-level `cacheControl` adds an automatic breakpoint to the 3 set by hand",
    ),
)
_BUILDER = (
    "export function withCaching(body, request) {\n"
    "  const marker = { type: 'ephemeral' };\n"
    "  const out = { ...body, system: [{ type: 'text', text: request.system, cache_control: marker }] };\n"
    "  const tools = request.tools.map((t) => ({ ...t }));\n"
    "  tools[tools.length - 1].cache_control = marker;\n"
    "  const messages = request.messages.map((m) => ({ ...m }));\n"
    "  const start = Math.max(0, messages.length - LAST);\n"
    "  for (let i = start; i < messages.length; i++) {\n"
    "    messages[i].content = [{ type: 'text', text: messages[i].text, cache_control: marker }];\n"
    "  }\n"
    "  return { ...out, tools, messages };\n"
    "}\n"
)
CacheBreakpoint.INVALID += (
    # System, last tool and the last 3 messages: 5 breakpoints in the request it builds.
    Invalid(
        _BUILDER.replace("LAST", "3"),
        kind=InputKind.TYPESCRIPT,
        filename="caching.ts",
        line=9,
        message_contains="this function sets up to 5 cache breakpoints in one request",
    ),
)
_TOOLS_THEN_SYSTEM = (
    "export function prepare(params, system, tools) {\n"
    "  params.system = [{ type: 'text', text: system, cache_control: { type: 'ephemeral', ttl: '1h' } }];\n"
    "  params.tools = tools.map((t, i) => ({\n"
    "    ...t, ...(i === tools.length - 1 ? { cache_control: { type: 'ephemeral'TOOL_TTL } } : {}),\n"
    "  }));\n"
    "  return params;\n"
    "}\n"
)
CacheBreakpoint.INVALID += (
    # The tools are read first: their default 5 minutes before the system prompt's hour.
    Invalid(
        _TOOLS_THEN_SYSTEM.replace("TOOL_TTL", ""),
        kind=InputKind.TYPESCRIPT,
        filename="client.ts",
        line=4,
        message_contains="this 5-minute breakpoint on the tools comes before a 1-hour one",
    ),
)
CacheBreakpoint.VALID += (
    # One breakpoint, on the last block, decided by the index.
    Valid(
        "export function systemBlocks(texts: string[]) {\n"
        "  return texts.map((text, i) => ({ type: 'text', text,\n"
        "    ...(i === texts.length - 1 ? { cache_control: { type: 'ephemeral' } } : {}) }));\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="blocks.ts",
    ),
    # A converter carrying each part's own breakpoint over.
    Valid(
        "export function convert(parts) {\n"
        "  return parts.map((part) => {\n"
        "    const cacheControl = part.providerOptions?.anthropic?.cacheControl;\n"
        "    return { type: 'text', text: part.text, ...(cacheControl ? { cache_control: cacheControl } : {}) };\n"
        "  });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="convert.ts",
    ),
    # The changing value after the last breakpoint, in the newest message.
    Valid(
        _ANTHROPIC_TS + "export function ask(history, rules) {\n"
        "  return client.messages.create({\n"
        "    model: 'm', max_tokens: 9,\n"
        "    system: [{ type: 'text', text: rules, cache_control: { type: 'ephemeral' } }],\n"
        "    messages: [...history, { role: 'user', content: `Now: ${new Date().toISOString()}` }],\n"
        "  });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
    # Longer lifetimes first.
    Valid(
        _AI_TS + "export function ask(model, rules, q) {\n"
        "  return streamText({ model, messages: [\n"
        "    { role: 'system', content: rules, " + _MARKED_1H + " },\n"
        "    { role: 'user', content: q, " + _MARKED + " },\n"
        "  ] });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
    # The marked copy is used.
    Valid(
        "export function addCache(messages) {\n"
        "  const withCache = (msg) => ({ ...msg, " + _MARKED + " });\n"
        "  messages[messages.length - 1] = withCache(messages[messages.length - 1]);\n"
        "  return messages;\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="cache.ts",
    ),
    Valid(
        _TOOLS_THEN_SYSTEM.replace("TOOL_TTL", ", ttl: '1h'"),
        kind=InputKind.TYPESCRIPT,
        filename="client.ts",
    ),
    # The last 2 messages: 4 in all.
    Valid(_BUILDER.replace("LAST", "2"), kind=InputKind.TYPESCRIPT, filename="caching.ts"),
    # Breakpoints set by hand only: the call options hold no cacheControl.
    Valid(
        _THREE_BY_HAND + "export function providerOptions() {\n"
        "  return { anthropic: { thinking: { type: 'adaptive' } } };\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="cache.ts",
    ),
)
