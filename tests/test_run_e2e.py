"""End to end: ``reviewer run`` on a small repository with planted defects.

The ``--backend none`` run is fast and always on; the run with the real embedded model is marked ``model``.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from helpers.cli_run import run_cli as _run
from helpers.review_fixtures import make_repo

from reviewer.collectors.cache import cache_dir
from reviewer.evidence import load_evidence
from reviewer.findings import normalise_code
from reviewer.review.result import ReviewResult, load_result


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "shop")


def _rules(result: ReviewResult) -> set[str]:
    return {f.rule for f in result.findings}


def test_run_with_backend_none_is_a_complete_review(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    # The planted failing test fails the default gate (max_failing_tests: 0): exit 1, everything written.
    assert _run("run", str(repo), "--backend", "none", "--run-tests", "--out", str(out), "--format", "md,json") == 1
    evidence = load_evidence(out / "evidence.json")
    result = load_result(out / "review.json")
    assert (out / "review.md").is_file()
    assert result.backend.name == "none" and len(result.agents) == 5
    assert {"bandit.B307", "bandit.B608", "markers.todo", "smells.bare_except", "tests.failed"} <= _rules(result)
    assert result.metrics.tests_failed == 1 and evidence.tests is not None and evidence.tests.failed == 1
    assert result.verdict == "not_ready"
    assert result.evidence_file == str(out / "evidence.json")
    assert {"collect", "scoring", "assemble"} <= set(result.timings)
    assert result.gate is not None and not result.gate.passed
    # Failing tests fail their own check and are the named blocker of the not_ready verdict.
    assert [c.name for c in result.gate.checks if not c.passed] == ["failing tests (measured: failed + errors)",
                                                                    "blockers (verdict)"]


def test_gate_exit_codes_follow_config_no_fail_and_baseline(repo: Path, tmp_path: Path) -> None:
    base = tmp_path / "base"
    assert _run("run", str(repo), "--backend", "none", "--run-tests", "--no-fail", "--out", str(base)) == 0
    assert not load_result(base / "review.json").gate.passed  # type: ignore[union-attr]
    strict = tmp_path / "strict.yaml"
    strict.write_text("gate:\n  max_failing_tests: null\n  max_findings: {critical: 0, high: 0, medium: 0}\n")
    assert _run("run", str(repo), "--backend", "none", "--config", str(strict), "--out", str(tmp_path / "s")) == 1
    # Against a baseline holding the same findings, nothing is new: the severity limit passes.
    code = _run("run", str(repo), "--backend", "none", "--config", str(strict), "--baseline",
                str(base / "review.json"), "--out", str(tmp_path / "b"))
    gate = load_result(tmp_path / "b" / "review.json").gate
    assert code == 0 and gate is not None and gate.passed and gate.new_findings == []
    (repo / "shop" / "extra.py").write_text("import subprocess\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n")
    code = _run("run", str(repo), "--backend", "none", "--config", str(strict), "--baseline",
                str(base / "review.json"), "--out", str(tmp_path / "n"))
    gate = load_result(tmp_path / "n" / "review.json").gate
    assert code == 1 and gate is not None and gate.new_findings
    assert _run("run", str(repo), "--backend", "none", "--baseline", str(tmp_path / "missing.json"),
                "--out", str(tmp_path / "m")) == 2
    # --no-gate: no gate in the result, exit 0 whatever the findings
    assert _run("run", str(repo), "--backend", "none", "--run-tests", "--no-gate", "--out", str(tmp_path / "g")) == 0
    assert load_result(tmp_path / "g" / "review.json").gate is None


def test_review_resumes_from_evidence(repo: Path, tmp_path: Path) -> None:
    first = tmp_path / "first"
    assert _run("run", str(repo), "--backend", "none", "--out", str(first)) == 0
    second = tmp_path / "second"
    code = _run("review", str(repo), "--evidence", str(first / "evidence.json"), "--backend", "none", "--out", str(second))
    assert code == 0
    assert load_result(second / "review.json").findings == load_result(first / "review.json").findings
    assert "load_evidence" in load_result(second / "review.json").timings


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_backend_down_exits_3_and_keeps_evidence_and_deterministic_review(repo: Path, tmp_path: Path) -> None:
    config = tmp_path / "reviewer.yaml"
    config.write_text(
        "backend:\n  name: openai\n"
        f"  base_url: http://127.0.0.1:{_closed_port()}/v1\n"
        "  model: any\n  options: {max_retries: 0, connect_timeout: 2}\n"
    )
    out = tmp_path / "out"
    assert _run("run", str(repo), "--config", str(config), "--out", str(out)) == 3
    assert load_evidence(out / "evidence.json").findings
    result = load_result(out / "review.json")
    assert result.model_context.backend_error and all(a.model_error for a in result.agents)


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    assert _run("run", str(tmp_path / "nope"), "--backend", "none", "--out", str(tmp_path / "o")) == 2


def _assert_grounded(result: ReviewResult, repo: Path) -> None:
    for f in result.findings:
        if f.source != "model":
            continue
        path = (repo / (f.file or "")).resolve()
        assert path.is_relative_to(repo.resolve()) and path.is_file(), f
        lines = path.read_text(encoding="utf-8").splitlines()
        assert f.line is not None and 1 <= f.line <= len(lines), f
        assert normalise_code(f.evidence) == normalise_code(lines[f.line - 1]), f


@pytest.mark.model
def test_run_with_a_real_small_model_reads_units(repo: Path, tmp_path: Path, smollm2_gguf: Path) -> None:
    """The unit pipeline end to end with a real GGUF (SmolLM2-135M: the mechanics, not the quality)."""
    config = tmp_path / "reviewer.yaml"
    config.write_text("review:\n  personas: [security_engineer, qa_engineer]\n  model_budget_s: 0\n"
                      "backend:\n  options: {n_ctx: 4096}\n")
    out = tmp_path / "out"
    # exit 1: the planted failing test fails the gate, whatever the model says
    assert _run("run", str(repo), "--run-tests", "--config", str(config), "--model", str(smollm2_gguf),
                "--out", str(out)) == 1
    result = ReviewResult.model_validate_json((out / "review.json").read_text(encoding="utf-8"))
    assert result.gate is not None and [c.name for c in result.gate.checks if not c.passed] == [
        "failing tests (measured: failed + errors)", "blockers (verdict)"]
    assert result.backend.name == "llamacpp" and result.backend.model
    assert [a.id for a in result.agents] == ["security_engineer", "qa_engineer"]
    assert all(a.score == a.base_score for a in result.agents)  # the model never moves a score
    ctx = result.model_context
    assert ctx.status in ("complete", "partial"), ctx.status_reason
    assert ctx.units_total == 7 and ctx.units_read >= 1 and ctx.calls >= ctx.units_read and ctx.tokens > 0
    assert [u.name for u in ctx.units_ranked][0] == "find_user"  # riskiest first
    _assert_grounded(result, repo)
    assert ctx.claims_dropped == len(ctx.dropped)
    assert {"model.units", "model.personas"} <= set(result.timings)
    cache = cache_dir(repo) / "judge.json"
    assert cache.is_file()
    again = tmp_path / "again"
    _run("run", str(repo), "--config", str(config), "--model", str(smollm2_gguf), "--out", str(again))
    second = load_result(again / "review.json").model_context
    assert all(u.cached for u in second.units_ranked if u.error is None)  # unchanged units are not asked again
