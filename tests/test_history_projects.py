"""Histories rewritten across modules (CTX006): multi-file fixtures under fixtures/projects/.

The rewrite sits in one module and the history is sent from another: the project resolves the
callee (an imported function, a method of an instance whose class is known) and
`summaries.summary_at` applies its module's summary at the call site; a get()/set() round trip
through a store of another module is round_trip.py's.
"""

from __future__ import annotations

import os

import pytest

from ctxlint.config import Settings
from ctxlint.engine import check_paths

from conftest import REPO

PROJECTS = REPO / "fixtures" / "projects"
CASES = [
    "session_store_window",
    "session_store_window_fixed",
    "memory_prepend",
    "memory_prepend_fixed",
]


def _findings(folder) -> list[str]:
    report = check_paths([str(folder)], Settings(root=folder))
    return [
        f"{os.path.relpath(d.path, folder)}:{d.start.line}:{d.start.column}: {d.code}"
        for d in report.diagnostics
        if d.code == "CTX006"
    ]


@pytest.mark.parametrize("name", CASES)
def test_history_rewritten_in_another_module(name):
    folder = PROJECTS / name
    expected = [line for line in (folder / "expected").read_text().split("\n") if line]
    assert _findings(folder) == expected
