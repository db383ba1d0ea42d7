"""The rendered output of each reporter (snapshots), and the formats' own contracts."""

from __future__ import annotations

import json
import os

import jsonschema
import pytest
from click.testing import CliRunner

from ctxlint.cli import main
from ctxlint.config import OUTPUT_FORMATS, Settings
from ctxlint.engine import check_paths
from ctxlint.reporters import render

from conftest import REPO

EXAMPLE = "fixtures/examples/support_agent.py"
SNAPSHOTS = REPO / "tests" / "snapshots"
SARIF_SCHEMA = REPO / "tests" / "data" / "sarif-2.1.0-rtm.5.json"


@pytest.fixture
def report(monkeypatch):
    monkeypatch.chdir(REPO)
    return check_paths([EXAMPLE], Settings(root=REPO))


def _matches_snapshot(rendered: str, name: str) -> None:
    snapshot = SNAPSHOTS / name
    if os.environ.get("CTXLINT_UPDATE_SNAPSHOTS"):
        snapshot.write_text(rendered, encoding="utf-8")
    assert rendered == snapshot.read_text(encoding="utf-8")


@pytest.mark.parametrize("output_format", OUTPUT_FORMATS)
def test_snapshot(report, output_format):
    _matches_snapshot(render(output_format, report), f"support_agent.{output_format}")


@pytest.mark.parametrize("output_format", OUTPUT_FORMATS)
def test_what_the_command_prints_for_the_bundled_examples(output_format, monkeypatch):
    """The words users read: everything `ctxlint fixtures/examples` prints in each format,
    the simulated summary after the findings on the recorded session included."""
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(
        main, ["fixtures/examples", "--no-cache", "--output-format", output_format]
    )
    assert result.exit_code == 1, result.output
    _matches_snapshot(result.stdout, f"examples.{output_format}")


def test_json_shape(report):
    items = json.loads(render("json", report))
    assert items, "the example has findings"
    keys = {
        "code",
        "name",
        "message",
        "help",
        "filename",
        "location",
        "end_location",
        "fix",
        "related",
    }
    for item in items:
        assert set(item) == keys
        assert set(item["location"]) == {"row", "column"}
        if item["fix"] is not None:
            assert set(item["fix"]) == {"applicability", "message", "edits"}
            for edit in item["fix"]["edits"]:
                assert set(edit) == {"content", "location", "end_location"}
    order = [
        (item["filename"], item["location"]["row"], item["location"]["column"], item["code"])
        for item in items
    ]
    assert order == sorted(order)


def test_sarif_validates_against_the_official_schema(report):
    document = json.loads(render("sarif", report))
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.Draft4Validator(schema).validate(document)
    run = document["runs"][0]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == EXAMPLE


def test_sarif_schema_rejects_a_broken_document():
    """The validation above can fail: a result without a message is refused."""
    schema = json.loads(SARIF_SCHEMA.read_text())
    broken = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(broken)


def test_github_annotations_escape_their_data(report):
    lines = render("github", report).splitlines()
    assert all(line.startswith("::warning file=") for line in lines)
    assert all("\n" not in line for line in lines)


def test_text_colour_only_when_asked(report):
    assert "\x1b[" not in render("text", report)
    assert "\x1b[" in render("text", report, color=True)


def test_text_excerpt_of_a_long_line_is_cut_around_the_finding(tmp_path, monkeypatch):
    """A minified or generated file puts everything on one line: the excerpt shows a window
    around the flagged span, with the caret still under it, not the whole line."""
    padding = "x" * 50_000
    source = (
        "from datetime import datetime\nimport anthropic\nclient = anthropic.Anthropic()\n"
        f'def run(history): pad = "{padding}"; return client.messages.create(model="m", '
        'max_tokens=9, system=f"Now: {datetime.now()}", messages=history); tail = "'
        + padding
        + '"\n'
    )
    (tmp_path / "agent.py").write_text(source)
    monkeypatch.chdir(tmp_path)
    report = check_paths(["agent.py"], Settings(root=tmp_path))
    [finding] = [d for d in report.diagnostics if d.code == "CTX001"]
    rendered = render("text", report)
    assert max(len(line) for line in rendered.splitlines()) < 300
    lines = rendered.splitlines()
    shown = next(line for line in lines if line.startswith("4 | "))
    caret = lines[lines.index(shown) + 1]
    start = caret.index("^")
    width = caret.count("^")
    assert shown[start : start + width] == "datetime.now()"
    assert shown.startswith("4 | …") and shown.endswith("…")
    assert finding.start.column > 50_000


def test_help_and_notes_line_up_with_the_excerpt_gutter(tmp_path, monkeypatch):
    """As ruff lays them out: the help and note lines start under the excerpt's `|`, however
    many digits the line number has."""
    source = (REPO / EXAMPLE).read_text(encoding="utf-8")
    (tmp_path / "agent.py").write_text("#\n" * 100 + source, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    text = render("text", check_paths(["agent.py"], Settings(root=tmp_path)))
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if line.lstrip().startswith("help:"):
            pipe = lines[number - 1].index("|")
            assert line.index("help:") == pipe, (lines[number - 1], line)
