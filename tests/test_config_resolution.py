"""Settings per checked file: the nearest configuration file wins (as in ruff), --config wins
over all, the command line applies on top of each, and trace findings can be ignored per file
glob or per session id pattern."""

from __future__ import annotations

import json
import os
from pathlib import Path

import orjson
import pytest
from test_cli import FLAGGED, run

from ctxlint import config_resolution, parallel
from ctxlint.config_resolution import SettingsResolver, find_config
from ctxlint.engine import check_paths


def _trace_line(session: str) -> str:
    """A request whose tool set mixes group prefixes: one CTX005 finding in its session."""
    names = ["browser_open", "browser_click", "browser_type", "shell_exec", "shell_read"]
    tools = [{"name": n, "description": n, "parameters": {"type": "object"}} for n in names]
    tools.append({"name": "fetch_url", "description": "fetch", "parameters": {"type": "object"}})
    request = {
        "ctxlint": 1,
        "session": session,
        "model": "claude-sonnet-4-5",
        "system": "You operate a computer.",
        "tools": tools,
        "messages": [{"role": "user", "content": "Book a table"}],
    }
    return json.dumps(request) + "\n"


@pytest.fixture
def tree(tmp_path):
    """A project whose pyproject checks everything, with a subfolder whose ctxlint.toml turns
    CTX002 off for the files under it."""
    root = tmp_path / "project"
    (root / "sub").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.ctxlint]\nselect = ["CTX"]\n')
    (root / "sub" / "ctxlint.toml").write_text('ignore = ["CTX002"]\n')
    (root / "a.py").write_text(FLAGGED)
    (root / "sub" / "b.py").write_text(FLAGGED)
    return root


def _flagged(result, cwd: Path) -> set[str]:
    """The files with findings in a JSON report, as absolute paths (runs from other folders
    name them relative to theirs)."""
    assert result.exit_code in (0, 1), result.output
    return {os.path.normpath(cwd / finding["filename"]) for finding in json.loads(result.stdout)}


def _check(args: list[str], cwd: Path) -> set[str]:
    return _flagged(run(["--output-format", "json", "--no-cache", *args], cwd), cwd)


def test_a_subfolder_config_overrides_the_root_pyproject_for_files_under_it(tree):
    assert _check(["."], tree) == {str(tree / "a.py")}


def test_the_same_findings_from_any_folder(tree, tmp_path):
    expected = {str(tree / "a.py")}
    assert _check([".."], tree / "sub") == expected
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert _check([str(tree)], elsewhere) == expected
    assert _check([str(tree / "sub" / "b.py"), str(tree / "a.py")], elsewhere) == expected


def test_config_overrides_every_nearest_configuration(tree):
    found = _check(["--config", "pyproject.toml", "."], tree)
    assert found == {str(tree / "a.py"), str(tree / "sub" / "b.py")}


def test_the_command_line_applies_on_top_of_each_configuration(tree):
    (tree / "sub" / "ctxlint.toml").write_text('select = ["CTX001"]\n')
    assert _check(["."], tree) == {str(tree / "a.py")}
    # --select replaces the select of the subfolder's configuration too.
    assert _check(["--select", "CTX002", "."], tree) == {str(tree / "a.py"), str(tree / "sub/b.py")}


@pytest.mark.parametrize(
    ("files", "winner"),
    [
        ({".ctxlint.toml": "", "ctxlint.toml": "", "pyproject.toml": "[tool.ctxlint]\n"}, 0),
        ({"ctxlint.toml": "", "pyproject.toml": "[tool.ctxlint]\n"}, 0),
        ({".ctxlint.toml": "", "pyproject.toml": "[tool.ctxlint]\n"}, 0),
        ({"pyproject.toml": "[tool.ctxlint]\n"}, 0),
    ],
)
def test_in_one_folder_the_dotted_file_then_ctxlint_toml_then_pyproject(tmp_path, files, winner):
    for name, content in files.items():
        (tmp_path / name).write_text(content)
    assert find_config(tmp_path) == tmp_path / list(files)[winner]


