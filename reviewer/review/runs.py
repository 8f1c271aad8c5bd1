"""Aggregate several model runs of one persona: median adjustment, findings kept when seen in a majority."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

from reviewer.findings import Finding
from reviewer.review.persona import CheckedRun
from reviewer.review.result import DroppedClaim

__all__ = ["Aggregate", "aggregate_runs"]


@dataclass
class Aggregate:
    summary: str
    strengths: list[str]
    adjustment: int
    reason: str
    findings: list[Finding]
    dropped: list[DroppedClaim] = field(default_factory=list)
    contradictions: list[str] = field(default_factory=list)
    not_in_majority: int = 0
    unsupported: list[str] = field(default_factory=list)
    strengths_dropped: int = 0


def _unique(items: list[DroppedClaim]) -> list[DroppedClaim]:
    seen, out = set(), []
    for d in items:
        key = (d.title, d.file, d.line, d.reason)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def aggregate_runs(runs: list[CheckedRun]) -> Aggregate:
    """One answer from the successful runs (at least one). The prose is that of the run with the median
    adjustment; a finding is kept when its fingerprint appears in more than half of the runs."""
    if not runs:
        raise ValueError("aggregate_runs needs at least one run")
    adjustment = int(statistics.median_low(r.adjustment for r in runs))
    chosen = next(r for r in runs if r.adjustment == adjustment)
    seen = Counter(fp for r in runs for fp in {f.fingerprint for f in r.findings})
    majority = len(runs) / 2
    kept: dict[str, Finding] = {}
    for run in runs:
        for f in run.findings:
            if f.fingerprint is not None and seen[f.fingerprint] > majority and f.fingerprint not in kept:
                kept[f.fingerprint] = f
    not_kept = len({fp for fp, n in seen.items() if n <= majority})
    return Aggregate(
        summary=chosen.summary, strengths=chosen.strengths, adjustment=adjustment, reason=chosen.reason,
        findings=list(kept.values()), dropped=_unique([d for r in runs for d in r.dropped]),
        contradictions=sorted({c for r in runs for c in r.contradictions}), not_in_majority=not_kept,
        unsupported=sorted({u for r in runs for u in r.unsupported}), strengths_dropped=chosen.strengths_dropped,
    )
