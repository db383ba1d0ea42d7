"""Where the project's Python code loads and renders prompt files, and what it passes for each
variable (ctxlint.prompt_files.renders).

Only files whose bytes mention a way of loading a template and of filling one in are parsed
(or of filling one in and import a module that loads one); then the files that call one of
the wrappers found there
(`prompt_engine.load_prompt("x", **values)`).
A site whose file cannot be told exactly, or only by an end that several files share, links
nothing; nor does anything when no file under the roots has a prompt suffix (then no file is
read or parsed: a Python-only tree pays a walk of its folders). Nothing here raises: a file
that does not read or parse gives no render."""

from __future__ import annotations

import ast
import os
from collections.abc import Callable, Iterable, Iterator

from ctxlint.config import Settings
from ctxlint.files import NotRead, read_source
from ctxlint.prompt_files.renders import PassedValue, Render
from ctxlint.python.index import FunctionInfo, Scope
from ctxlint.python.instance_paths import InstancePaths, is_test
from ctxlint.python.module import PythonModule
from ctxlint.python.names import first_own_function, qualified_name
from ctxlint.python.passed_values import Classified, GatedLinks, classify
from ctxlint.python.project import Project
from ctxlint.python.prompt_file_index import PromptFileIndex, resolve_path
from ctxlint.python.prompt_loads import OriginFinder
from ctxlint.python.prompt_paths import PathEvaluator, expand
from ctxlint.python.render_sites import (
    Site,
    fill_parameters,
    render_sites,
    wrapper_call_site,
)

# Bytes a file must hold to load a prompt file in one of the ways recognised...
_LOADS = (
    b"get_template",
    b"from_file",
    b"load_prompt",
    b"prompty",
    b"Prompty",
    b"from_string",
    b"Template(",
    b"from_template",
)
# ...or to read a file's text, then with a word that says the text is a prompt...
_READS = (b".read(", b"read_text")
_PROMPT_WORDS = (b"prompt", b"template", b"instruction", b".md", b".txt", b".j2", b".jinja", b"{{")
# ...and to fill one in.
_FILLS = (
    b".render(",
    b".format(",
    b".format_map(",
    b".invoke(",
    b"prompty.",
    b".prompty",
    b"create_messages(",
    b"substitute(",
    b"format_messages(",
    b"format_prompt(",
    # `.replace("{{name}}", value)`, or a helper's `.replace("{{" + key + "}}", value)`.
    b'.replace("{',
    b".replace('{",
    b'.replace("$',
    b".replace('$",
    b'"{{" +',
    b"'{{' +",
)
# Wrappers of wrappers followed (agent-zero: read_prompt -> read_file -> the file's text).
_MAX_WRAPPER_LEVELS = 4


def find_renders(
    python_paths: Iterable[str],
    roots: tuple[str, ...] = (),
    settings: Settings | None = None,
    judged: Callable[[str, str], bool] | None = None,
) -> dict[str, tuple[Render, ...]]:
    """The renders found in `python_paths`, by the absolute path of the prompt file each
    renders. A file here need not be one discovery found: the code names it. With `judged`,
    only a value for which `judged(prompt_path, variable)` holds is classified (following a
    value through the project is most of the cost); the others are passed as unclassified."""
    try:
        finder = _Finder(tuple(python_paths), roots, settings or Settings())
        finder.judged = judged
        return finder.renders()
    except Exception:  # A bug here must not stop the check of every other file.
        return {}


