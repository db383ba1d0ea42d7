"""A JSON Schema compiled into a plain Python predicate, for the keywords trace.schema.json and
config.schema.json use: jsonschema takes about a tenth of a millisecond per trace line, which on
a large trace costs more than reading and simulating it, and importing it costs about 50 ms, a
third of a run answered from the results cache. The predicate only says whether a value is
valid; jsonschema, the authority, still finds and words the error when it says no."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ctxlint.redact import bounded, value_evidence

Check = Callable[[Any], bool]

# What is left of an error once its value is described: the schema's own words (an enum's
# choices, a property's name).
_ERROR_LIMIT = 200

# Keywords that describe and never constrain.
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$comment", "$defs", "title", "description", "default", "examples"}
)


# Stands for a value with no discriminating property: every oneOf branch must be tried.
_ANY = object()


class Unsupported(Exception):
    """The schema uses a keyword this compiler does not know; use jsonschema alone."""


def compile_schema(schema: dict[str, Any]) -> Check:
    """A predicate true exactly when jsonschema (Draft 2020-12) finds `value` valid against
    `schema`; raises Unsupported for a keyword it does not implement."""
    return _Compiler(schema).compile(schema)


class _Compiler:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        # Filled in as references are compiled, so a recursive reference finds itself.
        self.references: dict[str, Check] = {}

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, dict):
            raise Unsupported(f"schema {schema!r}")
        unknown = set(schema) - _ANNOTATIONS - set(_BUILDERS)
        if unknown:
            raise Unsupported(f"keyword {sorted(unknown)[0]}")
        # In the order of _BUILDERS, so the cheap type test runs first.
        keywords = [k for k in _BUILDERS if k in schema and k != "additionalProperties"]
        if "additionalProperties" in schema and "properties" not in schema:
            keywords.append("properties")
        checks = [
            getattr(self, _BUILDERS[keyword])(schema.get(keyword, {}), schema)
            for keyword in keywords
        ]
        if not checks:
            return _always
        if len(checks) == 1:
            return checks[0]
        if len(checks) == 2:
            first, second = checks
            return lambda value: first(value) and second(value)
        return lambda value: all(check(value) for check in checks)

    def _ref(self, reference: str, _schema: dict[str, Any]) -> Check:
        if not reference.startswith("#/"):
            raise Unsupported(f"reference {reference}")
        found = self.references.get(reference)
        if found is not None:
            return found
        target: Any = self.root
        for part in reference[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        compiled: list[Check] = []
        self.references[reference] = lambda value: compiled[0](value)
        compiled.append(self.compile(target))
        return compiled[0]

    def _type(self, names: str | list[str], _schema: dict[str, Any]) -> Check:
        tests = [_TYPES[name] for name in ([names] if isinstance(names, str) else names)]
        if len(tests) == 1:
            return tests[0]
        return lambda value: any(test(value) for test in tests)

    def _const(self, expected: Any, _schema: dict[str, Any]) -> Check:
        if isinstance(expected, str):
            return lambda value: isinstance(value, str) and value == expected
        return lambda value: json_equal(value, expected)

    def _enum(self, choices: list[Any], _schema: dict[str, Any]) -> Check:
        if all(isinstance(choice, str) for choice in choices):
            names = frozenset(choices)
            return lambda value: isinstance(value, str) and value in names
        return lambda value: any(json_equal(value, choice) for choice in choices)

    def _min_length(self, least: int, _schema: dict[str, Any]) -> Check:
        return lambda value: not isinstance(value, str) or len(value) >= least

    def _minimum(self, least: float, _schema: dict[str, Any]) -> Check:
        return lambda value: not _is_number(value) or value >= least

    def _maximum(self, most: float, _schema: dict[str, Any]) -> Check:
        return lambda value: not _is_number(value) or value <= most

    def _pattern(self, pattern: str, _schema: dict[str, Any]) -> Check:
        # jsonschema searches with Python's re, as here.
        compiled = re.compile(pattern)
        return lambda value: not isinstance(value, str) or compiled.search(value) is not None

    def _required(self, names: list[str], _schema: dict[str, Any]) -> Check:
        return lambda value: not isinstance(value, dict) or all(name in value for name in names)

    def _properties(self, properties: dict[str, Any], schema: dict[str, Any]) -> Check:
        checks = {name: self.compile(part) for name, part in properties.items()}
        additional = schema.get("additionalProperties", True)
        other = None if additional is True else self.compile(additional)

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            for name, item in value.items():
                found = checks.get(name)
                if found is None:
                    if other is not None and not other(item):
                        return False
                elif not found(item):
                    return False
            return True

        return check

    def _property_names(self, names: Any, _schema: dict[str, Any]) -> Check:
        each = self.compile(names)
        return lambda value: not isinstance(value, dict) or all(each(name) for name in value)

    def _items(self, items: Any, _schema: dict[str, Any]) -> Check:
        each = self.compile(items)
        return lambda value: not isinstance(value, list) or all(each(item) for item in value)

    def _any_of(self, choices: list[Any], _schema: dict[str, Any]) -> Check:
        checks = [self.compile(choice) for choice in choices]
        return lambda value: any(check(value) for check in checks)

    def _one_of(self, choices: list[Any], _schema: dict[str, Any]) -> Check:
        checks = [self.compile(choice) for choice in choices]
        key, allowed = _discriminator(choices)

        def check(value: Any) -> bool:
            # A branch whose constant for `key` differs from the value's cannot hold.
            tag = value.get(key, _ANY) if key is not None and isinstance(value, dict) else _ANY
            found = False
            for position, branch in enumerate(checks):
                if tag is not _ANY and (not isinstance(tag, str) or tag not in allowed[position]):
                    continue
                if branch(value):
                    if found:
                        return False
                    found = True
            return found

        return check


# Each keyword this compiler implements, and the method that builds its check.
_BUILDERS = {
    "type": "_type",
    "$ref": "_ref",
    "const": "_const",
    "enum": "_enum",
    "required": "_required",
    "properties": "_properties",
    "additionalProperties": "_properties",
    "propertyNames": "_property_names",
    "minLength": "_min_length",
    "minimum": "_minimum",
    "maximum": "_maximum",
    "pattern": "_pattern",
    "items": "_items",
    "anyOf": "_any_of",
    "oneOf": "_one_of",
}


def _discriminator(choices: list[Any]) -> tuple[str | None, list[frozenset[str]]]:
    """A property every choice fixes to string constants (`const` or `enum`), with each
    choice's constants: a value can then only meet the choices its property names."""
    if not all(isinstance(choice, dict) for choice in choices):
        return None, []
    shared = None
    for choice in choices:
        properties = choice.get("properties", {})
        fixed = {
            name
            for name, part in properties.items()
            if isinstance(part, dict) and _string_constants(part) is not None
        }
        shared = fixed if shared is None else shared & fixed
    if not shared:
        return None, []
    key = sorted(shared)[0]
    return key, [_string_constants(choice["properties"][key]) for choice in choices]


