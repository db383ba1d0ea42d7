"""TypeScript and JavaScript agents: which files are read, and which of them are worth parsing.

Nothing here imports tree-sitter: discovery and the prefilter run on every file a walk meets,
and only a file that names an LLM SDK or one of its calls is parsed (ctxlint.typescript.parse).
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
    rb"""(?:\bfrom|\bimport|\brequire\s*\()\s*['"`]"""
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
# A request passed by name (`create(body)`, `generateText(options)`): the parts are named where
# it is built, maybe in another module, and a wrapper forwarding it is worth parsing too.
_FORWARDED = re.compile(
    rb"\b(?:(?:generateText|streamText|generateObject|streamObject)"
    rb"|new\s+(?:Agent|ToolLoopAgent|Experimental_Agent)"
    rb"|(?:completions|responses|messages)\s*\.\s*(?:create|stream|parse))"
    rb"\s*(?:<[^()]*>)?\s*\(\s*[A-Za-z_$]"
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


def is_script(path: str) -> bool:
    """Whether the path names a TypeScript or JavaScript source file (not a declaration file)."""
    lowered = path.lower()
    return lowered.endswith(SUFFIXES) and not lowered.endswith(_DECLARATION_SUFFIXES)


def has_script_suffix(path: str) -> bool:
    """Whether the name ends like a TS/JS file, declaration files included."""
    return path.lower().endswith(SUFFIXES)


def worth_parsing(data: bytes) -> bool:
    """Whether the file may hold a sink: it imports an SDK, calls a sink, and names a part
    sent or sends a request built elsewhere. The cheapest tests first."""
    return (
        any(needle in data for needle in _SDK_NEEDLES)
        and _SDK_MODULE.search(data) is not None
        and _SINK_CALL.search(data) is not None
        and (any(part in data for part in _PARTS_SENT) or _FORWARDED.search(data) is not None)
    )


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
