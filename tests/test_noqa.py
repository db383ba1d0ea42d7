"""Adopting ctxlint on an existing codebase: `--add-noqa`, the file-level `# ctxlint: noqa`,
noqa comments where a string spans lines, and CTX100 (unused noqa codes) with its fix."""

from __future__ import annotations

import shutil

import pytest
from test_cli import FIXED, FLAGGED, run

from ctxlint.engine import check_source
from ctxlint.suppression import ALL_CODES, read_directives

from conftest import REPO, make_settings

SORTED = FIXED
MULTILINE = (
    "from datetime import datetime\nimport anthropic\nclient = anthropic.Anthropic()\n"
    "def ask(q):\n"
    '    system = f"""You help.\n'
    "Today is {datetime.now()}.\n"
    '"""\n'
    "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n"
)


def _codes(text: str, **table) -> list[str]:
    result = check_source(text, make_settings(table or None), path="agent.py")
    return [f"{d.start.line}:{d.code}" for d in result.diagnostics]


# File-level exemption.


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("# ctxlint: noqa", []),
        ("# ctxlint: noqa: CTX002", []),
        ("#ctxlint:noqa:ctx002,CTX001", []),
        ("# ctxlint: noqa - generated code", []),
        ("# ctxlint: noqa: CTX001", ["6:CTX002"]),
        # A malformed list of codes must not become a whole-file exemption.
        ("# ctxlint: noqa: some reason", ["6:CTX002"]),
        # Other tools' file-level markers are theirs (see the README).
        ("# flake8: noqa", ["6:CTX002"]),
        ("# ruff: noqa", ["6:CTX002"]),
        ("x = '# ctxlint: noqa'", ["6:CTX002"]),
    ],
)
def test_file_level_exemption(comment, expected):
    assert _codes(f"{comment}\n{FLAGGED}") == expected


def test_file_level_exemption_anywhere_in_the_file():
    assert _codes(f"{FLAGGED}# ctxlint: noqa: CTX002\n") == []
    assert read_directives("x = 1\n# ctxlint: noqa\n").file_codes is ALL_CODES


# Lines no comment can end.


def test_noqa_at_the_end_of_a_multiline_string_covers_its_lines():
    assert _codes(MULTILINE) == ["6:CTX001"]
    assert _codes(MULTILINE.replace('"""\n    return', '"""  # noqa: CTX001\n    return')) == []
    # Not on the string's own lines: text there is the string's.
    assert _codes(
        MULTILINE.replace("It is", "x").replace("{datetime.now()}.", "{datetime.now()}. # noqa")
    ) == ["6:CTX001"]


def test_comment_lines_of_continued_lines():
    directives = read_directives("x = 1 + \\\n  2  # noqa\ny = 3\n")
    assert directives.noqa_line(1) == 2
    assert directives.noqa_line(3) == 3
    text = 's = """a\nb\n""" + \\\n  "c"  # noqa\n'
    assert [read_directives(text).noqa_line(line) for line in (1, 2, 3, 4)] == [4, 4, 4, 4]


# --add-noqa.


def test_add_noqa_marks_every_finding_and_a_second_run_changes_nothing(tmp_path):
    (tmp_path / "agent.py").write_text(FLAGGED)
    (tmp_path / "clock.py").write_text(MULTILINE)
    first = run(["--add-noqa", "--no-cache", "."], tmp_path)
    assert first.exit_code == 0, first.output
    assert "Added 2 noqa directives." in first.output
    assert (tmp_path / "agent.py").read_text() == FLAGGED.replace(
        "json.dumps(state)\n", "json.dumps(state)  # noqa: CTX002\n"
    )
    # Where Python allows a comment: after the string ends.
    assert '"""  # noqa: CTX001\n' in (tmp_path / "clock.py").read_text()
    marked = {path.name: path.read_bytes() for path in tmp_path.glob("*.py")}
    second = run(["--add-noqa", "--no-cache", "."], tmp_path)
    assert second.exit_code == 0
    assert "Added 0 noqa directives." in second.output
    assert {path.name: path.read_bytes() for path in tmp_path.glob("*.py")} == marked
    check = run(["--no-cache", "."], tmp_path)
    assert check.exit_code == 0
    assert "All checks passed!" in check.output


def test_add_noqa_keeps_line_endings_encoding_and_merges_codes(tmp_path):
    source = "# -*- coding: latin-1 -*-\n# Café\n" + FLAGGED.replace(
        "json.dumps(state)\n", "json.dumps(state)  # noqa: E501\n"
    )
    path = tmp_path / "agent.py"
    path.write_bytes(source.replace("\n", "\r\n").encode("latin-1"))
    result = run(["--add-noqa", "--no-cache", "agent.py"], tmp_path)
    assert result.exit_code == 0, result.output
    expected = source.replace("# noqa: E501", "# noqa: CTX002, E501")
    assert path.read_bytes() == expected.replace("\n", "\r\n").encode("latin-1")
    assert run(["--no-cache", "agent.py"], tmp_path).exit_code == 0


