"""`ctxlint simulate` as a plain function: find the traces, replay them, add up the results."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TextIO

from ctxlint.collector import cycle_collection_paused
from ctxlint.config import Settings
from ctxlint.config_resolution import SettingsResolver
from ctxlint.progress import ProgressLine, shows_progress
from ctxlint.simulate.simulator import Options, Simulator
from ctxlint.simulate.totals import Simulation, summarise
from ctxlint.trace.sessions import no_requests


def trace_files(
    paths: Iterable[str], settings: Settings | SettingsResolver
) -> tuple[list[str], list[str]]:
    from ctxlint.discovery import discover
    from ctxlint.rule import InputKind

    files, missing = discover(tuple(paths), settings, traces_only=True)
    return [found.path for found in files if found.kind is InputKind.TRACE], list(missing)


def simulate_files(
    paths: list[str],
    options: Options,
    settings: Settings,
    progress: TextIO | None = None,
    with_savings: bool = False,
) -> Simulation:
    """Replays the traces; `with_savings` replays them again once per fixable cause found."""
    # A replay allocates the parsed JSON of every line, enough of it long-lived enough to
    # reach the oldest generation, and keeps state that grows with the sessions: with the
    # collector on, ten times the requests took thirteen times as long. A replay makes no
    # reference cycles (a prefix tree's nodes point to their parents weakly).
    with cycle_collection_paused():
        return _simulate(paths, options, settings, progress, with_savings)


def _simulate(
    paths: list[str],
    options: Options,
    settings: Settings,
    progress: TextIO | None,
    with_savings: bool,
) -> Simulation:
    tokenizers: dict = {}
    simulator = Simulator(options, settings, tokenizers)
    stream = progress or sys.stderr
    meter = ProgressLine(stream, _simulating, enabled=shows_progress(stream))
    # Replayed in the order they were sent, reported by file as the files were given (each
    # file's own requests keep their order: the sort is stable).
    place = {path: number for number, path in enumerate(paths)}
    results = sorted(simulator.run(paths, meter.step), key=lambda result: place.get(result.path, 0))
    problems = [
        f"{path}:{problem.line}: {problem.reason}"
        for path, problem in sorted(simulator.problems, key=lambda found: place[found[0]])
    ]
    simulation = summarise(
        results, simulator.approximate_models, simulator.unpriced_models, problems
    )
    simulation.without_requests = [
        no_requests(path, format_name)
        for path, format_name in sorted(simulator.without_requests, key=lambda f: place[f[0]])
    ]
    if with_savings:
        from ctxlint.simulate.savings import savings

        session_tools = {
            key: tuple(tools.values()) for key, tools in simulator.session_tools.items()
        }
        simulation.savings, simulation.session_savings = savings(
            paths, options, settings, results, session_tools, tokenizers, meter.step
        )
    meter.close()
    return simulation


def _simulating(requests: int, total: int | None) -> str:
    return f"simulating… {requests:,} requests"
