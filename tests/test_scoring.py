"""Deterministic scoring: criterion kinds, base scores, bounded adjustment, health, verdict, recommendations."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.review_fixtures import make_evidence

from reviewer.errors import ConfigError
from reviewer.evidence import Evidence, RepoFactsSection, TestsSection
from reviewer.findings import Finding, Severity
from reviewer.review.criteria import evaluate_criterion
from reviewer.review.recommendations import build_recommendations
from reviewer.review.result import CriterionScore
from reviewer.review.rubric import (
    CoverageCriterion,
    DocsCriterion,
    FindingsPenaltyCriterion,
    PassRateCriterion,
    load_rubric,
    load_rubrics,
)
from reviewer.review.scoring import NEUTRAL_SCORE, base_score, health_table
from reviewer.review.verdict import decide_verdict

PERSONAS = ["product_engineer", "qa_engineer", "architect", "test_engineer", "security_engineer"]


def _ev(**sections: object) -> Evidence:
    return Evidence(tool_version="t", repo_name="r", **sections)  # type: ignore[arg-type]


def _f(rule: str, severity: Severity, **kw: object) -> Finding:
    return Finding(rule=rule, severity=severity, title=rule, source="test", evidence="x", **kw)  # type: ignore[arg-type]


def test_packaged_rubrics_validate() -> None:
    rubrics = load_rubrics(PERSONAS)
    assert [r.id for r in rubrics] == PERSONAS
    assert all(r.criteria and r.guidance and r.reads for r in rubrics)


def test_pass_rate_and_not_measured() -> None:
    c = PassRateCriterion(id="p", name="Pass", kind="test_pass_rate", weight=1, dimension="functionality")
    run = evaluate_criterion(c, _ev(tests=TestsSection(mode="run", total=4, passed=3, failed=1)), [], 80)
    assert run.status == "measured" and run.points == pytest.approx(0.75)
    assert "3/4" in run.measured
    missing = evaluate_criterion(c, _ev(tests=TestsSection(mode="none")), [], 80)
    assert missing.status == "not_measured" and missing.points == 0


def test_coverage_against_target_from_config_or_rubric() -> None:
    ev = _ev(tests=TestsSection(mode="run", total=1, passed=1, coverage_percent=40.0))
    default = CoverageCriterion(id="c", name="Cov", kind="coverage", weight=1, dimension="test_health")
    assert evaluate_criterion(default, ev, [], 80).points == pytest.approx(0.5)
    own = CoverageCriterion(id="c", name="Cov", kind="coverage", weight=1, dimension="test_health", target=40)
    assert evaluate_criterion(own, ev, [], 80).points == pytest.approx(1.0)


def test_findings_penalty_uses_globs_severities_and_skips_suppressed() -> None:
    c = FindingsPenaltyCriterion(id="b", name="Bandit", kind="findings_penalty", weight=1, dimension="security",
                                 requires="security", rules=["bandit.*"],
                                 penalties={Severity.high: 0.3, Severity.medium: 0.1})
    findings = [
        _f("bandit.B602", Severity.high), _f("bandit.B307", Severity.medium), _f("markers.todo", Severity.high),
        _f("bandit.B101", Severity.high, suppressed=True),
    ]
    from reviewer.evidence import SecuritySection

    score = evaluate_criterion(c, _ev(security=SecuritySection()), findings, 80)
    assert score.points == pytest.approx(0.6)
    assert "2 finding(s)" in score.measured
    assert evaluate_criterion(c, _ev(), findings, 80).status == "not_measured"


def test_docs_weights_present_items() -> None:
    c = DocsCriterion(id="d", name="Docs", kind="docs", weight=1, dimension="documentation")
    facts = RepoFactsSection(has_readme=True, has_license=False, has_changelog=False, ci_configs=[".github/ci.yml"])
    assert evaluate_criterion(c, _ev(repo_facts=facts), [], 80).points == pytest.approx(0.7)


def test_base_score_excludes_not_measured_and_neutral_when_nothing_measured() -> None:
    criteria = [
        CriterionScore(id="a", name="A", weight=3, points=1.0, measured="x"),
        CriterionScore(id="b", name="B", weight=1, points=0.0, measured="y"),
        CriterionScore(id="c", name="C", weight=5, points=0.0, measured="not measured", status="not_measured"),
    ]
    score, notes = base_score(criteria)
    assert score == 75
    assert any("C" in n and "left out" in n for n in notes)
    neutral, notes = base_score([criteria[2]])
    assert neutral == NEUTRAL_SCORE and any("neutral" in n for n in notes)




def test_verdict_rules(tmp_path: Path) -> None:
    ev = make_evidence(tmp_path)
    det = ev.findings
    verdict, reasons = decide_verdict(ev, det, 80, 80)
    assert verdict == "not_ready" and any("failing" in r for r in reasons)
    clean = make_evidence(tmp_path)
    clean.tests = TestsSection(mode="run", total=5, passed=5, coverage_percent=90.0)
    assert decide_verdict(clean, [], 90, 80)[0] == "ready"
    assert decide_verdict(clean, [_f("bandit.B602", Severity.high)], 90, 80)[0] == "ready_with_fixes"
    assert decide_verdict(clean, [_f("bandit.B602", Severity.critical)], 90, 80)[0] == "not_ready"
    suppressed = _f("bandit.B602", Severity.critical, suppressed=True)
    assert decide_verdict(clean, [suppressed], 90, 80)[0] == "ready"
    assert decide_verdict(clean, [], 60, 80)[0] == "ready_with_fixes"


def test_verdict_names_blockers_and_never_rests_on_a_score(tmp_path: Path) -> None:
    clean = make_evidence(tmp_path)
    clean.tests = TestsSection(mode="run", total=5, passed=5, coverage_percent=90.0)
    # A low score alone is a fix, not a blocker.
    verdict, reasons = decide_verdict(clean, [], 10, 80)
    assert verdict == "ready_with_fixes" and reasons == ["base overall score 10 < 75"]
    # Bandit HIGH/HIGH (critical, security) is named as such, with its place.
    shell = _f("bandit.B602", Severity.critical, category="security").model_copy(update={"file": "app.py", "line": 3})
    verdict, reasons = decide_verdict(clean, [shell], 90, 80)
    assert verdict == "not_ready" and reasons[0].startswith("high-severity security finding(s) at high confidence")
    assert "bandit.B602 at app.py:3" in reasons[0]
    # The same finding in test code is no blocker.
    in_tests = shell.model_copy(update={"scope": "tests"})
    assert decide_verdict(clean, [in_tests], 90, 80)[0] == "ready"
    # Tests not run, no blocker: not confirmed (with the fixes still listed).
    untested = make_evidence(tmp_path)
    untested.tests = None
    assert untested.repo_facts is not None
    untested.repo_facts = untested.repo_facts.model_copy(update={"test_files": 3})
    verdict, reasons = decide_verdict(untested, [_f("radon.cc", Severity.high)], 90, 80)
    assert verdict == "not_confirmed" and "not confirmed" in reasons[0] and len(reasons) == 2
    # No tests at all (no test files, no results) is a blocker.
    untested.repo_facts = untested.repo_facts.model_copy(update={"test_files": 0})
    untested.python_files = [p for p in untested.python_files if "test" not in p]
    verdict, reasons = decide_verdict(untested, [], 90, 80)
    assert verdict == "not_ready" and reasons[0].startswith("no tests at all")


def test_recommendations_grouped_by_horizon(tmp_path: Path) -> None:
    ev = make_evidence(tmp_path)
    for i, f in enumerate(ev.findings, 1):
        f.id = f"F{i:03d}"
    recs = build_recommendations(ev, ev.findings, 80)
    horizons = [r.horizon for r in recs]
    assert horizons == sorted(horizons, key=["immediate", "short_term", "long_term"].index)
    immediate = [r for r in recs if r.horizon == "immediate"]
    assert any("tests.failed" in r.text for r in immediate)
    assert any("coverage" in r.text.lower() for r in recs if r.horizon == "short_term")
    assert any(r.horizon == "long_term" and "markers.todo" in r.text for r in recs)


def test_health_table_has_every_dimension(tmp_path: Path) -> None:
    criteria = [CriterionScore(id="a", name="Sec", weight=1, points=0.5, measured="x", dimension="security")]
    rows = {r.dimension: r for r in health_table(criteria, [_f("radon.cc", Severity.high, category="maintainability")])}
    assert len(rows) == 7
    assert rows["security"].score == 50 and rows["security"].status == "poor"
    # No measured criterion feeds maintainability: a finding there is listed, the area is not scored.
    assert rows["maintainability"].score is None and rows["maintainability"].status == "not_measured"
    assert "1 finding(s)" in rows["maintainability"].note


def test_rubric_override_and_strict_validation(tmp_path: Path) -> None:
    packaged = load_rubric("architect")
    (tmp_path / "architect.yaml").write_text(
        "id: architect\nname: Strict Architect\nfocus: f\nreads: [complexity]\nguidance: g\n"
        "criteria:\n  - {id: cc, name: CC, kind: complexity, weight: 1, dimension: maintainability}\n"
    )
    override = load_rubric("architect", tmp_path)
    assert override.name == "Strict Architect" and packaged.name == "Architect"
    assert load_rubric("qa_engineer", tmp_path).name == "QA Engineer"  # not overridden: packaged one
    (tmp_path / "architect.yaml").write_text(
        "id: architect\nname: A\nfocus: f\nreads: [complexity]\nguidance: g\nsurprise: 1\n"
        "criteria:\n  - {id: cc, name: CC, kind: complexity, weight: 1, dimension: maintainability}\n"
    )
    with pytest.raises(ConfigError, match="surprise"):
        load_rubric("architect", tmp_path)
    with pytest.raises(ConfigError, match="no rubric"):
        load_rubric("nobody", tmp_path)
