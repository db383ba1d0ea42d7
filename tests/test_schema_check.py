"""The compiled trace-schema predicate agrees with jsonschema on real lines and on every
single-point mutation of them, and refuses schemas it does not implement."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest

from ctxlint.config import schema as config_schema
from ctxlint.trace.formats.canonical import schema_text
from ctxlint.trace.schema_check import Unsupported, compile_schema, json_equal

ROOT = Path(__file__).resolve().parent.parent

# Values of every JSON type, and the edge cases the schema's keywords treat specially.
REPLACEMENTS = [None, True, False, 0, 1, 1.0, 1.5, -1, "", "x", "text", "ephemeral", [], [1], {}]


# A line with every kind of block and every optional field, beside the fixtures' lines.
EVERY_FIELD = {
    "ctxlint": 1,
    "session": "s",
    "timestamp": "2026-03-02T09:00:00Z",
    "finished": 1772442000.5,
    "provider": "anthropic",
    "model": "claude-sonnet-4-5",
    "system": [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}],
    "tools": [{"name": "shell_run", "description": "Run", "parameters": {"type": "object"}}],
    "messages": [
        {"role": "user", "content": [{"type": "image", "sha256": "ab"}]},
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "text": "hm"},
                {"type": "tool_call", "id": "c1", "name": "shell_run", "arguments": {"a": 1}},
            ],
        },
        {
            "role": "tool",
            "content": [
                {"type": "tool_result", "tool_call_id": "c1", "content": "ok", "is_error": False}
            ],
        },
    ],
    "params": {"cache_control": {"type": "ephemeral", "ttl": "1h"}},
    "response": {"role": "assistant", "content": "done"},
    "usage": {"prompt_tokens": 10, "cached_tokens": 0, "output_tokens": 2, "raw": {}},
    "history": "complete",
    "compacted": False,
}


def _lines() -> list[Any]:
    found = [EVERY_FIELD]
    for path in sorted((ROOT / "fixtures").rglob("*.jsonl")):
        for raw in path.read_bytes().splitlines():
            try:
                value = orjson.loads(raw)
            except orjson.JSONDecodeError:
                continue
            if isinstance(value, dict) and value.get("ctxlint") == 1:
                found.append(value)
    return found


def _mutations(value: Any) -> list[Any]:
    """The value with one place replaced, one key deleted, or one unknown key added."""
    found = []

    def visit(path: list[Any]) -> None:
        target = value
        for part in path:
            target = target[part]
        for replacement in REPLACEMENTS:
            found.append(_replaced(value, path, replacement))
        if isinstance(target, dict):
            for key in list(target):
                changed = copy.deepcopy(value)
                _at(changed, path).pop(key)
                found.append(changed)
                visit([*path, key])
            changed = copy.deepcopy(value)
            _at(changed, path)["unexpected"] = 1
            found.append(changed)
        elif isinstance(target, list):
            # The first and last items stand for the rest: the schema treats items alike.
            for index in sorted({0, len(target) - 1} if target else set()):
                visit([*path, index])

    visit([])
    return found


def _at(value: Any, path: list[Any]) -> Any:
    for part in path:
        value = value[part]
    return value


def _replaced(value: Any, path: list[Any], replacement: Any) -> Any:
    if not path:
        return replacement
    changed = copy.deepcopy(value)
    _at(changed, path[:-1])[path[-1]] = replacement
    return changed


def test_agrees_with_jsonschema_on_fixture_lines_and_their_mutations() -> None:
    schema = json.loads(schema_text())
    authority = jsonschema.Draft202012Validator(schema)
    predicate = compile_schema(schema)
    lines = _lines()
    valid = [line for line in lines if authority.is_valid(line)]
    assert len(valid) >= 10 and len(valid) < len(lines)
    for line in lines:
        assert predicate(line) == authority.is_valid(line)
    checked = invalid = 0
    for line in valid:
        for mutated in _mutations(line):
            expected = authority.is_valid(mutated)
            assert predicate(mutated) == expected, orjson.dumps(mutated)[:300]
            checked += 1
            invalid += not expected
    # The mutations must exercise both answers, or agreement proves little.
    assert checked > 1000 and 0.2 < invalid / checked < 0.95


# A [tool.ctxlint] table with every key the configuration schema knows.
EVERY_SETTING = {
    "select": ["CTX"],
    "extend-select": ["CTX100"],
    "ignore": ["CTX007"],
    "per-file-ignores": {"tests/*": ["CTX001", "CTX002"]},
    "per-session-ignores": {"agent-*": ["CTX004"]},
    "exclude": ["build"],
    "extend-exclude": ["generated/*.py"],
    "output-format": "json",
    "unsafe-fixes": True,
    "flag-daily-values": False,
    "json-in-messages": True,
    "compaction-functions": ["compact", "Memory.trim"],
    "tool-prefixes": ["browser_", "shell_"],
    "min-tool-set": 4,
    "uniform-examples": 5,
    "uniform-run": 10,
    "harness-findings": False,
    "prices": {"claude-sonnet": {"provider": "anthropic", "input": 3, "cache-read": 0.3}},
    "prompt-sinks": [{"call": "myapp.llm.ask", "prefix": ["system", 0], "prompt": ["messages"]}],
}


def test_agrees_with_jsonschema_on_the_configuration_schema() -> None:
    # The configuration is validated through the predicate on every run that has one, so that
    # jsonschema is imported only to word what is wrong (ctxlint.config).
    schema = config_schema()
    authority = jsonschema.Draft202012Validator(schema)
    predicate = compile_schema(schema)
    assert authority.is_valid(EVERY_SETTING) and predicate(EVERY_SETTING)
    checked = invalid = 0
    for mutated in _mutations(EVERY_SETTING):
        expected = authority.is_valid(mutated)
        assert predicate(mutated) == expected, mutated
        checked += 1
        invalid += not expected
    assert checked > 300 and 0.2 < invalid / checked < 0.95


@pytest.mark.parametrize(
    ("schema", "valid", "invalid"),
    [
        ({"type": "integer"}, [1, 1.0, -3], [True, 1.5, "1", None]),
        ({"const": 1}, [1, 1.0], [True, "1"]),
        ({"enum": [False, "a"]}, [False, "a"], [0, "b"]),
        ({"minimum": 0}, [0, 2.5, "x", True], [-1, -0.5]),
        ({"minLength": 1}, ["é", 5], [""]),
        ({"maximum": 10}, [10, -1, 9.5, "x", True], [10.5, 11]),
        ({"pattern": "^a[0-9]"}, ["a1", "a2b", 3], ["", "ba1", "a"]),
        ({"pattern": "[0-9]$"}, ["x1", "1"], ["1x"]),
        ({"anyOf": [{"type": "string", "minLength": 1}, {"type": "integer"}]}, ["a", 1], ["", 1.5]),
        ({"oneOf": [{"type": "number"}, {"type": "integer"}]}, [1.5], [1, "x"]),
        ({"additionalProperties": False}, [{}, 3], [{"a": 1}]),
        ({"propertyNames": {"minLength": 2}}, [{}, {"ab": 1}, "a"], [{"a": 1}, {"ab": 1, "": 2}]),
        (
            {
                "oneOf": [
                    {"properties": {"t": {"const": "a"}}, "required": ["x"]},
                    {"properties": {"t": {"enum": ["b", "c"]}}},
                ]
            },
            [{"t": "a", "x": 1}, {"t": "c"}, {"t": "b", "x": 1}, {}],
            [{"x": 1}, {"t": "a"}, {"t": 5}, {"t": "d"}, 7],
        ),
        (
            {
                "$defs": {"nested": {"items": {"$ref": "#/$defs/nested"}, "type": "array"}},
                "$ref": "#/$defs/nested",
            },
            [[], [[[]]]],
            [[1], [[], [2]]],
        ),
    ],
)
def test_keywords_match_jsonschema(schema: Any, valid: list[Any], invalid: list[Any]) -> None:
    predicate = compile_schema(schema)
    authority = jsonschema.Draft202012Validator(schema)
    for value in valid:
        assert predicate(value) and authority.is_valid(value), value
    for value in invalid:
        assert not predicate(value) and not authority.is_valid(value), value


def test_unknown_keyword_is_refused() -> None:
    with pytest.raises(Unsupported, match="maxLength"):
        compile_schema({"properties": {"a": {"type": "string", "maxLength": 3}}})
    with pytest.raises(Unsupported, match="reference"):
        compile_schema({"$ref": "https://example.com/schema"})


def test_json_equality_keeps_booleans_apart_from_numbers() -> None:
    assert json_equal([1, {"a": 1.0}], [1.0, {"a": 1}])
    assert not json_equal([True], [1])
    assert not json_equal({"a": 0}, {"a": False})
    assert not json_equal({"a": 1}, {"b": 1})
