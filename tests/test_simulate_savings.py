"""What fixing each cause would save: a trace with the cause, re-simulated with it neutralised,
must come out exactly as the same session recorded without the cause."""

from __future__ import annotations

from pathlib import Path

import orjson
from click.testing import CliRunner

from ctxlint.cli import main
from ctxlint.config import Settings
from ctxlint.simulate.run import simulate_files
from ctxlint.simulate.simulator import Options

from conftest import LONG, REPO, turns


def tool(name: str, description: str = "Search") -> dict:
    return {"name": name, "description": description, "parameters": {"type": "object"}}


def request(second: int, session: str = "s", **fields) -> dict:
    value = {
        "ctxlint": 1,
        "session": session,
        "timestamp": f"2026-03-02T09:00:{second:02}Z",
        "model": "gpt-4o",
        "system": "You help. " + LONG,
        "tools": [tool("kb_search"), tool("kb_open")],
        "messages": turns(second + 1),
    }
    value.update(fields)
    return value


def run(tmp_path: Path, name: str, requests: list[dict]):
    path = tmp_path / f"{name}.jsonl"
    path.write_bytes(b"".join(orjson.dumps(value) + b"\n" for value in requests))
    return simulate_files([str(path)], Options(), Settings(), with_savings=True)


def check_fix(
    tmp_path: Path, code: str, with_cause: list[dict], without: list[dict], cheaper: bool = True
) -> None:
    found = run(tmp_path, "cause", with_cause)
    clean = run(tmp_path, "clean", without)
    assert [saving.code for saving in found.savings] == [code]
    saving = found.savings[0]
    assert saving.hit_rate_before == found.overall.hit_rate
    assert saving.hit_rate_after == clean.overall.hit_rate > saving.hit_rate_before
    assert round(saving.cost_after, 9) == round(clean.overall.cost, 9)
    assert (saving.cost_after < saving.cost_before) is cheaper
    assert clean.savings == []


def test_freezing_volatile_spans_saves_what_a_fixed_system_prompt_keeps(tmp_path):
    with_cause = [
        request(n, system=f"You help. Now: 2026-03-02T09:00:{n:02}Z. " + LONG) for n in range(3)
    ]
    without = [request(n, system="You help. Now: 2026-03-02T09:00:00Z. " + LONG) for n in range(3)]
    check_fix(tmp_path, "CTX001", with_cause, without)


def test_one_json_serialisation_saves_what_stable_arguments_keep(tmp_path):
    def history(count: int, reordered: bool) -> list[dict]:
        arguments = '{"query": "jams", "limit": 5}'
        if reordered:
            arguments = '{"limit": 5, "query": "jams"}'
        call = {"type": "tool_call", "id": "c1", "name": "kb_search", "arguments": arguments}
        result = {"type": "tool_result", "tool_call_id": "c1", "content": "KB-12 " + LONG}
        messages = [
            {"role": "user", "content": "My printer jams."},
            {"role": "assistant", "content": [call]},
            {"role": "tool", "content": [result]},
        ]
        return messages + turns(count)[1:]

    with_cause = [request(n, messages=history(n + 1, reordered=n == 1)) for n in range(3)]
    without = [request(n, messages=history(n + 1, reordered=False)) for n in range(3)]
    check_fix(tmp_path, "CTX002", with_cause, without)


def test_one_tool_order_saves_what_an_unchanged_order_keeps(tmp_path):
    tools = [tool("kb_search"), tool("kb_open"), tool("ticket_close")]
    with_cause = [request(n, tools=tools[n % 2 :] + tools[: n % 2]) for n in range(3)]
    without = [request(n, tools=tools) for n in range(3)]
    check_fix(tmp_path, "CTX003", with_cause, without)


def test_a_fixed_tool_list_saves_what_sending_every_tool_each_time_keeps(tmp_path):
    tools = [tool("kb_search", "Search " + LONG), tool("kb_open"), tool("ticket_close")]
    with_cause = [request(n, tools=tools if n != 1 else tools[:2]) for n in range(3)]
    without = [request(n, tools=tools) for n in range(3)]
    check_fix(tmp_path, "CTX004", with_cause, without)


