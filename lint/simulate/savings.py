"""What fixing each cause of cache loss would save: the traces simulated again with that cause
neutralised, against the simulation as recorded, overall and per session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ctxlint.simulate.neutralise import FIXES, Neutraliser
from ctxlint.simulate.report import Saving, Totals
from ctxlint.simulate.simulator import Options, RequestResult, Simulator
from ctxlint.simulate.tokens import Tokenizer

SessionKey = tuple[str, str]


def savings(
    paths: list[str],
    options: Options,
    settings: Any,
    baseline: list[RequestResult],
    session_tools: dict[SessionKey, tuple],
    tokenizers: dict[str, Tokenizer],
    on_request: Callable[[], None] | None = None,
) -> tuple[list[Saving], dict[SessionKey, list[Saving]]]:
    """One re-simulation per fix whose rule explained a miss. The whole input is replayed, not
    only the sessions concerned: sessions share caches through replicas, capacity and the
    prefixes they have in common."""
    codes_by_session: dict[SessionKey, set[str]] = {}
    for result in baseline:
        if result.miss is not None and result.miss.code in FIXES:
            codes_by_session.setdefault((result.path, result.session), set()).add(result.miss.code)
    codes = sorted(set().union(*codes_by_session.values())) if codes_by_session else []
    overall_before = _totals(baseline)
    sessions_before = _by_session(baseline)
    overall: list[Saving] = []
    per_session: dict[SessionKey, list[Saving]] = {}
    done: dict[str, tuple[Totals, dict[SessionKey, Totals]]] = {}
    for code in codes:
        fix = FIXES[code]
        if fix not in done:
            neutraliser = Neutraliser(fix, session_tools)
            simulator = Simulator(options, settings, tokenizers)
            results = list(simulator.run(paths, on_request, neutraliser.apply))
            done[fix] = (_totals(results), _by_session(results))
        overall_after, sessions_after = done[fix]
        overall.append(_saving(code, fix, overall_before, overall_after))
        for key, found in codes_by_session.items():
            if code in found and key in sessions_after:
                per_session.setdefault(key, []).append(
                    _saving(code, fix, sessions_before[key], sessions_after[key])
                )
    return overall, per_session


def _totals(results: list[RequestResult]) -> Totals:
    totals = Totals()
    for result in results:
        totals.add(result)
    return totals


def _by_session(results: list[RequestResult]) -> dict[SessionKey, Totals]:
    found: dict[SessionKey, Totals] = {}
    for result in results:
        found.setdefault((result.path, result.session), Totals()).add(result)
    return found


def _saving(code: str, fix: str, before: Totals, after: Totals) -> Saving:
    return Saving(code, fix, before.hit_rate, after.hit_rate, before.cost, after.cost)
