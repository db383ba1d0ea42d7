"""bench/typescript_speed.py runs offline and counts what it says it counts: the TS/JS files a
walk finds, those passing the prefilter and those parsed (a bundle passes but is not parsed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO

AGENT = (
    'import { generateText } from "ai";\n'
    "export const ask = (model, q) => generateText({ model, system: 'Be terse.', prompt: q });\n"
)


def test_the_bench_reports_files_walked_prefiltered_and_parsed(tmp_path: Path):
    tree = tmp_path / "app"
    (tree / "src").mkdir(parents=True)
    (tree / "src" / "agent.ts").write_text(AGENT)
    (tree / "src" / "Button.tsx").write_text("export const Button = () => <b>Hi</b>;\n")
    (tree / "src" / "types.d.ts").write_text("export type T = string;\n")
    (tree / "public").mkdir()
    (tree / "public" / "sdk.min.js").write_text(AGENT)
    ctxlint = Path(sys.executable).parent / "ctxlint"
    # Any quick command stands in for oxlint: the Python running the tests, given `-c PATH`
    # and failing at once.
    bench = [sys.executable, str(REPO / "bench" / "typescript_speed.py"), str(tree)]
    options = ["--runs", "1", "--ctxlint", str(ctxlint), "--oxlint", sys.executable]
    result = subprocess.run(
        [*bench, *options],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    [row] = [line for line in result.stdout.splitlines() if line.startswith("| app |")]
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[:5] == ["app", "ctxlint", "3", "2", "1"], row
    assert "target: ratio <= 3.0" in result.stdout
