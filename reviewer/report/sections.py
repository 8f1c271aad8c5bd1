"""Style-specific sections (checkpoint buckets, readiness breakdown, status checklists), derived from the result.

Each function only regroups what the result already holds; the grouping rules are written down here so a
reader of the report can tell why a finding landed in a section.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reviewer.findings import Finding
from reviewer.report.context import VERDICT_LABELS, Capped, cap, finding_sort_key, severity_counts
from reviewer.review.narrative import deterministic_strengths
from reviewer.review.result import HealthRow, ReviewResult
from reviewer.review.topics import describes_problem, split_sentences, strength_key

__all__ = [
    "CHECKPOINT_BUCKETS",
    "Criterion",
    "Strength",
    "checkpoint_bucket",
    "checkpoint_sections",
    "good_strengths",
    "readiness_rows",
    "status_criteria",
    "test_gaps",
    "validation_rows",
]

DIMENSION_LABELS: dict[str, str] = {
    "functionality": "Functionality",
    "reliability": "Reliability",
    "security": "Security",
    "performance": "Performance",
    "maintainability": "Maintainability",
    "test_health": "Test health",
    "documentation": "Documentation",
}
CHECKPOINT_BUCKETS: list[tuple[str, str]] = [
    ("broken", "What's Broken"),
    ("works_but_shouldnt", "What Works But Shouldn't"),
    ("placeholders", "Placeholders and Markers"),
    ("pretends", "What Pretends to Work"),
    ("practices", "Best Practices Evaluation"),
]
# Rules whose code looks like it works but hides failure: stubs, swallowed exceptions, skipped tests.
_PRETEND_MARKERS = ("stub", "pretend", "placeholder", "notimplemented", "not_implemented", "B110", "B112", "skip",
                    "docs.claim", "failure_paths")
_UNSAFE_PREFIXES = ("bandit.", "config", "deps.", "secrets.")
_PRIORITY = {"poor": "High", "fair": "Medium", "good": "Low"}


def checkpoint_bucket(finding: Finding) -> str:
    """Which checkpoint section a finding belongs to (first rule that matches wins)."""
    rule = finding.rule.lower()
    if any(marker.lower() in rule for marker in _PRETEND_MARKERS):
        return "pretends"
    if rule.startswith("markers."):
        return "placeholders"
    if finding.severity.rank <= 1:
        return "broken"
    if finding.category == "security" or rule.startswith(_UNSAFE_PREFIXES):
        return "works_but_shouldnt"
    return "practices"


def checkpoint_sections(result: ReviewResult, limit: int) -> dict[str, Capped[Finding]]:
    active = sorted((f for f in result.findings if not f.suppressed), key=finding_sort_key)
    return {key: cap([f for f in active if checkpoint_bucket(f) == key], limit) for key, _ in CHECKPOINT_BUCKETS}


@dataclass(frozen=True)
class Strength:
    text: str
    measured: bool
    """True when the text is the agent's deterministic strength (a criterion that scored well), not model prose."""
    agent: str


def good_strengths(result: ReviewResult, limit: int) -> Capped[Strength]:
    """Every agent's strengths, once: "What's Good" across personas, at most ``limit`` per agent.

    Left out: items with fewer than two words, repeats of an earlier item (case, spacing and punctuation
    ignored), and in model prose the sentences that describe a problem (the review already cleans new results;
    this also holds for older ones). Each item says whether it was measured or is the model's judgement.
    """
    out: list[Strength] = []
    seen: set[str] = set()
    rest = 0
    for agent in result.agents:
        measured = set(deterministic_strengths(agent.criteria))
        mine: list[Strength] = []
        for item in agent.strengths:
            is_measured = item in measured
            text = item if is_measured else " ".join(s for s in split_sentences(item) if not describes_problem(s))
            key = strength_key(text)
            if len(key.split()) < 2 or key in seen:
                continue
            seen.add(key)
            mine.append(Strength(text=text, measured=is_measured, agent=agent.name))
        out.extend(mine[:limit])
        rest += max(len(mine) - limit, 0)
    return Capped(out, rest)


def _health(result: ReviewResult) -> dict[str, HealthRow]:
    return {row.dimension: row for row in result.health}


def _category_count(result: ReviewResult, category: str) -> int:
    return sum(1 for f in result.findings if not f.suppressed and f.category == category)


