"""The hook definitions, validated by pre-commit and run through pre-commit itself, offline."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pre_commit import clientlib
from test_prompt_discovery import NOT_PROMPT_FILES, PROMPT_FILES

from ctxlint import __version__
from ctxlint.config import Settings
from ctxlint.discovery import find_inputs
from ctxlint.reporters.sarif import INFORMATION_URI
from ctxlint.rule import InputKind
from ctxlint.typescript import looks_bundled

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


TYPESCRIPT_FLAGGED = (
    'import { generateText } from "ai";\n'
    "export const ask = (model, q) =>\n"
    "  generateText({ model, system: `Now ${new Date().toISOString()}`, prompt: q });\n"
)


def _manifest() -> list[dict]:
    return clientlib.load_manifest(str(REPO / ".pre-commit-hooks.yaml"))


def test_manifest_is_valid_for_pre_commit():
    hooks = {hook["id"]: hook for hook in _manifest()}
    assert set(hooks) == {"ctxlint", "ctxlint-traces", "ctxlint-prompts", "ctxlint-typescript"}
    assert hooks["ctxlint-typescript"]["entry"] == "ctxlint check --skip-unknown"
    assert hooks["ctxlint"]["entry"] == "ctxlint"
    assert hooks["ctxlint-prompts"]["entry"] == "ctxlint"
    assert hooks["ctxlint-traces"]["entry"] == "ctxlint check --quiet --skip-unknown"


def _readme_pre_commit_config() -> dict:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("```yaml", readme.index("## pre-commit")) + len("```yaml")
    return yaml.safe_load(readme[start : readme.index("```", start)])


def test_readme_example_points_at_this_version_and_these_hooks():
    """The README's configuration names hooks this repository defines, at the tag of the
    version it documents (tags are v + the package's version)."""
    [repo] = _readme_pre_commit_config()["repos"]
    assert repo["rev"] == f"v{__version__}"
    assert {hook["id"] for hook in repo["hooks"]} <= {hook["id"] for hook in _manifest()}
    assert repo["repo"] == INFORMATION_URI


def _local_config(args: dict[str, list[str]]) -> str:
    """Our hook definitions as `repo: local` hooks on the installed command: pre-commit
    itself selects the files and runs the entry, and no package index is needed."""
    # The command installed beside the Python running the tests: another on PATH (an older
    # install) would run the hooks on other code.
    command = shutil.which("ctxlint", path=os.path.dirname(sys.executable))
    assert command is not None
    hooks = []
    for hook in _manifest():
        local = {
            key: hook[key]
            for key in ("id", "name", "files", "exclude", "types", "types_or", "require_serial")
        }
        # The installed command in place of the entry's first word, the entry's options kept.
        program, *options = shlex.split(hook["entry"])
        assert program == "ctxlint"
        entry = shlex.join([command, *options])
        local.update(entry=entry, language="system", args=args.get(hook["id"], []))
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


DATASET = '{"prompt": "What is 2+2?", "completion": "4"}\n{"prompt": "Hi", "completion": "Hello"}\n'
EDITED_TRACE = (
    '{"ctxlint": 1, "session": "s", "messages": [{"role": "user", "content": "Task: fix it"}]}\n'
    '{"ctxlint": 1, "session": "s", "messages": [{"role": "user", "content": "Task: fix it now"},'
    ' {"role": "assistant", "content": "Done"}, {"role": "user", "content": "Thanks"}]}\n'
)


def test_traces_hook_passes_over_json_lines_that_are_no_trace(tmp_path):
    repo = _repository(tmp_path, {"data.jsonl": DATASET, "session.jsonl": CLEAN_TRACE})
    result = _pre_commit(repo, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"ctxlint \(traces\)\.+Passed", result.stdout)
    assert "data.jsonl" not in result.stdout + result.stderr


def test_traces_hook_prints_findings_without_the_simulated_summary(tmp_path):
    repo = _repository(tmp_path, {"data.jsonl": DATASET, "session.jsonl": EDITED_TRACE})
    result = _pre_commit(repo, tmp_path)
    assert result.returncode == 1
    assert re.search(r"session\.jsonl:2:\d+: CTX\d{3}", result.stdout), result.stdout
    # The same trace checked by hand gets a simulated summary; the hook leaves it out.
    assert "Simulated" not in result.stdout and "hit rate" not in result.stdout
    assert "data.jsonl" not in result.stdout + result.stderr


def test_skip_unknown_passes_over_only_what_no_reader_recognises(tmp_path):
    """Named with --skip-unknown, a dataset is passed over; a trace with a broken line and a
    Python file are still checked and reported."""
    broken = CLEAN_TRACE + '{"ctxlint": 1, "session": "s", "messages": 7}\n'
    for name, content in {
        "data.jsonl": DATASET,
        "broken.jsonl": broken,
        "agent.py": FLAGGED,
    }.items():
        (tmp_path / name).write_text(content)
    command = [shutil.which("ctxlint", path=os.path.dirname(sys.executable)), "check"]
    names = ["data.jsonl", "broken.jsonl", "agent.py", "--no-cache", "--output-format", "json"]
    plain = subprocess.run([*command, *names], cwd=tmp_path, capture_output=True, text=True)
    skipping = subprocess.run(
        [*command, "--skip-unknown", *names], cwd=tmp_path, capture_output=True, text=True
    )
    reported = {item["filename"] for item in json.loads(plain.stdout)}
    assert reported == {"data.jsonl", "broken.jsonl", "agent.py"}, plain.stdout
    assert {item["filename"] for item in json.loads(skipping.stdout)} == reported - {"data.jsonl"}
    assert skipping.returncode == 1


@pytest.mark.skipif(
    not os.environ.get("CTXLINT_TRY_REPO"),
    reason="builds the hooks' environment from a package index; set CTXLINT_TRY_REPO=1",
)
def test_hooks_from_this_repository_with_try_repo(tmp_path):
    """The hooks as users get them: pre-commit installs this repository (language: python)
    and runs them, the traces hook quietly and past a dataset, the TypeScript hook past a
    component that sends no request."""
    repo = tmp_path / "repo"
    files = {
        "agent.py": FLAGGED,
        "data.jsonl": DATASET,
        "session.jsonl": EDITED_TRACE,
        "src/agent.ts": TYPESCRIPT_FLAGGED,
        "src/Button.tsx": "export const Button = () => <b>Copy & Open</b>;\nconst x = (;\n",
    }
    for name, content in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(content)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    environment = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "--all-files"],
        cwd=repo,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "agent.py:5:26: CTX002" in result.stdout
    assert re.search(r"session\.jsonl:2:\d+: CTX\d{3}", result.stdout)
    assert "data.jsonl" not in result.stdout and "Simulated" not in result.stdout
    assert "src/agent.ts:3:40: CTX001" in result.stdout
    assert "Button.tsx" not in result.stdout


