"""Model claims are checked against the code; contradicted numbers are not shown as fact."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.review_fixtures import FILES, make_evidence

from reviewer.findings import Finding, Severity
from reviewer.review.claims import check_text
from reviewer.review.grounding import locate_quote, merge_duplicates

DB = FILES["shop/db.py"].splitlines()
CALC = FILES["shop/calc.py"].splitlines()


def test_quote_found_on_its_real_line_whitespace_ignored() -> None:
    quote = "cursor.execute(\"SELECT * FROM users WHERE name = '%s'\"   % name)"
    assert locate_quote(DB, 4, quote) == 6  # cited two lines off, found where it really is


@pytest.mark.parametrize(("line", "quote"), [
    (70, "return cursor.fetchall()"),  # line does not exist
    (3, "return exec(expression)"),  # misquoted
    (6, "self"),  # too short to mean anything unless it is the whole line
    (1, "return cursor.fetchall()"),  # real code, but more than 3 lines away
])
def test_ungrounded_quotes_are_not_found(line: int, quote: str) -> None:
    assert locate_quote(DB if "cursor" in quote or quote == "self" else CALC, line, quote) is None


def test_multiline_quote_matches() -> None:
    assert locate_quote(CALC, 8, "try:\n        return price * 0.9") == 8


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
