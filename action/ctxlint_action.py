"""The steps of the ctxlint GitHub Action (action.yml): `install` puts ctxlint in a virtual
environment of its own, `check` runs it with workflow annotations (and SARIF when asked) and
writes the step's outputs and summary.

Run by the runner's Python before ctxlint is installed, so it uses the standard library only.
Inputs arrive as environment variables (CTXLINT_*), never pasted into a shell script.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

# `0.1.0`, `v0.1.0`, `1.0rc1`: one release.
_VERSION = re.compile(r"v?(\d+(?:\.\d+)*(?:(?:a|b|rc|\.post|\.dev)\d+)*)")
# `>=0.1,<0.2`: a range pip chooses within (pip checks the rest).
_SPECIFIER = re.compile(r"[<>=!~][<>=!~0-9A-Za-z.*+, ]*")
# One workflow command per line: `::warning file=a.py,line=3,...,title=CTX001 (name)::text`.
_ANNOTATION = re.compile(r"::(warning|error) (?P<properties>[^:]*)::")


# `check` options that replace the findings with something else (or write to the checkout).
_NOT_FINDINGS = frozenset(
    {"--statistics", "--show-settings", "--show-files", "--diff", "--add-noqa"}
)


class InputError(Exception):
    """An input the action cannot use; reported as an error annotation."""


def requirement(version: str, action_path: str) -> str:
    """What pip installs for the `version` input."""
    version = version.strip()
    if not version:
        # The action's own checkout: the ctxlint of the ref named in `uses:`.
        return action_path
    if version == "latest":
        return "ctxlint"
    if match := _VERSION.fullmatch(version):
        return f"ctxlint=={match.group(1)}"
    if _SPECIFIER.fullmatch(version):
        return f"ctxlint{version}"
    raise InputError(
        f"version {version!r}: expected nothing (the action's own ctxlint), `latest`, a version "
        "such as 0.1.0 or a specifier such as >=0.1,<0.2"
    )


def _executable(folder: Path, name: str) -> Path:
    # A virtual environment keeps its programs in Scripts\ on Windows, bin/ elsewhere.
    if os.name == "nt":
        return folder / "Scripts" / f"{name}.exe"
    return folder / "bin" / name


def _write_output(name: str, value: str) -> None:
    with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as outputs:
        outputs.write(f"{name}={value}\n")


def _append(variable: str, text: str) -> None:
    target = os.environ.get(variable)
    if target:
        with open(target, "a", encoding="utf-8") as stream:
            stream.write(text)


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def install() -> int:
    try:
        version = os.environ.get("CTXLINT_VERSION", "")
        wanted = requirement(version, os.environ["GITHUB_ACTION_PATH"])
    except InputError as error:
        print(f"::error title=ctxlint action::{_escape(str(error))}", flush=True)
        return 2
    home = Path(os.environ["RUNNER_TEMP"]) / "ctxlint-action"
    environment = home / "venv"
    # Its own environment: the runner's Python may refuse packages (PEP 668), and the job's
    # own dependencies stay as they were.
    made = subprocess.run(
        [sys.executable, "-m", "venv", "--clear", str(environment)], capture_output=True, text=True
    )
    if made.returncode != 0:
        # Debian's python3 without its python3-venv package, for one.
        reason = f"{sys.executable} cannot make a virtual environment: {made.stderr.strip()}"
        print(f"::error title=ctxlint action::{_escape(reason)}", flush=True)
        print("Set the action's python-version input to install a Python that can.", flush=True)
        return 2
    python = _executable(environment, "python")
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    if subprocess.run([*pip, wanted]).returncode != 0:
        print(f"::error title=ctxlint action::{_escape(f'pip could not install {wanted}')}")
        return 2
    command = _executable(environment, "ctxlint")
    # Later steps of the job can run `ctxlint` too; only the command goes on PATH, not the
    # environment's python and pip, which would hide the job's own.
    commands = home / "bin"
    commands.mkdir(parents=True, exist_ok=True)
    shown = commands / command.name
    shown.unlink(missing_ok=True)
    try:
        shown.symlink_to(command)
    except OSError:
        shutil.copy2(command, shown)
    _append("GITHUB_PATH", f"{commands}\n")
    version = subprocess.run([str(command), "--version"], capture_output=True, text=True)
    print(version.stdout.strip(), flush=True)
    _write_output("ctxlint", str(command))
    return 0


def _properties(annotation: str) -> dict[str, str]:
    match = _ANNOTATION.match(annotation)
    if match is None:
        return {}
    found = {}
    for pair in match.group("properties").split(","):
        key, _, value = pair.partition("=")
        for escaped, character in (("%2C", ","), ("%3A", ":"), ("%0A", "\n"), ("%0D", "\r")):
            value = value.replace(escaped, character)
        found[key] = value.replace("%25", "%")
    return found


def _summary(annotations: list[dict[str, str]], exit_code: int, sarif_file: str) -> str:
    """Markdown for the job's summary page: how many findings, by rule."""
    files = {annotation.get("file", "") for annotation in annotations}
    noun = "finding" if len(annotations) == 1 else "findings"
    lines = ["### ctxlint", ""]
    if annotations:
        where = f"{len(files)} file" + ("" if len(files) == 1 else "s")
        lines.append(f"{len(annotations)} {noun} in {where}.")
    elif exit_code == 0:
        lines.append("No findings.")
    if exit_code == 2:
        lines.append("Some input could not be checked (exit code 2): the job's log says which.")
    if annotations:
        rules = Counter(annotation.get("title", "?") for annotation in annotations)
        lines += ["", "| Rule | Findings |", "|---|---|"]
        lines += [f"| {rule} | {count} |" for rule, count in sorted(rules.items())]
    if sarif_file:
        lines += ["", f"SARIF written to `{sarif_file}`."]
    return "\n".join(lines) + "\n"


