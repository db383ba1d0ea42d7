"""Placeholders of the template languages read without a parser of their own: str.format fields
(through string.Formatter, as Python reads them), Semantic Kernel's `{{$var}}` and
`{{plugin.function $arg}}`, and Handlebars / Mustache `{{var}}`. Offsets are in the text given."""

from __future__ import annotations

import re
import string

from ctxlint.prompt_files.model import (
    SYNTAX_FORMAT,
    SYNTAX_HANDLEBARS,
    SYNTAX_JINJA,
    SYNTAX_NONE,
    SYNTAX_SEMANTIC_KERNEL,
    Placeholder,
)

# A str.format field name a template would fill by keyword: `name`, `user.name`, `items[0]`.
# Positional fields (`{}`, `{0}`) and braces of JSON examples (`{"a": 1}`) are not ones.
_FIELD_NAME = re.compile(r"[A-Za-z_]\w*")
# The fallback when string.Formatter refuses the text (a lone brace in a JSON example):
# single-brace fields only, the way the text would read once its stray brace were escaped.
_LOOSE_FIELD = re.compile(r"(?<!\{)\{([A-Za-z_]\w*(?:\.\w+|\[[^\]{}]*\])*)(![rsa])?(:[^{}]*)?\}")
_MUSTACHE = re.compile(r"(\\?)\{\{(\{?)(.*?)\}?\}\}", re.DOTALL)
_TOKEN = re.compile(r'"[^"]*"|\'[^\']*\'|[^\s]+')
_HANDLEBARS_NAME = re.compile(r"(?:\.\./)*@?[A-Za-z_][\w.\-/@]*")
_LITERALS = {"true", "false", "null", "undefined", "this", "else"}
_JINJA_MARK = re.compile(r"\{%|\{\{-?\s*[A-Za-z_(\[]|\{#")
_SK_MARK = re.compile(r"\{\{\s*\$\w")


def guess_syntax(text: str) -> str:
    """The template language of a text file that does not say: Semantic Kernel when it has a
    `{{$var}}`, Jinja when it has `{% … %}`, `{# … #}` or `{{ name }}`, else str.format."""
    if _SK_MARK.search(text):
        return SYNTAX_SEMANTIC_KERNEL
    if _JINJA_MARK.search(text):
        return SYNTAX_JINJA
    return SYNTAX_FORMAT if "{" in text else SYNTAX_NONE


def format_fields(text: str) -> list[Placeholder]:
    """The `{name}` fields of a str.format template, with their offsets in `text`."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return _loose_fields(text)
    found: list[Placeholder] = []
    cursor = 0
    for literal, field_name, _spec, _conversion in parsed:
        cursor = _skip_literal(text, cursor, literal)
        if field_name is None:
            continue
        end = _field_end(text, cursor)
        name = _FIELD_NAME.match(field_name)
        if name is not None:
            dotted = re.sub(r"\[([^\]]*)\]", r".\1", field_name)
            found.append(
                Placeholder(
                    expression=text[cursor + 1 : end - 1],
                    construct="field",
                    names=(dotted,),
                    # Where the field's name starts, as a Jinja placeholder's expression.
                    offset=cursor + 1,
                )
            )
        cursor = end
    return found


def _skip_literal(text: str, cursor: int, literal: str) -> int:
    """Where a literal run of string.Formatter's output ends in the source: each brace of
    it is written doubled there."""
    for char in literal:
        cursor += 2 if char in "{}" and text.startswith(char * 2, cursor) else 1
    return cursor


def _field_end(text: str, start: int) -> int:
    """The offset after the `}` closing the field opened at `start` (nested spec fields
    included)."""
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index + 1
    return len(text)


def _loose_fields(text: str) -> list[Placeholder]:
    return [
        Placeholder(
            expression=match.group(0)[1:-1],
            construct="field",
            names=(re.sub(r"\[([^\]]*)\]", r".\1", match.group(1)),),
            offset=match.start() + 1,
        )
        for match in _LOOSE_FIELD.finditer(text)
    ]


def semantic_kernel_blocks(text: str) -> list[Placeholder]:
    """The `{{ … }}` blocks of a Semantic Kernel prompt: `$name` is a variable; a bare
    `plugin.function` is a call, made when the prompt renders (`{{time.now}}`)."""
    found: list[Placeholder] = []
    for match in _MUSTACHE.finditer(text):
        inner = match.group(3)
        tokens = _TOKEN.findall(inner)
        if not tokens or tokens[0][0] in "\"'":
            continue
        names: list[str] = []
        calls: list[str] = []
        for position, token in enumerate(tokens):
            value = token.split("=", 1)[1] if "=" in token and position else token
            if value.startswith("$"):
                names.append(value[1:])
            elif position == 0:
                calls.append(value)
        found.append(_block(text, match, "output", names, calls))
    return found


def handlebars_blocks(text: str) -> list[Placeholder]:
    """The `{{ … }}` blocks of a Handlebars or Mustache template: `{{name}}` writes a value,
    `{{helper arg key=value}}` calls a helper, `{{#each xs}}` walks a list."""
    found: list[Placeholder] = []
    for match in _MUSTACHE.finditer(text):
        inner = match.group(3).strip().strip("~").strip()
        if match.group(1) or not inner or inner[0] in "!/^" or inner == "else":
            continue
        construct = "output"
        if inner[0] in "#>":
            block = inner[1:].split(None, 1)[0] if inner[1:].strip() else ""
            construct = {"each": "loop", "if": "condition", "unless": "condition"}.get(
                block, "statement"
            )
            inner = inner[1:]
        tokens = _TOKEN.findall(inner)
        helper = tokens[0] if len(tokens) > 1 or construct != "output" else None
        names: list[str] = []
        for token in tokens[1:] if helper else tokens:
            value = token.split("=", 1)[1] if "=" in token else token
            if value not in _LITERALS and _HANDLEBARS_NAME.fullmatch(value):
                names.append(value)
        calls = [helper] if helper else []
        found.append(_block(text, match, construct, names, calls))
    return found


def _block(
    text: str, match: re.Match[str], construct: str, names: list[str], calls: list[str]
) -> Placeholder:
    inner_start = match.start(3)
    inner = match.group(3)
    lead = len(inner) - len(inner.lstrip(" \t\n~"))
    return Placeholder(
        expression=inner.strip(" \t\n~"),
        construct=construct,
        names=tuple(names),
        calls=tuple(calls),
        offset=inner_start + lead,
    )


def scan(text: str, syntax: str) -> list[Placeholder]:
    """The placeholders of a text in a language read here (not Jinja: see jinja.py)."""
    if syntax == SYNTAX_FORMAT:
        return format_fields(text)
    if syntax == SYNTAX_SEMANTIC_KERNEL:
        return semantic_kernel_blocks(text)
    if syntax == SYNTAX_HANDLEBARS:
        return handlebars_blocks(text)
    return []
