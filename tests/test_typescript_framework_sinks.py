"""The sinks of LangChain.js and Google Gen AI: which argument of which call is sent as which
part of the request, only where the SDK is imported (or the request has Gen AI's shape)."""

from __future__ import annotations

import pytest

from ctxlint.typescript import worth_parsing
from ctxlint.typescript.parse import parse_script
from ctxlint.typescript.sinks import find_sinks


def _sinks(text: str, name: str = "agent.ts") -> set[tuple[str, str, str]]:
    parsed = parse_script(name, text.encode())
    return {(sink.callee, sink.part, parsed.text(sink.value)) for sink in find_sinks(parsed)}


LANGCHAIN = (
    'import { SystemMessage } from "@langchain/core/messages";\n'
    "import { ChatPromptTemplate, SystemMessagePromptTemplate, HumanMessagePromptTemplate }"
    ' from "@langchain/core/prompts";\n'
    'import { createReactAgent } from "@langchain/langgraph/prebuilt";\n'
    'import { createAgent } from "langchain";\n'
)


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("new SystemMessage(a)", {("new SystemMessage", "the system prompt", "a")}),
        (
            "new SystemMessage({ content: a, name })",
            {("new SystemMessage", "the system prompt", "a")},
        ),
        (
            "SystemMessagePromptTemplate.fromTemplate(a)",
            {("SystemMessagePromptTemplate.fromTemplate", "the system prompt", "a")},
        ),
        # Only the system tuple of the list is the prefix.
        (
            'ChatPromptTemplate.fromMessages([["system", a], ["human", b]])',
            {("ChatPromptTemplate.fromMessages", "the system prompt", "a")},
        ),
        (
            'model.invoke([{ role: "system", content: a }, { role: "user", content: b }])',
            {
                ("model.invoke", "the system prompt", "a"),
                (
                    "model.invoke",
                    "the messages",
                    '[{ role: "system", content: a }, { role: "user", content: b }]',
                ),
            },
        ),
        # The conversation given to a chat model or a LangGraph agent is the history.
        (
            "this.model.stream(this.history)",
            {("this.model.stream", "the messages", "this.history")},
        ),
        ("agent.invoke({ messages: h })", {("agent.invoke", "the messages", "h")}),
        # A prompt's text, or its template variables, are not.
        ('model.invoke("Hi")', set()),
        ("chain.invoke({ question: q })", set()),
        ("model.bindTools(a)", {("model.bindTools", "the tool definitions", "a")}),
        (
            "createReactAgent({ llm, tools: a, stateModifier: b })",
            {
                ("createReactAgent", "the tool definitions", "a"),
                ("createReactAgent", "the system prompt", "b"),
            },
        ),
        (
            "createAgent({ model, tools: a, systemPrompt: b })",
            {
                ("createAgent", "the tool definitions", "a"),
                ("createAgent", "the system prompt", "b"),
            },
        ),
        # A list kept in a variable: reported where it is written.
        ('const m = [["system", a], ...rest]', {("a list of messages", "the system prompt", "a")}),
        # A human template and a user tuple are the turn, not the prefix.
        ("HumanMessagePromptTemplate.fromTemplate(a)", set()),
        ('model.invoke([["human", a]])', {("model.invoke", "the messages", '[["human", a]]')}),
    ],
)
def test_langchain_sinks(statement, expected):
    assert _sinks(LANGCHAIN + f"export function f() {{ return {statement}; }}\n") == expected


def test_langchain_calls_count_only_where_langchain_is_imported():
    text = (
        'import { SystemMessage } from "./messages";\n'
        'import { createAgent } from "./agents";\n'
        "export function f() {\n"
        "  model.bindTools(a);\n"
        '  model.invoke([["system", a]]);\n'
        "  return [new SystemMessage(a), createAgent({ systemPrompt: a })];\n"
        "}\n"
    )
    assert _sinks(text) == set()


GENAI = 'import { GoogleGenAI } from "@google/genai";\nconst ai = new GoogleGenAI({});\n'


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (
            "ai.models.generateContent({ model, contents: h,"
            " config: { systemInstruction: s, tools: t } })",
            {
                ("ai.models.generateContent", "the messages", "h"),
                ("ai.models.generateContent", "the system prompt", "s"),
                ("ai.models.generateContent", "the tool definitions", "t"),
            },
        ),
        (
            "ai.models.generateContentStream({ model, contents: h,"
            " config: { systemInstruction: s } })",
            {
                ("ai.models.generateContentStream", "the messages", "h"),
                ("ai.models.generateContentStream", "the system prompt", "s"),
            },
        ),
        (
            "ai.chats.create({ model, history: h, config: { tools: t } })",
            {
                ("ai.chats.create", "the messages", "h"),
                ("ai.chats.create", "the tool definitions", "t"),
            },
        ),
        (
            "chat.sendMessage({ message: m, config: { systemInstruction: s } })",
            {("chat.sendMessage", "the system prompt", "s")},
        ),
        (
            "ai.caches.create({ model, config: { contents: c, systemInstruction: s } })",
            {("ai.caches.create", "the system prompt", "s")},
        ),
        # A system instruction outside `config` is not where the SDK reads it.
        (
            "ai.models.generateContent({ model, contents: h, systemInstruction: s })",
            {("ai.models.generateContent", "the messages", "h")},
        ),
    ],
)
def test_genai_sinks(statement, expected):
    assert _sinks(GENAI + f"export async function f() {{ return {statement}; }}\n") == expected


def test_the_older_generative_ai_sdk():
    text = (
        'const { GoogleGenerativeAI } = require("@google/generative-ai");\n'
        "function f(genAI) {\n"
        "  const model = genAI.getGenerativeModel({ model, systemInstruction: s, tools: t });\n"
        "  model.generateContent({ contents: c, systemInstruction: s2 });\n"
        "  return model.startChat({ history: h });\n"
        "}\n"
    )
    assert _sinks(text, "chat.js") == {
        ("genAI.getGenerativeModel", "the system prompt", "s"),
        ("genAI.getGenerativeModel", "the tool definitions", "t"),
        ("model.startChat", "the messages", "h"),
        ("model.generateContent", "the messages", "c"),
        ("model.generateContent", "the system prompt", "s2"),
    }


def test_a_wrapper_called_with_the_genai_request_shape():
    # gemini-cli's ContentGenerator: the file need not import the SDK.
    shaped = (
        "export function f(generator) {\n"
        "  return generator.generateContent(\n"
        "    { model, contents: h, config: { systemInstruction: s } }, id);\n"
        "}\n"
    )
    assert _sinks(shaped) == {
        ("generator.generateContent", "the messages", "h"),
        ("generator.generateContent", "the system prompt", "s"),
    }
    assert worth_parsing(shaped.encode())
    # Without `contents` and `config`, some other `generateContent` is not taken for it.
    assert _sinks("export const f = (g) => g.generateContent({ prompt: s });\n") == set()


@pytest.mark.parametrize(
    "text",
    [
        'import { ChatPromptTemplate } from "@langchain/core/prompts";\n'
        "ChatPromptTemplate.fromMessages(m);\n",
        'import { createAgent } from "langchain";\ncreateAgent({ systemPrompt });\n',
        'import { GoogleGenAI } from "@google/genai";\nai.models.generateContent(r);\n',
        'const g = require("@google/generative-ai");\ng.getGenerativeModel(r);\n',
    ],
)
def test_the_prefilter_lets_each_sdk_through(text):
    assert worth_parsing(text.encode())