def _prompts_hook_takes(path: str) -> bool:
    [hook] = [hook for hook in _manifest() if hook["id"] == "ctxlint-prompts"]
    return bool(re.search(hook["files"], path)) and not re.search(hook["exclude"], path)


@pytest.mark.parametrize("path", PROMPT_FILES + NOT_PROMPT_FILES)
def test_prompts_hook_takes_the_files_a_walk_checks_as_prompt_files(tmp_path, path):
    """The hook's pattern and the walk's default globs (ctxlint.prompt_matching) agree."""
    (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / path).write_text("Hello\n")
    walked = find_inputs([str(tmp_path)], Settings(root=tmp_path)).files
    assert _prompts_hook_takes(path) == any(f.kind is InputKind.PROMPT for f in walked)


def test_prompts_hook_reports_a_broken_template_and_passes_clean_prompts(tmp_path):
    repo = tmp_path / "repo"
    files = {
        "prompts/system.md": "You are terse. Answer {question}.\n",
        "prompts/README.md": "Templates use {{ now() }} {% if %}\n",
        "agents/planner.j2": "Plan {% for step in steps %}{{ step }}\n",
    }
    for name, content in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(content)
    (repo / ".pre-commit-config.yaml").write_text(_local_config({}))
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    result = _pre_commit(repo, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"ctxlint \(prompt files\)\.+Failed", result.stdout), result.stdout
    assert "agents/planner.j2:1:" in result.stdout and "CTX900" in result.stdout
    assert "README.md" not in result.stdout and "system.md" not in result.stdout
    (repo / "agents" / "planner.j2").write_text(files["agents/planner.j2"] + "{% endfor %}\n")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    again = _pre_commit(repo, tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr


def _typescript_hook_takes(path: str) -> bool:
    [hook] = [hook for hook in _manifest() if hook["id"] == "ctxlint-typescript"]
    return bool(re.search(hook["files"], path)) and not re.search(hook["exclude"], path)


TYPESCRIPT_PATHS = [
    *(f"src/agent.{suffix}" for suffix in ("ts", "tsx", "mts", "cts", "js", "jsx", "mjs", "cjs")),
    "src/Agent.TS",
    "src/Page.Tsx",
    "types.d.ts",
    "src/env.d.mts",
    "src/env.d.cts",
    "src/ENV.D.TS",
    "vendor/sdk.min.js",
    "vendor/sdk.min.mjs",
    "node_modules/ai/dist/index.js",
    "packages/web/dist/agent.js",
    "build/agent.js",
    ".venv/lib/python3.11/site-packages/jupyter/static/main.js",
    "venv/share/app.js",
    "lib/site-packages/widget.js",
    "src/agent.ts.orig",
    "src/agent.json",
    "src/agent.py",
    "src/builder.ts",
    "src/distance.ts",
]


@pytest.mark.parametrize("path", TYPESCRIPT_PATHS)
def test_typescript_hook_takes_the_files_a_walk_parses(tmp_path, path):
    """The hook's patterns and the walk agree: every TS/JS suffix in any case, no declaration
    file, minified bundle, or file in a folder the default excludes name."""
    written = tmp_path / path
    written.parent.mkdir(parents=True, exist_ok=True)
    written.write_bytes(TYPESCRIPT_FLAGGED.encode())
    walked = find_inputs([str(tmp_path)], Settings(root=tmp_path)).files
    parsed = any(
        f.kind is InputKind.TYPESCRIPT and not looks_bundled(f.path, written.read_bytes())
        for f in walked
    )
    assert _typescript_hook_takes(path) == parsed


def test_typescript_hook_reports_an_agent_and_passes_declarations_and_builds(tmp_path):
    repo = tmp_path / "repo"
    files = {
        "src/agent.ts": TYPESCRIPT_FLAGGED,
        "src/types.d.ts": "export declare const broken = ;\n",
        "dist/agent.js": TYPESCRIPT_FLAGGED,
        # No request sent: passed over unparsed, as a walk does, so what tree-sitter cannot
        # read in it is left to the project's own compiler.
        "src/Button.tsx": "export const Button = () => <b>Copy & Open</b>;\nconst x = (;\n",
        # A file that sends one is parsed, and what cannot be read in it is reported.
        "src/broken.mjs": TYPESCRIPT_FLAGGED + "const x = (;\n",
    }
    for name, content in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(content)
    (repo / ".pre-commit-config.yaml").write_text(_local_config({}))
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    result = _pre_commit(repo, tmp_path)
    assert result.returncode == 1
    assert "src/agent.ts:3:40: CTX001" in result.stdout
    assert "src/broken.mjs:3:40: CTX001" in result.stdout
    assert re.search(r"src/broken\.mjs:4:\d+: CTX900", result.stdout), result.stdout
    assert "types.d.ts" not in result.stdout and "dist/" not in result.stdout
    assert "Button.tsx" not in result.stdout
