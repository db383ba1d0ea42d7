"""Whether a value serialised to JSON has its key order fixed by the source.

A dict's text depends on the order its keys were inserted in. Some values are inserted in
the same order on every run, whatever the data: constants, dict literals with constant keys
whose values are scalars or are fixed themselves, what a class definition orders (a pydantic
schema or dump, a dataclass as a dict, a dict literal kept as a class attribute), and JSON
schemas, which are written once (a model class, a literal, a vendored file) and read as they
are. Serialising such a value without sorting its keys gives the same text every time.

A value parsed from JSON text (`json.loads(arguments)`) keeps the order of that text, and so
does any part of it (an item, a value met iterating it): serialised again, it gives the text it
came from, which changes only when that text does.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from ctxlint.python.index import Binding, Scope, class_of_self
from ctxlint.python.names import lookup, qualified_name

if TYPE_CHECKING:
    from ctxlint.python.index import ClassInfo
    from ctxlint.python.module import PythonModule

_MAX_DEPTH = 8
# Parsers whose result keeps the key order of the text parsed.
_JSON_PARSERS = frozenset({"json.loads", "orjson.loads", "ujson.loads"})
# An attribute assigned more often than this is not followed: each assignment is looked at,
# and each may read other attributes.
_MAX_ASSIGNMENTS = 4
# Methods whose output follows the order fields are declared in (pydantic models and adapters).
# `.schema()` is pydantic 1's `model_json_schema()`.
_CLASS_ORDERED_METHODS = frozenset({"model_json_schema", "model_dump", "json_schema", "schema"})
# Types whose values hold no keys: a dict literal of them is ordered by its own keys alone.
_SCALAR_TYPES = frozenset({"str", "int", "float", "bool", "None", "bytes"})
# Wrappers an annotation puts around the type itself.
_ANNOTATION_WRAPPERS = frozenset({"Final", "Optional", "Annotated", "ClassVar"})
# Methods of a string that give a string.
_STRING_METHODS = frozenset(
    {"format", "join", "strip", "lstrip", "rstrip", "lower", "upper", "replace", "title"}
)
# A name that says its value is a JSON schema: `schema`, `output_schema`, `json_schema_dict`,
# also private (`_schema`).
_SCHEMA_NAME = re.compile(r"_*(?:\w+_)?schema(?:_\w+)?", re.IGNORECASE)


def key_order_is_fixed(
    argument: ast.expr, scope: Scope, module: PythonModule | None = None, depth: int = 0
) -> bool:
    """Whether the argument's key order is fixed by the source: constants, dict or list
    literals of them with constant keys, what a class definition orders, and a value named a
    schema, also through the module's own functions and the project's classes."""
    if depth > _MAX_DEPTH:
        return False
    if _is_scalar(argument, scope, module, depth):
        return True
    if isinstance(argument, (ast.List, ast.Tuple)):
        return all(key_order_is_fixed(e, scope, module, depth + 1) for e in argument.elts)
    if isinstance(argument, ast.Dict):
        return all(
            isinstance(key, ast.Constant) and key_order_is_fixed(value, scope, module, depth + 1)
            for key, value in zip(argument.keys, argument.values, strict=True)
        )
    if isinstance(argument, ast.IfExp):
        return key_order_is_fixed(argument.body, scope, module, depth + 1) and key_order_is_fixed(
            argument.orelse, scope, module, depth + 1
        )
    if isinstance(argument, ast.Name):
        if _SCHEMA_NAME.fullmatch(argument.id):
            return True
        iterated = _sole_loop_source(argument, scope, depth)
        if iterated is not None:
            return key_order_is_fixed(iterated, scope, module, depth + 1)
        binding = sole_assignment(argument, scope)
        return binding is not None and key_order_is_fixed(
            binding.value, binding.scope, module, depth + 1
        )
    if isinstance(argument, ast.Subscript):
        # A part of a value whose order is fixed is fixed (`parsed["params"]`).
        return _is_parsed_json(argument.value, scope, depth)
    if isinstance(argument, ast.Attribute):
        if _SCHEMA_NAME.fullmatch(argument.attr):
            return True
        if class_of_self(argument.value, scope) is not None:
            return _self_attribute_is_fixed(argument, scope, module, depth)
        return _class_attribute_is_fixed(argument, scope, module, depth)
    if isinstance(argument, ast.DictComp):
        # `{k: v for k, v in schema.items() if k != "title"}` keeps the order it iterates.
        return _iterates_fixed_items(argument, scope, module, depth)
    if isinstance(argument, ast.Call):
        function = argument.func
        if qualified_name(function, scope) in _JSON_PARSERS:
            return True
        if isinstance(function, ast.Attribute) and function.attr in _CLASS_ORDERED_METHODS:
            return True
        if qualified_name(function, scope) == "dataclasses.asdict":
            return True
        if isinstance(function, ast.Name):
            for binding in lookup(function.id, scope):
                if binding.kind == "function" and binding.function is not None:
                    returns = binding.function.returns
                    return bool(returns) and all(
                        key_order_is_fixed(value, binding.function.scope, module, depth + 1)
                        for value in returns
                    )
    return False


def _is_parsed_json(value: ast.expr, scope: Scope, depth: int = 0) -> bool:
    """Whether `value` is JSON text parsed (or a part of it): what a subscript of it holds
    keeps the parsed order. Other containers' items are not judged by their container."""
    if depth > _MAX_DEPTH:
        return False
    while isinstance(value, ast.Subscript):
        value = value.value
    if isinstance(value, ast.Name):
        binding = sole_assignment(value, scope)
        if binding is None:
            return _sole_loop_source(value, scope, depth + 1) is not None
        value = binding.value
    return isinstance(value, ast.Call) and qualified_name(value.func, scope) in _JSON_PARSERS


