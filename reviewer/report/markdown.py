"""Render a :class:`ReviewResult` as a Markdown report in one of five styles (or a user template)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import TemplateError
from markdown_it import MarkdownIt

from reviewer.errors import ConfigError
from reviewer.findings import Finding
from reviewer.report.context import build_context, cap, finding_sort_key, provenance
from reviewer.report.fold import fold
from reviewer.report.environment import STYLES, load_template, report_environment
from reviewer.report.sections import (
    CHECKPOINT_BUCKETS,
    checkpoint_bucket,
    checkpoint_sections,
    good_strengths,
    readiness_rows,
    status_criteria,
    test_gaps,
    validation_rows,
)
from reviewer.report.summary import (
    areas,
    claims_rows,
    failure_view,
    key_entries,
    model_part,
    not_measured,
    persona_score,
    recommendation,
)
from reviewer.review.result import ReviewResult

__all__ = ["STYLES", "insert_appendix", "render_markdown", "tidy_blank_lines"]


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def tidy_blank_lines(markdown: str) -> str:
    """Collapse runs of blank lines left by template logic, except inside code blocks (found by markdown-it)."""
    lines = markdown.split("\n")
    keep: set[int] = set()
    for token in _parser().parse(markdown):
        if token.type in ("fence", "code_block") and token.map is not None:
            keep.update(range(*token.map))
    out: list[str] = []
    for i, line in enumerate(lines):
        blank = not line.strip()
        if blank and i not in keep and out and not out[-1].strip():
            continue
        out.append("" if blank and i not in keep else line)
    return "\n".join(out).strip("\n") + "\n"


def insert_appendix(markdown: str, appendix: str) -> str:
    """Insert trusted Markdown before the first heading whose text starts with 'Conclusion', else at the end.

    Headings are found with markdown-it, so a 'Conclusion' inside a code block or escaped text never matches.
    """
    block = appendix.strip("\n")
    if not block:
        return markdown
    tokens = _parser().parse(markdown)
    lines = markdown.split("\n")
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.map is not None:
            title = tokens[i + 1].content.strip().lower()
            if title.startswith("conclusion"):
                at = token.map[0]
                return "\n".join([*lines[:at], block, "", *lines[at:]])
    return markdown.rstrip("\n") + "\n\n" + block + "\n"


def _summary_context(result: ReviewResult, max_items: int, model_name: str) -> dict:
    """Folded findings (overall, per persona, per checkpoint bucket) and the executive summary's parts."""
    active = sorted((f for f in result.findings if not f.suppressed), key=finding_sort_key)
    entries = fold(active)
    keys = key_entries(entries)
    by_id = {f.id: f for f in active if f.id}

    def folded(findings: list[Finding]) -> object:
        return cap(fold(findings), max_items)

    return {
        "entries": cap(entries, max_items), "keys": keys,
        "critical": cap([e for e in entries if e.severity.rank <= 1], max_items), "recommendation": recommendation(result, keys),
        "areas": areas(result), "unmeasured": not_measured(result), "model": model_part(result, model_name),
        "persona_score": persona_score, "failure": failure_view(result, max_items),
        "claims": claims_rows(result, max_items),
        "unanalysed": cap(sorted(result.unanalysed_files, key=lambda u: u.path), max_items),
        "agent_entries": {a.id: folded([by_id[i] for i in a.findings if i in by_id]) for a in result.agents},
        "bucket_entries": {key: folded([f for f in active if checkpoint_bucket(f) == key])
                           for key, _ in CHECKPOINT_BUCKETS},
    }


def render_markdown(
    result: ReviewResult,
    style: str = "review",
    *,
    template: Path | None = None,
    appendix: str | None = None,
    max_items: int = 25,
) -> str:
    """The report as Markdown. Same result, same arguments: same bytes."""
    env = report_environment()
    tpl = load_template(env, style, template)
    context = build_context(result, max_items)
    context.update(
        style=style,
        has_appendix=bool(appendix and appendix.strip()),
        provenance=lambda finding: provenance(finding, result.backend.model),
        checkpoint=checkpoint_sections(result, max_items),
        checkpoint_buckets=CHECKPOINT_BUCKETS,
        good_strengths=good_strengths(result, max_items),
        readiness=readiness_rows(result),
        test_gaps=test_gaps(result, max_items),
        validation=validation_rows(result),
        criteria=status_criteria(result),
    )
    context.update(_summary_context(result, max_items, context["model_name"]))
    try:
        text = tpl.render(context)
    except TemplateError as exc:
        where = str(template) if template is not None else f"{style}.md.j2"
        raise ConfigError(f"report template failed to render: {type(exc).__name__}: {exc}",
                          file=where, key="report.template") from exc
    text = tidy_blank_lines(text)
    return insert_appendix(text, appendix) if appendix else text
