"""TypeScript and JavaScript agents: which files are read, and which of them are worth parsing.

Nothing here imports tree-sitter: discovery and the prefilter run on every file a walk meets,
and only a file that names an LLM SDK and one of its calls, or names a system prompt, is
parsed (ctxlint.typescript.parse); ctxlint.typescript_run adds the files that import a model
layer of the project (ctxlint.typescript.project.imports_a_sender).
"""

from __future__ import annotations

import re

# One input kind for both languages: the same grammars family reads them, the SDKs are the
# same packages, and a rule's detector cannot tell a `.js` agent from a `.ts` one.
SUFFIXES = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
# Declaration files hold types only: no call is ever made from them.
_DECLARATION_SUFFIXES = (".d.ts", ".d.mts", ".d.cts")

# What every file with a sink holds (ctxlint.typescript.sinks): an SDK imported or required by
# its module name (a sink counts only where its SDK is imported; `"@ai-sdk/openai"` or a
# variable `openai` is not the SDK), the call of a sink as its callee must read, and the name
# of a part sent (a property `system`, `tools`... or a message's `role: "system"`; a spread of
# a local object names its keys too) or a request passed by name. A file of an application
# without all three (most are components, utilities, types, tests) is never parsed, nor, in an
# SDK's own repository where every file imports it, a file that only calls it with a prompt.
# A new sink's module, call and properties must be added here: tests/test_typescript_prefilter.py
# checks that every rule example and fixture file holding a sink passes.
_SDK_MODULE = re.compile(
    # As an import's or a require's: a string "openai" elsewhere is a provider's name, and
    # "ai/1.0" the user agent an SDK's tests send.
    rb"""(?:from|import|require\s*\()\s*['"`]"""
    rb"""(?:openai|ai|@openai/agents|@mastra/core|@anthropic-ai/[^'"`\s/]+"""
    rb"""|@langchain/[^'"`\s/]+|@google/genai)(?:/[^'"`\s]*)?['"`]"""
)
_SINK_CALL = re.compile(
    rb"\b(?:(?:generateText|streamText|generateObject|streamObject)\s*[(<]"
    # `new Agent(`, `new ToolLoopAgent(`, and `new Agent<Context>(`.
    rb"|new\s+(?:Agent|ToolLoopAgent|Experimental_Agent)\b"
    # `.messages.create(`, `.chat.completions.create(`, `.responses.stream(`, also when a
    # formatter breaks the chain across lines.
    rb"|(?:completions|responses|messages)\s*\.\s*(?:create|stream|parse)\b)"
)
_PARTS_SENT = (b"system", b"instructions", b"tools", b"messages", b"input")
# A request passed by name or spread (`create(body)`, `generateText({ ...options, model })`):
# the parts are named where it is built, maybe in another module, and a wrapper forwarding it
# is worth parsing too.
_FORWARDED = re.compile(
    rb"\b(?:(?:generateText|streamText|generateObject|streamObject)"
    rb"|new\s+(?:Agent|ToolLoopAgent|Experimental_Agent)"
    rb"|(?:completions|responses|messages)\s*\.\s*(?:create|stream|parse))"
    rb"\s*(?:<[^()]*>)?\s*\(\s*(?:[A-Za-z_$]|\{[^{}]*?\.\.\.)"
)
# Searched before the expressions, many times faster: a file without one of these names no
# SDK module.
_SDK_NEEDLES = (
    b"openai",
    b"@anthropic-ai/",
    b"'ai",
    b'"ai',
    b"`ai",
    b"@mastra/",
    b"@langchain/",
    b"@google/genai",
)


# What a value that changes between calls is spelled with (a clock read, a random id): a
# file that builds one and imports the project's model layer may send it through a wrapper
# (ctxlint.typescript.project.imports_a_sender).
VALUE_NEEDLES = (
    b"new Date",
    b"Date.now",
    b"random",
    b"Random",
    b"uuid",
    b"UUID",
    b"nanoid",
    b"ulid(",
    b"cuid(",
    b"createId",
    b"performance.now",
)


def is_script(path: str) -> bool:
    """Whether the path names a TypeScript or JavaScript source file (not a declaration file)."""
    lowered = path.lower()
    return lowered.endswith(SUFFIXES) and not lowered.endswith(_DECLARATION_SUFFIXES)


def has_script_suffix(path: str) -> bool:
    """Whether the name ends like a TS/JS file, declaration files included."""
    return path.lower().endswith(SUFFIXES)


