"""Model findings merge into the measured ones they repeat; contradicted numbers are not shown as fact."""

from __future__ import annotations

from pathlib import Path

from helpers.review_fixtures import make_evidence

from reviewer.findings import Finding, Severity
from reviewer.review.claims import check_text
from reviewer.review.grounding import merge_duplicates

def _model(file: str, line: int, category: str) -> Finding:
    return Finding(rule="model.x", severity=Severity.medium, title="t", file=file, line=line, source="model",
                   evidence="e", category=category).with_fingerprint()


def test_duplicates_of_deterministic_findings_merge() -> None:
    det = Finding(rule="bandit.B608", severity=Severity.medium, title="SQL", file="shop/db.py", line=6,
                  source="security", evidence="x", category="security")
    near, other_concern = _model("shop/db.py", 7, "security"), _model("shop/db.py", 5, "maintainability")
    new, merged = merge_duplicates([near, other_concern], [det])
    assert merged == {0: det}
    assert new == [other_concern]


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
