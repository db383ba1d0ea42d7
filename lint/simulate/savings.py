"""What fixing each cause of cache loss would save: the traces simulated again with that cause
neutralised, and with every cause neutralised at once, against the simulation as recorded,
overall and per session; most dollars saved first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ctxlint.simulate.neutralise import APPEND_ONLY, FIXES, TOOL_LIST, Neutraliser
from ctxlint.simulate.simulator import Options, RequestResult, Simulator
from ctxlint.simulate.tokens import Tokenizer
from ctxlint.simulate.totals import ALL_FIXES, Saving, Totals, summarise
from ctxlint.text_table import counted
from ctxlint.trace.model import Request

SessionKey = tuple[str, str]

# What a fix keeps in the prompt that the trace left out, when the prompts come out longer.
_KEEPS = {
    TOOL_LIST: "every request carries every tool the session used",
    APPEND_ONLY: "the history is kept whole where the agent cut or compacted it",
}


def savings(
    paths: list[str],
    options: Options,
    settings: Any,
    baseline: list[RequestResult],
    session_tools: dict[SessionKey, tuple],
    tokenizers: dict[str, Tokenizer],
    on_request: Callable[[], None] | None = None,
) -> tuple[list[Saving], dict[SessionKey, list[Saving]]]:
    """One re-simulation per fix whose rule explained a miss, and one with all of them when
    there are several. The whole input is replayed, not only the sessions concerned: sessions
    share caches through replicas, capacity and the prefixes they have in common."""
    codes_by_session: dict[SessionKey, set[str]] = {}
    for result in baseline:
        if result.miss is not None and result.miss.code in FIXES:
            codes_by_session.setdefault((result.path, result.session), set()).add(result.miss.code)
    codes = sorted(set().union(*codes_by_session.values())) if codes_by_session else []
    before = summarise(baseline)
    overall: list[Saving] = []
    per_session: dict[SessionKey, list[Saving]] = {}
    done: dict[tuple[str, ...], tuple[Totals, dict[SessionKey, Totals]]] = {}

    def replay(fixes: tuple[str, ...]) -> tuple[Totals, dict[SessionKey, Totals]]:
        if fixes not in done:
            rewrite = _chained([Neutraliser(fix, session_tools) for fix in fixes])
            simulator = Simulator(options, settings, tokenizers)
            after = summarise(simulator.run(paths, on_request, rewrite))
            done[fixes] = (after.overall, after.sessions)
        return done[fixes]

    for code in codes:
        overall_after, sessions_after = replay((FIXES[code],))
        overall.append(_saving(code, FIXES[code], before.overall, overall_after))
        for key, found in codes_by_session.items():
            if code in found and key in sessions_after:
                per_session.setdefault(key, []).append(
                    _saving(code, FIXES[code], before.sessions[key], sessions_after[key])
                )
    every = tuple(sorted({FIXES[code] for code in codes}))
    if len(every) > 1:
        overall_after, sessions_after = replay(every)
        overall.append(_saving(ALL_FIXES, _listed(codes), before.overall, overall_after))
        for key, found in codes_by_session.items():
            if len({FIXES[code] for code in found}) > 1 and key in sessions_after:
                fixed = _listed(sorted(found))
                per_session.setdefault(key, []).append(
                    _saving(ALL_FIXES, fixed, before.sessions[key], sessions_after[key])
                )
    return _by_dollars(overall), {key: _by_dollars(found) for key, found in per_session.items()}


def _chained(neutralisers: list[Neutraliser]) -> Callable[[Request], Request]:
    """Each fix applied to what the fixes before it made of the request."""

    def apply(request: Request) -> Request:
        for neutraliser in neutralisers:
            request = neutraliser.apply(request)
        return request

    return apply


def _listed(codes: list[str]) -> str:
    return "every fix: " + ", ".join(codes)


def _by_dollars(found: list[Saving]) -> list[Saving]:
    return sorted(found, key=lambda saving: (-saving.saved, saving.code))


def _saving(code: str, fix: str, before: Totals, after: Totals) -> Saving:
    return Saving(
        code,
        fix,
        before.hit_rate,
        after.hit_rate,
        before.cost,
        after.cost,
        why=_why_dearer(code, fix, before, after),
    )


def _why_dearer(code: str, fix: str, before: Totals, after: Totals) -> str | None:
    """In words, why a fix costs more than the recorded run: None when it does not."""
    if after.cost <= before.cost:
        return None
    grown = after.prompt_tokens - before.prompt_tokens
    more_read = after.cached - before.cached
    if grown > 0:
        more = counted(grown, "more prompt token")
        keeps = f"{_KEEPS.get(fix, 'the prompts come out longer')}, {more}"
        if fix == APPEND_ONLY and code == "CTX006":
            return (
                f"{keeps}: compaction keeps the prompt short, so undoing it costs more than the"
                " misses it causes"
            )
        if more_read > 0:
            return f"{keeps}: they cost more than the cache reads the fix wins back"
        return f"{keeps}, and no more is read from the cache while the other causes remain"
    if after.written > before.written:
        written = after.written - before.written
        return (
            f"{counted(written, 'more token')} {'is' if written == 1 else 'are'} written to the"
            f" cache, at the write premium, than reading {'it' if written == 1 else 'them'} back"
            " saves"
        )
    return "what the fix reads from the cache costs more than it saves"
