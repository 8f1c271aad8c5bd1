"""Deterministic scores: persona base scores from rubric + evidence, overall score,
health per dimension and the severity roll-up. Nothing here reads model text."""

from __future__ import annotations

from collections import Counter

from reviewer.evidence import Evidence
from reviewer.findings import SEVERITY_ORDER, Finding
from reviewer.review.categories import DIMENSIONS
from reviewer.review.criteria import evaluate_criterion, penalty_breakdown
from reviewer.review.result import AgentResult, CriterionScore, HealthRow, ScoreContributor
from reviewer.review.rubric import FindingsPenaltyCriterion, Rubric
from reviewer.review.view import ScoringView

__all__ = [
    "NEUTRAL_SCORE",
    "TOP_CONTRIBUTORS",
    "base_score",
    "contributors",
    "persona_status",
    "health_table",
    "overall_score",
    "score_criteria",
    "severity_counts",
]

NEUTRAL_SCORE = 50
"""Base score of a persona none of whose criteria could be measured (stated in its notes). Such a persona has
status ``not_measured``: no score is shown for it and it is left out of the overall score."""
TOP_CONTRIBUTORS = 6

def score_criteria(rubric: Rubric, evidence: Evidence, findings: list[Finding], coverage_target: float,
                   view: ScoringView | None = None) -> list[CriterionScore]:
    view = view or ScoringView(evidence)
    return [evaluate_criterion(c, evidence, findings, coverage_target, view) for c in rubric.criteria]


def persona_status(criteria: list[CriterionScore]) -> tuple[str, list[str]]:
    """measured / partial / not_measured, and the names of the criteria with no evidence."""
    missing = [c.name for c in criteria if c.status != "measured"]
    if len(missing) == len(criteria):
        return "not_measured", missing
    return ("partial" if missing else "measured"), missing


def _criterion_loss(c: CriterionScore, total_weight: float) -> float:
    return 100 * c.weight / total_weight * (1 - c.points) if total_weight > 0 else 0.0


def contributors(rubric: Rubric, criteria: list[CriterionScore], findings: list[Finding]) -> list[ScoreContributor]:
    """What cost the persona its points, largest first: a findings criterion's loss is shared among its rules
    (per scope) in proportion to their weighted penalties; any other criterion's loss is its own entry
    (``criterion.<id>``)."""
    by_id = {c.id: c for c in rubric.criteria}
    measured = [c for c in criteria if c.status == "measured"]
    total = sum(c.weight for c in measured)
    out: list[ScoreContributor] = []
    for score in measured:
        loss = _criterion_loss(score, total)
        if loss <= 0:
            continue
        spec = by_id.get(score.id)
        parts = penalty_breakdown(spec, findings) if isinstance(spec, FindingsPenaltyCriterion) else {}
        weight = sum(w for w, _ in parts.values())
        if weight <= 0:
            out.append(ScoreContributor(rule=f"criterion.{score.id}", scope=None, points=round(loss, 2)))
            continue
        out.extend(ScoreContributor(rule=rule, scope=scope, points=round(loss * w / weight, 2), count=n)
                   for (rule, scope), (w, n) in parts.items() if w > 0)
    out.sort(key=lambda c: (-c.points, c.rule))
    return [c for c in out if c.points >= 0.01][:TOP_CONTRIBUTORS]


def base_score(criteria: list[CriterionScore]) -> tuple[int, list[str]]:
    """Weighted mean of the measured criteria, 0..100, and notes on what was not measured."""
    measured = [c for c in criteria if c.status == "measured"]
    notes = [f"{c.name}: {c.measured} (left out of the score)" for c in criteria if c.status != "measured"]
    weight = sum(c.weight for c in measured)
    if weight <= 0:
        notes.append(f"no criterion could be measured: neutral base score {NEUTRAL_SCORE}")
        return NEUTRAL_SCORE, notes
    return round(100 * sum(c.weight * c.points for c in measured) / weight), notes


def overall_score(agents: list[AgentResult], weights: dict[str, float]) -> int:
    """Weighted mean of the scores of the measured personas (rubric weights); a persona with nothing measured
    is left out; 0 when no persona is left."""
    scored = [a for a in agents if a.status != "not_measured"]
    total = sum(weights.get(a.id, 1.0) for a in scored)
    if total <= 0:
        return 0
    return round(sum(a.score * weights.get(a.id, 1.0) for a in scored) / total)


def severity_counts(findings: list[Finding]) -> dict[str, int]:
    counts = Counter(f.severity for f in findings if not f.suppressed)
    return {s.value: counts.get(s, 0) for s in SEVERITY_ORDER}


def _status(score: int) -> str:
    return "good" if score >= 80 else "fair" if score >= 60 else "poor"


def _health_row(dimension: str, criteria: list[CriterionScore], findings: list[Finding]) -> HealthRow:
    mine = [c for c in criteria if c.dimension == dimension and c.status == "measured"]
    hits = [f for f in findings if f.category == dimension and not f.suppressed]
    counted = f"{len(hits)} finding(s)"
    if not mine:
        note = f"not measured: no measured criterion feeds this area; {counted} listed, not scored"
        return HealthRow(dimension=dimension, score=None, status="not_measured", note=note)  # type: ignore[arg-type]
    weight = sum(c.weight for c in mine)
    score = round(100 * sum(c.weight * c.points for c in mine) / weight)
    names = sorted({c.name for c in mine})
    note = f"from {', '.join(names)}; {counted}"
    return HealthRow(dimension=dimension, score=score, status=_status(score), note=note)  # type: ignore[arg-type]


def health_table(criteria: list[CriterionScore], deterministic: list[Finding]) -> list[HealthRow]:
    """One row per dimension from the measured criteria feeding it; an area no measured criterion feeds is
    ``not_measured`` (no score: findings alone are not a measurement of an area)."""
    return [_health_row(d, criteria, deterministic) for d in DIMENSIONS]
