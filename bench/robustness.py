"""Runs every rule over every Python file under the given folders with the prefilter turned off,
so that the whole analysis meets every construct in them; reports crashes and findings.

    python bench/robustness.py /usr/lib/python3.11 .venv/lib/python3.11/site-packages
"""

from __future__ import annotations

import collections
import sys
import time

from ctxlint.config import Settings
from ctxlint.discovery import discover
from ctxlint.engine import FixMode, PythonChecker, _check_path
from ctxlint.python.prefilter import Prefilter
from ctxlint.registry import all_rules


def main(folders: list[str]) -> int:
    settings = Settings(exclude=(".git", "__pycache__"))
    checker = PythonChecker(settings, all_rules())
    checker.prefilter = _AcceptAll()
    files, missing = discover(folders, settings)
    started = time.perf_counter()
    codes: collections.Counter[str] = collections.Counter()
    crashes = 0
    for input_file in files:
        if input_file.path.endswith((".py", ".pyi")):
            _, result, _ = _check_path(checker, input_file.path, FixMode.CHECK)
            if result is None:
                continue
            for problem in result.problems:
                crashes += 1
                print(f"{input_file.path}: {problem}")
            codes.update(d.code for d in result.diagnostics)
    elapsed = time.perf_counter() - started
    print(f"{len(files)} files in {elapsed:.1f} s; crashes: {crashes}; findings: {dict(codes)}")
    return 1 if crashes or missing else 0


class _AcceptAll(Prefilter):
    def __init__(self) -> None:
        pass

    def wanted(self, data: bytes) -> bool:
        return True


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
