"""The quality gate: measured figures and deterministic scores against the configured thresholds.

Rules (each check records name, threshold, actual and passed):

* **Deterministic figures only.** Scores come from the rubric base scores (``AgentResult.base_score``), never
  from the model's bounded adjustment: the overall figure is the mean of the persona base scores (the
  review's ``overall_score`` only when there are no personas, as then no model could have adjusted it).
  Coverage, tests and complexity come from ``ReviewResult.metrics``.
* **Model findings are judgement.** Findings with ``source == "model"`` never count towards a severity
  check; the check's ``actual`` says how many were left out. Suppressed findings never count either.
* **Not measured.** A threshold the user opted into (minimum score, coverage, complexity rank, persona score)
  fails when its figure was not measured: a gate cannot claim what nobody measured. The failing-tests check is
  on by default (maximum 0) and running the target's tests is an explicit opt-in, so when no tests ran it
  passes with ``actual = "not measured (tests not run)"``; require coverage to force tests to run. A test run
  that imported the package under review from reviewer's own environment (a measurement error, see
  :mod:`reviewer.collectors.interpreter`) counts as not measured too.
* **Blockers.** With ``blockers`` on (the default) the gate fails on any named blocker of the verdict
  (``ReviewResult.blockers``: a critical or high-confidence high-severity security finding in product code,
  failing tests, no tests at all). A verdict of ``not_confirmed`` (tests not run, no blocker) passes this check;
  its ``actual`` says the tests were not run.
* **Scopes.** ``max_findings`` counts findings in ``finding_scopes`` (default: product code; a finding with no
  file is product); ``None`` counts every scope.
* **Baseline mode.** With a baseline result only findings new since the baseline (matched by fingerprint, see
  :mod:`reviewer.gate.baseline`) count towards the severity checks; their ids are recorded in
  ``GateResult.new_findings``. The other checks are unchanged.
"""

from __future__ import annotations

from statistics import mean

from reviewer.config import GateConfig
from reviewer.findings import Finding, Severity
from reviewer.gate.baseline import finding_key, new_findings
from reviewer.review.result import GateCheck, GateResult, Metrics, ReviewResult

__all__ = ["COMPLEXITY_RANKS", "NOT_MEASURED", "deterministic_overall", "evaluate_gate"]

COMPLEXITY_RANKS = "ABCDEF"
NOT_MEASURED = "not measured"


def deterministic_overall(result: ReviewResult) -> int:
    """Mean base score (no model adjustment) of the personas that measured something, rounded like the review's
    overall score; the overall score itself when there are none (then no model adjusted anything)."""
    scored = [a for a in result.agents if a.status != "not_measured"]
    if scored:
        return round(mean(a.base_score for a in scored))
    return result.overall_score


def _score_check(result: ReviewResult, minimum: float) -> GateCheck:
    figure = deterministic_overall(result)
    how = "mean persona base score" if result.agents else "overall score, no personas"
    return GateCheck(
        name=f"overall score (deterministic: {how})",
        threshold=f">= {minimum:g}",
        actual=str(figure),
        passed=figure >= minimum,
    )


def _coverage_check(metrics: Metrics, minimum: float) -> GateCheck:
    name, threshold = "coverage (measured)", f">= {minimum:g}%"
    if metrics.coverage_percent is None:
        return GateCheck(name=name, threshold=threshold, actual=NOT_MEASURED, passed=False)
    actual = metrics.coverage_percent
    return GateCheck(name=name, threshold=threshold, actual=f"{actual:.1f}%", passed=actual >= minimum)


def _tests_check(metrics: Metrics, maximum: int) -> GateCheck:
    name, threshold = "failing tests (measured: failed + errors)", f"<= {maximum}"
    if metrics.tests_not_measured:  # tests were asked for and gave no result: never a pass
        return GateCheck(name=name, threshold=threshold, actual=f"{NOT_MEASURED}: {metrics.tests_not_measured}",
                         passed=False)
    if metrics.tests_measurement_error:
        return GateCheck(name=name, threshold=threshold, passed=True,
                         actual=f"{NOT_MEASURED} (measurement error: the run imported an installed copy)")
    if metrics.tests_failed is None and metrics.tests_errors is None and metrics.tests_total is None:
        return GateCheck(name=name, threshold=threshold, actual=f"{NOT_MEASURED} (tests not run)", passed=True)
    failing = (metrics.tests_failed or 0) + (metrics.tests_errors or 0)
    total = f" of {metrics.tests_total}" if metrics.tests_total is not None else ""
    return GateCheck(name=name, threshold=threshold, actual=f"{failing}{total}", passed=failing <= maximum)


def _complexity_check(metrics: Metrics, allowed: str) -> GateCheck:
    name, threshold = "worst complexity rank (measured: radon)", f"<= {allowed}"
    rank = (metrics.worst_complexity_rank or "").upper()
    if not rank or rank not in COMPLEXITY_RANKS:
        return GateCheck(name=name, threshold=threshold, actual=NOT_MEASURED, passed=False)
    passed = COMPLEXITY_RANKS.index(rank) <= COMPLEXITY_RANKS.index(allowed)
    return GateCheck(name=name, threshold=threshold, actual=rank, passed=passed)


