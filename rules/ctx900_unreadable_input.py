"""CTX900: an input that cannot be read or parsed."""

from __future__ import annotations

from ctxlint.rule import Rule


class UnreadableInput(Rule):
    """
    ## What it does
    Reports a file that ctxlint could not read or parse: a syntax error, an encoding it cannot
    decode, a file that vanished or cannot be opened, and (for traces) a line that is not valid
    JSON or not of a known format. The finding gives the reason and the position. In
    TypeScript and JavaScript, it is each place tree-sitter could not read (text it skipped, a
    token it had to assume); what it read around it is still checked.

    A value of the wrong type or shape is described by its type and size, never quoted in
    bulk, and the reason, like every finding's message, has known credential shapes (API keys,
    tokens, `password=…`) redacted and is capped in length: what a trace holds does not reach
    a CI log or a SARIF upload through this finding.

    ## Why is this bad?
    What ctxlint cannot read, it cannot check: a finding there would go unreported. Every other
    file is still checked, and so is the rest of a trace file.

    ## Example
    ```python
    def build_system_prompt(:
        ...
    ```

    Use instead:
    ```python
    def build_system_prompt():
        ...
    ```
    """

    code = "CTX900"
    name = "unreadable-input"
    summary = "The input cannot be read or parsed"
    meta = True
    reports_unreadable_input = True
