"""Deterministic persona text (summary, strengths, recommendations) written from the evidence alone.

This is the whole narrative with ``--backend none`` and the fallback when a persona's model call fails.
"""

from __future__ import annotations

from collections import Counter

from reviewer.findings import SEVERITY_ORDER, Finding
from reviewer.review.result import CriterionScore
from reviewer.review.rubric import Rubric

__all__ = ["STRENGTH_POINTS", "deterministic_recommendations", "deterministic_strengths", "deterministic_summary"]

STRENGTH_POINTS = 0.9
"""A measured criterion earning at least this fraction of its points is listed as a strength."""


def _severity_text(findings: list[Finding]) -> str:
    counts = Counter(f.severity for f in findings)
    parts = [f"{counts[s]} {s.value}" for s in SEVERITY_ORDER if counts.get(s)]
    return ", ".join(parts) if parts else "none"


def deterministic_summary(rubric: Rubric, base: int, criteria: list[CriterionScore], findings: list[Finding]) -> str:
    measured = [c for c in criteria if c.status == "measured"]
    text = f"{rubric.name}: base score {base}/100 from {len(measured)} of {len(criteria)} criteria measured."
    if measured:
        weakest = min(measured, key=lambda c: (c.points, -c.weight))
        text += f" Weakest: {weakest.name} ({weakest.measured})."
    unmeasured = [c.name for c in criteria if c.status != "measured"]
    if unmeasured:
        text += f" Not measured: {', '.join(unmeasured)}."
    return text + f" Findings in scope: {_severity_text(findings)}."


def deterministic_strengths(criteria: list[CriterionScore]) -> list[str]:
    return [f"{c.name}: {c.measured}" for c in criteria if c.status == "measured" and c.points >= STRENGTH_POINTS]


def deterministic_recommendations(findings: list[Finding], limit: int = 5) -> list[str]:
    """The recommendations of the most severe findings, one per rule."""
    out, rules = [], set()
    for f in sorted(findings, key=lambda f: (f.severity.rank, f.file or "", f.line or 0)):
        if f.suppressed or f.rule in rules or not (f.recommendation or f.title):
            continue
        rules.add(f.rule)
        where = f" ({f.location})" if f.location else ""
        out.append(f"{f.recommendation or f.title}{where}")
        if len(out) >= limit:
            break
    return out
