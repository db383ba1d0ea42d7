"""CTX001: a value that changes on every call sits in the cached prefix."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from itertools import chain
from typing import TYPE_CHECKING

from ctxlint.diagnostics import Applicability, Diagnostic, Fix
from ctxlint.python.framework_flags import SWITCH_NEEDLES
from ctxlint.python.triggers import Trigger
from ctxlint.redact import evidence
from ctxlint.rule import InputKind, Invalid, Rule, Valid

if TYPE_CHECKING:
    from ctxlint.prompt_files.checked import PromptCheck
    from ctxlint.python.flow import Reached
    from ctxlint.python.module import PythonModule
    from ctxlint.python.sinks import Sink
    from ctxlint.trace.compare import Step
    from ctxlint.typescript.module import ScriptModule


class VolatileValueInPrefix(Rule):
    """
    ## What it does
    Flags a value that changes from call to call (the wall-clock time, a random id) flowing
    into the cached prefix of an LLM request: the system prompt or instructions, the tool
    definitions, or a system/developer message.

    In recorded traces, it flags a system prompt, tool list or early message that differs
    between consecutive requests of a session only in a span that looks volatile (a timestamp,
    a date, an epoch number, a UUID, a hex id, a counter).

    ## Why is this bad?
    Providers cache the longest prefix a request shares with an earlier one, token by token.
    One changed token near the front invalidates everything after it: with a timestamp in the
    system prompt, every request re-reads the tools, the system prompt and the whole history at
    the full input price (about ten times the cached price) and with a slower first token. An
    agent that sends 50,000 prompt tokens per step pays for all of them, every step.

    Values computed once at import time are stable for the life of the process and are not
    flagged. A date without a time of day changes at most once a day, which caches that live
    minutes to hours hardly notice: it is accepted unless `flag-daily-values` is set. That
    includes a clock read printed with its time and sliced down to the date, as in
    `datetime.now().isoformat()[:10]` or `str(datetime.now())[:10]`.

    A value stamped on an item when it is appended to a list the object keeps (a message's
    timestamp or id in its history) is computed once, when the item is added, and rendered
    the same way afterwards: not flagged. Nor is a pydantic-ai `@agent.system_prompt` without
    `dynamic=True`: it runs when a conversation starts and its text is kept in the message
    history that later runs pass back; a dynamic one (unless `on_change='append'`) and
    `@agent.instructions` run on every run and are flagged.

    ## Example
    ```python
    from datetime import datetime
    import anthropic

    client = anthropic.Anthropic()

    def ask(question):
        system = f"You are a helpful assistant. Now: {datetime.now():%Y-%m-%d %H:%M}."
        return client.messages.create(
            model="claude-sonnet-4-5", max_tokens=1024, system=system,
            messages=[{"role": "user", "content": question}],
        )
    ```

    Use instead:
    ```python
    def ask(question):
        system = "You are a helpful assistant."
        now = f"Current time: {datetime.now():%Y-%m-%d %H:%M}."
        return client.messages.create(
            model="claude-sonnet-4-5", max_tokens=1024, system=system,
            messages=[{"role": "user", "content": f"{now}\\n\\n{question}"}],
        )
    ```
    The volatile value now rides in the newest user message, after everything the cache can
    reuse.

    ## Prompt files
    In a prompt file (a Jinja template, Prompty, Dotprompt, Semantic Kernel, promptfoo or
    LangChain prompt, text with `{placeholders}`), it flags a placeholder in the part that is
    cached (the system or instructions part, a message before the newest one, or a template
    whose role is not known) whose value changes on every render:
    - the template reads the clock or a random value itself: `{{ now() }}`, `| random`,
      `| shuffle`, Nunjucks' `"now" | date`, Semantic Kernel's `{{time.now}}` (to the
      minute) or `{{time.time}}` (`{{time.date}}` and `{{time.today}}` are to the day);
    - the project's Python code renders the file with such a value:
      `template.render(now=datetime.now().isoformat())`. The finding points at the value
      passed. Fed a date (`date.today()`), the same placeholder is silent;
    - with no render in sight, a placeholder named like the time now (`{{current_time}}`,
      `{timestamp}`, `{{ now }}`) in a part whose role the file states (a `system:` line,
      `<message role="system">`, a file named `system.j2`), and the message says it is
      judged by the name. Names of a date (`{{ date }}`, `{today}`) are flagged only with
      `flag-daily-values`.

    The message says how much of the cached prefix precedes the placeholder: the rest is
    re-read at the full price on every request. In a system part, the request's messages
    follow it (on a conversation's later turns, its whole history), so even at its end it
    costs them all. Elsewhere, a value with less than some 100 tokens of cached text after it
    and no history costs less than a request's own new message, and is not reported. One
    finding is made per part, at the first such placeholder; the others are its notes.

    ## TypeScript and JavaScript
    In TypeScript and JavaScript, it flags `new Date()`, `Date.now()`, `moment()`, `dayjs()`,
    `crypto.randomUUID()`, `Math.random()`, `nanoid()` and the like reaching the system prompt,
    instructions or tools of an SDK call (`client.messages.create`,
    `client.chat.completions.create`, `client.responses.create`, the AI SDK's `generateText`
    and `streamText`, `new Agent` of `@openai/agents` or Mastra, LangChain's `SystemMessage`,
    `["system", text]`, `bindTools` and `createAgent`, Google Gen AI's `systemInstruction` and
    `tools`), followed within the file. A date alone (`.toISOString().slice(0, 10)`,
    `.toLocaleDateString()`, `moment().format("YYYY-MM-DD")`, date-fns
    `format(new Date(), "yyyy-MM-dd")`) is accepted unless `flag-daily-values` is set; a value
    read when the module loads is not flagged. Its fix is described under Fix safety.

    ## Fix safety
    The fix is unsafe: the model no longer sees the time of day, which some prompts need, and
    a format in a helper also changes for the other values it prints. It is offered only for
    a clock read shown with its time of day, and the prompt then changes once a day instead of
    on every call:
    - A literal strftime format, or an f-string format spec, that also shows the date is cut
      down to the date. Each time-of-day group (hours to microseconds, am/pm, `%X`, `%r`, `%s`,
      with a zone or an "at" that goes with the time) is removed with the separators that
      belong to it; one separator stays between the fields it stood between, and brackets stay
      balanced: `"%a %b %d %H:%M:%S %Y"` becomes `"%a %b %d %Y"`, and `"%Y-%m-%d %H:%M (%A)"`
      becomes `"%Y-%m-%d (%A)"`. The literal keeps its quotes and prefix.
    - `.isoformat()` becomes `.date().isoformat()`.

    There is no fix where the cut is not clearly right: `%c` or a directive the C library may
    print its own way, words or symbols next to the time (`"%d.%m. %H:%M Uhr"`), different
    separators on either side of it, fields that would be left glued together, a format spelled
    with escapes or with a comment between its pieces, or one not written as a literal. A date
    (`date.today()`, or a clock read shown as a date, flagged with `flag-daily-values`) has
    no time to cut and no fix; nor has a clock read sliced after it is printed
    (`.isoformat()[11:19]`), where the cut would move what the slice keeps. Otherwise, move
    the value into the newest user message.

    In TypeScript and JavaScript, the fix (unsafe too) is offered only where the date it
    leaves is the start of the text printed before, in the same time zone, and the value is
    used whole as text (`${…}`, `+`, the text a `.replace()` puts in), not kept in a variable
    that may be read for its time: `${new Date()}` becomes `${new Date().toDateString()}`,
    `.toISOString()` gets `.slice(0, 10)`, `.toLocaleString(locale)` becomes
    `.toLocaleDateString(locale)` (not with options naming a time field), moment's or dayjs's
    `.format()` becomes
    `.format("YYYY-MM-DD")`, and a format literal of moment, dayjs or date-fns that is a date,
    one separator and a time keeps its date (`"YYYY-MM-DD HH:mm"` becomes `"YYYY-MM-DD"`,
    date-fns `"PPpp"` becomes `"PP"`). `Date.now()` is a number and gets none.

    ## Options
    - `flag-daily-values` (default false): also flag dates without a time of day.

    ## References
    - [Anthropic: prompt caching](https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching)
    - [OpenAI: prompt caching](https://platform.openai.com/docs/guides/prompt-caching)
    - [Manus: context engineering for AI agents](https://manus.im/blog/Context-Engineering-for-AI-Agents-Lessons-from-Building-Manus)
    """

    code = "CTX001"
    name = "volatile-value-in-prefix"
    reports_in_other_modules = True
    python_trigger = Trigger(
        needles=(
            b"now(",
            b"today(",
            b"time(",
            b"time_ns(",
            b"ctime(",
            b"asctime(",
            b"localtime(",
            b"gmtime(",
            b"strftime(",
            b"monotonic(",
            b"perf_counter(",
            b"uuid",
            b"urandom",
            b"getrandom",
            b"random",
            b"secrets",
        ),
        standalone_needles=SWITCH_NEEDLES["CTX001"],
    )
    summary = "A value that changes on every call reaches the cached prefix"
    fix_title = "Coarsen the timestamp to the date"
    fix_applicability = Applicability.UNSAFE

    def check_trace(self, step: Step) -> Iterator[Diagnostic]:
        if step.previous is None:
            return
        reported = step.session.memo.setdefault(self.code, set())
        changes = []
        current = step.current
        if step.system_volatile is not None:
            pointer, offset = current.system_pointer(step.system_volatile.after_span[0])
            changes.append(("the system prompt", step.system_volatile, pointer, offset))
        for tool in step.tool_changes:
            if tool.volatile is not None:
                where = f"the definition of tool `{evidence(tool.name)}`"
                changes.append((where, tool.volatile, current.tool_pointer(tool.name), None))
        history = step.history
        if history is not None and history.volatile is not None:
            role = history.before.role if history.before else "message"
            where = f"message {history.position} ({role})"
            pointer = current.message_pointer(history.position)
            changes.append((where, history.volatile, pointer, None))
        for where, change, pointer, offset in changes:
            # The same value changes on every request: report where it is once per session.
            if where in reported:
                continue
            reported.add(where)
            yield step.diagnostic(
                self,
                f"{where} changed only in a volatile value: "
                f"`{evidence(change.before)}` became `{evidence(change.after)}`",
                pointer,
                help=_TRACE_HELP,
                related=step.previous_location("the previous request"),
                offset=offset,
            )

    def check_prompt(self, prompt: PromptCheck) -> Iterator[Diagnostic]:
        from ctxlint.prompt_files import judging, moves
        from ctxlint.prompt_files import placeholder_kinds as kinds

        daily = prompt.flag_daily_values
        hits = []
        for part, placeholder, position in judging.prefix_placeholders(prompt):
            if position.costs_little:
                continue
            what = kinds.clock_in_template(placeholder, daily)
            if what is not None:
                fix = moves.move_to_part_end(prompt, part, placeholder)
                hits.append(judging.Hit(part, placeholder, position, what, fix=fix))
            elif judging.values_seen(prompt, placeholder):
                for render, value in judging.passed(prompt, placeholder):
                    if value.volatile is not None:
                        related = (judging.passed_note(render, value),)
                        hits.append(
                            judging.Hit(part, placeholder, position, value.volatile, related)
                        )
                        break
            elif judging.names_may_judge(prompt, part, position):
                named = kinds.clock_by_name(placeholder, daily)
                if named is not None:
                    what = f"is named like {named}"
                    fix = moves.move_to_part_end(prompt, part, placeholder)
                    hits.append(
                        judging.Hit(part, placeholder, position, what, by_name=True, fix=fix)
                    )
        yield from judging.diagnostics(prompt, self, hits)

    def check_typescript(self, module: ScriptModule) -> Iterator[Diagnostic]:
        from ctxlint.typescript.flow import reached
        from ctxlint.typescript.opt_in import behind_an_opt_in
        from ctxlint.typescript.scope import in_a_function
        from ctxlint.typescript.volatile import chain as method_chain
        from ctxlint.typescript.volatile import through_variable, volatile

        # A read is judged once per place that shows it, as the whole expression there (the
        # first met: `new Date().toISOString().slice(0, 10)` before its receiver), and
        # flagged once.
        judged: set[tuple[str, int, int]] = set()
        flagged: set[tuple[str, int]] = set()
        walked: set[tuple[str, int, int]] = set()
        for sink in module.sinks:
            # Into the files this one imports: a builder there, a const, a re-export.
            for part in reached(module.parsed, sink, module.project, walked):
                where = part.parsed or module.parsed
                read, _ = method_chain(part.node)
                shown = through_variable(read, part.shown)
                key = (where.path, read.id, shown.id if shown is not None else 0)
                if (where.path, read.id) in flagged or key in judged:
                    continue
                judged.add(key)
                daily = module.flag_daily_values
                found = volatile(where, part.node, daily, part.shown)
                # Run once when the module loads, the value is the same for every call: a
                # read at the top level, or in a function a top-level initialiser calls.
                if found is None or not in_a_function(found.read) or part.at_load:
                    continue
                # Built only when an option off by default is turned on: a choice made.
                if behind_an_opt_in(where, found.read):
                    continue
                flagged.add((where.path, read.id))
                quoted = where.text(found.read)
                quoted = quoted if len(quoted) <= 40 else "this call"
                message = f"`{quoted}` {found.volatility} and reaches {sink.part}"
                related = (module.related(sink.call, f"sent as {sink.label}"),)
                # A fix edits the file being checked: none for a value read in another.
                fixable = shown is None and where is module.parsed
                fix = _script_coarsen_fix(module, found) if fixable else None
                help = _HELP + (", or keep only the date" if fix is not None else "")
                yield module.diagnostic(self, found.read, message, related, help, fix, where)

    def check_python(self, module: PythonModule) -> Iterator[Diagnostic]:
        from ctxlint.python.framework_flags import framework_switches, switch_message
        from ctxlint.python.volatile import how_volatile

        flagged: set[int] = set()
        # A walk shared by several sinks is decided once: what it holds is flagged the first
        # time, whichever sink it is met through.
        done: set[int] = set()
        for sink in module.sinks:
            if not sink.in_prefix:
                continue
            for reached in chain.from_iterable(module.reached_across(sink).parts_not_in(done)):
                if id(reached.node) in flagged or not isinstance(reached.node, ast.Call):
                    continue
                # The clock read may sit in another module the flow entered through a call.
                owner = module.module_of(reached.scope)
                if owner is None:
                    continue
                volatility = how_volatile(reached, owner)
                if volatility is None:
                    continue
                flagged.add(id(reached.node))
                yield _reaches(self, module, owner, sink, reached, volatility)
        # A framework's switch that writes the clock into its system message (agno).
        for switch in framework_switches(module.index, self.code):
            yield module.diagnostic(self, switch.keyword, switch_message(switch), help=_SWITCH_HELP)


_HELP = "Move the value into the newest user message"
_TRACE_HELP = "Keep this part the same on every request; send the value in the newest user message"
_SWITCH_HELP = "Leave it off; put what the model needs in the newest user message"


def _reaches(
    rule: VolatileValueInPrefix,
    module: PythonModule,
    owner: PythonModule,
    sink: Sink,
    reached: Reached,
    volatility: str,
) -> Diagnostic:
    """Reported where the value is read (what the user must change), with the call that sends
    it as a related location. A value read in another module than the one that sends it gets
    no fix: a fix applies to the file being analysed only."""
    node = reached.node
    message = f"`{_call_text(owner, node)}` {volatility} and reaches {sink.label}"
    related = (module.location_of(sink.expression, sink.sent_as(reached.through)),)
    fix = _coarsen_fix(module, reached) if owner is module else None
    help = _HELP + (", or keep only the date" if fix is not None else "")
    return owner.diagnostic(rule, node, message, fix, related, help=help)


def _coarsen_fix(module: PythonModule, reached: Reached) -> Fix | None:
    from ctxlint.python.coarsen import date_only_edit

    edit = date_only_edit(module, reached)
    if edit is None:
        return None
    return Fix(VolatileValueInPrefix.fix_title, (edit,), Applicability.UNSAFE)


def _script_coarsen_fix(module: ScriptModule, found) -> Fix | None:
    """A clock read shown with its time, shown as the date alone (ctxlint.typescript.coarsen);
    never for a value reached through a variable, which may be read elsewhere."""
    from ctxlint.typescript.coarsen import date_only_edit
    from ctxlint.typescript.volatile import CLOCK

    edit = date_only_edit(module.parsed, found) if found.volatility == CLOCK else None
    if edit is None:
        return None
    return Fix(VolatileValueInPrefix.fix_title, (edit,), Applicability.UNSAFE)


def _call_text(module: PythonModule, call: ast.Call) -> str:
    text = module.text_of(call.func)
    return f"{text}()" if len(text) <= 40 else "this call"


_HEADER = "from datetime import datetime\nimport time, uuid\nimport anthropic, openai\n"
_HEADER += "client = anthropic.Anthropic()\noa = openai.OpenAI()\n"

_BUILDER = (
    "class PromptBuilder:\n"
    "    def __init__(self):\n"
    "        self.sections = []\n"
    "    def add_section(self, section):\n"
    "        self.sections.append(section)\n"
    "    def build(self):\n"
    "        return '\\n'.join(self.sections)\n"
    "def time_section():\n"
    "    return f'Time: {datetime.now():%H:%M}'\n"
)

_TTL_CACHED = (
    "_cache = None\n"
    "def system_prompt():\n"
    "    global _cache\n"
    "    now = time.time()\n"
    "    if _cache is not None:\n"
    "        cached_at, cached = _cache\n"
    "        if now - cached_at < 60:\n"
    "            return cached\n"
    "    text = {text}\n"
    "    _cache = (now, text)\n"
    "    return text\n"
    "def ask(q):\n"
    "    return client.messages.create(model='m', max_tokens=9, system=system_prompt(),\n"
    "        messages=q)\n"
)

# A router returns what it extracted and how long it took; the caller keeps the first in the
# context its system prompt is built from, and logs the second.
_ROUTER = (
    "import time\n"
    "import openai\n"
    "client = openai.OpenAI()\n"
    "class Router:\n"
    "    def __init__(self):\n"
    "        self.context = {{}}\n"
    "    async def _decide_llm(self, history, start):\n"
    "        params = {part}\n"
    "        return params, (time.perf_counter() - start) * 1000\n"
    "    async def decide(self, history):\n"
    "        start = time.perf_counter()\n"
    "        result = await self._decide_llm(history, start)\n"
    "        return result\n"
    "    async def reply(self, history):\n"
    "        params, latency = await self.decide(history)\n"
    "        self.context.update(params)\n"
    "        print(latency)\n"
    "        messages = [{{'role': 'system', 'content': f'Known: {{self.context}}'}}, *history]\n"
    "        return client.chat.completions.create(model='m', messages=messages)\n"
)

VolatileValueInPrefix.VALID = (
    # A tool that reports on the system prompt returns a record about it, not the prompt.
    Valid(
        _HEADER + "def tool_inspect_system_prompt(query):\n"
        "    prompt = f'You are helpful.\\nCurrent time: {time.strftime(\"%H:%M:%S\")}'\n"
        "    return {'ok': True, 'prompt_details': {'full_prompt': prompt, 'characters': len(prompt)}}\n"
    ),
    # Stamped when a message is added to the kept history: rendering the history again
    # gives each message the time it got when it was added.
    Valid(
        _HEADER + "class Conversation:\n"
        "    def __init__(self):\n"
        "        self.history = []\n"
        "    def add(self, role, content):\n"
        "        message = {'role': role, 'content': content}\n"
        "        message['timestamp'] = datetime.now().isoformat()\n"
        "        message['id'] = str(uuid.uuid4())\n"
        "        self.history.append(message)\n"
        "    def ask(self):\n"
        "        transcript = '\\n'.join(f\"{m['timestamp']} {m['role']}: {m['content']}\" for m in self.history)\n"
        "        return client.messages.create(model='m', max_tokens=9, system=transcript, messages=[])\n"
    ),
    # pydantic-ai runs a system prompt function once when a conversation starts and keeps its
    # text in the message history, which later runs pass back without running it again.
    Valid(
        "from datetime import datetime\nfrom pydantic_ai import Agent\nagent = Agent('openai:gpt-4o')\n"
        "@agent.system_prompt\n"
        "def started_at() -> str:\n"
        "    return f'The conversation started at {datetime.now()}.'\n"
    ),
    # A dynamic one that appends its changes after the history keeps the prefix too.
    Valid(
        "from datetime import datetime\nfrom pydantic_ai import Agent\nagent = Agent('openai:gpt-4o')\n"
        "@agent.system_prompt(dynamic=True, on_change='append')\n"
        "def now() -> str:\n"
        "    return f'It is now {datetime.now()}.'\n"
    ),
    # The clock kept beside a cached prompt only decides when to rebuild it.
    Valid(_HEADER + _TTL_CACHED.format(text="'You are terse.'")),
    # A tuple unpacked from a call that returns another call's tuple: only the part it takes
    # (the params, not the latency measured with the clock) reaches the prompt.
    Valid(
        "import time\n"
        "\n"
        "import openai\n"
        "\n"
        "client = openai.OpenAI()\n"
        "\n"
        "\n"
        "class Router:\n"
        "    def __init__(self):\n"
        "        self.context = {}\n"
        "\n"
        "    async def _decide_llm(self, history):\n"
        "        start = time.perf_counter()\n"
        '        params = {"city": history[-1]["content"]}\n'
        "        return params, (time.perf_counter() - start) * 1000\n"
        "\n"
        "    async def decide(self, history):\n"
        "        return await self._decide_llm(history)\n"
        "\n"
        "    async def reply(self, history):\n"
        "        params, latency = await self.decide(history)\n"
        "        self.context.update(params)\n"
        "        print(latency)\n"
        '        messages = [{"role": "system", "content": f"Known: {self.context}"}, *history]\n'
        '        return client.chat.completions.create(model="m", messages=messages)\n'
    ),
    # The same through a name: `result = await self._decide_llm(...)`, then `return result`.
    Valid(_ROUTER.format(part="{'city': history[-1]['content']}")),
    # A function named for every message but the system one returns no system prompt.
    Valid(
        _HEADER + "def _convert_non_system_message(message):\n"
        "    return {'role': 'user', 'content': f'{datetime.now():%H:%M} {message.text}'}\n"
    ),
    # A random id made only when the stored record has none: the record's own id otherwise.
    Valid(
        _HEADER + "def ask(conversation, q):\n"
        "    system = f\"Conversation {conversation.get('id') or str(uuid.uuid4())}\"\n"
        "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n"
    ),
    # The builder's fixed form: the time section goes to the user message instead.
    Valid(
        _HEADER + _BUILDER + "def instructions():\n"
        "    b = PromptBuilder()\n"
        "    b.add_section('You are terse.')\n"
        "    return b.build()\n"
        "def ask(q):\n"
        "    return client.messages.create(model='m', max_tokens=9, system=instructions(),\n"
        "        messages=[{'role': 'user', 'content': time_section() + q}])\n"
    ),
    # Another instance of the builder, never sent, gets the time section.
    Valid(
        _HEADER + _BUILDER + "def instructions():\n"
        "    b = PromptBuilder()\n"
        "    log = PromptBuilder()\n"
        "    b.add_section('You are terse.')\n"
        "    log.add_section(time_section())\n"
        "    print(log.build())\n"
        "    return b.build()\n"
        "def ask(q):\n"
        "    return client.messages.create(model='m', max_tokens=9, system=instructions(),\n"
        "        messages=q)\n"
    ),
    # Computed once at import: stable for the life of the process.
    Valid(
        _HEADER + 'STARTED = datetime.now()\nSYSTEM = f"Session started {STARTED}"\n'
        "def ask(q):\n"
        "    return client.messages.create(model='m', max_tokens=9, system=SYSTEM,\n"
        "        messages=[{'role': 'user', 'content': q}])\n"
    ),
    # The time goes into the newest user message, after the cached prefix.
    Valid(
        _HEADER + "def ask(q):\n"
        "    return oa.chat.completions.create(model='m', messages=[\n"
        "        {'role': 'system', 'content': 'You are terse.'},\n"
        "        {'role': 'user', 'content': f'{datetime.now()}: {q}'}])\n"
    ),
    # A date alone changes once a day: accepted by default.
    Valid(
        _HEADER + "def ask(q):\n"
        '    system = f"Today is {datetime.now():%Y-%m-%d}."\n'
        "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n"
    ),
    # Printed with the time, then sliced down to the date: changes once a day too.
    Valid(
        _HEADER + "def ask(q):\n"
        '    system = f"Today is {datetime.utcnow().isoformat()[:10]}."\n'
        "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n"
    ),
    Valid(
        _HEADER + "def ask(q):\n"
        "    day = str(datetime.now())[:10]\n"
        "    return oa.chat.completions.create(model='m', messages=[\n"
        "        {'role': 'system', 'content': f'Date: {day}'}, {'role': 'user', 'content': q}])\n"
    ),
    Valid(
        _HEADER + "def ask(q):\n"
        "    day = datetime.now().strftime('%Y-%m-%d %H:%M')[0:10]\n"
        "    return client.messages.create(model='m', max_tokens=9, system=day, messages=q)\n"
    ),
    # Not an LLM client: twilio's messages.create is not a sink.
    Valid(
        "from datetime import datetime\nfrom twilio.rest import Client\n"
        "twilio_client = Client('sid', 'token')\n"
        "def notify():\n"
        "    twilio_client.messages.create(body=f'at {datetime.now()}', system='x', to='+1')\n"
    ),
    # A chat app's "system message" is not a prompt: no LLM library in sight.
    Valid(
        "from datetime import datetime\n"
        "def notify(room):\n"
        "    system_message = f'Server restarted at {datetime.now()}'\n"
        "    room.post(system_message)\n"
    ),
    # A system note appended to the kept history mid-conversation: a new message at the end,
    # kept as it is from then on, not the cached prefix.
    Valid(
        _HEADER + "class Chat:\n"
        "    def __init__(self):\n"
        "        self.messages = []\n"
        "    def note_time(self):\n"
        "        self.messages.append({'role': 'system', 'content': f'It is {time.time()}'})\n"
        "    def send(self, text):\n"
        "        self.messages.append({'role': 'user', 'content': text})\n"
        "        return client.messages.create(model='m', max_tokens=9, messages=self.messages)\n"
    ),
    # A token count is never served from the cache nor writes it.
    Valid(
        _HEADER + "def size(history):\n"
        "    return client.messages.count_tokens(model='m', system=f'Now {time.time()}',\n"
        "        messages=history)\n"
    ),
    # A cached builder runs once.
    Valid(
        _HEADER + "import functools\n@functools.lru_cache\ndef build_system_prompt():\n"
        "    return f'Started {time.time()}'\n"
    ),
)
VolatileValueInPrefix.INVALID = (
    # Emptied and filled again on every call: what is appended is computed anew each time.
    Invalid(
        _HEADER + "class Prompt:\n"
        "    def __init__(self):\n"
        "        self.parts = []\n"
        "    def build(self):\n"
        "        self.parts = ['You are helpful.']\n"
        "        self.parts.append(f'Now: {datetime.now()}')\n"
        "        return '\\n'.join(self.parts)\n"
        "    def ask(self, history):\n"
        "        return client.messages.create(model='m', max_tokens=9, system=self.build(), messages=history)\n",
        line=11,
    ),
    # A dynamic pydantic-ai system prompt is run again on every run and rewrites its part at
    # the start of the history; instructions are run on every run too.
    Invalid(
        "from datetime import datetime\nfrom pydantic_ai import Agent\nagent = Agent('openai:gpt-4o')\n"
        "@agent.system_prompt(dynamic=True)\n"
        "def now() -> str:\n"
        "    return f'It is now {datetime.now()}.'\n",
        line=6,
    ),
    Invalid(
        "from datetime import datetime\nfrom pydantic_ai import Agent\nagent = Agent('openai:gpt-4o')\n"
        "@agent.instructions\n"
        "def now() -> str:\n"
        "    return f'It is now {datetime.now()}.'\n",
        line=6,
    ),
    # The cached prompt holds the clock read it was built with.
    Invalid(_HEADER + _TTL_CACHED.format(text="f'Now: {now}'"), line=9),
    # A builder: the section added to the instance is what its build() returns.
    Invalid(
        _HEADER + _BUILDER + "def instructions():\n"
        "    b = PromptBuilder()\n"
        "    b.add_section('You are terse.')\n"
        "    b.add_section(time_section())\n"
        "    return b.build()\n"
        "def ask(q):\n"
        "    return client.messages.create(model='m', max_tokens=9, system=instructions(),\n"
        "        messages=q)\n",
        line=14,
        message_contains="through instructions()",
    ),
    # The part the caller unpacks and puts in the prompt is the one stamped with the clock.
    Invalid(
        _ROUTER.format(part="{'asked_at': time.time()}"),
        line=8,
        message_contains="through decide() → _decide_llm()",
    ),
    # A random fallback for a missing name, not an id: made anew on every request.
    Invalid(
        _HEADER + "def ask(user, q):\n"
        "    system = f\"You help {user.get('name') or uuid.uuid4().hex}\"\n"
        "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n",
        line=7,
        message_contains="random",
    ),
    # Through a helper's parameter: the call site supplies the volatile value.
    Invalid(
        _HEADER + "def ask(system, q):\n"
        "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n"
        "def run(q):\n"
        "    return ask(f'Now {time.time()}', q)\n",
        line=9,
        message_contains="sent as the system prompt of client.messages.create (line 7)",
    ),
    Invalid(
        _HEADER + "def ask(q):\n"
        '    system = f"Now: {datetime.now():%Y-%m-%d %H:%M}"\n'
        "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n",
        line=7,
        fixed=_HEADER + "def ask(q):\n"
        '    system = f"Now: {datetime.now():%Y-%m-%d}"\n'
        "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n",
        message_contains="sent as the system prompt of client.messages.create (line 8)",
    ),
    Invalid(
        _HEADER + "def build_system_prompt(user):\n"
        "    stamp = datetime.now().strftime('%Y-%m-%d %H:%M:%S')\n"
        "    return f'You help {user}. Time: {stamp}'\n",
        line=7,
        fixed=_HEADER + "def build_system_prompt(user):\n"
        "    stamp = datetime.now().strftime('%Y-%m-%d')\n"
        "    return f'You help {user}. Time: {stamp}'\n",
    ),
    # The time goes with its own separators; the literal keeps its quotes inside the f-string.
    Invalid(
        _HEADER + "def ask(q):\n"
        "    system = f'Now: {datetime.now().strftime(\"%a %b %d %H:%M:%S %Y\")}'\n"
        "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n",
        line=7,
        fixed=_HEADER + "def ask(q):\n"
        "    system = f'Now: {datetime.now().strftime(\"%a %b %d %Y\")}'\n"
        "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n",
    ),
    Invalid(
        _HEADER + "def run(task):\n"
        "    messages = [{'role': 'system', 'content': f'Request {uuid.uuid4().hex}'},\n"
        "                {'role': 'user', 'content': task}]\n"
        "    return oa.chat.completions.create(model='m', messages=messages)\n",
        line=7,
        message_contains="random",
    ),
    Invalid(
        _HEADER + "class Agent:\n"
        "    def __init__(self):\n"
        "        self.instructions = 'Be brief. Started at ' + time.ctime()\n"
        "    def step(self, items):\n"
        "        return oa.responses.create(model='m', instructions=self.instructions,\n"
        "                                   input=items)\n",
        line=8,
    ),
    Invalid(
        _HEADER + "def ask(q):\n"
        '    system = f"Today is {datetime.now():%Y-%m-%d}."\n'
        "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n",
        line=7,
        settings={"flag-daily-values": True},
    ),
    Invalid(
        _HEADER + "def ask(q):\n"
        '    system = f"Today is {datetime.utcnow().isoformat()[:10]}."\n'
        "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n",
        line=7,
        message_contains="changes every day",
        settings={"flag-daily-values": True},
    ),
    # Sliced, but not down to the date: the hour is still in it.
    Invalid(
        _HEADER + "def ask(q):\n"
        '    system = f"Now: {datetime.now().isoformat()[:13]}h"\n'
        "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n",
        line=7,
        message_contains="reads the clock",
    ),
)

# Agent frameworks (framework_sinks.py) and agent classes whose constructor keeps the value
# that their prompt is built from (wrappers.py): the constructor's caller supplies the clock.
_AGENT_SUBCLASS = (
    "from datetime import datetime\n"
    "from agentscope.agent import ReActAgent\n"
    "class HelperAgent(ReActAgent):\n"
    "    def __init__(self, env_context=None):\n"
    "        self._env_context = env_context\n"
    "        super().__init__(name='helper', sys_prompt=self._compose())\n"
    "    def _compose(self):\n"
    "        text = 'You are a helpful assistant.'\n"
    "        if self._env_context is not None:\n"
    "            text = text + '\\n\\n' + self._env_context\n"
    "        return text\n"
    "def environment():\n"
    "    return f'Current time: {{datetime.now():{time_format}}}'\n"
    "async def handle(query):\n"
    "    agent = HelperAgent(env_context=environment())\n"
    "    return await agent(query)\n"
)
_FRAMEWORK_INVALID = (
    Invalid(
        _AGENT_SUBCLASS.format(time_format="%Y-%m-%d %H:%M:%S"),
        line=13,
        fixed=_AGENT_SUBCLASS.format(time_format="%Y-%m-%d"),
        message_contains="the system prompt of super().__init__, through _compose()",
    ),
    Invalid(
        "import time\n"
        "from crewai import Agent\n"
        "def researcher():\n"
        "    return Agent(role='Researcher', goal='Find sources',\n"
        "                 backstory=f'Started at {time.time()}.')\n",
        line=5,
        message_contains="the system prompt of Agent",
    ),
    Invalid(
        "import uuid\n"
        "from google.adk.agents import LlmAgent\n"
        "def build():\n"
        "    return LlmAgent(name='a', instruction=f'Request {uuid.uuid4()}.')\n",
        line=4,
    ),
)
_FRAMEWORK_VALID = (
    Valid(_AGENT_SUBCLASS.format(time_format="%Y-%m-%d")),
    # `sys_prompt=` of a class that is no framework's agent is not known to be sent.
    Valid(
        "import time\n"
        "class Notes:\n"
        "    def __init__(self, sys_prompt):\n"
        "        self.sys_prompt = sys_prompt\n"
        "def make():\n"
        "    return Notes(sys_prompt=f'{time.time()}')\n"
    ),
    # The constructor keeps the value for the user's message, not for the system prompt.
    Valid(
        "from datetime import datetime\n"
        "from agentscope.agent import ReActAgent\n"
        "class HelperAgent(ReActAgent):\n"
        "    def __init__(self, started):\n"
        "        self.started = started\n"
        "        super().__init__(name='helper', sys_prompt='You are a helpful assistant.')\n"
        "    def greeting(self):\n"
        "        return {'role': 'user', 'content': f'Started {self.started}'}\n"
        "async def handle(query):\n"
        "    return await HelperAgent(started=datetime.now())(query)\n"
    ),
    # A crewai task's description is the user's turn, after the cached prefix.
    Valid(
        "import time\n"
        "from crewai import Agent, Task\n"
        "def task(agent):\n"
        "    return Task(description=f'Report at {time.time()}', agent=agent)\n"
    ),
)
_DATETIME_SWITCH = (
    "from agno.agent import Agent\n"
    "def create_agent(model):\n"
    "    return Agent(model=model, add_datetime_to_context=True{format})\n"
)
_FRAMEWORK_INVALID += (
    # agno writes `str(datetime.now())` into the system message of every run.
    Invalid(_DATETIME_SWITCH.format(format=""), line=3, message_contains="the current time"),
    Invalid(_DATETIME_SWITCH.format(format=", datetime_format='%Y-%m-%d %H:%M'"), line=3),
)
_FRAMEWORK_VALID += (
    # Written to the day: the system message changes once a day.
    Valid(_DATETIME_SWITCH.format(format=", datetime_format='%Y-%m-%d'")),
    # A format read from the settings is not known here.
    Valid(_DATETIME_SWITCH.format(format=", datetime_format=settings.datetime_format")),
)
# A constructor's parameter kept on self and read by the method that builds the prompt: the
# calls of the class supply it.
_KEPT_BY_CONSTRUCTOR = (
    "from datetime import datetime\n"
    "from agentscope.agent import ReActAgent\n"
    "class Prompted:\n"
    "    def __init__(self, started_at):\n"
    "        self.started_at = started_at\n"
    "    def agent(self):\n"
    "        when = self.started_at.strftime('%Y-%m-%d %H:%M')\n"
    "        return ReActAgent(name='a', sys_prompt=f'You are terse. Started {{when}}.')\n"
    "{caller}"
)
_FRAMEWORK_INVALID += (
    Invalid(
        _KEPT_BY_CONSTRUCTOR.format(
            caller="def run():\n    return Prompted(started_at=datetime.now()).agent()\n"
        ),
        line=10,
        message_contains="sent as the system prompt of ReActAgent (line 8)",
    ),
)
_FRAMEWORK_VALID += (
    # Built once, at import: the prompt is the same for every request of the process.
    Valid(_KEPT_BY_CONSTRUCTOR.format(caller="PROMPTED = Prompted(started_at=datetime.now())\n")),
    Valid(
        _KEPT_BY_CONSTRUCTOR.format(
            caller="def run():\n    return Prompted(started_at=datetime.now().date()).agent()\n"
        )
    ),
)
# The project's own model layer: a call named as a model call, handed a history, takes
# `system=` as the system prompt (sinks.py).
_MODEL_LAYER = (
    "from datetime import datetime\n"
    "class Session:\n"
    "    def __init__(self, provider):\n"
    "        self.provider = provider\n"
    "    async def step(self, history):\n"
    "        system = f'You are terse. Now: {{datetime.now():%H:%M}}'\n"
    "        return await self.provider.{call}\n"
)
_FRAMEWORK_INVALID += (
    Invalid(
        _MODEL_LAYER.format(call="complete(model='m', system=system, messages=history)"),
        line=6,
        message_contains="the system prompt of self.provider.complete (line 7)",
    ),
)
_FRAMEWORK_VALID += (
    # No history handed over: not known to be a chat request.
    Valid(_MODEL_LAYER.format(call="complete(model='m', system=system, prompt='hi')")),
    # Not named as a model call.
    Valid(_MODEL_LAYER.format(call="record(system=system, messages=history)")),
)
# A LangChain system prompt template whose variable is given the clock when it is invoked
# (template_sinks.py).
_TEMPLATE = (
    "from datetime import datetime\n"
    "from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder\n"
    "from langchain_openai import ChatOpenAI\n"
    "prompt = ChatPromptTemplate.from_messages(\n"
    "    [({role!r}, 'You help at home. It is {{now}}.'), MessagesPlaceholder('messages')]\n"
    ")\n"
    "chain = prompt | ChatOpenAI(model='gpt-4o')\n"
    "{call}"
)
_REPLY = "def reply(history):\n    return chain.invoke({{'now': {now}, 'messages': history}})\n"
_FRAMEWORK_INVALID += (
    Invalid(
        _TEMPLATE.format(role="system", call=_REPLY.format(now="datetime.now().isoformat()")),
        line=9,
        message_contains='the "now" variable of the system prompt template filled by chain.invoke',
    ),
)
_FRAMEWORK_VALID += (
    Valid(_TEMPLATE.format(role="system", call=_REPLY.format(now="datetime.now().date()"))),
    # The variable is in the user's message, after the cached prefix.
    Valid(_TEMPLATE.format(role="human", call=_REPLY.format(now="datetime.now().isoformat()"))),
    # Filled once, when the module is imported.
    Valid(
        _TEMPLATE.format(
            role="system",
            call="ANSWER = chain.invoke({'now': datetime.now().isoformat(), 'messages': []})\n",
        )
    ),
)
_UPDATE_SYSTEM = (
    "import time\n"
    "{imports}"
    "def refresh(assistant):\n"
    "    assistant.update_system_message(f'You are terse. Clock: {{time.time()}}')\n"
)
_FRAMEWORK_INVALID += (
    # autogen 0.2 replaces the agent's system message.
    Invalid(_UPDATE_SYSTEM.format(imports="import autogen\n"), line=4),
)
_FRAMEWORK_VALID += (
    # Without autogen, `update_system_message` is somebody else's method.
    Valid(_UPDATE_SYSTEM.format(imports="")),
)
_FRAMEWORK_VALID += (
    # The wrapper cuts the clock read it is handed to the day: the caller's value is no finding.
    Valid(
        "from datetime import datetime\n"
        "from langchain_core.messages import HumanMessage, SystemMessage\n"
        "SYSTEM = 'Sort the fact into a folder. Today is {current_date}.'\n"
        "async def categorize(llm, content, current_date):\n"
        "    system = SYSTEM.format(current_date=f'{current_date:%A, %d %B %Y}')\n"
        "    return await llm.ainvoke([SystemMessage(content=system), HumanMessage(content)])\n"
        "async def add(llm, content):\n"
        "    return await categorize(llm, content, current_date=datetime.now())\n"
    ),
)
VolatileValueInPrefix.VALID += _FRAMEWORK_VALID
VolatileValueInPrefix.INVALID += _FRAMEWORK_INVALID

# Prompt files: the template's own clock reads, the values the project's Python passes, and
# names only where no render shows the value.
_RULES_TEXT = "Answer in the customer's language.\n" + "Follow the store's return policy.\n" * 14
# The rendered text goes to a framework the code does not show: only the template says where
# the value sits. (Sent visibly as the system prompt, the Python check reports the value.)
_RENDER_SYSTEM = (
    "from pathlib import Path\n"
    "from {clock} import {name}\n"
    "from jinja2 import Environment, FileSystemLoader\n"
    "env = Environment(loader=FileSystemLoader(Path(__file__).parent / 'prompts'))\n"
    "def compose():\n"
    "    return env.get_template('system.j2').render(now={value})\n"
)
VolatileValueInPrefix.INVALID += (
    # A Prompty system part that states the time before the rules and the history.
    Invalid(
        "---\nname: support\nmodel:\n  api: chat\n---\nsystem:\n"
        "You are the store's support agent. The time is {{current_time}}.\n"
        + _RULES_TEXT
        + "{% for item in history %}\n{{item.role}}:\n{{item.content}}\n{% endfor %}\n",
        kind=InputKind.PROMPT,
        filename="support.prompty",
        line=7,
        message_contains="by its name",
    ),
    # The Python code renders the template with a clock read to the microsecond.
    Invalid(
        "You are the store's support agent. Now: {{ now }}.\n" + _RULES_TEXT,
        kind=InputKind.PROMPT,
        filename="prompts/system.j2",
        files={
            "agent.py": _RENDER_SYSTEM.format(
                clock="datetime", name="datetime", value="datetime.now().isoformat()"
            )
        },
        line=1,
        message_contains="passed by",
    ),
    # Semantic Kernel's TimePlugin: `time.now` is the time to the minute.
    Invalid(
        '<message role="system">It is {{time.now}}.\n'
        + _RULES_TEXT
        + '</message>\n{{$history}}\n<message role="user">{{$input}}</message>\n',
        kind=InputKind.PROMPT,
        filename="Support/Chat/skprompt.txt",
        line=1,
    ),
)
VolatileValueInPrefix.VALID += (
    # The same template fed a date: it changes once a day.
    Valid(
        "You are the store's support agent. Today: {{ now }}.\n" + _RULES_TEXT,
        kind=InputKind.PROMPT,
        filename="prompts/system.j2",
        files={
            "agent.py": _RENDER_SYSTEM.format(clock="datetime", name="date", value="date.today()")
        },
    ),
    # The time at the very end of the newest user message: nothing cached follows it.
    Valid(
        "---\nname: support\n---\nsystem:\n" + _RULES_TEXT + "user:\n{{question}}\n"
        "Sent at {{current_time}}.\n",
        kind=InputKind.PROMPT,
        filename="support.prompty",
    ),
    # A template of no known role, judged by a variable's name alone: nothing says it is cached.
    Valid(
        "Current time: {current_time}\n" + _RULES_TEXT,
        kind=InputKind.PROMPT,
        filename="prompts/reminder.md",
    ),
)

# TypeScript and JavaScript: the SDKs' documented prefix arguments, within one file.
VolatileValueInPrefix.INVALID += (
    # The Vercel AI SDK: the time, through a local const, in the system prompt.
    Invalid(
        'import { generateText } from "ai";\n'
        "export async function ask(model, question: string) {\n"
        "  const now = new Date().toISOString();\n"
        "  return generateText({ model, system: `You help. Now: ${now}.`, prompt: question });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=3,
        message_contains="reaches the system prompt",
    ),
    # Anthropic: a request object spread under the call, and a helper that adds the time.
    Invalid(
        'import Anthropic from "@anthropic-ai/sdk";\n'
        "const client = new Anthropic();\n"
        "function systemPrompt() {\n"
        "  return `Support agent. ${new Date().toLocaleString()}`;\n"
        "}\n"
        "export async function ask(messages) {\n"
        '  const base = { model: "claude-sonnet-4-5", max_tokens: 1024 };\n'
        "  return client.messages.create({ ...base, system: systemPrompt(), messages });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=4,
        message_contains="client.messages.create",
        fixed='import Anthropic from "@anthropic-ai/sdk";\n'
        "const client = new Anthropic();\n"
        "function systemPrompt() {\n"
        "  return `Support agent. ${new Date().toLocaleDateString()}`;\n"
        "}\n"
        "export async function ask(messages) {\n"
        '  const base = { model: "claude-sonnet-4-5", max_tokens: 1024 };\n'
        "  return client.messages.create({ ...base, system: systemPrompt(), messages });\n"
        "}\n",
    ),
    # OpenAI chat completions in JavaScript: a random id in the system message.
    Invalid(
        'import OpenAI from "openai";\n'
        "const openai = new OpenAI();\n"
        "export async function ask(question) {\n"
        "  return openai.chat.completions.create({\n"
        '    model: "gpt-4.1",\n'
        "    messages: [\n"
        '      { role: "system", content: `Session ${crypto.randomUUID()}` },\n'
        '      { role: "user", content: question },\n'
        "    ],\n"
        "  });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.mjs",
        line=7,
        message_contains="random value",
    ),
    # Mastra: instructions given as a function run for every generation.
    Invalid(
        'import { Agent } from "@mastra/core/agent";\n'
        "export const agent = new Agent({\n"
        '  name: "support",\n'
        "  instructions: async () => `You help. It is ${new Date()}.`,\n"
        "  model,\n"
        "});\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=4,
    ),
    # A tool description with the time, in the tools of streamText.
    Invalid(
        'import { streamText, tool } from "ai";\n'
        "export function chat(model, messages) {\n"
        "  return streamText({\n"
        "    model,\n"
        "    messages,\n"
        "    tools: {\n"
        "      clock: tool({ description: `Checked at ${Date.now()}`, inputSchema }),\n"
        "    },\n"
        "  });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="route.ts",
        line=7,
        message_contains="tool definitions",
    ),
)
VolatileValueInPrefix.VALID += (
    # The time in the user's prompt: after everything the cache reuses.
    Valid(
        'import { generateText } from "ai";\n'
        "export async function ask(model, question: string) {\n"
        "  return generateText({ model, system: 'You help.', prompt: `${new Date()} ${question}` });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
    # A date: it changes once a day (flagged only with flag-daily-values).
    Valid(
        'import { generateText } from "ai";\n'
        "export async function ask(model, question: string) {\n"
        "  const today = new Date().toISOString().slice(0, 10);\n"
        "  const day = new Date().toLocaleDateString();\n"
        "  return generateText({ model, system: `Today is ${today} (${day}).`, prompt: question });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
    # Read once when the module loads: the same for every call of the process.
    Valid(
        'import { Agent } from "@openai/agents";\n'
        "const STARTED = new Date().toISOString();\n"
        "export const agent = new Agent({ name: 'a', instructions: `Up since ${STARTED}` });\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
    # A tool's execute runs when the model calls it: its result is no part of the definition.
    Valid(
        'import { generateText, tool } from "ai";\n'
        "export function ask(model, prompt) {\n"
        "  return generateText({\n"
        "    model,\n"
        "    prompt,\n"
        "    tools: { now: tool({ description: 'The time', execute: async () => new Date().toISOString() }) },\n"
        "  });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.tsx",
    ),
    # A `.messages.create` of some other library: no LLM SDK is imported.
    Valid(
        'import { chat } from "./chat-store";\n'
        "export function post(text) {\n"
        "  return chat.messages.create({ system: `${Date.now()}`, text });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="store.js",
    ),
    # An option off by default: the time is added only when a caller asks for it.
    Valid(
        "export function buildSystemPrompt({ includeTime = false }: { includeTime?: boolean }) {\n"
        '  const time = includeTime ? `\\nTime: ${new Date().toLocaleTimeString()}` : "";\n'
        "  return `You are a coding agent.${time}`;\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="system-prompt.ts",
    ),
    # A state object made once when the module loads: `STATE.cwd` is not `STATE.startedAt`.
    Valid(
        'import Anthropic from "@anthropic-ai/sdk";\n'
        "const client = new Anthropic();\n"
        "function initialState() {\n"
        "  return { startedAt: Date.now(), cwd: process.cwd() };\n"
        "}\n"
        "const STATE = initialState();\n"
        "export function ask(messages) {\n"
        "  const system = `Coding agent in ${STATE.cwd}.`;\n"
        '  return client.messages.create({ model: "claude-sonnet-4-5", max_tokens: 1024, system, messages });\n'
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
)

# Across functions: a value named as the system prompt, and the project's own wrapper of an
# SDK call (across files, see fixtures/projects/ts_*).
VolatileValueInPrefix.INVALID += (
    # A builder the agent loop sends from another module: its name says what it returns.
    Invalid(
        "export function buildSystemPrompt(cwd: string): string {\n"
        "  const time = new Date().toLocaleTimeString();\n"
        "  return `You are a coding agent in ${cwd}. Time: ${time}`;\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="system-prompt.ts",
        line=2,
        message_contains="reaches the system prompt",
    ),
    # A wrapper whose parameter is sent as `system`: what its callers pass there is sent.
    Invalid(
        'import Anthropic from "@anthropic-ai/sdk";\n'
        "const client = new Anthropic();\n"
        "async function complete(system: string, messages) {\n"
        '  return client.messages.create({ model: "claude-sonnet-4-5", max_tokens: 1024, system, messages });\n'
        "}\n"
        "export function ask(messages) {\n"
        "  return complete(`Support agent. Request ${crypto.randomUUID()}`, messages);\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=7,
        message_contains="reaches the system prompt",
    ),
)

# LangChain.js and Google Gen AI (ctxlint.typescript.framework_sinks).
VolatileValueInPrefix.INVALID += (
    # A LangChain system message with the time, sent before the conversation.
    Invalid(
        'import { SystemMessage } from "@langchain/core/messages";\n'
        "export async function ask(model, history) {\n"
        "  const system = new SystemMessage({ content: `Now: ${new Date().toISOString()}` });\n"
        "  return model.invoke([system, ...history]);\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=3,
        message_contains="reaches the system prompt",
    ),
    # A `["system", text]` tuple of a prompt template, built by a helper that adds the time.
    Invalid(
        'import { ChatPromptTemplate } from "@langchain/core/prompts";\n'
        "const systemPrompt = () => `You help. It is ${new Date().toLocaleString()}.`;\n"
        "export function prompt() {\n"
        '  return ChatPromptTemplate.fromMessages([["system", systemPrompt()], ["human", "{q}"]]);\n'
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="prompt.ts",
        line=2,
        message_contains="ChatPromptTemplate.fromMessages",
    ),
    # LangGraph's prebuilt agent, its prompt holding a random id.
    Invalid(
        'import { createReactAgent } from "@langchain/langgraph/prebuilt";\n'
        "export function agent(llm, tools) {\n"
        "  return createReactAgent({ llm, tools, prompt: `Run ${crypto.randomUUID()}` });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=3,
        message_contains="random value",
    ),
    # A tool description with the time, bound to a LangChain chat model.
    Invalid(
        'import { ChatAnthropic } from "@langchain/anthropic";\n'
        "export function bound(model: ChatAnthropic) {\n"
        '  const clock = { name: "clock", description: `Checked at ${Date.now()}`, schema };\n'
        "  return model.bindTools([clock]);\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="model.ts",
        line=3,
        message_contains="tool definitions of model.bindTools",
    ),
    # Google Gen AI: the system instruction of a request's config.
    Invalid(
        'import { GoogleGenAI } from "@google/genai";\n'
        "const ai = new GoogleGenAI({});\n"
        "export async function ask(contents) {\n"
        "  const now = new Date().toISOString();\n"
        "  return ai.models.generateContent({\n"
        '    model: "gemini-2.5-flash",\n'
        "    contents,\n"
        "    config: { systemInstruction: `You help. Now: ${now}` },\n"
        "  });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=4,
        message_contains="ai.models.generateContent",
    ),
    # The older `@google/generative-ai`, in JavaScript: the model's system instruction.
    Invalid(
        'const { GoogleGenerativeAI } = require("@google/generative-ai");\n'
        "const genAI = new GoogleGenerativeAI(process.env.KEY);\n"
        "async function chat(history) {\n"
        "  const model = genAI.getGenerativeModel({\n"
        '    model: "gemini-1.5-flash",\n'
        "    systemInstruction: `Current time: ${new Date()}`,\n"
        "  });\n"
        "  return model.startChat({ history });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="chat.js",
        line=6,
    ),
)
VolatileValueInPrefix.VALID += (
    # The time in the user's message, after the system message the cache reuses.
    Valid(
        'import { HumanMessage, SystemMessage } from "@langchain/core/messages";\n'
        "export async function ask(model, question) {\n"
        "  return model.invoke([\n"
        '    new SystemMessage("You help."),\n'
        "    new HumanMessage(`${new Date().toISOString()}: ${question}`),\n"
        '    ["user", `Asked at ${Date.now()}`],\n'
        "  ]);\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
    # Google Gen AI: the time in the contents; the system instruction holds a date only.
    Valid(
        'import { GoogleGenAI } from "@google/genai";\n'
        "const ai = new GoogleGenAI({});\n"
        "export async function ask(question) {\n"
        "  const chat = ai.chats.create({\n"
        '    model: "gemini-2.5-flash",\n'
        "    config: { systemInstruction: `Today: ${new Date().toLocaleDateString()}` },\n"
        "  });\n"
        "  return chat.sendMessage({ message: `${new Date().toISOString()} ${question}` });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
)

# LangGraph.js's agent templates: the system time filled into the system message every turn.
VolatileValueInPrefix.INVALID += (
    Invalid(
        'import { SYSTEM_PROMPT } from "./prompts.js";\n'
        'import { initChatModel } from "langchain/chat_models/universal";\n'
        "export async function callModel(state) {\n"
        '  const model = await initChatModel("openai:gpt-4.1");\n'
        "  return model.invoke([\n"
        '    { role: "system", content: SYSTEM_PROMPT.replace("{system_time}", new Date().toISOString()) },\n'
        "    ...state.messages,\n"
        "  ]);\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="graph.ts",
        line=6,
        message_contains="the system prompt of model.invoke",
        fixed='import { SYSTEM_PROMPT } from "./prompts.js";\n'
        'import { initChatModel } from "langchain/chat_models/universal";\n'
        "export async function callModel(state) {\n"
        '  const model = await initChatModel("openai:gpt-4.1");\n'
        "  return model.invoke([\n"
        '    { role: "system", content: SYSTEM_PROMPT.replace("{system_time}", new Date().toISOString().slice(0, 10)) },\n'
        "    ...state.messages,\n"
        "  ]);\n"
        "}\n",
    ),
)

# The date libraries (ctxlint.typescript.date_libraries).
VolatileValueInPrefix.INVALID += (
    # moment's time of day in the system prompt.
    Invalid(
        'import moment from "moment";\n'
        'import { generateText } from "ai";\n'
        "export function ask(model, prompt) {\n"
        '  const system = `Now: ${moment().format("YYYY-MM-DD HH:mm")}`;\n'
        "  return generateText({ model, system, prompt });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=4,
        message_contains="`moment()` reads the clock",
        fixed='import moment from "moment";\n'
        'import { generateText } from "ai";\n'
        "export function ask(model, prompt) {\n"
        '  const system = `Now: ${moment().format("YYYY-MM-DD")}`;\n'
        "  return generateText({ model, system, prompt });\n"
        "}\n",
    ),
)
VolatileValueInPrefix.VALID += (
    # A date alone, by dayjs and date-fns: the prompt changes once a day.
    Valid(
        'import dayjs from "dayjs";\n'
        'import { format } from "date-fns";\n'
        'import { generateText } from "ai";\n'
        "export function ask(model, prompt) {\n"
        '  const system = `Today: ${dayjs().format("dddd, MMMM D, YYYY")} (${format(new Date(), "yyyy-MM-dd")})`;\n'
        "  return generateText({ model, system, prompt });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
)
