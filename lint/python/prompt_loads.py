"""Which prompt file a template object or a text was loaded from: `env.get_template("x.j2")`
on an `Environment(loader=FileSystemLoader(dir))`, `env.from_string(open(p).read())`,
`jinja2.Template(Path(p).read_text())`, `files(pkg).joinpath(n).read_text()`, LangChain's
`PromptTemplate.from_file(p)` and `load_prompt(p)`, Prompty's `prompty.load(p)`; followed
through names, `self` attributes and the project's own functions that return one."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

from ctxlint.python.flow_types import Frame
from ctxlint.python.index import Binding, Scope, class_of_self
from ctxlint.python.names import first_own_function, lookup, qualified_name
from ctxlint.python.prompt_paths import UNKNOWN, PathEvaluator, PathText, join
from ctxlint.python.summaries import argument_for

_MAX_DEPTH = 8
_MAX_FRAMES = 3
_OPENS = frozenset({"open", "io.open", "codecs.open"})
_TEXT_KEEPING = frozenset({"strip", "lstrip", "rstrip", "decode", "removeprefix"})
_TEXT_KEEPING_FUNCTIONS = frozenset({"textwrap.dedent", "inspect.cleandoc", "str"})
_GET_TEMPLATE = frozenset({"get_template", "select_template", "get_or_select_template"})
_JINJA_TEMPLATES = frozenset({"jinja2.Template", "jinja2.environment.Template"})
_LANGCHAIN_FILE_LOADS = ("PromptTemplate.from_file", "load_prompt")
_FILLING_METHODS = frozenset({"replace", "format", "format_map", "substitute", "sub"})
_PROMPTY_LOADS = ("prompty.load", "prompty.load_async", "Prompty.load", "from_prompty")
# Roles of a chat template's messages, as the rendered text is sent.
_ROLES = {
    "system": "system",
    "System": "system",
    "human": "user",
    "user": "user",
    "Human": "user",
}
_LANGCHAIN_TEXT_LOADS = ("PromptTemplate.from_template", "PromptTemplate")


@dataclass(frozen=True, slots=True)
class Origin:
    """What a value is: a template object or a text loaded from a prompt file."""

    # "jinja" (a jinja2 Template), "text" (the file's text), "string" (string.Template),
    # "langchain" (a prompt template object), "prompty" (a loaded Prompty).
    kind: str
    path: PathText
    # What the file is in a chat template that holds it: "system", "user"; else None.
    role: str | None = None


class OriginFinder:
    """Follows a value back to the prompt file it was loaded from (`origin`)."""

    def __init__(self, paths: PathEvaluator, callee=None, imported=None) -> None:  # type: ignore[no-untyped-def]
        self.paths = paths
        # `callee(function_expression, scope)`: a project function of another module, or None.
        self.callee = callee
        # `imported(qualified, scope)`: where an imported name that may hold a template is
        # defined (module scope, name), or None.
        self.imported = imported
        self._fills: dict[int, bool] = {}

    def fills_placeholders(self, call: ast.Call, scope: Scope) -> bool:
        """Whether the call runs a function of the project that fills a text's placeholders
        from its keywords (`replace_placeholders(text, **values)`: a `**kwargs` parameter, and
        a `.replace()` or `.format()` in its body); its first argument is the text."""
        target = first_own_function(call.func, scope)
        if target is None and self.callee is not None:
            found = self.callee(call.func, scope)
            target = found.function if found is not None else None
        if target is None or isinstance(target.node, ast.Lambda):
            return False
        if id(target) not in self._fills:
            self._fills[id(target)] = _fills(target.node)
        return self._fills[id(target)]

    def origin(
        self, node: ast.expr, scope: Scope, frames: tuple[Frame, ...] = (), depth: int = 0
    ) -> Origin | None:
        if depth > _MAX_DEPTH:
            return None
        depth += 1
        if isinstance(node, ast.Await):
            return self.origin(node.value, scope, frames, depth)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            # `prompt | llm | parser`: what is invoked starts with the prompt.
            found = self.origin(node.left, scope, frames, depth)
            return found if found is not None and found.kind == "langchain" else None
        if isinstance(node, ast.Name):
            imported = self._imported(node, scope, depth)
            if imported is not None:
                return imported
        if isinstance(node, (ast.Name, ast.Attribute)) and not _is_module_attribute(node, scope):
            values = values_of(node, scope, frames, bindings=self.paths.bindings)
            return _agreed([self.origin(v, s, f, depth) for v, s, f in values])
        if isinstance(node, ast.Call):
            return self._call(node, scope, frames, depth)
        return None

    def _imported(self, node: ast.Name, scope: Scope, depth: int) -> Origin | None:
        """A template made at the top of another module of the project and imported here
        (`from app.prompts import SYSTEM; SYSTEM.render(...)`)."""
        bindings = lookup(node.id, scope)
        if len(bindings) != 1 or bindings[0].kind != "import" or not bindings[0].qualified_name:
            return None
        if self.imported is None:
            return None
        found = self.imported(bindings[0].qualified_name, scope)
        if found is None:
            return None
        module_scope, name = found
        return self.origin(ast.Name(name), module_scope, (), depth)

    def _call(self, node: ast.Call, scope: Scope, frames: tuple[Frame, ...], depth: int):
        function = node.func
        qualified = qualified_name(function, scope)
        first = node.args[0] if node.args else None
        path = self.paths.text
        if qualified in _TEXT_KEEPING_FUNCTIONS and first is not None:
            found = self.origin(first, scope, frames, depth)
            return found if found is not None and found.kind == "text" else None
        if qualified in _JINJA_TEMPLATES or qualified == "string.Template":
            text = self._text(first, scope, frames, depth)
            kind = "string" if qualified == "string.Template" else "jinja"
            return Origin(kind, text) if text is not None else None
        if qualified is not None and qualified.startswith("langchain"):
            if qualified.endswith("ChatPromptTemplate.from_messages") and first is not None:
                return self._chat_messages(first, scope, frames, depth)
            role = _ROLES.get(qualified.rsplit(".", 2)[-2].removesuffix("MessagePromptTemplate"))
            if qualified.endswith("from_template_file") and first is not None:
                return Origin("langchain", path(first, scope, frames), role)
            if qualified.endswith(_LANGCHAIN_FILE_LOADS) and first is not None:
                return Origin("langchain", path(first, scope, frames))
            if qualified.endswith(_LANGCHAIN_TEXT_LOADS):
                template = _keyword(node, "template") or first
                text = self._text(template, scope, frames, depth)
                return Origin("langchain", text, role) if text is not None else None
            return None
        if qualified is not None and qualified.endswith(_PROMPTY_LOADS):
            # prompty's own, promptflow's `Prompty.load`, azure-ai-inference's `from_prompty`.
            source = _keyword(node, "file_path") or _keyword(node, "source") or first
            return Origin("prompty", path(source, scope, frames)) if source else None
        if qualified in _OPENS:
            return None  # the file object, not its text: `.read()` on it is the text
        if qualified == "importlib.resources.read_text" and len(node.args) == 2:
            folder = self.paths._package_folder(node.args[0], scope)
            return Origin("text", join(folder, path(node.args[1], scope, frames)))
        if isinstance(function, ast.Attribute):
            found = self._method(node, function, scope, frames, depth)
            if found is not None:
                return found
        return self._returned(node, scope, frames, depth)

    def _chat_messages(
        self, messages: ast.expr, scope: Scope, frames: tuple[Frame, ...], depth: int
    ) -> Origin | None:
        """`ChatPromptTemplate.from_messages([("system", open(p).read()), ("human", "{q}")])`:
        the one message made from a prompt file, with its role."""
        if not isinstance(messages, (ast.List, ast.Tuple)):
            return None
        found: list[Origin] = []
        for message in messages.elts:
            if isinstance(message, ast.Tuple) and len(message.elts) == 2:
                role, text = message.elts
                path = self._text(text, scope, frames, depth)
                if path is not None and isinstance(role, ast.Constant):
                    found.append(Origin("langchain", path, _ROLES.get(str(role.value))))
            else:
                made = self.origin(message, scope, frames, depth)
                if made is not None and made.kind == "langchain":
                    found.append(made)
        return found[0] if len(found) == 1 else None

    def _method(
        self,
        node: ast.Call,
        function: ast.Attribute,
        scope: Scope,
        frames: tuple[Frame, ...],
        depth: int,
    ) -> Origin | None:
        receiver, method = function.value, function.attr
        first = node.args[0] if node.args else None
        if method in _GET_TEMPLATE and first is not None:
            if isinstance(first, (ast.List, ast.Tuple)) and first.elts:
                first = first.elts[0]
            name = self.paths.text(first, scope, frames)
            return Origin("jinja", join(self.loader_folder(receiver, scope, frames), name))
        if method == "from_string":
            text = self._text(first, scope, frames, depth)
            return Origin("jinja", text) if text is not None else None
        if method in _TEXT_KEEPING:
            found = self.origin(receiver, scope, frames, depth)
            return found if found is not None and found.kind == "text" else None
        if method == "read" and not node.args:
            opened = self._opened(receiver, scope, frames, depth)
            return Origin("text", opened) if opened is not None else None
        if method == "read_text":
            return Origin("text", self.paths.text(receiver, scope, frames))
        return None

    def _opened(self, node: ast.expr, scope: Scope, frames: tuple[Frame, ...], depth: int):
        """The path a file object was opened from: `open(p)`, `Path(p).open()`, a name bound
        by `with open(p) as f`."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Name):
            values = values_of(node, scope, frames, bindings=self.paths.bindings)
            found = [self._opened(v, s, f, depth + 1) for v, s, f in values]
            return found[0] if found and all(text == found[0] for text in found) else None
        if not isinstance(node, ast.Call):
            return None
        if qualified_name(node.func, scope) in _OPENS and node.args:
            return self.paths.text(node.args[0], scope, frames)
        if (
            isinstance(node.func, ast.Attribute)
            and node.func.attr == "open"
            and qualified_name(node.func, scope) is None
        ):
            return self.paths.text(node.func.value, scope, frames)
        return None

    def _text(self, node: ast.expr | None, scope: Scope, frames: tuple[Frame, ...], depth: int):
        """The path of the prompt file whose text `node` is, or None when it is no file's."""
        if node is None:
            return None
        found = self.origin(node, scope, frames, depth)
        return found.path if found is not None and found.kind == "text" else None

    def _returned(self, node: ast.Call, scope: Scope, frames: tuple[Frame, ...], depth: int):
        """What a function of the project returns, its parameters bound to the call's
        arguments (`self._load_template("system.j2")`)."""
        if len(frames) >= _MAX_FRAMES:
            return None
        target = first_own_function(node.func, scope)
        bound = isinstance(node.func, ast.Attribute)
        if target is None and self.callee is not None:
            found = self.callee(node.func, scope)
            if found is not None:
                target, bound = found.function, found.bound
        if target is None or any(frame.function is target for frame in frames):
            return None
        inner = (*frames, Frame(target, node, scope, bound))
        returns = [value for value in target.returns if id(value) not in target.fallback_returns]
        return _agreed([self.origin(value, target.scope, inner, depth) for value in returns])

    def loader_folder(self, environment: ast.expr, scope: Scope, frames: tuple[Frame, ...]):
        """The folder of the `FileSystemLoader` (or `PackageLoader`) an Environment reads."""
        for value, value_scope, value_frames in self._made(environment, scope, frames):
            if not isinstance(value, ast.Call):
                continue
            qualified = qualified_name(value.func, value_scope) or ""
            if not qualified.endswith("Environment"):
                continue
            loader = _keyword(value, "loader")
            if loader is None:
                return UNKNOWN
            for made, made_scope, made_frames in self._made(loader, value_scope, value_frames):
                if isinstance(made, ast.Call):
                    return self._loader(made, made_scope, made_frames)
        return UNKNOWN

    def _made(self, node: ast.expr, scope: Scope, frames: tuple[Frame, ...]):  # type: ignore[no-untyped-def]
        """What an object was made by: the call itself, or what the name holding it is given."""
        if isinstance(node, ast.Call):
            return [(node, scope, frames)]
        return values_of(node, scope, frames, 2, self.paths.bindings)

    def _loader(self, loader: ast.Call, scope: Scope, frames: tuple[Frame, ...]) -> PathText:
        kind = qualified_name(loader.func, scope) or ""
        first = loader.args[0] if loader.args else _keyword(loader, "searchpath")
        if kind.endswith("FileSystemLoader") and first is not None:
            if isinstance(first, (ast.List, ast.Tuple)):
                if len(first.elts) != 1:
                    return UNKNOWN
                first = first.elts[0]
            return self.paths.text(first, scope, frames)
        if kind.endswith("PackageLoader") and first is not None:
            inner = loader.args[1] if len(loader.args) > 1 else _keyword(loader, "package_path")
            folder = self.paths._package_folder(first, scope)
            within = self.paths.text(inner, scope, frames) if inner is not None else ("templates",)
            return join(folder, within)
        return UNKNOWN


