"""The path of a prompt file a Python expression names, worked out without running the code:
`Path(__file__).parent / "prompts" / "system.j2"`, `os.path.join(HERE, "prompts", name)`,
`f"{template}.j2"`, `files("pkg.prompts").joinpath("x.md")`.

A path is a `PathText`: a run of known text, parameters of the function the expression sits
in (`ParamRef`: a caller of that function fills them), choices between texts written out
(`Choice`) and unknown pieces (None). prompt_file_index finds the file it names on disk."""

from __future__ import annotations

import ast
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from ctxlint.python.flow_types import Frame
from ctxlint.python.index import Binding, ModuleIndex, Scope, class_of_self
from ctxlint.python.names import lookup, qualified_name
from ctxlint.python.order import live_bindings
from ctxlint.python.summaries import argument_for

# How deep names, attributes and calls are followed for one path.
_MAX_DEPTH = 8
# Texts a name may be given on different branches, and files one render may link.
_MAX_CHOICES = 8
_JOINS = frozenset({"os.path.join", "posixpath.join", "ntpath.join"})
_KEEPS_PATH = frozenset(
    {
        "os.path.abspath",
        "os.path.realpath",
        "os.path.normpath",
        "os.path.expanduser",
        "os.fspath",
        "str",
    }
)
_PATH_CLASSES = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath"})
_PATH_METHODS_KEEPING = frozenset({"resolve", "absolute", "expanduser", "as_posix"})
_PACKAGE_FILES = frozenset({"importlib.resources.files", "importlib_resources.files"})
# A parameter an unknown helper is likely to build a path from (`get_abs_path(dir, file)`).
_FILE_WORDS = ("file", "path", "name", "template", "prompt")


@dataclass(frozen=True, slots=True)
class ParamRef:
    """A parameter of the function a path is written in: its callers fill it."""

    function: object = field(repr=False)
    name: str = ""


@dataclass(frozen=True, slots=True)
class Choice:
    """One of several texts written out, by branch (`name = "a.md" if flash else "b.md"`):
    the call renders one of the files they name."""

    options: tuple[str, ...]


Piece = str | ParamRef | Choice | None
PathText = tuple[Piece, ...]
UNKNOWN: PathText = (None,)


def concat(*texts: PathText) -> PathText:
    pieces: list[Piece] = []
    for text in texts:
        for piece in text:
            if isinstance(piece, str) and pieces and isinstance(pieces[-1], str):
                pieces[-1] += piece
            elif piece != "":
                pieces.append(piece)
    return tuple(pieces) or ("",)


def join(*texts: PathText) -> PathText:
    joined: PathText = texts[0]
    for text in texts[1:]:
        first = text[0] if text else ""
        if isinstance(first, str) and first.startswith("/"):
            joined = text
        else:
            joined = concat(joined, ("/",), text)
    return joined


def dirname(text: PathText) -> PathText:
    last = text[-1]
    if isinstance(last, str) and "/" in last:
        head = last.rsplit("/", 1)[0]
        return concat(text[:-1], (head or "/",))
    return UNKNOWN


def parameters_of(text: PathText) -> list[ParamRef]:
    return [piece for piece in text if isinstance(piece, ParamRef)]


