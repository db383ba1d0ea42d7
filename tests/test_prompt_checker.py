"""Prompt files checked end to end from the command line: a finding made by a rule defined here
(CTX990, a clock call in a template) reported by every reporter with the Python call that
renders the file, suppressed by noqa comments in the file's own comment syntax, fixed on disk
(never into a template that no longer parses), and a template error a CTX900 at its line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import ctxlint.docs as docs
import ctxlint.python.prompt_renders as prompt_renders
import ctxlint.reporters.sarif as sarif
from ctxlint import registry
from ctxlint.cli import main
from ctxlint.diagnostics import Applicability, Edit, Fix, Location
from ctxlint.prompt_files.renders import PassedValue, Render
from ctxlint.rule import Rule


class ClockCall(Rule):
    """## What it does
    Flags `now()` in a prompt template (a rule of this test only).
    """

    code = "CTX990"
    name = "test-clock-call"
    summary = "A clock call in a prompt template."
    fix_title = "Call today() instead"
    fix_applicability = Applicability.SAFE
    # What the fix writes in place of `now()`: a test makes it break the template.
    replacement = "today()"
    # A test makes the rule fail on files whose name holds this.
    raises_on = ""

    def check_prompt(self, prompt) -> Iterator:
        if self.raises_on and self.raises_on in prompt.path:
            raise KeyError("boom")
        for part, placeholder in prompt.file.placeholders():
            if "now" not in placeholder.calls and "now" not in placeholder.names:
                continue
            start = placeholder.offset
            edit = Edit(start, start + len(placeholder.expression), type(self).replacement)
            related = tuple(render.location("rendered here") for render in prompt.renders)
            yield prompt.diagnostic(
                type(self),
                placeholder,
                f"the clock is read in the {prompt.role_of(part)} part",
                help="Pass the date in instead.",
                related=related,
                fix=Fix(self.fix_title, (edit,), Applicability.SAFE),
            )


@pytest.fixture
def with_clock_rule(monkeypatch):
    rules = (*registry.all_rules(), ClockCall)
    monkeypatch.setattr(registry, "all_rules", lambda: rules)
    # Modules that took the name at import (once any test has imported them).
    monkeypatch.setattr(sarif, "all_rules", lambda: rules)
    monkeypatch.setattr(docs, "all_rules", lambda: rules)
    monkeypatch.setattr(ClockCall, "replacement", "today()")
    monkeypatch.setattr(ClockCall, "raises_on", "")
    return ClockCall


@pytest.fixture
def renders(monkeypatch):
    """The Python calls that render prompt files, as the Python side would find them."""
    found: dict[str, tuple[Render, ...]] = {}
    asked: list[list[str]] = []

    def find_renders(python_paths, roots=(), settings=None, judged=None):
        asked.append(sorted(python_paths))
        return found

    monkeypatch.setattr(prompt_renders, "find_renders", find_renders)
    return found, asked


def _render(prompt: Path, python: str = "app.py", line: int = 3) -> tuple[str, tuple[Render, ...]]:
    """A render in `python`, named as the run names it (relative to the current folder)."""
    value = PassedValue("user", "user_name", python, Location(line, 20), Location(line, 29))
    start, end = Location(line, 5), Location(line, 30)
    render = Render(python, start, end, "template.render", (value,), sent_as="system")
    return str(prompt.resolve()), (render,)


def run(args: list[str], cwd: Path, monkeypatch, stdin: str | None = None):
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(main, args, input=stdin, catch_exceptions=False)


SYSTEM = "You are terse.\nThe time is {{ now() }}.\n"


def _project(root: Path) -> Path:
    (root / "prompts").mkdir()
    (root / "prompts" / "system.j2").write_text(SYSTEM)
    (root / "app.py").write_text(
        "import jinja2\nenv = jinja2.Environment()\n"
        "    env.get_template('system.j2').render(user=user_name)\n"
    )
    return root / "prompts" / "system.j2"


def test_a_finding_with_its_render_in_every_report_format(
    tmp_path, monkeypatch, with_clock_rule, renders
):
    prompt = _project(tmp_path)
    found, asked = renders
    key, value = _render(prompt)
    found[key] = value
    text = run(["--no-cache", "."], tmp_path, monkeypatch)
    assert text.exit_code == 1, text.output
    # The Python files of the run were asked where they render prompt files.
    assert asked == [[str(Path("app.py"))]]
    assert text.stdout.startswith(
        "prompts/system.j2:2:16: CTX990 [*] the clock is read in the system part\n"
        "  |\n2 | The time is {{ now() }}.\n  |                ^^^^^\n"
    )
    assert "note: rendered here: app.py:3" in text.stdout
    assert "Found 1 finding.\n[*] 1 fixable with `ctxlint --fix`.\n" in text.stdout
    as_json = json.loads(
        run(["--no-cache", "--output-format", "json", "."], tmp_path, monkeypatch).stdout
    )
    [finding] = as_json
    assert finding["filename"] == "prompts/system.j2"
    assert finding["location"] == {"row": 2, "column": 16}
    assert finding["related"][0]["filename"] == "app.py"
    assert finding["related"][0]["message"] == "rendered here"
    sarif_run = json.loads(
        run(["--no-cache", "--output-format", "sarif", "."], tmp_path, monkeypatch).stdout
    )["runs"][0]
    [result] = sarif_run["results"]
    assert result["ruleId"] == "CTX990"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(
        "prompts/system.j2"
    )
    assert result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(
        "app.py"
    )
    for output_format, expected in [
        ("github", "::warning file=prompts/system.j2,line=2,col=16,endLine=2,endColumn=21,"),
        ("concise", "prompts/system.j2:2:16: CTX990 [*] the clock is read in the system part"),
        ("junit", 'file="prompts/system.j2" line="2"'),
        ("gitlab", '"path": "prompts/system.j2"'),
    ]:
        result = run(["--no-cache", "--output-format", output_format, "."], tmp_path, monkeypatch)
        assert result.exit_code == 1, (output_format, result.output)
        assert expected in result.stdout, (output_format, result.stdout)
    statistics = run(["--no-cache", "--statistics", "."], tmp_path, monkeypatch)
    assert "CTX990" in statistics.stdout and "test-clock-call" in statistics.stdout


def test_fix_writes_the_file_and_a_second_fix_changes_nothing(
    tmp_path, monkeypatch, with_clock_rule
):
    prompt = _project(tmp_path)
    (tmp_path / "prompts" / "bom.md").write_bytes(b"\xef\xbb\xbfNow: {{ now() }}\r\nBye\r\n")
    diff = run(["--no-cache", "--diff", "."], tmp_path, monkeypatch)
    assert diff.exit_code == 1
    assert "-The time is {{ now() }}.\n+The time is {{ today() }}.\n" in diff.stdout
    assert prompt.read_text() == SYSTEM  # --diff writes nothing
    fixed = run(["--no-cache", "--fix", "."], tmp_path, monkeypatch)
    assert fixed.exit_code == 0, fixed.output
    assert "Found 2 findings (2 fixed, 0 remaining)." in fixed.stdout
    assert prompt.read_text() == SYSTEM.replace("now()", "today()")
    # The byte order mark and the line endings are kept.
    assert (tmp_path / "prompts" / "bom.md").read_bytes() == (
        b"\xef\xbb\xbfNow: {{ today() }}\r\nBye\r\n"
    )
    again = run(["--no-cache", "--fix", "."], tmp_path, monkeypatch)
    assert again.stdout == "All checks passed!\n"


def test_a_fix_that_breaks_the_template_is_not_applied(tmp_path, monkeypatch, with_clock_rule):
    monkeypatch.setattr(ClockCall, "replacement", "today(")
    prompt = _project(tmp_path)
    result = run(["--no-cache", "--fix", "."], tmp_path, monkeypatch)
    assert prompt.read_text() == SYSTEM
    assert result.exit_code == 1
    assert "the fixed template does not parse; the file was left unchanged" in result.stderr


def test_a_template_error_is_a_ctx900_at_its_line_and_its_findings_are_not_fixed(
    tmp_path, monkeypatch, with_clock_rule
):
    (tmp_path / "prompts").mkdir()
    broken = tmp_path / "prompts" / "broken.j2"
    broken.write_text("It is {{ now() }}.\n{% if x %}\nunclosed\n")
    result = run(["--no-cache", "--output-format", "json", "--fix", "."], tmp_path, monkeypatch)
    found = {(f["code"], f["location"]["row"], f["fix"] is None) for f in json.loads(result.stdout)}
    assert found == {("CTX990", 1, True), ("CTX900", 2, True)}
    assert broken.read_text() == "It is {{ now() }}.\n{% if x %}\nunclosed\n"
    # Nothing the run met could be read: exit 2, as for a lone Python file that does not parse.
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("system.j2", "The time is {{ now() }}. {# noqa: CTX990 #}\n"),
        ("system.j2", "The time is {{ now() }}. {#- noqa #}\n"),
        ("prompts/system.md", "The time is {{ now() }}. <!-- noqa: CTX990 -->\n"),
        ("prompts/system.md", "<!-- ctxlint: noqa: CTX990 -->\nThe time is {{ now() }}.\n"),
        ("prompts/chat.yaml", "system: The time is {{ now() }}.  # noqa: CTX990\n"),
        ("greet.prompt", "---\nmodel: x\n---\nThe time is {{now}}. {{! noqa: CTX990 }}\n"),
    ],
)
def test_noqa_in_the_comment_syntax_of_the_file(tmp_path, monkeypatch, with_clock_rule, name, text):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    unsuppressed = text.replace("noqa", "note")
    path.write_text(unsuppressed)
    before = run(["--no-cache", "--output-format", "json", name], tmp_path, monkeypatch)
    assert [f["code"] for f in json.loads(before.stdout)] == ["CTX990"]
    path.write_text(text)
    after = run(["--no-cache", "--output-format", "json", name], tmp_path, monkeypatch)
    assert json.loads(after.stdout) == [], text


def test_noqa_for_another_code_and_per_file_ignores(tmp_path, monkeypatch, with_clock_rule):
    _project(tmp_path)
    prompt = tmp_path / "prompts" / "system.j2"
    prompt.write_text("The time is {{ now() }}. {# noqa: CTX001 #}\n")
    assert run(["--no-cache", "-q", "."], tmp_path, monkeypatch).exit_code == 1
    (tmp_path / "ctxlint.toml").write_text('per-file-ignores = { "prompts/*.j2" = ["CTX990"] }\n')
    assert run(["--no-cache", "."], tmp_path, monkeypatch).stdout == "All checks passed!\n"


def test_a_rule_that_raises_is_reported_and_other_files_still_are(
    tmp_path, monkeypatch, with_clock_rule
):
    monkeypatch.setattr(ClockCall, "raises_on", "system")
    _project(tmp_path)
    (tmp_path / "prompts" / "user.j2").write_text("{{ now() }}\n")
    result = run(["--no-cache", "."], tmp_path, monkeypatch)
    assert result.exit_code == 2
    assert "prompts/system.j2: internal error while checking: KeyError: 'boom'" in result.stderr
    assert "prompts/user.j2:1:4: CTX990" in result.stdout


def test_prompt_files_the_code_renders_elsewhere_are_checked_once(
    tmp_path, monkeypatch, with_clock_rule, renders
):
    _project(tmp_path)
    found, _ = renders
    (tmp_path / "agent").mkdir()
    instructions = tmp_path / "agent" / "instructions.md"
    instructions.write_text("Now: {{ now() }}\n")
    (tmp_path / "build").mkdir()
    excluded = tmp_path / "build" / "generated.md"
    excluded.write_text("Now: {{ now() }}\n")
    for target in (instructions, excluded, tmp_path / "prompts" / "system.j2"):
        key, value = _render(target)
        found[key] = value
    found[str(tmp_path / "missing.md")] = ()
    result = run(["--no-cache", "--output-format", "json", "."], tmp_path, monkeypatch)
    places = sorted((f["filename"], f["location"]["row"]) for f in json.loads(result.stdout))
    assert places == [("agent/instructions.md", 1), ("prompts/system.j2", 2)]
    shown = run(["--no-cache", "-q", "--statistics", "."], tmp_path, monkeypatch)
    assert shown.stdout.split()[0] == "2"


def test_no_prompt_rule_selected_looks_for_no_render(tmp_path, monkeypatch, renders):
    _project(tmp_path)
    _, asked = renders
    result = run(["--no-cache", "--select", "CTX005", "."], tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert asked == []


def test_standard_input_named_as_a_template(tmp_path, monkeypatch, with_clock_rule):
    args = ["--stdin-filename", "prompts/system.j2"]
    result = run([*args, "--output-format", "json"], tmp_path, monkeypatch, stdin=SYSTEM)
    assert [(f["code"], f["filename"]) for f in json.loads(result.stdout)] == [
        ("CTX990", "prompts/system.j2")
    ]
    fixed = run([*args, "--fix"], tmp_path, monkeypatch, stdin=SYSTEM)
    assert fixed.stdout == SYSTEM.replace("now()", "today()")
    broken = run(["--stdin-filename", "x.j2"], tmp_path, monkeypatch, stdin="{% if %}\n")
    assert "x.j2:1:" in broken.stdout and "CTX900" in broken.stdout


def test_add_noqa_leaves_prompt_files_alone(tmp_path, monkeypatch, with_clock_rule):
    prompt = _project(tmp_path)
    result = run(["--no-cache", "--add-noqa", "."], tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert prompt.read_text() == SYSTEM
    assert "1 finding in prompt files left as they are" in result.stderr


def test_the_rule_list_says_which_rules_read_prompt_files(monkeypatch, with_clock_rule):
    listed = CliRunner().invoke(main, ["rules"])
    [line] = [line for line in listed.stdout.splitlines() if line.startswith("CTX990")]
    assert "prompt" in line


def test_a_clean_prompt_file_alone_passes(tmp_path, monkeypatch, with_clock_rule):
    (tmp_path / "system.j2").write_text("You are terse.\n")
    result = run(["--no-cache", "."], tmp_path, monkeypatch)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "All checks passed!\n", "")


def test_files_a_promptfoo_configuration_names_are_checked_as_the_role_it_gives(
    tmp_path, monkeypatch, with_clock_rule
):
    (tmp_path / "evals" / "texts").mkdir(parents=True)
    (tmp_path / "evals" / "promptfooconfig.yaml").write_text(
        "prompts:\n"
        "  - id: file://texts/plain.txt\n"
        "  - label: chat\n"
        "    messages:\n"
        "      - role: system\n"
        "        content: file://texts/system.txt\n"
        "      - role: user\n"
        "        content: '{{ question }}'\n"
    )
    (tmp_path / "evals" / "texts" / "plain.txt").write_text("Plain {{ now() }}\n")
    (tmp_path / "evals" / "texts" / "system.txt").write_text("System {{ now() }}\n")
    (tmp_path / "evals" / "texts" / "notes.txt").write_text("Not named {{ now() }}\n")
    result = run(["--no-cache", "--output-format", "json", "."], tmp_path, monkeypatch)
    found = {(f["filename"], f["message"]) for f in json.loads(result.stdout)}
    assert found == {
        ("evals/texts/plain.txt", "the clock is read in the unknown part"),
        ("evals/texts/system.txt", "the clock is read in the system part"),
    }
    statistics = run(["--no-cache", "--statistics", "-q", "."], tmp_path, monkeypatch)
    assert statistics.stdout.split()[0] == "2"


def test_a_tree_without_prompt_files_looks_for_no_render(
    tmp_path, monkeypatch, with_clock_rule, renders
):
    """Finding renders reads every Python file: a tree of Python alone does not pay for it,
    nor a run the results cache answers."""
    (tmp_path / "app.py").write_text("print('hello')\n")
    _, asked = renders
    result = run(["--no-cache", "."], tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert asked == []
    (tmp_path / "system.j2").write_text("You are terse.\n")
    assert run(["--no-cache", "."], tmp_path, monkeypatch).exit_code == 0
    assert asked == [[str(Path("app.py"))]]
