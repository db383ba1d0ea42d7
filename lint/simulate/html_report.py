"""A simulation as one self-contained HTML page: inline CSS and SVG, no script and no address
outside the page, so it opens from a CI artifact with no network."""

from __future__ import annotations

from html import escape

from ctxlint.redact import evidence
from ctxlint.simulate.diagnosis import describe
from ctxlint.simulate.simulator import RequestResult
from ctxlint.simulate.totals import ALL_FIXES, Saving, Simulation, Totals, money, percent

CACHED = "#2f9e44"
WRITTEN = "#f59f00"
UNCACHED = "#e03131"
REPORTED = "#7048e8"

_CHART_WIDTH = 960
_CHART_HEIGHT = 180
_MAX_BAR_WIDTH = 24
# Beyond this many requests a session's chart draws each bar for a run of requests.
_MAX_BARS = 600

_STYLE = f"""
body {{ font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #212529; }}
h1 {{ font-size: 22px; margin: 0 0 12px; }}
h2 {{ font-size: 17px; margin: 28px 0 8px; }}
h3 {{ font-size: 14px; margin: 18px 0 4px; font-weight: 600; word-break: break-all; }}
.cards {{ display: flex; flex-wrap: wrap; gap: 12px; }}
.card {{ border: 1px solid #dee2e6; border-radius: 6px; padding: 8px 14px; min-width: 150px; }}
.card b {{ display: block; font-size: 20px; }}
table {{ border-collapse: collapse; margin: 4px 0 12px; }}
th, td {{ border-bottom: 1px solid #dee2e6; padding: 4px 10px; text-align: left; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
.legend span {{ display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 14px; }}
.cached {{ background: {CACHED}; }} .written {{ background: {WRITTEN}; }}
.uncached {{ background: {UNCACHED}; }}
.legend span.reported {{ background: {REPORTED}; height: 3px; vertical-align: middle; }}
.note {{ color: #495057; }}
svg {{ display: block; max-width: 100%; height: auto; }}
"""


def render_html(simulation: Simulation) -> str:
    overall = simulation.overall
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>ctxlint simulate</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Prefix-cache simulation</h1>",
        _cards(overall),
        *_notes(simulation),
        "<h2>Savings</h2>",
        _savings_table(simulation.savings, "No miss had a cause a fix would remove."),
        *_dearer_section(simulation.savings, "<h2>Fixes that would cost more</h2>"),
        "<h2>Requests</h2>",
        '<p class="legend">',
        '<span class="cached"></span>cached <span class="written"></span>written',
        '<span class="uncached"></span>uncached <span class="reported"></span>reported cached',
        "</p>",
    ]
    by_session: dict[tuple[str, str], list[RequestResult]] = {}
    for result in simulation.requests:
        by_session.setdefault((result.path, result.session), []).append(result)
    for (path, session), totals in simulation.sessions.items():
        results = by_session[(path, session)]
        parts.append(f"<h3>{escape(path)} · session {escape(evidence(session))}</h3>")
        parts.append(
            f'<p class="note">{totals.requests} requests, hit rate {percent(totals.hit_rate)}'
            f" (ideal {percent(totals.hit_rate_ideal)}), cost {money(totals.cost)}"
            f" (ideal {money(totals.cost_ideal)})</p>"
        )
        parts.append(_chart(results))
        session_savings = simulation.session_savings.get((path, session), [])
        if session_savings:
            parts.append(_savings_table(session_savings, ""))
            parts.extend(_dearer_section(session_savings, ""))
    parts.append("<h2>Misses</h2>")
    parts.append(_misses_table(simulation.requests))
    if overall.diagnosed:
        parts.append("<h2>The provider's diagnosis beside ctxlint's</h2>")
        parts.append(_diagnoses_table(simulation.requests))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _cards(overall: Totals) -> str:
    cards = [
        ("Requests", f"{overall.requests:,}"),
        ("Policy", ", ".join(sorted(overall.policies)) or "–"),
        ("Hit rate", percent(overall.hit_rate)),
        ("Ideal hit rate", percent(overall.hit_rate_ideal)),
        ("Cost", money(overall.cost)),
        ("Ideal cost", money(overall.cost_ideal)),
    ]
    if overall.reported_requests:
        cards.append(("Reported cost", money(overall.cost_reported)))
    if overall.compared:
        cards.append(("Agrees with reported", f"{overall.agreeing} of {overall.compared}"))
    if overall.diagnoses_compared:
        cards.append(
            (
                "Agrees with the provider's diagnosis",
                f"{overall.diagnoses_agreeing} of {overall.diagnoses_compared}",
            )
        )
    cells = "".join(
        f'<div class="card">{escape(label)}<b>{escape(value)}</b></div>' for label, value in cards
    )
    return f'<div class="cards">{cells}</div>'


