"""Parsing TypeScript and JavaScript: the grammar each suffix calls for, what tree-sitter cannot
read as a CTX900 at its line with the rest of the file still checked, positions counted in
characters, and the prefilter that spares files naming no LLM SDK."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctxlint.engine import check_paths, selected_rules
from ctxlint.typescript import worth_parsing
from ctxlint.typescript.parse import grammar_for, parse_script, readable_bytes
from ctxlint.typescript_run import ScriptChecker

from conftest import make_settings

SEND = (
    'import Anthropic from "@anthropic-ai/sdk";\n'
    "const client = new Anthropic();\n"
    "export async function ask(messages) {\n"
    "  return client.messages.create({ system: `Now ${Date.now()}`, messages });\n"
    "}\n"
)


@pytest.mark.parametrize(
    ("name", "grammar"),
    [
        ("a.ts", "typescript"),
        ("a.mts", "typescript"),
        ("a.cts", "typescript"),
        ("a.tsx", "tsx"),
        ("a.js", "javascript"),
        ("a.jsx", "javascript"),
        ("a.mjs", "javascript"),
        ("a.cjs", "javascript"),
    ],
)
def test_each_suffix_is_read_with_its_grammar(name, grammar):
    assert grammar_for(name) == grammar


def test_jsx_parses_where_its_grammar_reads_it_and_a_cast_where_typescript_does():
    jsx = b"export const App = () => <div className='x'>{name}</div>;\n"
    assert parse_script("App.tsx", jsx).errors == []
    assert parse_script("App.jsx", jsx).errors == []
    cast = b"const n = <number>value;\n"
    assert parse_script("cast.ts", cast).errors == []
    assert parse_script("cast.tsx", cast).errors != []


def test_a_position_is_counted_in_characters_not_bytes():
    parsed = parse_script("a.ts", "const café = 'ü'; const x = ;\n".encode())
    [error] = parsed.errors
    # `=` of the second declaration: byte 29, character 27 (é and ü are two bytes each).
    assert (error.location.line, error.location.column) == (1, 27)


def test_a_parse_error_is_a_ctx900_at_its_line_and_the_rest_is_still_checked(tmp_path):
    path = tmp_path / "agent.ts"
    path.write_text("const broken = ;\n" + SEND, encoding="utf-8")
    report = check_paths([str(path)], make_settings({}, tmp_path))
    found = sorted((d.code, d.start.line) for d in report.diagnostics)
    assert found == [("CTX001", 5), ("CTX900", 1)]
    [result] = report.results
    assert not result.readable
    # The excerpts reporters show are the file's own lines.
    assert result.lines[5].startswith("  return client.messages.create(")


def test_text_that_is_not_utf8_is_a_ctx900(tmp_path):
    path = tmp_path / "agent.js"
    path.write_bytes(b"// openai\nconst s = '\xff';\n")
    report = check_paths([str(path)], make_settings({}, tmp_path))
    assert [(d.code, d.start.line) for d in report.diagnostics] == [("CTX900", 2)]


@pytest.mark.parametrize(
    "text",
    [
        b'import OpenAI from "openai";\nclient.chat.completions.create({ messages })',
        b'import OpenAI from "openai";\nclient.responses\n  .stream({ instructions, input })',
        b"import { generateText } from 'ai';\ngenerateText({ system: prompt })",
        b'const { Agent } = require("@mastra/core/agent");\nnew Agent({ instructions })',
        b'import { Agent } from "@openai/agents";\nnew Agent<Context>({ instructions })',
        b'import Anthropic from "@anthropic-ai/sdk";\nclient.messages.create({ tools })',
        b'import { streamText } from "ai/rsc";\nstreamText<T>({ ...base, tools })',
        # A request built elsewhere, forwarded by a wrapper.
        b'import OpenAI from "openai";\nexport const complete = (body) =>\n'
        b"  client.chat.completions.create(body);",
        b"import { generateText } from 'ai';\nexport const ask = (o) => generateText<T>(o);",
        # A request body written by hand, in a proxy without an SDK (host_sinks).
        b"fetch(url, { body: JSON.stringify({ model, system: prompt, messages }) });",
        b'const body = { ...parsed, "instructions": text, input };\nJSON.stringify(body);',
        # A LangChain chat model streaming a history (framework_sinks).
        b'import { ChatOpenAI } from "@langchain/openai";\nawait model.stream(messages);',
    ],
)
def test_the_prefilter_lets_through_a_file_naming_an_sdk_and_a_sink_call(text):
    assert worth_parsing(text)


@pytest.mark.parametrize(
    "text",
    [
        b"export const Button = () => null;",
        b'import { aim } from "aim";\ngenerateText()',
        b"const ai = 1;",
        # The SDK's types only, or a call of a sink without its SDK.
        b'import type { Model } from "@openai/agents-core";\nexport type M = Model;',
        b"await client.messages.create({ system })",
        # A log of a prompt, not a request: no conversation beside it.
        b"console.log(JSON.stringify({ model, system: text }));",
        # Keys of another object than the one written out (an SDK's tests).
        b"const call = { model, system: s, messages };\nexpect(JSON.stringify(result)).toBe(x);",
        # An SDK's name in another package's, or in a variable's.
        b'import { openai } from "@ai-sdk/openai";\ngenerateText({ system })',
        b'import { openai } from "./openai";\nopenai.chat.completions.create({ messages })',
        # The SDK's name as a string that no import holds (a provider's name, a user agent).
        b'import { generateText } from "./generate-text";\n'
        b'generateText({ system, headers: { "user-agent": "ai/1.0" }, provider: "openai" })',
        # A call that sends only a prompt: nothing in a cached prefix.
        b"import { generateText } from 'ai';\ngenerateText({ model, prompt: 'Hi' })",
    ],
)
def test_the_prefilter_spares_a_file_naming_no_sdk_or_no_sink_call(text):
    assert not worth_parsing(text)


def test_a_file_the_prefilter_spares_is_not_parsed_unless_it_was_named(tmp_path: Path):
    settings = make_settings({}, tmp_path)
    checker = ScriptChecker(settings, selected_rules(settings))
    broken = b"export const Button = (;\n"
    assert checker.check_data("Button.tsx", broken, explicit=False) is None
    assert checker.parsed == 0
    result = checker.check_data("Button.tsx", broken, explicit=True)
    assert checker.parsed == 1
    assert result is not None
    assert [d.code for d in result.diagnostics] == ["CTX900"]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("a.test.ts", "const actual = await importOriginal<typeof import('node:fs')>();\n"),
        ("a.test.ts", "expectTypeOf(x).toMatchTypeOf<\n  import('@x/core').Session\n>();\n"),
        ("a.ts", "const sockets = new Set<import('node:net').Socket>();\n"),
        ("a.ts", "let entries: import('node:fs').Dirent[];\n"),
        ("a.ts", 'type Client = import("@opencode-ai/plugin").PluginInput["client"];\n'),
        ("a.ts", "export type * from './types';\n"),
        ("a.ts", "interface Paper {\n  abstract?: string;\n}\n"),
        ("a.tsx", "const Box = styled.div<{ wide: boolean; tall?: boolean }>`\n  flex: 1;\n`;\n"),
        ("a.tsx", "const A = () => (\n  <p>\n    {on && <b>Q&A, drag & drop</b>}\n  </p>\n);\n"),
        ("a.jsx", "export const A = () => <p>Copy & Open</p>;\n"),
    ],
)
def test_valid_code_the_grammar_misreads_is_no_parse_error(name, text):
    parsed = parse_script(name, (text + "const broken = ;\n").encode())
    # Only the real error is reported, on the line after the valid code.
    assert [e.location.line for e in parsed.errors] == [text.count("\n") + 1]


def test_what_is_read_in_place_of_misread_code_keeps_every_byte_where_it_was():
    text = (
        b"const m = await import('./tools.js');\n"
        b"const later = import('./x').then((x) => x);\n"
        b"type T = import('y').A | B;\n"
        b"const Box = styled.a<{ on?: boolean }>`color: red;`;\n"
        b"const f = (a: number) => `${a}`;\n"
        b"const less = a < b;\nconst more = c > `d`;\n"
    )
    readable = readable_bytes(text)
    assert len(readable) == len(text)
    assert [a == b for a, b in zip(readable.split(b"\n"), text.split(b"\n"), strict=True)] == [
        True,  # a dynamic import is an expression, kept
        True,  # a dynamic import's member called, kept
        False,  # an import type
        False,  # a tagged template's type arguments
        True,  # an arrow function returning a template
        True,
        True,  # a comparison with a template on one side
        True,
    ]
    assert parse_script("a.ts", text).errors == []


def test_a_minified_bundle_a_walk_meets_is_not_parsed(tmp_path: Path):
    settings = make_settings({}, tmp_path)
    checker = ScriptChecker(settings, selected_rules(settings))
    line = b"var a=require('openai');a.responses.create({tools});" + b"function f(){};" * 4000
    line += b"(;\n"
    source = b"import OpenAI from 'openai';\nc.responses.create({tools}\n"
    source += b"const broken = (;\n" * 3000
    assert checker.check_data("dist-web/index-abc.js", line, explicit=False) is None
    assert checker.check_data("vendor/openai.min.js", source, explicit=False) is None
    assert checker.parsed == 0
    # Source with ordinary lines is parsed however long it is; so is a bundle named.
    assert checker.check_data("src/agent.js", source, explicit=False) is not None
    assert checker.check_data("dist-web/index-abc.js", line, explicit=True) is not None
