"""Spreading a run's files over worker processes, in batches, with as many workers as help."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

# Below this many files, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 200
# Files per task handed to a worker: few enough round trips, yet work for every worker.
BATCH_SIZE = 64
# Checking is CPU-bound: beyond a worker or two per core, more only contend for the cores.
_WORKERS_PER_CORE = 2
# Workers are forked and inherit the batch function (and the checker it holds) rather than
# having it pickled per batch.
_WORKER_TASK: Callable[[Any], list[Any]] | None = None


def run_in_batches(
    check_batch: Callable[[Sequence[Any]], list[Any]],
    work: Sequence[Any],
    jobs: int | None,
    progress: Callable[[int], None] | None = None,
) -> list[Any]:
    """`check_batch` over `work`, in worker processes when the run is large enough; the
    outcomes in the order of `work`. `progress` is told how many items each finished batch
    held."""
    batches = [work[start : start + BATCH_SIZE] for start in range(0, len(work), BATCH_SIZE)]
    workers = worker_count(jobs, len(batches))
    if workers <= 1 or len(work) < PARALLEL_MIN_FILES or sys.platform == "win32":
        if progress is None:
            return check_batch(work)
        outcomes = []
        for batch in batches:
            outcomes.extend(check_batch(batch))
            progress(len(batch))
        return outcomes
    # Imported here: a run over a few files (a pre-commit hook) never needs them.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _WORKER_TASK
    _WORKER_TASK = check_batch
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_start_worker
        ) as pool:
            outcomes = []
            # In order: a batch finished early waits for those before it to be counted.
            for batch, done in zip(batches, pool.map(_worker_batch, batches), strict=True):
                outcomes.extend(done)
                if progress is not None:
                    progress(len(batch))
            return outcomes
    finally:
        _WORKER_TASK = None


def worker_count(jobs: int | None, batches: int) -> int:
    """Worker processes for `batches` batches: as asked (by default one per core, at most 8),
    but never more than there are batches to give them or than the cores can run; an idle or
    starved worker only costs its start-up (300 asked for on 300 files made a run 5 times
    slower)."""
    cores = usable_cores()
    wanted = jobs if jobs is not None else min(cores, 8)
    return max(1, min(wanted, batches, cores * _WORKERS_PER_CORE))


def usable_cores() -> int:
    """The cores this process may run on (a container's share), not all the machine has."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _worker_batch(batch: Sequence[Any]) -> list[Any]:
    assert _WORKER_TASK is not None
    return _WORKER_TASK(batch)


def _start_worker() -> None:
    # A worker only checks files, and their syntax trees are freed by reference counting
    # (ctxlint.collector). With the collector left on, each batch's end woke it to walk every
    # tree the worker still holds (the project's modules): an eighth of the run's time.
    gc.disable()
