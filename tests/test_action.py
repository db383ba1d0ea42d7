"""The GitHub Action (action.yml): its `run:` steps, read from action.yml and run as the runner
runs them (bash, the inputs substituted, a fake GITHUB_* environment) on a small repository."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import pytest
import yaml

from ctxlint import __version__

from conftest import REPO

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
SARIF_SCHEMA = REPO / "tests" / "data" / "sarif-2.1.0-rtm.5.json"
FLAGGED = (
    "import json\nimport anthropic\nclient = anthropic.Anthropic()\n"
    "def ask(state, q):\n"
    "    system = 'State: ' + json.dumps(state)\n"
    "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n"
)
EDITED_TRACE = (
    '{"ctxlint": 1, "session": "s", "messages": [{"role": "user", "content": "Task: fix it"}]}\n'
    '{"ctxlint": 1, "session": "s", "messages": [{"role": "user", "content": "Task: fix it now"},'
    ' {"role": "assistant", "content": "Done"}, {"role": "user", "content": "Thanks"}]}\n'
)
CLEAN = "SYSTEM_PROMPT = 'You are terse.'\n"


def _script_module():
    path = REPO / "action" / "ctxlint_action.py"
    spec = importlib.util.spec_from_file_location("ctxlint_action", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class StepRun:
    step: dict
    returncode: int
    stdout: str
    stderr: str


@dataclass
class FakeRunner:
    """What the Actions runner gives a composite action's steps, enough to run ours."""

    action_path: Path
    workspace: Path
    home: Path
    inputs: dict[str, str]
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.inputs) - set(ACTION["inputs"])
        assert not unknown, f"action.yml has no input {unknown}"
        defaults = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
        self.inputs = {**defaults, **self.inputs}
        self.temp = self.home / "runner-temp"
        self.temp.mkdir(parents=True, exist_ok=True)
        self.summary = self.home / "step-summary.md"
        self.path_file = self.home / "path"

    def _value(self, expression: str) -> str:
        expression = expression.strip()
        if expression.startswith("inputs."):
            return self.inputs[expression.removeprefix("inputs.")]
        contexts = {
            "github.action_path": str(self.action_path),
            "github.workspace": str(self.workspace),
            "runner.temp": str(self.temp),
        }
        if expression in contexts:
            return contexts[expression]
        step_output = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
        if step_output:
            return self.outputs.get(step_output.group(1), {}).get(step_output.group(2), "")
        raise AssertionError(f"the fake runner cannot evaluate ${{{{ {expression} }}}}")

    def substitute(self, text: str) -> str:
        return re.sub(r"\$\{\{(.*?)\}\}", lambda match: self._value(match.group(1)), text)

    def _condition(self, text: str) -> bool:
        comparison = re.fullmatch(r"inputs\.([\w-]+) (==|!=) ''", text.strip())
        assert comparison, f"the fake runner cannot evaluate `if: {text}`"
        empty = self.inputs[comparison.group(1)] == ""
        return empty if comparison.group(2) == "==" else not empty

    def _environment(self, step: dict, output_file: Path) -> dict[str, str]:
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("CTXLINT_", "GITHUB_", "RUNNER_"))
        }
        environment.update(
            GITHUB_ACTIONS="true",
            GITHUB_ACTION_PATH=str(self.action_path),
            GITHUB_WORKSPACE=str(self.workspace),
            GITHUB_OUTPUT=str(output_file),
            GITHUB_STEP_SUMMARY=str(self.summary),
            GITHUB_PATH=str(self.path_file),
            RUNNER_TEMP=str(self.temp),
        )
        for key, value in (step.get("env") or {}).items():
            environment[key] = self.substitute(str(value))
        return environment

    def run(self, skip: frozenset[str] = frozenset()) -> list[StepRun]:
        """Runs the steps in order, as the runner does, until one fails; `skip`: ids of steps
        whose outputs are already in `outputs`."""
        runs = []
        for number, step in enumerate(ACTION["runs"]["steps"]):
            if step.get("id") in skip or ("if" in step and not self._condition(step["if"])):
                continue
            assert "run" in step, f"only `run:` steps can run here; make {step} conditional"
            assert step["shell"] == "bash"
            output_file = self.home / f"output-{number}"
            output_file.write_text("")
            script = self.home / f"step-{number}.sh"
            script.write_text(self.substitute(step["run"]))
            # The runner's command line for `shell: bash`.
            result = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                cwd=self.workspace,
                env=self._environment(step, output_file),
                capture_output=True,
                text=True,
            )
            runs.append(StepRun(step, result.returncode, result.stdout, result.stderr))
            if "id" in step:
                self.outputs[step["id"]] = _read_outputs(output_file)
            if result.returncode != 0:
                break
        return runs

    def action_outputs(self) -> dict[str, str]:
        return {name: self.substitute(spec["value"]) for name, spec in ACTION["outputs"].items()}


