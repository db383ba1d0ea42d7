"""CTX007: many examples rendered into a prompt with one identical template."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from itertools import chain
from typing import TYPE_CHECKING

from ctxlint.diagnostics import Diagnostic
from ctxlint.python.triggers import Trigger
from ctxlint.redact import evidence
from ctxlint.rule import Invalid, Rule, Valid

# "Input:", "Thought:", "Observation:" at the start of a line: the framing of an example.
_LABEL = re.compile(r"^\s*([A-Z][A-Za-z ]{0,24}):", re.MULTILINE)
_HELP = "Vary the template, wording or order across the examples"
_TRACE_HELP = "Vary how observations are serialised, or summarise older ones"

if TYPE_CHECKING:
    from ctxlint.python.index import Scope
    from ctxlint.python.module import PythonModule
    from ctxlint.python.sinks import Sink
    from ctxlint.trace.compare import Step


class UniformFewShot(Rule):
    """
    ## What it does
    Flags few-shot examples or past action/observation pairs rendered into a prompt with one
    identical template, many times over: at least `uniform-examples` (default 5) examples
    from one f-string or format template in a loop or comprehension over a collection of
    known size, or a literal list of example messages that all share one framing
    (`Input: ...` / `Output: ...`).

    The count must be visible in the code: a loop over a collection whose size is only known
    at run time is not flagged, so a prompt with an example or two never is.

    In recorded traces, it flags a run of at least `uniform-run` (default 10) consecutive
    action/observation pairs that call the same tool with the same argument names and the same
    serialisation of the result (markup tags or JSON keys), in a session that uses more than
    one tool (with a single tool, every action is a call of it).

    ## Why is this bad?
    A model continues the patterns in its context. After many identically framed examples or
    steps it starts copying their shape (the same action, the same length, the same
    phrasing) instead of reasoning about the case at hand, and an agent drifts into loops.
    Controlled variation (a few templates, varied wording, shuffled order fixed per deployment)
    breaks the rhythm while keeping the prompt stable, and so cacheable.

    ## Example
    ```python
    EXAMPLES = [("2+2", "4"), ("3*3", "9"), ("10/2", "5"), ("7-5", "2"), ("2**3", "8")]

    def build_system_prompt():
        shots = "\\n".join(f"Input: {q}\\nOutput: {a}" for q, a in EXAMPLES)
        return f"Solve the arithmetic.\\n{shots}"
    ```

    Use instead:
    ```python
    TEMPLATES = ["Input: {q}\\nOutput: {a}", "Q: {q}\\nA: {a}", "{q} gives {a}"]

    def build_system_prompt():
        shots = "\\n".join(
            TEMPLATES[i % len(TEMPLATES)].format(q=q, a=a) for i, (q, a) in enumerate(EXAMPLES)
        )
        return f"Solve the arithmetic.\\n{shots}"
    ```

    ## Options
    - `uniform-examples` (default 5): how many identically rendered examples are flagged.
    - `uniform-run` (default 10): in traces, how long a run of identical action/observation
      pairs is flagged. Agents routinely read a handful of files in a row; ten is where a run
      starts to set the rhythm of the context.

    ## References
    - [Manus: context engineering for AI agents (don't get few-shotted)](https://manus.im/blog/Context-Engineering-for-AI-Agents-Lessons-from-Building-Manus)
    """

    code = "CTX007"
    name = "uniform-few-shot"
    # Few-shot code says so somewhere (EXAMPLES, few_shot, demos); literal example exchanges
    # have assistant turns.
    python_trigger = Trigger(
        needles=(
            b"EXAMPLES",
            b"examples =",
            b"examples:",
            b"shots",
            b"SHOTS",
            b"few_shot",
            b"FEW_SHOT",
            b"demos",
            b"DEMOS",
            b'"assistant"',
            b"'assistant'",
        )
    )
    summary = "Many examples are rendered with one identical template"

    def check_trace(self, step: Step) -> Iterator[Diagnostic]:
        from ctxlint.trace.compare import action_observation_pairs

        pairs = action_observation_pairs(step.current.messages)
        # With one tool, every action is a call of it: a run says nothing about imitation.
        if len({template[0] for _, template in pairs}) < 2:
            return
        reported = step.session.memo.setdefault(self.code, set())
        wanted = step.settings.uniform_run
        start = 0
        for index in range(1, len(pairs) + 1):
            ends = (
                index == len(pairs)
                or pairs[index][1] != pairs[start][1]
                or pairs[index][0] != pairs[index - 1][0] + 2
            )
            if not ends:
                continue
            length = index - start
            position, (name, _, _) = pairs[start]
            if length >= wanted and position not in reported:
                reported.add(position)
                yield step.diagnostic(
                    self,
                    f"{length} calls of tool `{evidence(name)}` in a row from message {position} "
                    "on, each result in the same template",
                    step.current.message_pointer(position),
                    help=_TRACE_HELP,
                )
            start = index

    def check_python(self, module: PythonModule) -> Iterator[Diagnostic]:
        threshold = module.settings.uniform_examples
        candidates = []
        for node, scope, iterable in _rendered_in_iteration(module):
            count = _known_length(iterable, scope, 0)
            if count is not None and count >= threshold:
                candidates.append((node, iterable, count))
        reached: dict[int, Sink] = {}
        if candidates:
            done: set[int] = set()  # walks shared by several sinks are looked at once
            for sink in module.sinks:
                for item in chain.from_iterable(module.reached(sink).parts_not_in(done)):
                    reached.setdefault(id(item.node), sink)
        flagged: set[int] = set()
        for node, iterable, count in candidates:
            sink = reached.get(id(node))
            if sink is None or id(node) in flagged:
                continue
            flagged.add(id(node))
            message = (
                f"one template renders all {count} items of `{module.snippet(iterable, 40)}` "
                f"into {sink.label}"
            )
            related = (module.location_of(sink.expression, sink.sent_as()),)
            yield module.diagnostic(self, node, message, None, related, help=_HELP)
        for sink in module.sinks:
            if sink.kind != "messages" or not isinstance(sink.expression, (ast.List, ast.Tuple)):
                continue
            framing = _uniform_exchanges(sink.expression, threshold)
            if framing is not None:
                pairs, labels = framing
                message = (
                    f"all {pairs} example exchanges in {sink.label} use the same framing: {labels}"
                )
                related = (module.location_of(sink.expression, sink.sent_as()),)
                yield module.diagnostic(self, sink.expression, message, None, related, help=_HELP)


def _rendered_in_iteration(module: PythonModule) -> Iterator[tuple[ast.AST, Scope, ast.expr]]:
    """(rendered node, scope of the iterable, iterable) for each template rendered once per
    item: the element of a comprehension, or a value written into a container in a loop."""
    index = module.index
    for scope in index.scopes:
        node = scope.node
        if scope.kind != "comprehension" or not isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            continue
        template = _template_in(node.elt)
        if template is not None and len(node.generators) == 1:
            iterable_scope = scope.parent or scope
            yield template, iterable_scope, node.generators[0].iter
    for writes in index.container_writes.values():
        for write in writes:
            template = _template_in(write.value) if write.loops else None
            if template is not None:
                yield template, write.scope, write.loops[-1]


def _template_in(node: ast.AST) -> ast.AST | None:
    """The template an item is rendered with: the item itself, or the content of a message
    dict (`{"role": "user", "content": f"..."}`)."""
    if _is_template(node):
        return node
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == "content" and _is_template(value):
                return value
    return None


def _is_template(node: ast.AST) -> bool:
    """An f-string or format template with fixed text around its fields."""
    if isinstance(node, ast.JoinedStr):
        text = "".join(str(v.value) for v in node.values if isinstance(v, ast.Constant))
        has_field = any(isinstance(v, ast.FormattedValue) for v in node.values)
        return has_field and any(c.isalpha() for c in text)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        receiver = node.func.value
        return (
            node.func.attr == "format"
            and isinstance(receiver, ast.Constant)
            and isinstance(receiver.value, str)
            and any(c.isalpha() for c in receiver.value.replace("{", " ").replace("}", " "))
        )
    return False


def _known_length(iterable: ast.expr, scope: Scope, depth: int) -> int | None:
    """How many items the iterable yields, when the code shows it (a literal, a name bound
    once to a literal, `.items()` of one, `enumerate`/`zip` of one)."""
    from ctxlint.python.names import lookup

    if depth > 4:
        return None
    if isinstance(iterable, (ast.List, ast.Tuple, ast.Set)):
        if any(isinstance(e, ast.Starred) for e in iterable.elts):
            return None
        return len(iterable.elts)
    if isinstance(iterable, ast.Dict):
        return len(iterable.keys) if None not in iterable.keys else None
    if isinstance(iterable, ast.Name):
        bindings = lookup(iterable.id, scope)
        if len(bindings) != 1 or bindings[0].kind != "assign" or bindings[0].value is None:
            return None
        if bindings[0].target_path:
            return None
        return _known_length(bindings[0].value, bindings[0].scope, depth + 1)  # type: ignore[arg-type]
    if isinstance(iterable, ast.Call):
        function = iterable.func
        if isinstance(function, ast.Attribute) and function.attr in ("items", "keys", "values"):
            return _known_length(function.value, scope, depth + 1)
        counted = isinstance(function, ast.Name) and function.id in ("enumerate", "zip", "reversed")
        if counted and iterable.args:
            return _known_length(iterable.args[0], scope, depth + 1)
    return None


def _uniform_exchanges(messages: ast.List | ast.Tuple, threshold: int) -> tuple[int, str] | None:
    """A literal run of example user/assistant messages whose texts all open with the same
    labels: (number of exchanges, the labels)."""
    framings: dict[str, set[tuple[str, ...]]] = {"user": set(), "assistant": set()}
    counts = {"user": 0, "assistant": 0}
    for element in messages.elts:
        if not isinstance(element, ast.Dict):
            continue
        entries = {
            k.value: v
            for k, v in zip(element.keys, element.values, strict=True)
            if isinstance(k, ast.Constant)
        }
        role, content = entries.get("role"), entries.get("content")
        if not isinstance(role, ast.Constant) or role.value not in framings:
            continue
        if not isinstance(content, ast.Constant) or not isinstance(content.value, str):
            continue
        framings[role.value].add(tuple(_LABEL.findall(content.value)))
        counts[role.value] += 1
    pairs = min(counts.values())
    if pairs < threshold:
        return None
    if any(len(found) != 1 or not next(iter(found)) for found in framings.values()):
        return None
    labels = " → ".join(
        ", ".join(f"'{label}:'" for label in next(iter(framings[role])))
        for role in ("user", "assistant")
    )
    return pairs, labels


_HEADER = "import openai\nclient = openai.OpenAI()\n"
_FIVE = "EXAMPLES = [('2+2', '4'), ('3*3', '9'), ('10/2', '5'), ('7-5', '2'), ('2**3', '8')]\n"


def _exchange(question: str, answer: str) -> str:
    return (
        f"        {{'role': 'user', 'content': 'Input: {question}'}},\n"
        f"        {{'role': 'assistant', 'content': 'Output: {answer}'}},\n"
    )


UniformFewShot.VALID = (
    # Two examples are not a pattern to imitate.
    Valid(
        _HEADER + "EXAMPLES = [('2+2', '4'), ('3*3', '9')]\n"
        "def build_system_prompt():\n"
        "    return '\\n'.join(f'Input: {q}\\nOutput: {a}' for q, a in EXAMPLES)\n"
    ),
    # A collection of unknown size.
    Valid(
        _HEADER + "def build_system_prompt(examples):\n"
        "    return '\\n'.join(f'Input: {q}\\nOutput: {a}' for q, a in examples)\n"
    ),
    # Not rendered into a prompt.
    Valid(
        _FIVE + "def report():\n"
        "    return '\\n'.join(f'Input: {q}\\nOutput: {a}' for q, a in EXAMPLES)\n"
    ),
)
UniformFewShot.INVALID = (
    Invalid(
        _HEADER + _FIVE + "def build_system_prompt():\n"
        "    shots = '\\n'.join(f'Input: {q}\\nOutput: {a}' for q, a in EXAMPLES)\n"
        "    return 'Solve the arithmetic.\\n' + shots\n",
        line=5,
        message_contains="all 5 items of `EXAMPLES`",
    ),
    Invalid(
        _HEADER + _FIVE + "def ask(question):\n"
        "    messages = [{'role': 'system', 'content': 'Solve it.'}]\n"
        "    for q, a in EXAMPLES:\n"
        "        messages.append({'role': 'user', 'content': f'Problem: {q}'})\n"
        "    messages.append({'role': 'user', 'content': question})\n"
        "    return client.chat.completions.create(model='m', messages=messages)\n",
        line=7,
    ),
    Invalid(
        _HEADER + "def ask(question):\n"
        "    return client.chat.completions.create(model='m', messages=[\n"
        + "".join(_exchange(str(n), str(n * 2)) for n in range(5))
        + "        {'role': 'user', 'content': question},\n"
        "    ])\n",
        line=4,
        message_contains="same framing: 'Input:' → 'Output:'",
    ),
)
