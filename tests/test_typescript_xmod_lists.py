"""TypeScript and JavaScript histories and tool lists changed by a function they are handed
to, in the file or imported (CTX006, CTX004 across functions and modules): the finding is
placed in the helper, with the call that applies it and the place the list is sent from as
related locations."""

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


def _report(root: Path, select: str, **options):
    settings = make_settings({"select": [select], **options}, root)
    return check_paths([str(root)], settings).diagnostics


def _where(root: Path, diagnostics) -> list[str]:
    return [f"{os.path.relpath(d.path, root)}:{d.start.line}: {d.code}" for d in diagnostics]


_LOOP = """\
    import { generateText } from "ai";
    import { compact } from "./compact";

    export async function run(model, task, execute) {
      let messages = [{ role: "user", content: task }];
      for (let step = 0; step < 20; step++) {
        messages = compact(messages);
        const result = await generateText({ model, messages });
        messages.push(...result.response.messages);
        messages.push({ role: "user", content: await execute(result) });
      }
    }
"""


@pytest.mark.parametrize(
    ("compact", "flagged"),
    [
        # A window cut from the end: its start moves each pass.
        ("export const compact = (m) => m.slice(-12);\n", True),
        ("export function compact(m) {\n  const kept = m.slice(-12);\n  return kept;\n}\n", True),
        # The first message and a window.
        ("export function compact(m) {\n  return [m[0], ...m.slice(-12)];\n}\n", True),
        # A copy (`slice(0)`), and each message rewritten by itself alone: the same every pass.
        ("export const compact = (m) => m.slice(0);\n", False),
        (
            "export const compact = (m) => m.map((x) => ({ ...x, content: x.content.trim() }));\n",
            False,
        ),
    ],
)
def test_an_imported_helper_returning_a_window(tmp_path, compact, flagged):
    _write(tmp_path, {"agent.ts": _LOOP, "compact.ts": compact})
    found = _report(tmp_path, "CTX006")
    # In the helper, where the window is cut.
    assert [os.path.basename(d.path) for d in found] == (["compact.ts"] if flagged else [])
    if flagged:
        related = [(os.path.basename(r.path), r.start.line, r.message) for r in found[0].related]
        assert related[0][:2] == ("agent.ts", 7) and related[0][2].startswith("applied by")
        assert related[1][:2] == ("agent.ts", 8) and related[1][2].startswith("sent as")


def test_a_configured_compaction_is_sanctioned(tmp_path):
    _write(
        tmp_path, {"agent.ts": _LOOP, "compact.ts": "export const compact = (m) => m.slice(-12);\n"}
    )
    assert _report(tmp_path, "CTX006")
    assert not _report(tmp_path, "CTX006", **{"compaction-functions": ["compact"]})


def test_a_window_cut_once_before_the_loop_is_the_same_for_every_call(tmp_path):
    agent = textwrap.dedent(_LOOP).replace(
        "  for (let step = 0; step < 20; step++) {\n    messages = compact(messages);\n",
        "  messages = compact(messages);\n  for (let step = 0; step < 20; step++) {\n",
    )
    assert agent != textwrap.dedent(_LOOP)
    _write(
        tmp_path, {"agent.ts": agent, "compact.ts": "export const compact = (m) => m.slice(-12);\n"}
    )
    assert not _report(tmp_path, "CTX006")


_PROXY = """\
    import { condense } from "./condense";

    export function prepare(parsed, keep) {
      const { messages: kept } = condense(parsed.messages, keep);
      const body = { ...parsed, system: parsed.system, messages: kept };
      const url = "https://api.openai.com/v1/chat/completions";
      return fetch(url, { method: "POST", body: JSON.stringify(body) });
    }
"""


@pytest.mark.parametrize(
    ("condition", "flagged"),
    [
        # Which messages are stubbed moves with their position from the end.
        ("i < messages.length - keep", True),
        # Decided by each message alone: the same rewrite on every request.
        ('m.role === "tool" && m.content.length > 4000', False),
    ],
)
def test_a_proxy_stubbing_older_messages_in_another_module(tmp_path, condition, flagged):
    condense = f"""\
        export function condense(messages, keep) {{
          const out = messages.map((m, i) => {{
            if (!({condition})) return m;
            return {{ ...m, content: "[condensed]" }};
          }});
          return {{ messages: out, count: messages.length }};
        }}
    """
    _write(tmp_path, {"proxy.ts": _PROXY, "condense.ts": condense})
    found = _where(tmp_path, _report(tmp_path, "CTX006"))
    assert found == (["condense.ts:2: CTX006"] if flagged else [])


