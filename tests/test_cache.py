"""The results cache: a file is checked again exactly when what its findings rest on changed
(its bytes, a file it depends on, the settings, ctxlint), and a broken cache costs only its
use."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import orjson
import pytest
from test_cli import FIXED, FLAGGED, run

import ctxlint
import ctxlint.engine
from ctxlint.cache import FOLDER_NAME, FORMAT_VERSION
from ctxlint.engine import FixMode, PythonChecker, check_paths
from ctxlint.python.module import PythonModule

from conftest import make_settings

# No LLM code at all: the prefilter skips it on a folder walk.
PLAIN = "def add(a, b):\n    return a + b\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "agent.py").write_text(FLAGGED)
    (tmp_path / "plain.py").write_text(PLAIN)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CTXLINT_CACHE_DIR", raising=False)
    monkeypatch.delenv("CTXLINT_NO_CACHE", raising=False)
    return tmp_path


@pytest.fixture
def checked(monkeypatch):
    """The paths each run analyses (parses and runs the rules on), in order."""
    paths: list[str] = []
    real = PythonChecker.check_text

    def check_text(self, path, source):
        paths.append(os.path.basename(path))
        return real(self, path, source)

    monkeypatch.setattr(PythonChecker, "check_text", check_text)
    return paths


def _check(project: Path, settings=None, mode=FixMode.CHECK, paths=(".",)):
    settings = settings or make_settings(root=project)
    return check_paths(list(paths), settings, mode, cache_folder=project / FOLDER_NAME)


def _codes(report) -> list[tuple[str, int, str]]:
    return [(os.path.basename(d.path), d.start.line, d.code) for d in report.diagnostics]


def _cache_file(project: Path) -> Path:
    (found,) = (project / FOLDER_NAME).glob("results-*.bin")
    return found


def test_a_second_run_answers_from_the_cache(project, checked):
    first = _check(project)
    assert checked == ["agent.py"]
    second = _check(project)
    assert checked == ["agent.py"], "nothing analysed the second time"
    assert _codes(second) == _codes(first) == [("agent.py", 5, "CTX002")]
    # Everything a reporter shows comes back: the fix, the source line, the path as given.
    (before,), (after,) = first.diagnostics, second.diagnostics
    assert after == before and after.fix == before.fix and after.path == before.path
    assert second.line_text(after.path, 5) == first.line_text(before.path, 5) != ""


def test_a_changed_file_is_checked_again(project, checked):
    _check(project)
    agent = project / "agent.py"
    # The same length: the time, then the digest, tell.
    agent.write_text(FLAGGED.replace("json.dumps(state)", "json.dumps(stats)"))
    _check(project)
    assert checked == ["agent.py", "agent.py"]
    agent.write_text(FIXED)
    assert _codes(_check(project)) == []
    assert checked == ["agent.py", "agent.py", "agent.py"]


def test_a_touched_file_with_the_same_bytes_is_not_checked_again(project, checked):
    _check(project)
    agent = project / "agent.py"
    os.utime(agent, ns=(agent.stat().st_atime_ns, agent.stat().st_mtime_ns + 10**9))
    assert _codes(_check(project)) == [("agent.py", 5, "CTX002")]
    assert checked == ["agent.py"]
    entry = orjson.loads(_cache_file(project).read_bytes())["entries"]["agent.py"]
    assert entry[1] == agent.stat().st_mtime_ns, "the new time is kept, to skip the digest"


def test_other_settings_or_another_version_start_afresh(project, checked, monkeypatch):
    _check(project)
    only_ctx002 = make_settings({"select": ["CTX002"]}, root=project)
    assert _codes(_check(project, only_ctx002)) == [("agent.py", 5, "CTX002")]
    assert checked == ["agent.py", "agent.py"]
    # Each set of settings keeps its own entries: going back costs nothing.
    _check(project)
    assert checked == ["agent.py", "agent.py"]
    monkeypatch.setattr(ctxlint, "__version__", "99.0")
    assert _codes(_check(project)) == [("agent.py", 5, "CTX002")]
    assert checked == ["agent.py"] * 3


def test_an_entry_is_stale_when_a_file_it_depends_on_changes(project, checked, monkeypatch):
    helper = project / "prompts.py"
    helper.write_text("SYSTEM = 'terse'\n")
    monkeypatch.setattr(
        PythonModule,
        "dependencies",
        lambda module: {str(helper)} if module.path.endswith("agent.py") else set(),
        raising=False,
    )
    _check(project, paths=["agent.py"])
    _check(project, paths=["agent.py"])
    assert checked == ["agent.py"]
    helper.write_text("SYSTEM = 'verbose'\n")
    _check(project, paths=["agent.py"])
    assert checked == ["agent.py", "agent.py"]
    helper.unlink()
    _check(project, paths=["agent.py"])
    assert checked == ["agent.py"] * 3


def test_a_file_skipped_on_a_walk_is_checked_when_named(project, checked):
    (project / "broken.py").write_text("def broken(:\n")
    assert _codes(_check(project)) == [("agent.py", 5, "CTX002")]
    assert checked == ["agent.py"]
    assert _codes(_check(project)) == [("agent.py", 5, "CTX002")]
    named = _check(project, paths=["broken.py"])
    assert _codes(named) == [("broken.py", 1, "CTX900")]
    # Once analysed, the answer is cached for a walk and for the name alike.
    _check(project, paths=["broken.py"])
    _check(project)
    assert checked == ["agent.py", "broken.py"]


def test_fix_is_made_from_the_file_not_from_a_cached_finding(project, checked):
    settings = make_settings({"unsafe-fixes": True}, root=project)
    _check(project, settings)
    fixed = _check(project, settings, FixMode.FIX)
    assert (project / "agent.py").read_text() == FIXED
    assert _codes(fixed) == []
    # The fixed file is new bytes: checked again, and found clean.
    assert _codes(_check(project, settings)) == []
    assert checked.count("agent.py") >= 3


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: b"\x00garbage",
        lambda data: data.replace(b'"format":%d' % FORMAT_VERSION, b'"format":0'),
        lambda data: orjson.dumps({"format": FORMAT_VERSION, "key": "k", "entries": []}),
    ],
    ids=["truncated", "garbage", "other-format", "wrong-shape"],
)
def test_a_corrupt_cache_is_ignored_with_a_warning(project, checked, damage):
    _check(project)
    cache_file = _cache_file(project)
    cache_file.write_bytes(damage(cache_file.read_bytes()))
    report = _check(project)
    assert _codes(report) == [("agent.py", 5, "CTX002")]
    assert checked == ["agent.py", "agent.py"]
    assert any("ignoring the cache" in warning for warning in report.warnings)
    # It was written afresh: the next run answers from it, without a warning.
    again = _check(project)
    assert checked == ["agent.py", "agent.py"] and again.warnings == []


def test_an_entry_of_an_unknown_shape_is_checked_afresh(project, checked):
    _check(project)
    cache_file = _cache_file(project)
    data = orjson.loads(cache_file.read_bytes())
    data["entries"]["agent.py"][5] = [[{"$type": "Nonsense"}], [], True]
    data["entries"]["plain.py"] = ["not", "an", "entry"]
    cache_file.write_bytes(orjson.dumps(data))
    assert _codes(_check(project)) == [("agent.py", 5, "CTX002")]
    assert checked == ["agent.py", "agent.py"]


def test_a_cache_folder_that_cannot_be_written_is_a_warning(project, checked):
    blocked = project / "blocked"
    blocked.write_text("a file where the folder would be")
    report = check_paths(["."], make_settings(root=project), cache_folder=blocked / "cache")
    assert _codes(report) == [("agent.py", 5, "CTX002")]
    assert any("cannot write the cache" in warning for warning in report.warnings)


def test_runs_writing_the_cache_at_the_same_time_leave_it_whole(project):
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_write_often, args=(str(project), n)) for n in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    report = _check(project)
    assert report.warnings == []
    assert ("agent.py", 5, "CTX002") in _codes(report)
    leftovers = [p.name for p in (project / FOLDER_NAME).rglob(".write-*")]
    assert leftovers == []


def _write_often(folder: str, number: int) -> None:
    os.chdir(folder)
    for round_number in range(20):
        # A new file each round, so that every run has an entry to write.
        Path(folder, f"new_{number}_{round_number}.py").write_text(FLAGGED)
        report = _check(Path(folder))
        assert ("agent.py", 5, "CTX002") in _codes(report)
        assert not report.warnings, report.warnings


def test_the_command_line_caches_in_the_project_root_with_a_gitignore(project):
    (project / "pyproject.toml").write_text("[tool.ctxlint]\n")
    (project / "sub").mkdir()
    (project / "sub" / "tool.py").write_text(FLAGGED)
    assert run(["."], project / "sub").exit_code == 1
    folder = project / FOLDER_NAME
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert list(folder.glob("results-*.bin"))
    assert not (project / "sub" / FOLDER_NAME).exists()


def test_no_cache_neither_reads_nor_writes(project, checked):
    assert run(["--no-cache", "."], project).exit_code == 1
    assert not (project / FOLDER_NAME).exists()
    run(["."], project)
    run(["--no-cache", "."], project)
    assert checked == ["agent.py", "agent.py", "agent.py"]


def test_the_cache_folder_can_be_moved(project, tmp_path_factory, monkeypatch):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.setenv("CTXLINT_CACHE_DIR", str(elsewhere / "by-env"))
    assert run(["."], project).exit_code == 1
    assert (elsewhere / "by-env" / ".gitignore").exists()
    assert run(["--cache-dir", str(elsewhere / "by-flag"), "."], project).exit_code == 1
    assert list((elsewhere / "by-flag").glob("results-*.bin"))
    assert not (project / FOLDER_NAME).exists()


def test_traces_and_standard_input_are_read_afresh(project, checked):
    session = Path(__file__).resolve().parent.parent / "fixtures" / "examples"
    (project / "session.jsonl").write_bytes((session / "support_session.jsonl").read_bytes())
    first = _check(project)
    second = _check(project)
    traced = [code for code in _codes(first) if code[0] == "session.jsonl"]
    assert traced, "the example session has findings"
    assert _codes(second) == _codes(first)
    assert second.traces == first.traces == ["session.jsonl"]
    result = run(["-", "--stdin-filename", "agent.py"], project, stdin=FLAGGED)
    assert "agent.py:5:26: CTX002" in result.output
    assert checked == ["agent.py", "agent.py"]


def test_the_entry_of_a_deleted_file_is_dropped(project):
    (project / "old.py").write_text(FLAGGED)
    _check(project)
    (project / "old.py").unlink()
    (project / "new.py").write_text(FLAGGED)
    _check(project)
    entries = orjson.loads(_cache_file(project).read_bytes())["entries"]
    assert sorted(entries) == ["agent.py", "new.py", "plain.py"]
