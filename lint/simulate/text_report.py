"""A simulation as text: the summary first, then a table of sessions, the misses that lost the
most tokens, and a bar per request only for the sessions asked for."""

from __future__ import annotations

import os
import shlex
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from ctxlint.redact import evidence, visible
from ctxlint.simulate.diagnosis import describe
from ctxlint.simulate.report_labels import (
    DISAGREES,
    Paths,
    SessionKey,
    agreement,
    fix_name,
    selects,
    session_label,
)
from ctxlint.simulate.results import RequestResult
from ctxlint.simulate.totals import ALL_FIXES, Saving, Simulation, Totals, money, percent
from ctxlint.text_table import RIGHT, Column, Row, counted, render_table

# How many misses the report lists, most tokens lost first (JSON and HTML list all).
TOP_MISSES = 10
# Characters of a request's bar.
BAR_WIDTH = 40


@dataclass(frozen=True, slots=True)
class TextOptions:
    # Bars for every request.
    requests: bool = False
    # Bars for the sessions these select (see `selects`).
    sessions: Collection[str] = ()
    # The summary alone.
    quiet: bool = False
    top_misses: int = TOP_MISSES
    # The folder paths are shown relative to, when they are under it (default: the current one).
    folder: str | None = None
    # One-line explanations of what the harness does on purpose, under the summary's figures
    # (see summary_lines).
    by_design: Sequence[str] = ()


def render_text(simulation: Simulation, options: TextOptions | None = None) -> str:
    options = options or TextOptions()
    paths = Paths(options.folder)
    lines = summary_lines(simulation, options.by_design)
    lines.extend(_savings(simulation.savings))
    if not options.quiet:
        if len(simulation.sessions) > 1:
            lines.extend(_sessions(simulation, paths))
        lines.extend(_misses(simulation.requests, options.top_misses, paths))
        lines.extend(_diagnoses(simulation.requests, options.top_misses))
        chosen = [
            key
            for key in simulation.sessions
            if options.requests or any(selects(part, key) for part in options.sessions)
        ]
        if chosen:
            lines.extend(_requests(simulation, chosen, paths))
    notes = simulation.notes()
    if notes:
        lines.extend(["", "Notes", *(f"  {note}" for note in notes)])
    return "\n".join(lines) + "\n"


def summary_lines(simulation: Simulation, by_design: Iterable[str] = ()) -> list[str]:
    """The figures of the whole simulation, headline first. `by_design` are one-line
    explanations of losses the harness causes on purpose (an agent's own compaction, say),
    told apart by whoever calls: each is printed as it is, on a line of its own."""
    overall = simulation.overall
    policies = ", ".join(sorted(overall.policies)) or "–"
    lines = [
        f"Simulated {counted(overall.requests, 'request')} in"
        f" {counted(len(simulation.sessions), 'session')} ({policies})",
        f"  hit rate     {percent(overall.hit_rate)} (ideal {percent(overall.hit_rate_ideal)})",
        f"  cost         {money(overall.cost)} (ideal {money(overall.cost_ideal)})"
        + _reported_cost(overall),
    ]
    if overall.compared:
        lines.append(
            f"  agreement    {overall.agreeing:,} of {counted(overall.compared, 'request')}"
            f" {'agrees' if overall.compared == 1 else 'agree'} with the reported cache use"
            f" ({percent(overall.agreement)})"
        )
    if overall.diagnosed:
        lines.append(
            f"  diagnostics  on {counted(overall.diagnosed, 'request')}: ctxlint's cause agrees"
            f" with the provider's on {overall.diagnoses_agreeing} of"
            f" {overall.diagnoses_compared} compared ({percent(overall.diagnosis_agreement)})"
        )
    if overall.misses:
        lines.append(
            f"  misses       {counted(overall.misses, 'request')} lost"
            f" {counted(overall.tokens_lost, 'cached token')}"
            f" {'it' if overall.misses == 1 else 'they'} could have kept"
        )
    lines.extend(f"  {line}" for line in by_design)
    return lines


def check_summary(
    simulation: Simulation, by_design: Iterable[str] = (), traces: Sequence[str] = ()
) -> list[str]:
    """The few lines a plain check prints after its findings on traces: the figures, what the
    harness does by design, the caveats in short, and the command that shows the rest (for
    the one trace checked, else for any PATH)."""
    lines = summary_lines(simulation, by_design)
    lines.extend(f"  note: {note}" for note in short_notes(simulation))
    path = shlex.quote(visible(traces[0])) if len(traces) == 1 else "PATH"
    lines.append(
        f"  `ctxlint simulate {path}` shows each session, the misses and what fixing them saves"
    )
    return lines


