"""Configuration and rule selectors: every bad value exits 2 with a message naming the file (or
the flag) and what is wrong, never a traceback; what is valid keeps working."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import FLAGGED, run

from ctxlint.config import ConfigError, Settings, load_settings
from ctxlint.registry import select_rules

from conftest import make_settings


@pytest.fixture
def project(tmp_path):
    (tmp_path / "agent.py").write_text(FLAGGED)
    return tmp_path


def _fails_naming(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("tool = 5\n", "'tool' must be a table, not an integer"),
        ('tool = "ctxlint"\n', "'tool' must be a table, not a string"),
        ("[tool]\nctxlint = 5\n", "5 is not of type 'object'"),
        ('[tool.ctxlint]\nexclude = ["[z-a]"]\n', "exclude.0: bad glob '[z-a]'"),
        ('[tool.ctxlint]\nextend-exclude = ["[z-a]"]\n', "extend-exclude.0: bad glob '[z-a]'"),
        ('[tool.ctxlint]\nexclude = ["[]"]\n', "exclude.0: bad glob '[]'"),
        (
            '[tool.ctxlint]\nper-file-ignores = { "[z-a]" = ["CTX002"] }\n',
            "per-file-ignores: bad glob '[z-a]'",
        ),
        (
            '[tool.ctxlint]\nper-file-ignores = { "agent.py" = ["CTX999"] }\n',
            "per-file-ignores.agent.py.0: 'CTX999' matches no rule",
        ),
        ('[tool.ctxlint]\nselect = ["CTX999"]\n', "select.0: 'CTX999' matches no rule"),
        ('[tool.ctxlint]\nextend-select = ["FOO"]\n', "extend-select.0: 'FOO' matches no rule"),
        ('[tool.ctxlint]\nignore = [""]\n', "ignore.0: an empty rule selector"),
    ],
)
def test_bad_pyproject_exits_two_naming_the_file(project, content, message):
    (project / "pyproject.toml").write_text(content)
    _fails_naming(run(["agent.py"], project), "error: ", "pyproject.toml: ", message)


def test_a_pyproject_that_is_not_utf8_exits_two(project):
    (project / "pyproject.toml").write_bytes(b'[tool.ctxlint]\n# caf\xe9\nselect = ["CTX"]\n')
    _fails_naming(
        run(["agent.py"], project), "pyproject.toml: not valid UTF-8", "byte 0xe9 on line 2"
    )


@pytest.mark.parametrize(
    "content",
    [
        "[tool.ctxlint]\nselect = " + "[" * 3000 + "]" * 3000,
        "x = " + "{a=" * 3000 + "1" + "}" * 3000,
    ],
)
def test_a_pyproject_nested_too_deeply_exits_two(project, content):
    (project / "pyproject.toml").write_text(content + "\n")
    _fails_naming(run(["agent.py"], project), "pyproject.toml: invalid TOML: ", "nested too deeply")


def test_a_dedicated_config_file_with_a_bad_tool_value(project):
    (project / "ctxlint.toml").write_text("tool = [1]\n")
    result = run(["--config", "ctxlint.toml", "agent.py"], project)
    _fails_naming(result, "ctxlint.toml: 'tool' must be a table, not an array")


def test_a_config_path_that_is_not_a_file(project):
    result = run(["--config", "/dev/null", "agent.py"], project)
    _fails_naming(result, "/dev/null: not a regular file")


def test_a_bad_per_file_ignores_glob_is_no_internal_error_on_traces_either(project):
    """The glob used to fail where it was used: on every file with findings, traces too."""
    (project / "pyproject.toml").write_text(
        '[tool.ctxlint]\nper-file-ignores = { "*.jsonl" = ["CTX900"], "[b-a]" = ["CTX1"] }\n'
    )
    (project / "t.jsonl").write_text("not json\n")
    result = run(["agent.py", "t.jsonl"], project)
    _fails_naming(result, "per-file-ignores: bad glob '[b-a]'")
    assert "internal error" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["--select", "FOO"],
        ["--select", "CTX999"],
        ["--select", "CTX001,CTX9999"],
        ["--extend-select", "CTX999"],
        ["--ignore", "FOO"],
        ["--select", ","],
    ],
)
def test_unknown_selectors_on_the_command_line_exit_two(project, args):
    result = run([*args, "agent.py"], project)
    _fails_naming(result, args[0])
    assert "All checks passed!" not in result.output


@pytest.mark.parametrize("selector", ["CTX", "CTX00", "ctx002", "CTX002", "ALL", "CTX9"])
def test_prefixes_that_match_a_rule_stay_valid(project, selector):
    from ctxlint.registry import selector_problem

    assert selector_problem(selector) is None
    result = run(["--select", selector, "agent.py"], project)
    assert result.exit_code in (0, 1), result.output
    (project / "pyproject.toml").write_text(f'[tool.ctxlint]\nselect = ["{selector}"]\n')
    assert run(["agent.py"], project).exit_code in (0, 1)


def test_one_function_decides_for_every_selector():
    from ctxlint.registry import UnknownSelector

    # The same verdict for a code whichever way it arrives: a flag, the config, the library.
    with pytest.raises(UnknownSelector, match="CTX999"):
        select_rules(["CTX"], ["CTX999"], [])
    with pytest.raises(UnknownSelector, match="FOO"):
        select_rules(["CTX"], [], ["FOO"])
    with pytest.raises(ConfigError, match="matches no rule"):
        make_settings({"per-file-ignores": {"x.py": ["CTX999"]}})


def test_settings_built_in_code_refuse_a_bad_glob():
    with pytest.raises(ConfigError, match=r"bad glob '\[z-a\]'"):
        Settings(exclude=("[z-a]",))
    with pytest.raises(ConfigError, match=r"bad glob '\[z-a\]'"):
        Settings().with_overrides(per_file_ignores=(("[z-a]", ("CTX001",)),))


def test_valid_globs_still_load(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.ctxlint]\nexclude = ["[!a]*.py", "gen/**", "x[0-9]"]\n'
        'per-file-ignores = { "tests/**/*.py" = ["CTX00"] }\n'
    )
    settings = load_settings(None, cwd=tmp_path)
    assert settings.exclude == ("[!a]*.py", "gen/**", "x[0-9]")
    assert settings.config_path == Path(tmp_path / "pyproject.toml")


T_JSONL = (
    '{"ctxlint": 1, "session": "s", "model": "gpt-4.1", '
    '"messages": [{"role": "user", "content": "q"}]}\n'
)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nan", "nan is not a finite number"),
        ("inf", "inf is not a finite number"),
        ("-inf", "-inf is not a finite number"),
        # Finite, yet a cost of $inf once multiplied by the tokens of a run.
        ("1e308", "is greater than the maximum of 1000000"),
    ],
)
def test_a_price_must_be_a_finite_sane_number(project, value, message):
    (project / "pyproject.toml").write_text(
        f'[tool.ctxlint.prices."gpt-4.1"]\noutput = 1\ninput = {value}\n'
    )
    (project / "t.jsonl").write_text(T_JSONL)
    result = run(["simulate", "t.jsonl"], project)
    _fails_naming(result, "pyproject.toml", "line 3: prices.gpt-4.1.input: ", message)
    assert "$nan" not in result.output and "$inf" not in result.output


def test_every_number_in_the_configuration_is_checked_for_nan(tmp_path):
    # The check is made on the whole table, not key by key: a number the schema would refuse
    # for its type is not let through as nan either.
    (tmp_path / "pyproject.toml").write_text("[tool.ctxlint]\nmin-tool-set = nan\n")
    with pytest.raises(ConfigError, match="min-tool-set: nan is not a finite number"):
        load_settings(None, cwd=tmp_path)


def test_configuration_errors_give_the_line_of_the_key(project):
    (project / "pyproject.toml").write_text(
        "[tool.ruff]\n"
        'select = ["E501"]\n'
        "\n"
        "[tool.ctxlint]\n"
        'select = ["CTX999"]\n'
        "selekt = 1\n"
        'per-file-ignores = { "[z-a]" = ["CTX1"] }\n'
        "\n"
        '[tool.ctxlint.prices."gpt-4.1"]\n'
        "input = -1\n"
        '[tool.ctxlint.prices."gpt-4o"]\n'
        "input = 1\n"
        "output = -2\n"
    )
    result = run(["agent.py"], project)
    _fails_naming(
        result,
        "line 5: select.0: 'CTX999' matches no rule",
        "line 6: (table): unknown key 'selekt'",
        "line 7: per-file-ignores: bad glob '[z-a]'",
        "line 10: prices.gpt-4.1.input: -1 is less than the minimum of 0",
        "line 13: prices.gpt-4o.output: -2 is less than the minimum of 0",
    )


def test_a_line_is_given_only_when_it_is_certain():
    from ctxlint.toml_lines import key_line

    text = '[tool.ctxlint.prices."a"]\ninput = -1\n[tool.ctxlint.prices."b"]\ninput = -1\n'
    assert key_line(text, ("prices", "a", "input"), ("tool", "ctxlint")) == 2
    assert key_line(text, ("prices", "b", "input"), ("tool", "ctxlint")) == 4
    # Two places and nothing to tell them apart: no line rather than a wrong one.
    assert key_line(text, ("input",), ("tool", "ctxlint")) is None
    assert key_line(text, ("input",), ("tool", "other")) is None
    assert key_line("extend-select = []\n", ("select",), ()) is None


def test_an_over_long_value_is_not_echoed_whole(project):
    long_glob = "[z-a]" + "x" * 100_000
    (project / "pyproject.toml").write_text(
        f'[tool.ctxlint]\nexclude = ["{long_glob}"]\nselect = ["{"Q" * 100_000}"]\n'
        f'"{"k" * 100_000}" = 1\n'
    )
    result = run(["agent.py"], project)
    _fails_naming(result, "exclude.0: bad glob '[z-a]xxx", "select.0: 'QQQ", "unknown key 'kkk")
    assert len(result.output) < 2000
    flag = run(["--select", "Q" * 100_000, "agent.py"], project)
    _fails_naming(flag, "'QQQ")
    assert len(flag.output) < 2000


def test_a_per_file_ignores_glob_may_start_with_dot_slash(project):
    (project / "pyproject.toml").write_text(
        '[tool.ctxlint]\nper-file-ignores = { "./agent.py" = ["CTX002"] }\n'
    )
    assert run(["agent.py"], project).exit_code == 0
    (project / "pyproject.toml").write_text('[tool.ctxlint]\nextend-exclude = ["./agent.py"]\n')
    assert "agent.py" not in run(["."], project).output


@pytest.mark.parametrize("pattern", ["", "./", "/", "."])
def test_an_empty_per_file_ignores_glob_is_an_error(project, pattern):
    (project / "pyproject.toml").write_text(
        f'[tool.ctxlint]\nper-file-ignores = {{ "{pattern}" = ["CTX002"] }}\n'
    )
    _fails_naming(run(["agent.py"], project), "pyproject.toml", "an empty glob")


def test_a_selector_with_spaces_means_the_same_in_the_config_and_on_the_command_line(project):
    flag = run(["--select", " CTX001 ", "agent.py"], project)
    (project / "pyproject.toml").write_text('[tool.ctxlint]\nselect = [" CTX001 "]\n')
    config = run(["agent.py"], project)
    assert flag.exit_code == config.exit_code == 0, config.output
    (project / "pyproject.toml").write_text('[tool.ctxlint]\nselect = [" CTX002"]\n')
    assert run(["agent.py"], project).exit_code == 1
    assert [rule.code for rule in select_rules([" CTX002 "], [], [])] == ["CTX002"]
    assert make_settings({"per-file-ignores": {"agent.py": [" CTX002"]}}).per_file_ignores == (
        ("agent.py", ("CTX002",)),
    )