def check() -> int:
    command = os.environ["CTXLINT_COMMAND"]
    try:
        options = shlex.split(os.environ.get("CTXLINT_ARGS", ""))
        sources = shlex.split(os.environ.get("CTXLINT_SRC", ""))
    except ValueError as error:  # An unclosed quote.
        print(f"::error title=ctxlint action::{_escape(f'args or src: {error}')}", flush=True)
        return 2
    # The action writes the annotations to the log and the SARIF file itself; a format or file
    # given in `args` would leave the pull request without annotations.
    taken = [o for o in options if o.split("=", 1)[0] in ("--output-format", "--output-file")]
    if taken:
        reason = f"args: {taken[0]} is the action's to set (use the sarif-file input for SARIF)"
        print(f"::error title=ctxlint action::{_escape(reason)}", flush=True)
        return 2
    # Options whose output is no list of findings: the job would end with no annotation, and
    # its summary would say nothing (or "No findings." when nothing was checked).
    other = [o for o in options if o in _NOT_FINDINGS]
    if other:
        reason = f"args: {other[0]} prints no findings, so the action would annotate nothing"
        print(f"::error title=ctxlint action::{_escape(reason)}", flush=True)
        return 2
    paths = ["--", *sources] if sources else []
    environment = dict(os.environ)
    # The results cache outside the checkout, where no later step commits or uploads it.
    environment.setdefault(
        "CTXLINT_CACHE_DIR", str(Path(os.environ["RUNNER_TEMP"]) / "ctxlint-action" / "cache")
    )
    sarif_file = shown_sarif = ""
    wanted = os.environ.get("CTXLINT_SARIF_FILE", "").strip()
    if wanted:
        target = Path(wanted).resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        # The same check a second time, for code scanning: Python files are answered from the
        # results cache the first run filled. The annotations run below prints the notes.
        sarif = [*options, "--output-format", "sarif", "--output-file", str(target)]
        written = subprocess.run(
            [command, "check", *sarif, "--exit-zero", "--quiet", *paths],
            env=environment,
            stderr=subprocess.PIPE,
            text=True,
        )
        if written.returncode != 0:
            sys.stderr.write(written.stderr)
        if target.is_file():
            sarif_file = str(target)
            shown_sarif = wanted
    # The action's format comes after the user's options, so that it is the one that counts.
    result = subprocess.run(
        [command, "check", *options, "--output-format", "github", *paths],
        env=environment,
        stdout=subprocess.PIPE,
        text=True,
    )
    sys.stdout.write(result.stdout)
    sys.stdout.flush()
    annotations = [
        _properties(line) for line in result.stdout.splitlines() if _ANNOTATION.match(line)
    ]
    exit_code = result.returncode
    if wanted and not sarif_file:
        # Asked for and not there: an upload-sarif step after this one would fail on it.
        reason = f"sarif-file {wanted}: not written (the log above says why)"
        print(f"::error title=ctxlint action::{_escape(reason)}", flush=True)
        exit_code = 2
    _write_output("exit-code", str(exit_code))
    _write_output("findings", str(len(annotations)))
    _write_output("sarif-file", sarif_file)
    _append("GITHUB_STEP_SUMMARY", _summary(annotations, exit_code, shown_sarif))
    return exit_code


def main(argv: list[str]) -> int:
    steps = {"install": install, "check": check}
    if len(argv) != 1 or argv[0] not in steps:
        print(f"usage: ctxlint_action.py {'|'.join(steps)}", file=sys.stderr)
        return 2
    return steps[argv[0]]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
