"""CTX011 on TypeScript and JavaScript: which per-turn values are flagged in a prefix (search
results, the user's message, the conversation's length, token usage, a task list, a turn
count), and the host sinks they reach (a pi `before_agent_start` hook, an opencode system
transform, a request body written by hand). The pi cases are reduced copies of the shapes
of zosmaai/pi-llm-wiki#92 and gsd-build/gsd-2#5019, not their text."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctxlint.engine import check_paths
from ctxlint.typescript import worth_parsing
from ctxlint.typescript.host_sinks import host_sinks
from ctxlint.typescript.parse import parse_script

from conftest import make_settings


def _findings(tmp_path: Path, text: str, name: str = "agent.ts") -> list[tuple[int, str]]:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    settings = make_settings({"select": ["CTX011", "CTX900"]}, tmp_path)
    report = check_paths([str(path)], settings)
    return [(d.start.line, d.message) for d in report.diagnostics]


PI = 'import type { ExtensionAPI } from "@mariozechner/pi-coding-agent";\n'
WIKI_HOOK = PI + (
    "export default function (pi: ExtensionAPI) {\n"
    '  pi.on("before_agent_start", async (event, ctx) => {\n'
    '    const prompt = event.prompt || "";\n'
    '    let injected = event.systemPrompt || "";\n'
    "    if (prompt.trim()) {\n"
    "      const results = await searchWikiHybrid(paths, prompt, 3, 5);\n"
    "      const recall = formatRecallContext(results);\n"
    "      if (recall) injected += `\\n\\n${recall}`;\n"
    "    }\n"
    "    injected = appendStatus(injected);\n"
    "    return { systemPrompt: injected };\n"
    "  });\n"
    "}\n"
)


def test_recall_for_the_prompt_added_to_a_pi_system_prompt(tmp_path):
    found = _findings(tmp_path, WIKI_HOOK)
    # Shown where the text takes it in (the `+=`), not at the search.
    assert found == [
        (9, "retrieval results are rebuilt into the system prompt of `before_agent_start` "
            "on every turn")
    ]  # fmt: skip


def test_recall_sent_as_a_message_instead_is_not_flagged(tmp_path):
    fixed = WIKI_HOOK.replace(
        "      if (recall) injected += `\\n\\n${recall}`;\n",
        '      if (recall) pi.sendMessage({ customType: "recall", content: recall });\n',
    )
    assert _findings(tmp_path, fixed) == []


GSD_HANDLER = (
    'import type { ExtensionContext } from "@gsd/pi-coding-agent";\n'
    "export async function buildBeforeAgentStartResult(\n"
    "  event: { prompt: string; systemPrompt: string },\n"
    "  ctx: ExtensionContext,\n"
    "): Promise<{ systemPrompt: string } | undefined> {\n"
    '  const systemContent = loadPrompt("system");\n'
    '  const memoryBlock = await loadMemoryBlock(event.prompt ?? "");\n'
    "  const full = `${event.systemPrompt}\\n\\n${systemContent}${memoryBlock}`;\n"
    "  return { systemPrompt: full };\n"
    "}\n"
)


def test_memory_loaded_for_the_prompt_in_a_pi_handler_of_its_own(tmp_path):
    found = _findings(tmp_path, GSD_HANDLER)
    assert [line for line, _ in found] == [8]
    assert found[0][1].startswith("memory search results are rebuilt into the system prompt")


def test_memory_routed_to_a_message_is_not_flagged(tmp_path):
    fixed = GSD_HANDLER.replace("${systemContent}${memoryBlock}", "${systemContent}").replace(
        "return { systemPrompt: full };",
        'return { systemPrompt: full, message: { customType: "memory", content: memoryBlock } };',
    )
    assert _findings(tmp_path, fixed) == []


def test_the_prompt_itself_in_a_pi_system_prompt(tmp_path):
    text = PI + (
        "export default function (pi: ExtensionAPI) {\n"
        '  pi.on("before_agent_start", (event) => ({\n'
        "    systemPrompt: `${event.systemPrompt}\\nThe task: ${event.prompt}`,\n"
        "  }));\n"
        "}\n"
    )
    found = _findings(tmp_path, text)
    assert [line for line, _ in found] == [4]
    assert found[0][1].startswith("the user's newest message is rebuilt")


SDK = 'import Anthropic from "@anthropic-ai/sdk";\nconst client = new Anthropic();\n'


@pytest.mark.parametrize(
    ("system", "what"),
    [
        ("`Docs: ${docs}`", "retrieval results"),
        ("`Memories: ${await memory.search(userMessage)}`", "memory search results"),
        ("history.length > 2 ? 'Continue.' : 'Greet.'", "the conversation's length"),
        ("`Last: ${history[history.length - 1].content}`", "the newest message"),
        ("`Used ${last.usage.input_tokens} tokens`", "the last response's token usage"),
        ("`Turn ${this.turn}`", "the turn count"),
        ("`Todo:\\n${this.todos.join('\\n')}`", "the task list"),
        ("`The user asked: ${userMessage}`", "the user's newest message"),
    ],
)
def test_per_turn_values_in_a_system_prompt(tmp_path, system, what):
    text = SDK + (
        "class Agent {\n"
        "  turn = 0;\n"
        "  todos: string[] = [];\n"
        "  async chat(history, userMessage: string, last) {\n"
        "    this.turn += 1;\n"
        "    this.todos.push(userMessage);\n"
        "    history.push({ role: 'user', content: userMessage });\n"
        "    const docs = await this.store.similaritySearch(userMessage, 4);\n"
        "    return client.messages.create({\n"
        f'      model: "m", max_tokens: 10, messages: history, system: {system},\n'
        "    });\n"
        "  }\n"
        "}\n"
    )
    found = _findings(tmp_path, text)
    assert [message.split(" are ")[0].split(" is ")[0] for _, message in found] == [what]


@pytest.mark.parametrize(
    "system",
    [
        # A search for a fixed text finds the same every turn.
        "`Docs: ${await this.store.similaritySearch('refund policy')}`",
        # A length handed to a call that may never write it.
        "render(config, history.length)",
        # A count set once, and a list never changed after the constructor.
        "`Turn ${this.started} ${this.plan.join(',')}`",
        # A call named like a search, not given what the user said.
        "`Rules: ${searchRules(config)}`",
        # The user's message, in a function that does not send it as the user's turn.
        "`The user asked: ${userMessage}`",
        # A memory written, not read.
        "`${await saveMemory(userMessage) ? 'saved' : ''}`",
    ],
)
def test_values_the_same_every_turn_are_not_flagged(tmp_path, system):
    text = SDK + (
        "class Agent {\n"
        "  constructor(config) { this.plan = config.plan; this.started = 1; }\n"
        "  async chat(history, userMessage: string) {\n"
        "    return client.messages.create({\n"
        f'      model: "m", max_tokens: 10, messages: history, system: {system},\n'
        "    });\n"
        "  }\n"
        "}\n"
    )
    assert _findings(tmp_path, text) == []


def test_a_test_file_is_not_checked(tmp_path):
    assert _findings(tmp_path, WIKI_HOOK, name="tests/wiki.test.ts") == []


OPENCODE_FACTORY = (
    "export function createSystemTransform(\n"
    "  store: Store,\n"
    "): (input: { sessionID?: string }, output: { system: string[] }) => Promise<void> {\n"
    "  return async (input, output) => {\n"
    "    const notes = await store.searchMemories(input.sessionID);\n"
    "    output.system.splice(1, 0, `Notes:\\n${notes}`);\n"
    "    output.system.push(FOOTER);\n"
    "  };\n"
    "}\n"
)


def test_an_opencode_transform_made_by_a_factory_is_a_sink(tmp_path):
    path = tmp_path / "transform.ts"
    path.write_text(OPENCODE_FACTORY, encoding="utf-8")
    parsed = parse_script(str(path), OPENCODE_FACTORY.encode())
    sent = [parsed.text(sink.value) for sink in host_sinks(parsed)]
    # `splice(1, 0, text)`: the position and the count are not sent.
    assert sorted(sent) == ["FOOTER", "`Notes:\\n${notes}`"]
    assert worth_parsing(OPENCODE_FACTORY.encode())
    found = _findings(tmp_path, OPENCODE_FACTORY, "transform.ts")
    assert [line for line, _ in found] == [6]
    assert "`experimental.chat.system.transform`" in found[0][1]


def test_a_request_body_written_by_hand_is_a_sink():
    text = (
        "export function prepare(parsed, nudge) {\n"
        "  const system = `${parsed.system}\\n${nudge}`;\n"
        "  const rebuilt = { ...parsed, messages: parsed.messages, system };\n"
        "  const logged = { system };\n"
        "  const captured = { system, messages: parsed.messages };\n"
        "  return [JSON.stringify(rebuilt), JSON.stringify(logged), JSON.stringify(captured)];\n"
        "}\n"
    )
    parsed = parse_script("proxy.ts", text.encode())
    # Only a body that carries a conversation and a model (here in what is spread) is a request.
    assert [(sink.callee, parsed.text(sink.value)) for sink in host_sinks(parsed)] == [
        ("the request body", "system")
    ]


def test_files_of_a_host_framework_pass_the_prefilter():
    assert worth_parsing(WIKI_HOOK.encode())
    assert worth_parsing(GSD_HANDLER.encode())
    # A pi file that returns no system prompt is not parsed.
    assert not worth_parsing((PI + "export const x = parseFrontmatter(text);\n").encode())


def test_an_import_type_annotation_parses(tmp_path):
    text = PI + (
        "let entries: import('node:fs').Dirent[];\n"
        'type Client = import("@opencode-ai/plugin").PluginInput["client"];\n'
        'function f(images?: import("@x/ai").ImageContent[]) { return { systemPrompt: "" }; }\n'
    )
    assert _findings(tmp_path, text) == []


LOOPS = SDK + (
    "export async function run(messages, maxSteps) {\n"
    "  for (let step = 0; step < maxSteps; step++) {\n"
    "    const res = await client.messages.create({ model: 'm', max_tokens: 9, messages,\n"
    "      system: `You are on step ${step + 1} of ${maxSteps}.` });\n"
    "    messages.push({ role: 'assistant', content: res.content });\n"
    "  }\n"
    "  let turns = 0;\n"
    "  while (true) {\n"
    "    turns += 1;\n"
    "    await client.messages.create({ model: 'm', max_tokens: 9, messages,\n"
    "      system: `T${turns}` });\n"
    "  }\n"
    "}\n"
    "export async function each(docs, messages) {\n"
    "  let done = 0;\n"
    "  for (let i = 0; i < docs.length; i++) {\n"
    "    done++;\n"
    "    await client.messages.create({ model: 'm', max_tokens: 9,\n"
    "      messages: [{ role: 'user', content: docs[i] }], system: `Doc ${i} ${done}` });\n"
    "  }\n"
    "  return client.messages.create({ model: 'm', max_tokens: 9, messages, system: `${done}` });\n"
    "}\n"
)


def test_counts_of_a_loop_that_sends_on_each_pass(tmp_path):
    found = _findings(tmp_path, LOOPS)
    # Not a loop whose requests are each one question, nor a count read after its loop.
    assert [(line, message.split(" is ")[0]) for line, message in found] == [
        (6, "the loop's iteration count"),
        (13, "a count the loop advances"),
    ]


OPENCODE_AGENTS = (
    'import type { AgentConfig } from "@opencode-ai/sdk";\n'
    "export function build(base: AgentConfig, extra: string): AgentConfig {\n"
    "  return { ...base, prompt: base.prompt + extra };\n"
    "}\n"
    "export async function load(extra: string): Promise<AgentConfig> {\n"
    '  return { mode: "primary", prompt: `Plan first.${extra}` };\n'
    "}\n"
    'export const typed: AgentConfig = { prompt: "Review." };\n'
    'export const checked = { prompt: "Explore." } satisfies AgentConfig;\n'
    "export function all(): Record<string, AgentConfig> {\n"
    '  return { prompt: { prompt: "not one agent" } };\n'
    "}\n"
    "export function describe(agent: AgentConfig) {\n"
    '  return { prompt: agent.prompt, shown: "in a settings page" };\n'
    "}\n"
)


def test_an_opencode_agent_configuration_prompt_is_a_sink():
    parsed = parse_script("agents.ts", OPENCODE_AGENTS.encode())
    sent = [parsed.text(sink.value) for sink in host_sinks(parsed)]
    # Returned by a function declared to return one agent, or typed so; not a record of
    # agents, nor an object that only quotes an agent's prompt.
    assert sent == [
        "base.prompt + extra",
        "`Plan first.${extra}`",
        '"Review."',
        '"Explore."',
    ]
    assert worth_parsing(OPENCODE_AGENTS.encode())
    elsewhere = OPENCODE_AGENTS.replace("@opencode-ai/sdk", "./types")
    assert host_sinks(parse_script("agents.ts", elsewhere.encode())) == []
