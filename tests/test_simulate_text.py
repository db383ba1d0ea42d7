"""What `ctxlint simulate` prints as text: the summary first, a table of sessions, the misses
that lost the most, bars only when asked for, disagreements marked; paths relative to the
current folder. The output for bundled fixtures is under snapshot (regenerate with
CTXLINT_UPDATE_SNAPSHOTS=1)."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from ctxlint.cli import main
from ctxlint.simulate.report_labels import DISAGREES, session_label
from ctxlint.text_table import RIGHT, Column, Row, counted, render_table, width

from conftest import LONG, REPO, turns

SNAPSHOTS = REPO / "tests" / "snapshots"
# Two files, three sessions: one request whose predicted cache disagrees with the reported,
# a compaction that loses the cache, and a request without reported usage.
SESSIONS = [
    "fixtures/trace/clean/openhands_eval_output.jsonl",
    "fixtures/trace/ctx006/pi_compaction.jsonl",
]


def bars(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("  #")]


def simulate(*arguments: str) -> str:
    result = CliRunner().invoke(main, ["simulate", *arguments])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(
    ("name", "arguments"),
    [
        ("simulate_examples.text", ["fixtures/examples"]),
        ("simulate_sessions.text", [*SESSIONS, "--requests"]),
    ],
)
def test_snapshot(monkeypatch, name, arguments):
    monkeypatch.chdir(REPO)
    rendered = simulate(*arguments)
    snapshot = SNAPSHOTS / name
    if os.environ.get("CTXLINT_UPDATE_SNAPSHOTS"):
        snapshot.write_text(rendered)
    assert rendered == snapshot.read_text()


def test_the_summary_comes_first_then_sessions_then_misses_and_no_bars(monkeypatch):
    monkeypatch.chdir(REPO)
    text = simulate(*SESSIONS)
    headings = [line for line in text.splitlines() if line and not line.startswith(" ")]
    assert headings[0] == "Simulated 8 requests in 3 sessions (anthropic)"
    assert headings[1:4] == [
        "What fixing each cause would save (the traces simulated again without it)",
        "3 sessions in fixtures/trace/",
        "1 miss",
    ]
    assert "█" not in text and "Requests" not in headings


def test_each_session_is_a_row_with_its_disagreements_marked(monkeypatch):
    monkeypatch.chdir(REPO)
    text = simulate(*SESSIONS)
    data = orjson.loads(simulate(*SESSIONS, "--output-format", "json"))
    rows = {line.split()[0]: line for line in text.splitlines() if line.startswith("  demo__")}
    by_session = {entry["session"]: entry for entry in data["sessions"]}
    for session, row in rows.items():
        agreement = by_session[session]["agreement"]
        cell = f"{agreement['agreeing']}/{agreement['compared']}"
        assert cell in row.split()
        assert (DISAGREES in row) is (agreement["agreeing"] < agreement["compared"])
    assert DISAGREES in rows["demo__demo-102"] and DISAGREES not in rows["demo__demo-101"]


def test_the_requests_that_disagree_are_marked_in_the_bars(monkeypatch):
    monkeypatch.chdir(REPO)
    data = orjson.loads(simulate(*SESSIONS, "--output-format", "json"))
    text = simulate(*SESSIONS, "--requests")
    shown = bars(text)
    assert len(shown) == len(data["requests"])
    marked = [DISAGREES in line for line in shown]
    assert marked == [request["agrees"] is False for request in data["requests"]]
    assert any(marked)


def test_a_session_is_chosen_by_part_of_its_id_or_by_its_file(monkeypatch):
    monkeypatch.chdir(REPO)
    one = simulate(*SESSIONS, "--session", "demo-102")
    assert len(bars(one)) == 1 and "session demo__demo-102: 1 request," in one
    by_file = simulate(*SESSIONS, "--session", SESSIONS[1])
    assert len(bars(by_file)) == 4 and "5d0c1e2a-7b3f-4c1d-9e8a-2f6b4a1c9d30: 4 requests" in by_file


def test_a_session_named_that_is_not_there_is_a_usage_error(monkeypatch):
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, ["simulate", *SESSIONS, "--session", "nowhere"])
    assert result.exit_code == 2
    assert "'nowhere' names no session" in result.output


def test_quiet_prints_the_summary_and_savings_alone(monkeypatch):
    monkeypatch.chdir(REPO)
    text = simulate(*SESSIONS, "-q")
    assert "3 sessions in" not in text and "1 miss" not in text
    assert text.startswith("Simulated 8 requests in 3 sessions")


def _trace(path: Path, model: str = "gpt-4o", count: int = 1) -> Path:
    lines = [
        {"ctxlint": 1, "session": "s", "model": model, "system": LONG, "messages": turns(n + 1)}
        for n in range(count)
    ]
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    return path


def test_one_request_and_one_session_are_singular(tmp_path):
    text = simulate(str(_trace(tmp_path / "one.jsonl")))
    assert text.startswith("Simulated 1 request in 1 session (openai)\n")
    assert "1 requests" not in text and "1 sessions" not in text


def test_paths_are_shown_relative_to_the_current_folder_when_under_it(tmp_path, monkeypatch):
    inner = tmp_path / "runs"
    inner.mkdir()
    first = _trace(inner / "a.jsonl", count=2)
    second = _trace(inner / "b.jsonl", count=2)
    monkeypatch.chdir(tmp_path)
    text = simulate(str(first), str(second), "--requests")
    assert str(tmp_path) not in text
    assert "2 sessions in runs/" in text and "runs/a.jsonl  session s" in text
    # Outside the current folder, a path is shown as given.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    text = simulate(str(first), "--requests")
    assert f"{first}  session s" in text


def test_a_long_session_id_is_cut_in_the_middle_keeping_both_ends():
    label = session_label("258c7280-ae70-4798-800f-63464d01a85d/agent-a881341")
    assert label.startswith("258c7280-ae70") and label.endswith("agent-a881341")
    assert len(label) == 28 and "…" in label
    assert session_label("crud") == "crud"


def test_a_table_aligns_figures_right_and_text_left():
    lines = render_table(
        [Column("NAME"), Column("COUNT", RIGHT)],
        [("a", "1"), Row(("longer", "1,024"), detail="why it is so\nand what then")],
        indent="  ",
    )
    assert lines == [
        "  NAME    COUNT",
        "  a           1",
        "  longer  1,024",
        "      why it is so",
        "      and what then",
    ]


def test_a_table_counts_wide_characters_as_two_columns():
    lines = render_table(["A", "B"], [("日本", "x"), ("abcd", "y")])
    columns = [width(line[: line.index(cell)]) for line, cell in zip(lines[1:], "xy", strict=True)]
    assert columns == [6, 6]


def test_a_row_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="2 cells in a table of 3 columns"):
        render_table(["A", "B", "C"], [("1", "2")])


def test_counted_agrees_with_its_number():
    assert counted(1, "request") == "1 request"
    assert counted(0, "request") == "0 requests"
    assert counted(2_048, "token") == "2,048 tokens"
    assert counted(3, "miss", "misses") == "3 misses"


def test_the_summary_after_a_check_is_short_and_takes_lines_on_what_the_harness_does(
    monkeypatch,
):
    from ctxlint.cli.summary import simulated_summary
    from ctxlint.config import Settings

    monkeypatch.chdir(REPO)
    by_design = "1 of the misses is the agent's own compaction, by design"
    summary = simulated_summary(SESSIONS, Settings(root=REPO), by_design=[by_design])
    lines = summary.text.strip("\n").splitlines()
    assert lines[0] == "Simulated 8 requests in 3 sessions (anthropic)"
    assert f"  {by_design}" in lines
    assert len(lines) <= 10 and max(len(line) for line in lines) <= 100
    assert "`ctxlint simulate PATH`" in lines[-1]
    # No session table, misses or savings: those are `ctxlint simulate`'s.
    assert "TOKENS LOST" not in summary.text and "SAVES" not in summary.text


def test_files_sharing_only_the_root_folder_are_shown_from_the_current_one(tmp_path, monkeypatch):
    # They shared "/" alone: the table said "2 sessions in //" and listed
    # "work/…/support_session.jsonl", a path that leads nowhere from here.
    if os.path.commonpath([REPO, tmp_path]) != os.path.sep:
        pytest.skip("here the checkout and the temporary folder share more than the root")
    monkeypatch.chdir(REPO)
    elsewhere = _trace(tmp_path / "other.jsonl")
    text = simulate("fixtures/examples/support_session.jsonl", str(elsewhere))
    [header] = [line for line in text.splitlines() if " sessions in " in line]
    assert header == "2 sessions in ./"
    rows = text.splitlines()[text.splitlines().index(header) + 2 :][:2]
    shown = {row.split()[-1] for row in rows}
    assert shown == {"fixtures/examples/support_session.jsonl", os.path.relpath(elsewhere)}
    page = CliRunner().invoke(main, ["simulate", *shown, "--output-format", "html"]).output
    assert "In ./," in page
