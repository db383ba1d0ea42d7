"""A simulation as one self-contained HTML page: inline CSS and SVG, no script and no address
outside the page, so it opens from a CI artifact with no network. The figures and what to fix
come first (savings, misses, a table of sessions), the charts after, worst session first."""

from __future__ import annotations

from html import escape

from ctxlint.redact import evidence
from ctxlint.simulate.diagnosis import describe
from ctxlint.simulate.html_chart import CACHED, INK, REPORTED, UNCACHED, WRITTEN, chart
from ctxlint.simulate.report_labels import DISAGREES, Paths, agreement, fix_name, session_label
from ctxlint.simulate.results import RequestResult
from ctxlint.simulate.totals import Saving, Simulation, Totals, money, percent
from ctxlint.text_table import counted

__all__ = ["CACHED", "REPORTED", "UNCACHED", "WRITTEN", "render_html"]

# How many misses the page lists, most tokens lost first.
MISSES_SHOWN = 100

SessionKey = tuple[str, str]

_STYLE = f"""
body {{ font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: {INK}; }}
h1 {{ font-size: 22px; margin: 0 0 12px; }}
h2 {{ font-size: 17px; margin: 28px 0 8px; }}
h3 {{ font-size: 14px; margin: 22px 0 2px; font-weight: 600; word-break: break-all; }}
.cards {{ display: flex; flex-wrap: wrap; gap: 12px; }}
.card {{ border: 1px solid #dee2e6; border-radius: 6px; padding: 8px 14px; min-width: 150px; }}
.card b {{ display: block; font-size: 20px; }}
.card small {{ color: #495057; }}
table {{ border-collapse: collapse; margin: 4px 0 12px; }}
th, td {{ border-bottom: 1px solid #dee2e6; padding: 4px 10px; text-align: left; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
td.path {{ word-break: break-all; }}
td.session {{ white-space: nowrap; }}
.differs {{ font-weight: 700; }}
.legend span {{ display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 14px; }}
.cached {{ background: {CACHED}; }} .written {{ background: {WRITTEN}; }}
.uncached {{ background: {UNCACHED}; }}
.legend span.reported {{ background: {REPORTED}; height: 3px; vertical-align: middle; }}
.legend b {{ margin: 0 4px 0 14px; }}
.note {{ color: #495057; margin: 2px 0; }}
svg {{ display: block; max-width: 100%; height: auto; }}
"""


def render_html(simulation: Simulation) -> str:
    overall = simulation.overall
    paths = Paths()
    ordered = worst_first(simulation.sessions)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>ctxlint simulate</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Prefix-cache simulation</h1>",
        _cards(overall, len(simulation.sessions)),
        *_notes(simulation),
        "<h2>Savings</h2>",
        _savings_table(simulation.savings, _no_savings(simulation)),
        *_dearer_section(simulation.savings, "<h2>Fixes that would cost more</h2>"),
        "<h2>Misses</h2>",
        _misses_table(simulation.requests, paths),
    ]
    if overall.diagnosed:
        parts.append("<h2>The provider's diagnosis beside ctxlint's</h2>")
        parts.append(_diagnoses_table(simulation.requests))
    parts.append("<h2>Sessions</h2>")
    parts.append(_sessions_table(simulation, ordered, paths))
    parts.extend(_charts(simulation, ordered, paths))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def worst_first(sessions: dict[SessionKey, Totals]) -> list[SessionKey]:
    """Sessions by tokens lost, then by cost above the ideal, then by cost; ties as given."""
    return sorted(
        sessions,
        key=lambda key: (
            -sessions[key].tokens_lost,
            -(sessions[key].cost - sessions[key].cost_ideal),
            -sessions[key].cost,
        ),
    )