def readiness_rows(result: ReviewResult) -> list[tuple[str, str, str]]:
    """(area, score /10, justification): five health dimensions and the overall production readiness."""
    health = _health(result)
    rows: list[tuple[str, str, str]] = []
    for dim in ("functionality", "reliability", "security", "performance", "maintainability"):
        row = health.get(dim)
        n = _category_count(result, dim)
        if row is None:
            rows.append((DIMENSION_LABELS[dim], "not assessed", f"{n} finding(s) in this category"))
            continue
        if row.score is None or row.status == "not_measured":
            rows.append((DIMENSION_LABELS[dim], "not measured", row.note or "no evidence for this area"))
            continue
        note = f"{row.status}; " + (row.note or f"{n} finding(s) in this category")
        rows.append((DIMENSION_LABELS[dim], f"{row.score / 10:.1f}/10", note))
    reason = result.verdict_reasons[0] if result.verdict_reasons else "no blocking reason recorded"
    label = VERDICT_LABELS.get(result.verdict, result.verdict)
    rows.append(("Production Readiness", f"{result.overall_score / 10:.1f}/10", f"{label}: {reason}"))
    return rows


def test_gaps(result: ReviewResult, limit: int) -> list[tuple[str, str, Capped[str]]]:
    """Missing tests by area: what the evidence shows and the ids of related findings."""
    m = result.metrics

    def ids(*categories: str) -> Capped[str]:
        chosen = [f for f in result.findings if not f.suppressed and f.category in categories and f.id]
        return cap([f.id or "" for f in sorted(chosen, key=finding_sort_key)], limit)

    failing = (m.tests_failed or 0) + (m.tests_errors or 0)
    tests = "tests not measured" if m.tests_total is None else f"{failing} failing or erroring of {m.tests_total}"
    coverage = "coverage not measured" if m.coverage_percent is None else f"{100 - m.coverage_percent:.1f}% of lines uncovered"
    security = sum(m.security_by_severity.values())
    return [
        ("Failure scenarios", f"{tests}; {_category_count(result, 'reliability')} reliability finding(s)",
         ids("reliability")),
        ("Edge cases", f"{coverage}; {_category_count(result, 'test_health')} test-health finding(s)",
         ids("test_health", "functionality")),
        ("Security", f"{security} security issue(s) measured; {_category_count(result, 'security')} finding(s)",
         ids("security")),
        ("Performance", f"{_category_count(result, 'performance')} performance finding(s)", ids("performance")),
    ]


def validation_rows(result: ReviewResult) -> list[tuple[str, str, str, str]]:
    """(category, assessment, priority, status) per health dimension."""
    return [
        (DIMENSION_LABELS.get(row.dimension, row.dimension), row.note or row.status.replace("_", " "),
         _PRIORITY.get(row.status, "Unknown"),
         "not measured" if row.score is None else f"{row.status} ({row.score}/100)")
        for row in result.health
    ]


@dataclass(frozen=True)
class Criterion:
    text: str
    met: bool
    detail: str


def _evidence_criteria(result: ReviewResult) -> list[Criterion]:
    m = result.metrics
    counts = dict(severity_counts(result))
    failing = (m.tests_failed or 0) + (m.tests_errors or 0)
    docs = _health(result).get("documentation")
    return [
        Criterion("Tests ran and all pass", bool(m.tests_total) and failing == 0,
                  "not measured" if m.tests_total is None else f"{m.tests_passed or 0} of {m.tests_total} passed"),
        Criterion("Coverage measured", m.coverage_percent is not None,
                  "not measured" if m.coverage_percent is None else f"{m.coverage_percent:.1f}%"),
        Criterion("No critical findings", counts.get("critical", 0) == 0, f"{counts.get('critical', 0)} critical"),
        Criterion("No high findings", counts.get("high", 0) == 0, f"{counts.get('high', 0)} high"),
        Criterion("Documentation present and healthy", docs is not None and docs.status == "good",
                  "not assessed" if docs is None else
                  "not measured" if docs.score is None else f"{docs.status} ({docs.score}/100)"),
        Criterion("Every file could be analysed", m.file_failures == 0, f"{m.file_failures} file(s) failed"),
    ]


def status_criteria(result: ReviewResult) -> dict[str, Any]:
    """Success criteria as checklists: from the gate when it ran, and from the evidence."""
    gate = [Criterion(f"{c.name} ({c.threshold})", c.passed, c.actual) for c in (result.gate.checks if result.gate else [])]
    return {"gate": gate, "evidence": _evidence_criteria(result)}
