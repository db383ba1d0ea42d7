"""What trace files hold, per session: format, requests, models, time span, and the prompt and
cached tokens the provider reported. Behind `ctxlint sessions`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ctxlint.redact import evidence, identifier, visible
from ctxlint.simulate.calibrate import usable_count
from ctxlint.text_table import RIGHT, Column, render_table
from ctxlint.trace.loader import TraceReader
from ctxlint.trace.model import Request
from ctxlint.trace.reading import Problem, blank_text


@dataclass(slots=True)
class SessionSummary:
    path: str
    session: str
    format: str | None
    requests: int = 0
    models: list[str] = field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None
    # Sums over the requests whose usage was recorded; None when none was.
    prompt_tokens: int | None = None
    cached_tokens: int | None = None

    @property
    def hit_rate(self) -> float | None:
        if not self.prompt_tokens or self.cached_tokens is None:
            return None
        return self.cached_tokens / self.prompt_tokens

    def add(self, request: Request) -> None:
        self.requests += 1
        if request.model and request.model not in self.models:
            self.models.append(request.model)
        for moment in (request.timestamp, request.finished):
            if moment is not None:
                self.start = moment if self.start is None else min(self.start, moment)
                self.end = moment if self.end is None else max(self.end, moment)
        usage = request.usage
        # A count no prompt could hold is left out of the sums, as the simulator leaves it out.
        prompt = usable_count(usage.prompt_tokens) if usage is not None else None
        if prompt is not None:
            self.prompt_tokens = (self.prompt_tokens or 0) + prompt
            # A count not reported is unknown (a Cline task without its ui_messages.json),
            # not nothing read from the cache.
            cached = usable_count(usage.cached_tokens)
            if cached is not None:
                self.cached_tokens = (self.cached_tokens or 0) + cached

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            # The trace's own text: redacted and capped as the table shows it.
            "session": identifier(self.session),
            "format": self.format,
            "requests": self.requests,
            "models": [identifier(model) for model in self.models],
            "start": _iso(self.start),
            "end": _iso(self.end),
            "reported": {
                "prompt_tokens": self.prompt_tokens,
                "cached_tokens": self.cached_tokens,
                "hit_rate": None if self.hit_rate is None else round(self.hit_rate, 4),
            },
        }


@dataclass(slots=True)
class FileSessions:
    path: str
    sessions: list[SessionSummary]
    problems: list[Problem]
    format: str | None = None

    @property
    def unreadable(self) -> bool:
        """Nothing could be read, for a reason worth an error (not a file with no requests)."""
        return not self.sessions and bool(self.problems)


def no_requests(path: str, format_name: str | None) -> str:
    """What to say of a trace that was read without fault but held no request: an empty file,
    one of blank lines, or a file of a known format with nothing to replay in it."""
    blank = blank_text(path)
    if blank is not None:
        return f"{path}: {blank}, no requests in it"
    kind = f"a {format_name} trace" if format_name else "read"
    return f"{path}: {kind} with no requests in it"


def summarize(path: str, forced_format: str | None = None) -> FileSessions:
    reader = TraceReader(path, forced_format)
    sessions: dict[str, SessionSummary] = {}
    problems: list[Problem] = []
    for item in reader:
        if isinstance(item, Problem):
            problems.append(item)
            continue
        summary = sessions.get(item.session)
        if summary is None:
            summary = sessions[item.session] = SessionSummary(path, item.session, item.format)
        summary.add(item)
    return FileSessions(path, list(sessions.values()), problems, reader.format)


_COLUMNS = (
    Column("SESSION"),
    Column("FORMAT"),
    Column("REQUESTS", RIGHT),
    Column("MODELS"),
    Column("START"),
    Column("END"),
    Column("PROMPT", RIGHT),
    Column("CACHED", RIGHT),
    Column("HIT", RIGHT),
)


def render_text(files: Iterable[FileSessions]) -> str:
    """Per file, a table of its sessions (times in UTC)."""
    lines: list[str] = []
    for found in files:
        if not found.sessions:
            continue
        lines.append(visible(found.path))
        rows = [
            (
                evidence(s.session),
                s.format or "?",
                str(s.requests),
                evidence(", ".join(s.models)) or "?",
                _short_time(s.start),
                _short_time(s.end),
                _count(s.prompt_tokens),
                _count(s.cached_tokens),
                "-" if s.hit_rate is None else f"{s.hit_rate:.1%}",
            )
            for s in found.sessions
        ]
        lines.extend(render_table(_COLUMNS, rows, indent="  "))
    return "\n".join(lines) + ("\n" if lines else "")


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _short_time(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"