def _read_outputs(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT's two forms: `name=value`, and `name<<DELIMITER` lines `DELIMITER`."""
    outputs = {}
    lines = iter(path.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            for part in lines:
                if part == delimiter:
                    break
                value.append(part)
            outputs[name] = "\n".join(value)
        else:
            name, _, value = line.partition("=")
            outputs[name] = value
    return outputs


def _action_copy(destination: Path) -> Path:
    """The files a `uses: ctxlint/ctxlint@ref` checkout holds: what git tracks (or would)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def _workspace(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content)
    return root


# The install step builds ctxlint into a virtual environment: a minute's work that needs a
# package index. It runs when this is set; otherwise the later steps use the ctxlint under test.
REAL_INSTALL = os.environ.get("CTXLINT_ACTION_INSTALL") == "1"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The action's install step, run once (or, without REAL_INSTALL, its output stood in for
    by the ctxlint installed beside the Python running the tests)."""
    if shutil.which("bash") is None:
        pytest.skip("the action's steps run in bash")
    home = tmp_path_factory.mktemp("install")
    runner = FakeRunner(
        action_path=_action_copy(home / "action"),
        workspace=_workspace(home / "workspace", {}),
        home=home,
        inputs={},
    )
    if not REAL_INSTALL:
        beside = Path(sys.executable).parent / "ctxlint"
        command = beside if beside.is_file() else shutil.which("ctxlint")
        assert command, "ctxlint is not installed beside the tests' Python"
        runner.outputs["install"] = {"ctxlint": str(command)}
        return runner
    [install] = [run for run in runner.run() if run.step.get("id") == "install"]
    assert install.returncode == 0, install.stdout + install.stderr
    return runner


def _runner(installed: FakeRunner, tmp_path: Path, files: dict, inputs: dict) -> FakeRunner:
    runner = FakeRunner(
        action_path=installed.action_path,
        workspace=_workspace(tmp_path / "workspace", files),
        home=tmp_path,
        inputs=inputs,
    )
    runner.outputs["install"] = dict(installed.outputs["install"])
    return runner


def _check_step(runs: list[StepRun]) -> StepRun:
    [check] = [run for run in runs if run.step.get("id") == "check"]
    return check


@pytest.mark.skipif(not REAL_INSTALL, reason="set CTXLINT_ACTION_INSTALL=1 to build ctxlint")
def test_install_step_puts_ctxlint_on_the_path_of_later_steps(installed):
    command = Path(installed.outputs["install"]["ctxlint"])
    assert command.is_file() and command.is_relative_to(installed.temp)
    [folder] = installed.path_file.read_text().splitlines()
    assert sorted(path.name for path in Path(folder).iterdir()) == [command.name]
    version = subprocess.run([Path(folder) / command.name, "--version"], capture_output=True)
    assert version.returncode == 0 and b"ctxlint" in version.stdout


def test_findings_become_annotations_and_sarif(installed, tmp_path):
    files = {
        "agent.py": FLAGGED,
        "traces/session.jsonl": EDITED_TRACE,
        "data/rows.jsonl": '{"prompt": "2+2?", "completion": "4"}\n',
    }
    runner = _runner(installed, tmp_path, files, {"sarif-file": "reports/ctxlint.sarif"})
    check = _check_step(runner.run(skip=frozenset({"install"})))
    assert check.returncode == 1, check.stdout + check.stderr
    annotations = [line for line in check.stdout.splitlines() if line.startswith("::")]
    assert any(line.startswith("::warning file=agent.py,line=5,") for line in annotations)
    assert any(line.startswith("::warning file=traces/session.jsonl,") for line in annotations)
    assert not any("rows.jsonl" in line for line in annotations)
    sarif_path = runner.workspace / "reports" / "ctxlint.sarif"
    document = json.loads(sarif_path.read_text())
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(document)
    results = document["runs"][0]["results"]
    assert len(results) == len(annotations)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"agent.py", "traces/session.jsonl"}
    assert runner.action_outputs() == {
        "exit-code": "1",
        "findings": str(len(annotations)),
        "sarif-file": str(sarif_path),
    }
    summary = runner.summary.read_text()
    assert f"{len(annotations)} findings in 2 files." in summary
    assert "| CTX002 (unsorted-json) | 1 |" in summary
    # The results cache stays out of the checkout.
    assert not (runner.workspace / ".ctxlint_cache").exists()


def test_args_and_src_reach_ctxlint(installed, tmp_path):
    files = {"my agents/agent.py": FLAGGED, "other.py": FLAGGED, "clean.py": CLEAN}
    inputs = {"args": "--select CTX002 --exit-zero", "src": "'my agents'\nclean.py"}
    runner = _runner(installed, tmp_path, files, inputs)
    check = _check_step(runner.run(skip=frozenset({"install"})))
    assert check.returncode == 0, check.stdout + check.stderr
    annotations = [line for line in check.stdout.splitlines() if line.startswith("::")]
    assert [line.split(",")[0] for line in annotations] == ["::warning file=my agents/agent.py"]
    assert runner.action_outputs() == {"exit-code": "0", "findings": "1", "sarif-file": ""}


def test_a_clean_repository_passes(installed, tmp_path):
    runner = _runner(installed, tmp_path, {"agent.py": CLEAN}, {})
    check = _check_step(runner.run(skip=frozenset({"install"})))
    assert check.returncode == 0, check.stdout + check.stderr
    assert not [line for line in check.stdout.splitlines() if line.startswith("::")]
    assert runner.action_outputs()["findings"] == "0"
    assert "No findings." in runner.summary.read_text()


def test_an_input_error_fails_the_step_with_exit_code_2(installed, tmp_path):
    runner = _runner(installed, tmp_path, {"agent.py": CLEAN}, {"src": "missing.py"})
    check = _check_step(runner.run(skip=frozenset({"install"})))
    assert check.returncode == 2
    assert "missing.py: no such file or directory" in check.stderr
    assert runner.action_outputs()["exit-code"] == "2"


@pytest.mark.parametrize("args", ["--output-format json", "--exit-zero --output-file=x.txt"])
def test_args_cannot_take_the_report_away_from_the_annotations(installed, tmp_path, args):
    runner = _runner(installed, tmp_path, {"agent.py": FLAGGED}, {"args": args})
    check = _check_step(runner.run(skip=frozenset({"install"})))
    assert check.returncode == 2
    assert check.stdout.startswith("::error title=ctxlint action::args: --output-")
    assert not list(runner.workspace.glob("x.txt"))


@pytest.mark.parametrize(
    "args", ["--statistics", "--show-settings", "--show-files", "--diff", "--exit-zero --add-noqa"]
)
def test_args_that_print_something_else_than_findings_are_an_input_error(installed, tmp_path, args):
    # They left no annotation: `--statistics` failed the job with an empty summary, and
    # `--show-files` passed it with "No findings." though nothing was checked.
    runner = _runner(installed, tmp_path, {"agent.py": FLAGGED}, {"args": args})
    check = _check_step(runner.run(skip=frozenset({"install"})))
    assert check.returncode == 2
    assert check.stdout.startswith(f"::error title=ctxlint action::args: {args.split()[-1]} ")
    assert "# noqa" not in (runner.workspace / "agent.py").read_text()


def test_a_sarif_file_that_cannot_be_written_fails_the_step(installed, tmp_path):
    # A folder of that name: code scanning's upload step would find no file.
    files = {"agent.py": FLAGGED, "reports/.keep": ""}
    runner = _runner(installed, tmp_path, files, {"sarif-file": "reports"})
    check = _check_step(runner.run(skip=frozenset({"install"})))
    assert check.returncode == 2
    assert "::error title=ctxlint action::sarif-file reports: not written" in check.stdout
    assert runner.action_outputs()["exit-code"] == "2"
    assert runner.action_outputs()["sarif-file"] == ""


def test_a_version_that_is_none_fails_before_installing(tmp_path):
    runner = FakeRunner(
        action_path=REPO,
        workspace=_workspace(tmp_path / "workspace", {}),
        home=tmp_path,
        inputs={"version": "main; rm -rf /"},
    )
    runs = runner.run()
    assert [run.step.get("id") for run in runs] == ["install"]
    assert runs[0].returncode == 2
    assert runs[0].stdout.startswith("::error title=ctxlint action::version 'main; rm -rf /'")
    assert not (runner.temp / "ctxlint-action").exists()


def test_a_python_that_cannot_make_environments_is_an_error_not_a_traceback(tmp_path, monkeypatch):
    # Debian's python3 without python3-venv: `python3 -m venv` fails. A `venv` module earlier
    # on the path stands in for it.
    shadow = tmp_path / "shadow" / "venv"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("")
    (shadow / "__main__.py").write_text("import sys\nsys.exit('ensurepip is not available')\n")
    monkeypatch.setenv("PYTHONPATH", str(shadow.parent))
    runner = FakeRunner(REPO, _workspace(tmp_path / "workspace", {}), tmp_path, {})
    [install] = runner.run()
    assert install.returncode == 2
    assert install.stdout.startswith("::error title=ctxlint action::")
    assert "ensurepip is not available" in install.stdout
    assert "python-version" in install.stdout and "Traceback" not in install.stderr


def test_setup_python_runs_only_when_a_python_version_is_asked_for(tmp_path):
    uses = [step for step in ACTION["runs"]["steps"] if "uses" in step]
    assert [step["uses"].split("@")[0] for step in uses] == ["actions/setup-python"]
    runner = FakeRunner(REPO, tmp_path, tmp_path, {"python-version": "3.12"})
    assert runner._condition(uses[0]["if"])
    assert runner.substitute(uses[0]["with"]["python-version"]) == "3.12"
    assert not FakeRunner(REPO, tmp_path, tmp_path, {})._condition(uses[0]["if"])


@pytest.mark.parametrize(
    ("version", "wanted"),
    [
        ("", "<action>"),
        ("latest", "ctxlint"),
        ("0.1.0", "ctxlint==0.1.0"),
        ("v0.2.0rc1", "ctxlint==0.2.0rc1"),
        (">=0.1,<0.2", "ctxlint>=0.1,<0.2"),
        ("main", None),
        ("0.1.0 --index-url http://example.com", None),
    ],
)
def test_version_input(version, wanted):
    script = _script_module()
    if wanted is None:
        with pytest.raises(script.InputError):
            script.requirement(version, "/action")
    else:
        assert script.requirement(version, "<action>") == wanted


def test_readme_documents_every_input_and_output_and_this_version():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### GitHub Action") :]
    section = section[: section.index("\n### ", 1)]
    rows = re.findall(r"^\| `([\w-]+)` \|", section, flags=re.MULTILINE)
    assert rows == list(ACTION["inputs"]) + list(ACTION["outputs"])
    example = yaml.safe_load(section[section.index("```yaml") + 7 : section.index("```\n\n")])
    steps = example["jobs"]["ctxlint"]["steps"]
    [ours] = [step for step in steps if step["uses"].startswith("ctxlint/ctxlint@")]
    assert ours["uses"] == f"ctxlint/ctxlint@v{__version__}"
    assert set(ours["with"]) <= set(ACTION["inputs"])


def test_prompt_files_in_the_checkout_are_checked(installed, tmp_path):
    """The action walks the checkout as `ctxlint .` does: prompt files too, each finding an
    annotation at the template's line (a template error here, which any rule set reports)."""
    files = {
        "agent.py": CLEAN,
        "prompts/system.md": "You are terse. Answer {question}.\n",
        "agents/planner.j2": "Plan:\n{% for step in steps %}{{ step }}\n",
    }
    runner = _runner(installed, tmp_path, files, {"sarif-file": "ctxlint.sarif"})
    check = _check_step(runner.run(skip=frozenset({"install"})))
    assert check.returncode == 1, check.stdout + check.stderr
    annotations = [line for line in check.stdout.splitlines() if line.startswith("::")]
    assert [line.split(",")[:2] for line in annotations] == [
        ["::error file=agents/planner.j2", "line=2"]
    ], annotations
    document = json.loads((runner.workspace / "ctxlint.sarif").read_text())
    [result] = document["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "agents/planner.j2"
    )


TYPESCRIPT_AGENT = (
    'import { generateText } from "ai";\n'
    "export const ask = (model, q) =>\n"
    "  generateText({ model, system: `Now ${new Date().toISOString()}`, prompt: q });\n"
)


def test_typescript_and_javascript_in_the_checkout_are_checked(installed, tmp_path):
    """The action walks the checkout as `ctxlint .` does: every TS/JS suffix is an agent's,
    each finding an annotation; declaration files, bundles, node_modules and a component that
    sends no request (unparsed, so what tree-sitter misreads in it is not reported) are not."""
    suffixes = ("ts", "tsx", "mts", "cts", "js", "jsx", "mjs", "cjs")
    files = {f"src/agent.{suffix}": TYPESCRIPT_AGENT for suffix in suffixes}
    files |= {
        "src/env.d.ts": "export declare const broken = ;\n",
        "node_modules/ai/agent.js": TYPESCRIPT_AGENT,
        "public/sdk.min.js": TYPESCRIPT_AGENT,
        "src/Button.tsx": "export const Button = () => <b>Copy & Open</b>;\nconst x = (;\n",
    }
    runner = _runner(installed, tmp_path, files, {"sarif-file": "ctxlint.sarif"})
    check = _check_step(runner.run(skip=frozenset({"install"})))
    assert check.returncode == 1, check.stdout + check.stderr
    annotations = [line for line in check.stdout.splitlines() if line.startswith("::")]
    assert sorted(line.split(",")[:2] for line in annotations) == [
        [f"::warning file=src/agent.{suffix}", "line=3"] for suffix in sorted(suffixes)
    ], annotations
    assert all("CTX001" in line for line in annotations)
    document = json.loads((runner.workspace / "ctxlint.sarif").read_text())
    uris = {
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for result in document["runs"][0]["results"]
    }
    assert uris == {f"src/agent.{suffix}" for suffix in suffixes}
