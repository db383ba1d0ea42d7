"""What a simulation adds up to: totals per session and overall, the what-if savings rows, and
their JSON view; with how every report writes a share and a sum of money."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ctxlint.redact import evidence, identifier
from ctxlint.simulate.diagnosis import compare_diagnoses
from ctxlint.simulate.facts import best_effort
from ctxlint.simulate.simulator import RequestResult


@dataclass(slots=True)
class Totals:
    requests: int = 0
    prompt_tokens: int = 0
    cached: int = 0
    written: int = 0
    ideal_cached: int = 0
    cost: float = 0.0
    cost_ideal: float = 0.0
    cost_reported: float = 0.0
    reported_requests: int = 0
    compared: int = 0
    agreeing: int = 0
    misses: int = 0
    tokens_lost: int = 0
    policies: set[str] = field(default_factory=set)
    # Requests with the provider's own cache diagnosis; of those with a conclusive one,
    # how many ctxlint's cause agrees with.
    diagnosed: int = 0
    diagnoses_compared: int = 0
    diagnoses_agreeing: int = 0

    def add(self, result: RequestResult) -> None:
        self.requests += 1
        self.prompt_tokens += result.prompt_tokens
        self.cached += result.cached_predicted
        self.written += result.written_predicted
        self.ideal_cached += result.ideal_cached
        self.cost += result.cost
        self.cost_ideal += result.cost_ideal
        self.policies.add(result.policy)
        if result.cost_reported is not None:
            self.cost_reported += result.cost_reported
            self.reported_requests += 1
        if result.agrees is not None:
            self.compared += 1
            self.agreeing += bool(result.agrees)
        if result.miss is not None:
            self.misses += 1
            self.tokens_lost += result.miss.tokens_lost
        if result.diagnosis is not None:
            self.diagnosed += 1
            if result.diagnosis_agrees is not None:
                self.diagnoses_compared += 1
                self.diagnoses_agreeing += result.diagnosis_agrees

    @property
    def hit_rate(self) -> float | None:
        return self.cached / self.prompt_tokens if self.prompt_tokens else None

    @property
    def hit_rate_ideal(self) -> float | None:
        return self.ideal_cached / self.prompt_tokens if self.prompt_tokens else None

    @property
    def agreement(self) -> float | None:
        return self.agreeing / self.compared if self.compared else None

    @property
    def diagnosis_agreement(self) -> float | None:
        if not self.diagnoses_compared:
            return None
        return self.diagnoses_agreeing / self.diagnoses_compared

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "policy": ", ".join(sorted(self.policies)),
            "prompt_tokens": self.prompt_tokens,
            "cached_predicted": self.cached,
            "written_predicted": self.written,
            "hit_rate": _rounded(self.hit_rate),
            "hit_rate_ideal": _rounded(self.hit_rate_ideal),
            "cost": round(self.cost, 6),
            "cost_ideal": round(self.cost_ideal, 6),
            "cost_reported": round(self.cost_reported, 6) if self.reported_requests else None,
            "misses": self.misses,
            "tokens_lost": self.tokens_lost,
            "agreement": {
                "compared": self.compared,
                "agreeing": self.agreeing,
                "rate": _rounded(self.agreement),
            },
            "provider_diagnostics": {
                "requests": self.diagnosed,
                "compared": self.diagnoses_compared,
                "agreeing": self.diagnoses_agreeing,
                "rate": _rounded(self.diagnosis_agreement),
            },
        }


@dataclass(slots=True)
class Simulation:
    requests: list[RequestResult]
    overall: Totals
    sessions: dict[tuple[str, str], Totals]
    approximate_models: list[str]
    unpriced_models: list[str]
    problems: list[str]
    # Per rule code: the simulation again with that cause neutralised.
    savings: list[Saving] = field(default_factory=list)
    session_savings: dict[tuple[str, str], list[Saving]] = field(default_factory=dict)
    # What to say of each trace that was read without fault but held no request.
    without_requests: list[str] = field(default_factory=list)

    def notes(self) -> list[str]:
        """What the reader must know to trust the figures."""
        found = []
        if self.approximate_models:
            found.append(
                "token counts are approximate for "
                + ", ".join(evidence(model, 60) for model in self.approximate_models)
                + " (tokenizer not public: o200k_base, calibrated by reported sizes where known)"
            )
        if self.unpriced_models:
            found.append(
                "no prices for "
                + ", ".join(evidence(model, 60) for model in self.unpriced_models)
                + " (counted as 0)"
            )
        hedged = best_effort(self.overall.policies)
        if hedged:
            found.append(
                "what is predicted for "
                + ", ".join(hedged)
                + " is an expectation, not a promise: the provider documents its cache as best"
                " effort (a hit is not guaranteed; `ctxlint providers` lists the facts used)"
            )
        return found

    def as_json(self) -> dict[str, Any]:
        summary = self.overall.as_json()
        # Model names and session ids are the trace's own: redacted and capped like its text.
        summary["approximate_token_counts"] = [identifier(m) for m in self.approximate_models]
        summary["unpriced_models"] = [identifier(model) for model in self.unpriced_models]
        summary["savings"] = [saving.as_json() for saving in self.savings]
        return {
            "summary": summary,
            "sessions": [
                {
                    "path": path,
                    "session": identifier(session),
                    **totals.as_json(),
                    "savings": [
                        saving.as_json() for saving in self.session_savings.get((path, session), [])
                    ],
                }
                for (path, session), totals in self.sessions.items()
            ],
            "requests": [result.as_json() for result in self.requests],
            "problems": self.problems,
        }


# The code of the what-if row with every cause neutralised at once.
ALL_FIXES = "all"


@dataclass(frozen=True, slots=True)
class Saving:
    """A what-if row: the simulation again with a rule's cause (or every cause) neutralised."""

    code: str
    what: str
    hit_rate_before: float | None
    hit_rate_after: float | None
    cost_before: float
    cost_after: float
    # Why the fix costs more than the run as recorded, in words; None when it does not.
    why: str | None = None

    @property
    def saved(self) -> float:
        """Dollars saved; negative when the fix costs more."""
        return self.cost_before - self.cost_after

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "neutralised": self.what,
            "hit_rate_before": _rounded(self.hit_rate_before),
            "hit_rate_after": _rounded(self.hit_rate_after),
            "cost_before": round(self.cost_before, 6),
            "cost_after": round(self.cost_after, 6),
            "saved": round(self.saved, 6),
            "costs_more": self.why,
        }


def summarise(
    results: Iterable[RequestResult],
    approximate_models: Iterable[str] = (),
    unpriced_models: Iterable[str] = (),
    problems: Iterable[str] = (),
) -> Simulation:
    requests = list(results)
    compare_diagnoses(requests)
    overall = Totals()
    sessions: dict[tuple[str, str], Totals] = {}
    for result in requests:
        overall.add(result)
        sessions.setdefault((result.path, result.session), Totals()).add(result)
    return Simulation(
        requests,
        overall,
        sessions,
        sorted(approximate_models),
        sorted(unpriced_models),
        list(problems),
    )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def money(value: float) -> str:
    return f"${value:,.4f}" if value < 1 else f"${value:,.2f}"
