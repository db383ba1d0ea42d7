"""Writing fixed files: each as soon as its fix is ready, only if it still holds what was read,
in one step; temporaries a killed run left behind are cleared on the next run."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from test_cli import FIXED, FLAGGED, run

import ctxlint.engine
from ctxlint.engine import FixMode, check_paths

from conftest import make_settings


@pytest.fixture
def project(tmp_path):
    (tmp_path / "agent.py").write_text(FLAGGED)
    return tmp_path


# Whether CTX002's fix on FLAGGED is safe or not is the rule's business: the writing is ours.
def _after_checking(monkeypatch, action) -> None:
    """Runs `action(path)` once a file has been checked and fixed in memory, before anything
    is written: what a user's editor might do while ctxlint runs."""
    real = ctxlint.engine._check_python

    def check_then_act(checker, path, source, mode):
        result = real(checker, path, source, mode)
        if mode is FixMode.FIX:
            action(path)
        return result

    monkeypatch.setattr(ctxlint.engine, "_check_python", check_then_act)


def test_a_file_deleted_during_the_run_is_not_recreated(project, monkeypatch):
    _after_checking(monkeypatch, os.unlink)
    result = run(["--fix", "--unsafe-fixes", "agent.py"], project)
    assert not (project / "agent.py").exists()
    assert result.exit_code == 2
    assert "error: agent.py: not fixed: it was deleted since it was read" in result.output


def test_an_edit_made_during_the_run_is_kept(project, monkeypatch):
    edited = FLAGGED + "# edited meanwhile\n"

    def edit(path: str) -> None:
        with open(path, "w") as stream:
            stream.write(edited)

    _after_checking(monkeypatch, edit)
    result = run(["--fix", "--unsafe-fixes", "agent.py"], project)
    assert (project / "agent.py").read_text() == edited
    assert result.exit_code == 2
    assert "error: agent.py: not fixed: it changed since it was read" in result.output
    # What is reported is what the file held when it was checked, unfixed.
    assert "agent.py:5:26: CTX002" in result.output


def test_each_file_is_written_when_its_fix_is_ready(project, monkeypatch):
    """The first file is on disk, fixed, before the second is checked."""
    (project / "second.py").write_text(FLAGGED)
    seen_when_checking_second: list[str] = []

    def look(path: str) -> None:
        if path.endswith("second.py"):
            seen_when_checking_second.append((project / "agent.py").read_text())

    _after_checking(monkeypatch, look)
    assert run(["--fix", "--unsafe-fixes", "agent.py", "second.py"], project).exit_code == 0
    assert seen_when_checking_second == [FIXED]
    assert (project / "second.py").read_text() == FIXED


def test_parallel_workers_write_their_fixes(tmp_path):
    for number in range(210):
        (tmp_path / f"m{number:03}.py").write_text(FLAGGED if number % 30 == 0 else "x = 1\n")
    settings = make_settings({"unsafe-fixes": True}, root=tmp_path)
    report = check_paths([str(tmp_path)], settings, FixMode.FIX, jobs=2)
    assert report.errors == []
    assert sum(r.fixes_applied for r in report.results) == 7
    assert all(
        (tmp_path / f"m{n:03}.py").read_text() == (FIXED if n % 30 == 0 else "x = 1\n")
        for n in range(210)
    )
    again = check_paths([str(tmp_path)], settings, FixMode.FIX, jobs=2)
    assert sum(r.fixes_applied for r in again.results) == 0


def test_write_atomically_checks_the_file_is_unchanged(tmp_path):
    from ctxlint.files import FileChanged, write_atomically

    path = tmp_path / "a.py"
    path.write_bytes(b"old\n")
    write_atomically(str(path), b"new\n", expected=b"old\n")
    assert path.read_bytes() == b"new\n"
    with pytest.raises(FileChanged, match="changed since it was read"):
        write_atomically(str(path), b"newer\n", expected=b"old\n")
    assert path.read_bytes() == b"new\n"
    path.unlink()
    with pytest.raises(FileChanged, match="deleted since it was read"):
        write_atomically(str(path), b"newer\n", expected=b"new\n")
    assert not path.exists()
    assert os.listdir(tmp_path) == []


def test_write_atomically_names_its_temporary_after_its_process(tmp_path, monkeypatch):
    from ctxlint.files import write_atomically

    names: list[str] = []
    real_replace = os.replace

    def record(source, target):
        names.append(os.path.basename(source))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", record)
    write_atomically(str(tmp_path / "a.py"), b"x\n")
    assert len(names) == 1
    assert names[0].startswith(f".ctxlint-{os.getpid()}-") and names[0].endswith(".tmp")


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_temporaries_are_cleared_on_the_next_fix(project):
    dead = _dead_pid()
    sub = project / "pkg"
    sub.mkdir()
    (sub / "tool.py").write_text(FLAGGED)
    other = project / "untouched"
    other.mkdir()
    names = {
        "dead_writer": project / f".ctxlint-{dead}-a1b2c3d4.tmp",
        "dead_in_sub": sub / f".ctxlint-{dead}-zz9_x0ab.tmp",
        "old_unnamed": project / ".ctxlint-k3j4h5g6.tmp",
        "live_writer": project / f".ctxlint-{os.getpid()}-q1w2e3r4.tmp",
        "fresh_unnamed": project / ".ctxlint-m8n7b6v5.tmp",
        "not_ours": project / ".ctxlint-notes.txt",
        "not_ours_either": project / "ctxlint-1-a.tmp",
        "elsewhere": other / f".ctxlint-{dead}-a1b2c3d4.tmp",
        # Its writer may be alive in another container, under another number: too fresh.
        "fresh_dead_writer": project / f".ctxlint-{dead}-p0o9i8u7.tmp",
    }
    for path in names.values():
        path.write_bytes(b"partial")
    hour_ago = time.time() - 3600
    os.utime(names["old_unnamed"], (hour_ago, hour_ago))
    for key in ("dead_writer", "dead_in_sub", "live_writer", "elsewhere"):
        ten_seconds_ago = time.time() - 10
        os.utime(names[key], (ten_seconds_ago, ten_seconds_ago))
    result = run(["--fix", "--unsafe-fixes", "agent.py", "pkg"], project)
    assert result.exit_code == 0, result.output
    gone = {key for key, path in names.items() if not path.exists()}
    assert gone == {"dead_writer", "dead_in_sub", "old_unnamed"}


def test_stale_temporaries_that_are_not_files_are_left_alone(tmp_path):
    from ctxlint.files import remove_stale_temporaries

    dead = _dead_pid()
    (tmp_path / f".ctxlint-{dead}-a1b2c3d4.tmp").mkdir()
    (tmp_path / "target").write_bytes(b"keep")
    (tmp_path / f".ctxlint-{dead}-e5f6g7h8.tmp").symlink_to(tmp_path / "target")
    hour_ago = time.time() - 3600
    for name in (f".ctxlint-{dead}-a1b2c3d4.tmp", f".ctxlint-{dead}-e5f6g7h8.tmp"):
        os.utime(tmp_path / name, (hour_ago, hour_ago), follow_symlinks=False)
    assert remove_stale_temporaries(str(tmp_path)) == []
    assert sorted(os.listdir(tmp_path)) == sorted(
        [f".ctxlint-{dead}-a1b2c3d4.tmp", f".ctxlint-{dead}-e5f6g7h8.tmp", "target"]
    )
