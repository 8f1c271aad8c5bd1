"""Markdown reports: sections per style, escaping of hostile text, well-formed tables, caps, golden files.

Regenerate the golden files after an intended change with ``REVIEWER_UPDATE_GOLDEN=1 pytest tests/test_report_markdown.py``.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from reviewer.errors import ConfigError
from reviewer.report.escape import escape_inline, md_code, md_fence, md_para
from reviewer.report.fold import fold
from reviewer.report.markdown import STYLES, insert_appendix, render_markdown
from reviewer.review.result import ReviewResult, load_result

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = FIXTURES / "golden"
UPDATE = os.environ.get("REVIEWER_UPDATE_GOLDEN") == "1"

SUMMARY = ["Executive Summary", "Key Findings", "Rating Breakdown"]
SECTIONS: dict[str, list[str]] = {
    "review": [*SUMMARY, "Agent Reviews", "Product Engineer", "QA Engineer", "Architect", "Test Engineer",
               "Security Engineer", "Strengths", "Issues", "Recommendations", "Findings", "Failure Paths",
               "Specific Missing Tests", "Files Not Analysed", "Recommended Actions", "Immediate", "Short term",
               "Medium term", "About this review", "What the model saw", "Conclusion"],
    "checkpoint": [*SUMMARY, "What's Good", "What's Broken", "What Works But Shouldn't", "Placeholders and Markers",
                   "What Pretends to Work", "Best Practices Evaluation", "Failure Paths", "Metrics and Statistics",
                   "Severity Ratings", "Recommended Actions", "Files Not Analysed", "Conclusion"],
    "readiness": [*SUMMARY, "Test Coverage Analysis", "Missing Tests by Area", "Failure Paths",
                  "Specific Missing Tests", "Production Readiness Assessment", "Critical Gaps", "Claims vs Evidence",
                  "Architecture Review", "Why This Score", "Recommended Actions", "Files Not Analysed", "Verdict"],
    "validation": [*SUMMARY, "Architecture Analysis", "Code Quality and Robustness", "Strengths",
                   "Critical Weaknesses", "Failure Paths", "Summary", "Recommended Actions", "Files Not Analysed",
                   "Conclusion"],
    "status": [*SUMMARY, "What Exists", "What Is Tested", "Claims vs Evidence", "Current Production Readiness",
               "What Is Pending", "Known Limitations", "Files Not Analysed", "Success Criteria", "From the evidence",
               "Quality gate", "Next Steps", "Conclusion"],
}
HOSTILE = [
    "a | b",
    "line one\n# Heading\nline three",
    "<script>alert(1)</script>",
    "![img](http://x)",
    "[link](http://x)",
    "<http://auto.link> and www.example.com and mail@example.com and http://bare.example/x",
    "**bold** _em_ ~~strike~~ `code` $x$",
    "&lt;b&gt; &amp; &#60;",
    "- fake item",
    "1. fake ordered",
    "> quote",
    "===",
    "\\| escaped pipe \\",
    "snake_case_name and __dunder__",
]


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


@pytest.fixture(scope="module")
def result() -> ReviewResult:
    return load_result(FIXTURES / "report" / "result.json")


def _headings(markdown: str) -> list[tuple[int, str]]:
    tokens = _parser().parse(markdown)
    return [(int(t.tag[1]), tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"]


def _plain(text: str) -> str:
    return html.escape(re.sub(r"\s+", " ", text).strip(), quote=True)


# --- escaping ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_renders_literally_as_one_paragraph(text: str) -> None:
    rendered = _parser().render(escape_inline(text))
    assert rendered == f"<p>{_plain(text)}</p>\n"


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_stays_in_its_table_cell(text: str) -> None:
    source = f"| A | B |\n|---|---|\n| {escape_inline(text)} | {md_code(text)} |\n"
    tokens = _parser().parse(source)
    cells = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "td_open"]
    assert len(cells) == 2
    rendered = _parser().render(source)
    assert f"<td>{_plain(text)}</td>" in rendered
    assert f"<td><code>{_plain(text)}</code></td>" in rendered


def test_code_span_survives_backticks_and_pipes() -> None:
    code = "x = `a` | ``b``"
    assert _parser().render(md_code(code, table=False)) == f"<p><code>{html.escape(code)}</code></p>\n"


def test_fence_is_longer_than_any_fence_inside() -> None:
    text = "before\n```\n<script>x</script>\n````\nafter"
    rendered = _parser().render(str(md_fence(text)))
    assert rendered.count("<pre>") == 1
    assert html.escape(text, quote=True) + "\n" in rendered


def test_paragraphs_are_kept_but_cannot_become_blocks() -> None:
    rendered = _parser().render(str(md_para("# not a heading\n\n- not a list\n\n1. not ordered")))
    assert rendered == "<p># not a heading</p>\n<p>- not a list</p>\n<p>1. not ordered</p>\n"


# --- the five styles -----------------------------------------------------------------------------


@pytest.mark.parametrize("style", STYLES)
def test_each_style_has_its_sections(result: ReviewResult, style: str) -> None:
    titles = [title for _, title in _headings(render_markdown(result, style))]
    missing = [s for s in SECTIONS[style] if not any(t.startswith(s) for t in titles)]
    assert missing == []
    assert titles[0].endswith("acme-shop")


@pytest.mark.parametrize("style", STYLES)
def test_golden(result: ReviewResult, style: str) -> None:
    rendered = render_markdown(result, style, max_items=4)
    golden = GOLDEN / f"{style}.md"
    if UPDATE:
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8"), f"{golden} differs; REVIEWER_UPDATE_GOLDEN=1 regenerates"


@pytest.mark.parametrize("style", STYLES)
def test_output_is_deterministic_and_independent_of_input_order(result: ReviewResult, style: str) -> None:
    shuffled = result.model_copy(update={"findings": list(reversed(result.findings))})
    assert render_markdown(result, style) == render_markdown(shuffled, style)


@pytest.mark.parametrize("style", STYLES)
def test_html_has_no_injected_markup_and_well_formed_tables(result: ReviewResult, style: str) -> None:
    markdown = render_markdown(result, style)
    rendered = _parser().render(markdown)
    assert "<script" not in rendered and "<img" not in rendered and "<a " not in rendered
    assert "<del>" not in rendered and "<strong>bold" not in rendered
    assert [level for level, _ in _headings(markdown)].count(1) == 1
    assert not any(title.startswith("Heading") for _, title in _headings(markdown))
    tokens = _parser().parse(markdown)
    lines = markdown.split("\n")
    tables = [t.map for t in tokens if t.type == "table_open"]
    assert tables, "every style has at least one table"
    for start, end in tables:
        widths = {len(re.findall(r"(?<!\\)\|", line)) for line in lines[start:end]}
        assert len(widths) == 1, f"ragged table at lines {start}-{end}: {lines[start:end]}"
        rows = [t for t in tokens if t.type == "tr_open" and t.map and start <= t.map[0] < end]
        assert len(rows) == end - start - 1  # header + body rows, the delimiter row is not a row


def test_model_text_is_present_but_inert(result: ReviewResult) -> None:
    rendered = _parser().render(render_markdown(result, "review"))
    assert "Race condition | in `cache` &lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert "![img](http://x) [link](http://x)" in rendered
    assert "&lt;img src=x onerror=alert(1)&gt;" in rendered


def _findings_section(markdown: str) -> str:
    return markdown.split("\n## Findings\n")[1].split("\n## ")[0]


def test_every_finding_states_its_provenance(result: ReviewResult) -> None:
    section = _findings_section(render_markdown(result, "review", max_items=100))
    for entry in fold(f for f in result.findings if not f.suppressed):
        assert re.search(rf"\b{entry.lead.id}\b", section), entry.lead.id  # a group shows its first id and count
    items = [line for line in section.split("\n") if line.startswith("- **")]
    assert items and all("measured by " in line or "model judgement (qwen2.5" in line for line in items)


def test_long_lists_are_capped_with_a_count(result: ReviewResult) -> None:
    section = _findings_section(render_markdown(result, "review", max_items=2))
    items = [line for line in section.split("\n") if line.startswith("- **")]
    assert len(items) == 2
    entries = len(fold(f for f in result.findings if not f.suppressed))
    assert f"… and {entries - 2} more findings not shown" in section


def test_numbers_come_from_the_result(result: ReviewResult) -> None:
    changed = result.model_copy(update={"overall_score": 91, "severity_counts": {"critical": 7}})
    markdown = render_markdown(changed, "checkpoint")
    assert "**Rating: 9.1/10**" in markdown and "| Critical | 7 |" in markdown


# --- appendix and user templates ---------------------------------------------------------------


def test_appendix_goes_before_the_conclusion(result: ReviewResult) -> None:
    appendix = "## Trend\n\n| Metric | Delta |\n|---|---|\n| score | +3 |\n"
    markdown = render_markdown(result, "checkpoint", appendix=appendix)
    assert markdown.index("## Trend") < markdown.index("## Conclusion")
    assert "see trend section" in markdown


def test_appendix_goes_at_the_end_without_a_conclusion() -> None:
    assert insert_appendix("# T\n\ntext\n", "## Trend\n") == "# T\n\ntext\n\n## Trend\n"
    # a 'Conclusion' inside a code block is not a heading
    assert insert_appendix("```\n## Conclusion\n```\n", "X").endswith("\n\nX\n")


def test_user_template_overrides_and_can_use_the_macros(result: ReviewResult, tmp_path: Path) -> None:
    template = tmp_path / "mine.md.j2"
    template.write_text('{% import "_macros.md.j2" as m with context %}# Mine {{ r.overall_score }}\n\n'
                        "{{ r.agents[1].summary }}\n\n{{ m.severity_table() }}", encoding="utf-8")
    markdown = render_markdown(result, template=template)
    assert markdown.startswith("# Mine 54\n")
    assert "| Critical | 1 |" in markdown
    assert "<script>" not in _parser().render(markdown)


def test_bad_template_and_style_are_config_errors(result: ReviewResult, tmp_path: Path) -> None:
    broken = tmp_path / "broken.md.j2"
    broken.write_text("{{ r.no_such_field }}", encoding="utf-8")
    with pytest.raises(ConfigError, match="broken.md.j2"):
        render_markdown(result, template=broken)
    with pytest.raises(ConfigError, match="unknown report style"):
        render_markdown(result, "poem")
    with pytest.raises(ConfigError, match="cannot read"):
        render_markdown(result, template=tmp_path / "missing.j2")
