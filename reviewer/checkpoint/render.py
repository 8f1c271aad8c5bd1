"""Render the trend section (passed to the report as its appendix), the Mermaid chart and ``reports/index.md``.

Templates live in ``reviewer/checkpoint/templates``. Like the report templates, every plain string printed by
a template is Markdown-escaped (:func:`reviewer.report.escape.finalize`), so finding titles written by a model
cannot break the tables. The Mermaid block is built here from numbers and dates only.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from reviewer.checkpoint.history import HistoryEntry
from reviewer.checkpoint.trend import Chart, FindingLine, Trend
from reviewer.report.environment import markdown_environment

__all__ = ["FoldedLine", "fold_lines", "mermaid_chart", "render_index", "render_trend"]

FOLD_AT = 3


@dataclass(frozen=True)
class FoldedLine:
    """New or resolved findings of one rule and severity: one row with its places (one place when alone)."""

    severity: str
    rule: str
    title: str
    locations: list[str]


def fold_lines(lines: list[FindingLine], at: int = FOLD_AT) -> list[FoldedLine]:
    """One row per rule and severity when it repeats ``at`` times or more (never critical or high), in order."""
    groups: dict[tuple[str, str], list[FindingLine]] = {}
    for line in lines:
        groups.setdefault((line.severity, line.rule), []).append(line)
    out: list[FoldedLine] = []
    done: set[tuple[str, str]] = set()
    for line in lines:
        key = (line.severity, line.rule)
        members = groups[key]
        if len(members) >= at and line.severity not in ("critical", "high"):
            if key not in done:
                done.add(key)
                titles = {m.title for m in members}
                title = members[0].title if len(titles) == 1 else f"{len(members)} findings of this rule"
                out.append(FoldedLine(line.severity, line.rule, title, [m.location for m in members]))
        else:
            out.append(FoldedLine(line.severity, line.rule, line.title, [line.location]))
    return out


def _environment() -> Environment:
    env = markdown_environment(PackageLoader("reviewer.checkpoint", "templates"))
    env.filters["link_target"] = lambda name: Markup(quote(str(name)))
    return env


def _number(value: float | int) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def mermaid_chart(chart: Chart) -> Markup:
    """A fenced ``xychart-beta`` block: x-axis of checkpoint dates, y-axis 0-100, one line per series."""
    labels = ", ".join(f'"{label}"' for label in chart.labels)
    lines = [
        "```mermaid",
        "xychart-beta",
        '    title "Overall score and coverage"',
        f"    x-axis [{labels}]",
        '    y-axis "Score / coverage %" 0 --> 100',
        f"    line [{', '.join(_number(v) for v in chart.score)}]",
    ]
    if chart.coverage is not None:
        lines.append(f"    line [{', '.join(_number(v) for v in chart.coverage)}]")
    lines.append("```")
    return Markup("\n".join(lines))


def _legend(chart: Chart) -> str:
    if chart.coverage is None:
        return "The line is the overall score; coverage is not drawn because not every checkpoint measured it."
    return "First line: overall score. Second line: test coverage in percent."


def render_trend(trend: Trend, *, max_items: int = 25) -> str:
    """The trend section as trusted Markdown, ready to pass as ``appendix`` to ``render_markdown``."""
    template = _environment().get_template("trend.md.j2")
    text = template.render(trend=trend, max_items=max_items, chart=mermaid_chart(trend.chart),
                           new=fold_lines(trend.new), resolved=fold_lines(trend.resolved),
                           chart_legend=_legend(trend.chart))
    return text.rstrip("\n") + "\n"


def _gate_text(passed: bool | None) -> str:
    return "not run" if passed is None else ("passed" if passed else "failed")


def _coverage_text(coverage: float | None) -> str:
    return "not measured" if coverage is None else f"{coverage:.1f}%"


def render_index(entries: list[HistoryEntry]) -> str:
    """``reports/index.md``: every checkpoint, newest first."""
    template = _environment().get_template("index.md.j2")
    ordered = sorted(entries, key=lambda e: e.date, reverse=True)
    text = template.render(entries=ordered, gate_text=_gate_text, coverage_text=_coverage_text)
    return text.rstrip("\n") + "\n"
