"""The HTML report, rendered in headless Chromium: what is on screen must be the simulation's
numbers (each colour's area in the chart matches its tokens), and the page must need no
network. Skipped without Chromium, unless CTXLINT_REQUIRE_CHROMIUM is set (as in CI)."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from ctxlint.cli import main
from ctxlint.simulate.html_chart import axis_top, tokens_label
from ctxlint.simulate.html_report import CACHED, REPORTED, UNCACHED, WRITTEN

LONG = " ".join(f"word{number}" for number in range(3000))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WIDTH, HEIGHT = 1200, 1600

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CTXLINT_REQUIRE_CHROMIUM"),
    reason="headless Chromium is not installed (apt install chromium)",
)


def trace(tmp_path: Path) -> Path:
    """One session whose clock at the end of the system prompt costs it the cache of its
    history on every request."""
    lines = []
    for second in range(4):
        messages = []
        for number in range(second + 1):
            messages += [
                {"role": "user", "content": f"question {number} " + "x " * 400},
                {"role": "assistant", "content": f"answer {number}"},
            ]
        lines.append(
            {
                "ctxlint": 1,
                "session": "ticket-4711",
                "timestamp": f"2026-03-02T09:00:{second:02}Z",
                "model": "claude-sonnet-4-5",
                "system": [
                    {"type": "text", "text": LONG, "cache_control": {"type": "ephemeral"}},
                    {"type": "text", "text": f"Now: 2026-03-02T09:00:{second:02}Z."},
                ],
                "params": {"cache_control": {"type": "ephemeral"}},
                "messages": messages[:-1],
                "usage": {"prompt_tokens": 8000 + 400 * second, "cached_tokens": 6000},
            }
        )
    path = tmp_path / "trace.jsonl"
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    return path


def report(tmp_path: Path) -> tuple[str, dict]:
    path = trace(tmp_path)
    page = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["simulate", str(path), "--html", str(page)])
    assert result.exit_code == 0, result.output
    data = CliRunner().invoke(main, ["simulate", str(path), "--output-format", "json"]).output
    return page.read_text("utf-8"), orjson.loads(data)


def chromium(*arguments: str, profile: Path) -> subprocess.CompletedProcess:
    assert CHROMIUM, "CTXLINT_REQUIRE_CHROMIUM is set but Chromium is not installed"
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            f"--user-data-dir={profile}",
            f"--window-size={WIDTH},{HEIGHT}",
            *arguments,
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )


def pixels(png: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGB(A) pixels of an 8-bit, non-interlaced PNG."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, data, header = 8, b"", b""
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        body = png[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            data += body
        position += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and interlace == 0 and colour in (2, 6)
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(data)
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                guess = left + up - corner
                nearest = min(
                    (abs(guess - left), 0, left),
                    (abs(guess - up), 1, up),
                    (abs(guess - corner), 2, corner),
                )[2]
                line[i] = (line[i] + nearest) & 255
        rows.append(bytes(line) if channels == 3 else bytes(_rgb(line)))
        previous = line
    return width, height, rows


def _rgb(line: bytearray) -> bytearray:
    out = bytearray()
    for i in range(0, len(line), 4):
        out += line[i : i + 3]
    return out


def count_colour(rows: list[bytes], colour: str) -> int:
    target = bytes.fromhex(colour.lstrip("#"))
    return sum(1 for row in rows for i in range(0, len(row), 3) if _near(row[i : i + 3], target))


def _near(found: bytes, target: bytes) -> bool:
    return all(abs(a - b) <= 3 for a, b in zip(found, target, strict=True))


def test_the_page_needs_no_network_and_holds_the_misses_and_savings(tmp_path):
    page, data = report(tmp_path)
    lowered = page.lower()
    for outside in ("http:", "https:", "//", "<script", "<link", "src=", "@import", "url("):
        assert outside not in lowered.replace("<!doctype html>", ""), outside
    assert "CTX001" in page and "volatile spans frozen" in page
    assert data["summary"]["savings"][0]["code"] == "CTX001"


@needs_chromium
def test_chromium_shows_the_chart_with_each_colour_in_proportion_to_its_tokens(tmp_path):
    _, data = report(tmp_path)
    shot = tmp_path / "shot.png"
    chromium(f"--screenshot={shot}", (tmp_path / "report.html").as_uri(), profile=tmp_path / "p")
    width, height, rows = pixels(shot.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    requests = data["requests"]
    cached = sum(r["cached_predicted"] for r in requests)
    written = sum(r["written_predicted"] for r in requests)
    prompt = sum(r["prompt_tokens"] for r in requests)
    # Every bar is 24 px wide less a 1 px gap; the axis is 180 px high, up to a round number.
    tallest = max(r["prompt_tokens"] for r in requests)
    top, _ = axis_top(tallest)
    area = 23 * 180 / top
    legend = 12 * 12
    assert cached and written
    for tokens, colour in (
        (cached, CACHED),
        (written, WRITTEN),
        (prompt - cached - written, UNCACHED),
    ):
        seen = count_colour(rows, colour) - legend
        assert seen == pytest.approx(tokens * area, rel=0.05, abs=60), colour
    # The provider's reported cached tokens are a 2 px tick on each bar.
    legend_tick = 12 * 3
    assert count_colour(rows, REPORTED) - legend_tick == pytest.approx(
        len(requests) * 23 * 2, abs=4
    )


@needs_chromium
def test_chromium_lays_out_the_savings_and_misses_as_text(tmp_path):
    report(tmp_path)
    dom = chromium(
        "--dump-dom", (tmp_path / "report.html").as_uri(), profile=tmp_path / "p"
    ).stdout.decode()
    headings = [line.split("</h2>")[0] for line in dom.split("<h2>")[1:]]
    # What to fix first, the charts last.
    assert headings == ["Savings", "Misses", "Sessions", "Requests"]
    assert dom.count("<td>CTX001</td>") == 1 + 1 + 3  # overall, the session, three misses
    assert f"system[1] character {len('Now: 2026-03-02T09:00:0')}" in dom


def test_the_token_axis_ends_on_a_round_number_at_or_above_the_tallest_prompt():
    for tallest in (1, 7, 999, 1_000, 15_660, 123_483, 7_047_491):
        top, step = axis_top(tallest)
        assert top >= tallest and top - step < tallest
        assert top // step <= 5
        assert str(step).strip("0") in {"1", "2", "5"}
    assert [tokens_label(value) for value in (0, 950, 12_000, 1_500_000)] == [
        "0",
        "950",
        "12k",
        "1.5M",
    ]


def two_sessions(tmp_path: Path) -> tuple[str, dict]:
    """The clock trace's session, and a quiet one whose provider reported more cache than
    the simulation predicts on every request."""
    path = trace(tmp_path)
    quiet = []
    for number in range(3):
        quiet.append(
            {
                "ctxlint": 1,
                "session": "quiet-1",
                "model": "claude-sonnet-4-5",
                "system": [{"type": "text", "text": LONG, "cache_control": {"type": "ephemeral"}}],
                "messages": [{"role": "user", "content": f"question {number}"}],
                "usage": {"prompt_tokens": 9000, "cached_tokens": 9000},
            }
        )
    other = tmp_path / "quiet.jsonl"
    other.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in quiet))
    page = tmp_path / "two.html"
    arguments = ["simulate", str(other), str(path)]
    result = CliRunner().invoke(main, [*arguments, "--html", str(page)])
    assert result.exit_code == 0, result.output
    data = orjson.loads(CliRunner().invoke(main, [*arguments, "--output-format", "json"]).output)
    return page.read_text("utf-8"), data


def test_sessions_are_ordered_by_tokens_lost_and_disagreements_are_marked(tmp_path):
    page, data = two_sessions(tmp_path)
    lost = sorted(data["sessions"], key=lambda entry: -entry["tokens_lost"])
    assert lost[0]["session"] == "ticket-4711", "given second, lost the most"
    charts = [part.split("</h3>")[0] for part in page.split("<h3")[1:]]
    assert [chart.rsplit("session ", 1)[1] for chart in charts] == ["ticket-4711", "quiet-1"]
    disagreeing = sum(request["agrees"] is False for request in data["requests"])
    assert disagreeing, "the quiet session reports more than is predicted"
    assert page.count(">✗</text>") == disagreeing
    assert "<h2>Misses</h2>" in page.split("<svg", 1)[0], "misses come before the charts"


def test_the_page_comes_on_standard_output_with_output_format_html(tmp_path):
    path = trace(tmp_path)
    result = CliRunner().invoke(main, ["simulate", str(path), "--output-format", "html"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("<!DOCTYPE html>") and "<svg" in result.output


@needs_chromium
def test_chromium_shows_the_axes_and_the_marks(tmp_path):
    two_sessions(tmp_path)
    dom = chromium(
        "--dump-dom", (tmp_path / "two.html").as_uri(), profile=tmp_path / "p"
    ).stdout.decode()
    # Each chart: the unit, ticks from 0, request numbers from #0.
    assert dom.count(">tokens</text>") == 2
    assert dom.count(">0</text>") == 2 and dom.count(">#0</text>") == 2
    assert "✗</td>" in dom, "the session that disagrees is marked in the table"


def test_misses_no_fix_is_replayed_for_are_not_said_to_have_no_fix(tmp_path):
    # Anthropic without a breakpoint caches nothing: the miss is CTX008's, whose fix (add a
    # breakpoint) the savings do not replay. "No miss had a cause a fix would remove" sat
    # above that very miss.
    lines = [
        {
            "request": {
                "model": "claude-sonnet-4-5",
                "max_tokens": 64,
                "system": LONG,
                "messages": [{"role": "user", "content": f"question {n}"} for n in range(turn)],
            }
        }
        for turn in (1, 2)
    ]
    path = tmp_path / "trace.jsonl"
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    page = CliRunner().invoke(main, ["simulate", str(path), "--output-format", "html"]).output
    assert "the request has no cache breakpoint" in page
    assert "No miss had a cause a fix would remove" not in page
    assert "No miss has a cause whose fix ctxlint replays" in page