def test_a_pyproject_without_our_table_is_passed_over(tree):
    (tree / "sub" / "ctxlint.toml").unlink()
    (tree / "sub" / "pyproject.toml").write_text('[project]\nname = "sub"\n')
    assert find_config(tree / "sub") == tree / "pyproject.toml"
    assert _check(["."], tree) == {str(tree / "a.py"), str(tree / "sub" / "b.py")}


def test_relative_globs_are_taken_from_the_configuration_folder(tree):
    for folder in (tree / "inner", tree / "sub" / "inner"):
        folder.mkdir()
        (folder / "c.py").write_text(FLAGGED)
    (tree / "sub" / "ctxlint.toml").write_text('per-file-ignores = { "inner/*.py" = ["CTX002"] }\n')
    assert _check(["."], tree) == {
        str(tree / "a.py"),
        str(tree / "inner" / "c.py"),
        str(tree / "sub" / "b.py"),
    }


def test_a_walk_excludes_by_the_settings_of_the_folder_walked(tree):
    (tree / "sub" / "ctxlint.toml").write_text('extend-exclude = ["generated", "only/here.py"]\n')
    for folder in (tree / "generated", tree / "sub" / "generated", tree / "sub" / "only"):
        folder.mkdir()
        (folder / "g.py").write_text(FLAGGED)
    (tree / "sub" / "only" / "here.py").write_text(FLAGGED)
    result = run(["--show-files", "."], tree)
    assert result.exit_code == 0, result.output
    listed = [line.split(maxsplit=1) for line in result.stdout.splitlines()]
    assert listed == [
        ["python", "a.py"],
        ["python", "generated/g.py"],
        ["python", "sub/b.py"],
        ["python", "sub/only/g.py"],
    ]


def test_a_bad_configuration_below_the_current_folder_exits_two_naming_it(tree):
    (tree / "sub" / "ctxlint.toml").write_text('selekt = ["CTX"]\n')
    result = run(["."], tree)
    assert result.exit_code == 2
    assert "sub/ctxlint.toml" in result.output and "unknown key 'selekt'" in result.output
    assert "Traceback" not in result.output


def test_each_configuration_is_read_once(tree, monkeypatch):
    for number in range(5):
        (tree / "sub" / f"m{number}.py").write_text(FLAGGED)
    reads: list[Path] = []
    original = config_resolution.load_settings

    def counting(path, cwd=None):
        reads.append(path)
        return original(path, cwd)

    monkeypatch.chdir(tree)
    monkeypatch.setattr(config_resolution, "load_settings", counting)
    report = check_paths(["."], SettingsResolver())
    assert {d.path for d in report.diagnostics} == {"a.py"}
    assert sorted(reads) == sorted({tree / "pyproject.toml", tree / "sub" / "ctxlint.toml"})


def test_the_results_cache_keeps_the_settings_of_each_file(tree):
    cache = ["--output-format", "json", "--cache-dir", str(tree / ".cache")]
    first = _flagged(run([*cache, "."], tree), tree)
    assert first == _flagged(run([*cache, "."], tree), tree) == {str(tree / "a.py")}
    # A changed subfolder configuration is other settings: its files are not answered from
    # the entries made under the old ones.
    (tree / "sub" / "ctxlint.toml").write_text('select = ["CTX"]\n')
    assert _flagged(run([*cache, "."], tree), tree) == {str(tree / "a.py"), str(tree / "sub/b.py")}


def test_worker_processes_get_the_settings_of_their_files(tree, monkeypatch):
    for number in range(8):
        (tree / f"r{number}.py").write_text(FLAGGED)
        (tree / "sub" / f"s{number}.py").write_text(FLAGGED)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(parallel, "BATCH_SIZE", 2)
    monkeypatch.setattr(parallel, "usable_cores", lambda: 2)
    monkeypatch.chdir(tree)
    report = check_paths(["."], SettingsResolver(), jobs=2)
    flagged = {d.path for d in report.diagnostics}
    assert flagged == {"a.py", *(f"r{number}.py" for number in range(8))}


