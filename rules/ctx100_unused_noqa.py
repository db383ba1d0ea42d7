"""CTX100: a `# noqa` code that suppresses nothing on its line (raised by the engine)."""

from __future__ import annotations

import re
from collections.abc import Callable

from ctxlint.diagnostics import Applicability, Diagnostic, Edit, Fix
from ctxlint.rule import InputKind, Invalid, Rule, Valid
from ctxlint.source import SourceText
from ctxlint.suppression import Directives, NoqaComment

_OWN_CODE = re.compile(r"^CTX[0-9]{3}$")


class UnusedNoqa(Rule):
    """
    ## What it does
    Reports a ctxlint code in a `# noqa` comment that suppresses no finding on its line, and
    a code of the CTX namespace that names no rule. Off by default: select it by its code
    (`--select CTX100`, `extend-select = ["CTX100"]`).

    Only the codes of rules that ran on the file are judged: a code of a rule that is not
    selected, or that `per-file-ignores` turns off for the file, is left alone, and so are
    other tools' codes (`E501`, `F401`) and a bare `# noqa`, which other linters read too.
    A code of a rule that can report a finding in a module another module's check reaches
    (CTX001, CTX003, CTX006, CTX011) is judged only when no project file that may send
    prompts imports the file: otherwise that file's check may be the one it suppresses.

    ## Why is this bad?
    A `# noqa` that no longer suppresses anything hides the next finding on its line: once
    the code changes, a new volatile value in the system prompt would be silenced before
    anyone sees it, and the prompt cache breaks without a warning. Stale suppressions also
    make it hard to tell which findings a codebase still carries.

    ## Example
    ```python
    system = json.dumps(config, sort_keys=True)  # noqa: CTX002
    ```

    Use instead:
    ```python
    system = json.dumps(config, sort_keys=True)
    ```

    ## Fix safety
    The fix is safe: it removes only the unused ctxlint codes, and the whole `# noqa` when
    none is left, with the description written right after it (`# noqa: CTX002 - why`); the
    rest of the comment (`# type: ignore  # noqa: CTX002` keeps `# type: ignore`, and text
    after a further `#` stays) and other tools' codes stay.
    """

    code = "CTX100"
    name = "unused-noqa"
    summary = "A `# noqa` code suppresses nothing on its line"
    fix_title = "Remove the unused codes"
    fix_applicability = Applicability.SAFE
    # Not chosen by the default `select = ["CTX"]`: only when its code (or a longer prefix
    # of it, or ALL) is selected, as ruff's RUF100.
    opt_in = True
    raised_on = (InputKind.PYTHON,)
    reports_unused_noqa = True

    @classmethod
    def findings(
        cls,
        path: str,
        source: SourceText,
        directives: Directives,
        used: set[tuple[int, str]],
        judged: Callable[[str], bool],
    ) -> list[Diagnostic]:
        """A finding for each `# noqa` with ctxlint codes that `used` (noqa line, code) does
        not hold; `judged(code)` says whether the code's rule ran on the file."""
        found = []
        for line, comment in directives.comments.items():
            unknown = [c for c in comment.codes if _is_own(c) and not _is_rule(c.upper())]
            unused = [
                c
                for c in comment.codes
                if _is_own(c)
                and _is_rule(c.upper())
                and c.upper() != cls.code
                and (line, c.upper()) not in used
                and judged(c.upper())
            ]
            if unknown or unused:
                found.append(cls._finding(path, source, comment, unused, unknown))
        return found

    @classmethod
    def _finding(
        cls,
        path: str,
        source: SourceText,
        comment: NoqaComment,
        unused: list[str],
        unknown: list[str],
    ) -> Diagnostic:
        parts = []
        if unused:
            parts.append(
                f"{', '.join(unused)} suppress{'es' if len(unused) == 1 else ''} nothing here"
            )
        if unknown:
            parts.append(
                f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} no ctxlint rule"
            )
        codes = "it" if len(unused) + len(unknown) == 1 else "them"
        start = source.offset(comment.line, comment.column + comment.directive_start)
        end = source.offset(comment.line, comment.column + comment.directive_end)
        edit = _removal(source, comment, {*unused, *unknown})
        fix = Fix(cls.fix_title or "", (edit,), Applicability.SAFE)
        return Diagnostic(
            code=cls.code,
            name=cls.name,
            message=f"unused `# noqa` code: {'; '.join(parts)}",
            help=f"Remove {codes} (`--fix` does), so that the next finding on this line is seen",
            path=path,
            start=source.location(start),
            end=source.location(end),
            fix=fix,
            start_offset=start,
        )


