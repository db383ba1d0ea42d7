"""TypeScript and JavaScript across functions and modules: values named as the system prompt,
imports followed into other files (relative paths, index files, re-exports), findings placed
at the value in the file it is in, and the project's own wrappers of an SDK call."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from ctxlint.engine import check_paths
from ctxlint.typescript import worth_parsing
from ctxlint.typescript.named_prompts import names_system_prompt, snake_words

from conftest import make_settings


def _write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def _findings(root: Path, *paths: str, select=("CTX001",), jobs=None) -> list[str]:
    settings = make_settings({"select": list(select)}, root)
    targets = [str(root / path) for path in paths] or [str(root)]
    report = check_paths(targets, settings, jobs=jobs)
    return [
        f"{os.path.relpath(d.path, root)}:{d.start.line}:{d.start.column}: {d.code}"
        for d in report.diagnostics
    ]


# --- Named system prompts -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "snake"),
    [
        ("buildSystemPrompt", "build_system_prompt"),
        ("SYSTEM_PROMPT", "system_prompt"),
        ("XMLSystemPrompt", "xml_system_prompt"),
        ("systemPromptV2", "system_prompt_v2"),
        ("#systemPrompt", "system_prompt"),
    ],
)
def test_camel_case_names_are_read_as_snake_words(name, snake):
    assert snake_words(name) == snake


@pytest.mark.parametrize(
    ("name", "imports_llm", "expected"),
    [
        ("buildSystemPrompt", False, True),
        ("getSystemPrompt", False, True),
        ("SYSTEM_PROMPT", False, True),
        ("systemPrompt", False, True),
        ("defaultSystemInstructions", True, True),
        ("systemMessage", True, True),
        ("systemMessage", False, False),  # a chat app's notice, without an SDK
        ("systemPromptTokens", False, False),  # a count
        ("isSystemPrompt", False, False),  # a flag
        ("useSystemPrompt", False, False),
        ("nonSystemMessages", True, False),
        ("withoutSystemPrompt", False, False),
        ("setSystemPrompt", False, False),  # an action; its argument is the prompt
    ],
)
def test_which_names_say_system_prompt(name, imports_llm, expected):
    assert names_system_prompt(name, imports_llm) is expected


_NOW = "`Now: ${new Date().toISOString()}`"
_NAMED = {
    "function": f"export function buildSystemPrompt() {{\n  return {_NOW};\n}}\n",
    "arrow": f"export const getSystemPrompt = () => {_NOW};\n",
    "getter": f"class Agent {{\n  get systemPrompt() {{\n    return {_NOW};\n  }}\n}}\n",
    "property": f"export function config() {{\n  return {{ systemPrompt: {_NOW} }};\n}}\n",
    "setter": f"export function start(agent) {{\n  agent.setSystemPrompt({_NOW});\n}}\n",
    "assigned": f"export function start(agent) {{\n  agent.systemPrompt = {_NOW};\n}}\n",
    "appended": f"export function options() {{\n  return {{ appendSystemPrompt: {_NOW} }};\n}}\n",
}


@pytest.mark.parametrize("kind", sorted(_NAMED))
def test_a_value_named_as_the_system_prompt_is_a_sink_without_an_sdk(tmp_path, kind):
    _write(tmp_path, {"prompt.ts": _NAMED[kind]})
    line = next(n for n, text in enumerate(_NAMED[kind].split("\n"), 1) if "new Date" in text)
    assert [f.split(":")[1] for f in _findings(tmp_path)] == [str(line)]


@pytest.mark.parametrize(
    "text",
    [
        # A count, a flag: not the prompt.
        "export const systemPromptTokens = () => Date.now();\n",
        "export function isSystemPrompt(x) {\n  return Date.now() > x;\n}\n",
        # Computed once when the module loads.
        "export const SYSTEM_PROMPT = `Now: ${new Date().toISOString()}`;\n",
        # The date alone.
        "export const buildSystemPrompt = () =>\n"
        "  `Today: ${new Date().toISOString().slice(0, 10)}`;\n",
    ],
)
def test_near_misses_of_named_prompts_stay_silent(tmp_path, text):
    _write(tmp_path, {"prompt.ts": text})
    assert _findings(tmp_path) == []


def test_the_prefilter_admits_a_file_naming_a_system_prompt():
    assert worth_parsing(b"export function buildSystemPrompt() {}")
    assert worth_parsing(b"const SYSTEM_PROMPT = 'x';")
    assert not worth_parsing(b"const systemMessage = 'Saved';")  # no SDK imported
    assert worth_parsing(b'import OpenAI from "openai";\nconst systemMessage = "x";')
    assert not worth_parsing(b"export const operatingSystem = 'linux';")


# --- Across modules ---------------------------------------------------------------------------

_SENDER = """\
    import Anthropic from "@anthropic-ai/sdk";
    {imports}
    const client = new Anthropic();

    export async function ask(q: string) {{
      return client.messages.create({{ model: "m", system: {system}, messages: [] }});
    }}