# A tool call's arguments serialised into a wire format's history (CTX002): a provider or
# converter file, which imports no SDK and sends nothing itself.
_REPLAYED_ARGUMENTS = re.compile(rb"arguments\s*:\s*JSON\.stringify\(")
# A host framework's hook that sets the system prompt (ctxlint.typescript.host_sinks): such
# a file imports no SDK. A pi handler written as a function of its own is met in a file that
# imports pi and returns a `systemPrompt`.
HOST_NEEDLES = (b"before_agent_start", b"experimental.chat.system.transform", b"system: string[]")
_PI_HANDLER_NEEDLES = (b"pi-coding-agent", b"systemPrompt")
# No `\b` first: a pattern that starts with a word is searched for ten times faster.
_STRINGIFIED = re.compile(rb"JSON\s*\.\s*stringify\s*\(\s*(\{|[A-Za-z_$][\w$]*)")
_BODY_SPAN = 4_000
# The system prompt beside the conversation in a request body (Anthropic's, OpenAI Responses'),
# as keys of an object (`system:`, `"system":`, or `{ system, messages }`).
_BODY_KEYS = ((b"system", b"messages"), (b"instructions", b"input"))


def _key(name: bytes) -> re.Pattern[bytes]:
    # Without a `\b` first, so that the search starts from the word (`subsystem:` passes too).
    return re.compile(rb"%s['\"]?\s*[:,}]" % name)


_BODY_PARTS = tuple(((system, talk), (_key(system), _key(talk))) for system, talk in _BODY_KEYS)
# An opencode plugin building an agent's configuration, whose `prompt` is its system prompt.
_OPENCODE_AGENT_NEEDLES = (b"@opencode-ai/", b"AgentConfig", b"prompt")


# The sinks of LangChain.js and Google Gen AI (ctxlint.typescript.framework_sinks), each
# with the SDK's own calls: a file importing another SDK is not parsed for a `sendMessage`.
# A wrapper of Gen AI's `generateContent` (gemini-cli's) is called with its options in a file
# that need not import the SDK: that file names `systemInstruction`.
FRAMEWORK_NEEDLES = (
    (
        (b"langchain",),  # `@langchain/core`, `@langchain/langgraph`, and `langchain` v1
        (
            b"SystemMessage",
            b"fromMessages",
            b"bindTools",
            b"createReactAgent",
            b"createAgent",
            b'"system"',
            b"'system'",
            b".invoke(",
            b".stream(",
        ),
    ),
    (
        (b"@google/genai", b"@google/generative-ai"),
        (
            b"models.generateContent",
            b"chats.create",
            b"caches.create",
            b"sendMessage({",
            b"sendMessageStream({",
            b"live.connect",
            b"getGenerativeModel",
            b"startChat",
        ),
    ),
    ((b"systemInstruction",), (b"generateContent",)),
)


def worth_parsing(data: bytes) -> bool:
    """Whether the file may hold a sink (may_hold_a_sink), or names a system prompt
    (ctxlint.typescript.named_prompts)."""
    return may_hold_a_sink(data) or names_a_system_prompt(data, names_an_sdk(data))


def may_hold_a_sink(data: bytes, json_in_messages: bool = True) -> bool:
    """Whether the file names an SDK and one of the calls of a sink, or a host framework's
    hook that sets the system prompt; or it writes a tool call's arguments back as JSON text
    (read by CTX002 only with `json-in-messages`); or it calls LangChain.js or Google Gen AI;
    or it sets Anthropic cache breakpoints, which serializers and helpers do away from any
    call."""
    if calls_an_sdk(data):
        return True
    if any(needle in data for needle in HOST_NEEDLES):
        return True
    if all(needle in data for needle in _PI_HANDLER_NEEDLES):
        return True
    if writes_a_request_body(data):
        return True
    if all(needle in data for needle in _OPENCODE_AGENT_NEEDLES):
        return True
    if calls_a_framework(data):
        return True
    return (json_in_messages and writes_tool_arguments(data)) or sets_breakpoints(data)


def calls_an_sdk(data: bytes) -> bool:
    """Whether the file imports an SDK, calls one of its sinks, and names a part sent or
    sends a request built elsewhere. The cheapest tests first."""
    return (
        names_an_sdk(data)
        and _SDK_MODULE.search(data) is not None
        and _SINK_CALL.search(data) is not None
        and (any(part in data for part in _PARTS_SENT) or _FORWARDED.search(data) is not None)
    )


