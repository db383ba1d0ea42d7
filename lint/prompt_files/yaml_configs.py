"""Prompt configs kept as YAML or JSON, and which of their keys hold prompt text:

- promptfoo (promptfoo.dev/docs/configuration/prompts): `prompts:` a list of Nunjucks
  templates, `{raw, label}` entries, or `file://` references to prompt files;
- chat format (promptfoo's chat prompt files; OpenAI's messages): a list of `{role, content}`,
  at the top or under `messages:`;
- Semantic Kernel (learn.microsoft.com/semantic-kernel, "YAML schema for prompts"): `template:`
  in `template_format` semantic-kernel (the default), handlebars or liquid;
- LangChain `load_prompt` exports (langchain_core.prompts.loading): `_type: prompt` with
  `template` (or `template_path`) in `template_format` f-string (the default), jinja2 or
  mustache; `_type: chat`, of whose `messages` load_prompt reads the first `prompt.template`
  as one user message; `_type: few_shot` with `prefix` and `suffix`;
- a mapping whose keys name roles (`system:`, `user:`), a common home-made shape.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ctxlint.prompt_files import yaml_nodes as y
from ctxlint.prompt_files.model import (
    CHAT,
    LANGCHAIN,
    PROMPTFOO,
    ROLE_KEYED,
    SEMANTIC_KERNEL,
    SYNTAX_FORMAT,
    SYNTAX_HANDLEBARS,
    SYNTAX_JINJA,
    SYNTAX_SEMANTIC_KERNEL,
    UNKNOWN,
    UNRECOGNISED,
    USER,
    Part,
    PromptFile,
    PromptFileError,
    Reference,
    with_prefix_flags,
)
from ctxlint.prompt_files.parts import message_role, message_tag_parts, single_template_part
from ctxlint.prompt_files.placeholders import guess_syntax
from ctxlint.prompt_files.positions import LineIndex

_LANGCHAIN_FORMATS = {
    "f-string": SYNTAX_FORMAT,
    "jinja2": SYNTAX_JINJA,
    "mustache": SYNTAX_HANDLEBARS,
}
# Liquid is read with jinja2, which parses most of it; a Liquid-only construct jinja2 refuses
# is no fault of the file, so its errors are dropped.
_SK_FORMATS = {
    "semantic-kernel": SYNTAX_SEMANTIC_KERNEL,
    "handlebars": SYNTAX_HANDLEBARS,
    "liquid": SYNTAX_JINJA,
    "jinja2": SYNTAX_JINJA,
}
_ROLE_KEYS = {
    "system": "system",
    "system_prompt": "system",
    "system_message": "system",
    "instructions": "instructions",
    "developer": "instructions",
    "user": "user",
    "user_prompt": "user",
    "user_message": "user",
    "human": "user",
    "assistant": "assistant",
}
_FILE_REFERENCE = "file://"


class _Builder:
    """Collects a config's parts, references and faults as its keys are read."""

    def __init__(self, path: Path, source: str) -> None:
        self.path = path
        self.source = source
        self.lines = LineIndex(source)
        self.parts: list[Part] = []
        self.errors: list[PromptFileError] = []
        self.references: list[Reference] = []

    def add(
        self, node: Any, role: str, syntax: str | None, label: str, lenient: bool = False
    ) -> None:
        located = y.located_string(node, self.source)
        if located is None:
            return
        chosen = syntax or guess_syntax(located.text)
        part, errors = single_template_part(
            role, located, chosen, self.lines, self.path, label, guessed=syntax is None
        )
        self.parts.append(part)
        if not lenient:
            self.errors.extend(errors)

    def refer(self, node: Any, role: str) -> bool:
        """Note a `file://` reference held by a string node; whether it held one."""
        text = y.string(node)
        if text is None or not text.startswith(_FILE_REFERENCE):
            return False
        line = node.start_mark.line + 1
        self.references.append(Reference(text.removeprefix(_FILE_REFERENCE), role, line))
        return True

    def result(self, kind: str, metadata: dict[str, object]) -> PromptFile:
        return PromptFile(
            self.path,
            kind,
            with_prefix_flags(self.parts),
            tuple(self.errors),
            tuple(self.references),
            metadata,
        )


