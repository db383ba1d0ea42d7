"""What turns findings off: `per-file-ignores`, `# noqa` / `# noqa: CTX001, CTX002` comments
read as flake8 and ruff read them, and the file-level `# ctxlint: noqa` (`: CTX001, …`)."""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ctxlint.diagnostics import Diagnostic
from ctxlint.globs import matches_any
from ctxlint.source import split_lines

if TYPE_CHECKING:
    from ctxlint.config import Settings

_CODES = r"[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*"
_NOQA = re.compile(rf"#\s*noqa(?P<colon>\s*:\s*(?P<codes>{_CODES}))?", re.IGNORECASE)
# Only ctxlint's own marker exempts a file: flake8's and ruff's file-level markers are written to
# quiet those tools, and cache findings are not what its author meant to hide. A list of codes
# that does not read as one exempts nothing (it must not become a whole-file exemption).
_FILE_NOQA = re.compile(
    rf"#\s*ctxlint\s*:\s*noqa(?:\s*:\s*(?P<codes>{_CODES}))?(?![\w:])", re.IGNORECASE
)
_CODE_SEPARATOR = re.compile(r"[\s,]+")
ALL_CODES = frozenset({"*"})


@dataclass(frozen=True, slots=True)
class NoqaComment:
    """A `# noqa` in a real comment: where the comment starts (1-based line, 0-based column in
    characters), its text, and where the directive and its codes are within it."""

    line: int
    column: int
    comment: str
    directive_start: int
    directive_end: int
    # The codes as written, in order; empty for a bare noqa.
    codes: tuple[str, ...]
    codes_start: int = -1


@dataclass(slots=True)
class Directives:
    """The suppressions a file's comments make."""

    # Line -> codes suppressed there (ALL_CODES for a bare noqa).
    lines: dict[int, frozenset[str]] = field(default_factory=dict)
    # Codes `# ctxlint: noqa` exempts the whole file from (ALL_CODES: everything); None: no
    # such comment.
    file_codes: frozenset[str] | None = None
    # Each noqa comment, by line (read from tokens only, for the unused-noqa rule).
    comments: dict[int, NoqaComment] = field(default_factory=dict)
    # A line whose end no comment can follow (inside a string that spans lines, or continued
    # with a backslash) -> the line whose comment speaks for it, as in ruff.
    comment_line: dict[int, int] = field(default_factory=dict)

    def noqa_line(self, line: int) -> int:
        return self.comment_line.get(line, line)


def read_directives(text: str, layout: bool = False) -> Directives:
    """The file's `# noqa` and `# ctxlint: noqa` comments. Only real comments count, not one
    inside a string. With `layout`, also the lines no comment can end when the file has no
    noqa at all (for writing one)."""
    found = Directives()
    if not layout and "noqa" not in text.lower():
        return found
    try:
        _read_tokens(text, found)
    except (tokenize.TokenError, SyntaxError):
        # Text the tokenizer rejects still gets line-by-line matching.
        found = Directives()
        for number, line in enumerate(split_lines(text), start=1):
            codes = _parse(line[line.find("#") :] if "#" in line else "")
            if codes is not None:
                found.lines[number] = codes
    return found


def _read_tokens(text: str, found: Directives) -> None:
    # Universal newlines: lines end at \r\n, \r or \n, as ast numbers them.
    ended: set[int] = set()
    inside_strings: dict[int, int] = {}
    string_starts: list[int] = []
    last_line = 1
    for token in tokenize.generate_tokens(io.StringIO(text, newline=None).readline):
        kind, (start_line, column), (end_line, _) = token.type, token.start, token.end
        last_line = max(last_line, end_line)
        if kind == tokenize.COMMENT:
            ended.add(start_line)
            _read_comment(token.string, start_line, column, found)
        elif kind in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER):
            ended.add(start_line)
        elif kind == tokenize.STRING and end_line > start_line:
            inside_strings.update(dict.fromkeys(range(start_line, end_line), end_line))
        # Python 3.12 reads an f-string as tokens from FSTRING_START to FSTRING_END.
        elif token.string and kind == getattr(tokenize, "FSTRING_START", -1):
            string_starts.append(start_line)
        elif kind == getattr(tokenize, "FSTRING_END", -1) and string_starts:
            first = string_starts.pop()
            inside_strings.update(dict.fromkeys(range(first, end_line), end_line))
    # A line that no newline token ends and no string spans is continued with a backslash.
    following = {
        line: line + 1
        for line in range(1, last_line)
        if line not in ended and line not in inside_strings
    }
    for line in [*inside_strings, *following]:
        target = inside_strings.get(line) or following[line]
        for _ in range(last_line):
            step = inside_strings.get(target) or following.get(target)
            if step is None:
                break
            target = step
        found.comment_line[line] = target