class PathEvaluator:
    """Works out `PathText`s in the modules of a run. `module_path(scope)` names the file a
    scope is in (for `__file__`); `imported(qualified, scope)` gives the module scope of the
    project module an imported name is defined in, and its name there (for constants kept
    there); `package_folder(dotted, scope)` the folder of a project package."""

    def __init__(
        self,
        module_path: Callable[[Scope], str | None],
        imported: Callable[[str, Scope], tuple[Scope, str] | None],
        package_folder: Callable[[str, Scope], str | None],
        index_of: Callable[[Scope], ModuleIndex | None] = lambda scope: None,
    ) -> None:
        self.module_path = module_path
        self.imported = imported
        self.package_folder = package_folder
        self.index_of = index_of

    def bindings(self, node: ast.Name, scope: Scope) -> list[Binding]:
        """The bindings of a name that can hold its value where it is read (a parameter
        rebound before: `template = "/".join([self.model, template])`)."""
        bindings = lookup(node.id, scope)
        index = self.index_of(scope)
        if len(bindings) < 2 or index is None or not hasattr(node, "lineno"):
            return bindings
        live = live_bindings(node, scope, bindings, index)
        around = [b for b in live if _holds(b.value, node)]
        if not around:
            return live
        # `x = f(x)`: the `x` read is what x held before this assignment.
        before = [b for b in bindings if _before(b, around[0]) and b is not around[0]]
        return before[-1:] if before and before[-1].kind == "param" else before

    def text(
        self, node: ast.expr, scope: Scope, frames: tuple[Frame, ...] = (), depth: int = 0
    ) -> PathText:
        if depth > _MAX_DEPTH:
            return UNKNOWN
        inner = depth + 1
        if isinstance(node, ast.Constant):
            return (node.value,) if isinstance(node.value, str) else UNKNOWN
        if isinstance(node, ast.JoinedStr):
            parts: list[PathText] = []
            for value in node.values:
                if isinstance(value, ast.Constant):
                    parts.append((str(value.value),))
                elif isinstance(value, ast.FormattedValue):
                    parts.append(self.text(value.value, scope, frames, inner))
            return concat(*parts)
        if isinstance(node, ast.IfExp):
            body = self.text(node.body, scope, frames, inner)
            orelse = self.text(node.orelse, scope, frames, inner)
            return _agreed([body, orelse])
        if isinstance(node, ast.BinOp):
            left = self.text(node.left, scope, frames, inner)
            right = self.text(node.right, scope, frames, inner)
            if isinstance(node.op, ast.Add):
                return concat(left, right)
            if isinstance(node.op, ast.Div):
                return join(left, right)
            return UNKNOWN
        if isinstance(node, ast.Name):
            return self._name(node, scope, frames, inner)
        if isinstance(node, ast.Attribute):
            return self._attribute(node, scope, frames, inner)
        if isinstance(node, ast.Call):
            return self._call(node, scope, frames, inner)
        return UNKNOWN

    def _name(self, node: ast.Name, scope: Scope, frames: tuple[Frame, ...], depth: int):
        if node.id == "__file__":
            path = self.module_path(scope)
            return (os.path.abspath(path),) if path else UNKNOWN
        bindings = self.bindings(node, scope)
        if len(bindings) == 1 and bindings[0].kind == "param":
            binding = bindings[0]
            for position in range(len(frames) - 1, -1, -1):
                frame = frames[position]
                if frame.function is binding.function:
                    argument = argument_for(frame.call, frame.function, node.id)
                    if argument is not None:
                        return self.text(argument, frame.caller_scope, frames[:position], depth)
                    break
            return (ParamRef(binding.function, node.id),)
        if len(bindings) > _MAX_CHOICES:
            return UNKNOWN
        texts = []
        for binding in bindings:
            if binding.kind == "assign" and not binding.target_path and binding.value is not None:
                texts.append(self.text(binding.value, binding.scope, frames, depth))  # type: ignore[arg-type]
            elif binding.kind == "import" and binding.qualified_name:
                texts.append(self._imported(binding.qualified_name, scope, depth))
            else:
                return UNKNOWN
        return _agreed(texts)

    def _imported(self, qualified: str, scope: Scope, depth: int) -> PathText:
        found = self.imported(qualified, scope)
        if found is None:
            return UNKNOWN
        module_scope, name = found
        return self._name(ast.Name(name), module_scope, (), depth)

    def _attribute(self, node: ast.Attribute, scope: Scope, frames: tuple[Frame, ...], depth):
        if node.attr == "parent":
            return dirname(self.text(node.value, scope, frames, depth))
        owner = class_of_self(node.value, scope)
        if owner is not None:
            assigned = owner.attributes.get(node.attr, [])
            texts = [self.text(value, where, frames, depth) for value, where in assigned[:4]]
            for binding in owner.scope.bindings.get(node.attr, [])[:2]:
                if binding.kind == "assign" and binding.value is not None:
                    texts.append(self.text(binding.value, binding.scope, frames, depth))  # type: ignore[arg-type]
            return _agreed(texts)
        qualified = qualified_name(node, scope)
        if qualified is not None:
            return self._imported(qualified, scope, depth)
        return UNKNOWN

    def _call(self, node: ast.Call, scope: Scope, frames: tuple[Frame, ...], depth: int):
        function = node.func
        qualified = qualified_name(function, scope)
        arguments = [self.text(a, scope, frames, depth) for a in node.args]
        if qualified in _JOINS or qualified in _PATH_CLASSES:
            return join(*arguments) if arguments else UNKNOWN
        if qualified == "os.path.dirname" and arguments:
            return dirname(arguments[0])
        if qualified in _KEEPS_PATH and arguments:
            return arguments[0]
        if qualified in _PACKAGE_FILES and arguments:
            return self._package_folder(node.args[0], scope)
        if qualified == "importlib.resources.path" and len(arguments) == 2:
            return join(self._package_folder(node.args[0], scope), arguments[1])
        if isinstance(function, ast.Attribute) and qualified is None:
            receiver = function.value
            if function.attr in _PATH_METHODS_KEEPING:
                return self.text(receiver, scope, frames, depth)
            if function.attr == "joinpath":
                return join(self.text(receiver, scope, frames, depth), *arguments)
            if function.attr == "join" and isinstance(receiver, ast.Constant) and node.args:
                return _joined_with(str(receiver.value), node.args[0], self, scope, frames, depth)
        return _ends_with_file_argument(arguments)

    def _package_folder(self, package: ast.expr, scope: Scope) -> PathText:
        """The folder of a package named by its dotted name (`files("pkg.prompts")`)."""
        if not isinstance(package, ast.Constant) or not isinstance(package.value, str):
            return UNKNOWN
        folder = self.package_folder(package.value, scope)
        if folder is None:
            return (None, "/" + package.value.replace(".", "/"))
        return (folder,)