def short_notes(simulation: Simulation) -> list[str]:
    """The caveats of Simulation.notes, a short line each."""
    from ctxlint.simulate.facts import best_effort

    notes = []
    approximate = simulation.approximate_models
    if approximate:
        which = (
            evidence(approximate[0], 60)
            if len(approximate) == 1
            else counted(len(approximate), "model")
        )
        notes.append(f"token counts are approximate for {which} (tokenizer not public)")
    unpriced = simulation.unpriced_models
    if unpriced:
        which = evidence(unpriced[0], 60) if len(unpriced) == 1 else counted(len(unpriced), "model")
        notes.append(f"no prices for {which} (counted as 0)")
    hedged = best_effort(simulation.overall.policies)
    if hedged:
        notes.append(f"{', '.join(hedged)}: a best-effort cache, the figures are an expectation")
    return notes


def _reported_cost(overall: Totals) -> str:
    if not overall.reported_requests:
        return ""
    if overall.reported_requests == overall.requests:
        return f", reported {money(overall.cost_reported)}"
    return (
        f", reported {money(overall.cost_reported)} ({overall.reported_requests:,} of"
        f" {counted(overall.requests, 'request')} report their cache use)"
    )


def _savings(savings: list[Saving]) -> list[str]:
    """Savings first, most dollars first; then the fixes that would cost more, with why."""
    if not savings:
        return []
    rows = []
    for saving in savings:
        if saving.saved > 0:
            saves = money(saving.saved)
        elif saving.why is None:
            saves = "nothing"
        else:
            saves = f"costs {money(-saving.saved)} more"
        rows.append(
            Row(
                (
                    fix_name(saving),
                    saving.what,
                    saves,
                    f"{money(saving.cost_before)} → {money(saving.cost_after)}",
                    f"{percent(saving.hit_rate_before)} → {percent(saving.hit_rate_after)}",
                ),
                saving.why if saving.saved < 0 else None,
            )
        )
    columns = (
        Column("RULE"),
        Column("FIX"),
        Column("SAVES", RIGHT),
        Column("COST", RIGHT),
        Column("HIT RATE", RIGHT),
    )
    return [
        "",
        "What fixing each cause would save (the traces simulated again without it)",
        *render_table(columns, rows, indent="  "),
    ]


def _sessions(simulation: Simulation, paths: Paths) -> list[str]:
    """One row per session, in the order the files were given."""
    files = [path for path, _ in simulation.sessions]
    folder = paths.common_folder(files)
    one_file = len(set(files)) == 1
    columns = [
        Column("SESSION"),
        Column("REQUESTS", RIGHT),
        Column("HIT RATE", RIGHT),
        Column("IDEAL", RIGHT),
        Column("COST", RIGHT),
        Column("IDEAL", RIGHT),
        Column("TOKENS LOST", RIGHT),
        Column("AGREES", RIGHT),
    ]
    if not one_file:
        columns.append(Column("FILE"))
    rows = []
    for (path, session), totals in simulation.sessions.items():
        cells = [
            session_label(session),
            f"{totals.requests:,}",
            percent(totals.hit_rate),
            percent(totals.hit_rate_ideal),
            money(totals.cost),
            money(totals.cost_ideal),
            f"{totals.tokens_lost:,}" if totals.misses else "–",
            agreement(totals),
        ]
        if not one_file:
            cells.append(paths.under(path, folder))
        rows.append(cells)
    where = paths.shown(files[0]) if one_file else paths.shown(folder) + os.sep
    return [
        "",
        f"{counted(len(rows), 'session')} in {where}",
        *render_table(columns, rows, indent="  "),
    ]


def _misses(results: list[RequestResult], top: int, paths: Paths) -> list[str]:
    missed = [result for result in results if result.miss is not None]
    if not missed:
        return []
    missed.sort(key=lambda result: -result.miss.tokens_lost)  # type: ignore[union-attr]
    shown = missed[:top]
    rows = []
    for result in shown:
        miss = result.miss
        assert miss is not None
        rows.append(
            Row(
                (
                    f"{miss.tokens_lost:,}",
                    miss.code or "–",
                    f"{miss.segment} character {miss.offset}",
                    f"#{result.index}",
                    session_label(result.session),
                    paths.place(result.path, result.line),
                ),
                miss.reason,
            )
        )
    columns = (
        Column("TOKENS LOST", RIGHT),
        Column("RULE"),
        Column("WHERE"),
        Column("REQUEST", RIGHT),
        Column("SESSION"),
        Column("FILE:LINE"),
    )
    if len(missed) > len(shown):
        title = f"The {len(shown)} misses that lost the most tokens (of {len(missed):,})"
    elif len(missed) == 1:
        title = "1 miss"
    else:
        title = f"{len(missed):,} misses, most tokens lost first"
    return ["", title, *render_table(columns, rows, indent="  ")]


