"""Typed access to a trace's JSON: a reader names the type it expects at a JSON pointer, and a
value of any other type is a TypeFault naming the field and its pointer, never a crash later.

Every format reader takes the values it uses through these functions, so that a field swapped
for `[]`, `{}`, `null`, `true`, a huge number or a deeply nested array cannot reach code that
assumes its type. Whoever reads a line (or a request of a document) catches the TypeFault and
reports it as that line's CTX900, then reads on.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import orjson

# The largest prompt a request can hold, in tokens. The longest context any model offers is
# 10 M tokens (Llama 4 Scout; the others stop at 1 to 2 M): a larger count is no prompt a
# model took but a corrupt or hostile trace, and simulating it would render that much text.
MAX_PROMPT_TOKENS = 10_000_000

# What a time is recorded as: RFC 3339 text, or epoch seconds, milliseconds or nanoseconds.
TIME_KINDS = (str, int, float)

_JSON_KINDS = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    list: "array",
    dict: "object",
    type(None): "null",
}


class TypeFault(Exception):
    """A value of a trace is not of the type (or in the range) its reader needs."""

    def __init__(self, pointer: str, reason: str) -> None:
        super().__init__(reason)
        self.pointer = pointer
        self.reason = reason


def kind_of(value: Any) -> str:
    """The JSON name of a value's type."""
    return _JSON_KINDS.get(type(value), type(value).__name__)


def _field(pointer: str) -> str:
    token = pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
    return f"item {token}" if token.isdigit() else f"field {token}"


def wrong_type(value: Any, pointer: str, expected: str) -> TypeFault:
    where = pointer or "/"
    return TypeFault(
        pointer,
        f"{_field(pointer)} at {where} has type {kind_of(value)}, expected {expected}",
    )


def child(pointer: str, *keys: str | int) -> str:
    """A JSON pointer one or more levels down (RFC 6901 escaping)."""
    if len(keys) == 1:
        # The common case, made for every part a reader reads: one key needing no escape.
        key = keys[0]
        if type(key) is int or ("~" not in key and "/" not in key):
            return f"{pointer}/{key}"
    return pointer + "".join("/" + str(key).replace("~", "~0").replace("/", "~1") for key in keys)


def text(value: dict[str, Any], key: str, at: str, default: Any = None) -> Any:
    """A string field; `default` when it is absent or null."""
    found = value.get(key)
    if found is None:
        return default
    if type(found) is str:
        return found
    raise wrong_type(found, child(at, key), "string")


def required_text(value: dict[str, Any], key: str, at: str) -> str:
    found = value.get(key)
    if type(found) is str:
        return found
    raise wrong_type(found, child(at, key), "string")


def identifier(value: dict[str, Any], key: str, at: str, default: Any = None) -> Any:
    """An id, which some writers record as a number: as text; `default` when absent or null."""
    found = value.get(key)
    if found is None:
        return default
    if type(found) is str:
        return found
    if type(found) is int:
        return str(found)
    raise wrong_type(found, child(at, key), "string")


def mapping(value: dict[str, Any], key: str, at: str) -> dict[str, Any] | None:
    """An object field; None when it is absent or null."""
    found = value.get(key)
    if found is None or type(found) is dict:
        return found
    raise wrong_type(found, child(at, key), "object")


def array(value: dict[str, Any], key: str, at: str) -> list[Any] | None:
    """An array field; None when it is absent or null."""
    found = value.get(key)
    if found is None or type(found) is list:
        return found
    raise wrong_type(found, child(at, key), "array")


def flag(value: dict[str, Any], key: str, at: str) -> bool:
    """A boolean field; False when it is absent or null."""
    found = value.get(key)
    if found is None:
        return False
    if type(found) is bool:
        return found
    raise wrong_type(found, child(at, key), "boolean")


def one_of(value: dict[str, Any], key: str, at: str, kinds: tuple[type, ...]) -> Any:
    """A field of one of several types (content as a string or an array...); None when it
    is absent or null."""
    found = value.get(key)
    if found is None or type(found) in kinds:
        return found
    raise wrong_type(found, child(at, key), " or ".join(_JSON_KINDS[k] for k in kinds))


def objects(items: list[Any], at: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(position, item) for an array whose every item must be an object."""
    for position, item in enumerate(items):
        if type(item) is not dict:
            raise wrong_type(item, child(at, position), "object")
        yield position, item


def tokens(value: dict[str, Any], key: str, at: str) -> int | None:
    """A token count: a whole number from 0 to MAX_PROMPT_TOKENS; None when absent or null."""
    found = value.get(key)
    if type(found) is int and 0 <= found <= MAX_PROMPT_TOKENS:
        return found
    return token_count(found, child(at, key))


def token_count(found: Any, pointer: str) -> int | None:
    if found is None:
        return None
    if type(found) is int:
        count = found
    elif type(found) is float and math.isfinite(found) and found.is_integer():
        count = int(found)
    else:
        raise wrong_type(found, pointer, "a whole number of tokens")
    if 0 <= count <= MAX_PROMPT_TOKENS:
        return count
    return _out_of_range(count, pointer)


def _out_of_range(count: int, pointer: str) -> int:
    shown = f"{count:.3g}" if abs(count) >= 1e9 else str(count)
    where = f"{_field(pointer)} at {pointer}"
    if count < 0:
        raise TypeFault(pointer, f"{where} is {shown} tokens: a count is never negative")
    raise TypeFault(
        pointer,
        f"{where} is {shown} tokens, more than any model's context holds ({MAX_PROMPT_TOKENS:,})",
    )


def serialised(value: Any, pointer: str) -> bytes:
    """A JSON value as compact JSON. orjson refuses values nested past 254 levels (the 1,024
    it reads are deeper): such a value is a fault of the trace, not an error of ctxlint."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        raise TypeFault(
            pointer, f"{_field(pointer)} at {pointer or '/'} is nested too deep to read"
        ) from None


# orjson writes values nested up to this deep; Python's own recursion (repr, ==) goes further.
MAX_DEPTH = 254


def check_depth(value: Any, pointer: str) -> None:
    """Raise a TypeFault at the first value nested deeper than MAX_DEPTH, found without
    recursion; for code that would walk the value recursively (a schema validator)."""
    stack: list[tuple[Any, str, int]] = [(value, pointer, 0)]
    while stack:
        found, here, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise TypeFault(here, f"{_field(here)} at {here or '/'} is nested too deep to read")
        if type(found) is dict:
            stack.extend((item, child(here, key), depth + 1) for key, item in found.items())
        elif type(found) is list:
            stack.extend((item, child(here, key), depth + 1) for key, item in enumerate(found))


def json_text(value: Any, pointer: str) -> str:
    """Content that is not text, serialised as recorded (key order kept)."""
    if type(value) is str:
        return value
    return serialised(value, pointer).decode()


def shallow(value: Any, pointer: str) -> Any:
    """The value itself, once it is known to nest no deeper than serialised() allows: what is
    kept as recorded (request parameters, usage) is compared and printed later, and Python
    compares and prints nested values recursively."""
    if type(value) in (list, dict):
        serialised(value, pointer)
    return value