def test_per_file_ignores_cover_trace_files(tree):
    (tree / "logs").mkdir()
    (tree / "logs" / "run.jsonl").write_text(_trace_line("main-1"))
    (tree / "run.jsonl").write_text(_trace_line("main-1"))
    (tree / "pyproject.toml").write_text(
        '[tool.ctxlint]\nper-file-ignores = { "logs/*.jsonl" = ["CTX005"] }\n'
    )
    assert _check(["-q", "logs", "run.jsonl"], tree) == {str(tree / "run.jsonl")}


def test_per_session_ignores_drop_the_findings_of_matching_sessions(tree):
    (tree / "run.jsonl").write_text(
        _trace_line("main-1") + _trace_line("subagent-7") + _trace_line("subagent-x-2")
    )
    result = run(["--output-format", "json", "run.jsonl"], tree)
    assert sorted(f["session"] for f in json.loads(result.stdout)) == [
        "main-1",
        "subagent-7",
        "subagent-x-2",
    ]
    (tree / "pyproject.toml").write_text(
        "[tool.ctxlint]\n"
        'per-session-ignores = { "subagent-?" = ["CTX005"], "main-*" = ["CTX001"] }\n'
    )
    result = run(["--output-format", "json", "run.jsonl"], tree)
    # `?` is one character; CTX001 ignored in main-* leaves its CTX005.
    assert sorted(f["session"] for f in json.loads(result.stdout)) == ["main-1", "subagent-x-2"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('per-session-ignores = { "a*" = ["CTX999"] }\n', "'CTX999' matches no rule"),
        ('per-session-ignores = { "a*" = "CTX005" }\n', "is not of type 'array'"),
        ('per-session-ignores = { "" = ["CTX005"] }\n', "per-session-ignores"),
    ],
)
def test_a_bad_per_session_ignores_exits_two_naming_the_file(tree, content, message):
    (tree / "ctxlint.toml").write_text(content)
    result = run(["a.py"], tree)
    assert result.exit_code == 2, result.output
    assert "ctxlint.toml" in result.output and message in result.output


def test_show_settings_names_the_configuration_of_the_first_file(tree, tmp_path):
    result = run(["--show-settings", "sub"], tree)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Resolved settings for: sub/b.py"
    assert lines[1] == f"Settings path: {tree / 'sub' / 'ctxlint.toml'}"
    assert 'ignore = ["CTX002"]' in lines
    result = run(
        ["--show-settings", "--config", "pyproject.toml", "--select", "CTX001", "sub"], tree
    )
    assert f"Settings path: {tree / 'pyproject.toml'}" in result.output
    assert 'select = ["CTX001"]' in result.output.splitlines()
    # What the defaults are when no configuration is found anywhere above.
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(["--show-settings"], empty)
    assert result.exit_code == 0 and "Settings path: (none: the defaults)" in result.output


def test_show_settings_is_the_toml_the_configuration_would_hold(tree):
    import tomllib

    (tree / "sub" / "ctxlint.toml").write_text(
        'per-file-ignores = { "x/*.py" = ["CTX001"] }\n'
        'per-session-ignores = { "subagent-*" = ["CTX006"] }\n'
        'prompt-sinks = [{ call = "app.ask", prefix = ["system"] }]\n'
        '[prices."acme-7b"]\ninput = 1.5\ncache-read = 0.1\n'
    )
    output = run(["--show-settings", "sub/b.py"], tree).output
    table = tomllib.loads(output.split("\n\n", 1)[1])
    assert table["per-file-ignores"] == {"x/*.py": ["CTX001"]}
    assert table["per-session-ignores"] == {"subagent-*": ["CTX006"]}
    assert table["prices"] == {"acme-7b": {"input": 1.5, "cache-read": 0.1}}
    assert table["prompt-sinks"] == [{"call": "app.ask", "prefix": ["system"], "prompt": []}]


