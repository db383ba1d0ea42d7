"""TypeScript and JavaScript agents: which files are read, and which of them are worth parsing.

Nothing here imports tree-sitter: discovery and the prefilter run on every file a walk meets,
and only a file that names an LLM SDK and one of its calls, or names a system prompt, is
parsed (ctxlint.typescript.parse); ctxlint.typescript_run adds the files that import a model
layer of the project (ctxlint.typescript.project.imports_a_sender).
"""

from __future__ import annotations

# One input kind for both languages: the same grammars family reads them, the SDKs are the
# same packages, and a rule's detector cannot tell a `.js` agent from a `.ts` one.
SUFFIXES = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
# Declaration files hold types only: no call is ever made from them.
_DECLARATION_SUFFIXES = (".d.ts", ".d.mts", ".d.cts")

# What every file with a sink holds: the import of an SDK (a sink counts only where its SDK
# is imported, ctxlint.typescript.sinks) and one of the calls that send a request. A file of
# a monorepo without both (most are components, utilities, types, tests) is never parsed;
# in an SDK's own repository, where every file imports it, the calls still tell.
IMPORT_NEEDLES = (
    b"openai",  # `openai`, `@openai/agents`
    b"@anthropic-ai/",
    b'"ai"',
    b"'ai'",
    b"@mastra/",
    b"@langchain/",
    b"@google/genai",
)
CALL_NEEDLES = (
    b"generateText",
    b"streamText",
    b"generateObject",
    b"streamObject",
    # `new Agent(`, `new ToolLoopAgent(`, and `new Agent<Context>(`.
    b"Agent(",
    b"Agent<",
    # `.messages.create(`, `.chat.completions.create(`, `.responses.stream(`, also when a
    # formatter breaks the chain across lines.
    b"create(",
    b"create<",
    b"stream(",
    b"completions",
    b"responses",
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


def worth_parsing(data: bytes) -> bool:
    """Whether the file may hold a sink: it names an SDK and one of the calls of a sink, or
    it names a system prompt (ctxlint.typescript.named_prompts)."""
    return calls_an_sdk(data) or names_a_system_prompt(data, names_an_sdk(data))


def names_an_sdk(data: bytes) -> bool:
    return any(needle in data for needle in IMPORT_NEEDLES)


def calls_an_sdk(data: bytes) -> bool:
    """Whether the file names an SDK and one of the calls of a sink."""
    return names_an_sdk(data) and any(needle in data for needle in CALL_NEEDLES)


# A test's prompts are never sent to a model in earnest: a file of tests is parsed when it
# calls an SDK (as before), not for a prompt it names or a wrapper it imports.
_TEST_PARTS = (".test.", ".spec.", "/__tests__/", "/test/", "/tests/", "/__mocks__/")


def looks_like_a_test(path: str) -> bool:
    normalized = "/" + path.replace("\\", "/").lower()
    return any(part in normalized for part in _TEST_PARTS)


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
