"""CTX003: the iteration order of a set decides the order of text in a prompt."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from itertools import chain
from typing import TYPE_CHECKING

from ctxlint.diagnostics import Applicability, Diagnostic, Fix, RelatedLocation
from ctxlint.python.triggers import ORDER_SOURCE_NEEDLES, Trigger
from ctxlint.redact import evidence
from ctxlint.rule import InputKind, Invalid, Rule, Valid

if TYPE_CHECKING:
    from ctxlint.prompt_files.checked import PromptCheck
    from ctxlint.prompt_files.model import Part, Placeholder
    from ctxlint.python.flow import Reached
    from ctxlint.python.index import Scope
    from ctxlint.python.module import PythonModule
    from ctxlint.python.order import Shuffles
    from ctxlint.python.sinks import Sink
    from ctxlint.python.unordered import OrderSource
    from ctxlint.trace.compare import Step
    from ctxlint.typescript.module import ScriptModule
    from ctxlint.typescript.parse import ParsedScript
    from ctxlint.typescript.sinks import Sink as ScriptSink
    from ctxlint.typescript.unordered import Iteration


class UnorderedIteration(Rule):
    """
    ## What it does
    Flags prompt text or a tool list whose order comes from iterating a `set` or `frozenset`
    (or a dict built by iterating one): `list(s)`, `", ".join(s)`, a comprehension or a `for`
    loop over a set, or a set printed directly into an f-string.

    It flags file-system listings the same way (`os.listdir`, `os.scandir`, `os.walk`,
    `glob.glob`, `Path.iterdir()`, `Path.glob()`/`rglob()`): skills or instruction files
    concatenated into the system prompt, or tool modules discovered from a folder, come in the
    order the file system keeps. So are sets known from an annotation (`names: set[str]`, a
    `self.tags: frozenset[str]` attribute), and the lists returned by functions named as
    fetching tools or skills (`get_discovered_tools()`, `load_skills()`) when a caller in the
    project sends what they return (as a request's tools or prompt, `tools=`, or returned on to
    such a caller): a listing that serves a command line or a REST endpoint is left alone. LangChain agent middleware's `request.override(tools=..., system_prompt=...)` is a
    request like any other.

    In recorded traces, it flags the same items appearing in a different order between requests
    of a session (the tool list, or a list section of the system prompt).

    ## Why is this bad?
    A set of strings iterates in an order that depends on string hashes, and Python randomises
    those per process (`PYTHONHASHSEED`). Every worker, restart or replica renders the same set
    in a different order, so the prompts they send differ early and none of them reuses the
    others' cached prefix; tool definitions at the very front of the request make it worse, as
    every token after them is lost too.

    Sets of small integers and single-element sets iterate in a fixed order and are not flagged,
    nor is a message added once to a conversation that is kept (the newest user message
    appended to the history, `conversation.add(...)`): it is sent again as the text it was.

    It also flags a random order in the cached prefix: `random.shuffle(tools)` before the list
    is sent as the tools or into the system prompt, unless a `.sort()` or `sorted()` fixes the
    order again, or the module seeds `random` with a constant (`random.sample(tools, k)` is a
    new random value: CTX001 reports it). A list sorted in place (`tools.sort(key=...)`) is
    as good as `sorted()`.

    ## Example
    ```python
    ENABLED = {"search", "browse", "shell"}

    def system_prompt():
        return "You can use: " + ", ".join(ENABLED)
    ```

    Use instead:
    ```python
    def system_prompt():
        return "You can use: " + ", ".join(sorted(ENABLED))
    ```

    ## Prompt files
    In a prompt file, it flags a loop (`{% for name in tool_names %}`) or a placeholder of a
    cached part over a value the project's Python code passes as a set, whose order changes
    between processes. For a Jinja loop, the unsafe fix walks it sorted:
    `{% for name in tool_names | sort %}` (the order the model reads changes, and values that
    cannot be compared make the render fail).

    ## TypeScript and JavaScript
    A `Set`, a `Map` and an object iterate in insertion order, and `Promise.all` resolves to
    its results in the order of its input, so in TypeScript and JavaScript it flags, within
    the file, an iteration that decides the order of the system prompt or the tool
    definitions over data whose order differs between requests: an async glob listing
    (node-glob from v9, fast-glob and globby read folders concurrently and return matches in
    the order the reads complete; their sync forms do not), and a collection a function fills from concurrent async callbacks
    after their `await` (`found.set(name, await server.listTools())` in the callback of
    `servers.map(async ...)`), whose order is the completion order. A `.sort()`,
    `.toSorted()` or lodash `sortBy` on the way silences it. `fs.readdir` is not flagged: Node
    documents no order, but libuv's scandir under it sorts the names on POSIX systems, and
    Windows gives the folder's own stable order. Nor is a collection filled once when the
    module loads: its order holds for the life of the process. No fix is offered there yet.

    ## Fix safety
    The fix wraps the iterated set or listing in `sorted(...)`. An `os.walk` has none (its
    folders are walked in listing order too: sort `dirs` in place and iterate `sorted(files)`),
    nor has `os.scandir` (its entries do not compare: sort with `key=lambda e: e.name`). It is unsafe: sorting raises `TypeError`
    when the items cannot be compared with each other, and the order the model sees changes
    (once). A set printed whole into an f-string has no automatic fix, nor has a set iterated
    where the name `sorted` is the code's own (a parameter, a variable, an import), unless
    the module imports `builtins`: then the fix calls `builtins.sorted`.

    ## References
    - [Python: PYTHONHASHSEED](https://docs.python.org/3/using/cmdline.html#envvar-PYTHONHASHSEED)
    - [node-glob: results are not sorted](https://github.com/isaacs/node-glob/issues/576)
    - [Node.js: fs.readdir sorted by libuv on POSIX](https://github.com/nodejs/node/issues/3232)
    - [Manus: context engineering for AI agents](https://manus.im/blog/Context-Engineering-for-AI-Agents-Lessons-from-Building-Manus)
    """

    code = "CTX003"
    name = "unordered-iteration"
    reports_in_other_modules = True
    # set(...) and frozenset(...); else a set comprehension or a brace literal with commas
    # and no colon.
    python_trigger = Trigger(
        needles=(b"set(", b"shuffle(", *ORDER_SOURCE_NEEDLES),
        pattern=rb"\{[^{}:\n]*\bfor\b|\{[^{}:]*,[^{}:]*\}",
    )
    summary = "The iteration order of a set reaches a prompt"
    fix_title = "Iterate the set in sorted order"
    fix_applicability = Applicability.UNSAFE

    def check_prompt(self, prompt: PromptCheck) -> Iterator[Diagnostic]:
        from ctxlint.prompt_files import judging

        hits = []
        for part, placeholder, position in judging.prefix_placeholders(prompt):
            if position.costs_little or placeholder.construct not in ("loop", "output", "field"):
                continue
            if {"sort", "dictsort"} & set(placeholder.filters):
                continue
            for render, value, why in judging.unordered_values(prompt, placeholder):
                verb = "iterates" if placeholder.construct == "loop" else "prints"
                what = f"{verb} {why}"
                fix = _sorted_loop_fix(prompt, part, placeholder)
                related = (judging.passed_note(render, value),)
                hits.append(judging.Hit(part, placeholder, position, what, related, fix=fix))
                break
        yield from judging.diagnostics(prompt, self, hits, _PROMPT_HELP)

    def check_trace(self, step: Step) -> Iterator[Diagnostic]:
        reported = step.session.memo.setdefault(self.code, set())
        previous, current = step.previous, step.current
        if step.tools_known and previous is not None:
            old = [tool.name for tool in previous.tools or ()]
            new = [tool.name for tool in current.tools or ()]
            same_tools = sorted(previous.tools or (), key=lambda t: t.name) == sorted(
                current.tools or (), key=lambda t: t.name
            )
            if old != new and same_tools and "tools" not in reported:
                reported.add("tools")
                moved = next(b for a, b in zip(old, new, strict=True) if a != b)
                yield step.diagnostic(
                    self,
                    f"the tool definitions hold the same {len(new)} tools in another order "
                    f"(`{evidence(moved)}` moved)",
                    current.tool_pointer(moved),
                    help="Send the tools in one fixed order, sorted by name",
                    related=step.previous_location(
                        "the previous request", previous.tool_pointer(moved)
                    ),
                )
        if step.system_changed and step.system_volatile is None and "system" not in reported:
            old_lines = (previous.system_text() or "").splitlines() if previous else []
            text = current.system_text() or ""
            new_lines = text.splitlines()
            if sorted(old_lines) == sorted(new_lines):
                reported.add("system")
                moved = next(b for a, b in zip(old_lines, new_lines, strict=True) if a != b)
                line_start = sum(len(line) + 1 for line in new_lines[: new_lines.index(moved)])
                pointer, offset = current.system_pointer(line_start)
                yield step.diagnostic(
                    self,
                    f"the system prompt has the same lines in another order (`{evidence(moved, 60)}` "
                    "moved)",
                    pointer,
                    help="Sort the list before it is written into the system prompt",
                    related=step.previous_location("the previous request"),
                    offset=offset,
                )

    def check_python(self, module: PythonModule) -> Iterator[Diagnostic]:
        from ctxlint.python.callers import sent_by_a_caller
        from ctxlint.python.kept_messages import kept_as_sent
        from ctxlint.python.order import shuffled_lists
        from ctxlint.python.unordered import returned_prompt_parts

        flagged: set[int] = set()
        done: set[int] = set()  # walks shared by several sinks are looked at once
        returned = module.index.derived(returned_prompt_parts)  # lint/python/unordered.py
        shuffles = module.fact(shuffled_lists)
        for sink in module.sinks:
            if kept_as_sent(module, sink):  # lint/python/kept_messages.py
                continue
            for reached in chain.from_iterable(module.reached(sink).parts_not_in(done)):
                yield from self._check_reached(module, module, sink, reached, flagged, shuffles)
        # A function named as returning tools or skills counts only when a caller sends what
        # it returns (lint/python/callers.py): many serve a command line or a REST endpoint.
        for sink in returned:
            candidates = set(flagged)
            found = [
                diagnostic
                for reached in chain.from_iterable(module.reached(sink).parts_not_in(done))
                for diagnostic in self._check_reached(
                    module, module, sink, reached, candidates, shuffles
                )
            ]
            function = sink.scope.function
            if found and function is not None and sent_by_a_caller(module, function):
                flagged |= candidates
                yield from found
        # Also the values of another project module that reach a request's system prompt or
        # tools one call away (`system=skills_section()`), reported there. Through longer
        # chains, or into what a getter returns, the order was too often sorted or keyed on
        # the way (the gptme, OpenHands and agentscope plugin and skill loaders).
        across: set[int] = set()
        for sink in module.sinks:
            if not sink.in_prefix:
                continue
            for reached in chain.from_iterable(module.reached_across(sink).parts_not_in(across)):
                owner = module.module_of(reached.scope)
                if owner is None or owner is module or len(reached.through) > 1:
                    continue
                if owner.module_of(reached.trail.iterated_scope or reached.scope) is not owner:
                    continue  # made in one module, iterated in another
                yield from self._check_reached(module, owner, sink, reached, flagged, shuffles)

    def check_typescript(self, module: ScriptModule) -> Iterator[Diagnostic]:
        from ctxlint.typescript.flow import reached_by_file
        from ctxlint.typescript.sinks import imported_modules
        from ctxlint.typescript.unordered import ORDER_KEEPING, sorts, unordered_iterations

        if not module.sinks:
            return
        flagged: set[tuple[str, int]] = set()
        for sink in module.sinks:
            # Into the files this one imports: a loader there lists or fills what is sent.
            groups = reached_by_file(
                module.parsed, sink, module.project, receivers_of=ORDER_KEEPING
            )
            # A sort anywhere in the value: which list it sorts is not told, so nothing.
            if any(
                sorts(where, part.node)
                for where, parts in groups
                for part in parts
                if part.node.type == "call_expression"
            ):
                continue
            for where, parts in groups:
                nodes = [part.node for part in parts]
                imports = imported_modules(where)
                for iteration in unordered_iterations(where, nodes, imports):
                    source = iteration.source
                    if (where.path, source.node.id) in flagged:
                        continue
                    flagged.add((where.path, source.node.id))
                    yield self._script_finding(module, where, sink, iteration)

    def _script_finding(
        self, module: ScriptModule, where: ParsedScript, sink: ScriptSink, iteration: Iteration
    ) -> Diagnostic:
        """The finding at the iteration, in the file it is in, with the send as related."""
        source = iteration.source
        order = _script_order_of(sink)
        if source.kind == "listing":
            message = f"the file-system order of `{source.label}` decides {order}"
            note, help = "listed here", _SCRIPT_LISTING_HELP
        else:
            message = (
                f"iterating `{evidence(source.label)}`, filled as async calls complete, "
                f"decides {order}"
            )
            note, help = "filled here, in completion order", _SCRIPT_COMPLETION_HELP
        related = [module.related(sink.call, f"sent as {sink.label}")]
        if source.node.start_point[0] != iteration.node.start_point[0]:
            related.insert(0, module.related(source.node, note, where))
        return module.diagnostic(
            self, iteration.node, message, tuple(related), help=help, parsed=where
        )

    def _check_reached(
        self,
        module: PythonModule,
        owner: PythonModule,
        sink: Sink,
        reached: Reached,
        flagged: set[int],
        shuffles: Shuffles,
    ) -> Iterator[Diagnostic]:
        """The findings of one value reached from a sink; `owner` is the module it is in."""
        from ctxlint.python.unordered import is_unordered_set, unordered_source

        if sink.in_prefix and not reached.trail.sorted and owner is module:
            for shuffle in shuffles.of(reached, module.index):
                if id(shuffle) not in flagged:
                    flagged.add(id(shuffle))
                    yield _report(
                        self,
                        module,
                        module,
                        sink,
                        shuffle,
                        _shuffle_message(module, shuffle, sink),
                        None,
                        "Sort the list before it is sent, or shuffle once with a fixed seed",
                        through=reached.through,
                    )
        iterated = reached.trail.iterated
        if iterated is None or reached.trail.sorted or id(iterated) in flagged:
            return
        if not is_unordered_set(reached):
            # Listings and annotated sets: lint/python/unordered.py.
            source = unordered_source(reached, owner.index)
            if source is not None:
                flagged.add(id(iterated))
                yield self._other_source(module, owner, reached, sink, source)
            return
        flagged.add(id(iterated))
        # Where the set is built, when that is not the line the finding points at.
        built = ()
        if reached.node.lineno != iterated.lineno:  # type: ignore[attr-defined]
            built = (owner.location_of(reached.node, "the set is built here"),)
        if isinstance(iterated, ast.FormattedValue):
            message = (
                f"{_the_set(owner.text_of(iterated.value))} is printed in iteration order into "
                f"{sink.label}"
            )
            help = "Join its sorted items instead, as in `', '.join(sorted(items))`"
            yield _report(
                self, module, owner, sink, iterated, message, None, help, built, reached.through
            )
            return
        message = f"iterating {_the_set(owner.text_of(iterated))} decides {_order_of(sink)}"
        fix = self._fix(owner, reached)
        yield _report(
            self,
            module,
            owner,
            sink,
            iterated,
            message,
            fix,
            self.fix_title,
            built,
            reached.through,
        )

    def _other_source(
        self,
        module: PythonModule,
        owner: PythonModule,
        reached: Reached,
        sink: Sink,
        source: OrderSource,
    ) -> Diagnostic:
        iterated = reached.trail.iterated
        assert iterated is not None
        # Where the listing is made or the set annotated, when it is not the line flagged.
        where = ()
        if source.node.lineno != iterated.lineno:  # type: ignore[attr-defined]
            note = (
                "listed here" if source.kind == "listing" else f"annotated as {source.label} here"
            )
            where = (owner.location_of(source.node, note),)
        if source.kind == "listing":
            message = f"the file-system order of `{source.label}` decides {_order_of(sink)}"
            help = _LISTING_HELP.get(source.label, "Iterate the entries in sorted order")
        else:
            message = f"iterating {_the_set(owner.text_of(iterated))} decides {_order_of(sink)}"
            help = self.fix_title
        fixable = source.sortable and not isinstance(iterated, ast.FormattedValue)
        fix = self._fix(owner, reached) if fixable else None
        return _report(
            self, module, owner, sink, iterated, message, fix, help, where, reached.through
        )

    def _fix(self, module: PythonModule, reached: Reached) -> Fix | None:
        from ctxlint.python.names import lookup

        iterated = reached.trail.iterated
        assert isinstance(iterated, ast.expr)
        # Iterating a parameter: other callers may pass other collections (of items that
        # cannot be sorted), so sorting in the shared function is not the fix to offer.
        scope = reached.trail.iterated_scope or reached.scope
        if isinstance(iterated, ast.Name) and any(
            binding.kind == "param" for binding in lookup(iterated.id, scope)
        ):
            return None
        sort = _builtin_sorted(scope)
        if sort is None:
            return None
        edit = module.replace_edit(iterated, f"{sort}({module.text_of(iterated)})")
        return Fix(self.fix_title, (edit,), Applicability.UNSAFE)


# How the builtin may be spelled, tried in this order.
_SORTED_SPELLINGS = (
    ast.Name("sorted", ast.Load()),
    ast.Attribute(ast.Name("builtins", ast.Load()), "sorted", ast.Load()),
)


def _builtin_sorted(scope: Scope) -> str | None:
    """How code in `scope` calls the builtin `sorted`: by its name unless something of the
    module's (a parameter, an assignment, an import, a def) takes the name, else through an
    imported `builtins`; None when neither reaches it."""
    from ctxlint.python.names import qualified_name

    for spelling in _SORTED_SPELLINGS:
        if qualified_name(spelling, scope) in ("sorted", "builtins.sorted"):
            return ast.unparse(spelling)
    return None


_LISTING_HELP = {
    "os.walk(...)": "Sort `dirs` in place and iterate `sorted(files)`",
    "os.scandir(...)": "Sort the entries by name: `sorted(entries, key=lambda e: e.name)`",
}


_SCRIPT_LISTING_HELP = "Sort the listing before it is used, as in `files.sort()`"
_SCRIPT_COMPLETION_HELP = (
    "Sort it before it is sent, or build it from the results of `Promise.all`, "
    "which keep the order of its input"
)


def _script_order_of(sink) -> str:
    """What the iteration decides, in the words of `_order_of`, for a TypeScript sink; the
    call it is sent by is the related location."""
    if sink.in_tools:
        return f"the order of {sink.part}"
    return f"the order of text in {sink.part}"


def _order_of(sink: Sink) -> str:
    """What the iteration decides: "the order of the tool definitions", "the order of text in
    the system prompt"."""
    if sink.kind == "tools":
        return f"the order of {sink.label}"
    return f"the order of text in {sink.label}"


def _report(
    rule: UnorderedIteration,
    module: PythonModule,
    owner: PythonModule,
    sink: Sink,
    node: ast.AST,
    message: str,
    fix: Fix | None,
    help: str,
    notes: tuple[RelatedLocation, ...] = (),
    through: tuple[str, ...] = (),
) -> Diagnostic:
    """A finding in the module the order comes from, with the request as related location;
    no fix when that is not the sending module (a fix applies to the checked file only)."""
    related = (*notes, module.location_of(sink.expression, sink.sent_as(through)))
    if owner is module:
        return module.diagnostic(rule, node, message, fix, related, help=help)
    return owner.diagnostic(rule, node, message, None, related, help=help)


def _shuffle_message(module: PythonModule, shuffle: ast.Call, sink: Sink) -> str:
    return f"`{module.snippet(shuffle, 40)}` randomises {_order_of(sink)}"


def _the_set(text: str) -> str:
    """How a message names the iterated set: by its text when that is short."""
    if len(text) > 40 or "\n" in text or "\r" in text:
        return "a set"
    built = text.startswith(("set(", "frozenset(", "{"))
    return f"`{text}`" if built else f"the set `{text}`"


_HEADER = "import anthropic\nclient = anthropic.Anthropic()\n"

UnorderedIteration.VALID = (
    # Sorted in place before it is sent: whatever order the set gave, the list is fixed.
    Valid(
        _HEADER + "def ask(q, registry, names):\n"
        "    tools = [registry[n] for n in set(names)]\n"
        "    tools.sort(key=lambda t: t['name'])\n"
        "    return client.messages.create(model='m', max_tokens=9, tools=tools, messages=q)\n"
    ),
    # Shuffled, then sorted: the order sent is fixed.
    Valid(
        _HEADER + "import random\n"
        "def ask(q, tools):\n"
        "    random.shuffle(tools)\n"
        "    tools.sort(key=lambda t: t['name'])\n"
        "    return client.messages.create(model='m', max_tokens=9, tools=tools, messages=q)\n"
    ),
    # A random sample is a new random value: CTX001's finding, not reported twice.
    Valid(
        _HEADER + "import random\n"
        "def ask(q, tools):\n"
        "    chosen = random.sample(tools, len(tools))\n"
        "    return client.messages.create(model='m', max_tokens=9, tools=chosen, messages=q)\n"
    ),
    # A seeded generator repeats its order in every process.
    Valid(
        _HEADER + "import random\n"
        "random.seed(0)\n"
        "def ask(q, tools):\n"
        "    random.shuffle(tools)\n"
        "    return client.messages.create(model='m', max_tokens=9, tools=tools, messages=q)\n"
    ),
    # Shuffling the options of the newest question is not the cached prefix.
    Valid(
        _HEADER + "import random\n"
        "def ask(history, options):\n"
        "    random.shuffle(options)\n"
        "    history.append({'role': 'user', 'content': 'Pick one: ' + ', '.join(options)})\n"
        "    return client.messages.create(model='m', max_tokens=9, messages=history)\n"
    ),
    Valid(
        _HEADER + "ENABLED = {'search', 'browse', 'shell'}\n"
        "def build_system_prompt():\n"
        "    return 'You can use: ' + ', '.join(sorted(ENABLED))\n"
    ),
    # Membership tests do not expose the order.
    Valid(
        _HEADER + "ENABLED = {'search', 'browse'}\n"
        "def ask(q, tools):\n"
        "    chosen = [t for t in tools if t['name'] in ENABLED]\n"
        "    return client.messages.create(model='m', max_tokens=9, tools=chosen, messages=q)\n"
    ),
    # Small integers hash to themselves: a fixed order.
    Valid(
        _HEADER + "def build_system_prompt():\n"
        "    return 'Levels: ' + ', '.join(str(n) for n in {1, 2, 3})\n"
    ),
    # A search returns the one entry it stops at: no order is handed over.
    Valid(
        "from pathlib import Path\n"
        "def find_skill_md(directory: Path):\n"
        "    for f in directory.iterdir():\n"
        "        if f.name.lower() == 'skill.md':\n"
        "            return f\n"
        "    return None\n"
    ),
    Valid(
        "from pathlib import Path\n"
        "def find_skill(name, skills_dir: Path):\n"
        "    for md in skills_dir.rglob('*.md'):\n"
        "        if md.stem == name:\n"
        "            return md.parent, md\n"
        "    return None, None\n"
    ),
    # Named as returning tools, but its only caller prints them for a command line.
    Valid(
        "def get_enabled_tools(registry, names: set[str]) -> list[dict]:\n"
        "    return [registry[n] for n in names]\n"
        "def main(registry, names):\n"
        "    for tool in get_enabled_tools(registry, names):\n"
        "        print(tool['name'])\n"
    ),
    Valid(
        "def get_enabled_tools(registry, names: set[str]) -> list[dict]:\n"
        "    return [registry[n] for n in sorted(names)]\n"
        "def make_agent(runtime, registry, names):\n"
        "    return runtime.agent(tools=get_enabled_tools(registry, names))\n"
    ),
    # Tool names typed as strings: an allowlist that tools are looked up in, not the tools sent.
    Valid(
        "def resolve_team_tools(own, ceiling) -> tuple[str, ...] | None:\n"
        "    if own is None:\n"
        "        return ceiling\n"
        "    return tuple(set(own) & set(ceiling))\n"
    ),
    # The newest user message, added once to the kept history: sent as the text it was.
    Valid(
        _HEADER + "class Chat:\n"
        "    def __init__(self):\n"
        "        self.history = []\n"
        "    def ask(self, text, urls):\n"
        "        text += '\\n'.join(set(urls))\n"
        "        self.send(text)\n"
        "    def send(self, inp):\n"
        "        self.history += [dict(role='user', content=inp)]\n"
        "        return self.model.query(self.history)\n"
    ),
    Valid(
        "import anthropic\n"
        "class Flow:\n"
        "    def report(self, failed):\n"
        "        failed = ', '.join(set(failed))\n"
        "        self.conversation.add(role='user', content='Failed: ' + failed)\n"
    ),
    # A message handed to a memory store's owner-scoped `add` (mem0 and the like) is indexed
    # for later search, not sent to a model.
    Valid(
        _HEADER + "class Notes:\n"
        "    def __init__(self, memory):\n"
        "        self.memory = memory\n"
        "    def remember(self, tags, user_id):\n"
        "        text = 'Tags: ' + ', '.join(set(tags))\n"
        "        messages = [{'role': 'user', 'content': text}]\n"
        "        return self.memory.add(messages=messages, user_id=user_id)\n"
    ),
    # Not a prompt.
    Valid("import logging\nNAMES = {'a', 'b'}\nlogging.info(', '.join(NAMES))\n"),
)
UnorderedIteration.INVALID = (
    # Tool definitions, not names: the set's order is the order of the tools returned, and
    # a caller hands them to an agent.
    Invalid(
        "def get_enabled_tools(registry, names: set[str]) -> list[dict]:\n"
        "    return [registry[n] for n in names]\n"
        "def make_agent(runtime, registry, names):\n"
        "    return runtime.agent(tools=get_enabled_tools(registry, names))\n",
        line=2,
    ),
    Invalid(
        _HEADER + "import random\n"
        "def ask(q, tools):\n"
        "    random.shuffle(tools)\n"
        "    return client.messages.create(model='m', max_tokens=9, tools=tools, messages=q)\n",
        line=5,
        message_contains="`random.shuffle(tools)` randomises the order of the tool definitions",
    ),
    Invalid(
        _HEADER + "import random\n"
        "class Agent:\n"
        "    def __init__(self, examples):\n"
        "        self.examples = list(examples)\n"
        "        random.shuffle(self.examples)\n"
        "    def ask(self, q):\n"
        "        system = 'Examples:\\n' + '\\n'.join(self.examples)\n"
        "        return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n",
        line=7,
        message_contains="the system prompt",
    ),
    Invalid(
        _HEADER + "ENABLED = {'search', 'browse', 'shell'}\n"
        "def build_system_prompt():\n"
        "    return 'You can use: ' + ', '.join(ENABLED)\n",
        line=5,
        fixed=_HEADER + "ENABLED = {'search', 'browse', 'shell'}\n"
        "def build_system_prompt():\n"
        "    return 'You can use: ' + ', '.join(sorted(ENABLED))\n",
        message_contains="the system prompt returned by build_system_prompt()",
    ),
    Invalid(
        _HEADER + "def ask(q, registry, names):\n"
        "    wanted = set(names)\n"
        "    tools = [registry[n] for n in wanted]\n"
        "    return client.messages.create(model='m', max_tokens=9, tools=tools, messages=q)\n",
        line=5,
        fixed=_HEADER + "def ask(q, registry, names):\n"
        "    wanted = set(names)\n"
        "    tools = [registry[n] for n in sorted(wanted)]\n"
        "    return client.messages.create(model='m', max_tokens=9, tools=tools, messages=q)\n",
        message_contains="the tool definitions of client.messages.create",
    ),
    # A message rebuilt from the set for every request: its order is sent anew each time.
    Invalid(
        _HEADER + "class Chat:\n"
        "    def __init__(self, files):\n"
        "        self.files = set(files)\n"
        "        self.history = []\n"
        "    def ask(self, q):\n"
        "        listing = {'role': 'user', 'content': '\\n'.join(self.files)}\n"
        "        messages = [listing, *self.history, {'role': 'user', 'content': q}]\n"
        "        return client.messages.create(model='m', max_tokens=9, messages=messages)\n",
        line=8,
    ),
    # Stored in a memory store and also sent: the request still carries the set's order.
    Invalid(
        _HEADER + "class Notes:\n"
        "    def __init__(self, memory):\n"
        "        self.memory = memory\n"
        "    def ask(self, tags, user_id):\n"
        "        text = 'Tags: ' + ', '.join(set(tags))\n"
        "        messages = [{'role': 'user', 'content': text}]\n"
        "        self.memory.add(messages=messages, user_id=user_id)\n"
        "        return client.messages.create(model='m', max_tokens=9, messages=messages)\n",
        line=7,
    ),
    # The module's own `sorted` is not the builtin.
    Invalid(
        _HEADER + "import builtins\n"
        "def ask(q, names, sorted=False):\n"
        "    tools = [{'name': n} for n in set(names)]\n"
        "    return client.messages.create(model='m', max_tokens=9, tools=tools, messages=q)\n",
        line=5,
        fixed=_HEADER + "import builtins\n"
        "def ask(q, names, sorted=False):\n"
        "    tools = [{'name': n} for n in builtins.sorted(set(names))]\n"
        "    return client.messages.create(model='m', max_tokens=9, tools=tools, messages=q)\n",
    ),
    Invalid(
        _HEADER + "def ask(q, skills):\n"
        "    lines = []\n"
        "    for skill in {s.strip() for s in skills}:\n"
        "        lines.append(f'- {skill}')\n"
        "    system = 'Skills:\\n' + '\\n'.join(lines)\n"
        "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n",
        line=5,
    ),
    Invalid(
        _HEADER + "ALLOWED = frozenset({'read', 'write'})\n"
        "def ask(q):\n"
        "    system = f'Allowed actions: {ALLOWED}'\n"
        "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n",
        line=5,
        message_contains="printed in iteration order",
    ),
)


_PROMPT_HELP = "Sort it where it is laid out (`| sort` in Jinja), or pass it sorted"


def _sorted_loop_fix(prompt: PromptCheck, part: Part, placeholder: Placeholder) -> Fix | None:
    """A Jinja loop over the value walks it sorted: `{% for x in tags | sort %}`. Unsafe: the
    order the model reads changes, and values that cannot be compared make the render fail."""
    from ctxlint.diagnostics import Edit

    if placeholder.construct != "loop" or part.syntax != "jinja" or placeholder.filters:
        return None
    end = placeholder.offset + len(placeholder.expression)
    at = prompt.location(end)
    edit = Edit(end, end, " | sort", at, at)
    return Fix("Loop over it sorted", (edit,), Applicability.UNSAFE)


# Prompt files: a set laid out by a template in the system part.
_TOOLS_TEMPLATE = (
    "You can use these tools:\n{% for name in tool_names %}- {{ name }}\n{% endfor %}\n"
    + "Call one tool at a time and wait for its result.\n" * 12
)
_RENDER_TOOLS = (
    "from pathlib import Path\n"
    "from jinja2 import Environment, FileSystemLoader\n"
    "env = Environment(loader=FileSystemLoader(Path(__file__).parent / 'prompts'))\n"
    "def compose(tools):\n"
    "    tool_names = {tool.name for tool in tools}\n"
    "    return env.get_template('system.j2').render(tool_names=VALUE)\n"
)
UnorderedIteration.INVALID += (
    Invalid(
        _TOOLS_TEMPLATE,
        kind=InputKind.PROMPT,
        filename="prompts/system.j2",
        files={"agent.py": _RENDER_TOOLS.replace("VALUE", "tool_names")},
        line=2,
        fixed=_TOOLS_TEMPLATE.replace("in tool_names %}", "in tool_names | sort %}"),
        message_contains="passed by",
    ),
)
UnorderedIteration.VALID += (
    Valid(
        _TOOLS_TEMPLATE,
        kind=InputKind.PROMPT,
        filename="prompts/system.j2",
        files={"agent.py": _RENDER_TOOLS.replace("VALUE", "sorted(tool_names)")},
    ),
    # The template sorts the set itself.
    Valid(
        _TOOLS_TEMPLATE.replace("in tool_names %}", "in tool_names | sort %}"),
        kind=InputKind.PROMPT,
        filename="prompts/system.j2",
        files={"agent.py": _RENDER_TOOLS.replace("VALUE", "tool_names")},
    ),
)

UnorderedIteration.VALID += (
    # Each secret of a set is looked for and masked: what `replace` looks for is gone from
    # what it returns, and the set's order decides no text (Skyvern's mask_secrets_in_data).
    Valid(
        "import anthropic\n"
        "client = anthropic.Anthropic()\n"
        "def masked(text, secrets):\n"
        "    for secret in set(secrets):\n"
        "        text = text.replace(secret, '***')\n"
        "    return text\n"
        "def ask(notes, secrets, history):\n"
        "    system = masked(f'Account notes: {notes}', secrets)\n"
        "    return client.messages.create(\n"
        "        model='claude-sonnet-4-5', max_tokens=512, system=system, messages=history\n"
        "    )\n"
    ),
)

# TypeScript and JavaScript: orders that differ between two requests of a conversation.
_ANTHROPIC_TS = 'import Anthropic from "@anthropic-ai/sdk";\nconst client = new Anthropic();\n'
_OPENAI_TS = 'import OpenAI from "openai";\nconst openai = new OpenAI();\n'
UnorderedIteration.INVALID += (
    # fast-glob returns matches in the order its concurrent reads complete.
    Invalid(
        _ANTHROPIC_TS + 'import fg from "fast-glob";\n'
        "export async function ask(messages) {\n"
        '  const files = await fg("skills/*.md");\n'
        "  const parts = [];\n"
        "  for (const file of files) {\n"
        "    parts.push(`- ${file}`);\n"
        "  }\n"
        '  return client.messages.create({ model: "m", max_tokens: 9, system: parts.join("\\n"), messages });\n'
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=7,
        message_contains="the file-system order of `fg(...)` decides the order of text in",
    ),
    # Each server's tools are added when its listing completes: completion order.
    Invalid(
        _OPENAI_TS + "export async function ask(messages, servers) {\n"
        "  const found = new Map();\n"
        "  await Promise.all(servers.map(async (server) => {\n"
        "    const listed = await server.listTools();\n"
        "    for (const tool of listed.tools) found.set(tool.name, tool);\n"
        "  }));\n"
        '  const tools = [...found.values()].map((t) => ({ type: "function", function: t }));\n'
        '  return openai.chat.completions.create({ model: "m", messages, tools });\n'
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=9,
        message_contains="filled as async calls complete, decides the order of the tool",
    ),
)
UnorderedIteration.VALID += (
    # Sorted before it is sent.
    Valid(
        _OPENAI_TS + "export async function ask(messages, servers) {\n"
        "  const found = new Map();\n"
        "  await Promise.all(servers.map(async (server) => {\n"
        "    const listed = await server.listTools();\n"
        "    for (const tool of listed.tools) found.set(tool.name, tool);\n"
        "  }));\n"
        "  const tools = [...found.values()]\n"
        "    .sort((a, b) => a.name.localeCompare(b.name))\n"
        '    .map((t) => ({ type: "function", function: t }));\n'
        '  return openai.chat.completions.create({ model: "m", messages, tools });\n'
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
    # `Promise.all` resolves to its results in the order of its input.
    Valid(
        _OPENAI_TS + "export async function ask(messages, servers) {\n"
        "  const listed = await Promise.all(servers.map((server) => server.listTools()));\n"
        '  const tools = listed.flatMap((l) => l.tools).map((t) => ({ type: "function", function: t }));\n'
        '  return openai.chat.completions.create({ model: "m", messages, tools });\n'
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
    # Added before the first await: in the order of the servers.
    Valid(
        _OPENAI_TS + "export async function ask(messages, servers) {\n"
        "  const names = [];\n"
        "  await Promise.all(servers.map(async (server) => {\n"
        "    names.push(server.name);\n"
        "    await server.connect();\n"
        "  }));\n"
        '  const instructions = `Servers: ${names.join(", ")}`;\n'
        '  return openai.responses.create({ model: "m", instructions, input: messages });\n'
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
    # Node's `readdir` is libuv's scandir, sorted by name on POSIX systems.
    Valid(
        _ANTHROPIC_TS + 'import { readdir } from "node:fs/promises";\n'
        "export async function ask(messages) {\n"
        '  const files = await readdir("skills");\n'
        '  const system = files.map((f) => `- ${f}`).join("\\n");\n'
        '  return client.messages.create({ model: "m", max_tokens: 9, system, messages });\n'
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
)