def _notes(simulation: Simulation) -> list[str]:
    notes = [note[0].upper() + note[1:] + "." for note in simulation.notes()]
    notes.extend(f"Not read: {problem}" for problem in simulation.problems)
    return [f'<p class="note">{escape(note)}</p>' for note in notes]


def _savings_table(savings: list[Saving], empty: str) -> str:
    """The fixes that save money, most first (a fix that would cost more is not a saving)."""
    saving_rows = [saving for saving in savings if saving.saved > 0]
    if not saving_rows:
        if savings:
            return '<p class="note">No fix would lower the cost.</p>'
        return f'<p class="note">{escape(empty)}</p>' if empty else ""
    rows = "".join(
        f"<tr><td>{escape(_fix_name(saving))}</td><td>{escape(saving.what)}</td>"
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
        f"<tr><td>{escape(_fix_name(saving))}</td><td>{escape(saving.what)}</td>"
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


def _fix_name(saving: Saving) -> str:
    return "all" if saving.code == ALL_FIXES else saving.code


def _misses_table(results: list[RequestResult]) -> str:
    missed = [result for result in results if result.miss is not None]
    if not missed:
        return '<p class="note">No request lost cache it could have kept.</p>'
    rows = []
    for result in missed:
        miss = result.miss
        assert miss is not None
        rows.append(
            f"<tr><td>{escape(evidence(result.session))}</td>"
            f"<td>{escape(result.path)}:{result.line}</td>"
            f'<td class="n">#{result.index}</td><td>{escape(miss.code or "–")}</td>'
            f"<td>{escape(miss.segment)} character {miss.offset}</td>"
            f'<td class="n">{miss.tokens_lost:,}</td><td>{escape(miss.reason)}</td></tr>'
        )
    return (
        "<table><tr><th>Session</th><th>Line</th><th>Request</th><th>Rule</th><th>Where</th>"
        "<th>Tokens lost</th><th>Why</th></tr>" + "".join(rows) + "</table>"
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


def _chart(results: list[RequestResult]) -> str:
    """Stacked bars, one per request (or per run of requests in a long session): cached,
    written and uncached tokens, with a tick where the provider reported the cached part."""
    length = max(1, -(-len(results) // _MAX_BARS))
    runs = [results[start : start + length] for start in range(0, len(results), length)]
    tallest = max((sum(r.prompt_tokens for r in run) for run in runs), default=0) or 1
    width = min(_MAX_BAR_WIDTH, _CHART_WIDTH / max(len(runs), 1))
    gap = 1 if width >= 4 else 0
    scale = _CHART_HEIGHT / tallest
    shapes = []
    for position, run in enumerate(runs):
        prompt = sum(r.prompt_tokens for r in run)
        cached = sum(r.cached_predicted for r in run)
        written = min(sum(r.written_predicted for r in run), prompt - cached)
        x = position * width
        bottom = _CHART_HEIGHT
        label = _label(run, prompt, cached, written)
        shapes.append(f"<g><title>{escape(label)}</title>")
        uncached = prompt - cached - written
        for tokens, colour in ((cached, CACHED), (written, WRITTEN), (uncached, UNCACHED)):
            height = tokens * scale
            if height > 0:
                bottom -= height
                shapes.append(
                    f'<rect x="{x:.2f}" y="{bottom:.2f}" width="{width - gap:.2f}"'
                    f' height="{height:.2f}" fill="{colour}"/>'
                )
        reported = [r.cached_reported for r in run]
        if all(value is not None for value in reported):
            # On whole pixels: a tick is too thin to blur.
            y = max(0, round(_CHART_HEIGHT - sum(reported) * scale) - 1)  # type: ignore[arg-type]
            shapes.append(
                f'<rect x="{x:.2f}" y="{y}" width="{width - gap:.2f}" height="2"'
                f' fill="{REPORTED}"/>'
            )
        shapes.append("</g>")
    return (
        f'<svg viewBox="0 0 {_CHART_WIDTH} {_CHART_HEIGHT}"'
        f' width="{_CHART_WIDTH}" height="{_CHART_HEIGHT}" role="img">'
        + "".join(shapes)
        + "</svg>"
        + f'<p class="note">Tallest bar: {tallest:,} prompt tokens.</p>'
    )


def _label(run: list[RequestResult], prompt: int, cached: int, written: int) -> str:
    first, last = run[0], run[-1]
    name = f"#{first.index}" if len(run) == 1 else f"#{first.index}–#{last.index}"
    text = f"{name}: {prompt:,} prompt, {cached:,} cached, {written:,} written"
    reported = [r.cached_reported for r in run]
    if all(value is not None for value in reported):
        text += f" (reported cached {sum(reported):,})"  # type: ignore[arg-type]
    misses = [r.miss for r in run if r.miss is not None]
    if misses:
        text += "; " + "; ".join(
            f"{m.code or 'cache'} lost {m.tokens_lost:,} at {m.segment}" for m in misses
        )
    return text
