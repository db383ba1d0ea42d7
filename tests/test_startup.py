"""What `ctxlint FILE` loads when the results cache answers: not the Python analysis, the trace
readers, the simulator or jsonschema. bench/startup.py times the start; this keeps the lazy
imports that make it fast from being undone by an innocent top-level import."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "fixtures" / "examples" / "support_agent.py"

# The modules of ctxlint.python that hold no analysis: what rules declare (their triggers), the
# configuration's prompt sinks, and the import resolution the engine resets every run.
LIGHT_ANALYSIS = {
    "ctxlint.python",
    "ctxlint.python.framework_flags",
    "ctxlint.python.imports",
    "ctxlint.python.triggers",
}
# Of the trace package, only the schema predicate, which validates a configuration.
LIGHT_TRACE = {"ctxlint.trace", "ctxlint.trace.schema_check"}
HEAVY_LIBRARIES = ("jsonschema", "libcst", "tiktoken", "yaml", "jinja2", "tree_sitter")

# Run in a fresh interpreter (this one has imported everything); prints what it imported.
_PROBE = """
import json, sys
from ctxlint.cli import main
try:
    main(sys.argv[1:], prog_name="ctxlint")
except SystemExit as end:
    code = end.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _run(folder: Path) -> tuple[int, set[str], str]:
    report = folder / "report.txt"
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE, "support_agent.py", "--output-file", str(report)],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    outcome = json.loads(completed.stdout.splitlines()[-1])
    return outcome["code"], set(outcome["modules"]), report.read_text(encoding="utf-8")


def _in_package(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


@pytest.mark.parametrize("configured", [False, True], ids=["defaults", "tool-ctxlint"])
def test_a_run_answered_from_the_cache_loads_no_analysis(tmp_path: Path, configured: bool) -> None:
    shutil.copy(EXAMPLE, tmp_path / "support_agent.py")
    if configured:
        (tmp_path / "pyproject.toml").write_text(
            "[tool.ctxlint]\n"
            'extend-select = ["CTX100"]\n'
            'per-file-ignores = {"tests/*" = ["CTX001"]}\n'
            'exclude = ["build"]\n'
            'prompt-sinks = [{call = "app.llm.ask", prefix = ["system"]}]\n',
            encoding="utf-8",
        )
    cold_code, cold_modules, cold_report = _run(tmp_path)
    warm_code, warm_modules, warm_report = _run(tmp_path)

    # The first run parsed the file: the probe sees what a run imports.
    assert "ctxlint.python.module" in cold_modules
    assert "CTX001" in cold_report
    # The second is answered from the cache, with the same findings and exit code.
    assert (warm_code, warm_report) == (cold_code, cold_report)
    assert {m for m in warm_modules if _in_package(m, "ctxlint.python")} <= LIGHT_ANALYSIS
    assert {m for m in warm_modules if _in_package(m, "ctxlint.trace")} <= LIGHT_TRACE
    assert not {m for m in warm_modules if m.startswith("ctxlint.simulate")}
    # A run without prompt files reads none: only the names that tell one (prompt_matching).
    prompt_modules = ("ctxlint.prompt_files", "ctxlint.prompt_run", "ctxlint.prompt_checker")
    assert not {m for m in cold_modules | warm_modules if m.startswith(prompt_modules)}
    assert "jinja2" not in {m.split(".")[0] for m in cold_modules | warm_modules}
    # Nor TypeScript: tree-sitter and its grammars load only when a TS/JS file is parsed.
    script_modules = ("ctxlint.typescript_run", "ctxlint.typescript.", "tree_sitter")
    assert not {m for m in cold_modules | warm_modules if m.startswith(script_modules)}
    assert not {m.split(".")[0] for m in warm_modules} & set(HEAVY_LIBRARIES)