def _diagnoses(results: list[RequestResult], top: int) -> list[str]:
    """The provider's own verdicts beside ctxlint's: those that differ first."""
    diagnosed = [result for result in results if result.diagnosis is not None]
    if not diagnosed:
        return []
    order = {False: 0, None: 1, True: 2}
    diagnosed.sort(key=lambda result: order[result.diagnosis_agrees])
    rows = [
        (
            f"#{result.index}",
            session_label(result.session),
            describe(result.diagnosis) + _verdict(result),  # type: ignore[arg-type]
        )
        for result in diagnosed[:top]
    ]
    more = f" ({len(rows)} of {len(diagnosed):,})" if len(diagnosed) > len(rows) else ""
    return [
        "",
        f"The provider's diagnosis beside ctxlint's{more}",
        *render_table(("REQUEST", "SESSION", "VERDICT"), rows, indent="  "),
    ]


def _verdict(result: RequestResult) -> str:
    if result.diagnosis_agrees is None:
        return " (not compared)"
    if result.diagnosis_agrees:
        return ": ctxlint agrees"
    return ": ctxlint's cause differs"


def _requests(simulation: Simulation, chosen: list[SessionKey], paths: Paths) -> list[str]:
    """A bar per request of each chosen session, its misses and verdicts under it."""
    by_session: dict[SessionKey, list[RequestResult]] = {key: [] for key in chosen}
    for result in simulation.requests:
        found = by_session.get((result.path, result.session))
        if found is not None:
            found.append(result)
    lines = ["", "Requests"]
    for number, (key, results) in enumerate(by_session.items()):
        totals = simulation.sessions[key]
        size = counted(totals.requests, "request")
        if number:
            lines.append("")
        lines.append(
            f"{paths.shown(key[0])}  session {evidence(key[1])}: {size},"
            f" hit rate {percent(totals.hit_rate)} (ideal {percent(totals.hit_rate_ideal)}),"
            f" cost {money(totals.cost)} (ideal {money(totals.cost_ideal)})"
        )
        lines.extend(render_table(_REQUEST_COLUMNS, [_request_row(r) for r in results], "  "))
        for saving in simulation.session_savings.get(key, []):
            lines.append(f"  {_saving_sentence(saving)}")
    if any(r.agrees is False for results in by_session.values() for r in results):
        lines.append(f"  {DISAGREES}: the predicted cached tokens are not the reported ones")
    return lines


_REQUEST_COLUMNS = (
    Column("REQUEST"),
    Column("█ CACHED ▒ WRITTEN · UNCACHED"),
    Column("PROMPT", RIGHT),
    Column("CACHED", RIGHT),
    Column("REPORTED", RIGHT),
    Column(""),
)


def _request_row(result: RequestResult) -> Row:
    """A request's bar and figures; under it, its miss and the provider's verdict."""
    details = []
    if result.miss is not None:
        miss = result.miss
        details.append(
            f"{miss.code or 'cache'}: lost {counted(miss.tokens_lost, 'token')} at"
            f" {miss.segment} character {miss.offset}: {miss.reason}"
        )
    if result.diagnosis is not None:
        details.append(f"{describe(result.diagnosis)}{_verdict(result)}")
    reported = "–" if result.cached_reported is None else f"{result.cached_reported:,}"
    return Row(
        (
            f"#{result.index}",
            bar(result, BAR_WIDTH),
            f"{result.prompt_tokens:,}",
            f"{result.cached_predicted:,}",
            reported,
            DISAGREES if result.agrees is False else "",
        ),
        "\n".join(details) or None,
    )


def _saving_sentence(saving: Saving) -> str:
    fixing = "fixing all causes" if saving.code == ALL_FIXES else f"fixing {saving.code}"
    figures = (
        f"cost {money(saving.cost_before)} → {money(saving.cost_after)},"
        f" hit rate {percent(saving.hit_rate_before)} → {percent(saving.hit_rate_after)}"
    )
    if saving.saved > 0:
        return f"{fixing} ({saving.what}) saves {money(saving.saved)}: {figures}"
    if saving.why is None:
        return f"{fixing} ({saving.what}) saves nothing: {figures}"
    return f"{fixing} ({saving.what}) costs {money(-saving.saved)} more: {figures}; {saving.why}"


def bar(result: RequestResult, width: int) -> str:
    """Cached, written and uncached shares of a prompt as one line of characters."""
    total = max(result.prompt_tokens, 1)
    cached = round(width * result.cached_predicted / total)
    written = min(width - cached, round(width * result.written_predicted / total))
    return "█" * cached + "▒" * written + "·" * (width - cached - written)
