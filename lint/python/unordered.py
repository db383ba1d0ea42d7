"""What iterates in an order that is not fixed, beyond the sets CTX003 sees being built.

Two kinds of source, each recognised where the value flow (flow.py) stops at it:

- File-system listings (`os.listdir`, `os.scandir`, `os.walk`, `glob.glob`, `glob.iglob`,
  `Path.iterdir`/`glob`/`rglob`) yield entries in the order the file system keeps them: it
  differs between machines and file systems, and changes as files are added. Skills or
  instruction files concatenated into a system prompt, or tool modules discovered from a folder,
  come out in that order unless sorted.
- Sets known only from an annotation: a parameter or variable annotated `set[str]`,
  `frozenset[...]`, `AbstractSet[...]`, or a `self` attribute annotated so (in the class body or
  in a method), whose value the flow cannot see being built (`Field(default_factory=set)`, a
  caller in another module). Their strings iterate in hash order, which differs per process.

A listing sorted in place before it is iterated (`files.sort()`), and an `os.walk` whose loop
sorts the directories it descends into (`dirs.sort()`), are in a fixed order.

The order is often fixed in one module and sent from another: a skills loader walks a folder,
a tool manager returns the tools it discovered, and the agent that sends them lives elsewhere.
A function whose name says it returns tools or skills (`get_discovered_tools`,
`find_skill_directories`, `_load_skills`) hands its order to whatever builds the request, so its
return values are watched too (`returned_prompt_parts`), for CTX003 only: they are not sinks of
the other rules, and CTX003 reports them only when a caller sends the result (callers.py).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ctxlint.python.index import ClassInfo, ModuleIndex, Scope, class_of_self
from ctxlint.python.names import by_variable, lookup, qualified_name
from ctxlint.python.sinks import Sink

if TYPE_CHECKING:
    from ctxlint.python.flow import Reached


_LISTING_FUNCTIONS = frozenset({"os.listdir", "os.scandir", "os.walk", "glob.glob", "glob.iglob"})
# Methods of pathlib.Path; `glob` and `rglob` also when the receiver cannot be resolved.
_LISTING_METHODS = frozenset({"iterdir", "glob", "rglob"})
_SET_TYPES = frozenset(
    {"set", "frozenset", "Set", "FrozenSet", "AbstractSet", "MutableSet", "KeysView"}
)
# Element types that hash to the same value in every process: their sets iterate alike.
_STABLE_ELEMENTS = frozenset({"int", "bool", "float", "complex"})
_MAX_ANNOTATION_DEPTH = 8
# Names of functions that fetch tools or skills: `get_tools`, `get_discovered_tools`,
# `load_skills`, `find_skill_md_directories`; not `skill_names`, `tool_ids` (lists of names are
# mostly looked up in, not sent), nor `_copy_skills` (a verb that does not say "hand over").
_FETCH_VERBS = (
    "get|load|find|discover|list|collect|gather|read|scan|build|make|fetch|resolve|select|all"
)
_RETURNS_TOOLS = re.compile(rf"^_*(?:{_FETCH_VERBS})_(?:[a-z0-9]+_)*tools$", re.IGNORECASE)
_RETURNS_SKILLS = re.compile(
    rf"^_*(?:{_FETCH_VERBS})_(?:[a-z0-9]+_)*skills?(?:_[a-z0-9]+)*$", re.IGNORECASE
)
_NAMES_ONLY = re.compile(r"_(?:names?|ids?|keys|count)(?:_|$)", re.IGNORECASE)
# Return annotations of a sequence: `list[str]` of tool names is an allowlist, not tools.
_SEQUENCE_TYPES = frozenset(
    {"list", "List", "tuple", "Tuple", "Sequence", "Iterable", "Collection", "Iterator"}
)
# Return annotations that promise no order: a set, or a mapping looked up by name.
_UNORDERED_RETURNS = frozenset(
    {"set", "frozenset", "Set", "FrozenSet", "AbstractSet", "dict", "Dict", "Mapping"}
)


@dataclass(frozen=True, slots=True)
class OrderSource:
    """A value whose iteration order is not fixed, as a finding names it."""

    kind: Literal["listing", "set"]
    # The listing call, or the annotation that says the value is a set.
    node: ast.AST
    # "os.listdir(...)", "Path.iterdir()"; for a set, "set[str]".
    label: str
    # Whether wrapping the iterated expression in sorted() is the whole fix (not for os.walk,
    # whose directories are walked in listing order too, nor os.scandir, whose entries do not
    # compare).
    sortable: bool = True


def unordered_source(reached: Reached, index: ModuleIndex) -> OrderSource | None:
    """The file-system listing or annotated set a value reached from a sink is, when its order
    is visible there (the trail iterated it) and not fixed meanwhile; None otherwise."""
    iterated = reached.trail.iterated
    if iterated is None or reached.trail.sorted:
        return None
    node = reached.node
    if isinstance(node, ast.Name):
        # `with os.scandir(d) as entries:` (the flow does not follow `with` bindings).
        opened = next((b.value for b in lookup(node.id, reached.scope) if b.kind == "with"), None)
        if isinstance(opened, ast.Call) and _listing(opened, reached.scope) == "os.scandir(...)":
            if _sorted_in_place(iterated, reached.trail.iterated_scope, index):
                return None
            return OrderSource("listing", opened, "os.scandir(...)", sortable=False)
    if isinstance(node, ast.Call):
        listing = _listing(node, reached.scope)
        if listing is None or _sorted_in_place(iterated, reached.trail.iterated_scope, index):
            return None
        if _gathered_into_sorted_lists(node, index):
            return None
        if listing == "os.walk(...)" and _walk_sorts_directories(node, reached.scope):
            return None
        # os.DirEntry cannot be compared: sorted() of a scandir needs a key.
        sortable = listing not in ("os.walk(...)", "os.scandir(...)")
        return OrderSource("listing", node, listing, sortable=sortable)
    annotation = _annotation_of(node, reached.scope, index)
    if annotation is None or not _is_string_set(annotation, 0):
        return None
    label = annotation.value if isinstance(annotation, ast.Constant) else ast.unparse(annotation)
    return OrderSource("set", annotation, str(label))


def is_unordered_set(reached: Reached) -> bool:
    """Whether the reached value is a set built in the code (a display of strings, a set
    comprehension, `set(...)` or `frozenset(...)` of anything but a range): CTX003's sets."""
    node = reached.node
    if isinstance(node, ast.Set):
        if len(node.elts) < 2:
            return False
        return not all(
            isinstance(e, ast.Constant) and type(e.value) in (int, bool) for e in node.elts
        )
    if isinstance(node, ast.SetComp):
        return True
    if isinstance(node, ast.Call) and qualified_name(node.func, reached.scope) in (
        "set",
        "frozenset",
    ):
        argument = node.args[0] if node.args else None
        if argument is None:
            # set() filled later: what goes in is unknown, so its items are too.
            return True
        is_range = (
            isinstance(argument, ast.Call)
            and qualified_name(argument.func, reached.scope) == "range"
        )
        return not is_range
    return False


