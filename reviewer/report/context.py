"""The template context: everything a report shows, derived from one :class:`ReviewResult` and nothing else.

No number is invented here: counts come from the result's findings and ``severity_counts``, scores from the
computed scores, figures from ``metrics``. Lists are sorted deterministically and capped (:class:`Capped`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from markupsafe import Markup

from reviewer.findings import SEVERITY_ORDER, Finding
from reviewer.report.escape import escape_inline, md_code
from reviewer.review.result import AgentResult, Metrics, ReviewResult

__all__ = [
    "HORIZONS",
    "VERDICT_LABELS",
    "AgentView",
    "Capped",
    "build_context",
    "cap",
    "finding_sort_key",
    "metric_rows",
    "provenance",
    "provenance_text",
    "severity_counts",
]

T = TypeVar("T")

VERDICT_LABELS: dict[str, str] = {
    "ready": "Ready for production",
    "ready_with_fixes": "Ready with fixes",
    "not_confirmed": "Not confirmed (tests not run)",
    "not_ready": "Not ready for production",
}
HORIZONS: list[tuple[str, str]] = [
    ("immediate", "Immediate"),
    ("short_term", "Short term"),
    ("long_term", "Medium term"),
]


@dataclass(frozen=True)
class Capped(Generic[T]):
    """The first ``max_items`` of a list, and how many were left out."""

    items: list[T]
    rest: int = 0

    @property
    def total(self) -> int:
        return len(self.items) + self.rest

    def __bool__(self) -> bool:
        return bool(self.items)


def cap(values: Iterable[T], limit: int) -> Capped[T]:
    items = list(values)
    return Capped(items[:limit], max(len(items) - limit, 0))


def finding_sort_key(finding: Finding) -> tuple[int, str, int, str, str]:
    """Most severe first, then by location and rule: a total, input-order-independent order."""
    return (finding.severity.rank, finding.file or "", finding.line or 0, finding.rule, finding.id or "")


def provenance(finding: Finding, default_model: str | None = None) -> Markup:
    """Whether a finding was measured (by which tool and rule) or is a model's judgement (which model)."""
    if finding.source == "model":
        model = finding.model or default_model or "unknown model"
        who = f", {escape_inline(finding.agent)}" if finding.agent else ""
        return Markup(f"model judgement ({escape_inline(model)}{who})")
    return Markup(f"measured by {escape_inline(finding.source)} ({md_code(finding.rule)})")


def provenance_text(finding: Finding, default_model: str | None = None) -> str:
    """:func:`provenance` as plain text (for SARIF messages and workflow annotations)."""
    if finding.source == "model":
        model = finding.model or default_model or "unknown model"
        return f"model judgement ({model}{', ' + finding.agent if finding.agent else ''})"
    return f"measured by {finding.source} ({finding.rule})"


def severity_counts(result: ReviewResult) -> list[tuple[str, int]]:
    """Counts for every severity, most severe first: the result's roll-up, else its unsuppressed findings."""
    counts = dict(result.severity_counts)
    if not counts:
        for finding in result.findings:
            if not finding.suppressed:
                counts[finding.severity.value] = counts.get(finding.severity.value, 0) + 1
    return [(sev.value, int(counts.get(sev.value, 0))) for sev in SEVERITY_ORDER]


def _fmt(value: float | int | None, suffix: str = "", digits: int = 1) -> str:
    if value is None:
        return "not measured"
    if isinstance(value, float):
        return f"{value:.{digits}f}{suffix}"
    return f"{value}{suffix}"


def metric_rows(metrics: Metrics) -> list[tuple[str, str]]:
    """(metric, value) rows straight from ``result.metrics``; missing figures say 'not measured'."""
    ran = None if metrics.tests_total is None else metrics.tests_total - (metrics.tests_skipped or 0)
    rate = None if not ran or metrics.tests_passed is None else 100.0 * metrics.tests_passed / ran
    security = ", ".join(f"{k}: {v}" for k, v in sorted(metrics.security_by_severity.items())) or "none reported"
    return [
        ("Tests (total)", _fmt(metrics.tests_total)),
        ("Tests passed", _fmt(metrics.tests_passed)),
        ("Tests failed", _fmt(metrics.tests_failed)),
        ("Test errors", _fmt(metrics.tests_errors)),
        ("Tests skipped", _fmt(metrics.tests_skipped)),
        ("Pass rate", _fmt(rate, "%")),
        ("Line coverage", _fmt(metrics.coverage_percent, "%")),
        ("Average cyclomatic complexity", _fmt(metrics.average_complexity, digits=2)),
        ("Worst complexity rank", metrics.worst_complexity_rank or "not measured"),
        ("Average maintainability index", _fmt(metrics.average_mi)),
        ("Security issues by severity", security),
        ("Files", _fmt(metrics.files)),
        ("Python files", _fmt(metrics.python_files)),
        ("Source lines (SLOC)", _fmt(metrics.sloc)),
        ("Undeclared dependencies", _fmt(metrics.undeclared_dependencies)),
        ("TODO/FIXME/stub markers", _fmt(metrics.markers)),
        ("Files that could not be analysed", _fmt(metrics.file_failures)),
    ]


@dataclass(frozen=True)
class AgentView:
    agent: AgentResult
    findings: Capped[Finding]
    strengths: Capped[str]
    recommendations: Capped[str]


def _agent_view(agent: AgentResult, by_id: dict[str, Finding], limit: int) -> AgentView:
    own = sorted((by_id[i] for i in agent.findings if i in by_id), key=finding_sort_key)
    return AgentView(agent, cap(own, limit), cap(agent.strengths, limit), cap(agent.recommendations, limit))


def _recommendations(result: ReviewResult, limit: int) -> list[tuple[str, Capped[Any]]]:
    return [(label, cap([r for r in result.recommendations if r.horizon == key], limit)) for key, label in HORIZONS]


def _active(findings: Sequence[Finding]) -> list[Finding]:
    return sorted((f for f in findings if not f.suppressed), key=finding_sort_key)


def _model_name(result: ReviewResult) -> str:
    if result.backend.model:
        return result.backend.model
    return "no model (deterministic review only)" if result.backend.name == "none" else result.backend.name


def build_context(result: ReviewResult, max_items: int) -> dict[str, Any]:
    """The variables every template gets. Style-specific sections come from :mod:`reviewer.report.sections`."""
    by_id = {f.id: f for f in result.findings if f.id}
    active = _active(result.findings)
    return {
        "r": result,
        "max_items": max_items,
        "verdict_label": VERDICT_LABELS.get(result.verdict, result.verdict),
        "rating10": f"{result.overall_score / 10:.1f}",
        "model_name": _model_name(result),
        "counts": severity_counts(result),
        "findings": cap(active, max_items),
        "key_findings": cap([f for f in active if f.severity.rank <= 1], min(max_items, 10)),
        "suppressed": cap(sorted((f for f in result.findings if f.suppressed), key=finding_sort_key), max_items),
        "measured_count": sum(1 for f in active if f.source != "model"),
        "model_count": sum(1 for f in active if f.source == "model"),
        "agents": [_agent_view(a, by_id, max_items) for a in result.agents],
        "recommendations": _recommendations(result, max_items),
        "metric_rows": metric_rows(result.metrics),
        "files_seen": cap(sorted(result.model_context.files_seen), max_items),
        "dropped": cap(result.model_context.dropped, max_items),
        "timings": sorted(result.timings.items()),
    }
