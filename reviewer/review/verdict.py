"""The production-readiness verdict, from explicit rules over measured evidence and deterministic findings.

Model text never reaches these rules: they read deterministic findings, test results and the *base* scores.

* not_ready: any unsuppressed critical finding, any failing or erroring test, or base overall score < 50.
* ready_with_fixes: any high finding, coverage below target, tests not run, or base overall score < 75.
* ready: none of the above.
"""

from __future__ import annotations

from reviewer.evidence import Evidence
from reviewer.findings import Finding, Severity
from reviewer.review.result import Verdict

__all__ = ["NOT_READY_BELOW", "READY_FROM", "decide_verdict"]

NOT_READY_BELOW = 50
READY_FROM = 75


def _count(findings: list[Finding], severity: Severity) -> int:
    return sum(1 for f in findings if f.severity == severity and not f.suppressed)


def _blockers(evidence: Evidence, findings: list[Finding], base_overall: int) -> list[str]:
    reasons = []
    if (n := _count(findings, Severity.critical)) > 0:
        reasons.append(f"{n} critical finding(s)")
    tests = evidence.tests
    if tests is not None and (tests.failed or tests.errors):
        reasons.append(f"{tests.failed} failing and {tests.errors} erroring test(s)")
    if base_overall < NOT_READY_BELOW:
        reasons.append(f"base overall score {base_overall} < {NOT_READY_BELOW}")
    return reasons


def _fixes(evidence: Evidence, findings: list[Finding], base_overall: int, coverage_target: float) -> list[str]:
    reasons = []
    if (n := _count(findings, Severity.high)) > 0:
        reasons.append(f"{n} high-severity finding(s)")
    tests = evidence.tests
    if tests is None or tests.mode == "none" or tests.total == 0:
        reasons.append("tests were not run or found: correctness is not confirmed")
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
    blockers = _blockers(evidence, deterministic, base_overall)
    fixes = _fixes(evidence, deterministic, base_overall, coverage_target)
    if blockers:
        return "not_ready", blockers + fixes
    if fixes:
        return "ready_with_fixes", fixes
    return "ready", [f"no critical or high findings, tests pass, base overall score {base_overall} >= {READY_FROM}"]
