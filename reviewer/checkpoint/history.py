"""``reports/history.json``: one compact entry per checkpoint, the memory behind trends and the index."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from reviewer.findings import SEVERITY_ORDER
from reviewer.gate.baseline import finding_key
from reviewer.jsonfile import read_versioned, write_atomic
from reviewer.review.result import ReviewResult

__all__ = ["HISTORY_FILE", "HISTORY_SCHEMA_VERSION", "History", "HistoryEntry", "TestCounts", "entry_from_result",
           "load_history", "save_history"]

HISTORY_FILE = "history.json"
HISTORY_SCHEMA_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TestCounts(_Model):
    __test__ = False

    total: int | None = None
    passed: int | None = None
    failed: int | None = None
    errors: int | None = None
    skipped: int | None = None


class HistoryEntry(_Model):
    date: datetime = Field(description="When the review was taken (the result's created_at)")
    commit: str | None = None
    style: str
    report_md: str = Field(description="File name of the Markdown report, relative to the reports directory")
    report_json: str
    overall: int
    verdict: str
    gate_passed: bool | None = None
    personas: dict[str, int] = Field(default_factory=dict, description="Persona id -> score")
    coverage: float | None = None
    tests: TestCounts = Field(default_factory=TestCounts)
    average_complexity: float | None = None
    worst_complexity_rank: str | None = None
    severity_counts: dict[str, int] = Field(default_factory=dict, description="Not suppressed, per severity")
    fingerprints: list[str] = Field(default_factory=list, description="Fingerprints of the unsuppressed findings")


class History(_Model):
    schema_version: int = HISTORY_SCHEMA_VERSION
    entries: list[HistoryEntry] = Field(default_factory=list)


def entry_from_result(result: ReviewResult, *, style: str, report_md: str, report_json: str) -> HistoryEntry:
    """The history entry of one checkpoint."""
    active = [f for f in result.findings if not f.suppressed]
    metrics = result.metrics
    return HistoryEntry(
        date=result.created_at,
        commit=result.commit,
        style=style,
        report_md=report_md,
        report_json=report_json,
        overall=result.overall_score,
        verdict=result.verdict,
        gate_passed=result.gate.passed if result.gate is not None else None,
        personas={a.id: a.score for a in result.agents},
        coverage=metrics.coverage_percent,
        tests=TestCounts(total=metrics.tests_total, passed=metrics.tests_passed, failed=metrics.tests_failed,
                         errors=metrics.tests_errors, skipped=metrics.tests_skipped),
        average_complexity=metrics.average_complexity,
        worst_complexity_rank=metrics.worst_complexity_rank,
        severity_counts={s.value: sum(1 for f in active if f.severity == s) for s in SEVERITY_ORDER},
        fingerprints=[finding_key(f) for f in active],
    )


def load_history(path: Path) -> History:
    """The history file, or an empty history when there is none yet."""
    if not path.exists():
        return History()
    return read_versioned(path, History, HISTORY_SCHEMA_VERSION, "checkpoint history")


def save_history(history: History, path: Path) -> Path:
    """Write the history atomically (write a temporary file, then rename)."""
    return write_atomic(history.model_dump_json(indent=1, exclude_none=False) + "\n", path)
