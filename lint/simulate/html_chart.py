"""A session's requests as an inline SVG chart with axes: a stacked bar per request (cached,
written, uncached prompt tokens), a tick where the provider reported the cached part, and a mark
over each request whose prediction disagrees with that report."""

from __future__ import annotations

from html import escape

from ctxlint.simulate.results import RequestResult
from ctxlint.text_table import counted

CACHED = "#2f9e44"
WRITTEN = "#f59f00"
UNCACHED = "#e03131"
REPORTED = "#7048e8"
# Axes, labels and the disagreement mark: greys and near-black, far from the four above.
INK = "#212529"
AXIS = "#868e96"
GRID = "#e9ecef"

PLOT_WIDTH = 960
PLOT_HEIGHT = 180
MAX_BAR_WIDTH = 24
# Room for the token labels left of the plot, the request numbers under it, the marks over it.
LEFT = 56
BOTTOM = 22
TOP = 24
# Beyond this many requests a chart draws each bar for a run of requests.
MAX_BARS = 600
# Pixels at least between two request numbers on the x axis.
_LABEL_SPACING = 36


def chart(results: list[RequestResult]) -> str:
    """The chart of one session's requests, on its own scale: the left axis says it, in
    prompt tokens, from 0 to a round number at or above the largest prompt."""
    length = max(1, -(-len(results) // MAX_BARS))
    runs = [results[start : start + length] for start in range(0, len(results), length)]
    tallest = max((sum(r.prompt_tokens for r in run) for run in runs), default=0)
    top, step = axis_top(tallest)
    scale = PLOT_HEIGHT / top
    width = min(MAX_BAR_WIDTH, PLOT_WIDTH / max(len(runs), 1))
    gap = 1 if width >= 4 else 0
    shapes = [_y_axis(top, step, scale)]
    for position, run in enumerate(runs):
        shapes.append(_bar(run, LEFT + position * width, width - gap, scale))
    shapes.append(_x_axis(runs, width))
    total_width = LEFT + PLOT_WIDTH + 8
    total_height = TOP + PLOT_HEIGHT + BOTTOM
    per = "" if length == 1 else f"; each bar is a run of {counted(length, 'request')}"
    return (
        f'<svg viewBox="0 0 {total_width} {total_height}" width="{total_width}"'
        f' height="{total_height}" role="img" aria-label="prompt tokens per request{per}">'
        + "".join(shapes)
        + "</svg>"
    )


def axis_top(tallest: int) -> tuple[int, int]:
    """The top of the token axis and the step between its labels: a round step (1, 2 or 5
    times a power of ten) that reaches `tallest` in at most five steps."""
    tallest = max(tallest, 1)
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if step * 5 >= tallest:
                return step * -(-tallest // step), step
        magnitude *= 10


def tokens_label(value: int) -> str:
    """`0`, `950`, `12k`, `1.5M`: a tick label short enough for the axis."""
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 1_000:
        return f"{value / 1_000:g}k"
    return str(value)


def _y_axis(top: int, step: int, scale: float) -> str:
    parts = []
    for value in range(0, top + 1, step):
        y = TOP + PLOT_HEIGHT - value * scale
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + PLOT_WIDTH}" y1="{y:.1f}" y2="{y:.1f}"'
            f' stroke="{GRID if value else AXIS}" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11"'
            f' fill="{AXIS}">{tokens_label(value)}</text>'
        )
    parts.append(
        f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + PLOT_HEIGHT}" stroke="{AXIS}"/>'
        f'<text x="4" y="{TOP - 12}" font-size="11" fill="{AXIS}">tokens</text>'
    )
    return "".join(parts)


def _x_axis(runs: list[list[RequestResult]], width: float) -> str:
    """Request numbers under the bars, as many as fit without touching."""
    every = max(1, -(-_LABEL_SPACING // max(int(width), 1)))
    parts = []
    for position in range(0, len(runs), every):
        x = LEFT + position * width + width / 2
        parts.append(
            f'<text x="{x:.1f}" y="{TOP + PLOT_HEIGHT + 15}" text-anchor="middle"'
            f' font-size="11" fill="{AXIS}">#{runs[position][0].index}</text>'
        )
    return "".join(parts)


def _bar(run: list[RequestResult], x: float, width: float, scale: float) -> str:
    prompt = sum(r.prompt_tokens for r in run)
    cached = sum(r.cached_predicted for r in run)
    written = min(sum(r.written_predicted for r in run), prompt - cached)
    bottom = TOP + PLOT_HEIGHT
    shapes = [f"<g><title>{escape(label(run, prompt, cached, written))}</title>"]
    for tokens, colour in (
        (cached, CACHED),
        (written, WRITTEN),
        (prompt - cached - written, UNCACHED),
    ):
        height = tokens * scale
        if height > 0:
            bottom -= height
            shapes.append(
                f'<rect x="{x:.2f}" y="{bottom:.2f}" width="{width:.2f}"'
                f' height="{height:.2f}" fill="{colour}"/>'
            )
    reported = [r.cached_reported for r in run]
    if all(value is not None for value in reported):
        # On whole pixels: a tick is too thin to blur.
        y = max(TOP, round(TOP + PLOT_HEIGHT - sum(reported) * scale) - 1)  # type: ignore[arg-type]
        shapes.append(
            f'<rect x="{x:.2f}" y="{y}" width="{width:.2f}" height="2" fill="{REPORTED}"/>'
        )
    if any(r.agrees is False for r in run):
        middle = x + width / 2
        shapes.append(
            f'<text x="{middle:.1f}" y="{min(bottom, TOP + PLOT_HEIGHT) - 3:.1f}"'
            f' text-anchor="middle" font-size="11" font-weight="bold" fill="{INK}">✗</text>'
        )
    shapes.append("</g>")
    return "".join(shapes)


def label(run: list[RequestResult], prompt: int, cached: int, written: int) -> str:
    """What hovering over a bar says."""
    first, last = run[0], run[-1]
    name = f"#{first.index}" if len(run) == 1 else f"#{first.index}–#{last.index}"
    text = f"{name}: {prompt:,} prompt, {cached:,} cached, {written:,} written"
    reported = [r.cached_reported for r in run]
    if all(value is not None for value in reported):
        text += f" (reported cached {sum(reported):,})"  # type: ignore[arg-type]
    disagreeing = sum(r.agrees is False for r in run)
    if disagreeing:
        text += (
            "; differs from the reported"
            if len(run) == 1
            else f"; {counted(disagreeing, 'request')} differ from the reported"
        )
    misses = [r.miss for r in run if r.miss is not None]
    if misses:
        text += "; " + "; ".join(
            f"{m.code or 'cache'} lost {m.tokens_lost:,} at {m.segment}" for m in misses
        )
    return text