def _fills(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    kwargs = function.args.kwarg
    positional = [*function.args.posonlyargs, *function.args.args]
    if kwargs is None or not positional or positional[0].arg in ("self", "cls"):
        return False
    uses_kwargs = replaces = False
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and node.id == kwargs.arg:
            uses_kwargs = True
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _FILLING_METHODS
        ):
            replaces = True
    return uses_kwargs and replaces


def values_of(
    node: ast.expr,
    scope: Scope,
    frames: tuple[Frame, ...],
    depth: int = 1,
    bindings: Callable[[ast.Name, Scope], list[Binding]] = lambda node, scope: lookup(
        node.id, scope
    ),
) -> list[tuple[ast.expr, Scope, tuple[Frame, ...]]]:
    """The expressions a name or a `self` attribute is given: assignments, `with ... as`,
    and a parameter's argument in the call being followed (or its default). `bindings` gives
    the bindings a name may hold where it is read."""
    found: list[tuple[ast.expr, Scope, tuple[Frame, ...]]] = []
    if isinstance(node, ast.Name):
        for binding in bindings(node, scope)[:4]:
            value = binding.value
            if binding.kind in ("assign", "with") and not binding.target_path and value:
                found.append((value, binding.scope, frames))  # type: ignore[arg-type]
            elif binding.kind == "param":
                found.extend(_argument(binding, frames))
    elif isinstance(node, ast.Attribute):
        owner = class_of_self(node.value, scope)
        if owner is not None:
            found.extend((v, s, frames) for v, s in owner.attributes.get(node.attr, [])[:4])
            for binding in owner.scope.bindings.get(node.attr, [])[:2]:
                if binding.kind == "assign" and binding.value is not None:
                    found.append((binding.value, binding.scope, frames))  # type: ignore[arg-type]
    if depth > 1:
        deeper = []
        for value, value_scope, value_frames in found:
            if isinstance(value, (ast.Name, ast.Attribute)):
                deeper.extend(values_of(value, value_scope, value_frames, depth - 1, bindings))
            else:
                deeper.append((value, value_scope, value_frames))
        return deeper
    return found


def _argument(binding, frames: tuple[Frame, ...]):  # type: ignore[no-untyped-def]
    for position in range(len(frames) - 1, -1, -1):
        frame = frames[position]
        if frame.function is binding.function:
            argument = argument_for(frame.call, frame.function, binding.name)
            if argument is not None:
                return [(argument, frame.caller_scope, frames[:position])]
            break
    if isinstance(binding.value, ast.expr):
        return [(binding.value, binding.function.enclosing, frames)]
    return []


def _is_module_attribute(node: ast.expr, scope: Scope) -> bool:
    """`jinja2.Template`, `os.sep`: an attribute of an imported module, not a value here."""
    return isinstance(node, ast.Attribute) and qualified_name(node, scope) is not None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _agreed(found: list[Origin | None]) -> Origin | None:
    known = [origin for origin in found if origin is not None]
    if not known or any(origin != known[0] for origin in known):
        return None
    return known[0]
