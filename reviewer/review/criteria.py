"""The fixed set of criterion kinds: each maps measured evidence to points in 0..1, deterministically.

A criterion whose evidence is missing (tests not run, a collector that failed) is returned with
``status="not_measured"``; the scorer leaves it out of the weight sum and says so.
"""

from __future__ import annotations

from collections import Counter
from fnmatch import fnmatchcase

from reviewer.evidence import Evidence
from reviewer.findings import Finding, Severity
from reviewer.review.result import CriterionScore
from reviewer.review.rubric import (
    ComplexityCriterion,
    CoverageCriterion,
    Criterion,
    DocsCriterion,
    FindingsPenaltyCriterion,
    MaintainabilityCriterion,
    PassRateCriterion,
    TestRatioCriterion,
)
from reviewer.review.view import ScoringView, finding_scope

__all__ = ["evaluate_criterion", "matching_findings", "penalty_breakdown", "scoped_findings"]


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


def _linear(value: float, zero_at: float, one_at: float) -> float:
    """0 at ``zero_at``, 1 at ``one_at`` (either direction), clamped."""
    if one_at == zero_at:
        return 1.0 if value >= one_at else 0.0
    return _clamp((value - zero_at) / (one_at - zero_at))


def _score(c: Criterion, points: float, measured: str) -> CriterionScore:
    return CriterionScore(
        id=c.id, name=c.name, weight=c.weight, points=round(_clamp(points), 4), measured=measured,
        dimension=c.dimension,
    )


def _missing(c: Criterion, why: str) -> CriterionScore:
    return CriterionScore(
        id=c.id, name=c.name, weight=c.weight, points=0.0, measured=f"not measured: {why}", status="not_measured",
        dimension=c.dimension,
    )


def _pass_rate(c: PassRateCriterion, ev: Evidence) -> CriterionScore:
    tests = ev.tests
    if tests is None or tests.mode == "none" or tests.pass_rate is None:
        return _missing(c, "no test results (run with --run-tests or provide JUnit XML)")
    ran = tests.total - tests.skipped
    text = f"{tests.passed}/{ran} tests passed ({tests.pass_rate:.0%}); {tests.failed} failed, {tests.errors} errors"
    return _score(c, tests.pass_rate, text)


def _coverage(c: CoverageCriterion, ev: Evidence, default_target: float) -> CriterionScore:
    cov = ev.tests.coverage_percent if ev.tests is not None else None
    if cov is None:
        return _missing(c, "no coverage data")
    target = c.target if c.target is not None else default_target
    return _score(c, cov / target if target > 0 else 1.0, f"coverage {cov:.1f}% (target {target:.0f}%)")


def _complexity(c: ComplexityCriterion, ev: Evidence, view: ScoringView) -> CriterionScore:
    blocks = [b for b in view.product_blocks if b.type != "class"] or view.product_blocks
    if ev.complexity is None or not blocks:
        return _missing(c, "no complexity data for product code")
    worst = max(b.rank for b in blocks)
    average = sum(b.complexity for b in blocks) / len(blocks)
    rank_points = c.rank_points.get(worst, 0.0)  # type: ignore[call-overload]
    avg_points = _linear(average, c.bad_average, c.good_average)
    text = f"product code: worst rank {worst}, average cc {average:.1f} over {len(blocks)} blocks"
    return _score(c, (rank_points + avg_points) / 2, text)


def _maintainability(c: MaintainabilityCriterion, ev: Evidence, view: ScoringView) -> CriterionScore:
    mi = view.product_mi if ev.complexity is not None else None
    if mi is None:
        return _missing(c, "no maintainability index for product code")
    return _score(c, _linear(mi, c.poor, c.good), f"product code: average maintainability index {mi:.1f}")


def matching_findings(findings: list[Finding], globs: list[str]) -> list[Finding]:
    """Unsuppressed findings whose rule matches one of the globs."""
    return [f for f in findings if not f.suppressed and any(fnmatchcase(f.rule, g) for g in globs)]


def scoped_findings(c: FindingsPenaltyCriterion, findings: list[Finding]) -> list[Finding]:
    """The findings this criterion counts: rule matches, not suppressed, in one of its scopes."""
    return [f for f in matching_findings(findings, c.rules) if finding_scope(f) in c.scopes]


def _weight(c: FindingsPenaltyCriterion, f: Finding) -> float:
    factor = c.confidence.get(f.confidence, 1.0) if f.confidence else 1.0
    return c.penalties.get(f.severity, 0.0) * factor


