"""The quality gate: each threshold passes and fails, baseline mode by fingerprint, `reviewer gate` exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.gate_results import finding, make_result

from reviewer.cli import main
from reviewer.config import GateConfig
from reviewer.findings import Severity
from reviewer.gate.evaluate import evaluate_gate
from reviewer.review.result import ReviewResult, load_result, write_result


def _check(result_gate: object, prefix: str) -> object:
    matches = [c for c in result_gate.checks if c.name.startswith(prefix)]  # type: ignore[attr-defined]
    assert len(matches) == 1, [c.name for c in result_gate.checks]  # type: ignore[attr-defined]
    return matches[0]


def test_defaults_fail_on_a_measured_critical_only() -> None:
    clean = evaluate_gate(make_result(), GateConfig())
    assert clean.passed
    assert [c.name.split(" ")[0] for c in clean.checks] == ["failing", "blockers", "unanalysed", "critical"]
    bad = evaluate_gate(make_result(findings=[finding("bandit.B307", "critical")]), GateConfig())
    assert not bad.passed
    check = _check(bad, "critical findings")
    assert (check.threshold, check.actual, check.passed) == ("<= 0", "1", False)


@pytest.mark.parametrize(
    ("gate", "metrics", "prefix", "actual", "passed"),
    [
        (GateConfig(min_coverage=80), {"coverage_percent": 81.25}, "coverage", "81.2%", True),
        (GateConfig(min_coverage=80), {"coverage_percent": 79.9}, "coverage", "79.9%", False),
        (GateConfig(min_coverage=80), {}, "coverage", "not measured", False),
        (GateConfig(), {"tests_total": 10, "tests_failed": 0, "tests_errors": 0}, "failing tests", "0 of 10", True),
        (GateConfig(), {"tests_total": 10, "tests_failed": 1, "tests_errors": 1}, "failing tests", "2 of 10", False),
        (GateConfig(max_failing_tests=2), {"tests_total": 9, "tests_failed": 2}, "failing tests", "2 of 9", True),
        (GateConfig(), {}, "failing tests", "not measured (tests not run)", True),
        (GateConfig(worst_complexity_rank="C"), {"worst_complexity_rank": "C"}, "worst complexity", "C", True),
        (GateConfig(worst_complexity_rank="C"), {"worst_complexity_rank": "D"}, "worst complexity", "D", False),
        (GateConfig(worst_complexity_rank="C"), {}, "worst complexity", "not measured", False),
    ],
)
def test_metric_thresholds(gate: GateConfig, metrics: dict, prefix: str, actual: str, passed: bool) -> None:
    outcome = evaluate_gate(make_result(**metrics), gate)
    check = _check(outcome, prefix)
    assert (check.actual, check.passed) == (actual, passed)
    assert outcome.passed is passed


def test_scores_use_deterministic_base_not_model_adjustment() -> None:
    # The model pushed every persona up by 10; the gate must not see it.
    result = make_result(base_scores={"architect": 55, "qa_engineer": 65}, adjustment=10, overall=70)
    outcome = evaluate_gate(result, GateConfig(min_overall_score=61, min_persona_score=60))
    overall = _check(outcome, "overall score (deterministic")
    assert (overall.actual, overall.passed) == ("60", False)
    architect = _check(outcome, "persona architect")
    assert (architect.actual, architect.passed) == ("55", False)
    assert _check(outcome, "persona qa_engineer").passed
    assert not outcome.passed
    assert evaluate_gate(result, GateConfig(min_overall_score=60, min_persona_score=55)).passed


def test_persona_minimum_without_personas_is_not_measured() -> None:
    outcome = evaluate_gate(make_result(base_scores={}), GateConfig(min_persona_score=10))
    check = _check(outcome, "persona scores")
    assert (check.actual, check.passed) == ("not measured", False)


def test_model_and_suppressed_findings_do_not_fail_severity_checks() -> None:
    model = finding("model.security", "critical", source="model")
    suppressed = finding("bandit.B602", "critical", suppressed=True, suppression="inline")
    outcome = evaluate_gate(make_result(findings=[model, suppressed]), GateConfig())
    check = _check(outcome, "critical findings")
    assert check.passed
    assert check.actual == "0 (1 model finding(s) not counted)"
    assert outcome.suppressed == 1


def test_max_findings_per_severity() -> None:
    highs = [finding("bandit.B1", "high", line=i, snippet=f"x{i}") for i in range(1, 4)]
    gate = GateConfig(max_findings={Severity.critical: 0, Severity.high: 2})
    outcome = evaluate_gate(make_result(findings=highs), gate)
    high = _check(outcome, "high findings")
    assert (high.actual, high.passed) == ("3", False)
    assert _check(outcome, "critical findings").passed
    assert evaluate_gate(make_result(findings=highs[:2]), gate).passed


def _baseline_pair(extra_new: bool) -> tuple[ReviewResult, ReviewResult]:
    old = make_result(findings=[finding("bandit.B307", "critical", line=3, snippet="eval(data)")])
    # The same finding, its line shifted by 5 and re-indented: not new.
    current = [finding("bandit.B307", "critical", line=8, snippet="    eval(data)  ")]
    if extra_new:
        current.append(finding("bandit.B602", "critical", line=12, snippet="subprocess.call(cmd, shell=True)"))
    return old, make_result(findings=current)


def test_baseline_shifted_line_is_not_new() -> None:
    old, new = _baseline_pair(extra_new=False)
    outcome = evaluate_gate(new, GateConfig(), baseline=old, baseline_path="old.json")
    assert outcome.passed
    assert outcome.new_findings == []
    assert outcome.baseline == "old.json"
    assert "new since baseline" in _check(outcome, "critical findings").name
    # Without the baseline the same result fails.
    assert not evaluate_gate(new, GateConfig()).passed


def test_baseline_genuinely_new_critical_fails() -> None:
    old, new = _baseline_pair(extra_new=True)
    outcome = evaluate_gate(new, GateConfig(), baseline=old, baseline_path="old.json")
    assert not outcome.passed
    assert outcome.new_findings == ["F002"]
    assert _check(outcome, "critical findings").actual == "1"


def test_baseline_computes_missing_fingerprints_and_counts_duplicates() -> None:
    old, new = _baseline_pair(extra_new=False)
    old.findings[0].fingerprint = None
    pasted_twice = finding("bandit.B307", "critical", line=20, snippet="eval(data)", fid="F009")
    new.findings.append(pasted_twice)
    outcome = evaluate_gate(new, GateConfig(), baseline=old)
    assert outcome.new_findings == ["F009"]
    assert not outcome.passed


# --- reviewer gate --------------------------------------------------------------------------------------------


def _run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        main(argv)
    return int(info.value.code)


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    (tmp_path / "reviewer.yaml").write_text("gate:\n  min_coverage: 50\n", encoding="utf-8")
    return tmp_path


def test_cli_gate_passes_and_writes_the_gate_in_place(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_result(make_result(coverage_percent=75.0), repo / "review.json")
    assert _run(["gate", "--result", str(path), "--path", str(repo)]) == 0
    out = capsys.readouterr().out
    assert "coverage (measured)" in out and "gate passed" in out
    gate = load_result(path).gate
    assert gate is not None and gate.passed
    assert [c.name for c in gate.checks][0] == "coverage (measured)"


def test_cli_gate_fails_with_1_and_no_fail_gives_0(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_result(make_result(coverage_percent=20.0), repo / "review.json")
    out = repo / "gated.json"
    assert _run(["gate", "--result", str(path), "--path", str(repo), "--out", str(out)]) == 1
    assert "gate FAILED" in capsys.readouterr().out
    assert load_result(path).gate is None  # --out leaves the input untouched
    assert load_result(out).gate is not None and not load_result(out).gate.passed
    assert _run(["gate", "--result", str(path), "--path", str(repo), "--no-fail"]) == 0


def test_cli_gate_with_baseline(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = _baseline_pair(extra_new=True)
    old_path = write_result(old, repo / "old.json")
    new_path = write_result(new.model_copy(update={"metrics": new.metrics.model_copy(
        update={"coverage_percent": 90.0})}), repo / "new.json")
    assert _run(["gate", "--result", str(new_path), "--baseline", str(old_path), "--path", str(repo)]) == 1
    assert "new F002 [critical] bandit.B602 app/main.py:12" in capsys.readouterr().out
    gate = load_result(new_path).gate
    assert gate is not None and gate.new_findings == ["F002"] and gate.baseline == str(old_path)


def test_cli_gate_unreadable_or_invalid_files_exit_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["gate", "--result", str(repo / "missing.json"), "--path", str(repo)]) == 2
    bad = repo / "bad.json"
    bad.write_text(json.dumps({"schema_version": 1, "overall_score": "x"}), encoding="utf-8")
    assert _run(["gate", "--result", str(bad), "--path", str(repo)]) == 2
    good = write_result(make_result(), repo / "review.json")
    (repo / "broken.yaml").write_text("gate:\n  min_coverage: [\n", encoding="utf-8")
    assert _run(["gate", "--result", str(good), "--config", str(repo / "broken.yaml")]) == 2
    (repo / "unknown.yaml").write_text("gate:\n  min_cover: 3\n", encoding="utf-8")
    assert _run(["gate", "--result", str(good), "--config", str(repo / "unknown.yaml")]) == 2
    assert "gate.min_cover" in capsys.readouterr().err