# Where a comment opens in a prompt file, when `noqa` (or `ctxlint: noqa`) and its codes
# follow: Jinja's `{#`, Markdown's and HTML's `<!--`, Handlebars' `{{!`, YAML's `#` (the front
# matter of a Prompty file too).
_PROMPT_COMMENT = re.compile(
    r"(?:\{#-?|<!--|\{\{!(?:--)?|#)(?=\s*(?:ctxlint\s*:\s*)?noqa)", re.IGNORECASE
)


def read_prompt_directives(text: str) -> Directives:
    """The noqa comments of a prompt file, in whichever comment syntax its lines use; read
    line by line, as a template's comments cannot be told from its text without rendering."""
    found = Directives()
    if "noqa" not in text.lower():
        return found
    for number, line in enumerate(text.split("\n"), start=1):
        opened = _PROMPT_COMMENT.search(line)
        if opened is not None:
            _read_comment("#" + line[opened.end() :], number, opened.start(), found)
    return found


def read_script_directives(comments: Iterable[tuple[int, int, str]]) -> Directives:
    """The noqa comments of a TypeScript or JavaScript file, given its real comments (line,
    column, text) as its parser found them: `// noqa: CTX001`, `/* ctxlint: noqa */`."""
    found = Directives()
    for line, column, text in comments:
        body = text[2:-2] if text.startswith("/*") else text[2:]
        _read_comment("#" + body, line, column, found)
    return found


def _read_comment(comment: str, line: int, column: int, found: Directives) -> None:
    exemption = _FILE_NOQA.match(comment)
    if exemption is not None:
        codes = _code_set(exemption.group("codes"))
        if codes is ALL_CODES or found.file_codes is ALL_CODES:
            found.file_codes = ALL_CODES
        else:
            found.file_codes = (found.file_codes or frozenset()) | codes
    # A line's own noqa may follow a file-level marker in the same comment.
    match = _NOQA.search(comment, exemption.end() if exemption is not None else 0)
    if match is None:
        return
    written = match.group("codes")
    found.lines[line] = _code_set(written)
    found.comments[line] = NoqaComment(
        line,
        column,
        comment,
        match.start(),
        match.end(),
        tuple(_CODE_SEPARATOR.split(written)) if written else (),
        match.start("codes") if written else -1,
    )


def _code_set(written: str | None) -> frozenset[str]:
    if written is None:
        return ALL_CODES
    return frozenset(code.upper() for code in _CODE_SEPARATOR.split(written))


def _parse(comment: str) -> frozenset[str] | None:
    match = _NOQA.search(comment)
    if match is None:
        return None
    return _code_set(match.group("codes"))


def noqa_lines(text: str) -> dict[int, frozenset[str]]:
    """Line number -> codes suppressed there (ALL_CODES for a bare noqa)."""
    return read_directives(text).lines


def is_suppressed(diagnostic: Diagnostic, noqa: dict[int, frozenset[str]] | Directives) -> bool:
    if isinstance(noqa, Directives):
        exempt = noqa.file_codes
        if exempt is not None and (exempt is ALL_CODES or diagnostic.code in exempt):
            return True
        codes = noqa.lines.get(noqa.noqa_line(diagnostic.start.line))
    else:
        codes = noqa.get(diagnostic.start.line)
    if codes is None:
        return False
    return codes is ALL_CODES or diagnostic.code in codes


def ignored_codes(path: str, settings: Settings) -> list[str]:
    """The code prefixes (or ALL) `per-file-ignores` turns off for this path."""
    return [
        code.upper()
        for pattern, codes in settings.per_file_ignores
        if matches_any(path, [pattern], settings.root)
        for code in codes
    ]


def is_ignored(code: str, ignored: list[str]) -> bool:
    return any(prefix == "ALL" or code.startswith(prefix) for prefix in ignored)


def without_ignored(
    path: str, diagnostics: list[Diagnostic], settings: Settings
) -> list[Diagnostic]:
    """Drop the findings `per-file-ignores` turns off for this path."""
    if not settings.per_file_ignores:
        return diagnostics
    ignored = ignored_codes(path, settings)
    if not ignored:
        return diagnostics
    return [d for d in diagnostics if not is_ignored(d.code, ignored)]
