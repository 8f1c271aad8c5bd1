"""Model findings are checked against the repository; contradicted numbers are not shown as fact."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.review_fixtures import make_evidence, make_repo

from reviewer.findings import Finding, Severity
from reviewer.review.answer import ModelFinding
from reviewer.review.claims import check_text
from reviewer.review.grounding import ground_findings, merge_duplicates
from reviewer.review.persona import CheckedRun
from reviewer.review.runs import aggregate_runs


def _mf(file: str, line: int, quote: str, **kw: object) -> ModelFinding:
    data = {"severity": "high", "category": "security", "title": "t", "recommendation": "r", **kw}
    return ModelFinding(file=file, line=line, quote=quote, **data)  # type: ignore[arg-type]


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


def _ground(repo: Path, *items: ModelFinding):  # noqa: ANN202 - test helper
    return ground_findings(list(items), repo, "security_engineer", "m", 1_000_000)


def test_grounded_finding_kept_with_its_real_line(repo: Path) -> None:
    quote = "cursor.execute(\"SELECT * FROM users WHERE name = '%s'\"   % name)"  # whitespace differs
    out = _ground(repo, _mf("./shop/db.py", 4, quote))
    assert not out.dropped
    [kept] = out.kept
    assert (kept.file, kept.line, kept.source, kept.agent) == ("shop/db.py", 6, "model", "security_engineer")
    assert "cursor.execute" in kept.evidence and kept.fingerprint


@pytest.mark.parametrize(
    ("file", "line", "quote", "reason"),
    [
        ("shop/invented.py", 1, "import something_else", "does not exist"),
        ("../outside.py", 1, "import os  # anything", "traversal"),
        ("/etc/passwd", 1, "root:x:0:0:root", "absolute"),
        ("shop/db.py", 99, "return cursor.fetchall()", "does not exist (file has 7 lines)"),
        ("shop/db.py", 6, "cursor.execute(query, (name,))", "not found"),
        ("shop/db.py", 1, "return cursor.fetchall()", "not found"),  # real code, but 6 lines away
        ("shop/db.py", 6, "name", "not found"),  # too short to prove anything
    ],
)
def test_ungrounded_findings_dropped_with_reason(repo: Path, file: str, line: int, quote: str, reason: str) -> None:
    (repo.parent / "outside.py").write_text("import os  # anything\n")
    out = _ground(repo, _mf(file, line, quote))
    assert not out.kept
    [dropped] = out.dropped
    assert reason in dropped.reason
    assert (dropped.file, dropped.line, dropped.agent) == (file, line, "security_engineer")


def test_symlink_out_of_repo_dropped(repo: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.py"
    secret.write_text("API_KEY = 'abcdefghijk'\n")
    (repo / "shop" / "link.py").symlink_to(secret)
    out = _ground(repo, _mf("shop/link.py", 1, "API_KEY = 'abcdefghijk'"))
    assert not out.kept and "outside the repository" in out.dropped[0].reason


def test_multiline_quote_matches(repo: Path) -> None:
    out = _ground(repo, _mf("shop/calc.py", 8, "try:\n        return price * 0.9", category="reliability"))
    assert [f.line for f in out.kept] == [8]


def test_duplicates_of_deterministic_findings_merge(repo: Path) -> None:
    det = Finding(rule="bandit.B608", severity=Severity.medium, title="SQL", file="shop/db.py", line=6,
                  source="security", evidence="x", category="security")
    near = _ground(repo, _mf("shop/db.py", 6, "return cursor.fetchall()", category="security")).kept
    other_concern = _ground(repo, _mf("shop/db.py", 5, "cursor = conn.cursor()", category="maintainability")).kept
    new, merged = merge_duplicates(near + other_concern, [det])
    assert merged == {0: det}
    assert new == other_concern


def test_contradicted_numbers_are_marked(tmp_path: Path) -> None:
    ev = make_evidence(tmp_path)  # coverage 40%, 1 of 2 tests failing
    checked = check_text("Coverage is 95% and all tests pass; there are 3 failing tests.", ev)
    assert len(checked.contradictions) == 3
    assert "95%" not in checked.text and "all tests pass" not in checked.text
    assert "measured coverage is 40.0%" in checked.text
    fine = check_text("Line coverage of 40% is low and 1 failing test remains.", ev)
    assert fine.contradictions == [] and fine.text.startswith("Line coverage of 40%")
    not_run = check_text("Coverage is 90%.", make_evidence(tmp_path, tests_run=False))
    assert not_run.contradictions and "not measured" in not_run.text


def _run(adjustment: int, findings: list[Finding]) -> CheckedRun:
    return CheckedRun(summary=f"adj {adjustment}", strengths=[], adjustment=adjustment, reason="r",
                      findings=findings, dropped=[], contradictions=[])


def test_runs_aggregate_median_and_majority(repo: Path) -> None:
    a = _ground(repo, _mf("shop/db.py", 6, "return cursor.fetchall()")).kept[0]
    b = _ground(repo, _mf("shop/calc.py", 3, "return eval(expression)")).kept[0]
    agg = aggregate_runs([_run(10, [a, b]), _run(-4, [a]), _run(2, [a])])
    assert agg.adjustment == 2 and agg.summary == "adj 2"
    assert [f.fingerprint for f in agg.findings] == [a.fingerprint]
    assert agg.not_in_majority == 1
