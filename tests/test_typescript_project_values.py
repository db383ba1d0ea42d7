"""CTX002, CTX003 and CTX011 on TypeScript follow a sent value into the files its file imports
(a builder, a loader, a const, a method of the project's classes) and report in the file
that holds the part, with the send as a related location."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from ctxlint.engine import check_paths

from conftest import make_settings


def _write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def _report(root: Path, select: str, *paths: str):
    settings = make_settings({"select": [select]}, root)
    return check_paths([str(root / path) for path in paths] or [str(root)], settings)


def _findings(root: Path, select: str, *paths: str) -> list[str]:
    return [
        f"{os.path.relpath(d.path, root)}:{d.start.line}:{d.start.column}: {d.code}"
        for d in _report(root, select, *paths).diagnostics
    ]


_SENDER = """\
    import Anthropic from "@anthropic-ai/sdk";
    {imports}
    const client = new Anthropic();

    export async function ask(q: string, history: Anthropic.MessageParam[]) {{
      history.push({{ role: "user", content: q }});
      return client.messages.create({{
        model: "m", max_tokens: 9, messages: history, system: {system},
      }});
    }}
"""

# --- CTX011: per-turn content built in another file -----------------------------------------

_MEMORY_BUILDER = """\
    export async function instructions(q: string): Promise<string> {
      const found = await memory.search(q, { limit: 5 });
      return `Be brief.\\nKnown: ${found}`;
    }
"""


@pytest.mark.parametrize(
    ("imports", "system", "builder"),
    [
        ('import { instructions } from "./prompt";', "await instructions(q)", _MEMORY_BUILDER),
        ('import * as prompt from "./prompt";', "await prompt.instructions(q)", _MEMORY_BUILDER),
        (
            'import { Prompt } from "./prompt";',
            "await new Prompt().instructions(q)",
            _MEMORY_BUILDER.replace("export async function", "export class Prompt {\n  async")
            + "}\n",
        ),
    ],
)
def test_memory_searched_in_an_imported_builder(tmp_path, imports, system, builder):
    _write(
        tmp_path,
        {"prompt.ts": builder, "agent.ts": _SENDER.format(imports=imports, system=system)},
    )
    report = _report(tmp_path, "CTX011", "agent.ts")
    (found,) = report.diagnostics
    assert os.path.basename(found.path) == "prompt.ts"
    assert "memory search results are rebuilt into the system prompt" in found.message
    # Where it is searched, then where the prompt is sent.
    assert [os.path.basename(r.path) for r in found.related] == ["prompt.ts", "agent.ts"]
    assert found.related[-1].start.line == 7


@pytest.mark.parametrize(
    "builder",
    [
        # The same text searched on every turn finds the same.
        _MEMORY_BUILDER.replace("memory.search(q, { limit: 5 })", 'memory.search("house rules")'),
        # Searched, but only logged: the prompt is fixed.
        _MEMORY_BUILDER.replace("Known: ${found}", "Known: none").replace(
            "  return", "  console.log(found);\n  return"
        ),
    ],
)
def test_near_misses_of_memory_in_an_imported_builder_stay_silent(tmp_path, builder):
    sender = _SENDER.format(
        imports='import { instructions } from "./prompt";', system="await instructions(q)"
    )
    _write(tmp_path, {"prompt.ts": builder, "agent.ts": sender})
    assert _findings(tmp_path, "CTX011", "agent.ts") == []


def test_the_conversations_length_read_in_an_imported_builder(tmp_path):
    _write(
        tmp_path,
        {
            "prompt.ts": """\
                export function instructions(history: unknown[]): string {
                  return history.length <= 2 ? "Greet the user." : "Continue the task.";
                }
            """,
            "agent.ts": _SENDER.format(
                imports='import { instructions } from "./prompt";', system="instructions(history)"
            ),
        },
    )
    assert _findings(tmp_path, "CTX011", "agent.ts") == ["prompt.ts:2:10: CTX011"]


# --- CTX003 and CTX002: an order decided in another file ------------------------------------

_LOADER = """\
    import { glob } from "glob";

    export async function skillNames(dir: string): Promise<string[]> {
      const files = await glob("*/SKILL.md", { cwd: dir });
      const names: string[] = [];
      for (const file of files) names.push(file.split("/")[0]);
      return names;
    }
