"""Deterministic scores: persona base scores from rubric + evidence, bounded model adjustment, overall score,
health per dimension and the severity roll-up. Nothing here reads model text."""

from __future__ import annotations

from collections import Counter

from reviewer.evidence import Evidence
from reviewer.findings import SEVERITY_ORDER, Finding, Severity
from reviewer.review.categories import DIMENSIONS
from reviewer.review.criteria import evaluate_criterion
from reviewer.review.result import AgentResult, CriterionScore, HealthRow
from reviewer.review.rubric import Rubric

__all__ = [
    "NEUTRAL_SCORE",
    "base_score",
    "clamp_adjustment",
    "final_score",
    "health_table",
    "overall_score",
    "score_criteria",
    "severity_counts",
]

NEUTRAL_SCORE = 50
"""Base score of a persona none of whose criteria could be measured (stated in its notes)."""

_FINDING_PENALTY = {
    Severity.critical: 40, Severity.high: 20, Severity.medium: 8, Severity.low: 3, Severity.info: 0,
}


def score_criteria(rubric: Rubric, evidence: Evidence, findings: list[Finding], coverage_target: float) -> list[CriterionScore]:
    return [evaluate_criterion(c, evidence, findings, coverage_target) for c in rubric.criteria]


def base_score(criteria: list[CriterionScore]) -> tuple[int, list[str]]:
    """Weighted mean of the measured criteria, 0..100, and notes on what was not measured."""
    measured = [c for c in criteria if c.status == "measured"]
    notes = [f"{c.name}: {c.measured} (left out of the score)" for c in criteria if c.status != "measured"]
    weight = sum(c.weight for c in measured)
    if weight <= 0:
        notes.append(f"no criterion could be measured: neutral base score {NEUTRAL_SCORE}")
        return NEUTRAL_SCORE, notes
    return round(100 * sum(c.weight * c.points for c in measured) / weight), notes


def clamp_adjustment(adjustment: int, max_adjustment: int) -> int:
    return max(-max_adjustment, min(max_adjustment, adjustment))


def final_score(base: int, adjustment: int, max_adjustment: int) -> int:
    return max(0, min(100, base + clamp_adjustment(adjustment, max_adjustment)))


def overall_score(agents: list[AgentResult], weights: dict[str, float]) -> int:
    """Weighted mean of the persona scores (rubric weights); 0 when there is no persona."""
    total = sum(weights.get(a.id, 1.0) for a in agents)
    if total <= 0:
        return 0
    return round(sum(a.score * weights.get(a.id, 1.0) for a in agents) / total)


def severity_counts(findings: list[Finding]) -> dict[str, int]:
    counts = Counter(f.severity for f in findings if not f.suppressed)
    return {s.value: counts.get(s, 0) for s in SEVERITY_ORDER}


def _status(score: int) -> str:
    return "good" if score >= 80 else "fair" if score >= 60 else "poor"


def _health_row(dimension: str, criteria: list[CriterionScore], findings: list[Finding]) -> HealthRow:
    mine = [c for c in criteria if c.dimension == dimension and c.status == "measured"]
    hits = [f for f in findings if f.category == dimension and not f.suppressed]
    penalty = sum(_FINDING_PENALTY[f.severity] for f in hits)
    counted = f"{len(hits)} finding(s)"
    if mine:
        weight = sum(c.weight for c in mine)
        score = round(100 * sum(c.weight * c.points for c in mine) / weight)
        names = sorted({c.name for c in mine})
        note = f"from {', '.join(names)}; {counted}"
    else:
        score = max(0, 100 - penalty)
        note = f"not measured directly: 100 minus severity penalties of {counted}"
    return HealthRow(dimension=dimension, score=score, status=_status(score), note=note)  # type: ignore[arg-type]


def health_table(criteria: list[CriterionScore], deterministic: list[Finding]) -> list[HealthRow]:
    """One row per dimension from the measured criteria feeding it, else from its deterministic findings."""
    return [_health_row(d, criteria, deterministic) for d in DIMENSIONS]
