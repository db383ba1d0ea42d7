"""Placeholders of a Jinja template, read with jinja2's own parser: what `{{ … }}` writes, what a
`{% for %}` walks, what `{% if %}` and `{% set %}` evaluate, with the names, calls and filters
each expression uses. jinja2 is imported here only, when a Jinja template is read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ctxlint.prompt_files.model import Placeholder
from ctxlint.prompt_files.positions import LineIndex

# Jinja's default delimiters, comments first so that a `{{` inside one is no tag.
_TAG = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
_FOR_HEAD = re.compile(r"\s*for\s+.+?\s+in\s+", re.DOTALL)
_FOR_TAIL = re.compile(r"\s+(?:if\s+|recursive\b)", re.DOTALL)
_KEYWORD = re.compile(r"\s*(\w+)\s*")
# Extensions whose tags real prompt templates use (`{% do %}`, `{% break %}`, `{% trans %}`):
# without them, jinja2 reports a valid template as a syntax error.
_EXTENSIONS = ("jinja2.ext.do", "jinja2.ext.loopcontrols", "jinja2.ext.i18n")

_ENVIRONMENT: Any = None


@dataclass(frozen=True, slots=True)
class TemplateFault:
    """A template jinja2 cannot parse: its reason, and the offset (in the text given) of the
    line jinja2 names."""

    offset: int
    reason: str


@dataclass(slots=True)
class _Tag:
    kind: str  # "{{" or "{%"
    start: int  # offset of the delimiter
    inner_start: int
    inner: str
    first_line: int
    last_line: int
    used: bool = False


def _environment() -> Any:
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        import jinja2  # A Jinja template is being read: only then is jinja2 needed.

        _ENVIRONMENT = jinja2.Environment(extensions=list(_EXTENSIONS))
    return _ENVIRONMENT


def jinja_placeholders(text: str) -> tuple[list[Placeholder], TemplateFault | None]:
    """The placeholders of a Jinja template (offsets in `text`), or the fault that stops
    jinja2 from parsing it."""
    import jinja2
    from jinja2 import nodes

    lines = LineIndex(text)
    tags = _tags(text, lines)
    try:
        template = _environment().parse(text)
    except jinja2.TemplateSyntaxError as error:
        line = error.lineno or 1
        fault = TemplateFault(lines.line_start(line), f"Jinja syntax error: {error.message}")
        return _outputs_one_by_one(tags), fault
    except RecursionError:
        return [], TemplateFault(0, "Jinja template nested too deep to read")
    found: list[Placeholder] = []

    def add(expression: Any, construct: str, statement: Any, keyword: str | None) -> None:
        names, calls, filters = _describe(expression, nodes)
        offset, source = _locate(tags, statement.lineno, keyword, construct, lines, text)
        found.append(
            Placeholder(
                expression=source,
                construct=construct,
                names=tuple(names),
                calls=tuple(calls),
                filters=tuple(filters),
                offset=offset,
            )
        )

    def walk(statements: list[Any]) -> None:
        for statement in statements:
            if isinstance(statement, nodes.Output):
                for child in statement.nodes:
                    if not isinstance(child, nodes.TemplateData):
                        add(child, "output", child, None)
            elif isinstance(statement, nodes.For):
                add(statement.iter, "loop", statement, "for")
                if statement.test is not None:
                    add(statement.test, "condition", statement, "for-test")
                walk(statement.body)
                walk(statement.else_)
            elif isinstance(statement, nodes.If):
                add(statement.test, "condition", statement, "if")
                walk(statement.body)
                for branch in statement.elif_:
                    add(branch.test, "condition", branch, "elif")
                    walk(branch.body)
                walk(statement.else_)
            elif isinstance(statement, nodes.Assign):
                add(statement.node, "assignment", statement, "set")
            else:
                for child in statement.iter_child_nodes():
                    if isinstance(child, nodes.Stmt):
                        walk([child])
                    elif isinstance(child, nodes.Expr) and not _is_store(child, nodes):
                        add(child, "statement", statement, "")

    walk(template.body)
    return found, None


def _outputs_one_by_one(tags: list[_Tag]) -> list[Placeholder]:
    """What a template jinja2 refuses as a whole still shows: each `{{ … }}` that parses on
    its own (a misnested `{% endif %}` spoils no `{{ now() }}`)."""
    import jinja2
    from jinja2 import nodes

    found = []
    for tag in tags:
        if tag.kind != "{{":
            continue
        try:
            template = _environment().parse("{{ " + tag.inner + " }}")
        except (jinja2.TemplateSyntaxError, RecursionError):
            continue
        for output in template.body:
            for child in getattr(output, "nodes", ()):
                names, calls, filters = _describe(child, nodes)
                offset, source = _expression_in(tag, None)
                found.append(
                    Placeholder(
                        source, "output", tuple(names), tuple(calls), tuple(filters), offset
                    )
                )
    return found


def _is_store(node: Any, nodes: Any) -> bool:
    return isinstance(node, nodes.Name) and node.ctx != "load"


def _describe(expression: Any, nodes: Any) -> tuple[list[str], list[str], list[str]]:
    """The variables an expression reads (dotted through attributes and constant
    subscripts), the functions it calls and the filters it applies, in source order."""
    names: list[str] = []
    calls: list[str] = []
    filters: list[str] = []

    def visit(node: Any) -> None:
        if isinstance(node, (nodes.Name, nodes.Getattr, nodes.Getitem)):
            dotted = _dotted(node, nodes)
            if dotted is not None:
                if node.ctx == "load" if isinstance(node, nodes.Name) else True:
                    names.append(dotted)
                return
        if isinstance(node, nodes.Call):
            callee = _dotted(node.node, nodes)
            if callee is not None:
                calls.append(callee)
                for child in node.iter_child_nodes(exclude=("node",)):
                    visit(child)
                return
        if isinstance(node, nodes.Filter):
            filters.append(node.name)
        for child in node.iter_child_nodes():
            visit(child)

    visit(expression)
    return names, calls, filters


def _dotted(node: Any, nodes: Any) -> str | None:
    """`user.name` for `user.name` or `user["name"]`; None for anything computed."""
    if isinstance(node, nodes.Name):
        return str(node.name)
    if isinstance(node, nodes.Getattr):
        base = _dotted(node.node, nodes)
        return None if base is None else f"{base}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        base = _dotted(node.node, nodes)
        return None if base is None else f"{base}.{node.arg.value}"
    return None


def _tags(text: str, lines: LineIndex) -> list[_Tag]:
    tags = []
    for match in _TAG.finditer(text):
        kind = match.group(0)[:2]
        if kind == "{#":
            continue
        inner_start = match.start() + 2
        inner = match.group(0)[2:-2]
        lead = len(inner) - len(inner.lstrip("-+"))
        tags.append(
            _Tag(
                kind,
                match.start(),
                inner_start + lead,
                inner[lead:].rstrip("-+"),
                lines.line(match.start()),
                lines.line(match.end() - 1),
            )
        )
    return tags


def _locate(
    tags: list[_Tag], line: int, keyword: str | None, construct: str, lines: LineIndex, text: str
) -> tuple[int, str]:
    """The offset and source text of an expression jinja2 places on `line`: the first tag of
    its kind not yet taken that spans the line (for a statement, one opened by its keyword)."""
    kind = "{{" if keyword is None else "{%"
    wanted = keyword.split("-")[0] if keyword else None
    for tag in tags:
        if tag.kind != kind or not tag.first_line <= line <= tag.last_line:
            continue
        opener = _KEYWORD.match(tag.inner)
        if wanted and (opener is None or opener.group(1) != wanted):
            continue
        if tag.used and keyword != "for-test":
            continue
        tag.used = True
        return _expression_in(tag, keyword)
    start = lines.line_start(line)
    return start, text[start : text.find("\n", start) if "\n" in text[start:] else len(text)]


def _expression_in(tag: _Tag, keyword: str | None) -> tuple[int, str]:
    """Where, in its tag, the expression a placeholder names starts, and its text."""
    inner = tag.inner
    start = 0
    if keyword in ("for", "for-test"):
        head = _FOR_HEAD.match(inner)
        start = head.end() if head else 0
        tail = _FOR_TAIL.search(inner, start)
        if keyword == "for-test" and tail is not None:
            start = tail.end()
        elif tail is not None:
            inner = inner[: tail.start()]
    elif keyword in ("if", "elif"):
        opener = _KEYWORD.match(inner)
        start = opener.end() if opener else 0
    elif keyword == "set":
        start = inner.find("=") + 1
    expression = inner[start:]
    lead = len(expression) - len(expression.lstrip())
    return tag.inner_start + start + lead, expression.strip()
