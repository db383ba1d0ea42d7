"""Several traces simulated together are replayed in the order their requests were sent, so a
request never reads what a session recorded later wrote; the report keeps the files' order."""

from __future__ import annotations

from pathlib import Path

import orjson
from click.testing import CliRunner

from ctxlint.cli import main
from ctxlint.config import Settings
from ctxlint.simulate.simulator import Options, Simulator

from conftest import LONG, turns

SYSTEM = "Rules. " + LONG


def _line(time: str | None, count: int, session: str) -> bytes:
    value = {
        "ctxlint": 1,
        "session": session,
        "model": "gpt-4o",
        "system": SYSTEM,
        "messages": turns(count),
    }
    if time is not None:
        value["timestamp"] = time
    return orjson.dumps(value) + b"\n"


def _write(tmp_path: Path, name: str, lines: list[bytes]) -> str:
    path = tmp_path / name
    path.write_bytes(b"".join(lines))
    return str(path)


def _replayed(*paths: str) -> list:
    return list(Simulator(Options(), Settings()).run(list(paths)))


def _later_named_earlier(tmp_path: Path) -> tuple[str, str]:
    # a.jsonl sorts first but was recorded an hour after b.jsonl; both send the same system
    # prompt, which each leaves in the cache.
    later = _write(
        tmp_path,
        "a.jsonl",
        [_line("2026-03-02T10:00:00Z", 1, "late"), _line("2026-03-02T10:00:20Z", 2, "late")],
    )
    earlier = _write(
        tmp_path,
        "b.jsonl",
        [_line("2026-03-02T09:00:00Z", 1, "early"), _line("2026-03-02T09:00:20Z", 2, "early")],
    )
    return later, earlier


def test_an_earlier_session_never_reads_what_a_later_one_wrote(tmp_path):
    later, earlier = _later_named_earlier(tmp_path)
    together = _replayed(later, earlier)
    # The earlier file goes first: its first request finds the cache empty, as it did.
    assert [(r.path, r.line) for r in together] == [
        (earlier, 1),
        (earlier, 2),
        (later, 1),
        (later, 2),
    ]
    assert together[0].cached_predicted == 0
    # An hour later the earlier session's entries have expired: the later file reads only
    # what it wrote itself, exactly as when it is simulated alone.
    alone = _replayed(later) + _replayed(earlier)
    assert {(r.path, r.line): r.cached_predicted for r in together} == {
        (r.path, r.line): r.cached_predicted for r in alone
    }


def test_sessions_overlapping_in_time_share_the_cache_in_time_order(tmp_path):
    first = _write(
        tmp_path,
        "a.jsonl",
        [_line("2026-03-02T09:00:00Z", 1, "one"), _line("2026-03-02T09:00:30Z", 2, "one")],
    )
    second = _write(tmp_path, "b.jsonl", [_line("2026-03-02T09:00:10Z", 1, "two")])
    together = _replayed(first, second)
    assert [(r.path, r.line) for r in together] == [(first, 1), (second, 1), (first, 2)]
    # The second file's request, ten seconds after the first, reads the prompt it repeats.
    assert together[1].cached_predicted >= 1024
    assert _replayed(second)[0].cached_predicted == 0


def test_requests_without_timestamps_follow_the_request_before_them_in_their_file(tmp_path):
    timed = _write(
        tmp_path,
        "a.jsonl",
        [_line("2026-03-02T09:00:00Z", 1, "one"), _line("2026-03-02T09:00:30Z", 2, "one")],
    )
    mixed = _write(
        tmp_path,
        "b.jsonl",
        [_line("2026-03-02T09:00:10Z", 1, "two"), _line(None, 2, "two")],
    )
    untimed = _write(tmp_path, "c.jsonl", [_line(None, 1, "three")])
    order = [(r.path, r.line) for r in _replayed(timed, mixed, untimed)]
    # A file with no time at all goes first; an untimed request right after its predecessor.
    assert order == [(untimed, 1), (timed, 1), (mixed, 1), (mixed, 2), (timed, 2)]


def test_the_report_lists_the_files_in_the_order_given(tmp_path):
    later, earlier = _later_named_earlier(tmp_path)
    result = CliRunner().invoke(main, ["simulate", later, earlier, "--output-format", "json", "-q"])
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.output)
    assert [(r["path"], r["index"]) for r in report["requests"]] == [
        (later, 0),
        (later, 1),
        (earlier, 0),
        (earlier, 1),
    ]
    assert [session["path"] for session in report["sessions"]] == [later, earlier]
