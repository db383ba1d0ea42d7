"""CTX006 and CTX004 on TypeScript and JavaScript: which changes to a sent history touch
messages already sent, which histories outlive a call, and which tool lists change per step."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctxlint.engine import check_paths

from conftest import make_settings

ANTHROPIC = 'import Anthropic from "@anthropic-ai/sdk";\nconst client = new Anthropic();\n'
SEND = 'client.messages.create({ model: "m", max_tokens: 9, messages: this.messages })'


def _findings(tmp_path: Path, text: str, code: str, name: str = "agent.ts") -> list[tuple]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    settings = make_settings({"select": [code, "CTX900"]}, tmp_path)
    report = check_paths([str(path)], settings)
    return [(d.code, d.start.line, d.message) for d in report.diagnostics]


def _kept(edit: str) -> str:
    """A history kept on the object, changed by `edit`, then sent."""
    return (
        ANTHROPIC + "export class Agent {\n  messages = [];\n  step() {\n"
        f"    {edit};\n    return {SEND};\n  }}\n}}\n"
    )


@pytest.mark.parametrize(
    ("edit", "effect"),
    [
        ("this.messages.splice(2, 1)", "deletes earlier messages of"),
        ("this.messages.splice(1, 0, note)", "inserts before the end of"),
        ("this.messages.splice(1, 3, summary)", "replaces earlier messages of"),
        ("this.messages.shift()", "drops the oldest message of"),
        ("this.messages.unshift(system)", "puts a new message in front of"),
        ("this.messages.sort(byTime)", "sorts"),
        ("this.messages.reverse()", "reverses"),
        ("this.messages[2] = stub", "replaces earlier messages of"),
        ("this.messages[0].content += note", "edits an earlier message of"),
        ("delete this.messages[1]", "deletes earlier messages of"),
        ("this.messages = this.messages.slice(-30)", "keeps a window that moves its start"),
        ("this.messages = this.messages.slice(1)", "keeps a window that moves its start"),
        ("this.messages = [this.messages[0], ...this.messages.slice(-9)]", "keeps the first"),
        ("this.messages.forEach((m) => { m.content = short(m.content); })", "while iterating"),
    ],
)
def test_a_change_to_messages_already_sent_is_flagged(tmp_path, edit, effect):
    found = _findings(tmp_path, _kept(edit), "CTX006")
    assert [(code, line) for code, line, _ in found] == [("CTX006", 6)]
    assert effect in found[0][2]


@pytest.mark.parametrize(
    "edit",
    [
        "this.messages.push(next)",
        "this.messages.pop()",
        "this.messages.splice(-1, 1)",
        "this.messages.splice(this.messages.length - 2)",
        "this.messages.splice(0, this.messages.length)",
        "this.messages.splice(0)",
        "this.messages[this.messages.length - 1].content = text",
        "this.messages[this.messages.length] = next",
        "this.messages[0].providerOptions = cache",
        "this.messages[0].cache_control = { type: 'ephemeral' }",
        "this.messages.length = 0",
        "this.messages = []",
        "this.messages = [...this.messages, next]",
        "this.messages = this.messages.slice(0, -1)",
        "this.messages = this.messages.slice()",
        "console.log(this.messages.slice(-3))",
        "this.messages.forEach((m) => { m.cache_control = undefined; })",
        "this.other.shift()",
    ],
)
def test_appending_and_the_newest_message_are_not_edits(tmp_path, edit):
    assert _findings(tmp_path, _kept(edit), "CTX006") == []


def test_a_parameter_is_flagged_only_when_cut_to_a_size_or_changed_in_the_loop(tmp_path):
    header = ANTHROPIC + "export async function ask(messages, convert) {\n"
    send = '  return client.messages.create({ model: "m", max_tokens: 9, messages });\n}\n'
    # Reshaped the same way on every call: no finding.
    reshaped = header + "  messages[0] = convert(messages[0], context);\n" + send
    assert _findings(tmp_path, reshaped, "CTX006") == []
    cut = header + "  if (messages.length > 40) messages.splice(1, 10);\n" + send
    assert [line for _, line, _ in _findings(tmp_path, cut, "CTX006")] == [4]


def test_a_local_is_flagged_only_when_kept_across_the_calls_of_a_loop(tmp_path):
    text = (
        ANTHROPIC + "export async function run(task) {\n"
        '  const messages = [{ role: "user", content: task }];\n'
        "  messages.shift();\n"
        "  for (;;) {\n"
        "    messages.reverse();\n"
        '    await client.messages.create({ model: "m", max_tokens: 9, messages });\n'
        "  }\n"
        "}\n"
        "export async function once(task) {\n"
        '  const fresh = [{ role: "user", content: task }, more];\n'
        "  fresh.sort(byTime);\n"
        '  return client.messages.create({ model: "m", max_tokens: 9, messages: fresh });\n'
        "}\n"
    )
    assert [line for _, line, _ in _findings(tmp_path, text, "CTX006")] == [7]


def test_the_responses_api_input_and_the_ai_sdk_messages_are_histories(tmp_path):
    text = (
        'import OpenAI from "openai";\n'
        'import { streamText } from "ai";\n'
        "const openai = new OpenAI();\n"
        "const log = [];\n"
        "export function a() {\n"
        "  log.shift();\n"
        "  return openai.responses.create({ model: 'm', input: log });\n"
        "}\n"
        "export function b(model) { return streamText({ model, messages: log.slice(-5) }); }\n"
    )
    assert [line for _, line, _ in _findings(tmp_path, text, "CTX006", "agent.js")] == [6, 9]


def test_a_tool_list_changed_per_step_is_flagged_and_a_fixed_one_is_not(tmp_path):
    text = (
        'import { generateText } from "ai";\n'
        "export async function run(model, messages, all, config) {\n"
        "  const enabled = all.filter((t) => config.enabled.includes(t.name));\n"
        "  let used = new Set();\n"
        "  for (let step = 0; step < 5; step++) {\n"
        "    const fixed = all.filter((t) => config.enabled.includes(t.name));\n"
        "    const fresh = all.filter((t) => !used.has(t.name));\n"
        "    await generateText({ model, messages, tools: enabled });\n"
        "    await generateText({ model, messages, tools: fixed });\n"
        "    const r = await generateText({ model, messages, tools: fresh });\n"
        "    used = r.used;\n"
        "  }\n"
        "}\n"
    )
    found = _findings(tmp_path, text, "CTX004")
    assert [line for _, line, _ in found] == [7]
    assert "`used`" in found[0][2]


def test_active_tools_per_step_and_unsorted_listings(tmp_path):
    text = (
        'import { generateText } from "ai";\n'
        "export async function ask(model, prompt, tools, mcp) {\n"
        "  const { tools: listed } = await mcp.listTools();\n"
        "  await generateText({ model, prompt, tools: listed });\n"
        "  await generateText({\n"
        "    model, prompt, tools,\n"
        "    prepareStep: ({ steps }) => ({\n"
        "      activeTools: steps.length > 2 ? ['answer'] : undefined,\n"
        "    }),\n"
        "  });\n"
        "}\n"
    )
    found = _findings(tmp_path, text, "CTX004")
    assert [line for _, line, _ in found] == [3, 8]


def test_a_request_object_is_judged_by_the_lifetime_of_its_root(tmp_path):
    # A request rebuilt for each call and given a system message in front is stable; a
    # history kept at the top level is not.
    text = (
        ANTHROPIC + "const store = { messages: [] };\n"
        "export function send(request, system) {\n"
        "  request.messages.unshift(system);\n"
        '  return client.messages.create({ model: "m", messages: request.messages });\n'
        "}\n"
        "export function kept() {\n"
        "  store.messages.shift();\n"
        '  return client.messages.create({ model: "m", messages: store.messages });\n'
        "}\n"
    )
    assert [line for _, line, _ in _findings(tmp_path, text, "CTX006")] == [9]
