"""CTX008 and CTX005 on TypeScript and JavaScript, beyond the rule examples: files that set
breakpoints without sending anything are read, call-level automatic caching takes a slot in
the count, the dropped marked copy in a class, a folder's breakpoints across files, and the
tool names the model sees (keys, `createTool` ids, provider tools left out)."""

from __future__ import annotations

from pathlib import Path

from ctxlint.engine import check_paths
from ctxlint.typescript import worth_parsing

from conftest import make_settings

_MARKED = "providerOptions: { anthropic: { cacheControl: { type: 'ephemeral' } } }"


def _findings(tmp_path: Path, files: dict[str, str], code: str) -> list[tuple]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    settings = make_settings({"select": [code]}, tmp_path)
    report = check_paths([str(tmp_path)], settings)
    return [(Path(d.path).name, d.start.line, d.message) for d in report.diagnostics]


def test_a_serializer_that_only_sets_breakpoints_is_read():
    assert worth_parsing(b"export const mark = (b) => ({ ...b, cache_control: x });")
    # `cacheControl` alone is also an HTTP header's name, in storage and web code.
    assert not worth_parsing(b"upload(file, { cacheControl: 'max-age=3600' });")
    assert worth_parsing(b"// anthropic\nconst o = { anthropic: { cacheControl } };")


def test_call_level_cache_control_takes_a_slot_in_the_count(tmp_path):
    messages = ",\n".join(f"    {{ role: 'user', content: 'm{i}', {_MARKED} }}" for i in range(4))
    source = (
        'import { streamText } from "ai";\n'
        "export function ask(model) {\n"
        "  return streamText({ model, messages: [\n"
        f"{messages}\n"
        "  ], providerOptions: { anthropic: { cacheControl: { type: 'ephemeral' } } } });\n"
        "}\n"
    )
    found = _findings(tmp_path, {"agent.ts": source}, "CTX008")
    assert [(line, message[:35]) for _, line, message in found] == [
        (7, "this request sets 5 cache breakpoin")
    ]
    # Four by hand and no call-level option is within the limit.
    fixed = source.replace(
        ", providerOptions: { anthropic: { cacheControl: { type: 'ephemeral' } } }", ""
    )
    assert _findings(tmp_path, {"agent.ts": fixed}, "CTX008") == []


def test_a_dropped_copy_in_a_class_method(tmp_path):
    source = (
        "export class Agent {\n"
        "  addCache(messages) {\n"
        "    const withCache = (msg, cache) => ({\n"
        "      ...msg, providerOptions: { ...msg.providerOptions,\n"
        "      anthropic: { ...msg.providerOptions?.anthropic, cacheControl: cache } } });\n"
        "    const first = messages[0];\n"
        "    if (first.role === 'system') {\n"
        "      withCache(first, { type: 'ephemeral', ttl: '1h' });\n"
        "    }\n"
        "    return messages;\n"
        "  }\n"
        "}\n"
    )
    found = _findings(tmp_path, {"agent.service.ts": source}, "CTX008")
    assert [line for _, line, _ in found] == [8]
    assigned = source.replace("      withCache(first,", "      messages[0] = withCache(first,")
    assert _findings(tmp_path, {"agent.service.ts": assigned}, "CTX008") == []


def test_manual_breakpoints_are_counted_across_the_folder_but_not_in_tests(tmp_path):
    by_hand = "".join(
        f"export function mark{i}(m) {{ return {{ ...m, {_MARKED} }}; }}\n" for i in range(3)
    )
    options = (
        "export const options = (ttl) => ({ anthropic: { effort: 'high', "
        "cacheControl: { type: 'ephemeral', ttl } } });\n"
    )
    found = _findings(tmp_path, {"ai/cache.ts": by_hand, "ai/options.ts": options}, "CTX008")
    assert [(name, line) for name, line, _ in found] == [("options.ts", 1)]
    assert "3 set by hand" in found[0][2]
    # The same breakpoints in a test file of the folder are no request's.
    tests_only = {"ai/cache.test.ts": by_hand, "ai/options.ts": options}
    assert _findings(tmp_path / "t", tests_only, "CTX008") == []


def test_tool_names_are_the_keys_ids_and_names_the_model_sees(tmp_path):
    mastra = (
        'import { Agent } from "@mastra/core/agent";\n'
        'import { createTool } from "@mastra/core/tools";\n'
        "const a = createTool({ id: 'fs_read' });\n"
        "const b = createTool({ id: 'fs_write' });\n"
        "const c = createTool({ id: 'web_fetch' });\n"
        "const d = createTool({ id: 'web_search' });\n"
        "const e = createTool({ id: 'lookup' });\n"
        "export const agent = new Agent({ name: 'x', instructions: 'y',\n"
        "  tools: [a, b, c, d, e] });\n"
    )
    found = _findings(tmp_path, {"agent.ts": mastra}, "CTX005")
    assert [(line, message[:28]) for _, line, message in found] == [
        (7, "`lookup` lacks the prefixes ")
    ]
    # A provider's own tools are named by the provider, whatever their keys.
    provider = (
        'import { generateText } from "ai";\n'
        'import { google } from "@ai-sdk/google";\n'
        "export const ask = (model, prompt) => generateText({ model, prompt, tools: {\n"
        "  getWeather, google_search: google.tools.googleSearch({}),\n"
        "  url_context: google.tools.urlContext({}),\n"
        "  code_execution: google.tools.codeExecution({}),\n"
        "  file_search: google.tools.fileSearch({}) } });\n"
    )
    assert _findings(tmp_path / "p", {"agent.ts": provider}, "CTX005") == []


_BUILDER = """\
export function build(params, system, tools, messages) {
  const e = { type: "ephemeral" };
  params.system = [
    { type: "text", text: system[0], cache_control: e },
    { type: "text", text: system[1], cache_control: e },
  ];
  params.tools = tools.map((t, i) =>
    ({ ...t, ...(i === tools.length - 1 ? { cache_control: e } : {}) }));
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role !== "user") continue;
    messages[i].content.at(-1).cache_control = e;
    break;
  }
  messages.at(-1).content.at(-1).cache_control = e;
  KEEP
  return params;
}
"""


def test_a_function_counts_one_branch_and_a_loop_that_marks_once(tmp_path):
    found = _findings(tmp_path, {"client.ts": _BUILDER.replace("KEEP", "")}, "CTX008")
    assert [(line, message[:40]) for _, line, message in found] == [
        (14, "this function sets up to 5 cache breakpo")
    ]
    # A function that takes breakpoints away keeps its own budget.
    kept = _BUILDER.replace("KEEP", "delete params.system[0].cache_control;")
    assert _findings(tmp_path, {"client.ts": kept}, "CTX008") == []