def _sole_loop_source(name: ast.Name, scope: Scope, depth: int = 0) -> ast.expr | None:
    """For a name a `for` loop binds (alone or in a tuple, `for key, value in parsed.items()`),
    the parsed JSON it iterates, when it is that and the loop its only binding."""
    bindings = lookup(name.id, scope)
    if len(bindings) != 1 or bindings[0].kind != "for":
        return None
    iterated = bindings[0].value
    if (
        isinstance(iterated, ast.Call)
        and isinstance(iterated.func, ast.Attribute)
        and iterated.func.attr in ("items", "values")
        and not iterated.args
    ):
        iterated = iterated.func.value
    if isinstance(iterated, ast.expr) and _is_parsed_json(iterated, scope, depth + 1):
        return iterated
    return None


def sole_assignment(name: ast.Name, scope: Scope) -> Binding | None:
    """The one plain assignment `name` refers to (`x = ...`, not unpacked), if that is all."""
    bindings = lookup(name.id, scope)
    if (
        len(bindings) == 1
        and bindings[0].kind == "assign"
        and bindings[0].value is not None
        and not bindings[0].target_path
    ):
        return bindings[0]
    return None


# Scalars: values with no keys to order ---------------------------------------------------------


def _is_scalar(value: ast.expr, scope: Scope, module: PythonModule | None, depth: int) -> bool:
    """Whether the value is a string or a number, as the source shows: a literal, an
    f-string, a string method's result, or a name typed or bound as one."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(value, (ast.Constant, ast.JoinedStr)):
        return True
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        return _is_scalar(value.left, scope, module, depth + 1) or _is_scalar(
            value.right, scope, module, depth + 1
        )
    if isinstance(value, ast.Call):
        function = value.func
        if isinstance(function, ast.Name) and function.id in ("str", "int", "float", "len"):
            return True
        return (
            isinstance(function, ast.Attribute)
            and function.attr in _STRING_METHODS
            and _is_scalar(function.value, scope, module, depth + 1)
        )
    if not isinstance(value, ast.Name):
        return False
    bindings = lookup(value.id, scope)
    if len(bindings) != 1:
        return False
    binding = bindings[0]
    if binding.kind == "param":
        return _scalar_annotation(binding.annotation)
    if binding.kind != "assign" or binding.value is None:
        return False
    if not binding.target_path:
        return _is_scalar(binding.value, binding.scope, module, depth + 1)  # type: ignore[arg-type]
    return _unpacks_scalar(binding, module)


def _unpacks_scalar(binding: Binding, module: PythonModule | None) -> bool:
    """`a, b = self.texts()` where `texts` is annotated `-> tuple[str, str]`."""
    call = binding.value
    if not isinstance(call, ast.Call) or len(binding.target_path) != 1:
        return False
    function = call.func
    returns: ast.expr | None = None
    if isinstance(function, ast.Attribute):
        owner = class_of_self(function.value, binding.scope)
        method = owner.methods.get(function.attr) if owner is not None else None
        if method is not None and not isinstance(method.node, ast.Lambda):
            returns = method.node.returns
    elif isinstance(function, ast.Name):
        found = lookup(function.id, binding.scope)
        if len(found) == 1 and found[0].kind == "function" and found[0].function is not None:
            node = found[0].function.node
            returns = None if isinstance(node, ast.Lambda) else node.returns
    if not (isinstance(returns, ast.Subscript) and _type_name(returns.value) == "tuple"):
        return False
    elements = returns.slice.elts if isinstance(returns.slice, ast.Tuple) else [returns.slice]
    if len(elements) == 2 and isinstance(elements[1], ast.Constant) and elements[1].value is ...:
        return _scalar_annotation(elements[0])  # tuple[str, ...]
    position = binding.target_path[0]
    return position < len(elements) and _scalar_annotation(elements[position])


def _scalar_annotation(annotation: ast.expr | None, depth: int = 0) -> bool:
    """`str`, `int | None`, `Optional[str]`, `Final[str]`, `Literal['a', 'b']`."""
    if annotation is None or depth > _MAX_DEPTH:
        return False
    if isinstance(annotation, ast.Constant):
        # A string annotation is not parsed; `None` in a union is.
        return annotation.value is None
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return _scalar_annotation(annotation.left, depth + 1) and _scalar_annotation(
            annotation.right, depth + 1
        )
    if isinstance(annotation, ast.Subscript):
        wrapper = _type_name(annotation.value)
        if wrapper == "Literal":
            return True
        if wrapper in _ANNOTATION_WRAPPERS:
            inner = annotation.slice
            first = inner.elts[0] if isinstance(inner, ast.Tuple) and inner.elts else inner
            return _scalar_annotation(first, depth + 1)
        if wrapper == "Union" and isinstance(annotation.slice, ast.Tuple):
            return all(_scalar_annotation(e, depth + 1) for e in annotation.slice.elts)
        return False
    return _type_name(annotation) in _SCALAR_TYPES


def _type_name(annotation: ast.expr) -> str | None:
    if isinstance(annotation, ast.Name):
        return annotation.id
    if isinstance(annotation, ast.Attribute):
        return annotation.attr  # typing.Final, t.Optional
    return None


# Class attributes ------------------------------------------------------------------------------


def _class_attribute_is_fixed(
    attribute: ast.Attribute, scope: Scope, module: PythonModule | None, depth: int
) -> bool:
    """For `SomeClass.attr`, read on the class itself (not an instance): whether the value
    the class body assigns to `attr` is fixed. A class imported from where the project cannot
    follow (another package root, a library) is taken at its word: what is read off a class
    is what its body wrote, in the order written."""
    owner = attribute.value
    if not isinstance(owner, ast.Name) or module is None:
        return False
    bindings = lookup(owner.id, scope)
    if len(bindings) != 1 or bindings[0].kind not in ("class", "import"):
        return False
    info = _class_named(owner, scope, module)
    if info is None:
        return bindings[0].kind == "import" and _names_a_class(owner.id)
    assigned = info.scope.bindings.get(attribute.attr, [])
    if len(assigned) != 1 or assigned[0].kind != "assign" or assigned[0].target_path:
        return False
    value = assigned[0].value
    if isinstance(value, ast.Dict) and not value.keys:
        return False  # an empty dict on the class is a registry filled as the code runs
    return isinstance(value, ast.expr) and key_order_is_fixed(value, info.scope, module, depth + 1)


def _self_attribute_is_fixed(
    attribute: ast.Attribute, scope: Scope, module: PythonModule | None, depth: int
) -> bool:
    """`self.output = Model.model_json_schema()`: every value the class assigns to the
    attribute is fixed, and nothing is written into it afterwards."""
    owner = class_of_self(attribute.value, scope)
    if owner is None:
        return False
    name = attribute.attr
    assigned = owner.attributes.get(name, ())
    if (
        not assigned
        or len(assigned) > _MAX_ASSIGNMENTS
        or name in owner.attribute_writes
        or name in owner.attribute_mutations
    ):
        return False
    return all(
        key_order_is_fixed(value, value_scope, module, depth + 1) for value, value_scope in assigned
    )


def _iterates_fixed_items(
    comprehension: ast.DictComp, scope: Scope, module: PythonModule | None, depth: int
) -> bool:
    """A dict comprehension over the `.items()` of a fixed value, keeping its keys and values
    (`{k: v for k, v in d.items() if ...}`): its keys come in the order of that value's."""
    if len(comprehension.generators) != 1:
        return False
    generator = comprehension.generators[0]
    items = generator.iter
    target = generator.target
    if not (
        isinstance(items, ast.Call)
        and isinstance(items.func, ast.Attribute)
        and items.func.attr == "items"
        and not items.args
        and isinstance(target, ast.Tuple)
        and len(target.elts) == 2
        and all(isinstance(element, ast.Name) for element in target.elts)
    ):
        return False
    key, value = target.elts
    return (
        isinstance(comprehension.key, ast.Name)
        and comprehension.key.id == key.id  # type: ignore[attr-defined]
        and isinstance(comprehension.value, ast.Name)
        and comprehension.value.id == value.id  # type: ignore[attr-defined]
        and key_order_is_fixed(items.func.value, scope, module, depth + 1)
    )


def _names_a_class(name: str) -> bool:
    """CapWords, as PEP 8 names classes: `ParallelExecutorTool`, not `CONFIG` or `tools`."""
    return name[:1].isupper() and any(character.islower() for character in name)


def _class_named(name: ast.Name, scope: Scope, module: PythonModule) -> ClassInfo | None:
    """The class a name refers to: defined in the module or imported from the project."""
    if module.project is not None:
        return module.project.class_called(name, scope)
    bindings = lookup(name.id, scope)
    if len(bindings) != 1 or bindings[0].kind != "class":
        return None
    return next((c for c in module.index.classes if c.node is bindings[0].value), None)
