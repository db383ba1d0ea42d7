"""The simulated summary a plain check prints after its findings on traces, as a plain
function: what the cache would make of the traces, or why there is no summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ctxlint.cli.common import prices
from ctxlint.config import Settings


@dataclass(frozen=True, slots=True)
class SimulatedSummary:
    # The summary as printed, blank line first; empty when there is none.
    text: str = ""
    # Why there is no summary, when something kept it from being made.
    warning: str | None = None
    # A fault of ctxlint's own cost the summary (the findings printed before it stand).
    failed: bool = False


def simulated_summary(
    traces: list[str], settings: Settings, by_design: Sequence[str] = ()
) -> SimulatedSummary:
    """What the cache would make of `traces`, as the summary after a check's findings.

    `by_design` is the hook for losses the harness causes on purpose (Claude Code's own
    auto-compaction, say): the caller, which knows which findings those are, passes one line
    each (e.g. "2 of the misses are Claude Code's own auto-compaction, by design") and they
    are printed under the figures as given."""
    from ctxlint.redact import bounded
    from ctxlint.simulate.run import simulate_files
    from ctxlint.simulate.simulator import Options, SimulationFailed
    from ctxlint.simulate.text_report import check_summary
    from ctxlint.simulate.tokens import TokenizerUnavailable

    try:
        options = Options(prices=prices(settings), trace_format=settings.trace_format)
        simulation = simulate_files(traces, options, settings)
    except TokenizerUnavailable as error:
        return SimulatedSummary(warning=f"no simulated summary: {error}")
    except SimulationFailed as failure:
        # The findings printed above stand; only the summary after them is lost.
        return SimulatedSummary(
            warning=f"{failure.place}: no simulated summary: internal error: "
            f"{bounded(str(failure))}",
            failed=True,
        )
    except Exception as error:
        # As above, where no one file can be named (adding up the results, say).
        where = traces[0] if len(traces) == 1 else f"{traces[0]} and {len(traces) - 1} more"
        return SimulatedSummary(
            warning=f"no simulated summary of {where}: internal error: "
            f"{type(error).__name__}: {bounded(str(error))}",
            failed=True,
        )
    if not simulation.requests:
        return SimulatedSummary()
    return SimulatedSummary("\n" + "\n".join(check_summary(simulation, by_design, traces)) + "\n")
