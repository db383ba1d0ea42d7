"""What fixing each cause of cache loss would save: the traces simulated again with that cause
neutralised, against the simulation as recorded, overall and per session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ctxlint.simulate.neutralise import FIXES, Neutraliser
from ctxlint.simulate.report import Saving, Totals, summarise
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
    before = summarise(baseline)
    overall: list[Saving] = []
    per_session: dict[SessionKey, list[Saving]] = {}
    done: dict[str, tuple[Totals, dict[SessionKey, Totals]]] = {}
    for code in codes:
        fix = FIXES[code]
        if fix not in done:
            neutraliser = Neutraliser(fix, session_tools)
            simulator = Simulator(options, settings, tokenizers)
            after = summarise(simulator.run(paths, on_request, neutraliser.apply))
            done[fix] = (after.overall, after.sessions)
        overall_after, sessions_after = done[fix]
        overall.append(_saving(code, fix, before.overall, overall_after))
        for key, found in codes_by_session.items():
            if code in found and key in sessions_after:
                per_session.setdefault(key, []).append(
                    _saving(code, fix, before.sessions[key], sessions_after[key])
                )
    return overall, per_session


def _saving(code: str, fix: str, before: Totals, after: Totals) -> Saving:
    return Saving(code, fix, before.hit_rate, after.hit_rate, before.cost, after.cost)