def writes_a_request_body(data: bytes) -> bool:
    """Whether the file may write an LLM request body by hand (ctxlint.typescript.host_sinks):
    `JSON.stringify({model, system, messages})` in a proxy or a client without an SDK, the
    object literal given there or a local `const body = {...}`; the model its own or spread
    into it. The keys are looked for in the object's first bytes only: an SDK's tests name
    `system` and `messages` in many other objects, and are megabytes long."""
    if b"JSON" not in data or b"stringify" not in data or not _names_body_parts(data):
        return False
    declared: dict[bytes, int | None] = {}
    for match in _STRINGIFIED.finditer(data):
        given = match[1]
        if given == b"{":
            start: int | None = match.start(1)
        else:
            if given not in declared:
                found = re.search(rb"%s\s*(?::[^=;\n]*)?=\s*\{" % re.escape(given), data)
                declared[given] = found.end() - 1 if found is not None else None
            start = declared[given]
        if start is not None and _is_body(data[start : start + _BODY_SPAN]):
            return True
    return False


def _is_body(window: bytes) -> bool:
    return (b"model" in window or b"..." in window) and _names_body_parts(window)


def _names_body_parts(data: bytes) -> bool:
    return any(
        system in data
        and conversation in data
        and keys[0].search(data) is not None
        and keys[1].search(data) is not None
        for (system, conversation), keys in _BODY_PARTS
    )


def writes_tool_arguments(data: bytes) -> bool:
    """Whether the file may serialise a tool call's arguments into a history it converts: its
    rules run though it sends no request itself."""
    return b"JSON.stringify" in data and _REPLAYED_ARGUMENTS.search(data) is not None


def sets_breakpoints(data: bytes) -> bool:
    """`cache_control`, or the AI SDK's `cacheControl` in a file that names Anthropic (the
    word alone is also the HTTP header's, in storage and web code): CTX008's rules run though
    the file sends no request itself."""
    return b"cache_control" in data or (b"cacheControl" in data and b"anthropic" in data)


def calls_a_framework(data: bytes) -> bool:
    """Whether the file names LangChain.js or Google Gen AI and one of their sending calls."""
    return any(
        any(needle in data for needle in imports) and any(needle in data for needle in calls)
        for imports, calls in FRAMEWORK_NEEDLES
    )


def names_an_sdk(data: bytes) -> bool:
    return any(needle in data for needle in _SDK_NEEDLES)


# A test's prompts are never sent to a model in earnest: a file of tests is parsed when it
# calls an SDK (as before), not for a prompt it names or a wrapper it imports. Told by its
# name (`agent.test.ts`, `agent.spec.tsx`) or a folder only tests use; not by a folder named
# `test` or `tests`, which may hold the whole checkout being linted (`~/tests/my-agent/`).
_TEST_NAME = re.compile(r"\.(test|spec)\.[cm]?[jt]sx?$")
_TEST_FOLDERS = ("/__tests__/", "/__mocks__/")


def looks_like_a_test(path: str) -> bool:
    normalized = "/" + path.replace("\\", "/").lower()
    return _TEST_NAME.search(normalized) is not None or any(
        folder in normalized for folder in _TEST_FOLDERS
    )


# What follows `system` in the name of a system prompt (`systemPrompt`, `SYSTEM_PROMPT`,
# `system_instructions`); `systemMessage` names a chat app's notices too, so it counts only
# beside an SDK's import, as ctxlint.typescript.named_prompts judges it.
_PROMPT_TAILS = (b"prompt", b"instruction")
_MESSAGE_TAIL = b"message"


def names_a_system_prompt(data: bytes, imports_sdk: bool = False) -> bool:
    tails = (*_PROMPT_TAILS, _MESSAGE_TAIL) if imports_sdk else _PROMPT_TAILS
    for stem in (b"ystem", b"YSTEM"):
        position = data.find(stem)
        while position != -1:
            tail = data[position + 5 : position + 17].lower().lstrip(b"_")
            if tail.startswith(tails):
                return True
            position = data.find(stem, position + 5)
    return False


# A bundle a build wrote (minified, lines thousands of characters long) is no one's source:
# a walk does not parse it. Found under `dist-web/` or `public/`, which the default excludes
# do not name, it holds every SDK it bundles, and parsing one takes seconds.
_BUNDLE_BYTES = 50_000
_BUNDLE_LINE = 1_000


def looks_bundled(path: str, data: bytes) -> bool:
    """Whether the file is minified output: `*.min.js`, or long with very long lines."""
    if path.lower().endswith((".min.js", ".min.mjs", ".min.cjs")):
        return True
    return len(data) > _BUNDLE_BYTES and data.count(b"\n") * _BUNDLE_LINE < len(data)