"""


@pytest.mark.parametrize(
    ("system", "flagged"),
    [
        ('(await skillNames("skills")).map((n) => `- ${n}`).join("\\n")', True),
        ('(await skillNames("skills")).join(", ")', True),
        # Sorted where it is sent: which list a sort sorts is not told, so nothing.
        ('(await skillNames("skills")).sort().join(", ")', False),
        # Only counted: the order is not in the text.
        ('`${(await skillNames("skills")).length} skills`', False),
    ],
)
def test_a_listing_in_an_imported_loader(tmp_path, system, flagged):
    sender = _SENDER.format(imports='import { skillNames } from "./skills";', system=system)
    _write(tmp_path, {"skills.ts": _LOADER, "agent.ts": sender})
    expected = ["skills.ts:6:22: CTX003"] if flagged else []
    assert _findings(tmp_path, "CTX003", "agent.ts") == expected


def test_a_loader_reached_from_two_senders_is_one_finding(tmp_path):
    sender = _SENDER.format(
        imports='import { skillNames } from "./skills";',
        system='(await skillNames("skills")).join(", ")',
    )
    _write(tmp_path, {"skills.ts": _LOADER, "a.ts": sender, "b.ts": sender})
    (found,) = _report(tmp_path, "CTX003").diagnostics
    assert os.path.basename(found.path) == "skills.ts"
    sent = [os.path.basename(r.path) for r in found.related if r.message.startswith("sent as")]
    assert sent == ["a.ts", "b.ts"]


def test_noqa_in_the_loaders_file(tmp_path):
    sender = _SENDER.format(
        imports='import { skillNames } from "./skills";',
        system='(await skillNames("skills")).join(", ")',
    )
    loader = _LOADER.replace(
        "for (const file of files)", "for (const file of files) // noqa: CTX003\n "
    )
    _write(tmp_path, {"skills.ts": loader, "agent.ts": sender})
    assert _findings(tmp_path, "CTX003") == []


def test_json_of_keys_added_as_calls_complete_in_an_imported_builder(tmp_path):
    _write(
        tmp_path,
        {
            "status.ts": """\
                export async function statusLine(servers: Server[]) {
                  const status: Record<string, string> = {};
                  await Promise.all(servers.map(async (server) => {
                    status[server.name] = await server.ping();
                  }));
                  return `Servers: ${JSON.stringify(status)}`;
                }
            """,
            "agent.ts": _SENDER.format(
                imports='import { statusLine } from "./status";', system="await statusLine([])"
            ),
        },
    )
    assert _findings(tmp_path, "CTX002", "agent.ts") == ["status.ts:6:22: CTX002"]


def test_a_search_wrapped_in_another_file_is_one_finding_at_the_call(tmp_path):
    # What the imported search returns is its results: reported once, where the prompt
    # takes them in, not again at the search inside the wrapper.
    _write(
        tmp_path,
        {
            "docs.ts": """\
                export async function searchDocs(question: string) {
                  return vectorStore.similaritySearch(question, 4);
                }
            """,
            "agent.ts": """\
                import Anthropic from "@anthropic-ai/sdk";
                import { searchDocs } from "./docs";
                const client = new Anthropic();

                export async function ask(question: string, history: Anthropic.MessageParam[]) {
                  history.push({ role: "user", content: question });
                  const docs = await searchDocs(question);
                  return client.messages.create({
                    model: "m", max_tokens: 9, messages: history, system: `Docs: ${docs}`,
                  });
                }
            """,
        },
    )
    assert _findings(tmp_path, "CTX011") == ["agent.ts:9:68: CTX011"]