def _cards(overall: Totals, sessions: int) -> str:
    cards = [
        ("Requests", f"{overall.requests:,}", counted(sessions, "session")),
        ("Policy", ", ".join(sorted(overall.policies)) or "–", ""),
        ("Hit rate", percent(overall.hit_rate), f"ideal {percent(overall.hit_rate_ideal)}"),
        ("Cost", money(overall.cost), f"ideal {money(overall.cost_ideal)}"),
    ]
    if overall.reported_requests:
        cards.append(
            (
                "Reported cost",
                money(overall.cost_reported),
                f"{overall.reported_requests:,} of {counted(overall.requests, 'request')}",
            )
        )
    if overall.compared:
        cards.append(
            (
                "Agrees with reported",
                f"{overall.agreeing:,} of {overall.compared:,}",
                percent(overall.agreement),
            )
        )
    if overall.misses:
        cards.append(
            (
                "Tokens lost",
                f"{overall.tokens_lost:,}",
                f"by {counted(overall.misses, 'request')}",
            )
        )
    if overall.diagnoses_compared:
        cards.append(
            (
                "Agrees with the provider's diagnosis",
                f"{overall.diagnoses_agreeing} of {overall.diagnoses_compared}",
                "",
            )
        )
    cells = "".join(
        f'<div class="card">{escape(name)}<b>{escape(value)}</b>'
        + (f"<small>{escape(under)}</small>" if under else "")
        + "</div>"
        for name, value, under in cards
    )
    return f'<div class="cards">{cells}</div>'


def _notes(simulation: Simulation) -> list[str]:
    notes = [note[0].upper() + note[1:] + "." for note in simulation.notes()]
    notes.extend(f"Not read: {problem}" for problem in simulation.problems)
    return [f'<p class="note">{escape(note)}</p>' for note in notes]


def _no_savings(simulation: Simulation) -> str:
    """Why there is no saving to show: no miss at all, or misses whose fix the savings do not
    replay (a missing breakpoint, a cause no rule names), which are listed below it."""
    if any(result.miss is not None for result in simulation.requests):
        return "No miss has a cause whose fix ctxlint replays; the misses are below."
    return "No misses."


def _savings_table(savings: list[Saving], empty: str) -> str:
    """The fixes that save money, most first (a fix that would cost more is not a saving)."""
    saving_rows = [saving for saving in savings if saving.saved > 0]
    if not saving_rows:
        if savings:
            return '<p class="note">No fix would lower the cost.</p>'
        return f'<p class="note">{escape(empty)}</p>' if empty else ""
    rows = "".join(
        f"<tr><td>{escape(fix_name(saving))}</td><td>{escape(saving.what)}</td>"
        f'<td class="n">{money(saving.saved)}</td>'
        f'<td class="n">{percent(saving.hit_rate_before)}</td>'
        f'<td class="n">{percent(saving.hit_rate_after)}</td>'
        f'<td class="n">{money(saving.cost_before)}</td>'
        f'<td class="n">{money(saving.cost_after)}</td></tr>'
        for saving in saving_rows
    )
    return (
        "<table><tr><th>Rule</th><th>Fix</th><th>Saves</th><th>Hit rate before</th><th>after</th>"
        f"<th>Cost before</th><th>after</th></tr>{rows}</table>"
    )


def _dearer_section(savings: list[Saving], heading: str) -> list[str]:
    """The fixes that would raise the cost, and why."""
    dearer = [saving for saving in savings if saving.saved < 0]
    if not dearer:
        return []
    rows = "".join(
        f"<tr><td>{escape(fix_name(saving))}</td><td>{escape(saving.what)}</td>"
        f'<td class="n">{money(-saving.saved)}</td>'
        f'<td class="n">{percent(saving.hit_rate_before)}</td>'
        f'<td class="n">{percent(saving.hit_rate_after)}</td>'
        f"<td>{escape(saving.why or 'saves nothing')}</td></tr>"
        for saving in dearer
    )
    table = (
        "<table><tr><th>Rule</th><th>Fix</th><th>Costs more by</th><th>Hit rate before</th>"
        f"<th>after</th><th>Why</th></tr>{rows}</table>"
    )
    return [heading, table] if heading else [table]


def _misses_table(results: list[RequestResult], paths: Paths) -> str:
    missed = [result for result in results if result.miss is not None]
    if not missed:
        return '<p class="note">No request lost cache it could have kept.</p>'
    missed.sort(key=lambda result: -result.miss.tokens_lost)  # type: ignore[union-attr]
    rows = []
    for result in missed[:MISSES_SHOWN]:
        miss = result.miss
        assert miss is not None
        rows.append(
            f'<tr><td class="n">{miss.tokens_lost:,}</td><td>{escape(miss.code or "–")}</td>'
            f"<td>{escape(miss.reason)}</td>"
            f"<td>{escape(miss.segment)} character {miss.offset}</td>"
            f'<td class="n">#{result.index}</td>'
            f'<td class="session">{escape(session_label(result.session))}</td>'
            f'<td class="path">{escape(paths.place(result.path, result.line))}</td></tr>'
        )
    more = (
        f'<p class="note">The {MISSES_SHOWN} that lost the most of {len(missed):,}; the JSON'
        " output lists all.</p>"
        if len(missed) > MISSES_SHOWN
        else ""
    )
    return (
        "<table><tr><th>Tokens lost</th><th>Rule</th><th>Why</th><th>Where</th><th>Request</th>"
        "<th>Session</th><th>File:line</th></tr>" + "".join(rows) + "</table>" + more
    )


