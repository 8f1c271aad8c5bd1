"""Read units in rank order until the time budget is spent, up to ``concurrency`` at once.

The planner measures the backend on the first units it asks (cache hits cost nothing and are not measured) and
starts another unit only while the elapsed time plus the expected time of one more fits the budget. A budget of
0 reads every unit. A backend that is down stops the reading; units already in flight finish.
"""

from __future__ import annotations

import statistics
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from reviewer.console import ProgressTask
from reviewer.judge.ask import Outcome, UnitJudge
from reviewer.judge.meter import BackendDown
from reviewer.judge.risk import Ranked

__all__ = ["Budget", "Reading", "read_units"]


@dataclass
class Budget:
    seconds: float
    concurrency: int = 1
    started: float = field(default_factory=time.perf_counter)
    measured: list[float] = field(default_factory=list)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def expected_unit_s(self) -> float:
        return statistics.median(self.measured) if self.measured else 0.0

    def allows_another(self) -> bool:
        if self.seconds <= 0:
            return True
        return self.elapsed + self.expected_unit_s() / max(1, self.concurrency) <= self.seconds

    def left(self) -> float:
        return float("inf") if self.seconds <= 0 else max(0.0, self.seconds - self.elapsed)


@dataclass
class Reading:
    outcomes: list[Outcome] = field(default_factory=list)
    budget_spent: bool = False
    down: str | None = None


def _label(outcome: Outcome) -> str:
    unit = outcome.ranked.unit
    state = "failed" if outcome.error else ("cached" if outcome.cached else f"{outcome.seconds:.1f}s")
    return f"{unit.file}:{unit.start} {unit.qualname} ({state}, {len(outcome.kept)} kept)"


def read_units(ranked: list[Ranked], judge: UnitJudge, budget: Budget, progress: ProgressTask | None) -> Reading:
    reading = Reading()
    queue = iter(ranked)
    pending: set[Future[Outcome]] = set()
    with ThreadPoolExecutor(max_workers=max(1, budget.concurrency), thread_name_prefix="judge") as pool:
        while True:
            while reading.down is None and len(pending) < budget.concurrency:
                if not budget.allows_another():
                    reading.budget_spent = True
                    break
                item = next(queue, None)
                if item is None:
                    break
                pending.add(pool.submit(_judge_one, judge, item))
            if not pending:
                break
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                _collect(future, reading, budget, progress)
            if reading.budget_spent or reading.down is not None:
                for future in wait(pending).done:
                    _collect(future, reading, budget, progress)
                pending = set()
                break
    order = {id(r): n for n, r in enumerate(ranked)}
    reading.outcomes.sort(key=lambda o: order[id(o.ranked)])
    return reading


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
    if not outcome.cached and outcome.error is None:
        budget.measured.append(outcome.seconds)
    if progress is not None:
        progress.advance(_label(outcome))