def _string_constants(part: dict[str, Any]) -> frozenset[str] | None:
    if isinstance(part.get("const"), str):
        return frozenset([part["const"]])
    choices = part.get("enum")
    if isinstance(choices, list) and choices and all(isinstance(c, str) for c in choices):
        return frozenset(choices)
    return None


def _always(_value: Any) -> bool:
    return True


def _never(_value: Any) -> bool:
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "number": _is_number,
    "integer": lambda value: (
        _is_number(value) and (isinstance(value, int) or float(value).is_integer())
    ),
}


def error_text(error: Any) -> str:
    """jsonschema's wording of a validation error, with the offending value described instead
    of quoted: a type error on a megabyte string, or on a message holding an API key, says
    what it is in a few words and never echoes it."""
    message = error.message
    try:
        shown = repr(error.instance)
    except RecursionError:  # nested deeper than repr goes; jsonschema's own words are capped
        return bounded(message, _ERROR_LIMIT)
    if shown in message:
        message = message.replace(shown, value_evidence(error.instance), 1)
    return bounded(message, _ERROR_LIMIT)


def json_equal(one: Any, other: Any) -> bool:
    """Equality as JSON Schema defines it: true and 1 differ, 1 and 1.0 do not."""
    if isinstance(one, bool) or isinstance(other, bool):
        return isinstance(one, bool) and isinstance(other, bool) and one == other
    if isinstance(one, list) and isinstance(other, list):
        return len(one) == len(other) and all(map(json_equal, one, other))
    if isinstance(one, dict) and isinstance(other, dict):
        return one.keys() == other.keys() and all(json_equal(one[key], other[key]) for key in one)
    if _is_number(one) and _is_number(other):
        return one == other
    return type(one) is type(other) and one == other
