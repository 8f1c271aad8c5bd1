"""SARIF 2.1.0: valid against the official schema, levels, rules, locations, stable fingerprints, suppressions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from reviewer.findings import Finding
from reviewer.report.sarif import FINGERPRINT_KEY, to_sarif
from reviewer.review.result import BackendInfo, ReviewResult, load_result

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def result() -> ReviewResult:
    return load_result(FIXTURES / "report" / "result.json")


@pytest.fixture(scope="module")
def validator() -> Draft4Validator:
    schema = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def _by_id(log: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["properties"]["findingId"]: r for r in log["runs"][0]["results"]}


def _small(findings: list[Finding]) -> ReviewResult:
    return ReviewResult(tool_version="9.9.9", repo_name="r", overall_score=50, verdict="ready_with_fixes",
                        backend=BackendInfo(name="none"), findings=findings)


def test_valid_against_the_official_schema(result: ReviewResult, validator: Draft4Validator) -> None:
    log = to_sarif(result)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    assert log["version"] == "2.1.0"


def test_invalid_log_is_caught_by_the_schema(result: ReviewResult, validator: Draft4Validator) -> None:
    log = to_sarif(result)
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert not validator.is_valid(log)


def test_driver_and_one_rule_per_finding_rule(result: ReviewResult) -> None:
    run = to_sarif(result)["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "reviewer" and driver["version"] == "0.1.0"
    assert driver["informationUri"].startswith("https://")
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert sorted(rule_ids) == sorted({f.rule for f in result.findings})
    for res in run["results"]:
        rule = driver["rules"][res["ruleIndex"]]
        assert rule["id"] == res["ruleId"]
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
    assert len(run["results"]) == len(result.findings)


def test_levels_follow_severity(result: ReviewResult) -> None:
    levels = {fid: r["level"] for fid, r in _by_id(to_sarif(result)).items()}
    assert levels["F001"] == "error"  # critical
    assert levels["F002"] == "error"  # high
    assert levels["F004"] == "warning"  # medium
    assert levels["F006"] == "note"  # low
    assert levels["F008"] == "note"  # info


def test_locations_are_repo_relative_and_repository_wide_findings_are_anchored(result: ReviewResult) -> None:
    results = _by_id(to_sarif(result))
    loc = results["F001"]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "app/run.py", "uriBaseId": "%SRCROOT%"}
    assert loc["region"]["startLine"] == 12
    wide = results["F007"]
    assert wide["properties"]["repositoryWide"] is True
    anchored = wide["locations"][0]["physicalLocation"]
    assert anchored["artifactLocation"]["uri"] in {f.file for f in result.findings if f.file}
    assert anchored["region"]["startLine"] == 1
    assert to_sarif(result, anchor="pyproject.toml")["runs"][0]["results"] != to_sarif(result)["runs"][0]["results"]


def test_suppressed_findings_carry_suppressions(result: ReviewResult) -> None:
    results = _by_id(to_sarif(result))
    assert results["F009"]["suppressions"] == [
        {"kind": "inSource", "justification": "# nosec: reviewed, cache miss is harmless"}]
    assert "suppressions" not in results["F001"]
    external = Finding(rule="x.y", severity="low", title="t", file="a.py", line=1, source="s", evidence="e",
                       suppressed=True, suppression="suppressions file .reviewer-suppressions.yaml: ok")
    res = to_sarif(_small([external]))["runs"][0]["results"][0]
    assert res["suppressions"][0]["kind"] == "external"


def _finding(line: int, code: str = "eval(data)") -> Finding:
    return Finding(rule="bandit.B307", severity="medium", title="eval", file="app/x.py", line=line,
                   source="bandit", evidence=code, snippet=code)


def test_fingerprints_survive_shifted_lines_but_not_changed_code() -> None:
    def prints(findings: list[Finding]) -> list[str]:
        return [r["partialFingerprints"][FINGERPRINT_KEY] for r in to_sarif(_small(findings))["runs"][0]["results"]]

    before = prints([_finding(10), _finding(40, "os.system(cmd)")])
    shifted = prints([_finding(17), _finding(47, "os.system(cmd)")])
    assert before == shifted
    assert prints([_finding(10, "eval(other)")])[0] != before[0]
    assert prints([_finding(10, "  eval(data)   ")])[0] == before[0]  # whitespace-insensitive


def test_identical_lines_in_one_file_get_distinct_fingerprints() -> None:
    log = to_sarif(_small([_finding(30), _finding(10)]))
    fps = [r["partialFingerprints"][FINGERPRINT_KEY] for r in log["runs"][0]["results"]]
    assert len(set(fps)) == 2
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in log["runs"][0]["results"]] == [10, 30]


def test_model_findings_say_so(result: ReviewResult) -> None:
    res = _by_id(to_sarif(result))["F003"]
    assert res["properties"]["source"] == "model"
    assert res["properties"]["model"] == "qwen2.5-coder-1.5b-instruct-q4_k_m"
    assert "model judgement (qwen2.5-coder-1.5b-instruct-q4_k_m, architect)" in res["message"]["text"]