def _joined_with(
    separator: str,
    items: ast.expr,
    evaluator: PathEvaluator,
    scope: Scope,
    frames: tuple[Frame, ...],
    depth: int,
) -> PathText:
    """`"/".join([model, template])`."""
    if not isinstance(items, (ast.List, ast.Tuple)) or not items.elts:
        return UNKNOWN
    texts = [evaluator.text(element, scope, frames, depth) for element in items.elts]
    joined = texts[0]
    for text in texts[1:]:
        joined = concat(joined, (separator,), text)
    return joined


def _ends_with_file_argument(arguments: list[PathText]) -> PathText:
    """A helper of the project's own that builds a path (`get_abs_path(prompt_dir, file)`):
    the path ends with its one argument that names a file; what comes before is unknown."""
    named = [text for text in arguments if _names_a_file(text)]
    if len(named) != 1:
        return UNKNOWN
    return concat(UNKNOWN, ("/",), named[0])


def _names_a_file(text: PathText) -> bool:
    last = text[-1]
    if isinstance(last, str):
        return "." in last.rsplit("/", 1)[-1]
    if isinstance(last, Choice):
        return all("." in option.rsplit("/", 1)[-1] for option in last.options)
    if isinstance(last, ParamRef):
        name = last.name.lower()
        return any(word in name for word in _FILE_WORDS) and "dir" not in name
    return False


def _agreed(texts: list[PathText]) -> PathText:
    """The one text all bindings agree on (a name given the same path on every branch), or a
    choice between texts written out in full."""
    if not texts:
        return UNKNOWN
    if all(text == texts[0] for text in texts):
        return texts[0]
    options: list[str] = []
    for text in texts:
        if len(text) != 1:
            return UNKNOWN
        piece = text[0]
        if isinstance(piece, str):
            options.append(piece)
        elif isinstance(piece, Choice):
            options.extend(piece.options)
        else:
            return UNKNOWN
    return (Choice(tuple(sorted(set(options)))),)


def expand(text: PathText) -> list[PathText]:
    """Each text a path with choices may be (a bounded number of them)."""
    variants: list[PathText] = [()]
    for piece in text:
        options = piece.options if isinstance(piece, Choice) else (piece,)
        variants = [concat(variant, (option,)) for variant in variants for option in options]
        if len(variants) > _MAX_CHOICES:
            return []
    return variants


def _position(node: ast.AST | None) -> tuple[int, int] | None:
    if node is None or not hasattr(node, "lineno"):
        return None
    return (node.lineno, node.col_offset)  # type: ignore[attr-defined]


def _holds(value: ast.AST | None, node: ast.AST) -> bool:
    """Whether `node` is written inside `value` (by position)."""
    start, inner = _position(value), _position(node)
    if start is None or inner is None:
        return False
    end = (value.end_lineno, value.end_col_offset)  # type: ignore[union-attr]
    return start <= inner < end  # type: ignore[operator]


def _before(binding: Binding, other: Binding) -> bool:
    mine, theirs = _position(binding.node), _position(other.node)
    if binding.kind == "param":
        return True
    return mine is not None and theirs is not None and mine < theirs
