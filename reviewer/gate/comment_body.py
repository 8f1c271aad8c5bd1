"""The Markdown of the pull-request comment: the hidden marker, the compact summary and the gate's checks."""

from __future__ import annotations

from reviewer.gate.pr_comment import MARKER
from reviewer.report.escape import escape_inline
from reviewer.report.github import step_summary
from reviewer.review.result import GateResult, ReviewResult

__all__ = ["comment_body", "gate_table"]


def gate_table(gate: GateResult) -> str:
    """The gate's checks as a Markdown table (every cell escaped)."""
    verdict = "passed" if gate.passed else "failed"
    lines = [f"### Quality gate: {verdict}", "", "| Check | Threshold | Actual | Result |", "|---|---|---|---|"]
    for check in gate.checks:
        cells = [escape_inline(check.name), escape_inline(check.threshold), escape_inline(check.actual),
                 "pass" if check.passed else "**FAIL**"]
        lines.append("| " + " | ".join(cells) + " |")
    if gate.baseline is not None:
        lines += ["", f"Baseline: {len(gate.new_findings)} new finding(s) since {escape_inline(gate.baseline)}."]
    if gate.suppressed:
        lines += ["", f"{gate.suppressed} suppressed finding(s) not counted."]
    return "\n".join(lines) + "\n"


def comment_body(result: ReviewResult, *, report_name: str = "review.md", max_items: int = 10) -> str:
    """Marker first (so the comment is found again), then the summary, then the gate when it ran."""
    parts = [MARKER, step_summary(result, report_name=report_name, max_items=max_items).rstrip("\n")]
    if result.gate is not None:
        parts.append(gate_table(result.gate).rstrip("\n"))
    return "\n\n".join(parts) + "\n"
