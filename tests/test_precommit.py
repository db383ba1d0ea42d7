"""The hook definitions, validated by pre-commit and run through pre-commit itself, offline."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from pre_commit import clientlib

from conftest import REPO

FLAGGED = (
    "import json\nimport anthropic\nclient = anthropic.Anthropic()\n"
    "def ask(state, q):\n"
    "    system = 'State: ' + json.dumps(state)\n"
    "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n"
)
# One request per line in ctxlint's own format; the second extends the first.
CLEAN_TRACE = (
    '{"ctxlint": 1, "session": "s", "messages": [{"role": "user", "content": "Hi"}]}\n'
    '{"ctxlint": 1, "session": "s", "messages": [{"role": "user", "content": "Hi"}, '
    '{"role": "assistant", "content": "Hello"}, {"role": "user", "content": "Bye"}]}\n'
)


def _manifest() -> list[dict]:
    return clientlib.load_manifest(str(REPO / ".pre-commit-hooks.yaml"))


def test_manifest_is_valid_for_pre_commit():
    hooks = {hook["id"]: hook for hook in _manifest()}
    assert set(hooks) == {"ctxlint", "ctxlint-traces"}
    assert hooks["ctxlint"]["entry"] == "ctxlint"


def _local_config(args: dict[str, list[str]]) -> str:
    """Our hook definitions as `repo: local` hooks on the installed command: pre-commit
    itself selects the files and runs the entry, and no package index is needed."""
    command = shutil.which("ctxlint")
    assert command is not None
    hooks = []
    for hook in _manifest():
        local = {
            key: hook[key]
            for key in ("id", "name", "files", "exclude", "types", "types_or", "require_serial")
        }
        local.update(entry=command, language="system", args=args.get(hook["id"], []))
        hooks.append(local)
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]})


def _repository(tmp_path: Path, files: dict[str, str], args=None) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    for name, content in files.items():
        (repo / name).write_text(content)
    (repo / ".pre-commit-config.yaml").write_text(_local_config(args or {}))
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    return repo


def _pre_commit(repo: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=repo,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_hooks_pass_on_a_clean_repository(tmp_path):
    repo = _repository(
        tmp_path,
        {"agent.py": "SYSTEM_PROMPT = 'You are terse.'\n", "session.jsonl": CLEAN_TRACE},
    )
    result = _pre_commit(repo, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ctxlint (traces)" in result.stdout and "Passed" in result.stdout


def test_hook_fails_on_findings_and_skips_other_files(tmp_path):
    repo = _repository(tmp_path, {"agent.py": FLAGGED, "notes.txt": "json.dumps(x)\n"})
    result = _pre_commit(repo, tmp_path)
    assert result.returncode == 1
    assert "agent.py:5:26: CTX002" in result.stdout
    assert "notes.txt" not in result.stdout


def test_hook_with_fix_rewrites_then_passes(tmp_path):
    repo = _repository(
        tmp_path, {"agent.py": FLAGGED}, args={"ctxlint": ["--fix", "--unsafe-fixes"]}
    )
    first = _pre_commit(repo, tmp_path)
    assert first.returncode == 1
    assert "files were modified by this hook" in first.stdout
    assert "json.dumps(state, sort_keys=True)" in (repo / "agent.py").read_text()
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    second = _pre_commit(repo, tmp_path)
    assert second.returncode == 0, second.stdout