"""
_CLOCK = """\
    export function header(): string {
      return `Now: ${new Date().toISOString()}`;
    }
"""


@pytest.mark.parametrize(
    ("imports", "system", "clock_at"),
    [
        ('import { header } from "./lib/clock";', "header()", "lib/clock.ts"),
        ('import { header } from "./lib/clock.js";', "header()", "lib/clock.ts"),
        ('import { header as h } from "./lib";', "h()", "lib/clock.ts"),  # index.ts re-exports
        ('import * as clock from "./lib/clock";', "clock.header()", "lib/clock.ts"),
        ('import { header } from "./lib/deep";', "header()", "lib/clock.ts"),  # export * twice
        ('import header from "./lib/default";', "header()", "lib/default.ts"),
        ('const { header } = require("./lib/clock");', "header()", "lib/clock.ts"),
        ('import { header } from "./lib/clock.mjs";', "header()", "lib/clock.mts"),
    ],
)
def test_imports_are_followed_to_the_value(tmp_path, imports, system, clock_at):
    _write(
        tmp_path,
        {
            "lib/clock.ts": _CLOCK,
            "lib/clock.mts": _CLOCK,
            "lib/index.ts": 'export { header } from "./clock";\n',
            "lib/deep.ts": 'export * from "./index.js";\n',
            "lib/default.ts": _CLOCK.replace("export function", "export default function"),
            "agent.ts": _SENDER.format(imports=imports, system=system),
        },
    )
    assert _findings(tmp_path, "agent.ts") == [f"{clock_at}:2:18: CTX001"]


def test_an_imported_const_and_a_reexported_builder(tmp_path):
    _write(
        tmp_path,
        {
            "prompts.ts": """\
                export const BASE = "Be brief.";
                export function withTime() {
                  const now = Date.now();
                  return BASE + ` (${now})`;
                }
                const RULES = withTime();
                export { RULES };
            """,
            "agent.ts": _SENDER.format(
                imports='import { BASE, withTime } from "./prompts";', system="BASE + withTime()"
            ),
        },
    )
    assert _findings(tmp_path, "agent.ts") == ["prompts.ts:3:15: CTX001"]


@pytest.mark.parametrize(
    "clock",
    [
        # Computed once when the module loads.
        "export const header = `Now: ${new Date().toISOString()}`;\nexport const x = 1;\n",
        # A function of that name in another file is not the one imported.
        "export function header() {\n  return 'Be brief.';\n}\n",
        # Recursion through imports gives up quietly.
        'export { header } from "./clock";\n',
    ],
)
def test_near_misses_across_files_stay_silent(tmp_path, clock):
    _write(
        tmp_path,
        {
            "lib/clock.ts": clock,
            "other.ts": _CLOCK,
            "agent.ts": _SENDER.format(
                imports='import { header } from "./lib/clock";', system="header()"
            ),
        },
    )
    assert _findings(tmp_path, "agent.ts") == []


def test_a_missing_or_broken_module_gives_up_quietly(tmp_path):
    _write(
        tmp_path,
        {
            "lib/clock.ts": "export function header( {\n",
            "agent.ts": _SENDER.format(
                imports='import { header } from "./lib/clock";\nimport { gone } from "./gone";',
                system="header() + gone() + missing()",
            ),
        },
    )
    assert _findings(tmp_path, "agent.ts") == []


def test_noqa_in_the_file_of_the_finding(tmp_path):
    noqa = _CLOCK.replace("}`;", "}`; // noqa: CTX001")
    _write(
        tmp_path,
        {
            "lib/clock.ts": noqa,
            "agent.ts": _SENDER.format(
                imports='import { header } from "./lib/clock";', system="header()"
            ),
        },
    )
    assert _findings(tmp_path) == []


def test_one_finding_reached_from_two_checked_files(tmp_path):
    sender = _SENDER.format(imports='import { header } from "./lib/clock";', system="header()")
    _write(tmp_path, {"lib/clock.ts": _CLOCK, "a.ts": sender, "b.ts": sender})
    report = check_paths([str(tmp_path)], make_settings({"select": ["CTX001"]}, tmp_path))
    (found,) = report.diagnostics
    assert os.path.relpath(found.path, tmp_path) == os.path.join("lib", "clock.ts")
    assert [os.path.basename(r.path) for r in found.related] == ["a.ts", "b.ts"]
    assert [r.start.line for r in found.related] == [6, 6]


def test_parallel_run_gives_the_serial_result(tmp_path, monkeypatch):
    monkeypatch.setattr("ctxlint.parallel.PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr("ctxlint.parallel.BATCH_SIZE", 1)
    sender = _SENDER.format(imports='import { header } from "./lib/clock";', system="header()")
    files = {"lib/clock.ts": _CLOCK} | {f"app{n}.ts": sender for n in range(4)}
    _write(tmp_path, files)
    settings = make_settings({"select": ["CTX001"]}, tmp_path)
    serial = check_paths([str(tmp_path)], settings, jobs=1).diagnostics
    parallel = check_paths([str(tmp_path)], settings, jobs=2).diagnostics
    assert parallel == serial
    assert len(serial) == 1 and len(serial[0].related) == 4


def test_a_module_added_or_changed_between_runs_of_one_process_is_read_anew(tmp_path):
    sender = _SENDER.format(imports='import { header } from "./lib/clock";', system="header()")
    _write(tmp_path, {"agent.ts": sender})
    assert _findings(tmp_path, "agent.ts") == []
    _write(tmp_path, {"lib/clock.ts": _CLOCK})
    assert _findings(tmp_path, "agent.ts") == ["lib/clock.ts:2:18: CTX001"]
    _write(tmp_path, {"lib/clock.ts": "export function header() {\n  return 'fixed, longer';\n}\n"})
    assert _findings(tmp_path, "agent.ts") == []


def test_no_finding_in_an_excluded_folder(tmp_path):
    _write(
        tmp_path,
        {
            "vendored/clock.ts": _CLOCK,
            "agent.ts": _SENDER.format(
                imports='import { header } from "./vendored/clock";', system="header()"
            ),
        },
    )
    settings = make_settings({"select": ["CTX001"], "exclude": ["vendored"]}, tmp_path)
    assert check_paths([str(tmp_path)], settings).diagnostics == []


def test_a_workspace_package_is_resolved_to_its_source(tmp_path):
    _write(
        tmp_path,
        {
            "package.json": '{"name": "root", "workspaces": ["packages/*"]}',
            "packages/core/package.json": '{"name": "@acme/core", "main": "dist/index.js"}',
            "packages/core/src/index.ts": 'export * from "./clock.js";\n',
            "packages/core/src/clock.ts": _CLOCK,
            "packages/app/src/agent.ts": _SENDER.format(
                imports='import { header } from "@acme/core";', system="header()"
            ),
        },
    )
    assert _findings(tmp_path, "packages/app/src/agent.ts") == [
        "packages/core/src/clock.ts:2:18: CTX001"
    ]


# --- The project's own wrappers -------------------------------------------------------------

_LLM = """\
    import Anthropic from "@anthropic-ai/sdk";
    const client = new Anthropic();

    export async function ask(system: string, tools: Anthropic.Tool[], q: string) {
      return client.messages.create({ model: "m", system, tools, messages: [] });
    }

    export const askWith = async ({ system, tools }: { system: string; tools: any[] }) => {
      const base = { model: "m", max_tokens: 9, system };
      return client.messages.create({ ...base, tools, messages: [] });
    };

    export class Llm {
      private client = new Anthropic();
      async send(options: { prompt: string }) {
        return this.client.messages.create({ model: "m", system: options.prompt, messages: [] });
      }
      async run(q: string) {
        return this.send({ prompt: `Be brief. ${new Date().toISOString()}` });
      }
    }

    function inner(s: string) {
      return ask("Be brief. " + s, [], "q");
    }
    export function outer() {
      return inner(`t=${Date.now()}`);
    }
