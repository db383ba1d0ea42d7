"""Provider wrappers of other modules: `from .llm import chat_with_retry`, then
`chat_with_retry(messages=m, tools=t)`, or `self.provider.chat(messages=...)` with the
provider's class known. Such a call is a sink for what the wrapper forwards into an LLM call,
as a call of the module's own wrapper is (wrappers.py).

The imported function's summary is computed from its own module alone (the wrappers defined
and called there), once per module: one step across modules, so that what a module finds never
depends on which other module asked first, and an import cycle cannot recurse.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

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
        home = project.module_of(function.scope) if function is not None else None
        if function is None or home is None or home is module:
            continue
        if home.path not in homes and len(homes) >= _MAX_MODULES:
            continue
        homes.add(home.path)
        summary = home.fact(_own_wrappers).get(function)
        if summary:
            imported[function] = summary
            resolved[id(call)] = function
    if not imported:
        return analyse_sinks(index, configured)

    def resolve(call: ast.Call, scope: Scope) -> FunctionInfo | None:
        found = local(call, scope)
        return found if found is not None else resolved.get(id(call))

    return analyse_sinks(index, configured, imported, resolve)


def _imported_callee(call: ast.Call, scope: Scope, module: PythonModule) -> FunctionInfo | None:
    """An imported function (`chat_with_retry`, `llm.chat`), or a method of an instance whose
    class the project knows; never a guess by method name (which would read every import)."""
    assert module.project is not None
    callee = module.project.gated_callee(call.func, scope, _SENDS_PROMPTS)
    if callee is not None:
        return callee.function
    # `HelperAgent(env_context=x)`: the constructor of an imported class.
    if isinstance(call.func, ast.Name) and call.func.id[:1].isupper():
        owner = module.project.gated_class(call.func, scope, _SENDS_PROMPTS)
        return owner.methods.get("__init__") if owner is not None else None
    return None


# The prefilter's test of a file that may send prompts (an SDK call, a message, a system
# prompt): only such files are parsed to look for a wrapper.
_SENDS_PROMPTS = build_prefilter((), []).may_send_prompts


def _own_wrappers(module: PythonModule) -> WrapperSinks:
    return analyse_sinks(module.index, module.settings.prompt_sinks).wrappers