def _is_own(code: str) -> bool:
    return _OWN_CODE.match(code.upper()) is not None


def _is_rule(code: str) -> bool:
    from ctxlint.registry import rule_by_code

    return rule_by_code(code) is not None


def _removal(source: SourceText, comment: NoqaComment, removed: set[str]) -> Edit:
    """The edit that leaves the comment without the removed codes: the directive rewritten
    with the codes left, or without the directive (and a description after it) when none
    is; what the comment says besides, before it or after a further `#`, stays."""
    kept = [code for code in comment.codes if code not in removed]
    text = comment.comment
    if kept:
        start, end = comment.codes_start, comment.directive_end
        replacement = ", ".join(kept)
    else:
        before = text[: comment.directive_start].rstrip()
        after = text[comment.directive_end :]
        further = after.find("#")
        after = after[further:] if further != -1 else ""
        new = f"{before}  {after}" if before and after else before or after
        start, end, replacement = 0, len(text), new
        if not new:
            # The comment goes, and the space that set it off from the code.
            line = source.line_text(comment.line)
            code_end = len(line[: comment.column].rstrip())
            return _edit(source, comment.line, code_end, comment.column + len(text), "")
    return _edit(source, comment.line, comment.column + start, comment.column + end, replacement)


def _edit(source: SourceText, line: int, start_column: int, end_column: int, content: str) -> Edit:
    start = source.offset(line, start_column)
    end = source.offset(line, end_column)
    return Edit(start, end, content, source.location(start), source.location(end))


_SEND = "import json\nimport openai\noa = openai.OpenAI()\n"
_SELECTED = {"select": ["CTX002", "CTX100"]}
_UNSORTED = (
    _SEND + "def ask(state):\n"
    "    system = json.dumps(state)  # noqa: CTX002\n"
    "    return oa.chat.completions.create(\n"
    "        model='m', messages=[{'role': 'system', 'content': system}]\n"
    "    )\n"
)
_SORTED = _UNSORTED.replace("json.dumps(state)", "json.dumps(state, sort_keys=True)")

UnusedNoqa.VALID = (
    # The code suppresses the finding on its line.
    Valid(_UNSORTED, settings=_SELECTED),
    # CTX002 did not run: its code is not judged.
    Valid(_SORTED, settings={"select": ["CTX001", "CTX100"]}),
    # Other tools' codes and a bare noqa are theirs.
    Valid(_SORTED.replace("# noqa: CTX002", "# noqa: E501"), settings=_SELECTED),
    Valid(_SORTED.replace("# noqa: CTX002", "# noqa"), settings=_SELECTED),
)

UnusedNoqa.INVALID = (
    Invalid(
        _SORTED,
        line=5,
        message_contains="CTX002 suppresses nothing here",
        fixed=_SORTED.replace("  # noqa: CTX002", ""),
        settings=_SELECTED,
    ),
    # Other codes and the rest of the comment stay.
    Invalid(
        _SORTED.replace("# noqa: CTX002", "# type: ignore  # noqa: E501, CTX002 # keep"),
        line=5,
        fixed=_SORTED.replace("# noqa: CTX002", "# type: ignore  # noqa: E501 # keep"),
        settings=_SELECTED,
    ),
    Invalid(
        _SORTED.replace("# noqa: CTX002", "# type: ignore  # noqa: CTX002 - sorted now"),
        line=5,
        fixed=_SORTED.replace("# noqa: CTX002", "# type: ignore"),
        settings=_SELECTED,
    ),
    Invalid(
        _UNSORTED.replace("# noqa: CTX002", "# noqa: CTX002, CTX999"),
        line=5,
        message_contains="CTX999 is no ctxlint rule",
        fixed=_UNSORTED,
        settings=_SELECTED,
    ),
)