def test_a_kept_history_handed_to_a_helper_that_shifts_it(tmp_path):
    _write(
        tmp_path,
        {
            "agent.ts": """\
                import Anthropic from "@anthropic-ai/sdk";
                import { fit } from "./fit";
                const client = new Anthropic();
                const history = [];
                export async function ask(text) {
                  history.push({ role: "user", content: text });
                  fit(history);
                  return client.messages.create({ model: "m", max_tokens: 9, messages: history });
                }
            """,
            "fit.ts": """\
                export function fit(list) {
                  while (list.length > 30) list.shift();
                }
                export function unrelated(list) {
                  list.push(1);
                }
            """,
        },
    )
    assert _where(tmp_path, _report(tmp_path, "CTX006")) == ["fit.ts:2: CTX006"]


_TOOLS_LOOP = """\
    import { generateText } from "ai";
    import { toolsFor } from "./tools";

    export async function run(model, messages, all, mode) {
      let phase = "plan";
      for (let step = 0; step < 10; step++) {
        const result = await generateText({ model, messages, tools: toolsFor(all, ARG) });
        messages.push(...result.response.messages);
        if (result.text.includes("DONE")) phase = "build";
      }
    }
"""
_TOOLS = """\
    export function toolsFor(all, phase) {
      const kept = all.filter((t) => t.phases.includes(phase));
      return Object.fromEntries(kept.map((t) => [t.name, t]));
    }
"""


@pytest.mark.parametrize(("argument", "flagged"), [("phase", True), ("mode", False)])
def test_tools_rebuilt_by_an_imported_helper_from_loop_state(tmp_path, argument, flagged):
    _write(tmp_path, {"agent.ts": _TOOLS_LOOP.replace("ARG", argument), "tools.ts": _TOOLS})
    found = _report(tmp_path, "CTX004")
    assert _where(tmp_path, found) == (["tools.ts:2: CTX004"] if flagged else [])
    if flagged:
        assert "from `phase`, which the loop changes" in found[0].message
        assert [os.path.basename(r.path) for r in found[0].related] == ["agent.ts", "agent.ts"]


@pytest.mark.parametrize(
    ("sort", "flagged"), [("", True), (".sort((a, b) => a.name.localeCompare(b.name))", False)]
)
def test_an_mcp_listing_in_another_module(tmp_path, sort, flagged):
    _write(
        tmp_path,
        {
            "agent.ts": """\
                import OpenAI from "openai";
                import { loadTools } from "./mcp";
                const openai = new OpenAI();
                export async function ask(mcp, messages) {
                  return openai.chat.completions.create({
                    model: "gpt-4.1", messages, tools: await loadTools(mcp),
                  });
                }
            """,
            "mcp.ts": f"""\
                export async function loadTools(mcp) {{
                  const listed = await mcp.listTools();
                  return listed.tools{sort}.map((t) => ({{ type: "function", function: t }}));
                }}
            """,
        },
    )
    assert _where(tmp_path, _report(tmp_path, "CTX004")) == (
        ["mcp.ts:2: CTX004"] if flagged else []
    )


@pytest.mark.parametrize(
    ("recent", "flagged"),
    [
        ("return this.history.slice(-count);", True),
        ("return this.history.slice(0, count);", False),
    ],
)
def test_a_method_returning_a_window_of_the_objects_history(tmp_path, recent, flagged):
    _write(
        tmp_path,
        {
            "chat.ts": f"""\
                import OpenAI from "openai";
                const openai = new OpenAI();
                export class Chat {{
                  history = [];
                  recent(count) {{
                    {recent}
                  }}
                  async ask(text) {{
                    this.history.push({{ role: "user", content: text }});
                    const reply = await openai.chat.completions.create({{
                      model: "gpt-4.1", messages: this.recent(20),
                    }});
                    this.history.push(reply.choices[0].message);
                  }}
                }}
            """
        },
    )
    assert _where(tmp_path, _report(tmp_path, "CTX006")) == (
        ["chat.ts:6: CTX006"] if flagged else []
    )
