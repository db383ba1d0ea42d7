"""The README's rule table is generated from the rules and must stay current."""

from __future__ import annotations

from ctxlint.docs import README_TABLE_END, README_TABLE_START, rules_markdown

from conftest import REPO


def test_readme_rule_table_is_current():
    text = (REPO / "README.md").read_text()
    start = text.index(README_TABLE_START) + len(README_TABLE_START)
    end = text.index(README_TABLE_END)
    assert text[start:end].strip() == rules_markdown().strip(), (
        "README rule table is stale: replace it with `ctxlint rules --output-format markdown`"
    )


def test_readme_setup_commands_match_ci():
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    test_command = "python3 -m pip install -e '.[dev]' && python3 -m pytest"
    assert test_command in readme
    assert test_command in ci
    assert "python3 -m pip install . && ctxlint fixtures/examples" in readme


def test_readme_trace_example_follows_the_schema():
    import json

    import jsonschema

    from ctxlint.trace.formats.canonical import schema_text

    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index("```json", text.index("### Logging traces")) + len("```json")
    example = json.loads(text[start : text.index("```", start)])
    jsonschema.validate(example, json.loads(schema_text()))


def test_readme_finding_excerpts_are_what_the_command_prints(monkeypatch):
    """The "Reading a finding" excerpts are quoted from a real run on the bundled examples."""
    from click.testing import CliRunner

    from ctxlint.cli import main

    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Reading a finding") : text.index("### The results cache")]
    blocks = section.split("```text\n")[1:]
    assert len(blocks) == 2
    monkeypatch.chdir(REPO)
    printed = CliRunner().invoke(main, ["fixtures/examples", "--no-cache"]).stdout
    for block in blocks:
        for line in block[: block.index("```")].splitlines():
            assert line in printed, line
