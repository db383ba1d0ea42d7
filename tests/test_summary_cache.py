"""Module summaries kept by the results cache (summary_cache.py): after a change, the changed
file and its dependents are checked again, their unchanged imports answered from summaries
without being parsed; what is found is what a run without the cache finds, whatever state the
summaries are in."""

from __future__ import annotations

import multiprocessing
import os
import shutil
from pathlib import Path

import pytest

from ctxlint.cache import FOLDER_NAME, digest_of
from ctxlint.engine import PythonChecker, check_paths
from ctxlint.python.project import Project

from conftest import make_settings

REPO = Path(__file__).resolve().parent.parent
PROJECTS = sorted((REPO / "fixtures" / "projects").iterdir())

WRAPPED = REPO / "fixtures" / "projects" / "provider_wrapper"
# A dependent of agent/loop.py: its findings rest on loop.py, so it is checked again with it.
APP = '''"""Runs the agent."""
from .loop import Agent, answer


def main(messages):
    Agent().step("hi")
    return answer(messages[-1])
'''


@pytest.fixture
def project(tmp_path, monkeypatch):
    """agent/loop.py calls the provider wrappers of agent/llm.py; agent/app.py imports it."""
    shutil.copytree(WRAPPED, tmp_path / "project")
    (tmp_path / "project" / "agent" / "app.py").write_text(APP)
    monkeypatch.chdir(tmp_path / "project")
    return tmp_path / "project"


@pytest.fixture
def activity(monkeypatch):
    """The files each run checks and the files it parses to answer another file's question."""
    seen: dict[str, list[str]] = {"checked": [], "parsed": []}
    check_text, parse = PythonChecker.check_text, Project._parse

    def checking(self, path, source):
        seen["checked"].append(os.path.basename(path))
        return check_text(self, path, source)

    def parsing(self, path):
        seen["parsed"].append(os.path.basename(path))
        return parse(self, path)

    monkeypatch.setattr(PythonChecker, "check_text", checking)
    monkeypatch.setattr(Project, "_parse", parsing)
    return seen


def _run(folder: Path, cached: bool = True):
    cache = folder / FOLDER_NAME if cached else None
    return check_paths(["."], make_settings(root=folder), jobs=1, cache_folder=cache)


def _found(report) -> list[tuple[str, int, int, str, str]]:
    return [
        (os.path.basename(d.path), d.start.line, d.start.column, d.code, d.message)
        for d in report.diagnostics
    ]


def _summaries(folder: Path) -> list[Path]:
    return sorted((folder / FOLDER_NAME).glob("summaries-*/*.bin"))


def test_wrapper_findings_need_the_summaries(project):
    found = _found(_run(project, cached=False))
    assert [(path, line, code) for path, line, _, code, _ in found] == [
        ("loop.py", 11, "CTX001"),
        ("loop.py", 23, "CTX001"),
    ]


def test_a_change_checks_the_file_and_its_dependents_and_parses_no_unchanged_import(
    project, activity
):
    cold = _found(_run(project))
    assert sorted(activity["checked"]) == ["app.py", "llm.py", "loop.py"]
    assert [path.name for path in _summaries(project)]  # llm.py's, asked by loop.py
    with open("agent/loop.py", "a") as stream:
        stream.write("\nCHANGED = 1\n")
    activity["checked"].clear()
    activity["parsed"].clear()
    warm = _found(_run(project))
    assert warm == cold == _found(_run(project, cached=False))
    # loop.py changed; app.py rests on it; llm.py's summary answers both without a parse.
    assert activity["checked"][:2] == ["app.py", "loop.py"]
    assert "llm.py" not in activity["parsed"]


def test_without_summaries_the_import_is_parsed_again(project, activity):
    """The test above can fail: the same change with the summaries gone parses llm.py."""
    _run(project)
    for path in _summaries(project):
        path.unlink()
    with open("agent/loop.py", "a") as stream:
        stream.write("\nCHANGED = 1\n")
    activity["parsed"].clear()
    _run(project)
    assert "llm.py" in activity["parsed"]