def _diagnoses_table(results: list[RequestResult]) -> str:
    """Every request the provider diagnosed: its verdict, ctxlint's cause, and whether the
    places they name agree."""
    rows = []
    for result in results:
        if result.diagnosis is None:
            continue
        miss = result.miss
        ours = "–" if miss is None else f"{miss.code or 'cache'} at {miss.segment}"
        agrees = {True: "yes", False: "no", None: "not compared"}[result.diagnosis_agrees]
        rows.append(
            f"<tr><td>{escape(evidence(result.session))}</td>"
            f'<td class="n">#{result.index}</td><td>{escape(describe(result.diagnosis))}</td>'
            f"<td>{escape(ours)}</td><td>{agrees}</td></tr>"
        )
    return (
        "<table><tr><th>Session</th><th>Request</th><th>Provider says</th><th>ctxlint</th>"
        "<th>Agree</th></tr>" + "".join(rows) + "</table>"
    )


def _sessions_table(simulation: Simulation, ordered: list[SessionKey], paths: Paths) -> str:
    files = [path for path, _ in ordered]
    folder = paths.common_folder(files)
    rows = []
    for number, key in enumerate(ordered):
        totals = simulation.sessions[key]
        agrees = agreement(totals).strip()
        marked = DISAGREES in agrees
        rows.append(
            f'<tr><td class="session"><a href="#session-{number}">'
            f"{escape(session_label(key[1]))}</a></td>"
            f'<td class="n">{totals.requests:,}</td>'
            f'<td class="n">{percent(totals.hit_rate)}</td>'
            f'<td class="n">{percent(totals.hit_rate_ideal)}</td>'
            f'<td class="n">{money(totals.cost)}</td><td class="n">{money(totals.cost_ideal)}</td>'
            f'<td class="n">{f"{totals.tokens_lost:,}" if totals.misses else "–"}</td>'
            f'<td class="n{" differs" if marked else ""}">{escape(agrees)}</td>'
            f'<td class="path">{escape(paths.under(key[0], folder))}</td></tr>'
        )
    return (
        f'<p class="note">In {escape(paths.shown(folder))}/, most tokens lost first. Agrees:'
        f" requests whose predicted cached tokens are the reported ones ({DISAGREES}: some are"
        " not).</p>"
        "<table><tr><th>Session</th><th>Requests</th><th>Hit rate</th><th>Ideal</th>"
        "<th>Cost</th><th>Ideal</th><th>Tokens lost</th><th>Agrees</th><th>File</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _charts(simulation: Simulation, ordered: list[SessionKey], paths: Paths) -> list[str]:
    by_session: dict[SessionKey, list[RequestResult]] = {}
    for result in simulation.requests:
        by_session.setdefault((result.path, result.session), []).append(result)
    parts = [
        "<h2>Requests</h2>",
        '<p class="legend">',
        '<span class="cached"></span>cached <span class="written"></span>written',
        '<span class="uncached"></span>uncached <span class="reported"></span>reported cached',
        f"<b>{DISAGREES}</b>predicted cached tokens differ from the reported",
        "</p>",
        '<p class="note">Each chart has its own scale: the left axis, in prompt tokens.</p>',
    ]
    for number, key in enumerate(ordered):
        totals = simulation.sessions[key]
        parts.append(
            f'<h3 id="session-{number}">{escape(paths.shown(key[0]))}'
            f" · session {escape(evidence(key[1]))}</h3>"
        )
        parts.append(
            f'<p class="note">{counted(totals.requests, "request")}, hit rate'
            f" {percent(totals.hit_rate)} (ideal {percent(totals.hit_rate_ideal)}), cost"
            f" {money(totals.cost)} (ideal {money(totals.cost_ideal)}), agrees"
            f" {escape(agreement(totals).strip())}</p>"
        )
        parts.append(chart(by_session[key]))
        session_savings = simulation.session_savings.get(key, [])
        if session_savings:
            parts.append(_savings_table(session_savings, ""))
            parts.extend(_dearer_section(session_savings, ""))
    return parts
