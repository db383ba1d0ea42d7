"""The calls that render a prompt file, and what each passes per variable: `template.render(...)`
on a loaded template, `text.format(...)` / `.replace("{{x}}", v)` on a file's text, LangChain's
`.format(...)` / `.invoke({...})`, `prompty.execute(p, inputs={...})`; and the calls of the
project's own functions that wrap one (`prompt_engine.load_prompt("name", **values)`), whose
parameters fill the path and whose `**kwargs` become the template's variables."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace

from ctxlint.python.index import FunctionInfo, Scope
from ctxlint.python.names import lookup, qualified_name
from ctxlint.python.prompt_loads import OriginFinder, values_of
from ctxlint.python.prompt_paths import ParamRef, PathText, concat, parameters_of
from ctxlint.python.summaries import argument_for

# What each render method can be called on (Origin.kind).
_RENDER_METHODS = {
    "render": ("jinja",),
    "render_async": ("jinja",),
    "generate": ("jinja",),
    "stream": ("jinja",),
    "format": ("text", "langchain"),
    "format_map": ("text",),
    "substitute": ("string",),
    "safe_substitute": ("string",),
    "invoke": ("langchain",),
    "ainvoke": ("langchain",),
    "format_messages": ("langchain",),
    "format_prompt": ("langchain",),
    "replace": ("text",),
    "create_messages": ("prompty",),
}
_PROMPTY_RENDERS = frozenset({"prompty.execute", "prompty.execute_async", "prompty.prepare"})


@dataclass(frozen=True, slots=True)
class Value:
    """One variable a site passes: its name and the expression, in the scope it is written."""

    name: str
    node: ast.expr
    scope: Scope


@dataclass(slots=True)
class Site:
    """One call that renders a prompt file, or calls a wrapper that does."""

    call: ast.Call
    scope: Scope
    call_text: str
    kind: str
    path: PathText
    values: list[Value] = field(default_factory=list)
    # The `**kwargs` parameter of the enclosing function, passed on whole: its callers'
    # keywords are the template's variables.
    passthrough: str | None = None
    complete: bool = True
    # The role of the chat template's message the file is ("system", "user"), when the
    # template says it.
    sent_as: str | None = None

    def wrapper(self) -> FunctionInfo | None:
        """The function this site makes a wrapper of: the enclosing one, when a parameter of
        it fills the path or its `**kwargs` are passed on."""
        function = enclosing_function(self.scope)
        if function is None or function.name.startswith("test_"):
            return None  # nothing calls a test
        if self.passthrough is not None:
            return function
        owns = any(ref.function is function for ref in parameters_of(self.path))
        return function if owns else None


def render_sites(finder: OriginFinder, calls, consumed: set[int]) -> list[Site]:  # type: ignore[no-untyped-def]
    """The sites among a module's calls (`index.calls`). `consumed` gathers the inner calls of
    a `.replace()` chain, which belong to its outermost call."""
    found = []
    for site in calls:
        if id(site.call) in consumed:
            continue
        made = _site(finder, site.call, site.scope, consumed)
        if made is not None:
            found.append(made)
    return found


def _site(finder: OriginFinder, call: ast.Call, scope: Scope, consumed: set[int]) -> Site | None:
    function = call.func
    qualified = qualified_name(function, scope)
    if qualified in _PROMPTY_RENDERS and call.args:
        origin = finder.origin(call.args[0], scope)
        path = origin.path if origin is not None else finder.paths.text(call.args[0], scope)
        inputs = _keyword(call, "inputs") or (call.args[1] if len(call.args) > 1 else None)
        site = Site(call, scope, qualified, "prompty", path)  # type: ignore[arg-type]
        if inputs is not None:
            _spread(site, inputs, scope)
        return site
    filled = _filled_text(finder, call, scope) if call.args and call.keywords else None
    if filled is not None:
        site = Site(call, scope, _call_text(call), "text", filled)
        _keywords(site, call.keywords, scope)
        return site
    if isinstance(function, ast.Name) and call.keywords:
        # promptflow: `prompty_obj = Prompty.load(path); prompty_obj(article=...)`.
        origin = finder.origin(function, scope)
        if origin is None or origin.kind != "prompty":
            return None
        site = Site(call, scope, function.id, "prompty", origin.path)
        _keywords(site, call.keywords, scope)
        return site
    if not isinstance(function, ast.Attribute) or function.attr not in _RENDER_METHODS:
        return None
    kinds = _RENDER_METHODS[function.attr]
    receiver = function.value
    if function.attr == "replace":
        return _replace_chain(finder, call, scope, consumed)
    origin = finder.origin(receiver, scope)
    if origin is None or origin.kind not in kinds:
        return None
    site = Site(call, scope, _call_text(call), origin.kind, origin.path, sent_as=origin.role)
    for argument in call.args:
        if isinstance(argument, ast.Starred):
            site.complete = False
        elif function.attr in ("format",) and origin.kind == "text":
            site.complete = False  # positional fields: `{0}`
        else:
            _spread(site, argument, scope)
    _keywords(site, call.keywords, scope)
    return site


def _keywords(site: Site, keywords: list[ast.keyword], scope: Scope) -> None:
    """The variables keywords pass: `name=value`, or `**mapping` (`_spread`)."""
    for keyword in keywords:
        if keyword.arg is None:
            _spread(site, keyword.value, scope)
        else:
            site.values.append(Value(keyword.arg, keyword.value, scope))


def _filled_text(finder: OriginFinder, call: ast.Call, scope: Scope) -> PathText | None:
    """For `fill(text, **values)` where `text` is a prompt file's and `fill` a function of the
    project that fills placeholders, the file's path (the function is asked of last: that may
    parse its module)."""
    if isinstance(call.func, ast.Attribute) and call.func.attr in _RENDER_METHODS:
        return None
    origin = finder.origin(call.args[0], scope)
    if origin is None or origin.kind != "text" or not finder.fills_placeholders(call, scope):
        return None
    return origin.path


def _replace_chain(
    finder: OriginFinder, call: ast.Call, scope: Scope, consumed: set[int]
) -> Site | None:
    """`text.replace("{{a}}", x).replace("{{b}}", y)` on a file's text, seen from its
    outermost call: one render passing a and b."""
    steps: list[ast.Call] = []
    current: ast.expr = call
    while (
        isinstance(current, ast.Call)
        and isinstance(current.func, ast.Attribute)
        and current.func.attr == "replace"
        and len(current.args) >= 2
    ):
        steps.append(current)
        current = current.func.value
    if not steps:
        return None
    origin = finder.origin(current, scope)
    if origin is None or origin.kind != "text":
        return None
    consumed.update(id(step) for step in steps)
    site = Site(call, scope, _call_text(steps[-1]), "text", origin.path)
    for step in reversed(steps):
        name = _placeholder_name(step.args[0])
        if name is None:
            site.complete = False
        else:
            site.values.append(Value(name, step.args[1], scope))
    return site


def _placeholder_name(node: ast.expr) -> str | None:
    """ "x" of `"{{x}}"`, `"{{ x }}"`, `"{x}"`, `"$x"`, `"${x}"`, `"[[x]]"`."""
    if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
        return None
    name = node.value.strip()
    for opening, closing in (("{{", "}}"), ("${", "}"), ("{", "}"), ("[[", "]]"), ("<", ">")):
        if name.startswith(opening) and name.endswith(closing):
            name = name[len(opening) : -len(closing)].strip()
            break
    name = name.lstrip("$")
    return name if name.isidentifier() else None


def _spread(site: Site, mapping: ast.expr, scope: Scope) -> None:
    """The entries of a mapping passed whole: a dict display, `dict(a=...)`, a dict built
    just before under a name, or the enclosing function's `**kwargs` (then its callers'
    keywords are the values). Anything else leaves the site incomplete."""
    if isinstance(mapping, ast.Dict):
        for key, value in zip(mapping.keys, mapping.values, strict=True):
            if key is None:
                _spread(site, value, scope)
            elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                site.values.append(Value(key.value, value, scope))
            else:
                site.complete = False
        return
    if isinstance(mapping, ast.Call) and qualified_name(mapping.func, scope) == "dict":
        for argument in mapping.args:
            _spread(site, argument, scope)
        for keyword in mapping.keywords:
            if keyword.arg is None:
                _spread(site, keyword.value, scope)
            else:
                site.values.append(Value(keyword.arg, keyword.value, scope))
        return
    if isinstance(mapping, ast.Name):
        function = enclosing_function(scope)
        kwargs = _kwargs_name(function)
        if kwargs is not None and mapping.id == kwargs and lookup(mapping.id, scope):
            site.passthrough = kwargs
            return
        built = values_of(mapping, scope, ())
        if len(built) == 1 and isinstance(built[0][0], (ast.Dict, ast.Call)):
            _spread(site, built[0][0], built[0][1])
        else:
            site.complete = False  # `variables = load_defaults() or {}`
        _written_entries(site, mapping.id, scope)
        return
    site.complete = False


def _written_entries(site: Site, name: str, scope: Scope) -> None:
    """`values["now"] = ...` and `values.update(...)` in the function that builds the dict."""
    function = enclosing_function(scope)
    if function is None or isinstance(function.node, ast.Lambda):
        return
    bindings = lookup(name, scope)
    for node in ast.walk(function.node):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == name
                    and isinstance(target.slice, ast.Constant)
                    and isinstance(target.slice.value, str)
                ):
                    site.values.append(Value(target.slice.value, node.value, scope))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "update"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
            and lookup(name, scope) is bindings
        ):
            for argument in node.args:
                _spread(site, argument, scope)
            for keyword in node.keywords:
                if keyword.arg is None:
                    _spread(site, keyword.value, scope)
                else:
                    site.values.append(Value(keyword.arg, keyword.value, scope))


def wrapper_call_site(wrapped: Site, function: FunctionInfo, call: ast.Call, scope: Scope) -> Site:
    """The site a call of a wrapper makes: its arguments fill the wrapper's parameters in the
    path, and its keywords the variables the wrapper passes on."""
    site = Site(call, scope, _call_text(call), wrapped.kind, wrapped.path)
    site.sent_as = wrapped.sent_as
    site.values = list(wrapped.values)
    site.complete = wrapped.complete
    if wrapped.passthrough is not None:
        named = set(function.parameter_names)
        for keyword in call.keywords:
            if keyword.arg is None:
                _spread(site, keyword.value, scope)
            elif keyword.arg not in named:
                site.values.append(Value(keyword.arg, keyword.value, scope))
        if any(isinstance(argument, ast.Starred) for argument in call.args):
            site.complete = False
    return site


def fill_parameters(site: Site, function: FunctionInfo, evaluate) -> Site:  # type: ignore[no-untyped-def]
    """The site's path with the wrapper's parameters replaced by what the call passes
    (`evaluate(expression, scope)` gives its text); a value the wrapper passes straight from a
    parameter (`render(goal=goal)`) becomes the call's argument."""
    pieces: list[PathText] = []
    for piece in site.path:
        if isinstance(piece, ParamRef) and piece.function is function:
            argument = argument_for(site.call, function, piece.name)
            pieces.append(evaluate(argument, site.scope) if argument is not None else (piece,))
        else:
            pieces.append((piece,))
    values = []
    for value in site.values:
        bindings = lookup(value.node.id, value.scope) if isinstance(value.node, ast.Name) else []
        if len(bindings) == 1 and bindings[0].kind == "param" and bindings[0].function is function:
            argument = argument_for(site.call, function, value.node.id)  # type: ignore[attr-defined]
            if argument is not None:
                values.append(Value(value.name, argument, site.scope))
                continue
        values.append(value)
    return replace(site, path=concat(*pieces), values=values)


def enclosing_function(scope: Scope) -> FunctionInfo | None:
    current: Scope | None = scope
    while current is not None and current.kind in ("comprehension", "lambda"):
        current = current.parent
    return current.function if current is not None else None


def _kwargs_name(function: FunctionInfo | None) -> str | None:
    if function is None or isinstance(function.node, ast.Lambda):
        return None
    kwarg = function.node.args.kwarg
    return kwarg.arg if kwarg is not None else None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _call_text(call: ast.Call) -> str:
    """`template.render`, `prompt_engine.load_prompt`: the last two names of the callee."""
    names: list[str] = []
    node: ast.expr = call.func
    while isinstance(node, ast.Attribute) and len(names) < 2:
        names.append(node.attr)
        node = node.value
    if len(names) < 2:
        if isinstance(node, ast.Name):
            names.append(node.id)
        elif isinstance(node, ast.Call):
            names.append(_call_text(node) + "()")
    return ".".join(reversed(names))