def test_show_files_lists_kinds_sorted_and_checks_nothing(tree):
    (tree / "run.jsonl").write_text(_trace_line("main-1"))
    (tree / "notes.json").write_text('{"not": "a trace"}')
    result = run(["--show-files"], tree)
    assert result.exit_code == 0
    assert result.stdout == "python a.py\ntrace  run.jsonl\npython sub/b.py\n"
    assert not (tree / ".ctxlint_cache").exists()


def test_stdin_is_checked_with_the_settings_of_the_name_it_is_given(tree):
    args = ["--stdin-filename", "sub/b.py"]
    assert run(args, tree, stdin=FLAGGED).exit_code == 0
    assert run(["--stdin-filename", "a.py"], tree, stdin=FLAGGED).exit_code == 1


def test_sessions_honours_the_excludes_of_each_folder(tree):
    for folder in (tree / "logs", tree / "sub" / "old"):
        folder.mkdir()
        (folder / "run.jsonl").write_text(_trace_line(f"in-{folder.name}"))
    (tree / "sub" / "ctxlint.toml").write_text('extend-exclude = ["old"]\n')
    result = run(["sessions", "--output-format", "json", "."], tree)
    assert result.exit_code == 0, result.output
    assert [row["session"] for row in orjson.loads(result.stdout)] == ["in-logs"]
    result = run(["sessions", "--config", "pyproject.toml", "--output-format", "json", "."], tree)
    assert sorted(row["session"] for row in orjson.loads(result.stdout)) == ["in-logs", "in-old"]


def test_simulate_prices_come_from_the_configuration_of_the_first_path(tree):
    (tree / "logs").mkdir()
    (tree / "logs" / "run.jsonl").write_text(
        _trace_line("main-1").replace("claude-sonnet-4-5", "acme-7b")
    )

    def cost() -> float:
        result = run(["simulate", "--output-format", "json", "logs"], tree)
        assert result.exit_code == 0, result.output
        return orjson.loads(result.stdout)["sessions"][0]["cost"]

    assert cost() == 0.0
    (tree / "logs" / "ctxlint.toml").write_text('[prices."acme-7b"]\ninput = 1000.0\n')
    assert cost() > 0.0


_LOOP = """import anthropic

from .texts.prompts import compose

client = anthropic.Anthropic()


def run(history):
    return client.messages.create(
        model="claude-sonnet-4-5", max_tokens=512, system=compose(), messages=history
    )
"""
_PROMPTS = """from datetime import datetime


def compose():
    return f"Clock: {datetime.now().isoformat()}. Answer briefly."
"""


def test_a_finding_in_another_file_is_judged_by_that_files_configuration(tmp_path):
    package = tmp_path / "agent"
    (package / "texts").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "texts" / "__init__.py").write_text("")
    (package / "loop.py").write_text(_LOOP)
    (package / "texts" / "prompts.py").write_text(_PROMPTS)
    cache = ["--output-format", "json", "--cache-dir", str(tmp_path / ".cache")]
    where = str(package / "texts" / "prompts.py")
    assert _flagged(run([*cache, "agent/loop.py"], tmp_path), tmp_path) == {where}
    (package / "texts" / "ctxlint.toml").write_text('ignore = ["CTX001"]\n')
    assert _flagged(run([*cache, "agent/loop.py"], tmp_path), tmp_path) == set()
    # The loop's cached entry rests on that configuration: changed, the finding is back.
    (package / "texts" / "ctxlint.toml").write_text('per-file-ignores = { "x.py" = ["ALL"] }\n')
    assert _flagged(run([*cache, "agent/loop.py"], tmp_path), tmp_path) == {where}
    (package / "texts" / "ctxlint.toml").write_text('per-file-ignores = { "*.py" = ["CTX0"] }\n')
    assert _flagged(run([*cache, "agent/loop.py"], tmp_path), tmp_path) == set()
