"""Provider wrappers of other modules: `from .llm import chat_with_retry`, then
`chat_with_retry(messages=m, tools=t)`, or `self.provider.chat(messages=...)` with the
provider's class known. Such a call is a sink for what the wrapper forwards into an LLM call,
as a call of the module's own wrapper is (wrappers.py).

The imported function's summary is computed from its own module alone (the wrappers defined
and called there), once per module: one step across modules, so that what a module finds never
depends on which other module asked first, and an import cycle cannot recurse. A function is
asked of the module's summary (summary_cache.py), kept by a results cache: an unchanged import
is not parsed to answer it. A constructor (`HelperAgent(env_context=x)`) is asked of the parsed
class, whose `__init__` a summary does not describe.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ctxlint.python.index import class_of_self
from ctxlint.python.names import lookup
from ctxlint.python.prefilter import build_prefilter
from ctxlint.python.sinks import SinkAnalysis, analyse_sinks
from ctxlint.python.wrappers import WrapperSinks, local_resolver

if TYPE_CHECKING:
    from ctxlint.python.index import FunctionInfo, Scope
    from ctxlint.python.module import PythonModule

# Other modules whose wrappers one module looks up.
_MAX_MODULES = 8


def project_sinks(module: PythonModule) -> SinkAnalysis:
    """The module's sinks and wrapper summaries, counting calls of other modules' wrappers."""
    index, configured = module.index, module.settings.prompt_sinks
    project = module.project
    if project is None:
        return analyse_sinks(index, configured)
    local = local_resolver(index)
    imported: WrapperSinks = {}
    resolved: dict[int, FunctionInfo] = {}
    homes: set[str] = set()
    for site in index.calls:
        call = site.call
        if not (call.args or call.keywords) or local(call, site.scope) is not None:
            continue
        function = _imported_callee(call, site.scope, module)
        if function is None:
            continue
        # A stand-in for another module's function, from its summary (summary_cache.py), or
        # a constructor of a parsed module's class.
        stand_in_home = project.summaries.home_of(function)
        parsed = project.module_of(function.scope) if stand_in_home is None else None
        home = stand_in_home or (parsed.path if parsed is not None else None)
        if home is None or home == module.path:
            continue
        if home not in homes and len(homes) >= _MAX_MODULES:
            continue
        homes.add(home)
        if parsed is not None:
            summary = parsed.fact(_own_wrappers).get(function)
        else:
            summary = project.summaries.wrapper_summary(project, function)
        if summary:
            imported[function] = summary
            resolved[id(call)] = function
    if not imported:
        analysis = analyse_sinks(index, configured)
        project.summaries.note_own_wrappers(module, analysis.wrappers)
        return analysis

    def resolve(call: ast.Call, scope: Scope) -> FunctionInfo | None:
        found = local(call, scope)
        return found if found is not None else resolved.get(id(call))

    # Constructors called under another name than their class's (`self.prompt_class(...)`).
    call_names = frozenset(
        name
        for site in index.calls
        if id(site.call) in resolved
        and (name := _call_name(site.call.func)) != resolved[id(site.call)].name
    )
    return analyse_sinks(index, configured, imported, resolve, call_names)


def _call_name(function: ast.expr) -> str:
    return function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")


def _imported_callee(call: ast.Call, scope: Scope, module: PythonModule) -> FunctionInfo | None:
    """An imported function (`chat_with_retry`, `llm.chat`), or a method of an instance whose
    class the project knows; never a guess by method name (which would read every import)."""
    assert module.project is not None
    callee = module.project.summarised_callee(call.func, scope, _SENDS_PROMPTS)
    if callee is not None:
        return callee.function
    # `HelperAgent(env_context=x)`: the constructor of an imported class, or of the class
    # an attribute holds (`self.prompt_class(...)`, given `prompt_class: type[SystemPrompt]`).
    named = call.func if isinstance(call.func, ast.Name) else _class_held(call.func, scope)
    if named is None or not _class_like(named):
        return None
    owner = module.project.gated_class(named, scope, _SENDS_PROMPTS)
    return owner.methods.get("__init__") if owner is not None else None


def _class_like(expression: ast.expr) -> bool:
    if isinstance(expression, ast.Attribute):
        return expression.attr[:1].isupper()
    return getattr(expression, "id", "")[:1].isupper()


def _class_held(function: ast.expr, scope: Scope) -> ast.expr | None:
    """The class `self.<attribute>` holds, when every assignment of the attribute is a
    parameter that names one class, by its annotation (`type[SystemPrompt]`) or default."""
    if not isinstance(function, ast.Attribute):
        return None
    owner = class_of_self(function.value, scope)
    if owner is None:
        return None
    found: ast.expr | None = None
    for value, value_scope in owner.attributes.get(function.attr, ()):
        bindings = lookup(value.id, value_scope) if isinstance(value, ast.Name) else []
        if len(bindings) != 1 or bindings[0].kind != "param":
            return None
        named = _named_class(bindings[0].annotation) or bindings[0].value
        if not isinstance(named, (ast.Name, ast.Attribute)):
            return None
        if found is not None and ast.dump(found) != ast.dump(named):
            return None
        found = named
    return found


def _named_class(annotation: ast.expr | None) -> ast.expr | None:
    # `type[SystemPrompt]`, `Type[SystemPrompt]`, `typing.Type[SystemPrompt]`.
    if isinstance(annotation, ast.Subscript):
        outer = annotation.value
        name = outer.attr if isinstance(outer, ast.Attribute) else getattr(outer, "id", "")
        if name in ("type", "Type"):
            return annotation.slice
    return None


# The prefilter's test of a file that may send prompts (an SDK call, a message, a system
# prompt): only such files are parsed to look for a wrapper.
_SENDS_PROMPTS = build_prefilter((), []).may_send_prompts


def _own_wrappers(module: PythonModule) -> WrapperSinks:
    return analyse_sinks(module.index, module.settings.prompt_sinks).wrappers