def test_a_changed_import_is_summarised_again(project):
    """The wrapper stops sending `system`: the summary of its new bytes says so."""
    _run(project)
    llm = project / "agent" / "llm.py"
    llm.write_text(llm.read_text().replace("system=system,", ""))
    warm = _found(_run(project))
    assert warm == _found(_run(project, cached=False)) == []


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"{not json",
        b"[]",
        b'{"names": 3}',
        b'{"names": {"Provider": ["class", 7]}}',
        b'{"names": {"chat_with_retry": ["function"]}, "wrappers": {"chat_with_retry": 5}}',
        b'{"names": {}, "wrappers": []}',
    ],
)
def test_a_damaged_summary_is_made_afresh(project, damage):
    expected = _found(_run(project, cached=False))
    _run(project)
    assert _summaries(project)
    for path in _summaries(project):
        path.write_bytes(damage)
    with open("agent/loop.py", "a") as stream:
        stream.write("\nCHANGED = 1\n")
    report = _run(project)
    assert _found(report) == expected
    assert not any("internal error" in p for r in report.results for p in r.problems)


def test_summaries_of_old_bytes_are_removed(project):
    llm = project / "agent" / "llm.py"
    old = f"{digest_of(llm.read_bytes())}.bin"
    _run(project)
    assert old in {path.name for path in _summaries(project)}
    with open(llm, "a") as stream:
        stream.write("\n# edited\n")
    _run(project)
    kept = {path.name for path in _summaries(project)}
    assert old not in kept and f"{digest_of(llm.read_bytes())}.bin" in kept


def test_an_unwritable_summaries_folder_costs_only_its_use(project):
    (project / FOLDER_NAME).mkdir()
    from ctxlint.cache import cache_key
    from ctxlint.engine import selected_rules

    settings = make_settings(root=project)
    key = cache_key(settings, [rule.code for rule in selected_rules(settings)])
    (project / FOLDER_NAME / f"summaries-{key}").write_text("a file where a folder goes")
    assert _found(_run(project)) == _found(_run(project, cached=False))


@pytest.mark.parametrize("fixture", PROJECTS, ids=[path.name for path in PROJECTS])
def test_fixture_projects_find_with_the_cache_what_they_find_without(
    fixture, tmp_path, monkeypatch
):
    copy = tmp_path / fixture.name
    shutil.copytree(fixture, copy)
    monkeypatch.chdir(copy)
    expected = _found(_run(copy, cached=False))
    assert _found(_run(copy)) == expected  # cold, filling the cache
    for path in sorted(copy.rglob("*.py")):
        with open(path, "a") as stream:
            stream.write("\nCHANGED = 1\n")
        expected = _found(_run(copy, cached=False))
        assert _found(_run(copy)) == expected, path.name


def test_runs_writing_summaries_at_the_same_time_find_what_one_run_finds(project):
    expected = _found(_run(project, cached=False))
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_summarise_often, args=(project, n)) for n in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    for path in project.glob("agent/new_*.py"):
        path.unlink()
    assert _found(_run(project)) == expected
    assert list((project / FOLDER_NAME).rglob(".write-*")) == []


def _summarise_often(project: Path, number: int) -> None:
    loop = (project / "agent" / "loop.py").read_text()
    for round_number in range(8):
        # Each round a new importer of llm.py asks for its summary, which another run may be
        # removing (as stale) or writing at that moment.
        (project / "agent" / f"new_{number}_{round_number}.py").write_text(loop)
        for path in _summaries(project):
            path.unlink(missing_ok=True)
        found = _found(_run(project))
        assert ("loop.py", 11, 58, "CTX001") in [item[:4] for item in found]
        assert f"new_{number}_{round_number}.py" in [item[0] for item in found]