class _Finder:
    def __init__(self, paths: tuple[str, ...], roots: tuple[str, ...], settings: Settings) -> None:
        from ctxlint.python.imports import roots_for

        self.paths = paths
        self.roots = roots or roots_for(paths)
        self.project = Project(settings, self.roots)
        self.files = PromptFileIndex(self.roots)
        self.evaluator = PathEvaluator(
            self._module_path, self._imported, self._package_folder, self.project.index_of
        )
        self.origins = OriginFinder(self.evaluator, self._callee, self._imported_loader)
        self._sent: dict[int, dict[int, str]] = {}
        self.links = GatedLinks(self.project)
        self.judged: Callable[[str, str], bool] | None = None

    # What the path evaluation asks of the project ------------------------------------------

    def _module_path(self, scope: Scope) -> str | None:
        module = self.project.module_of(scope)
        return module.path if module is not None else None

    def _imported(self, qualified: str, scope: Scope) -> tuple[Scope, str] | None:
        module = self.project.module_of(scope)
        if module is None:
            return None
        target = self.project._resolve(qualified, module.path)
        if target is None or len(target[1]) != 1:
            return None
        other = self.project.module_at(target[0])
        return (other.index.module_scope, target[1][0]) if other is not None else None

    def _imported_loader(self, qualified: str, scope: Scope) -> tuple[Scope, str] | None:
        """`_imported`, for a name that may hold a template: only into a file that loads one."""
        module = self.project.module_of(scope)
        target = self.project._resolve(qualified, module.path) if module is not None else None
        if target is None or not _loads(self.project.data_of(target[0])):
            return None
        return self._imported(qualified, scope)

    def _package_folder(self, dotted: str, scope: Scope) -> str | None:
        module = self.project.module_of(scope)
        if module is None:
            return None
        target = self.project._resolve(dotted, module.path)
        if target is None or target[1] or not target[0].endswith("__init__.py"):
            return None
        return os.path.dirname(os.path.abspath(target[0]))

    def _callee(self, function: ast.expr, scope: Scope):  # type: ignore[no-untyped-def]
        # Only files that load a template can return one: others are not parsed to ask.
        return self.project.gated_callee(function, scope, _loads)

    # The run ------------------------------------------------------------------------------

    def renders(self) -> dict[str, tuple[Render, ...]]:
        if self.files.is_empty():
            # No file under the roots has a prompt suffix: a Python-only tree pays one walk.
            return {}
        # A test renders a template to look at it, with a fixture's values: not what the app
        # sends, and often the most of a project's renders (Skyvern's golden-prompt tests).
        data = {path: _read(path) for path in self.paths if not is_test(path)}
        self.instances = InstancePaths(self.project, data, self.evaluator.text)
        importing = _importing_loaders(data)
        modules = [
            module
            for path, content in data.items()
            if _may_render(content) or (_fills(content) and importing(content))
            for module in [self.project.module_at(path)]
            if module is not None
        ]
        sites: list[tuple[Site, PythonModule]] = []
        for module in modules:
            consumed: set[int] = set()
            try:
                found_here = render_sites(self.origins, module.index.calls, consumed)
            except Exception:  # A bug met in one file loses that file's renders only.
                continue
            sites.extend((site, module) for site in found_here)
        # Every site, also a wrapper's own (linked as it stands when no caller fills it).
        found: list[tuple[Site, PythonModule]] = []
        wrappers: dict[int, tuple[FunctionInfo, Site]] = {}
        filled: set[int] = set()
        pending = sites
        for _ in range(_MAX_WRAPPER_LEVELS):
            new: dict[int, tuple[FunctionInfo, Site]] = {}
            for site, module in pending:
                found.append((site, module))
                function = site.wrapper()
                if function is not None and id(function) not in wrappers:
                    new[id(function)] = (function, site)
            if not new:
                break
            wrappers.update(new)
            pending = []
            for site, module, function in self._wrapper_calls(new, data):
                filled.add(id(function))
                pending.append((site, module))
        return self._linked(found, filled)

    def _wrapper_calls(
        self,
        wrappers: dict[int, tuple[FunctionInfo, Site]],
        data: dict[str, bytes],
    ) -> Iterator[tuple[Site, PythonModule, FunctionInfo]]:
        """The sites made by calls of the wrappers, in every file that names one of them."""
        by_name: dict[str, list[tuple[FunctionInfo, Site]]] = {}
        for function, site in wrappers.values():
            by_name.setdefault(function.name, []).append((function, site))
        needles = [f"{name}(".encode() for name in by_name]
        for path, content in data.items():
            if not any(needle in content for needle in needles):
                continue
            module = self.project.module_at(path)
            if module is None:
                continue
            try:
                yield from self._calls_in(module, by_name)
            except Exception:  # A bug met in one file loses that file's renders only.
                continue

    def _calls_in(
        self, module: PythonModule, by_name: dict[str, list[tuple[FunctionInfo, Site]]]
    ) -> list[tuple[Site, PythonModule, FunctionInfo]]:
        found = []
        for name, candidates in by_name.items():
            for call_site in module.index.calls_by_name.get(name, ()):
                target = self._wrapper_called(call_site.call, call_site.scope, candidates)
                if target is None:
                    continue
                function, wrapped = target
                if _inside(call_site.scope, function):
                    continue
                site = wrapper_call_site(wrapped, function, call_site.call, call_site.scope)
                site = fill_parameters(site, function, self.evaluator.text)
                found.append((site, module, function))
        return found

    def _wrapper_called(
        self, call: ast.Call, scope: Scope, candidates: list[tuple[FunctionInfo, Site]]
    ) -> tuple[FunctionInfo, Site] | None:
        functions = {id(function): (function, site) for function, site in candidates}
        own = first_own_function(call.func, scope)
        if own is not None:
            return functions.get(id(own))
        callee = self.project.callee(call.func, scope, by_name=False)
        if callee is not None:
            return functions.get(id(callee.function))
        # `prompt_engine.load_prompt(...)` on an object whose class is not known here: the
        # one method of the project so named that renders a prompt file.
        if (
            len(candidates) == 1
            and isinstance(call.func, ast.Attribute)
            and candidates[0][0].class_info is not None
            and self._in_project(call.func, scope)
        ):
            return candidates[0]
        return None

    def _in_project(self, function: ast.expr, scope: Scope) -> bool:
        """Whether a callee is not another package's: a name of no import, or one imported
        from the project (`from app.prompts import prompt_engine`)."""
        qualified = qualified_name(function, scope)
        if qualified is None:
            return True
        module = self.project.module_of(scope)
        return module is not None and self.project._resolve(qualified, module.path) is not None

    # Renders ------------------------------------------------------------------------------

    def _linked(
        self,
        found: list[tuple[Site, PythonModule]],
        filled: set[int],
    ) -> dict[str, tuple[Render, ...]]:
        renders: dict[str, list[Render]] = {}
        seen: set[tuple[str, int]] = set()
        for site, module in found:
            function = site.wrapper()
            if function is not None and id(function) in filled:
                continue  # its callers' renders say what it is given
            texts = self.instances.paths(site.path)
            for variant in [variant for text in texts for variant in expand(text)]:
                path = resolve_path(variant, module.path, self.files)
                if path is None or (path, id(site.call)) in seen:
                    continue
                seen.add((path, id(site.call)))
                try:
                    render = self._render(site, module, path)
                except Exception:  # A bug met classifying one call loses that call only.
                    continue
                renders.setdefault(path, []).append(render)
        return {path: tuple(found) for path, found in renders.items()}

    def _render(self, site: Site, module: PythonModule, path: str) -> Render:
        values = []
        names: set[str] = set()
        for value in site.values:
            if value.name in names:
                continue
            names.add(value.name)
            owner = self.project.module_of(value.scope) or module
            if isinstance(value.node, ast.Constant):
                kind = Classified()  # written out: the same on every call
            elif self.judged is not None and not self.judged(path, value.name):
                kind = Classified()  # the template gives its value no weight: not followed
            else:
                kind = classify(value.node, value.scope, owner, self.links)
            start, end = owner.start_offset(value.node), owner.end_offset(value.node)
            values.append(
                PassedValue(
                    value.name,
                    owner.snippet(value.node),
                    owner.path,
                    owner.source.location(start),
                    owner.source.location(end),
                    volatile=kind.volatile,
                    per_turn=kind.per_turn,
                    unordered=kind.unordered,
                    unsorted_keys=kind.unsorted_keys,
                )
            )
        start, end = module.start_offset(site.call), module.end_offset(site.call)
        return Render(
            module.path,
            module.source.location(start),
            module.source.location(end),
            site.call_text,
            tuple(values),
            complete=site.complete and site.passthrough is None,
            sent_as=site.sent_as or self._sent_as(module, site.call),
        )

    def _sent_as(self, module: PythonModule, call: ast.Call) -> str | None:
        """ "system", "instructions" or "user" when a request of the same module visibly sends
        the rendered text so (the sink finder's sinks); None otherwise."""
        from ctxlint.python.sent_as import sent_parts

        if id(module) not in self._sent:
            self._sent[id(module)] = sent_parts(module)
        return self._sent[id(module)].get(id(call))


