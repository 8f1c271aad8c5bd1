"""Read units in rank order until the time budget is spent, up to ``concurrency`` at once.

The planner measures the backend on the first units it asks (seconds per character of unit shown; cache hits
cost nothing and are not measured) and, in rank order, starts each unit whose expected time still fits the
budget; a unit too large for what is left is passed over for smaller ones further down. A budget of
0 reads every unit. A backend that is down stops the reading; units already in flight finish.
"""

from __future__ import annotations

import statistics
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from collections.abc import Iterator
from dataclasses import dataclass, field

from reviewer.console import ProgressTask
from reviewer.judge.ask import Outcome, UnitJudge
from reviewer.judge.meter import BackendDown
from reviewer.judge.risk import Ranked
from reviewer.judge.unitcontext import MAX_UNIT_LINES

__all__ = ["Budget", "Reading", "read_units", "unit_size"]

_QUESTION_CHARS = 400


@dataclass
class Budget:
    seconds: float
    concurrency: int = 1
    started: float = field(default_factory=time.perf_counter)
    measured: list[tuple[float, int]] = field(default_factory=list)
    """(seconds, size in characters) of each unit the model answered."""

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def expected_s(self, size: int) -> float:
        """Seconds a unit of ``size`` characters should take, from the rate measured so far (0 before any)."""
        if not self.measured:
            return 0.0
        per_char = statistics.median(seconds / max(1, chars) for seconds, chars in self.measured)
        return per_char * size

    def allows(self, size: int) -> bool:
        if self.seconds <= 0:
            return True
        return self.elapsed + self.expected_s(size) / max(1, self.concurrency) <= self.seconds

    def left(self) -> float:
        return float("inf") if self.seconds <= 0 else max(0.0, self.seconds - self.elapsed)


def unit_size(item: Ranked) -> int:
    """Characters the model reads and writes for a unit: its lines as the prompt shows them (once: the questions
    share them as a prefix) and one question with its answer per site (a unit without sites, read openly: about two,
    the open question with its short answer and the kinds asked on the line it names)."""
    unit = item.unit
    questions = len(item.sites) or 2
    return sum(len(unit.source.line(n)) + 8 for n in unit.lines[:MAX_UNIT_LINES]) + _QUESTION_CHARS * questions


@dataclass
class Reading:
    outcomes: list[Outcome] = field(default_factory=list)
    budget_spent: bool = False
    down: str | None = None
    units_with_sites: int = 0
    sites_total: int = 0
    units_openable: int = 0
    """Units without sites that an open reading would read (none when it is off)."""


def _label(outcome: Outcome) -> str:
    unit = outcome.ranked.unit
    state = "failed" if outcome.error else ("cached" if outcome.cached else f"{outcome.seconds:.1f}s")
    return f"{unit.file}:{unit.start} {unit.qualname} ({state}, {len(outcome.kept)} kept)"


def read_units(ranked: list[Ranked], judge: UnitJudge, budget: Budget, progress: ProgressTask | None) -> Reading:
    reading = Reading(units_with_sites=sum(1 for r in ranked if r.sites), sites_total=sum(len(r.sites) for r in ranked),
                      units_openable=sum(1 for r in ranked if not r.sites and judge.wants(r)))
    queue = iter(ranked)
    pending: set[Future[Outcome]] = set()
    with ThreadPoolExecutor(max_workers=max(1, budget.concurrency), thread_name_prefix="judge") as pool:
        while True:
            _submit(queue, pending, pool, judge, budget, reading)
            if not pending:
                break
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                _collect(future, reading, budget, progress)
            if reading.down is not None:
                for future in wait(pending).done:
                    _collect(future, reading, budget, progress)
                break
    order = {id(r): n for n, r in enumerate(ranked)}
    reading.outcomes.sort(key=lambda o: order[id(o.ranked)])
    return reading


def _submit(queue: Iterator[Ranked], pending: set[Future[Outcome]], pool: ThreadPoolExecutor, judge: UnitJudge,
            budget: Budget, reading: Reading) -> None:
    """Start units in rank order while slots are free; pass over those whose expected time no longer fits. Once
    product code has been passed over, tests and trivial units (tier 2) are not started: a small test is no
    substitute for the product unit that did not fit."""
    while reading.down is None and len(pending) < budget.concurrency:
        if budget.seconds > 0 and budget.elapsed >= budget.seconds:
            reading.budget_spent = True
            return
        item = next(queue, None)
        if item is None:
            return
        if not judge.wants(item) or (item.tier == 2 and reading.budget_spent):
            continue  # nothing to ask, or product code already left unread
        if not budget.allows(unit_size(item)):
            reading.budget_spent = True
            continue
        pending.add(pool.submit(_judge_one, judge, item))


def _judge_one(judge: UnitJudge, item: Ranked) -> Outcome:
    """One unit; an unexpected error in it is that unit's failure (recorded), not the end of the review."""
    try:
        return judge.judge(item)
    except BackendDown:
        raise
    except Exception as exc:  # noqa: BLE001 - a unit that fails is data; the review goes on
        return Outcome(ranked=item, error=f"{type(exc).__name__}: {exc}")


def _collect(future: Future[Outcome], reading: Reading, budget: Budget, progress: ProgressTask | None) -> None:
    try:
        outcome = future.result()
    except BackendDown as down:
        reading.down = reading.down or str(down)
        return
    reading.outcomes.append(outcome)
    if not outcome.cached and outcome.error is None and outcome.asked:
        budget.measured.append((outcome.seconds, unit_size(outcome.ranked)))
    if progress is not None:
        progress.advance(_label(outcome))
