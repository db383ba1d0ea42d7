"""Variables of a LangChain system prompt template, filled where the template is invoked.

    prompt = ChatPromptTemplate.from_messages([("system", "Be brief. Now: {now}"), ...])
    chain = prompt | llm
    chain.invoke({"now": datetime.now().isoformat(), "messages": history})

The system message's text is a constant; what changes is the value each variable is given on
each call: `{"now": ...}` handed to `invoke` (or `ainvoke`, `stream`, `astream`), the keywords
of `format_messages`, `format_prompt` and `partial`. Those values are the system prompt's
sinks. The template is found through the names (or `self` attributes) that hold it or a chain
that starts with it (`prompt | llm`); anything else gives up quietly.
"""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator

from ctxlint.python.index import ModuleIndex, Scope, class_of_self
from ctxlint.python.names import lookup, qualified_name
from ctxlint.python.requests import request_entries

# Calls that fill the variables from a dict given first, and from keywords.
_DICT_FILLERS = frozenset({"invoke", "ainvoke", "stream", "astream"})
_KEYWORD_FILLERS = frozenset({"format_messages", "aformat_messages", "format_prompt", "partial"})
# Steps from a filling call back to the template (names, chains, attributes).
_MAX_DEPTH = 5
_MAX_BINDINGS = 6


def template_variable_sinks(index: ModuleIndex) -> Iterator[tuple[ast.expr, Scope, str, ast.Call]]:
    """(value, its scope, variable name, the filling call) for each value a call gives a
    variable of a system message template; only in a module that imports LangChain."""
    if not any(name.startswith("langchain") for name in index.imported_modules):
        return
    for site in index.calls:
        function = site.call.func
        if not isinstance(function, ast.Attribute):
            continue
        method = function.attr
        if method not in _DICT_FILLERS and method not in _KEYWORD_FILLERS:
            continue
        variables = _system_variables(function.value, site.scope, 0)
        if not variables:
            continue
        call = site.call
        if method in _DICT_FILLERS and call.args:
            for entry in request_entries(call.args[0], site.scope, index):
                if entry.key in variables:
                    yield entry.value, entry.scope, entry.key, call
        for keyword in call.keywords:
            if keyword.arg in variables:
                yield keyword.value, site.scope, keyword.arg, call


def _system_variables(holder: ast.expr, scope: Scope, depth: int) -> frozenset[str]:
    """The variables of the system messages of the template `holder` is, or starts."""
    if depth > _MAX_DEPTH:
        return frozenset()
    if isinstance(holder, ast.BinOp) and isinstance(holder.op, ast.BitOr):
        return _system_variables(holder.left, scope, depth + 1)  # `prompt | llm`
    if isinstance(holder, ast.Call):
        return _template_variables(holder, scope)
    values: list[tuple[ast.expr, Scope]] = []
    if isinstance(holder, ast.Name):
        bindings = lookup(holder.id, scope)
        if len(bindings) > _MAX_BINDINGS:
            return frozenset()
        values = [
            (b.value, b.scope)
            for b in bindings
            if b.kind == "assign" and isinstance(b.value, ast.expr) and not b.target_path
        ]
    elif isinstance(holder, ast.Attribute):
        owner = class_of_self(holder.value, scope)
        if owner is not None:
            values = list(owner.attributes.get(holder.attr, ()))[:_MAX_BINDINGS]
    found: frozenset[str] = frozenset()
    for value, value_scope in values:
        found |= _system_variables(value, value_scope, depth + 1)
    return found


def _template_variables(call: ast.Call, scope: Scope) -> frozenset[str]:
    """`ChatPromptTemplate.from_messages([("system", "... {now} ..."), ...])`,
    `SystemMessagePromptTemplate.from_template("... {now} ...")`: the variables of the system
    text, when it is a literal in LangChain's default f-string format."""
    qualified = qualified_name(call.func, scope) or ""
    if not qualified.startswith("langchain"):
        return frozenset()
    if any(keyword.arg == "template_format" for keyword in call.keywords):
        return frozenset()  # mustache or jinja2: another syntax
    texts: list[ast.expr] = []
    if qualified.endswith("ChatPromptTemplate.from_messages") and call.args:
        messages = call.args[0]
        if isinstance(messages, (ast.List, ast.Tuple)):
            for element in messages.elts:
                if (
                    isinstance(element, ast.Tuple)
                    and len(element.elts) == 2
                    and isinstance(element.elts[0], ast.Constant)
                    and element.elts[0].value in ("system", "developer")
                ):
                    texts.append(element.elts[1])
    elif qualified.endswith("SystemMessagePromptTemplate.from_template") and call.args:
        texts.append(call.args[0])
    found: set[str] = set()
    for text in texts:
        found.update(_placeholders(text, scope))
    return frozenset(found)


def _placeholders(text: ast.expr, scope: Scope) -> set[str]:
    if isinstance(text, ast.Name):
        bindings = lookup(text.id, scope)
        if len(bindings) != 1 or not isinstance(bindings[0].value, ast.Constant):
            return set()
        text = bindings[0].value
    if not (isinstance(text, ast.Constant) and isinstance(text.value, str)):
        return set()
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text.value) if name]
    except ValueError:
        return set()
    bases = {name.split(".")[0].split("[")[0] for name in fields}
    return {name for name in bases if name.isidentifier()}
