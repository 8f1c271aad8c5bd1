"""The production-readiness verdict, from named blockers over measured evidence and deterministic findings.

Model text never reaches these rules: they read deterministic findings in product code, test results and the
*base* scores. A score alone never makes a project "not ready": a blocker has to be named.

* not_ready: a blocker, each named with where it is:
  - a high-severity security finding at high confidence (bandit HIGH/HIGH, reported as critical),
  - any other critical finding,
  - failing or erroring tests,
  - no tests at all (no test code, no test results).
* not_confirmed: no blocker, but the tests were not run (or reported nothing): readiness is not confirmed.
* ready_with_fixes: high findings in product code, coverage below target, or base overall score < 75.
* ready: none of the above.
"""

from __future__ import annotations

from reviewer.evidence import Evidence
from reviewer.findings import Finding, Severity
from reviewer.review.result import Verdict
from reviewer.discovery import is_test_path
from reviewer.review.view import finding_scope
from reviewer.scopes import TEST_SCOPES, scope_of

__all__ = ["READY_FROM", "SHOWN_PER_BLOCKER", "decide_verdict", "find_blockers", "has_tests", "tests_ran"]

READY_FROM = 75
SHOWN_PER_BLOCKER = 3
"""Places named per blocker (the rest are counted)."""


def _product(findings: list[Finding], severity: Severity) -> list[Finding]:
    return [f for f in findings if f.severity == severity and not f.suppressed and finding_scope(f) == "product"]


def _places(findings: list[Finding]) -> str:
    shown = [f"{f.rule} at {f.location or 'repository'}" for f in findings[:SHOWN_PER_BLOCKER]]
    more = f" and {len(findings) - SHOWN_PER_BLOCKER} more" if len(findings) > SHOWN_PER_BLOCKER else ""
    return ", ".join(shown) + more


def _security(f: Finding) -> bool:
    return f.category == "security" or f.source == "security"


def tests_ran(evidence: Evidence) -> bool:
    tests = evidence.tests
    return tests is not None and tests.mode != "none" and tests.total > 0 and tests.measurement_error is None


def _in_tests(path: str) -> bool:
    return is_test_path(path) or scope_of(path) in TEST_SCOPES


def has_tests(evidence: Evidence) -> bool:
    """Test results; else, where complexity was measured, a test function (``test*``, or a method of a
    ``Test*`` class) in test code: a Django ``tests.py`` holding only its template comment is no test; else
    test files counted by the repository facts or a Python file in the tests scope."""
    if tests_ran(evidence):
        return True
    cx = evidence.complexity
    if cx is not None and cx.files:
        return any(_in_tests(b.file) and (b.name.startswith("test") or (b.classname or "").startswith("Test"))
                   for b in cx.blocks)
    facts = evidence.repo_facts
    return (facts is not None and facts.test_files > 0) or any(_in_tests(p) for p in evidence.python_files)


def find_blockers(evidence: Evidence, deterministic: list[Finding]) -> list[str]:
    """Every named blocker: what stops a release, each with where it is."""
    blockers = []
    critical = _product(deterministic, Severity.critical)
    security = [f for f in critical if _security(f)]
    other = [f for f in critical if not _security(f)]
    if security:
        blockers.append(f"high-severity security finding(s) at high confidence in product code: {_places(security)}")
    if other:
        blockers.append(f"critical finding(s) in product code: {_places(other)}")
    tests = evidence.tests
    if tests is not None and tests.measurement_error is None and (tests.failed or tests.errors):
        blockers.append(f"failing tests: {tests.failed} failed and {tests.errors} erroring")
    if not has_tests(evidence):
        blockers.append("no tests at all: no test function found and no test results")
    return blockers


def _fixes(evidence: Evidence, findings: list[Finding], base_overall: int, coverage_target: float) -> list[str]:
    reasons = []
    high = _product(findings, Severity.high)
    if high:
        reasons.append(f"{len(high)} high-severity finding(s) in product code to fix: {_places(high)}")
    tests = evidence.tests
    cov = tests.coverage_percent if tests is not None else None
    if cov is not None and cov < coverage_target:
        reasons.append(f"coverage {cov:.1f}% below target {coverage_target:.0f}%")
    if base_overall < READY_FROM:
        reasons.append(f"base overall score {base_overall} < {READY_FROM}")
    return reasons


def decide_verdict(
    evidence: Evidence, deterministic: list[Finding], base_overall: int, coverage_target: float
) -> tuple[Verdict, list[str]]:
    """The verdict and every rule that fired (blockers first)."""
    blockers = find_blockers(evidence, deterministic)
    fixes = _fixes(evidence, deterministic, base_overall, coverage_target)
    if blockers:
        return "not_ready", blockers + fixes
    if not tests_ran(evidence):
        return "not_confirmed", ["tests were not run (or reported no results): readiness is not confirmed",
                                 *fixes]
    if fixes:
        return "ready_with_fixes", fixes
    total = evidence.tests.total if evidence.tests is not None else 0
    return "ready", [f"no blocker; {total} tests ran and passed; no high finding in product code; "
                     f"base overall score {base_overall} >= {READY_FROM}"]