def read_yaml_config(path: Path, source: str) -> PromptFile:
    if path.suffix.lower() == ".json":
        # JSON is read as YAML for the positions YAML keeps, but YAML refuses the tabs JSON
        # files are often indented with. Outside strings a tab is only whitespace, and JSON
        # strings hold none raw: a space in its place keeps every offset.
        source = source.replace("\t", " ")
    read = y.compose(source, path)
    if read.root is None:
        return PromptFile(path, UNRECOGNISED, (), read.errors)
    root = read.root
    built = _Builder(path, source)
    built.errors.extend(read.errors)
    if y.is_sequence(root):
        _messages(built, root, "")
        return built.result(CHAT if built.parts else UNRECOGNISED, {})
    top = set(y.keys(root))
    metadata = {
        key: value
        for key in top
        if key not in ("template", "prompts", "messages") and not key.startswith("_")
        for value in [y.plain_value(y.get(root, key))]
    }
    if "_type" in top or (not _semantic_kernel_shaped(root, top) and _langchain_shaped(root)):
        _langchain(built, root)
        return built.result(LANGCHAIN, metadata)
    if "prompts" in top:
        _promptfoo(built, y.get(root, "prompts"))
        return built.result(PROMPTFOO, metadata)
    if "template" in top:
        template_format = (y.string(y.get(root, "template_format")) or "semantic-kernel").lower()
        syntax = _SK_FORMATS.get(template_format, SYNTAX_SEMANTIC_KERNEL)
        located = y.located_string(y.get(root, "template"), source)
        if located is not None:
            parts, errors = message_tag_parts(located, syntax, built.lines, path, UNKNOWN)
            built.parts.extend(parts)
            if template_format != "liquid":
                built.errors.extend(errors)
        return built.result(SEMANTIC_KERNEL, metadata)
    if "messages" in top:
        _messages(built, y.get(root, "messages"), "messages")
        return built.result(CHAT, metadata)
    for key in y.keys(root):
        if key.lower() in _ROLE_KEYS:
            built.add(y.get(root, key), _ROLE_KEYS[key.lower()], None, f"{key}:")
    if path.name.lower() == "config.json" and (path.parent / "skprompt.txt").exists():
        return built.result(SEMANTIC_KERNEL, metadata)
    return built.result(ROLE_KEYED if built.parts else UNRECOGNISED, metadata)


def _semantic_kernel_shaped(root: Any, top: set[str]) -> bool:
    """A Semantic Kernel prompt (`name`, `execution_settings`, `input_variables` as a list of
    `{name, description}`), which may name `jinja2` as its format as LangChain does."""
    if "execution_settings" in top or "name" in top:
        return True
    template_format = y.string(y.get(root, "template_format"))
    if template_format is not None and template_format.lower() in ("semantic-kernel", "liquid"):
        return True
    return any(y.is_mapping(item) for item in y.items(y.get(root, "input_variables")))


def _langchain_shaped(root: Any) -> bool:
    """A LangChain export without `_type` (load_prompt takes it for `prompt`): a `template`
    with `input_variables` as a list of names, or a LangChain `template_format`."""
    template_format = y.string(y.get(root, "template_format"))
    if template_format is not None:
        return template_format.lower() in _LANGCHAIN_FORMATS
    variables = y.items(y.get(root, "input_variables"))
    return (
        y.get(root, "template") is not None
        and bool(variables)
        and all(y.string(item) is not None for item in variables)
    )


def _langchain(built: _Builder, root: Any) -> None:
    kind = y.string(y.get(root, "_type")) or "prompt"
    template_format = (y.string(y.get(root, "template_format")) or "f-string").lower()
    syntax = _LANGCHAIN_FORMATS.get(template_format, SYNTAX_FORMAT)
    if kind == "chat" and y.is_sequence(y.get(root, "template")):
        # A chat prompt kept as `template:` messages (LangChain's own test examples).
        _messages(built, y.get(root, "template"), "template")
        return
    if kind == "chat":
        first = next(iter(y.items(y.get(root, "messages"))), None)
        template = y.get(y.get(first, "prompt"), "template")
        built.add(template, USER, syntax, "messages[0].prompt.template")
        return
    for key in ("prefix", "template", "suffix") if kind == "few_shot" else ("template",):
        built.add(y.get(root, key), UNKNOWN, syntax, key)
    path_node = y.get(root, "template_path")
    if y.string(path_node):
        line = path_node.start_mark.line + 1
        built.references.append(Reference(str(y.string(path_node)), UNKNOWN, line))


def _promptfoo(built: _Builder, prompts: Any) -> None:
    if built.refer(prompts, UNKNOWN):
        return
    for index, entry in enumerate(y.items(prompts)):
        label = f"prompts[{index}]"
        if y.string(entry) is not None:
            if not built.refer(entry, UNKNOWN):
                built.add(entry, UNKNOWN, SYNTAX_JINJA, label)
            continue
        named = y.string(y.get(entry, "label")) or label
        built.refer(y.get(entry, "id"), UNKNOWN)
        if not built.refer(y.get(entry, "raw"), UNKNOWN):
            built.add(y.get(entry, "raw"), UNKNOWN, SYNTAX_JINJA, named)
        # A chat prompt of messages, each text inline or in a file of its own.
        _messages(built, y.get(entry, "messages"), f"{named}.messages")


def _messages(built: _Builder, messages: Any, where: str) -> None:
    for index, message in enumerate(y.items(messages)):
        role = message_role(y.string(y.get(message, "role")))
        label = f"{where}[{index}]"
        content = y.get(message, "content")
        if built.refer(content, role):
            continue
        if y.string(content) is not None:
            built.add(content, role, None, label)
            continue
        # Content as a list of parts: each text part is this message's text.
        for number, piece in enumerate(y.items(content)):
            built.add(y.get(piece, "text"), role, None, f"{label}.content[{number}]")
