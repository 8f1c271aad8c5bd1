"""Recommendations grouped Immediate / Short term / Long term, from findings and measured figures.

Critical and high findings and failing tests are immediate; medium findings and coverage below target are short
term; low and info findings are long term. Findings of one rule are grouped into one recommendation.
"""

from __future__ import annotations

from collections import defaultdict

from reviewer.evidence import Evidence
from reviewer.findings import Finding, Severity
from reviewer.review.result import Recommendation

__all__ = ["build_recommendations", "horizon_of"]

_HORIZON = {
    Severity.critical: "immediate", Severity.high: "immediate", Severity.medium: "short_term",
    Severity.low: "long_term", Severity.info: "long_term",
}
_ORDER = {"immediate": 0, "short_term": 1, "long_term": 2}


def horizon_of(finding: Finding) -> str:
    if finding.rule.startswith("tests.") and finding.severity != Severity.info:
        return "immediate"
    return _HORIZON[finding.severity]


def _group_text(group: list[Finding]) -> str:
    first = group[0]
    advice = first.recommendation or first.title
    where = ", ".join(f.location for f in group[:3] if f.location)
    more = f" and {len(group) - 3} more" if len(group) > 3 else ""
    return f"{advice} ({first.rule}: {where}{more})" if where else f"{advice} ({first.rule})"


def _from_findings(findings: list[Finding]) -> list[Recommendation]:
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        if not f.suppressed:
            key_rule = f.rule if f.source != "model" else f"model:{f.fingerprint or f.id}"
            groups[(horizon_of(f), key_rule)].append(f)
    recs = [
        Recommendation(horizon=h, text=_group_text(g), finding_ids=[f.id for f in g if f.id])  # type: ignore[arg-type]
        for (h, _), g in groups.items()
    ]
    return recs


def _from_metrics(evidence: Evidence, coverage_target: float, findings: list[Finding]) -> list[Recommendation]:
    recs: list[Recommendation] = []
    tests = evidence.tests
    failing = [f for f in findings if f.rule.startswith("tests.fail")]
    if tests is not None and (tests.failed or tests.errors) and not failing:
        recs.append(Recommendation(horizon="immediate", text=f"Fix the {tests.failed + tests.errors} failing test(s)"))
    if tests is not None and tests.coverage_percent is not None and tests.coverage_percent < coverage_target:
        recs.append(Recommendation(
            horizon="short_term",
            text=f"Raise coverage from {tests.coverage_percent:.1f}% to the {coverage_target:.0f}% target",
        ))
    if tests is None or tests.mode == "none":
        recs.append(Recommendation(horizon="short_term", text="Run the tests (--run-tests) or provide JUnit/coverage reports"))
    facts = evidence.repo_facts
    if facts is not None and not facts.has_readme:
        recs.append(Recommendation(horizon="long_term", text="Add a README that explains install and usage"))
    return recs


def build_recommendations(evidence: Evidence, findings: list[Finding], coverage_target: float) -> list[Recommendation]:
    """All recommendations, immediate first, in a stable order."""
    recs = _from_metrics(evidence, coverage_target, findings) + _from_findings(findings)
    return sorted(recs, key=lambda r: _ORDER[r.horizon])
