"""Valid code of a newer Python than the one running ctxlint: a CTX900 that says so."""

from __future__ import annotations

import sys

import pytest

from ctxlint.config import Settings
from ctxlint.engine import check_paths

pytestmark = pytest.mark.skipif(sys.version_info >= (3, 12), reason="this Python parses 3.12")


def _reasons(tmp_path, text):
    path = tmp_path / "agent.py"
    path.write_text(text)
    report = check_paths([str(path)], Settings(root=tmp_path))
    return [(d.code, d.start.line, d.message) for d in report.diagnostics]


@pytest.mark.parametrize(
    ("text", "needed"),
    [
        ("import anthropic\ntype Role = str\n", "3.12"),
        ("import anthropic\nclass Box[T]:\n    pass\n", "3.12"),
        ("import anthropic\nasync def first[T](xs: list[T]) -> T:\n    return xs[0]\n", "3.12"),
        ("import anthropic\ntry:\n    pass\nexcept OSError, ValueError:\n    pass\n", "3.14"),
        ('import anthropic\nrow = {"k": 1}\nprint(f"{row["k"]} rows")\n', "3.12"),
    ],
)
def test_newer_syntax_is_named_not_called_an_error(tmp_path, text, needed):
    [(code, _, message)] = _reasons(tmp_path, text)
    assert code == "CTX900"
    assert message.startswith(f"needs Python {needed} to parse")
    assert "syntax error" not in message


@pytest.mark.parametrize(
    "text",
    [
        'import anthropic\nprint("a "b"")\n',
        "import anthropic\ntype = (\n",
        "import anthropic\nclass {{name}}():\n    pass\n",
        'import anthropic\nprint(f"{x:")\n',
    ],
)
def test_a_real_syntax_error_stays_one(tmp_path, text):
    [(code, _, message)] = _reasons(tmp_path, text)
    assert code == "CTX900"
    assert message.startswith("syntax error")
