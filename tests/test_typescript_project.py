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
