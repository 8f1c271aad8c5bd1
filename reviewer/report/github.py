"""GitHub Actions output: a compact job summary (``GITHUB_STEP_SUMMARY``) and workflow annotations.

GitHub shows at most 10 error and 10 warning annotations per step and accepts at most 1 MiB of step summary;
both caps are applied here, with a pointer to the full report for the rest.
"""

from __future__ import annotations

from pathlib import Path

from reviewer.findings import Finding, Severity
from reviewer.redact import redact
from reviewer.report.context import build_context, finding_sort_key, provenance, provenance_text
from reviewer.report.environment import report_environment
from reviewer.report.markdown import tidy_blank_lines
from reviewer.report.summary import model_part, persona_score
from reviewer.review.result import ReviewResult

__all__ = [
    "MAX_ERRORS",
    "MAX_WARNINGS",
    "STEP_SUMMARY_LIMIT",
    "annotations",
    "append_step_summary",
    "escape_data",
    "escape_property",
    "fit_summary",
    "step_summary",
]

STEP_SUMMARY_LIMIT = 1024 * 1024
MAX_ERRORS = 10
MAX_WARNINGS = 10
_TRUNCATED = "\n\n_Summary truncated to fit GitHub's 1 MiB step summary limit; see the full report._\n"


def escape_data(text: str) -> str:
    """GitHub's escaping of a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """GitHub's escaping of a workflow command's property value (also ``:`` and ``,``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def step_summary(result: ReviewResult, report_name: str = "review.md", max_items: int = 10) -> str:
    """The compact Markdown job summary."""
    env = report_environment()
    context = build_context(result, max_items)
    context.update(report_name=report_name, has_appendix=False,
                   provenance=lambda finding: provenance(finding, result.backend.model),
                   persona_score=persona_score, model=model_part(result, context["model_name"]))
    return tidy_blank_lines(env.get_template("github_summary.md.j2").render(context))


def fit_summary(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` UTF-8 bytes, else cut at a line boundary with a note."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    note = _TRUNCATED.encode("utf-8")
    budget = max(limit - len(note), 0)
    head = data[:budget].decode("utf-8", errors="ignore")
    cut = head.rfind("\n")
    head = head[:cut] if cut > 0 else ""
    return head + _TRUNCATED if len(note) <= limit else ""


def append_step_summary(path: Path, text: str, limit: int = STEP_SUMMARY_LIMIT) -> Path:
    """Append to the step summary file so that the whole file stays within ``limit`` bytes."""
    used = path.stat().st_size if path.exists() else 0
    fitted = fit_summary(redact(text), max(limit - used, 0))  # the one redaction sink
    with path.open("a", encoding="utf-8") as handle:
        handle.write(fitted)
    return path


def _command(kind: str, finding: Finding, default_model: str | None) -> str:
    props: list[str] = []
    if finding.file:
        props.append(f"file={escape_property(finding.file)}")
        if finding.line:
            props.append(f"line={finding.line}")
        if finding.end_line and finding.line and finding.end_line >= finding.line:
            props.append(f"endLine={finding.end_line}")
    title = f"{finding.id or finding.rule} [{finding.severity.value}] {finding.title}"[:200]
    props.append(f"title={escape_property(title)}")
    origin = provenance_text(finding, default_model)
    body = "\n".join(p for p in (finding.evidence, finding.recommendation, origin) if p)
    return f"::{kind} {','.join(props)}::{escape_data(body)}"


def annotations(result: ReviewResult, report_path: str = "review.md", *, max_errors: int = MAX_ERRORS,
                max_warnings: int = MAX_WARNINGS) -> list[str]:
    """Workflow commands for the most severe unsuppressed findings within GitHub's caps, plus one notice
    pointing at the report for the rest."""
    active = sorted((f for f in result.findings if not f.suppressed), key=finding_sort_key)
    errors = [f for f in active if f.severity in (Severity.critical, Severity.high)]
    warnings = [f for f in active if f.severity == Severity.medium]
    shown = errors[:max_errors] + warnings[:max_warnings]
    lines = [_command("error", f, result.backend.model) for f in errors[:max_errors]]
    lines += [_command("warning", f, result.backend.model) for f in warnings[:max_warnings]]
    rest = len(active) - len(shown)
    if rest:
        message = f"{rest} more finding(s) not annotated (GitHub shows {max_errors} errors and {max_warnings} " \
                  f"warnings per step); see {report_path}"
        lines.append(f"::notice title={escape_property('reviewer')}::{escape_data(message)}")
    return lines
