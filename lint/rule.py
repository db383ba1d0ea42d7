"""What a rule is: identity, documentation, embedded examples, one detector per input kind."""

from __future__ import annotations

import enum
import inspect
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from ctxlint.diagnostics import Applicability, Diagnostic

if TYPE_CHECKING:
    from ctxlint.python.module import PythonModule
    from ctxlint.python.triggers import Trigger


class InputKind(enum.Enum):
    PYTHON = "python"
    TRACE = "trace"
    # Prompt files: Jinja templates, Prompty, Dotprompt, text with placeholders, YAML configs.
    PROMPT = "prompt"
    # TypeScript and JavaScript source (`.ts`, `.tsx`, `.js`, `.mjs`, ...): one kind for both,
    # as one family of grammars reads them and the SDKs, sinks and findings are the same.
    TYPESCRIPT = "typescript"


@dataclass(frozen=True, slots=True)
class Valid:
    """An input the rule must stay silent on."""

    source: str
    kind: InputKind = InputKind.PYTHON
    settings: dict[str, Any] = field(default_factory=dict)
    # For a prompt-file or TypeScript example: the file name it is read under, which tells its
    # kind, and the other files of its project by name (the Python code that renders it).
    filename: str = ""
    files: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Invalid:
    """An input the rule must flag; `line` pins the finding, `fixed` the text after fixing."""

    source: str
    kind: InputKind = InputKind.PYTHON
    line: int | None = None
    fixed: str | None = None
    message_contains: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    # For a prompt-file or TypeScript example: the file name it is read under, which tells its
    # kind, and the other files of its project by name (the Python code that renders it).
    filename: str = ""
    files: dict[str, str] = field(default_factory=dict)


class Rule:
    """Base class. A rule module defines one subclass; its docstring is the rule's documentation,
    in Markdown with the fixed headers (What it does, Why is this bad?, Example, Use instead:)."""

    code: ClassVar[str]
    name: ClassVar[str]
    # One line naming the concept, for rule tables and SARIF's short description; each
    # finding carries its own message.
    summary: ClassVar[str]
    fix_title: ClassVar[str | None] = None
    # The strongest fix the rule can offer, or None when it only advises.
    fix_applicability: ClassVar[Applicability | None] = None
    # What every file the Python detector can flag contains (the sources it looks for);
    # files without it are not parsed for this rule. None: no such shortcut.
    python_trigger: ClassVar[Trigger | None] = None
    # Meta rules are raised by the engine itself (unreadable input), not by a detector.
    meta: ClassVar[bool] = False
    # The one meta rule the engine reports unreadable input under (see ctxlint.unreadable).
    reports_unreadable_input: ClassVar[bool] = False
    # The one rule the engine reports unused noqa codes under (see ctxlint.unused_noqa).
    reports_unused_noqa: ClassVar[bool] = False
    # What a rule without detectors, raised by the engine, is reported on (for the rule list).
    raised_on: ClassVar[tuple[InputKind, ...]] = ()
    # Chosen only by its own code (or a longer prefix of it, or ALL), not by the default
    # `select = ["CTX"]`: a rule about ctxlint's own comments, as ruff's RUF100.
    opt_in: ClassVar[bool] = False
    # Whether the Python detector reports in another module than the one checked (a value
    # made in an imported module): a noqa comment there may serve another file's check.
    reports_in_other_modules: ClassVar[bool] = False
    # Whether the trace detector judges how a request was assembled (its prompt, tools,
    # history): in an agent product's own transcript that is the product's design, and its
    # findings are held back unless `harness-findings` is on (ctxlint.trace.harness).
    judges_prompt_assembly: ClassVar[bool] = True
    VALID: ClassVar[tuple[Valid, ...]] = ()
    INVALID: ClassVar[tuple[Invalid, ...]] = ()

    def check_python(self, module: PythonModule) -> Iterator[Diagnostic]:
        raise NotImplementedError

    # A rule that reads traces defines `check_trace(self, step: Step)`, and one that reads
    # prompt files `check_prompt(self, prompt: PromptCheck)` (ctxlint.prompt_files.checked),
    # and one that reads TypeScript or JavaScript `check_typescript(self, module:
    # ScriptModule)` (ctxlint.typescript.module); `input_kinds` tells them by their presence.

    @classmethod
    def input_kinds(cls) -> tuple[InputKind, ...]:
        kinds = []
        if cls.check_python is not Rule.check_python:
            kinds.append(InputKind.PYTHON)
        if getattr(cls, "check_trace", None) is not None:
            kinds.append(InputKind.TRACE)
        if getattr(cls, "check_prompt", None) is not None:
            kinds.append(InputKind.PROMPT)
        if getattr(cls, "check_typescript", None) is not None:
            kinds.append(InputKind.TYPESCRIPT)
        return tuple(kinds)

    @classmethod
    def valid_cases(cls) -> tuple[Valid, ...]:
        """VALID, and the trace examples kept as files (rules/cases/<code>/)."""
        from ctxlint.rule_cases import trace_cases

        return cls.VALID + trace_cases(cls.code)[0]

    @classmethod
    def invalid_cases(cls) -> tuple[Invalid, ...]:
        from ctxlint.rule_cases import trace_cases

        return cls.INVALID + trace_cases(cls.code)[1]

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def description(cls) -> str:
        """The first paragraph of "What it does", for SARIF's full description."""
        doc = cls.documentation()
        _, _, after = doc.partition("## What it does")
        paragraph = after.strip().split("\n\n")[0]
        return " ".join(paragraph.split())