def _loads(data: bytes) -> bool:
    return any(needle in data for needle in _LOADS) or (
        any(needle in data for needle in _READS) and any(word in data for word in _PROMPT_WORDS)
    )


def _fills(data: bytes) -> bool:
    return any(needle in data for needle in _FILLS)


def _may_render(data: bytes) -> bool:
    return _loads(data) and _fills(data)


def _importing_loaders(data: dict[str, bytes]):  # type: ignore[no-untyped-def]
    """Whether a file's bytes import a module that loads templates and fills none in itself
    (`from app.templates import SYSTEM`): it may render what that module loads."""
    names = set()
    for path, content in data.items():
        if _loads_at_top(content) and not _fills(content):
            stem = os.path.splitext(os.path.basename(path))[0]
            if stem == "__init__":
                stem = os.path.basename(os.path.dirname(path))
            names.add(stem.encode())
    needles = [
        needle
        for name in sorted(names)
        for needle in (b"." + name + b" import", b"import " + name, b"from " + name + b" ")
    ]
    return lambda content: any(needle in content for needle in needles)


def _loads_at_top(data: bytes) -> bool:
    """A load on a line of the module's top level (`SYSTEM = Template(...)`), where a template
    another module imports is made."""
    for line in data.splitlines():
        if line[:1] not in (b" ", b"\t", b"#", b"") and any(
            needle in line for needle in (*_LOADS, *_READS)
        ):
            return True
    return False


def _read(path: str) -> bytes:
    try:
        return read_source(path)
    except (OSError, NotRead):
        return b""


def _inside(scope: Scope, function: FunctionInfo) -> bool:
    current: Scope | None = scope
    while current is not None:
        if current is function.scope:
            return True
        current = current.parent
    return False
