"""The judgement-first report: executive summary, folded repetition, honest 'not measured', the model's part,
failure paths, claims vs evidence and files not analysed, in every style; and the structure of each style,
parsed with markdown-it (headings, tables, no empty sections)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from reviewer.checkpoint.render import fold_lines
from reviewer.checkpoint.trend import FindingLine
from reviewer.evidence import FailurePathsSection
from reviewer.findings import Finding, Severity
from reviewer.report.markdown import STYLES, render_markdown
from reviewer.review.result import BackendInfo, ReviewResult, load_result

RESULT = Path(__file__).parent / "fixtures" / "report" / "result.json"


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


@pytest.fixture(scope="module")
def result() -> ReviewResult:
    return load_result(RESULT)


def _section(markdown: str, title: str) -> str:
    """The text under the first heading that starts with ``title``, up to the next heading of the same level."""
    match = re.search(rf"^(#+) {re.escape(title)}.*$", markdown, re.M)
    assert match, title
    level = len(match.group(1))
    rest = markdown[match.end():]
    end = re.search(rf"^#{{1,{level}}} ", rest, re.M)
    return rest[: end.start()] if end else rest


# --- structure of every style --------------------------------------------------------------------


@pytest.mark.parametrize("style", STYLES)
def test_structure_one_title_no_empty_section_well_formed_tables(result: ReviewResult, style: str) -> None:
    markdown = render_markdown(result, style)
    tokens = _parser().parse(markdown)
    titles = {id(t): tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"}
    blocks = [t for t in tokens if t.nesting >= 0 and t.level == 0]  # opening and self-closing top-level blocks
    headings = [(i, int(t.tag[1])) for i, t in enumerate(blocks) if t.type == "heading_open"]
    assert [level for _, level in headings].count(1) == 1 and headings[0][1] == 1
    for i, level in headings:
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        title = titles[id(blocks[i])]
        assert following is not None, f"{style}: '{title}' is the last block, with nothing under it"
        if following.type == "heading_open":
            assert int(following.tag[1]) > level, f"{style}: section '{title}' is empty"
    for i, t in enumerate(tokens):
        if t.type == "table_open":
            header = next(x for x in tokens[i:] if x.type == "thead_open")
            assert header, style
            cells = [x for x in tokens[i:] if x.type == "th_open"]
            assert cells, f"{style}: table without header cells"
    assert not re.search(r"^\\#", markdown, re.M), "a heading was escaped into text"


@pytest.mark.parametrize("style", STYLES)
def test_every_style_opens_with_the_executive_summary(result: ReviewResult, style: str) -> None:
    markdown = render_markdown(result, style)
    headings = [line for line in markdown.split("\n") if line.startswith("#")]
    assert headings[1] == "## Executive Summary"
    summary = _section(markdown, "Executive Summary")
    assert "**Overall rating: 54/100 (5.4/10), Not ready for production.**" in summary
    assert "Start with F001" in summary
    keys = [line for line in _section(markdown, "Key Findings").split("\n") if line.startswith("- **")]
    assert 3 <= len(keys) <= 6
    assert keys[0].startswith("- **CRITICAL** F001") and keys[1].startswith("- **HIGH**")
    # strength of evidence: a model judgement ranks one level below a measured finding, so the high model
    # claim F003 comes after the measured high F002 and the four measured medium findings (out of the top 6)
    assert "F002" in keys[1] and not any("F003" in k for k in keys)
    breakdown = _section(markdown, "Rating Breakdown")
    assert "| Performance | not measured | nothing measured performance |" in breakdown
    assert "| Security | 35/100 (poor) | 1 critical bandit issue |" in breakdown
    assert "**Not measured:** performance area; Test Engineer score; criteria: Flaky tests." in summary
    assert "the model was asked about 52 of 70 possible defects, in 45 of the 60 code units where one is possible (120 units in all)" in summary


# --- not measured is never a score ---------------------------------------------------------------


def test_not_measured_persona_shows_no_score_and_partial_names_what_is_missing(result: ReviewResult) -> None:
    markdown = render_markdown(result, "review")
    tester = _section(markdown, "Test Engineer")
    assert "**Score: not measured**" in tester and "/100" not in tester.split("\n\n")[1]
    assert "**Score: 48/100 (partial: Flaky tests not measured)**" in _section(markdown, "QA Engineer")
    assert "| Flaky tests | 0.20 | not measured |" in _section(markdown, "QA Engineer")
    readiness = render_markdown(result, "readiness")
    assert "| Test Engineer | not measured | 1 |" in readiness
    assert "| Test Engineer | not measured |" in render_markdown(result, "status")


def test_health_not_measured_has_no_number_in_any_table(result: ReviewResult) -> None:
    for style in STYLES:
        markdown = render_markdown(result, style)
        assert not re.search(r"\| [Pp]erformance \|[^\n]*\d+/100", markdown), style


def test_score_contributors_are_shown_under_the_persona(result: ReviewResult) -> None:
    product = _section(render_markdown(result, "review"), "Product Engineer")
    assert "Points lost to: `markers.todo` in product −6.5 (1 finding(s)); `deps.undeclared` −3.0" in product


def test_not_confirmed_verdict_says_so(result: ReviewResult) -> None:
    changed = result.model_copy(update={"verdict": "not_confirmed", "verdict_reasons": ["tests were not run"]})
    summary = _section(render_markdown(changed, "status"), "Executive Summary")
    assert "Not confirmed (tests not run)" in summary and "Readiness not confirmed" in summary


# --- the model's part, stated honestly ------------------------------------------------------------


def _with_model(result: ReviewResult, **fields: object) -> ReviewResult:
    return result.model_copy(update={"model_context": result.model_context.model_copy(update=fields)})


def test_reviewed_by_only_when_model_calls_succeeded(result: ReviewResult) -> None:
    complete = _with_model(result, status="complete", status_reason=None, calls=5, calls_failed=0)
    assert "**Reviewed by 5 personas using qwen2.5" in render_markdown(complete, "review")
    failed = _with_model(result, status="failed", status_reason="server at 127.0.0.1:8080 refused the connection",
                         calls=5, calls_failed=5)
    markdown = render_markdown(failed, "review")
    assert "Reviewed by" not in markdown and "**Scored by 5 personas from measured evidence.**" in markdown
    assert "The model part failed (server at 127.0.0.1:8080 refused the connection)" in markdown
    nothing = _with_model(result, status="partial", calls=3, calls_failed=3)
    assert "Reviewed by" not in render_markdown(nothing, "checkpoint")
    off = _with_model(result, status="off", calls=0, calls_failed=0).model_copy(
        update={"backend": BackendInfo(name="none")})
    summary = _section(render_markdown(off, "readiness"), "Executive Summary")
    assert "Reviewed by" not in summary and "No model part: deterministic review only" in summary


def test_partial_model_part_gives_the_reason(result: ReviewResult) -> None:
    summary = _section(render_markdown(result, "validation"), "Executive Summary")
    assert "The model part is partial (token budget ran out before the Security Engineer's turn)" in summary
    assert "1 of 5 call(s) failed" in summary


# --- folding ---------------------------------------------------------------------------------------


def test_one_rule_in_many_places_is_one_item(result: ReviewResult) -> None:
    findings = _section(render_markdown(result, "review"), "Findings")
    groups = [line for line in findings.split("\n") if "functions of high complexity" in line]
    assert len(groups) == 1
    assert "4 functions of high complexity (4 of rank C; worst: `aggregate_runs` 21)" in groups[0]
    assert "3 in product, 1 in tests" in groups[0]


def _many(result: ReviewResult) -> ReviewResult:
    extra: list[Finding] = []
    n = 100
    for rule, severity, count in [("radon.cc", Severity.medium, 40), ("markers.stub", Severity.low, 120),
                                  ("bandit.B101", Severity.low, 60), ("bandit.B603", Severity.low, 30),
                                  ("smells.except_pass", Severity.medium, 25), ("deps.undeclared", Severity.high, 6)]:
        for i in range(count):
            n += 1
            title = (f"function f{i} has cyclomatic complexity {11 + i % 9} (rank C)" if rule == "radon.cc"
                     else f"{rule} finding")
            extra.append(Finding(rule=rule, severity=severity, title=title, file=f"pkg/m{i % 17}.py", line=i + 1,
                                 source="collector", evidence="e", id=f"F{n:03d}", agent="architect"))
    agents = [a.model_copy(update={"findings": a.findings + [f.id for f in extra if f.id]}) for a in result.agents]
    return result.model_copy(update={"findings": result.findings + extra, "agents": agents})


def test_a_big_result_folds_into_a_short_report_with_every_high_on_its_own(result: ReviewResult) -> None:
    big = _many(result)
    markdown = render_markdown(big, "review")
    assert len(markdown.split("\n")) <= 400
    findings = _section(markdown, "Findings")
    highs = [f for f in big.findings if f.severity.rank <= 1 and not f.suppressed]
    for f in highs:
        assert f"** {f.id}: " in findings, f.id  # each critical/high finding is its own item
    assert "41 functions of high complexity (40 of rank C, 1 of rank D; worst: `checkout` 23)" in findings
    places = findings.split("41 functions of high complexity")[1].split("more places")[0]
    assert re.findall(r"\| (F\d+) \|", places)[:2] == ["F004", "F118"]  # worst first: checkout 23, then f17 19 (ties by place)
    assert "121 findings of `markers.stub`" in findings and "bandit.B101 finding (60 places)" in findings
    assert "more places (all in review.json and SARIF)" in findings


# --- failure paths, claims, files not analysed -----------------------------------------------------


@pytest.mark.parametrize("style", ["review", "readiness", "checkpoint", "validation"])
def test_failure_paths_and_specific_missing_tests(result: ReviewResult, style: str) -> None:
    markdown = render_markdown(result, style)
    section = _section(markdown, "Failure Paths")
    assert "Failure paths tested: 3 of 7 except handlers ran; 2 of 5 raise statements ran." in section
    assert "| `app/config.py` | 3 of 5 | 2 of 4 | 12, 20, 25, 33 |" in section
    tests = _section(markdown, "Specific Missing Tests")
    assert "1. `test_charge_when_timeout`: `except httpx.TimeoutException` in `charge` (`app/payments.py:30`)" in tests
    assert "`test_load_config_when_file_missing`" in tests


def test_failure_paths_not_measured_says_why(result: ReviewResult) -> None:
    markdown = render_markdown(result.model_copy(update={"failure_paths": None}), "readiness")
    assert "Failure paths: not measured (the failure-path collector did not run)." in markdown
    section = FailurePathsSection(measured=False, reason="no coverage data (run the tests with --run-tests)")
    markdown = render_markdown(result.model_copy(update={"failure_paths": section}), "readiness")
    assert "Failure paths: not measured (no coverage data (run the tests with --run-tests))." in markdown
    assert "failure paths (no coverage data)" in _section(markdown, "Executive Summary")
    assert "Not measured: without coverage data" in _section(markdown, "Specific Missing Tests")


@pytest.mark.parametrize("style", ["readiness", "status"])
def test_claims_vs_evidence(result: ReviewResult, style: str) -> None:
    section = _section(render_markdown(result, style), "Claims vs Evidence")
    assert "2 document(s)" in section and "**2 contradicted**, 2 verified, 1 not measured" in section
    rows = [line for line in section.split("\n") if line.startswith("| `")]
    assert rows[0] == "| `README.md:12` | 95% coverage | 63.2% | **contradicted** |"
    assert rows[1].startswith("| `docs/status.md:3` | Production ready |")
    assert "| `docs/status.md:8` | app/cart.py | exists | verified |" in rows
    assert rows[-1] == "| `README.md:20` | 100% pass | not measured | not measured |"


@pytest.mark.parametrize("style", STYLES)
def test_files_not_analysed_are_listed_in_every_style(result: ReviewResult, style: str) -> None:
    section = _section(render_markdown(result, style), "Files Not Analysed")
    assert "| `app/huge_generated.py` | too large (2.1 MB \\> 1 MB) (holds code) |" in section
    assert "`vendor/blob \\| <x>.py`" in section  # hostile path stays in its cell
    clean = render_markdown(result.model_copy(update={"unanalysed_files": []}), style)
    assert "None: every discovered file was analysed." in _section(clean, "Files Not Analysed")


def test_a_result_without_model_status_never_claims_a_model_review(result: ReviewResult) -> None:
    legacy = _with_model(result, status="off", calls=0, calls_failed=0)  # a model was configured; status unknown
    markdown = render_markdown(legacy, "review")
    assert "Reviewed by" not in markdown and "status was not recorded" in markdown
    assert "### What the model saw" in markdown  # what it was shown is still reported


def test_checkpoint_trend_folds_new_findings_of_one_rule() -> None:
    lines = [FindingLine("low", "markers.stub", f"tests/t{i}.py:3", "Stub function body", f"fp{i}") for i in range(4)]
    lines += [FindingLine("high", "tests.failed", f"tests/t{i}.py:9", f"test {i} failed", f"h{i}") for i in range(3)]
    lines.append(FindingLine("low", "deps.unused", "pyproject.toml:4", "unused", "u"))
    folded = fold_lines(lines)
    assert [(f.rule, len(f.locations)) for f in folded] == [
        ("markers.stub", 4), ("tests.failed", 1), ("tests.failed", 1), ("tests.failed", 1), ("deps.unused", 1)]
    assert folded[0].title == "Stub function body"
