"""A prompt path that depends on how an object was made: `PromptManager(prompt_dir)` keeps
`Environment(loader=FileSystemLoader(prompt_dir))`, and each place that makes a manager says
which folder its templates come from (OpenHands' agents each pass their own `prompts`
folder). The path of a render in a method is then one path per constructor call, those of
tests left out."""

from __future__ import annotations

import ast
from collections.abc import Callable

from ctxlint.python.index import FunctionInfo, Scope
from ctxlint.python.project import Project
from ctxlint.python.prompt_paths import ParamRef, PathText, concat
from ctxlint.python.summaries import argument_for

# Constructor calls looked at per class: a class made in more places is configuration.
_MAX_CONSTRUCTIONS = 40


class InstancePaths:
    """The paths a path with constructor parameters takes, one per call of the class."""

    def __init__(
        self,
        project: Project,
        data: dict[str, bytes],
        evaluate: Callable[[ast.expr, Scope], PathText],
    ) -> None:
        self.project = project
        self.data = data
        self.evaluate = evaluate
        self._calls: dict[int, list[tuple[ast.Call, Scope]]] = {}

    def paths(self, path: PathText) -> list[PathText]:
        """`path` with the parameters of a constructor filled by each call of its class, or
        `[path]` when it has none (or the calls are too many to say)."""
        constructors = {
            id(piece.function): piece.function
            for piece in path
            if isinstance(piece, ParamRef) and _is_constructor(piece.function)
        }
        if len(constructors) != 1:
            return [path]
        (constructor,) = constructors.values()
        calls = self._constructions(constructor)
        if not calls or len(calls) > _MAX_CONSTRUCTIONS:
            return [path]
        filled = []
        for call, scope in calls:
            pieces: list[PathText] = []
            for piece in path:
                if isinstance(piece, ParamRef) and piece.function is constructor:
                    argument = argument_for(call, constructor, piece.name)
                    pieces.append(self.evaluate(argument, scope) if argument else (piece,))
                else:
                    pieces.append((piece,))
            filled.append(concat(*pieces))
        return filled

    def _constructions(self, constructor: FunctionInfo) -> list[tuple[ast.Call, Scope]]:
        if id(constructor) in self._calls:
            return self._calls[id(constructor)]
        owner = constructor.class_info
        assert owner is not None
        name = owner.node.name
        needle = f"{name}(".encode()
        found: list[tuple[ast.Call, Scope]] = []
        for path, content in self.data.items():
            if needle not in content or len(found) > _MAX_CONSTRUCTIONS or is_test(path):
                continue
            module = self.project.module_at(path)
            if module is None:
                continue
            for site in module.index.calls_by_name.get(name, ()):
                if self.project.class_called(site.call.func, site.scope) is owner:
                    found.append((site.call, site.scope))
        self._calls[id(constructor)] = found
        return found


def is_test(path: str) -> bool:
    """A test's objects are made with a fixture's folders: they say nothing of the app's."""
    parts = path.replace("\\", "/").split("/")
    name = parts[-1]
    return (
        any(part in ("tests", "test") for part in parts[:-1])
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


def _is_constructor(function: object) -> bool:
    return (
        isinstance(function, FunctionInfo)
        and function.name == "__init__"
        and function.class_info is not None
    )