"""


def test_wrappers_within_a_file_make_their_callers_arguments_sinks(tmp_path):
    _write(tmp_path, {"llm.ts": _LLM})
    # `this.send(...)` through an options object; `outer` -> `inner` -> `ask`.
    assert _findings(tmp_path) == ["llm.ts:19:45: CTX001", "llm.ts:27:21: CTX001"]


@pytest.mark.parametrize(
    ("call", "column"),
    [
        ("ask(`Time: ${new Date().toISOString()}`, [], q)", 23),
        ("askWith({ system: `Time: ${new Date().toISOString()}`, tools: [] })", 37),
        # The user's question is not a parameter that is sent as the prefix.
        ("ask('Be brief.', [], `Time: ${new Date().toISOString()}`)", None),
    ],
)
def test_an_imported_wrapper_makes_its_callers_arguments_sinks(tmp_path, call, column):
    _write(
        tmp_path,
        {
            "llm.ts": _LLM,
            # No SDK here, no prompt named: parsed because it imports the model layer.
            "agent.ts": f"""\
                import {{ ask, askWith }} from "./llm.js";
                export async function main(q: string) {{
                  return {call};
                }}
            """,
        },
    )
    found = [f for f in _findings(tmp_path) if f.startswith("agent.ts")]
    assert found == ([f"agent.ts:3:{column}: CTX001"] if column else [])


def test_a_local_function_shadowing_an_imported_wrapper_is_not_it(tmp_path):
    _write(
        tmp_path,
        {
            "llm.ts": _LLM,
            "agent.ts": """\
                import { ask } from "./llm";
                export async function main() {
                  const ask = (text: string) => console.log(text);
                  return ask(`Time: ${new Date().toISOString()}`);
                }
            """,
        },
    )
    assert [f for f in _findings(tmp_path) if f.startswith("agent.ts")] == []


def test_a_type_only_star_reexport_parses():
    # TypeScript 5.0 syntax tree-sitter-typescript 0.23 cannot read; index files use it.
    from ctxlint.typescript.parse import parse_script

    parsed = parse_script(
        "index.ts", b'export type * from "./types";\nexport type * as t from "./t";\n'
    )
    assert parsed.errors == []
    broken = parse_script("index.ts", b'export type * from "./types";\nconst = 1;\n')
    assert [error.location.line for error in broken.errors] == [2]


@pytest.mark.parametrize(
    "text",
    [
        b'let entries: import("node:fs").Dirent[] = [];\n',
        b'export function pinned(): import("./edits.js").Edit[] {\n  return [];\n}\n',
        b'const loaded = import("./x").then((m) => m.a);\n',
    ],
)
def test_a_member_of_an_import_type_parses(text):
    from ctxlint.typescript.parse import parse_script

    assert parse_script("state.ts", text).errors == []


def test_a_prompt_named_in_a_test_file_is_not_a_sink(tmp_path):
    _write(tmp_path, {"prompt.test.ts": _NAMED["function"], "prompt.ts": _NAMED["function"]})
    assert _findings(tmp_path) == ["prompt.ts:2:18: CTX001"]


@pytest.mark.parametrize(
    ("options", "flagged"),
    [
        ("{ includeDateTime = false }: { includeDateTime?: boolean }", False),
        ("{ includeDateTime = true }: { includeDateTime?: boolean }", True),
        ("{ includeDateTime }: { includeDateTime: boolean }", True),
    ],
)
def test_a_clock_behind_an_option_off_by_default_is_a_choice(tmp_path, options, flagged):
    _write(
        tmp_path,
        {
            "prompt.ts": f"""\
                export function buildSystemPrompt({options}) {{
                  const line = includeDateTime ? `Now: ${{new Date().toISOString()}}` : "";
                  return "Be brief." + line;
                }}
            """
        },
    )
    assert bool(_findings(tmp_path)) is flagged


def test_options_passed_whole_to_a_wrapper_are_not_its_prompt(tmp_path):
    _write(
        tmp_path,
        {
            "llm.ts": """\
                import OpenAI from "openai";
                const client = new OpenAI();
                export function ask(options: { model: string; question: string }) {
                  return client.responses.create({ instructions: render(options), input: "" });
                }
                function render(options: { question: string }) {
                  return "Answer briefly.";
                }
            """,
            "agent.ts": """\
                import { ask } from "./llm";
                export function main() {
                  return ask({ model: "gpt-5", question: "q", requestId: crypto.randomUUID() });
                }
            """,
        },
    )
    assert _findings(tmp_path) == []


_BUILDER = """\
    export class PromptBuilder {
      build(): string {
        return `Be brief. ${this.clock()}`;
      }
      private clock() {
        return new Date().toISOString();
      }
    }
