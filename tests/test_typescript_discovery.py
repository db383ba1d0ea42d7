"""Which TypeScript and JavaScript files a run reads: every suffix of the two languages, not
declaration files, not what node_modules, dist and build hold; a file named on the command
line (or standard input named by --stdin-filename) always."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from ctxlint.cli import main
from ctxlint.discovery import find_inputs
from ctxlint.rule import InputKind
from ctxlint.typescript import looks_like_a_test

from conftest import make_settings

SCRIPTS = [
    "src/agent.ts",
    "src/chat.tsx",
    "src/esm.mts",
    "src/cjs.cts",
    "lib/plain.js",
    "lib/view.jsx",
    "lib/module.mjs",
    "lib/common.cjs",
]
PASSED_BY = [
    "src/types.d.ts",
    "src/esm.d.mts",
    "node_modules/openai/index.js",
    "dist/agent.js",
    "build/agent.js",
    "packages/web/node_modules/ai/dist/index.mjs",
]
FLAGGED = (
    'import { generateText } from "ai";\n'
    "export const ask = (model, q) =>\n"
    "  generateText({ model, system: `Now ${new Date().toISOString()}`, prompt: q });\n"
)


def _tree(root: Path, names: list[str], text: str = "export {};\n") -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _kinds(root: Path) -> dict[str, str]:
    found = find_inputs([str(root)], make_settings({}, root)).files
    return {os.path.relpath(f.path, root): f.kind.value for f in found}


def test_a_walk_finds_every_script_suffix_and_passes_declarations_and_builds_by(tmp_path):
    _tree(tmp_path, SCRIPTS + PASSED_BY)
    assert _kinds(tmp_path) == dict.fromkeys(SCRIPTS, "typescript")


def test_a_declaration_file_named_on_the_command_line_is_checked(tmp_path):
    _tree(tmp_path, ["types.d.ts"])
    named = str(tmp_path / "types.d.ts")
    [found] = find_inputs([named], make_settings({}, tmp_path)).files
    assert (found.kind, found.explicit) == (InputKind.TYPESCRIPT, True)


def _run(args: list[str], cwd: Path, stdin: str | None = None):
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, args, input=stdin, catch_exceptions=False)
    finally:
        os.chdir(previous)


def test_a_walk_reports_what_a_script_sends(tmp_path):
    _tree(tmp_path, ["app/agent.ts"], FLAGGED)
    _tree(tmp_path, ["dist/agent.js"], FLAGGED)
    result = _run(["--output-format", "concise", "."], tmp_path)
    assert result.exit_code == 1
    assert "app/agent.ts:3:40: CTX001" in result.output
    assert "dist/" not in result.output


def test_standard_input_is_read_as_the_script_it_is_named_as(tmp_path):
    result = _run(["-", "--stdin-filename", "src/x.ts", "-q"], tmp_path, stdin=FLAGGED)
    assert result.exit_code == 1
    assert "src/x.ts:3:40: CTX001" in result.output
    # Named as Python, the same text is no finding of CTX001 (it does not parse as Python).
    result = _run(["-", "--stdin-filename", "x.py", "-q"], tmp_path, stdin=FLAGGED)
    assert "CTX001" not in result.output


def test_add_noqa_leaves_scripts_as_they_are(tmp_path):
    _tree(tmp_path, ["agent.ts"], FLAGGED)
    result = _run(["--add-noqa", "agent.ts"], tmp_path)
    assert (tmp_path / "agent.ts").read_text(encoding="utf-8") == FLAGGED
    assert "1 finding in TypeScript or JavaScript left as they are" in result.output


def test_many_scripts_are_checked_in_workers_with_the_same_findings(tmp_path):
    from ctxlint.engine import check_paths

    names = [f"app/agent_{number:03}.ts" for number in range(260)]
    _tree(tmp_path, names, FLAGGED)
    _tree(tmp_path, [f"ui/button_{n}.tsx" for n in range(40)], "export const B = () => null;\n")
    settings = make_settings({}, tmp_path)
    alone = check_paths([str(tmp_path)], settings, jobs=1)
    together = check_paths([str(tmp_path)], settings, jobs=2)
    found = [(d.path, d.start.line, d.code) for d in together.diagnostics]
    assert found == [(d.path, d.start.line, d.code) for d in alone.diagnostics]
    assert len(found) == 260
    assert together.files_checked == 300


@pytest.mark.parametrize(
    ("path", "test"),
    [
        ("src/agent.test.ts", True),
        ("src/agent.spec.tsx", True),
        ("pkg/src/__tests__/agent.ts", True),
        ("pkg/__mocks__/client.mjs", True),
        ("src/agent.ts", False),
        ("src/testing-utils.ts", False),
        # A folder named test(s) may hold the whole checkout being linted.
        ("/home/ci/tests/my-agent/src/agent.ts", False),
        ("C:\\work\\test\\agent\\src\\prompt.ts", False),
    ],
)
def test_a_test_file_is_told_by_its_name_or_a_folder_only_tests_use(path, test):
    assert looks_like_a_test(path) is test
