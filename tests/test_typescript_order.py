"""CTX002 and CTX003 on TypeScript and JavaScript: only orders that can differ between two
requests of a conversation are flagged (a glob listing, a collection filled as async calls
complete, a kept tool call's validated input written again as text); JavaScript's own
insertion order, `Promise.all`'s input order and `readdir`'s sorted listing are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctxlint.engine import check_paths

from conftest import make_settings

ANTHROPIC = 'import Anthropic from "@anthropic-ai/sdk";\nconst client = new Anthropic();\n'
SEND = '  return client.messages.create({ model: "m", max_tokens: 9, system, messages });\n'


def _findings(tmp_path: Path, text: str, code: str, name: str = "agent.ts", **table) -> list[tuple]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    report = check_paths([str(path)], make_settings({"select": [code], **table}, tmp_path))
    return [(d.start.line, d.message) for d in report.diagnostics]


def _completion_filled(fill: str, iterate: str, collection: str = "new Map()") -> str:
    return (
        ANTHROPIC + "export async function ask(messages, servers) {\n"
        f"  const found = {collection};\n"
        "  await Promise.all(servers.map(async (server) => {\n"
        f"    {fill}\n"
        "  }));\n"
        f"  const system = {iterate};\n" + SEND + "}\n"
    )


@pytest.mark.parametrize(
    ("fill", "iterate", "collection", "flagged"),
    [
        # Added after the callback's await: in the order the calls complete.
        (
            "found.set(server.name, await server.info());",
            '[...found.keys()].join(", ")',
            "new Map()",
            True,
        ),
        ("found.push(await server.info());", 'found.join(", ")', "[]", True),
        (
            "found.add((await server.info()).name);",
            'Array.from(found).join(", ")',
            "new Set()",
            True,
        ),
        # Before any await: the callbacks run this part one after another, in input order.
        (
            "found.set(server.name, server); await server.connect();",
            '[...found.keys()].join(", ")',
            "new Map()",
            False,
        ),
        # Sorted on the way.
        ("found.push(await server.info());", 'found.toSorted().join(", ")', "[]", False),
    ],
)
def test_a_collection_filled_as_async_calls_complete(tmp_path, fill, iterate, collection, flagged):
    text = _completion_filled(fill, iterate, collection)
    found = _findings(tmp_path, text, "CTX003")
    assert bool(found) is flagged, found
    if flagged:
        assert "filled as async calls complete" in found[0][1]


def test_a_collection_sorted_in_place_is_not_flagged(tmp_path):
    text = _completion_filled("found.push(await server.info());", 'found.join(", ")', "[]")
    text = text.replace("  const system =", "  found.sort();\n  const system =")
    assert _findings(tmp_path, text, "CTX003") == []


def test_a_collection_filled_once_at_module_load_is_not_flagged(tmp_path):
    # Its order is fixed for the life of the process: the requests of a conversation agree.
    text = (
        ANTHROPIC + "const found = [];\n"
        "await Promise.all(SERVERS.map(async (s) => { found.push(await s.info()); }));\n"
        "export function ask(messages) {\n"
        '  const system = found.join(", ");\n' + SEND + "}\n"
    )
    assert _findings(tmp_path, text, "CTX003") == []


@pytest.mark.parametrize(
    ("listing", "module", "flagged"),
    [
        ('fg("skills/*.md")', 'import fg from "fast-glob";', True),
        ('glob("skills/*.md")', 'import { glob } from "glob";', True),
        ('globby("skills/*.md")', 'import { globby } from "globby";', True),
        ('find("skills/*.md")', 'import { glob as find } from "glob";', True),
        ('fastGlob.glob("skills/*.md")', 'import fastGlob from "fast-glob";', True),
        # What else these modules export lists nothing.
        ('[escape("skills/*.md")]', 'import { escape } from "glob";', False),
        # Sync globs read one folder after another, in readdir's order; glob v8 sorted.
        ('fg.sync("skills/*.md")', 'import fg from "fast-glob";', False),
        ('globSync("skills/*.md")', 'import { globSync } from "glob";', False),
        ('glob.sync("skills/*.md")', 'import glob from "glob";', False),
        # libuv sorts readdir's names: the same order on every call.
        ('readdir("skills")', 'import { readdir } from "node:fs/promises";', False),
        # A function of the code's own named glob.
        ('glob("skills/*.md")', 'import { glob } from "./files";', False),
        ('(await fg("skills/*.md")).sort()', 'import fg from "fast-glob";', False),
    ],
)
def test_a_listing_in_file_system_order(tmp_path, listing, module, flagged):
    text = (
        ANTHROPIC + module + "\n"
        "export async function ask(messages) {\n"
        f"  const files = await {listing};\n"
        '  const system = files.map((f) => `- ${f}`).join("\\n");\n' + SEND + "}\n"
    )
    found = _findings(tmp_path, text, "CTX003")
    assert bool(found) is flagged, found


def test_a_listing_read_whole_is_not_an_order(tmp_path):
    text = (
        ANTHROPIC + 'import fg from "fast-glob";\n'
        "export async function ask(messages) {\n"
        '  const files = await fg("skills/*.md");\n'
        "  const system = `You may read ${files.length} files.`;\n" + SEND + "}\n"
    )
    assert _findings(tmp_path, text, "CTX003") == []


@pytest.mark.parametrize(
    ("value", "flagged"),
    [
        ("status", True),
        ("Object.fromEntries(Object.entries(status))", True),
        ("{ name: user.name }", False),
        ("JSON.parse(text)", False),
        # A replacer decides the keys (an array of keys fixes their order).
        ('status, ["a", "b"]', False),
    ],
)
def test_json_of_an_object_filled_as_async_calls_complete(tmp_path, value, flagged):
    text = (
        ANTHROPIC + "export async function ask(messages, servers, user, text) {\n"
        "  const status = {};\n"
        "  await Promise.all(servers.map(async (s) => { status[s.name] = await s.ping(); }));\n"
        f"  const system = `State: ${{JSON.stringify({value})}}`;\n" + SEND + "}\n"
    )
    found = _findings(tmp_path, text, "CTX002")
    assert bool(found) is flagged, found


@pytest.mark.parametrize(
    ("call", "flagged"),
    [
        # Chat Completions' `function` of a tool call.
        (
            "{ function: { name: p.toolName, arguments: JSON.stringify(p.input) } }",
            True,
        ),
        (
            "{ function: { name: p.toolName, arguments: JSON.stringify(p.input ?? {}) } }",
            True,
        ),
        # The Responses API's `function_call` item.
        (
            "{ type: 'function_call', name: p.name, arguments: JSON.stringify(p.tr.input) }",
            True,
        ),
        # Not a tool call of a history: no `function` holder, no `function_call` type.
        (
            "{ type: 'hosted_tool_call', name: p.toolName, arguments: JSON.stringify(p.input) }",
            False,
        ),
        # A literal's keys, in the order the source writes them.
        (
            "{ function: { name: 'f', arguments: JSON.stringify({ q: p.q }) } }",
            False,
        ),
        # The parse of the model's own text, kept as it is.
        (
            "{ function: { name: p.name, arguments: JSON.stringify(p.arguments) } }",
            False,
        ),
    ],
)
def test_a_tool_calls_input_written_again_into_the_history(tmp_path, call, flagged):
    text = f"export function convert(parts) {{\n  return parts.map((p) => ({call}));\n}}\n"
    found = _findings(tmp_path, text, "CTX002", name="convert.ts", **{"json-in-messages": True})
    assert bool(found) is flagged, found
    if flagged:
        assert found[0][0] == 2
    # JSON in messages is judged only when asked for, as on the Python side.
    assert _findings(tmp_path, text, "CTX002", name="convert.ts") == []


def test_a_converter_is_parsed_only_when_json_in_messages_is_asked_for(tmp_path):
    from ctxlint.engine import selected_rules
    from ctxlint.typescript_run import ScriptChecker

    converter = (
        b"export const convert = (parts) =>\n"
        b"  parts.map((p) => ({\n"
        b"    function: { name: p.toolName, arguments: JSON.stringify(p.input) },\n"
        b"  }));\n"
    )
    for asked, parsed in ((False, 0), (True, 1)):
        settings = make_settings({"json-in-messages": asked}, tmp_path)
        checker = ScriptChecker(settings, selected_rules(settings))
        result = checker.check_data(str(tmp_path / "convert.ts"), converter, explicit=False)
        # A walk reads it only for the finding it can give.
        assert checker.parsed == parsed
        assert (result is not None) is asked