def _size(c: FindingsPenaltyCriterion, view: ScoringView) -> tuple[float, str]:
    """What the weighted findings are divided by, and how to say it."""
    if c.per == "product_statements":
        return view.thousand_statements, f"per 1000 product statements ({view.product_statements})"
    if c.per == "test_statements":
        return view.thousand_test_statements, f"per 1000 test statements ({view.test_statements})"
    return 1.0, "in the repository"


def penalty_breakdown(c: FindingsPenaltyCriterion, findings: list[Finding]) -> dict[tuple[str, str], tuple[float, int]]:
    """(rule, scope) -> (weighted penalty, count) of the findings this criterion counts."""
    out: dict[tuple[str, str], tuple[float, int]] = {}
    for f in scoped_findings(c, findings):
        key = (f.rule, finding_scope(f))
        weight, count = out.get(key, (0.0, 0))
        out[key] = (weight + _weight(c, f), count + 1)
    return out


def _penalty(c: FindingsPenaltyCriterion, ev: Evidence, findings: list[Finding], view: ScoringView) -> CriterionScore:
    if c.requires != "failures" and getattr(ev, c.requires) is None:
        return _missing(c, f"evidence section {c.requires!r} missing")
    if c.per == "test_statements" and not view.test_statements:
        return _missing(c, "no test code")
    if c.per == "product_statements" and ev.complexity is None:
        return _missing(c, "size of the product code unknown (complexity not measured): no density")
    hits = scoped_findings(c, findings)
    counts = Counter(f.severity for f in hits)
    parts = [f"{counts[s]} {s.value}" for s in Severity if counts.get(s)]
    where = "/".join(c.scopes)
    text = f"{len(hits)} finding(s) ({', '.join(parts) or 'none'}) in {where} code matching {', '.join(c.rules)}"
    if c.per is None:
        penalty = sum(c.penalties.get(sev, 0.0) * n for sev, n in counts.items())
        return _score(c, 1.0 - penalty, text)
    size, per = _size(c, view)
    density = sum(_weight(c, f) for f in hits) / size
    return _score(c, 0.5 ** (density / c.half_at), f"{text}; weighted {density:.2f} {per}, half at {c.half_at:g}")


def _docs(c: DocsCriterion, ev: Evidence) -> CriterionScore:
    facts = ev.repo_facts
    if facts is None:
        return _missing(c, "no repository facts")
    present = {
        "readme": facts.has_readme, "license": facts.has_license, "changelog": facts.has_changelog,
        "ci": bool(facts.ci_configs),
    }
    total = sum(c.items.values())
    got = sum(w for item, w in c.items.items() if present[item])
    have = [item for item in c.items if present[item]]
    lack = [item for item in c.items if not present[item]]
    text = f"present: {', '.join(have) or 'none'}; missing: {', '.join(lack) or 'none'}"
    return _score(c, got / total if total > 0 else 1.0, text)


def _test_ratio(c: TestRatioCriterion, ev: Evidence, view: ScoringView) -> CriterionScore:
    facts = ev.repo_facts
    if facts is None and view.product_statements > 0:  # the repository facts failed: the scopes still tell
        ratio = view.test_statements / view.product_statements
        text = (f"test-to-code ratio {ratio:.2f} ({view.test_statements} test / {view.product_statements} product "
                "statements)")
        return _score(c, ratio / c.target, text)
    if facts is None or facts.test_to_code_ratio is None:
        return _missing(c, "no source lines to compare tests against")
    ratio = facts.test_to_code_ratio
    text = f"test-to-code ratio {ratio:.2f} ({facts.test_lines} test / {facts.source_lines} source lines)"
    return _score(c, ratio / c.target, text)


def evaluate_criterion(
    criterion: Criterion, evidence: Evidence, findings: list[Finding], coverage_target: float,
    view: ScoringView | None = None,
) -> CriterionScore:
    """Points for one criterion from the evidence and the (deterministic, unsuppressed) findings; ``view``
    says which files are product code (default scopes when not given)."""
    view = view or ScoringView(evidence)
    match criterion:
        case PassRateCriterion():
            return _pass_rate(criterion, evidence)
        case CoverageCriterion():
            return _coverage(criterion, evidence, coverage_target)
        case ComplexityCriterion():
            return _complexity(criterion, evidence, view)
        case MaintainabilityCriterion():
            return _maintainability(criterion, evidence, view)
        case FindingsPenaltyCriterion():
            return _penalty(criterion, evidence, findings, view)
        case DocsCriterion():
            return _docs(criterion, evidence)
        case TestRatioCriterion():
            return _test_ratio(criterion, evidence, view)
    raise TypeError(f"unknown criterion kind: {criterion!r}")
