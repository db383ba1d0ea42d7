"""The readers' property, on a bounded sample: whatever value of a trace is swapped for one of
another type, a huge number or a thousand nested arrays, reading, checking and simulating the
trace raise nothing, and every request the mutation did not touch is still read, unchanged.
The engine is bench/fuzz_traces.py's, which runs the same for a time budget."""

from __future__ import annotations

import importlib.util
import random
import sys

import pytest

from conftest import REPO

_SPEC = importlib.util.spec_from_file_location("fuzz_traces", REPO / "bench" / "fuzz_traces.py")
fuzz_traces = importlib.util.module_from_spec(_SPEC)
# Registered first: its dataclasses look their module up while they are made.
sys.modules["fuzz_traces"] = fuzz_traces
_SPEC.loader.exec_module(fuzz_traces)

# Long line files are fuzzed as their first lines only: the suite stays within seconds.
_PREFIX = 40


def _sample(include_shared: bool):
    chosen = fuzz_traces.sources(include_shared, prefix_lines=(_PREFIX,))
    return [s for s in chosen if s.lines is None or len(s.lines) <= _PREFIX]


def _assert_clean(report):
    assert report.mutants > 0 and report.requests_checked > 0
    assert dict(report.exceptions) == {}, report.examples
    assert report.lost == []


def test_mutants_of_every_fixture_read_and_check_cleanly():
    chosen = _sample(include_shared=False)
    report = fuzz_traces.fuzz(chosen, random.Random(13), mutants_per_source=8, simulate_every=10)
    _assert_clean(report)


@pytest.mark.skipif(not fuzz_traces.SHARED_TRACES.is_dir(), reason="../shared/traces is not here")
def test_mutants_of_every_shared_trace_read_and_check_cleanly():
    chosen = [s for s in _sample(include_shared=True) if s.name.startswith("shared/")]
    report = fuzz_traces.fuzz(chosen, random.Random(13), mutants_per_source=2, simulate_every=8)
    _assert_clean(report)


def test_the_undamaged_rule_would_see_a_lost_request(tmp_path):
    """The property can fail: a request dropped from an undamaged line is reported lost."""
    source = next(
        s for s in _sample(include_shared=False) if s.name.endswith("openai_chat_envelope.jsonl")
    )
    fuzz_traces.prepare(source, tmp_path)
    # The mutant's "mutation" is on line 3, but line 2 is the one emptied.
    lines = list(source.lines)
    lines[1] = b"\n"
    mutation = fuzz_traces.Mutation(3, "/request/model", b"".join(lines))
    report = fuzz_traces.Report()
    fuzz_traces.try_mutant(source, mutation, tmp_path, report, simulate=False)
    assert len(report.lost) == 1 and "(2, '/request')" in report.lost[0]
