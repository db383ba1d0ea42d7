"""CTX002: JSON serialised without sorted keys becomes part of a prompt."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from itertools import chain
from typing import TYPE_CHECKING

from ctxlint.diagnostics import Applicability, Diagnostic, Fix
from ctxlint.python.triggers import Trigger
from ctxlint.redact import evidence
from ctxlint.rule import InputKind, Invalid, Rule, Valid

if TYPE_CHECKING:
    from ctxlint.prompt_files.checked import PromptCheck
    from ctxlint.prompt_files.model import Part, Placeholder
    from ctxlint.python.index import Scope
    from ctxlint.python.module import PythonModule
    from ctxlint.python.sinks import Sink
    from ctxlint.trace.compare import Step
    from ctxlint.trace.model import Block, Message
    from ctxlint.typescript.module import ScriptModule

_SORT_KEYS_DUMPS = frozenset({"json.dumps", "simplejson.dumps"})
_ORJSON_MODULE = "orjson"
_ORJSON_DUMPS = f"{_ORJSON_MODULE}.dumps"
# Operators that combine flags, and so integers into an integer.
_FLAG_OPERATORS = (ast.BitOr, ast.BitAnd, ast.BitXor)


class UnsortedJson(Rule):
    """
    ## What it does
    Flags `json.dumps` without `sort_keys=True`, or `orjson.dumps` without `OPT_SORT_KEYS`, whose
    result becomes part of the cached prefix: the system prompt or instructions, a
    system/developer message, or a tool definition. With `json-in-messages`, it also flags JSON
    in message content and tool results.

    In recorded traces, it flags JSON that shows an unstable serialisation: a tool-call's
    arguments, a tool result or a tool schema that holds the same value as in the previous
    request but is serialised differently (key order, spacing), and a tool result that is the
    same object as an earlier one of the session with its keys in another order. Unsorted keys
    alone are not flagged in traces: a model writes its arguments in its own order, and an
    agent that replays them verbatim keeps the prefix.

    ## Why is this bad?
    A JSON object's text depends on the order its keys were inserted in. The prefix is rendered
    again for every request, and an object rebuilt in another order (merged from two sources,
    filled from a set, returned by another service or SDK version, loaded after a restart)
    serialises to different text: the cached prefix ends at the first differing token and
    everything after it, the whole conversation included, is paid at the full input price
    again. Sorting the keys makes equal objects serialise identically, every time.

    Text in a message is appended to the history once and never re-rendered, and serialising
    the same dict again gives the same text, so by default JSON there is not flagged. A history
    kept as objects and rendered into messages for every request (`messages = [render(m) for m
    in self.store]`, where `render` calls `json.dumps(m.args)`) is flagged: each stored object
    is serialised again every turn, and one reloaded or rebuilt with its keys in another order
    changes the text of an old message.
    Arguments whose key order is fixed by the source are not flagged either: a dict literal
    with constant keys whose values are constants, strings or numbers (as their annotations
    say) or fixed themselves, a dict literal kept as a class attribute and read off the class,
    a pydantic `model_json_schema()`, `schema()` or `model_dump()`, a dataclass through
    `dataclasses.asdict`, and a value named as a JSON schema (`output_schema`, `self._schema`):
    a schema is written once, in a model class, a literal or a vendored file, and read as it
    is. So is an attribute the class only ever assigns such values to, and a dict
    comprehension that keeps the keys and values of one (`{k: v for k, v in s.items() if
    k != "title"}`). Nor is JSON text parsed and serialised again, or a part of it
    (`json.dumps(value)` for `value` in `json.loads(arguments).values()`): it keeps the order
    of the text it came from, and changes only when that text does.

    ## Example
    ```python
    import json

    def build_system_prompt(account):
        return "You help this customer.\\nAccount: " + json.dumps(account.settings)
    ```

    Use instead:
    ```python
    def build_system_prompt(account):
        return "You help this customer.\\nAccount: " + json.dumps(
            account.settings, sort_keys=True
        )
    ```

    ## Prompt files
    In a prompt file, it flags a placeholder of a cached part that writes a value whose key
    order varies between calls (as the project's Python code passes it: a dict filled from a
    set, or `json.dumps` of one without `sort_keys`) in the order it has: printed as it is, or
    through Nunjucks' `dump` (promptfoo) or Handlebars' `json` (Dotprompt), which keep the
    order. Jinja's `tojson` filter sorts the keys of every mapping (jinja2's default
    `json.dumps_kwargs` policy is `{"sort_keys": True}`), and `dictsort` and `pprint` sort
    too: a value written through them is not flagged. A list keeps its order under `tojson`,
    which is CTX003's concern.

    ## TypeScript and JavaScript
    `JSON.stringify` has no option to sort keys: it writes them in insertion order (integer-like
    keys first), the same on every run of the same code path, and `JSON.parse` keeps the order
    of its text. So in TypeScript and JavaScript it flags only keys whose order can differ
    between two requests of a conversation: `JSON.stringify` reaching the system prompt or the
    tool definitions, within the file, of an object whose keys are added as async calls
    complete (`status[s.name] = await s.ping()` in the callback of `servers.map(async ...)`)
    or taken from a glob listing (see CTX003); and a kept tool call's validated input written
    again as text into the history (`function: { name, arguments: JSON.stringify(part.input)
    }`, or a Responses `function_call` item), which a provider does for every request, whatever
    sends it (with `json-in-messages`, as JSON in messages is on the Python side: by default
    only the prefix is judged). That input is not the text the model wrote: the AI SDK keeps what the tool's
    schema parse returns (zod builds it in the schema's key order), and an application that
    stores its history (PostgreSQL's `jsonb` does not keep key order) can give it back in
    another order on a later request, as OpenRouter's provider found (its issue 171, fixed by
    a key-sorting stringify). Object literals, spreads of fixed objects, and values given a
    replacer are not flagged; nor is `arguments` holding the parse of the model's own text.
    No fix is offered there: sort the keys with a stable stringify (`safe-stable-stringify`,
    `json-stable-stringify`).

    ## Fix safety
    For `json.dumps` (and `simplejson.dumps`) the fix adds `sort_keys=True`. It is unsafe:
    Python sorts the keys before it turns them into strings, so a dict, at any depth of the
    value, whose keys do not compare with each other (`{1: "a", "b": 2}`, a `None` key beside
    strings) makes the call raise `TypeError` where it did not before. A safe fix keeps the
    code's meaning whatever data it runs on (ruff's definition), and nothing in the source
    says which keys the data will hold.

    For `orjson.dumps` the fix adds `orjson.OPT_SORT_KEYS` to the options the call passes
    (`option=`, or its third argument), keeping them: a literal `None` is replaced, a compound
    expression is parenthesised, and options that may be `None` when the code runs become
    `(options or 0) | orjson.OPT_SORT_KEYS`. It is safe: orjson sorts the keys of every value
    it accepts without raising.

    A call that passes `**options` (or, to orjson, `*args`) is not flagged at all: those
    options may already sort the keys, and adding a second `sort_keys` would be a `TypeError`.

    Either way the serialised value is the same JSON, only its key order changes: the prompt
    changes once, when the fix ships.

    ## Options
    - `json-in-messages` (default false): also flag JSON in message content and tool results,
      for agents whose history is re-serialised on every request from objects whose key order
      can vary.

    ## References
    - [Manus: context engineering for AI agents](https://manus.im/blog/Context-Engineering-for-AI-Agents-Lessons-from-Building-Manus)
    - [Python: json.dumps](https://docs.python.org/3/library/json.html#json.dumps)
    - [OpenRouter AI SDK provider: deterministic tool call arguments](https://github.com/OpenRouterTeam/ai-sdk-provider/pull/472)
    """

    code = "CTX002"
    name = "unsorted-json"
    python_trigger = Trigger(needles=(b"dumps",))
    summary = "JSON serialised without sorted keys reaches the cached prefix"
    fix_title = "Sort the keys when serialising"
    # json.dumps's fix; orjson's is safe (see Fix safety).
    fix_applicability = Applicability.UNSAFE

    def check_prompt(self, prompt: PromptCheck) -> Iterator[Diagnostic]:
        from ctxlint.prompt_files import judging

        hits = []
        for part, placeholder, position in judging.prefix_placeholders(prompt):
            if position.costs_little or not _keeps_key_order(part, placeholder):
                continue
            for render, value, why in judging.unordered_values(prompt, placeholder, keys=True):
                what = f"writes {why}, keys unsorted"
                related = (judging.passed_note(render, value),)
                hits.append(judging.Hit(part, placeholder, position, what, related))
                break
        yield from judging.diagnostics(prompt, self, hits, _PROMPT_HELP)

    def check_trace(self, step: Step) -> Iterator[Diagnostic]:
        reported = step.session.memo.setdefault(self.code, set())
        for tool in step.tool_changes:
            if tool.reserialised and tool.name not in reported:
                reported.add(tool.name)
                pointer = step.current.tool_pointer(tool.name)
                before = step.previous.tool_pointer(tool.name) if step.previous else ""
                yield step.diagnostic(
                    self,
                    f"the definition of tool `{evidence(tool.name)}` is the same JSON "
                    "serialised differently",
                    pointer,
                    help=_TRACE_HELP,
                    related=step.previous_location("the previous request", before),
                )
        history = step.history
        if history is not None and history.reserialised and history.before and history.after:
            position = history.position
            before, after = _first_differing_blocks(history.before, history.after)
            yield step.diagnostic(
                self,
                f"message {position} ({history.after.role}) is the same JSON as before, "
                "serialised differently",
                step.current.pointer_in_message(position, after.pointer),
                help=_TRACE_HELP,
                related=step.previous_location(
                    "the previous request",
                    step.previous.pointer_in_message(position, before.pointer)
                    if step.previous
                    else "",
                ),
            )
        yield from _unstable_key_order(self, step)

    def check_python(self, module: PythonModule) -> Iterator[Diagnostic]:
        flagged: set[int] = set()
        done: set[int] = set()  # walks shared by several sinks are looked at once
        rerender_done: set[int] = set()
        for sink in module.sinks:
            if not sink.in_prefix and not module.settings.json_in_messages:
                if sink.kind == "messages":
                    yield from self._rerendered(module, sink, flagged, rerender_done)
                continue
            for reached in chain.from_iterable(module.reached(sink).parts_not_in(done)):
                call = reached.node
                if id(call) in flagged or not isinstance(call, ast.Call):
                    continue
                qualified = self._unsorted_dumps(module, call, reached.scope)
                if qualified is None:
                    continue
                flagged.add(id(call))
                message = (
                    f"`{module.text_of(call.func)}()` without sorted keys reaches {sink.label}"
                )
                related = (module.location_of(sink.expression, sink.sent_as(reached.through)),)
                fix = self._fix(module, call, qualified, reached.scope)
                yield module.diagnostic(self, call, message, fix, related, help=_help(qualified))

    def check_typescript(self, module: ScriptModule) -> Iterator[Diagnostic]:
        from ctxlint.typescript.flow import reached_by_file
        from ctxlint.typescript.key_order import replayed_arguments, unstable_stringify
        from ctxlint.typescript.sinks import imported_modules
        from ctxlint.typescript.unordered import ORDER_KEEPING

        flagged: set[tuple[str, int]] = set()
        for sink in module.sinks:
            # Into the files this one imports: a builder there serialises what is sent.
            for where, parts in reached_by_file(
                module.parsed, sink, module.project, receivers_of=ORDER_KEEPING
            ):
                imports = imported_modules(where)
                for found in parts:
                    call = found.node
                    if (where.path, call.id) in flagged:
                        continue
                    source = unstable_stringify(where, call, imports)
                    if source is None:
                        continue
                    flagged.add((where.path, call.id))
                    message = f"`JSON.stringify()` without sorted keys reaches {sink.part}"
                    note = (
                        "its keys come from this listing, in file-system order"
                        if source.kind == "listing"
                        else "its keys are added here, as async calls complete"
                    )
                    related = (
                        module.related(source.node, note, where),
                        module.related(sink.call, f"sent as {sink.label}"),
                    )
                    yield module.diagnostic(
                        self, call, message, related, help=_SCRIPT_HELP, parsed=where
                    )
        # Not tied to a sink in the file: a provider or an agent converting its kept history
        # into a wire format for every request, wherever the request is sent from. JSON in
        # messages, as on the Python side, is flagged only with `json-in-messages`: the text
        # changes only where the kept history comes back with its keys in another order.
        if module.settings is None or not module.settings.json_in_messages:
            return
        for call, value in replayed_arguments(module.parsed):
            if (module.path, call.id) in flagged:
                continue
            message = (
                "`JSON.stringify()` without sorted keys serialises the tool call's "
                f"`{evidence(module.text_of(value))}` again on every request"
            )
            yield module.diagnostic(self, call, message, help=_SCRIPT_REPLAY_HELP)

    def _rerendered(
        self, module: PythonModule, sink: Sink, flagged: set[int], done: set[int]
    ) -> Iterator[Diagnostic]:
        """JSON serialised again from stored objects each time the history is rebuilt."""
        from ctxlint.python.rerender import rerendered_serialisations

        for part in module.reached(sink).parts_not_in(done):
            for call, scope, stored in rerendered_serialisations(part, module.index):
                if id(call) in flagged:
                    continue
                qualified = self._unsorted_dumps(module, call, scope)
                if qualified is None:
                    continue
                flagged.add(id(call))
                message = (
                    f"`{module.text_of(call.func)}()` without sorted keys serialises each item "
                    f"of `{module.snippet(stored)}` again on every request"
                )
                related = (
                    module.location_of(stored, "the history is rebuilt from these items"),
                    module.location_of(sink.expression, sink.sent_as()),
                )
                fix = self._fix(module, call, qualified, scope)
                yield module.diagnostic(self, call, message, fix, related, help=_help(qualified))

    def _unsorted_dumps(self, module: PythonModule, call: ast.Call, scope: Scope) -> str | None:
        """The serialiser's qualified name when the call can write keys in another order."""
        from ctxlint.python.key_order import key_order_is_fixed
        from ctxlint.python.names import qualified_name

        qualified = qualified_name(call.func, scope)
        if qualified in _SORT_KEYS_DUMPS:
            if any(k.arg == "sort_keys" for k in call.keywords):
                return None
        elif qualified == _ORJSON_DUMPS:
            option = _orjson_option(call)
            if option is not None and "OPT_SORT_KEYS" in module.text_of(option):
                return None
        else:
            return None
        if not call.args or key_order_is_fixed(call.args[0], scope, module):
            return None
        if _may_pass_options_unseen(call):
            return None
        return qualified

    def _fix(
        self, module: PythonModule, call: ast.Call, qualified: str, scope: Scope
    ) -> Fix | None:
        if qualified == _ORJSON_DUMPS:
            return self._orjson_fix(module, call, scope)
        return self._sort_keys_fix(module, call)

    def _sort_keys_fix(self, module: PythonModule, call: ast.Call) -> Fix | None:
        """`sort_keys=True`, unsafe: sorting raises TypeError on keys of mixed types. None for
        a call passing `**options`, which may hold sort_keys (see add_keyword_argument)."""
        from ctxlint.python.rewrite import add_keyword_argument

        rewritten = add_keyword_argument(module.text_of(call), "sort_keys", "True")
        if rewritten is None:
            return None
        return Fix(self.fix_title, (module.replace_edit(call, rewritten),), Applicability.UNSAFE)

    def _orjson_fix(self, module: PythonModule, call: ast.Call, scope: Scope) -> Fix | None:
        """`OPT_SORT_KEYS` added to the options, whatever valid value (an int or None) they
        hold: safe, as orjson sorts keys of any type it accepts without raising."""
        from ctxlint.python.rewrite import add_keyword_argument, bit_or_operand

        if not isinstance(call.func, ast.Attribute):
            return None  # `from orjson import dumps`: no module name at hand to spell the flag.
        if any(isinstance(argument, ast.Starred) for argument in call.args):
            return None  # `*args` may hold the options: where they are is unknown.
        flag = f"{module.text_of(call.func.value)}.OPT_SORT_KEYS"
        option = _orjson_option(call)
        if option is None:
            # None for a call passing `**options`, which may hold option=.
            rewritten = add_keyword_argument(module.text_of(call), "option", flag)
            if rewritten is None:
                return None
            edit = module.replace_edit(call, rewritten)
        elif isinstance(option, ast.Constant) and option.value is None:
            edit = module.replace_edit(option, flag)
        elif _is_int(option, scope, 0):
            edit = module.replace_edit(
                option, f"{bit_or_operand(option, module.text_of(option))} | {flag}"
            )
        else:
            # Options that may be None (a name, a call, `a if c else None`): `None | flag` is
            # a TypeError, `(None or 0) | flag` the flag alone.
            operand = bit_or_operand(option, module.text_of(option))
            edit = module.replace_edit(option, f"({operand} or 0) | {flag}")
        return Fix(self.fix_title, (edit,), Applicability.SAFE)


_SCRIPT_HELP = (
    "Serialise with sorted keys (a key-sorting stringify such as `safe-stable-stringify`)"
)
_SCRIPT_REPLAY_HELP = (
    "Serialise the arguments with sorted keys, or send back the text the model wrote"
)
_TRACE_HELP = "Serialise JSON with sorted keys and fixed separators wherever it is written"


def _help(qualified: str) -> str:
    if qualified == _ORJSON_DUMPS:
        return "Add orjson.OPT_SORT_KEYS to the options"
    return "Pass sort_keys=True"


def _first_differing_blocks(before: Message, after: Message) -> tuple[Block, Block]:
    """The first block of a message whose JSON was serialised again, in both requests."""
    return next(
        (old, new)
        for old, new in zip(before.blocks, after.blocks, strict=False)
        if old.identity() != new.identity()
    )


def _orjson_option(call: ast.Call) -> ast.expr | None:
    """The options of `orjson.dumps(obj, default, option)`: a keyword or the third argument."""
    keyword = next((k for k in call.keywords if k.arg == "option"), None)
    if keyword is not None:
        return keyword.value
    return call.args[2] if len(call.args) > 2 else None


def _is_int(value: ast.expr, scope: Scope, depth: int) -> bool:
    """Whether options are an int whatever runs: integer constants and orjson's flags, combined
    by operators, chosen by a condition, or named once."""
    from ctxlint.python.key_order import sole_assignment
    from ctxlint.python.names import qualified_name

    if depth > 8:
        return False
    if isinstance(value, ast.Constant):
        return type(value.value) is int
    if isinstance(value, ast.BinOp) and isinstance(value.op, _FLAG_OPERATORS):
        return _is_int(value.left, scope, depth + 1) and _is_int(value.right, scope, depth + 1)
    if isinstance(value, ast.IfExp):
        return _is_int(value.body, scope, depth + 1) and _is_int(value.orelse, scope, depth + 1)
    if isinstance(value, (ast.Attribute, ast.Name)):
        qualified = qualified_name(value, scope) or ""
        if qualified.startswith(f"{_ORJSON_MODULE}.OPT_"):
            return True
    if isinstance(value, ast.Name):
        binding = sole_assignment(value, scope)
        return binding is not None and _is_int(binding.value, binding.scope, depth + 1)
    return False


_HEADER = "import json, orjson\nimport openai\noa = openai.OpenAI()\n"

UnsortedJson.VALID = (
    # A tool call's arguments parsed and each value written again: the order of the text they
    # came from (OpenHands' converter of tool calls to text does this).
    Valid(
        _HEADER + "def render(tool_call):\n"
        "    args = json.loads(tool_call['arguments'])\n"
        "    text = ''\n"
        "    for name, value in args.items():\n"
        "        text += f'<{name}>{json.dumps(value)}</{name}>'\n"
        "    return text + json.dumps(args['options'])\n"
        "def ask(tool_call):\n"
        "    return oa.responses.create(model='m', instructions=render(tool_call), input='go')\n"
    ),
    # Serialised once, when the message is added to the kept history.
    Valid(
        _HEADER + "class Agent:\n"
        "    def __init__(self):\n"
        "        self.history = []\n"
        "    def ask(self, results):\n"
        "        self.history.extend([{'role': 'tool', 'content': json.dumps(r)} for r in results])\n"
        "        return oa.chat.completions.create(model='m', messages=self.history)\n"
    ),
    # Re-rendered from stored objects, with sorted keys.
    Valid(
        _HEADER + "def render(m):\n"
        "    return {'role': m.role, 'content': json.dumps(m.args, sort_keys=True)}\n"
        "class Agent:\n"
        "    def __init__(self):\n"
        "        self.store = []\n"
        "    def ask(self):\n"
        "        messages = [render(m) for m in self.store]\n"
        "        return oa.chat.completions.create(model='m', messages=messages)\n"
    ),
    # Stored as text when appended: rendering it again sends the same text.
    Valid(
        _HEADER + "class Agent:\n"
        "    def __init__(self):\n"
        "        self.store = []\n"
        "    def record(self, m):\n"
        "        self.store.append({'role': m.role, 'content': json.dumps(m.args)})\n"
        "    def ask(self):\n"
        "        messages = [{'role': m['role'], 'content': m['content']} for m in self.store]\n"
        "        return oa.chat.completions.create(model='m', messages=messages)\n"
    ),
    Valid(
        _HEADER + "def tool_message(cid, result):\n"
        "    return {'role': 'tool', 'tool_call_id': cid,\n"
        "            'content': json.dumps(result, sort_keys=True)}\n"
    ),
    Valid(
        _HEADER + "def tool_message(cid, result):\n"
        "    return {'role': 'tool', 'tool_call_id': cid,\n"
        "            'content': orjson.dumps(result, option=orjson.OPT_SORT_KEYS).decode()}\n"
    ),
    # The key order is written in the source.
    Valid(
        _HEADER + "def ask(q):\n"
        "    return oa.chat.completions.create(model='m', messages=[\n"
        "        {'role': 'user', 'content': json.dumps({'question': 'x', 'lang': 'en'})}])\n"
    ),
    # A pydantic schema's keys follow the model's field order: the same every time.
    Valid(
        _HEADER + "def ask(model, q):\n"
        "    schema = model.model_json_schema()\n"
        "    system = f'Answer as JSON matching {json.dumps(schema, indent=2)}'\n"
        "    return oa.chat.completions.create(model='m', messages=[\n"
        "        {'role': 'system', 'content': system}, {'role': 'user', 'content': q}])\n"
    ),
    # Kept on the instance: a schema under a private name, a pydantic schema under any name,
    # and a comprehension that drops keys from it keep the model's order.
    Valid(
        _HEADER + "class Converter:\n"
        "    def configure(self, task):\n"
        "        self._format, self._schema = describe(task.output_model)\n"
        "        self.spec = task.output_model.model_json_schema()\n"
        "    def enhance_system_prompt(self, base_prompt):\n"
        "        spec = {k: v for k, v in self.spec.items() if k != 'title'}\n"
        "        return base_prompt + json.dumps(self._schema, indent=2) + json.dumps(spec)\n"
    ),
    # A dict literal with constant keys whose values are strings, as their annotations say:
    # its keys are inserted in the order written.
    Valid(
        _HEADER + "VERSION = 'v2'\n"
        "class Router:\n"
        "    def _texts(self) -> tuple[str, str]:\n"
        "        return self.fast, self.strong\n"
        "    def system_prompt(self, fast_model: str, strong_model: str | None) -> str:\n"
        "        fast, strong = self._texts()\n"
        "        profiles = {'version': VERSION, 'fast': {'model': fast_model, 'profile': fast},\n"
        "                    'strong': {'model': strong_model, 'profile': strong}}\n"
        "        return 'Profiles: ' + json.dumps(profiles)\n"
        "    def ask(self, q):\n"
        "        return oa.chat.completions.create(model='m', messages=[\n"
        "            {'role': 'system', 'content': self.system_prompt('a', 'b')}, {'role': 'user', 'content': q}])\n"
    ),
    # A JSON schema is written once (a model class, a literal, a vendored file) and read as
    # it is, whoever hands it over.
    Valid(
        _HEADER + "from .schemas import load_schema\n"
        "def build_system_prompt(instructions, output_schema):\n"
        "    envelope_schema = load_schema('server_to_client')\n"
        "    return instructions + json.dumps(output_schema) + json.dumps(envelope_schema, indent=2)\n"
    ),
    # A dict literal kept on a class, read off the class: ordered by the class body; and a
    # class imported from a package the project cannot follow, taken at its word.
    Valid(
        _HEADER + "from vendor.tools import ParallelTool\n"
        "class SearchTool:\n"
        "    inputs = {'query': {'type': 'string', 'description': 'What to look for'}}\n"
        "def build_system_prompt():\n"
        "    return 'Tools: ' + json.dumps(SearchTool.inputs) + json.dumps(ParallelTool.inputs)\n"
    ),
    # Serialised once into the newest message: appended, never re-rendered.
    Valid(
        _HEADER + "def tool_message(cid, result):\n"
        "    return {'role': 'tool', 'tool_call_id': cid, 'content': json.dumps(result)}\n"
    ),
    # Not part of a prompt: written to a log.
    Valid(_HEADER + "import logging\ndef log(result):\n    logging.info(json.dumps(result))\n"),
)
UnsortedJson.INVALID = (
    # The history is rendered from stored objects for every request.
    Invalid(
        _HEADER + "def render(m):\n"
        "    return {'role': m.role, 'content': json.dumps(m.args)}\n"
        "class Agent:\n"
        "    def __init__(self):\n"
        "        self.store = []\n"
        "    def ask(self):\n"
        "        messages = [render(m) for m in self.store]\n"
        "        return oa.chat.completions.create(model='m', messages=messages)\n",
        line=5,
        message_contains="serialises each item of `self.store` again on every request",
        fixed=_HEADER + "def render(m):\n"
        "    return {'role': m.role, 'content': json.dumps(m.args, sort_keys=True)}\n"
        "class Agent:\n"
        "    def __init__(self):\n"
        "        self.store = []\n"
        "    def ask(self):\n"
        "        messages = [render(m) for m in self.store]\n"
        "        return oa.chat.completions.create(model='m', messages=messages)\n",
    ),
    Invalid(
        _HEADER + "def ask(history):\n"
        "    messages = []\n"
        "    for event in history:\n"
        "        messages.append({'role': event.role, 'content': json.dumps(event.payload)})\n"
        "    return oa.chat.completions.create(model='m', messages=messages)\n",
        line=7,
    ),
    Invalid(
        _HEADER + "def tool_message(cid, result):\n"
        "    return {'role': 'tool', 'tool_call_id': cid, 'content': json.dumps(result)}\n",
        line=5,
        fixed=_HEADER + "def tool_message(cid, result):\n"
        "    return {'role': 'tool', 'tool_call_id': cid, 'content': json.dumps(result, sort_keys=True)}\n",
        message_contains="sent as a tool message (line 5)",
        settings={"json-in-messages": True},
    ),
    Invalid(
        _HEADER + "def ask(state, q):\n"
        "    context = json.dumps(\n"
        "        state,\n"
        "        indent=2,\n"
        "    )\n"
        "    return oa.chat.completions.create(model='m', messages=[\n"
        "        {'role': 'system', 'content': 'State:\\n' + context},\n"
        "        {'role': 'user', 'content': q}])\n",
        line=5,
        fixed=_HEADER + "def ask(state, q):\n"
        "    context = json.dumps(\n"
        "        state,\n"
        "        indent=2,\n"
        "        sort_keys=True,\n"
        "    )\n"
        "    return oa.chat.completions.create(model='m', messages=[\n"
        "        {'role': 'system', 'content': 'State:\\n' + context},\n"
        "        {'role': 'user', 'content': q}])\n",
    ),
    Invalid(
        _HEADER + "def ask(result, items):\n"
        "    items.append({'type': 'function_call_output', 'call_id': 'c',\n"
        "                  'output': orjson.dumps(result, option=orjson.OPT_INDENT_2).decode()})\n"
        "    return oa.responses.create(model='m', input=items)\n",
        line=6,
        fixed=_HEADER + "def ask(result, items):\n"
        "    items.append({'type': 'function_call_output', 'call_id': 'c',\n"
        "                  'output': orjson.dumps(result, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()})\n"
        "    return oa.responses.create(model='m', input=items)\n",
        settings={"json-in-messages": True},
    ),
    Invalid(
        _HEADER + "def build_system_prompt(account):\n"
        "    return 'Account: ' + json.dumps(account.settings)\n",
        line=5,
        message_contains="the system prompt returned by build_system_prompt()",
    ),
    # Constant keys, but a value that may be any dict: its keys keep the caller's order.
    Invalid(
        _HEADER + "def build_system_prompt(account, region: str):\n"
        "    return 'Account: ' + json.dumps({'region': region, 'settings': account.settings})\n",
        line=5,
    ),
    # Kept on the instance, but handed over by the caller, or filled as the code runs.
    Invalid(
        _HEADER + "class Converter:\n"
        "    def __init__(self, settings):\n"
        "        self.settings = settings\n"
        "    def enhance_system_prompt(self, base_prompt):\n"
        "        return base_prompt + json.dumps(self.settings)\n",
        line=8,
    ),
    Invalid(
        _HEADER + "class Converter:\n"
        "    def __init__(self, model):\n"
        "        self.spec = model.model_json_schema()\n"
        "    def learn(self, facts):\n"
        "        self.spec.update(facts)\n"
        "    def enhance_system_prompt(self, base_prompt):\n"
        "        spec = {k: v for k, v in self.spec.items() if k != 'title'}\n"
        "        return base_prompt + json.dumps(spec)\n",
        line=11,
    ),
    # A dict kept on a class and filled as the code runs: not ordered by the source.
    Invalid(
        _HEADER + "class Registry:\n"
        "    entries = {}\n"
        "def build_system_prompt():\n"
        "    return 'Known: ' + json.dumps(Registry.entries)\n",
        line=7,
    ),
    # Options that are None: replaced, not `None | flag` (a TypeError).
    Invalid(
        _HEADER + "def build_system_prompt(account):\n"
        "    return 'Account: ' + orjson.dumps(account.settings, option=None).decode()\n",
        line=5,
        fixed=_HEADER + "def build_system_prompt(account):\n"
        "    return 'Account: ' + orjson.dumps(account.settings, option=orjson.OPT_SORT_KEYS).decode()\n",
    ),
    # Both branches sort, not only the last one.
    Invalid(
        _HEADER + "def build_system_prompt(account, pretty):\n"
        "    option = orjson.OPT_INDENT_2 if pretty else orjson.OPT_NAIVE_UTC\n"
        "    return 'Account: ' + orjson.dumps(account.settings, option=option).decode()\n",
        line=6,
        fixed=_HEADER + "def build_system_prompt(account, pretty):\n"
        "    option = orjson.OPT_INDENT_2 if pretty else orjson.OPT_NAIVE_UTC\n"
        "    return 'Account: ' + orjson.dumps(account.settings, option=option | orjson.OPT_SORT_KEYS).decode()\n",
    ),
    Invalid(
        _HEADER + "def build_system_prompt(account, pretty):\n"
        "    data = orjson.dumps(account.settings, option=orjson.OPT_INDENT_2 if pretty else 0)\n"
        "    return 'Account: ' + data.decode()\n",
        line=5,
        fixed=_HEADER + "def build_system_prompt(account, pretty):\n"
        "    data = orjson.dumps(account.settings, option=(orjson.OPT_INDENT_2 if pretty else 0) | orjson.OPT_SORT_KEYS)\n"
        "    return 'Account: ' + data.decode()\n",
    ),
    # Options that may be None when the code runs.
    Invalid(
        _HEADER + "def build_system_prompt(account, options=None):\n"
        "    return 'Account: ' + orjson.dumps(account.settings, None, options or None).decode()\n",
        line=5,
        fixed=_HEADER + "def build_system_prompt(account, options=None):\n"
        "    return 'Account: ' + orjson.dumps(account.settings, None, ((options or None) or 0) | orjson.OPT_SORT_KEYS).decode()\n",
    ),
)


# Tool results longer than this are not parsed to compare key orders.
_LARGEST_JSON = 1 << 20


def _unstable_key_order(rule: Rule, step: Step) -> Iterator[Diagnostic]:
    """The same object in two tool results of a session with its keys in different orders:
    what produces them does not serialise in a stable order."""
    import orjson

    from ctxlint.diagnostics import Location, RelatedLocation
    from ctxlint.trace.model import TOOL_RESULT
    from ctxlint.trace.reading import decode_json_text

    # Each object (serialised with sorted keys) → its key order and where it was last seen.
    orders = step.session.memo.setdefault(rule.code + ":orders", {})
    current = step.current
    offset = len(current.messages) - len(step.new_messages)
    for position, found in enumerate(step.new_messages, offset):
        for block in found.blocks:
            text = block.text
            if block.kind != TOOL_RESULT or not text.startswith("{") or len(text) > _LARGEST_JSON:
                continue
            value = decode_json_text(text)
            if not isinstance(value, dict) or len(value) < 2:
                continue
            canonical = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
            order = orjson.dumps(value)
            pointer = current.pointer_in_message(position, block.pointer)
            here = (current.path, current.origin.line, pointer)
            first, (path, line, earlier) = orders.setdefault(canonical, (order, here))
            if first != order:
                orders[canonical] = (order, here)
                place = Location(line, 1)
                related = (RelatedLocation(path, place, place, "the earlier result", earlier),)
                yield step.diagnostic(
                    rule,
                    f"the tool result in message {position} has its keys in another order "
                    "than the same object earlier",
                    pointer,
                    help="Serialise tool results with sorted keys",
                    related=related,
                )


def _may_pass_options_unseen(call: ast.Call) -> bool:
    """`**options`, or `*args` beyond the value: what they hold may sort the keys already."""
    if any(keyword.arg is None for keyword in call.keywords):
        return True
    return any(isinstance(argument, ast.Starred) for argument in call.args[1:])


_PROMPT_HELP = (
    "Pass it with its keys sorted (`json.dumps(value, sort_keys=True)`), or use `| tojson`"
)


def _keeps_key_order(part: Part, placeholder: Placeholder) -> bool:
    """Whether the placeholder writes its value's keys in the order the value has: printed as
    it is, or through a JSON writer that keeps the order (Nunjucks' `dump` in promptfoo,
    Handlebars' `json` in Dotprompt). Jinja's `tojson` sorts the keys of every mapping (its
    default policy), and `dictsort` and `pprint` sort too."""
    if placeholder.construct not in ("output", "field"):
        return False
    sorting = {"tojson", "dictsort", "pprint"} & set(placeholder.filters)
    return not (part.syntax == "jinja" and sorting)


# Prompt files: a value whose key order varies, written out by a template in the system part.
_TEMPLATE_RULES = "Use the profile to pick the tone of the answer.\n" * 12
_RENDER_PROFILE = (
    "import json\n"
    "from pathlib import Path\n"
    "from jinja2 import Template\n"
    "SYSTEM = Template((Path(__file__).parent / 'prompts' / 'system.j2').read_text())\n"
    "def compose(settings: dict, names: set[str]):\n"
    "    profile = {name: settings[name] for name in names}\n"
    "    return SYSTEM.render(profile=VALUE)\n"
)
UnsortedJson.INVALID += (
    Invalid(
        "Customer profile: {{ profile }}\n" + _TEMPLATE_RULES,
        kind=InputKind.PROMPT,
        filename="prompts/system.j2",
        files={"agent.py": _RENDER_PROFILE.replace("VALUE", "json.dumps(profile)")},
        line=1,
        message_contains="passed by",
    ),
)
UnsortedJson.VALID += (
    # Jinja's tojson sorts the keys of every mapping.
    Valid(
        "Customer profile: {{ profile | tojson }}\n" + _TEMPLATE_RULES,
        kind=InputKind.PROMPT,
        filename="prompts/system.j2",
        files={"agent.py": _RENDER_PROFILE.replace("VALUE", "profile")},
    ),
    Valid(
        "Customer profile: {{ profile }}\n" + _TEMPLATE_RULES,
        kind=InputKind.PROMPT,
        filename="prompts/system.j2",
        files={"agent.py": _RENDER_PROFILE.replace("VALUE", "json.dumps(profile, sort_keys=True)")},
    ),
)

# TypeScript and JavaScript: key orders that differ between two requests of a conversation.
_ANTHROPIC_TS = 'import Anthropic from "@anthropic-ai/sdk";\nconst client = new Anthropic();\n'
UnsortedJson.INVALID += (
    # Each server's key is added when its ping completes: completion order.
    Invalid(
        _ANTHROPIC_TS + "export async function ask(messages, servers) {\n"
        "  const status = {};\n"
        "  await Promise.all(servers.map(async (server) => {\n"
        "    status[server.name] = await server.ping();\n"
        "  }));\n"
        "  const system = `Servers: ${JSON.stringify(status)}`;\n"
        '  return client.messages.create({ model: "m", max_tokens: 9, system, messages });\n'
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=8,
        message_contains="`JSON.stringify()` without sorted keys reaches the system prompt",
    ),
    # A kept tool call's validated input, written again into the history for every request.
    Invalid(
        "export function toChatMessages(content) {\n"
        "  const toolCalls = [];\n"
        "  for (const part of content) {\n"
        '    if (part.type === "tool-call") {\n'
        "      toolCalls.push({\n"
        '        id: part.toolCallId, type: "function",\n'
        "        function: { name: part.toolName, arguments: JSON.stringify(part.input) },\n"
        "      });\n"
        "    }\n"
        "  }\n"
        "  return toolCalls;\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="convert.ts",
        line=7,
        message_contains="serialises the tool call's `part.input` again on every request",
        settings={"json-in-messages": True},
    ),
)
UnsortedJson.VALID += (
    # An object literal: its keys come in the order the source writes them, every time.
    Valid(
        _ANTHROPIC_TS + "export function ask(messages, user) {\n"
        "  const system = `User: ${JSON.stringify({ name: user.name, plan: user.plan })}`;\n"
        '  return client.messages.create({ model: "m", max_tokens: 9, system, messages });\n'
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
    # Built from `Promise.all`'s results, which keep the order of its input.
    Valid(
        _ANTHROPIC_TS + "export async function ask(messages, servers) {\n"
        "  const entries = await Promise.all(servers.map(async (s) => [s.name, await s.ping()]));\n"
        "  const system = `Servers: ${JSON.stringify(Object.fromEntries(entries))}`;\n"
        '  return client.messages.create({ model: "m", max_tokens: 9, system, messages });\n'
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
    # Serialised with sorted keys.
    Valid(
        'import stringify from "safe-stable-stringify";\n'
        "export function toChatMessages(parts) {\n"
        "  return parts.map((part) => ({\n"
        '    id: part.toolCallId, type: "function",\n'
        "    function: { name: part.toolName, arguments: stringify(part.input) },\n"
        "  }));\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="convert.ts",
    ),
)
