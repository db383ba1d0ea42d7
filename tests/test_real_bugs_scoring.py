"""bench/real_bugs.py scores a case from a local git mirror: found before the fix, clean after."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

BUGGY = """\
from datetime import datetime

import anthropic

client = anthropic.Anthropic()


def ask(question):
    system = f"You are helpful. Now: {datetime.now()}"
    return client.messages.create(
        model="m", max_tokens=10, system=system, messages=[{"role": "user", "content": question}]
    )
"""
FIXED = BUGGY.replace('f"You are helpful. Now: {datetime.now()}"', '"You are helpful."')


def _load_script():
    spec = importlib.util.spec_from_file_location("real_bugs", REPO / "bench" / "real_bugs.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["real_bugs"] = module
    spec.loader.exec_module(module)
    return module


def _git(folder: Path, *arguments: str) -> str:
    completed = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *arguments],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip()


def _commit(folder: Path, text: str) -> str:
    (folder / "pkg").mkdir(exist_ok=True)
    (folder / "pkg" / "agent.py").write_text(text)
    _git(folder, "add", "pkg/agent.py")
    _git(folder, "commit", "-q", "-m", "step")
    return _git(folder, "rev-parse", "HEAD")


def test_scoring_of_a_case_in_a_synthetic_mirror(tmp_path):
    checkout = tmp_path / "mirrors" / "someone+agent"
    checkout.mkdir(parents=True)
    _git(checkout, "init", "-q")
    buggy_commit = _commit(checkout, BUGGY)
    fixed_commit = _commit(checkout, FIXED)
    absent_commit = "0" * 40
    cases = tmp_path / "cases.toml"
    cases.write_text(
        f"""
[[case]]
id = "found-then-fixed"
repo = "someone/agent"
link = "https://example.invalid/1"
rule = "CTX001"
summary = "clock in the system prompt"
scope = ["pkg"]
[case.positive]
commit = "{buggy_commit}"
paths = ["pkg/agent.py"]
lines = [[9, 9]]
[case.negative]
commit = "{fixed_commit}"

[[case]]
id = "wrong-lines"
repo = "someone/agent"
link = "https://example.invalid/2"
rule = "CTX001"
summary = "the finding is far from the recorded lines"
scope = ["pkg"]
[case.positive]
commit = "{buggy_commit}"
paths = ["pkg/agent.py"]
lines = [[1, 2]]
[case.negative]
commit = "{absent_commit}"

[[case]]
id = "no-mirror"
repo = "nobody/nothing"
link = "https://example.invalid/3"
rule = "CTX001"
summary = "no local copy"
scope = ["pkg"]
[case.positive]
commit = "{buggy_commit}"
paths = ["pkg/agent.py"]
lines = [[9, 9]]
[case.negative]
commit = "{fixed_commit}"
"""
    )
    real_bugs = _load_script()
    results = {}
    for case in real_bugs.load_cases([cases]):
        git_dir = real_bugs.find_git_dir(case["repo"], [tmp_path / "mirrors"])
        ctxlint = real_bugs.default_ctxlint()
        results[case["id"]] = {
            polarity: real_bugs.check_side(case, polarity, git_dir, ctxlint)
            for polarity in ("positive", "negative")
        }

    assert results["found-then-fixed"]["positive"].status == "found"
    assert [f.line for f in results["found-then-fixed"]["positive"].matching] == [9]
    assert results["found-then-fixed"]["negative"].status == "clean"
    # A finding outside the recorded lines is listed for reading, not counted as found.
    assert results["wrong-lines"]["positive"].status == "missed"
    assert [f.line for f in results["wrong-lines"]["positive"].others] == [9]
    assert results["wrong-lines"]["negative"].status == "missing"
    assert results["no-mirror"]["positive"].status == "missing"


def test_negative_is_flagged_by_a_finding_anywhere_in_the_fixed_file():
    real_bugs = _load_script()
    elsewhere = real_bugs.Finding("pkg/agent.py", 40, "CTX001", "clock")
    other_file = real_bugs.Finding("pkg/other.py", 3, "CTX001", "clock")

    negative = real_bugs.score_negative([elsewhere, other_file], ["pkg/agent.py"])

    assert negative.status == "flagged"
    assert negative.matching == [elsewhere]
    assert negative.others == [other_file]
    result = {"id": "x", "rule": "CTX001", "positive": negative, "negative": negative}
    assert json.loads(json.dumps(real_bugs.as_json([result])))[0]["negative"]["status"] == "flagged"