"""


@pytest.mark.parametrize(
    ("setup", "system"),
    [
        ("const builder = new PromptBuilder();", "builder.build()"),
        ("", "new PromptBuilder().build()"),
        ("", "this.builder.build()"),
    ],
)
def test_methods_of_the_projects_classes_are_followed(tmp_path, setup, system):
    _write(
        tmp_path,
        {
            "builder.ts": _BUILDER,
            "agent.ts": f"""\
                import OpenAI from "openai";
                import {{ PromptBuilder }} from "./builder";
                const client = new OpenAI();
                export class Agent {{
                  private builder = new PromptBuilder();
                  async run() {{
                    {setup}
                    return client.responses.create({{ instructions: {system}, input: "" }});
                  }}
                }}
            """,
        },
    )
    assert _findings(tmp_path, "agent.ts") == ["builder.ts:6:12: CTX001"]


def test_a_test_file_calling_a_wrapper_makes_no_sink(tmp_path):
    _write(
        tmp_path,
        {
            "llm.ts": _LLM,
            "llm.test.ts": """\
                import Anthropic from "@anthropic-ai/sdk";
                import { ask } from "./llm";
                it("busts the cache on purpose", () => ask(`nonce ${Date.now()}`, [], "q"));
            """,
        },
    )
    assert [f for f in _findings(tmp_path) if f.startswith("llm.test.ts")] == []
