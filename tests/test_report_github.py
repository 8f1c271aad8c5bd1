"""GitHub Actions output: step summary size cap, annotation caps and GitHub's escaping."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.findings import Finding
from reviewer.report.github import (
    STEP_SUMMARY_LIMIT,
    annotations,
    append_step_summary,
    escape_data,
    escape_property,
    fit_summary,
    step_summary,
)
from reviewer.review.result import BackendInfo, ReviewResult, load_result

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def result() -> ReviewResult:
    return load_result(FIXTURES / "report" / "result.json")


def _many(n_high: int, n_medium: int, n_low: int) -> ReviewResult:
    findings = [
        Finding(id=f"F{i:03d}", rule="r.x", severity=sev, title=f"t{i}", file=f"f{i}.py", line=i + 1, source="s",
                evidence="e")
        for i, sev in enumerate(["high"] * n_high + ["medium"] * n_medium + ["low"] * n_low)
    ]
    return ReviewResult(tool_version="1", repo_name="r", overall_score=10, verdict="not_ready",
                        backend=BackendInfo(name="none"), findings=findings)


def test_escaping_follows_github() -> None:
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_annotations_respect_the_caps_and_point_at_the_report() -> None:
    lines = annotations(_many(14, 12, 3), "out/review.md")
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert sum(line.startswith("::warning ") for line in lines) == 10
    notices = [line for line in lines if line.startswith("::notice ")]
    assert len(notices) == 1 and "9 more finding(s)" in notices[0] and "out/review.md" in notices[0]
    assert len(lines) == 21


def test_most_severe_first_and_no_notice_when_all_fit(result: ReviewResult) -> None:
    lines = annotations(result, "review.md", max_errors=1, max_warnings=1)
    assert lines[0].startswith("::error file=app/run.py,line=12,title=F001")
    assert lines[-1].startswith("::notice ")
    assert not any(line.startswith("::notice") for line in annotations(_many(2, 1, 0)))


def test_hostile_text_cannot_break_out_of_a_command(result: ReviewResult) -> None:
    for line in annotations(result):
        assert "\n" not in line and "\r" not in line
        kind, rest = line[2:].split(" ", 1)
        props, message = rest.split("::", 1)
        assert kind in {"error", "warning", "notice"}
        for prop in props.split(","):
            key, value = prop.split("=", 1)
            assert key in {"file", "line", "endLine", "title"} and ":" not in value
    f010 = next(line for line in annotations(result) if "F010" in line)
    assert "title=F010 [medium] Token sent to www.evil.example%2C mail" in f010
    assert "suppressed" not in " ".join(annotations(result)) and not any("F009" in line for line in annotations(result))


def test_step_summary_is_compact_and_escaped(result: ReviewResult) -> None:
    text = step_summary(result, "out/review.md")
    assert text.startswith("## reviewer: acme-shop: Not ready for production (54/100)")
    assert "| Security Engineer | 40/100 |" in text and "`out/review.md`" in text
    assert "<script>" not in text and "Race condition \\| in" in text


def test_summary_is_cut_at_a_line_with_a_note() -> None:
    text = "".join(f"| row {i} | é |\n" for i in range(10_000))
    fitted = fit_summary(text, 4096)
    assert len(fitted.encode("utf-8")) <= 4096
    assert fitted.endswith("see the full report._\n")
    body = fitted.split("\n\n_Summary truncated")[0]
    assert all(line.startswith("| row ") and line.endswith("|") for line in body.split("\n"))
    assert fit_summary("small\n", 4096) == "small\n"


def test_append_keeps_the_whole_file_under_the_limit(tmp_path: Path) -> None:
    target = tmp_path / "summary.md"
    target.write_text("x" * (STEP_SUMMARY_LIMIT - 2000), encoding="utf-8")
    append_step_summary(target, "| a |\n" * 5000)
    assert target.stat().st_size <= STEP_SUMMARY_LIMIT
    assert target.read_text(encoding="utf-8").endswith("see the full report._\n")