def test_add_noqa_keeps_the_comment_the_line_has(tmp_path):
    path = tmp_path / "agent.py"
    path.write_text(FLAGGED.replace("json.dumps(state)\n", "json.dumps(state)  # type: ignore\n"))
    assert run(["--add-noqa", "--no-cache", "agent.py"], tmp_path).exit_code == 0
    # Appended: a `# type: ignore` must stay at the start of its comment.
    assert "json.dumps(state)  # type: ignore  # noqa: CTX002\n" in path.read_text()
    assert run(["--no-cache", "agent.py"], tmp_path).exit_code == 0


def test_add_noqa_writes_into_the_module_a_finding_is_in(tmp_path):
    files = {
        "pkg/__init__.py": "",
        "pkg/clock.py": _CLOCK.replace("  # noqa: CTX001", ""),
        "app.py": "import anthropic\nfrom pkg.clock import header\nclient = anthropic.Anthropic()\n"
        "def ask(q):\n"
        "    return client.messages.create(model='m', max_tokens=9, system=header(), messages=q)\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    assert run(["--add-noqa", "--no-cache", "app.py"], tmp_path).exit_code == 0
    assert '{datetime.now()}"  # noqa: CTX001\n' in (tmp_path / "pkg/clock.py").read_text()
    assert (tmp_path / "app.py").read_text() == files["app.py"]
    assert run(["--no-cache", "app.py"], tmp_path).exit_code == 0


def test_add_noqa_leaves_traces_and_says_so(tmp_path):
    trace = tmp_path / "session.jsonl"
    shutil.copy(REPO / "fixtures" / "examples" / "support_session.jsonl", trace)
    before = trace.read_bytes()
    result = run(["--add-noqa", "--no-cache", "session.jsonl"], tmp_path)
    assert result.exit_code == 0
    assert "3 findings in traces left as they are" in result.output
    assert "Added 0 noqa directives." in result.output
    assert trace.read_bytes() == before


def test_add_noqa_refuses_fix_and_diff(tmp_path):
    (tmp_path / "agent.py").write_text(FLAGGED)
    for option in ("--fix", "--diff"):
        result = run(["--add-noqa", option, "agent.py"], tmp_path)
        assert result.exit_code == 2
        assert "--add-noqa" in result.output
    assert (tmp_path / "agent.py").read_text() == FLAGGED


# CTX100: unused noqa codes.


def test_unused_noqa_is_opt_in():
    stale = SORTED.replace(
        "json.dumps(state, sort_keys=True)\n", "json.dumps(state, sort_keys=True)  # noqa: CTX002\n"
    )
    assert _codes(stale) == []
    assert _codes(stale, **{"extend-select": ["CTX100"]}) == ["5:CTX100"]


def test_only_codes_of_rules_that_ran_are_judged(tmp_path):
    stale = SORTED.replace(
        "json.dumps(state, sort_keys=True)\n",
        "json.dumps(state, sort_keys=True)  # noqa: CTX002, E501\n",
    )
    assert _codes(stale, select=["CTX001", "CTX100"]) == []
    ignored = {"select": ["CTX002", "CTX100"], "per-file-ignores": {"agent.py": ["CTX002"]}}
    assert (
        check_source(
            stale, make_settings(ignored, tmp_path), path=str(tmp_path / "agent.py")
        ).diagnostics
        == []
    )
    assert (
        _codes(stale.replace("# noqa: CTX002, E501", "# noqa"), select=["CTX002", "CTX100"]) == []
    )
    # A file the prefilter would skip is parsed when it names a ctxlint code in a noqa.
    (tmp_path / "plain.py").write_text("x = 1  # noqa: CTX002\n")
    (tmp_path / "other.py").write_text("x = 1  # noqa: E501\n")
    result = run(["--no-cache", "--select", "CTX002,CTX100", "."], tmp_path)
    assert result.exit_code == 1
    assert "plain.py:1:8: CTX100" in result.output
    assert "other.py" not in result.output


def test_unused_noqa_is_suppressed_like_any_finding():
    stale = SORTED.replace(
        "json.dumps(state, sort_keys=True)\n",
        "json.dumps(state, sort_keys=True)  # noqa: CTX002, CTX100\n",
    )
    selected = {"select": ["CTX002", "CTX100"]}
    assert _codes(stale, **selected) == []
    assert _codes("# ctxlint: noqa: CTX100\n" + stale.replace(", CTX100", ""), **selected) == []
    assert _codes("# ctxlint: noqa\n" + stale.replace(", CTX100", ""), **selected) == []


def test_unused_noqa_fix_round_trip(tmp_path):
    stale = SORTED.replace(
        "json.dumps(state, sort_keys=True)\n",
        "json.dumps(state, sort_keys=True)  # noqa: E501, CTX002 # why\n",
    )
    stale += "y = 1  # noqa: CTX002\n"
    path = tmp_path / "agent.py"
    path.write_bytes(stale.replace("\n", "\r\n").encode())
    options = ["--no-cache", "--select", "CTX002,CTX100"]
    found = run([*options, "agent.py"], tmp_path)
    assert found.exit_code == 1
    assert found.output.count("CTX100") == 2
    assert run([*options, "--fix", "agent.py"], tmp_path).exit_code == 0
    fixed = SORTED.replace(
        "json.dumps(state, sort_keys=True)\n",
        "json.dumps(state, sort_keys=True)  # noqa: E501 # why\n",
    )
    assert path.read_bytes() == (fixed + "y = 1\n").replace("\n", "\r\n").encode()
    again = run([*options, "--fix", "agent.py"], tmp_path)
    assert again.exit_code == 0
    assert path.read_bytes() == (fixed + "y = 1\n").replace("\n", "\r\n").encode()


def test_add_noqa_then_unused_noqa_agree(tmp_path):
    (tmp_path / "agent.py").write_text(FLAGGED)
    options = ["--no-cache", "--extend-select", "CTX100"]
    assert run([*options, "--add-noqa", "agent.py"], tmp_path).exit_code == 0
    assert run([*options, "agent.py"], tmp_path).exit_code == 0
    # Fixed later: the noqa is now stale, and --fix takes it away.
    (tmp_path / "agent.py").write_text(
        (tmp_path / "agent.py")
        .read_text()
        .replace("json.dumps(state)", "json.dumps(state, sort_keys=True)")
    )
    assert run([*options, "agent.py"], tmp_path).exit_code == 1
    assert run([*options, "--fix", "agent.py"], tmp_path).exit_code == 0
    assert (tmp_path / "agent.py").read_text() == SORTED


_CLOCK = (
    "from datetime import datetime\ndef header():\n"
    '    return f"Now: {datetime.now()}"  # noqa: CTX001\n'
)
_APP = (
    "import anthropic\nfrom pkg.clock import header\nclient = anthropic.Anthropic()\n"
    "def ask(q):\n"
    "    return client.messages.create(model='m', max_tokens=9, system=header(), messages=q)\n"
)


@pytest.mark.parametrize("cache", [False, True])
def test_a_noqa_another_files_check_may_use_is_not_judged_alone(tmp_path, cache):
    """`pkg/clock.py`'s own check finds nothing: the value is sent from app.py, whose check
    reports it in clock.py, where the noqa suppresses it."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "clock.py").write_text(_CLOCK)
    (tmp_path / "app.py").write_text(_APP)
    options = ["--select", "CTX001,CTX100", *([] if cache else ["--no-cache"])]
    for paths in (["."], ["pkg/clock.py"], ["pkg/clock.py", "app.py"]):
        assert run([*options, *paths], tmp_path).exit_code == 0, paths
    # Once nothing that sends prompts imports it, the noqa is unused.
    (tmp_path / "app.py").write_text(_APP.replace("from pkg.clock import header", "header = str"))
    for paths in (["."], ["pkg/clock.py"]):
        result = run([*options, *paths], tmp_path)
        assert result.exit_code == 1, paths
        assert "pkg/clock.py:3:38: CTX100" in result.output


def test_a_line_noqa_after_a_file_level_marker_in_one_comment(tmp_path):
    marked = "x = 1  # ctxlint: noqa: CTX001  # noqa: CTX002\n"
    directives = read_directives(marked)
    assert directives.file_codes == {"CTX001"}
    assert directives.lines == {1: {"CTX002"}}
    path = tmp_path / "agent.py"
    path.write_text(
        FLAGGED.replace("json.dumps(state)\n", "json.dumps(state)  # ctxlint: noqa: CTX001\n")
    )
    assert run(["--add-noqa", "--no-cache", "agent.py"], tmp_path).exit_code == 0
    assert "# ctxlint: noqa: CTX001  # noqa: CTX002\n" in path.read_text()
    assert run(["--no-cache", "agent.py"], tmp_path).exit_code == 0


def test_add_noqa_does_not_keep_an_unused_noqa_alive_by_naming_ctx100(tmp_path):
    """CTX100 is mended by removing the unused code (--fix), as ruff's --add-noqa leaves
    RUF100 out: a comment naming CTX100 would keep the unused code for good."""
    (tmp_path / "u.py").write_text("x = 1  # noqa: CTX001\n")
    added = run(["--add-noqa", "--extend-select", "CTX100", "--no-cache", "u.py"], tmp_path)
    assert added.exit_code == 0, added.output
    assert "Added 0 noqa directives." in added.output
    assert (tmp_path / "u.py").read_text() == "x = 1  # noqa: CTX001\n"
    checked = run(["--extend-select", "CTX100", "--no-cache", "u.py"], tmp_path)
    assert "CTX100" in checked.output