def returned_prompt_parts(index: ModuleIndex) -> list[Sink]:
    """The return values of the module's functions named as returning tools or skills, as
    sinks of the tool definitions and of the system prompt (see the module's docstring)."""
    found: list[Sink] = []
    for function in index.functions:
        node = function.node
        if isinstance(node, ast.Lambda):
            continue
        if _NAMES_ONLY.search(node.name) or _promises_no_order(node.returns):
            continue
        if _RETURNS_TOOLS.match(node.name):
            if _promises_names(node.returns):
                continue  # `-> list[str]`: an allowlist of tool names, looked up in, not sent
            kind, what = "tools", "the tool definitions"
        elif _RETURNS_SKILLS.match(node.name):
            kind, what = "system", "the system prompt, in the skills"
        else:
            continue
        label = f"{what} returned by {node.name}()"
        found_in_loop = _entries_returned_from_loops(node)
        for value in function.returns:
            if id(value) in found_in_loop:
                continue  # the one entry a search stops at: no order to hand over
            # The same said of the returned variable (`return skill_names`).
            returned = _last_name(value)
            if returned is None or not _NAMES_ONLY.search(f"_{returned}"):
                found.append(Sink(value, function.scope, kind, label))  # type: ignore[arg-type]
    return found


def _promises_names(annotation: ast.expr | None) -> bool:
    """`list[str]`, `tuple[str, ...] | None`, `Optional[Sequence[str]]`: names, not tools."""
    for _ in range(_MAX_ANNOTATION_DEPTH):
        if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            if _is_none(annotation.right):
                annotation = annotation.left
            elif _is_none(annotation.left):
                annotation = annotation.right
            else:
                return False
        elif isinstance(annotation, ast.Subscript) and _last_name(annotation.value) == "Optional":
            annotation = annotation.slice
        else:
            break
    if not isinstance(annotation, ast.Subscript):
        return False
    if _last_name(annotation.value) not in _SEQUENCE_TYPES:
        return False
    elements = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else []
    return all(
        _last_name(element) == "str"
        or (isinstance(element, ast.Constant) and element.value is Ellipsis)
        for element in elements or [annotation.slice]
    )


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _entries_returned_from_loops(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[int]:
    """What `for f in d.iterdir(): if ...: return f` returns (by id): the entry found."""
    found: set[int] = set()
    for loop in ast.walk(function):
        if not isinstance(loop, ast.For | ast.AsyncFor) or not isinstance(loop.target, ast.Name):
            continue
        for statement in loop.body:
            for node in ast.walk(statement):
                returned = node.value if isinstance(node, ast.Return) else None
                if returned is not None and _of_entry(returned, loop.target.id):
                    found.add(id(returned))
    return found


def _of_entry(value: ast.expr, entry: str) -> bool:
    """`f`, `f.parent`, `(f.parent, f)`: made of the one entry alone."""
    if isinstance(value, ast.Tuple):
        return bool(value.elts) and all(_of_entry(element, entry) for element in value.elts)
    while isinstance(value, ast.Attribute):
        value = value.value
    return isinstance(value, ast.Name) and value.id == entry


def _promises_no_order(annotation: ast.expr | None) -> bool:
    if isinstance(annotation, ast.Subscript):
        annotation = annotation.value
    return annotation is not None and _last_name(annotation) in _UNORDERED_RETURNS


# File-system listings ---------------------------------------------------------------------


def _listing(call: ast.Call, scope: Scope) -> str | None:
    function = call.func
    qualified = qualified_name(function, scope)
    if qualified in _LISTING_FUNCTIONS:
        return f"{qualified}(...)"
    if not isinstance(function, ast.Attribute) or function.attr not in _LISTING_METHODS:
        return None
    if qualified is not None and not qualified.startswith("pathlib."):
        return None  # a method of some other imported module (fsspec, a client's `.glob`)
    return f"Path.{function.attr}()"


def _sorted_in_place(iterated: ast.AST, scope: Scope | None, index: ModuleIndex) -> bool:
    """`files = os.listdir(d); files.sort(); for f in files: ...`."""
    if scope is None:
        return False
    if isinstance(iterated, ast.Name):
        bindings = lookup(iterated.id, scope)
        mutations = index.derived(_mutations_by_variable).get((iterated.id, id(bindings)), ())
        return any(mutation.kind == "sort" for mutation in mutations)
    if isinstance(iterated, ast.Attribute):
        owner = class_of_self(iterated.value, scope)
        if owner is not None:
            mutations = owner.attribute_mutations.get(iterated.attr, ())
            return any(mutation.kind == "sort" for mutation in mutations)
    return False


def _gathered_into_sorted_lists(listing: ast.Call, index: ModuleIndex) -> bool:
    """`for f in root.rglob("*"): found.append(f)` then `found.sort()`: the loop's order is
    gone from every list it fills."""
    filled = index.derived(_lists_filled_by_loop).get(id(listing))
    if not filled:
        return False
    sorted_lists = index.derived(_mutations_by_variable)
    return all(
        any(mutation.kind == "sort" for mutation in sorted_lists.get(variable, ()))
        for variable in filled
    )


def _lists_filled_by_loop(index: ModuleIndex) -> dict[int, set[tuple[str, int]]]:
    """For each loop iterable (by id), the variables that writes inside the loop fill."""
    filled: dict[int, set[tuple[str, int]]] = {}
    for variable, writes in by_variable(index.container_writes).items():
        for write in writes:
            for iterable in write.loops:
                filled.setdefault(id(iterable), set()).add(variable)
    return filled


def _mutations_by_variable(index: ModuleIndex):  # type: ignore[no-untyped-def]
    return by_variable(index.mutations)


def _walk_sorts_directories(call: ast.Call, scope: Scope) -> bool:
    """`for root, dirs, files in os.walk(d): dirs.sort()` (or `dirs[:] = sorted(dirs)`): the
    walk descends in a fixed order, and the code that takes that care sorts the files too."""
    function = scope.node
    if function is None:
        return False
    for statement in ast.walk(function):
        if not isinstance(statement, (ast.For, ast.AsyncFor)) or statement.iter is not call:
            continue
        target = statement.target
        if not (isinstance(target, ast.Tuple) and len(target.elts) == 3):
            return False
        directories = target.elts[1]
        if not isinstance(directories, ast.Name):
            return False
        return any(_sorts(node, directories.id) for node in ast.walk(statement))
    return False


def _sorts(node: ast.AST, name: str) -> bool:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        receiver = node.func.value
        return node.func.attr == "sort" and isinstance(receiver, ast.Name) and receiver.id == name
    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
        function = node.value.func
        return (
            isinstance(function, ast.Name)
            and function.id == "sorted"
            and any(
                isinstance(target, ast.Subscript)
                and isinstance(target.value, ast.Name)
                and target.value.id == name
                for target in node.targets
            )
        )
    return False


# Sets known from annotations --------------------------------------------------------------


@dataclass(slots=True)
class _Annotations:
    # `x: set[str] = ...` in a function or at module level: by the id of the target name.
    of_targets: dict[int, ast.expr]
    # `names: set[str]` in a class body, or `self.names: set[str] = ...` in a method.
    of_attributes: dict[tuple[int, str], ast.expr]


def _annotations(index: ModuleIndex) -> _Annotations:
    found = _Annotations({}, {})
    classes = {id(info.node): info for info in index.classes}
    for info in index.classes:
        for statement in info.node.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                found.of_attributes[(id(info), statement.target.id)] = statement.annotation
    module = index.module_scope.node
    if module is None:
        return found
    for node in _statements(module):
        if not isinstance(node, ast.AnnAssign):
            continue
        target = node.target
        if isinstance(target, ast.Name):
            found.of_targets[id(target)] = node.annotation
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            owner = _class_of_method_target(target, index, classes)
            if owner is not None:
                found.of_attributes.setdefault((id(owner), target.attr), node.annotation)
    return found


# The fields that hold statements (or the handlers and cases that hold them).
_BLOCK_FIELDS = frozenset({"body", "orelse", "finalbody", "handlers", "cases"})


def _statements(module: ast.Module) -> list[ast.AST]:
    """Every statement of the module in `ast.walk`'s breadth-first order, without walking the
    expressions (most of the nodes, none of them a statement): where annotated assignments
    can be."""
    found: list[ast.AST] = [module]
    for node in found:
        for name in node._fields:
            if name in _BLOCK_FIELDS:
                found.extend(getattr(node, name, None) or ())
    return found


def _class_of_method_target(
    target: ast.Attribute, index: ModuleIndex, classes: dict[int, ClassInfo]
) -> ClassInfo | None:
    """The class whose `self` an annotated `self.x: T = ...` in a method sets."""
    for function in index.functions:
        info = function.class_info
        node = function.node
        if info is None or id(info.node) not in classes or isinstance(node, ast.Lambda):
            continue
        if not (node.lineno <= target.lineno <= (node.end_lineno or node.lineno)):
            continue
        if function.parameter_names and function.parameter_names[0] == target.value.id:  # type: ignore[attr-defined]
            return info
    return None


def _annotation_of(node: ast.expr, scope: Scope, index: ModuleIndex) -> ast.expr | None:
    if isinstance(node, ast.Name):
        for binding in lookup(node.id, scope):
            if binding.kind == "param" and binding.annotation is not None:
                return binding.annotation
            if binding.node is not None:
                annotation = index.derived(_annotations).of_targets.get(id(binding.node))
                if annotation is not None:
                    return annotation
        return None
    if isinstance(node, ast.Attribute):
        owner = class_of_self(node.value, scope)
        if owner is not None:
            return index.derived(_annotations).of_attributes.get((id(owner), node.attr))
    return None


def _is_string_set(annotation: ast.expr, depth: int) -> bool:
    """`set[str]`, `Set[Path]`, bare `set`, `frozenset[str] | None`, `Optional[set[str]]`:
    a set whose items may hash differently in each process (not `set[int]`)."""
    if depth > _MAX_ANNOTATION_DEPTH:
        return False
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            parsed = ast.parse(annotation.value, mode="eval").body
        except (SyntaxError, ValueError):
            return False
        return _is_string_set(parsed, depth + 1)
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        sides = (annotation.left, annotation.right)
        return any(_is_string_set(side, depth + 1) for side in sides) and all(
            _is_string_set(side, depth + 1) or _is_none(side) for side in sides
        )
    if isinstance(annotation, ast.Subscript):
        name = _last_name(annotation.value)
        if name == "Optional":
            return _is_string_set(annotation.slice, depth + 1)
        if name not in _SET_TYPES:
            return False
        return _last_name(annotation.slice) not in _STABLE_ELEMENTS
    return _last_name(annotation) in _SET_TYPES


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _last_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None
