"""Hand-built ReviewResult fixtures for the gate, checkpoint and GitHub tests."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from reviewer.findings import Finding, Severity
from reviewer.review.result import AgentResult, BackendInfo, Metrics, ReviewResult

__all__ = ["finding", "make_result"]


def finding(
    rule: str,
    severity: Severity | str,
    *,
    file: str = "app/main.py",
    line: int = 3,
    snippet: str = "eval(data)",
    source: str = "bandit",
    fid: str | None = None,
    title: str | None = None,
    **extra: Any,
) -> Finding:
    return Finding(
        rule=rule,
        severity=Severity(severity),
        title=title or f"{rule} at {file}",
        file=file,
        line=line,
        source=source,
        evidence=snippet,
        snippet=snippet,
        id=fid,
        **extra,
    ).with_fingerprint()


def make_result(
    *,
    findings: list[Finding] | None = None,
    overall: int = 72,
    base_scores: dict[str, int] | None = None,
    adjustment: int = 0,
    created: datetime | None = None,
    commit: str | None = "abc1234",
    **metrics: Any,
) -> ReviewResult:
    """A result with two personas (base scores given, final = base + adjustment) and the given metrics."""
    scores = base_scores if base_scores is not None else {"architect": 70, "qa_engineer": 80}
    agents = [
        AgentResult(
            id=pid,
            name=pid.replace("_", " ").title(),
            score=max(0, min(100, base + adjustment)),
            base_score=base,
            adjustment=adjustment,
        )
        for pid, base in scores.items()
    ]
    items = findings or []
    for index, item in enumerate(items, start=1):
        if item.id is None:
            item.id = f"F{index:03d}"
    counts: dict[str, int] = {}
    for item in items:
        counts[item.severity.value] = counts.get(item.severity.value, 0) + 1
    return ReviewResult(
        tool_version="0.1.0",
        created_at=created or datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc),
        repo_name="fixture",
        commit=commit,
        overall_score=overall,
        verdict="ready_with_fixes",
        backend=BackendInfo(name="none"),
        agents=agents,
        findings=items,
        metrics=Metrics(**metrics),
        severity_counts=counts,
    )