def _persona_checks(result: ReviewResult, minimum: float) -> list[GateCheck]:
    threshold = f">= {minimum:g}"
    if not result.agents:
        return [GateCheck(name="persona scores (deterministic base)", threshold=threshold, actual=NOT_MEASURED,
                          passed=False)]
    return [
        GateCheck(
            name=f"persona {agent.id} score (deterministic base)",
            threshold=threshold,
            actual=NOT_MEASURED if agent.status == "not_measured" else str(agent.base_score),
            passed=agent.status != "not_measured" and agent.base_score >= minimum,
        )
        for agent in result.agents
    ]


def _severity_checks(findings: list[Finding], limits: dict[Severity, int], *, scope: str) -> list[GateCheck]:
    checks: list[GateCheck] = []
    for severity in sorted(limits, key=lambda s: s.rank):
        maximum = limits[severity]
        same = [f for f in findings if f.severity == severity and not f.suppressed]
        counted = [f for f in same if f.source != "model"]
        left_out = len(same) - len(counted)
        note = f" ({left_out} model finding(s) not counted)" if left_out else ""
        checks.append(
            GateCheck(
                name=f"{severity.value} findings ({scope}, measured, not suppressed)",
                threshold=f"<= {maximum}",
                actual=f"{len(counted)}{note}",
                passed=len(counted) <= maximum,
            )
        )
    return checks


def _blocker_check(result: ReviewResult) -> GateCheck:
    blockers = result.blockers or (result.verdict_reasons if result.verdict == "not_ready" else [])
    if blockers:
        actual = "; ".join(blockers)
    elif result.verdict == "not_confirmed":
        actual = "none (tests not run: verdict not confirmed)"
    else:
        actual = "none"
    return GateCheck(name="blockers (verdict)", threshold="none", actual=actual, passed=not blockers)


def _in_scopes(findings: list[Finding], scopes: list[str] | None) -> list[Finding]:
    if scopes is None:
        return findings
    return [f for f in findings if (f.scope or "product") in scopes]
def _unanalysed_check(result: ReviewResult, maximum: int, reasons: list[str]) -> GateCheck:
    """Files holding code that no collector could analyse (for a counted reason): what nobody read can hide
    anything, so by default one code file over the size limit fails the gate."""
    counted = [u for u in result.unanalysed_files
               if u.holds_code and any(u.reason == r or u.reason.startswith(f"{r}:") or f"; {r}:" in u.reason
                                       for r in reasons)]
    names = ", ".join(u.path for u in counted[:5]) + (", ..." if len(counted) > 5 else "")
    return GateCheck(
        name=f"unanalysed code files ({', '.join(reasons) or 'no reason counted'})",
        threshold=f"<= {maximum}",
        actual=f"{len(counted)}" + (f": {names}" if names else ""),
        passed=len(counted) <= maximum,
    )


def _threshold_checks(result: ReviewResult, gate: GateConfig) -> list[GateCheck]:
    checks: list[GateCheck] = []
    if gate.min_overall_score is not None:
        checks.append(_score_check(result, gate.min_overall_score))
    if gate.min_coverage is not None:
        checks.append(_coverage_check(result.metrics, gate.min_coverage))
    if gate.max_failing_tests is not None:
        checks.append(_tests_check(result.metrics, gate.max_failing_tests))
    if gate.worst_complexity_rank is not None:
        checks.append(_complexity_check(result.metrics, gate.worst_complexity_rank))
    if gate.min_persona_score is not None:
        checks.extend(_persona_checks(result, gate.min_persona_score))
    if gate.blockers:
        checks.append(_blocker_check(result))
    if gate.max_unanalysed_files is not None:
        checks.append(_unanalysed_check(result, gate.max_unanalysed_files, gate.unanalysed_reasons))
    return checks


def evaluate_gate(
    result: ReviewResult,
    gate: GateConfig,
    *,
    baseline: ReviewResult | None = None,
    baseline_path: str | None = None,
) -> GateResult:
    """Evaluate every configured threshold; with ``baseline``, severity checks count only new findings."""
    checks = _threshold_checks(result, gate)
    fresh_ids: list[str] = []
    if baseline is None:
        gated = result.findings
        scope = "all"
    else:
        gated = new_findings([f for f in result.findings if not f.suppressed], baseline.findings)
        fresh_ids = [f.id or finding_key(f) for f in gated]
        scope = "new since baseline"
    if gate.finding_scopes is not None:
        scope += f", in {'/'.join(gate.finding_scopes)} code"
    checks.extend(_severity_checks(_in_scopes(gated, gate.finding_scopes), gate.max_findings, scope=scope))
    return GateResult(
        passed=all(c.passed for c in checks),
        checks=checks,
        baseline=baseline_path if baseline is not None else None,
        new_findings=fresh_ids,
        suppressed=sum(1 for f in result.findings if f.suppressed),
    )