def test_append_only_history_saves_what_an_untruncated_history_keeps(tmp_path):
    full = turns(4)
    with_cause = [request(0, messages=full[:3]), request(1, messages=full[2:5])]
    without = [request(0, messages=full[:3]), request(1, messages=full[:5])]
    found = run(tmp_path, "cause", with_cause)
    assert found.requests[1].miss.code == "CTX006"
    # Keeping the whole history reads more tokens than the window did: here the dearer fix.
    check_fix(tmp_path, "CTX006", with_cause, without, cheaper=False)
    (dearer,) = found.savings
    assert dearer.saved < 0 and dearer.hit_rate_after > dearer.hit_rate_before
    assert "compaction keeps the prompt short" in dearer.why
    text = CliRunner().invoke(main, ["simulate", str(tmp_path / "cause.jsonl"), "-q"]).output
    (row,) = [line for line in text.splitlines() if line.startswith("  CTX006  ")]
    assert "history only appended to" in row and "costs $" in row
    assert dearer.why in text


def test_the_readme_example_orders_fixes_by_dollars_and_never_calls_a_dearer_fix_a_saving():
    example = REPO / "fixtures" / "examples" / "support_session.jsonl"
    found = simulate_files([str(example)], Options(), Settings(), with_savings=True)
    saved = [saving.saved for saving in found.savings]
    assert saved == sorted(saved, reverse=True)
    by_code = {saving.code: saving for saving in found.savings}
    assert set(by_code) == {"CTX001", "CTX004", "all"}
    assert by_code["all"].what == "every fix: CTX001, CTX004"
    # Every request carries the tool the session dropped, and the volatile system prompt
    # still breaks the cache before it: the fixed tool list alone costs more.
    dearer = by_code["CTX004"]
    assert dearer.saved < 0 and dearer.why.startswith("every request carries every tool")
    assert by_code["CTX001"].saved > 0 and by_code["CTX001"].why is None
    text = CliRunner().invoke(main, ["simulate", str(example), "-q"]).output
    lines = [line.split() for line in text.splitlines() if line.startswith(("  CTX0", "  all "))]
    assert [line[0] for line in lines] == ["CTX001", "all", "CTX004"]
    assert lines[0][1:5] == ["volatile", "spans", "frozen", f"${by_code['CTX001'].saved:,.4f}"]
    assert lines[1][1:5] == ["every", "fix:", "CTX001,", "CTX004"]
    assert lines[2][1:6] == ["one", "fixed", "tool", "list", "costs"]
    assert "  " + dearer.why in text
    report = orjson.loads(
        CliRunner().invoke(main, ["simulate", str(example), "-q", "--output-format", "json"]).output
    )
    rows = report["summary"]["savings"]
    assert [row["code"] for row in rows] == ["CTX001", "all", "CTX004"]
    assert rows[2]["saved"] < 0 and rows[2]["costs_more"] == dearer.why


def test_savings_are_reported_per_session_and_in_json(tmp_path):
    volatile = [
        request(n, session="a", system=f"You help. Now: 2026-03-02T09:00:{n:02}Z. " + LONG)
        for n in range(3)
    ]
    steady = [request(n, session="b") for n in range(3)]
    path = tmp_path / "two.jsonl"
    path.write_bytes(b"".join(orjson.dumps(value) + b"\n" for value in volatile + steady))
    result = CliRunner().invoke(main, ["simulate", str(path), "--output-format", "json"])
    report = orjson.loads(result.output)
    assert [saving["code"] for saving in report["summary"]["savings"]] == ["CTX001"]
    by_session = {entry["session"]: entry["savings"] for entry in report["sessions"]}
    assert by_session["b"] == []
    (fix,) = by_session["a"]
    assert fix["hit_rate_after"] > fix["hit_rate_before"]
    text = CliRunner().invoke(main, ["simulate", str(path)]).output
    assert "  CTX001  volatile spans frozen  $" in text
    # Per session, under the session's bars when they are asked for.
    bars = CliRunner().invoke(main, ["simulate", str(path), "--session", "a"]).output
    assert "fixing CTX001 (volatile spans frozen) saves $" in bars


def test_a_rewritten_request_scales_its_reported_size_to_its_new_length(tmp_path):
    import dataclasses

    from ctxlint.simulate.simulator import Simulator

    value = request(0, usage={"prompt_tokens": 10_000, "cached_tokens": 0, "output_tokens": 5})
    path = tmp_path / "one.jsonl"
    path.write_bytes(orjson.dumps(value) + b"\n")
    as_recorded = next(Simulator(Options(), Settings()).run([str(path)]))
    doubled = next(
        Simulator(Options(), Settings()).run(
            [str(path)],
            rewrite=lambda found: dataclasses.replace(found, system=found.system * 2),
        )
    )
    assert as_recorded.prompt_tokens == 10_000
    # The system prompt is nearly all of the prompt: twice it is nearly twice the size.
    assert 19_000 < doubled.prompt_tokens < 20_000
