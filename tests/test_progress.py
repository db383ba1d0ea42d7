"""The progress line of long runs: when it is drawn, what it says, that it is wiped, and that
`check` and `simulate` count their work through it."""

from __future__ import annotations

import io

from ctxlint.config import Settings
from ctxlint.engine import check_paths
from ctxlint.parallel import run_in_batches
from ctxlint.progress import ProgressLine, shows_progress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        if self.closed:
            raise ValueError("I/O operation on closed file")  # as a real stream does
        return self.tty


def _line(stream, clock, enabled=True) -> ProgressLine:
    return ProgressLine(stream, lambda d, t: f"checked {d:,}/{t:,} files", enabled, clock=clock)


def test_shows_progress_only_on_a_terminal_and_not_when_quiet():
    assert shows_progress(Terminal(True))
    assert not shows_progress(Terminal(True), quiet=True)
    assert not shows_progress(Terminal(False))
    closed = Terminal(True)
    closed.close()
    assert not shows_progress(closed)
    assert not shows_progress(object())  # no isatty at all


def test_nothing_is_drawn_in_the_first_second():
    stream, clock = io.StringIO(), Clock()
    line = _line(stream, clock)
    for done in range(1, 500):
        clock.now += 0.001
        line.update(done, 1152)
    line.close()
    assert stream.getvalue() == ""


def test_a_long_run_draws_one_updating_line_and_wipes_it():
    stream, clock = io.StringIO(), Clock()
    line = _line(stream, clock)
    line.update(0, 1152)
    clock.now += 1.5
    line.update(120, 1152)
    clock.now += 0.01
    line.update(121)  # too soon after the last drawing: not drawn
    clock.now += 0.5
    line.update(1152)
    assert stream.getvalue() == "\rchecked 120/1,152 files\rchecked 1,152/1,152 files"
    line.close()
    assert stream.getvalue().endswith("\r" + " " * len("checked 1,152/1,152 files") + "\r")
    assert "\n" not in stream.getvalue()


def test_a_shorter_line_covers_what_a_longer_one_left():
    stream, clock = io.StringIO(), Clock()
    line = ProgressLine(stream, lambda d, t: "x" * d, True, clock=clock)
    clock.now += 2
    line.update(5)
    clock.now += 1
    line.update(2)
    assert stream.getvalue() == "\rxxxxx\rxx   "


def test_disabled_draws_nothing():
    stream, clock = io.StringIO(), Clock()
    line = _line(stream, clock, enabled=False)
    clock.now += 10
    line.update(5, 10)
    line.close()
    assert stream.getvalue() == ""


def test_run_in_batches_counts_every_item_once():
    told: list[int] = []
    outcomes = run_in_batches(
        lambda batch: [item * 2 for item in batch], list(range(150)), 1, told.append
    )
    assert outcomes == [item * 2 for item in range(150)]
    assert sum(told) == 150 and len(told) == 3  # batches of 64


def test_check_paths_counts_up_to_every_file_found(tmp_path):
    for number in range(5):
        (tmp_path / f"m{number}.py").write_text("X = 1\n")
    (tmp_path / "t.jsonl").write_text('{"id": 1}\n')
    told: list[tuple[int, int]] = []
    report = check_paths(
        [str(tmp_path)], Settings(root=tmp_path), progress=lambda d, t: told.append((d, t))
    )
    assert report.files_checked == 5  # the JSON lines were no trace
    assert told[0] == (0, 6) and told[-1] == (6, 6)
    assert [done for done, _ in told] == sorted(done for done, _ in told)


def test_check_draws_its_progress_on_a_terminal_and_wipes_it(tmp_path, monkeypatch):
    import sys

    from ctxlint.cli.check import _checked_with_progress
    from ctxlint.engine import FixMode

    (tmp_path / "a.py").write_text("X = 1\n")
    monkeypatch.setattr("ctxlint.progress.DELAY_SECONDS", 0.0)
    terminal = Terminal(True)
    monkeypatch.setattr(sys, "stderr", terminal)
    settings = Settings(root=tmp_path)
    _checked_with_progress((str(tmp_path),), settings, FixMode.CHECK, None, None, quiet=False)
    drawn = terminal.getvalue()
    assert drawn.startswith("\rchecked 0/1 files")
    assert drawn.endswith("\r" + " " * len("checked 0/1 files") + "\r")
    quiet = Terminal(True)
    monkeypatch.setattr(sys, "stderr", quiet)
    _checked_with_progress((str(tmp_path),), settings, FixMode.CHECK, None, None, quiet=True)
    assert quiet.getvalue() == ""
