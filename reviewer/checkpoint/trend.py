"""The trend of a checkpoint against the previous one: deltas, new and resolved findings, chart series."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from reviewer.checkpoint.history import HistoryEntry
from reviewer.findings import SEVERITY_ORDER, Finding
from reviewer.gate.baseline import finding_key, resolved_fingerprints

__all__ = ["Chart", "DeltaRow", "FindingLine", "Trend", "build_chart", "build_trend", "format_delta"]

NOT_MEASURED = "not measured"


@dataclass(frozen=True)
class DeltaRow:
    metric: str
    previous: str
    current: str
    change: str


@dataclass(frozen=True)
class FindingLine:
    severity: str
    rule: str
    location: str
    title: str
    fingerprint: str


@dataclass(frozen=True)
class Chart:
    labels: list[str]
    score: list[int]
    coverage: list[float] | None = None  # None when some checkpoint in the window did not measure coverage


@dataclass
class Trend:
    previous: HistoryEntry | None
    chart: Chart
    rows: list[DeltaRow] = field(default_factory=list)
    new: list[FindingLine] = field(default_factory=list)
    resolved: list[FindingLine] = field(default_factory=list)


def _fmt(value: float | int | str | None, unit: str = "", digits: int = 1) -> str:
    if value is None:
        return NOT_MEASURED
    if isinstance(value, float):
        return f"{value:.{digits}f}{unit}"
    return f"{value}{unit}"


def format_delta(previous: float | int | None, current: float | int | None, digits: int = 1) -> str:
    """'+3', '-1.5', '±0', or 'n/a' when either side was not measured."""
    if previous is None or current is None:
        return "n/a"
    change = current - previous
    if abs(change) < 10**-digits / 2:
        return "±0"
    return f"{change:+.{digits}f}" if isinstance(change, float) else f"{change:+d}"


def _row(metric: str, previous: float | int | None, current: float | int | None, unit: str = "",
         digits: int = 1) -> DeltaRow:
    return DeltaRow(metric, _fmt(previous, unit, digits), _fmt(current, unit, digits),
                    format_delta(previous, current, digits))


def _failing(entry: HistoryEntry) -> int | None:
    if entry.tests.failed is None and entry.tests.errors is None:
        return None
    return (entry.tests.failed or 0) + (entry.tests.errors or 0)


def _rows(prev: HistoryEntry, cur: HistoryEntry) -> list[DeltaRow]:
    rows = [_row("Overall score", prev.overall, cur.overall)]
    for persona in sorted(set(prev.personas) | set(cur.personas)):
        rows.append(_row(f"Persona {persona}", prev.personas.get(persona), cur.personas.get(persona)))
    rows += [
        _row("Coverage", prev.coverage, cur.coverage, "%"),
        _row("Tests total", prev.tests.total, cur.tests.total),
        _row("Tests passed", prev.tests.passed, cur.tests.passed),
        _row("Tests failing (failed + errors)", _failing(prev), _failing(cur)),
        _row("Tests skipped", prev.tests.skipped, cur.tests.skipped),
        _row("Average complexity", prev.average_complexity, cur.average_complexity, digits=2),
        DeltaRow("Worst complexity rank", _fmt(prev.worst_complexity_rank), _fmt(cur.worst_complexity_rank),
                 "same" if prev.worst_complexity_rank == cur.worst_complexity_rank else "changed"),
    ]
    for severity in SEVERITY_ORDER:
        key = severity.value
        rows.append(_row(f"Findings {key}", prev.severity_counts.get(key, 0), cur.severity_counts.get(key, 0)))
    return rows


def _line(finding: Finding) -> FindingLine:
    return FindingLine(finding.severity.value, finding.rule, finding.location, finding.title, finding_key(finding))


def _resolved(prev: HistoryEntry, cur: HistoryEntry, prev_findings: list[Finding] | None) -> list[FindingLine]:
    gone = resolved_fingerprints(cur.fingerprints, prev.fingerprints)
    known = {finding_key(f): f for f in prev_findings or [] if not f.suppressed}
    lines: list[FindingLine] = []
    for key in gone:
        lines.append(_line(known[key]) if key in known else FindingLine("", "", "", "(details not kept)", key))
    return lines


def build_chart(entries: list[HistoryEntry]) -> Chart:
    """Series for the chart, oldest first; coverage only when every entry measured it."""
    labels = [e.date.strftime("%Y-%m-%d %H:%M") for e in entries]
    score = [e.overall for e in entries]
    coverages = [e.coverage for e in entries]
    coverage = [round(c, 1) for c in coverages if c is not None] if None not in coverages else None
    return Chart(labels=labels, score=score, coverage=coverage)


def build_trend(
    current: HistoryEntry,
    current_findings: list[Finding],
    previous: HistoryEntry | None,
    previous_findings: list[Finding] | None,
    window: list[HistoryEntry],
) -> Trend:
    """Deltas against ``previous`` (none for a first checkpoint) and the chart over ``window`` (incl. current)."""
    trend = Trend(previous=previous, chart=build_chart(window))
    if previous is None:
        return trend
    trend.rows = _rows(previous, current)
    remaining = Counter(previous.fingerprints)
    for finding in (f for f in current_findings if not f.suppressed):
        key = finding_key(finding)
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            trend.new.append(_line(finding))
    trend.resolved = _resolved(previous, current, previous_findings)
    return trend
