"""CTX001 on TypeScript and JavaScript: which calls are sinks (only where their SDK is
imported), what a value sent is made of within the file, which reads change on every call,
and what turns a finding off (noqa comments, per-file ignores)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctxlint.engine import check_paths

from conftest import make_settings


def _findings(tmp_path: Path, text: str, name: str = "agent.ts", **table) -> list[tuple]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    settings = make_settings({"select": ["CTX001", "CTX900"], **table}, tmp_path)
    report = check_paths([str(path)], settings)
    return [(d.code, d.start.line, d.message) for d in report.diagnostics]


def _lines(found) -> list[int]:
    return [line for _, line, _ in found]


AI = 'import { generateText } from "ai";\n'


@pytest.mark.parametrize(
    ("expression", "flagged"),
    [
        ("new Date()", True),
        ("Date.now()", True),
        ("new Date().toISOString()", True),
        ("new Date().toLocaleString()", True),
        ("new Date().toLocaleTimeString('en-US')", True),
        ("new Date().toISOString().split('T')[1]", True),
        ("crypto.randomUUID()", True),
        ("Math.random()", True),
        ("nanoid()", True),
        ("new Date().toISOString().slice(0, 10)", False),
        ("new Date().toISOString().split('T')[0]", False),
        ("new Date().toLocaleDateString()", False),
        ("new Date().toLocaleDateString('en-US', { hour: 'numeric' })", True),
        ("new Date().toLocaleString('en-US', { dateStyle: 'full' })", False),
        ("new Date().toLocaleString('en-US', { month: 'long', hour: '2-digit' })", True),
        ("new Date().getFullYear()", False),
        ("new Intl.DateTimeFormat('en', { dateStyle: 'long' }).format(new Date())", False),
        ("new Date(props.createdAt).toISOString()", False),
    ],
)
def test_what_changes_on_every_call(tmp_path, expression, flagged):
    text = AI + (
        "export async function ask(model, q) {\n"
        f"  const stamp = {expression};\n"
        "  return generateText({ model, system: `Context: ${stamp}`, prompt: q });\n"
        "}\n"
    )
    assert bool(_findings(tmp_path, text)) is flagged


def test_a_date_is_flagged_with_flag_daily_values(tmp_path):
    text = AI + (
        "export async function ask(model, q) {\n"
        "  const today = new Date().toISOString().slice(0, 10);\n"
        "  return generateText({ model, system: `Today: ${today}`, prompt: q });\n"
        "}\n"
    )
    assert _findings(tmp_path, text) == []
    [(code, line, message)] = _findings(tmp_path, text, **{"flag-daily-values": True})
    assert (code, line) == ("CTX001", 3)
    assert "changes every day" in message


def test_a_spread_request_a_require_and_a_template_helper_are_followed(tmp_path):
    text = (
        'const OpenAI = require("openai");\n'
        "const client = new OpenAI();\n"
        "const stampLine = () => `Generated ${new Date().toUTCString()}`;\n"
        "async function ask(input) {\n"
        "  const base = { model: 'gpt-4.1', instructions: `Helpful. ${stampLine()}` };\n"
        "  const request = { ...base, input };\n"
        "  return client.responses.create(request);\n"
        "}\n"
        "module.exports = { ask };\n"
    )
    found = _findings(tmp_path, text, name="agent.cjs")
    assert _lines(found) == [3]


def test_a_later_property_replaces_a_spread_one(tmp_path):
    text = AI + (
        "export function ask(model, q) {\n"
        "  const base = { system: `Now ${Date.now()}` };\n"
        "  return generateText({ ...base, system: 'Fixed.', model, prompt: q });\n"
        "}\n"
    )
    assert _findings(tmp_path, text) == []


def test_a_call_named_like_a_sink_without_its_sdk_is_not_one(tmp_path):
    text = (
        'import { generateText } from "./my-helpers";\n'
        "export function ask(q) {\n"
        "  return generateText({ system: `Now ${Date.now()}`, prompt: q });\n"
        "}\n"
    )
    assert _findings(tmp_path, text) == []


def test_only_system_and_developer_messages_are_the_prefix(tmp_path):
    text = (
        'import OpenAI from "openai";\n'
        "const openai = new OpenAI();\n"
        "export function ask(q) {\n"
        "  return openai.chat.completions.create({\n"
        "    model: 'gpt-4.1',\n"
        "    messages: [\n"
        "      { role: 'developer', content: `Now ${Date.now()}` },\n"
        "      { role: 'user', content: `Asked at ${Date.now()}: ${q}` },\n"
        "    ],\n"
        "  });\n"
        "}\n"
    )
    assert _lines(_findings(tmp_path, text)) == [7]


NOQA = (
    'import Anthropic from "@anthropic-ai/sdk";\n'
    "const client = new Anthropic();\n"
    "export function ask(messages) {\n"
    "  const a = `A ${Date.now()}`; // noqa: CTX001\n"
    "  const b = `B ${Math.random()}`; /* noqa */\n"
    "  const c = `C ${new Date()}`; // noqa: CTX002\n"
    "  const d = `// noqa ${Date.now()}`;\n"
    "  return client.messages.create({ system: a + b + c + d, messages });\n"
    "}\n"
)


def test_noqa_comments_turn_a_finding_off_on_their_line(tmp_path):
    # Another code's noqa keeps it, and `// noqa` inside a string is no comment.
    assert _lines(_findings(tmp_path, NOQA)) == [6, 7]


def test_a_file_level_noqa_and_per_file_ignores_turn_the_file_off(tmp_path):
    assert _findings(tmp_path, "// ctxlint: noqa: CTX001\n" + NOQA) == []
    ignored = {"per-file-ignores": {"agent.ts": ["CTX001"]}}
    assert _findings(tmp_path, NOQA, **ignored) == []


def test_what_is_added_to_a_variable_later_is_followed(tmp_path):
    # Shaped after pi's coding agent before its fix (badlogic/pi-mono 4b9e6006^): the time
    # to the second appended to the system prompt.
    text = (
        'import Anthropic from "@anthropic-ai/sdk";\n'
        "const client = new Anthropic();\n"
        "function buildSystemPrompt(cwd: string) {\n"
        "  const now = new Date();\n"
        "  const dateTime = now.toLocaleString('en-US', { hour: '2-digit' });\n"
        "  let prompt = 'You are an expert coding assistant.';\n"
        "  prompt += `\\nCurrent date and time: ${dateTime}`;\n"
        "  const parts = [prompt];\n"
        "  parts.push(`Session ${crypto.randomUUID()}`);\n"
        "  return parts.join('\\n');\n"
        "}\n"
        "export function ask(messages) {\n"
        "  return client.messages.create({ system: buildSystemPrompt('.'), messages });\n"
        "}\n"
    )
    assert _lines(_findings(tmp_path, text)) == [4, 9]


def test_a_clock_read_kept_in_a_variable_is_judged_where_it_is_shown(tmp_path):
    text = AI + (
        "export async function ask(model, q) {\n"
        "  const now = new Date();\n"
        "  const day = now.toLocaleDateString();\n"
        "  const iso = now.toISOString().slice(0, 10);\n"
        "  return generateText({ model, system: `${day} ${iso}`, prompt: q });\n"
        "}\n"
    )
    assert _findings(tmp_path, text) == []
    shown_whole = text.replace("`${day} ${iso}`", "`${day} ${iso} ${now}`")
    assert _lines(_findings(tmp_path, shown_whole)) == [3]
