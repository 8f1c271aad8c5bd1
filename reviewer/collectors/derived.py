"""Collectors that read other collectors' evidence: they run after the others, on the assembled evidence.

The failure-path count needs the tests collector's coverage; the claims audit needs the test counts and coverage
to check a document's figures against. Each one's output is merged into the evidence like any collector's, and a
crash is recorded as ``CollectorStatus(ok=False)``.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from typing import ClassVar

from reviewer.collectors.base import CollectContext, CollectorOutput
from reviewer.evidence import CollectorStatus, Evidence

__all__ = ["DerivedCollector", "run_derived"]


class DerivedCollector(ABC):
    name: ClassVar[str]

    @abstractmethod
    def derive(self, ctx: CollectContext, evidence: Evidence) -> CollectorOutput:
        """Measure from the repository and the evidence collected so far; record per-file problems, do not raise."""


def _merge(evidence: Evidence, name: str, output: CollectorOutput) -> None:
    if output.section is not None:
        setattr(evidence, name, output.section)
    evidence.findings.extend(output.findings)
    evidence.failures.extend(output.failures)
    evidence.skipped.extend(output.skipped)


def run_derived(collectors: list[DerivedCollector], ctx: CollectContext, evidence: Evidence) -> Evidence:
    """Run each derived collector in order on ``evidence`` (in place) and return it."""
    for collector in collectors:
        start = time.perf_counter()
        status = CollectorStatus(name=collector.name, ok=True)
        try:
            output = collector.derive(ctx, evidence)
            _merge(evidence, collector.name, output)
            status.files = output.files
        except Exception as exc:  # noqa: BLE001 - one collector's crash is data; the run goes on
            status = CollectorStatus(name=collector.name, ok=False, error=f"{type(exc).__name__}: {exc}")
        status.duration_s = round(time.perf_counter() - start, 4)
        evidence.collectors.append(status)
    return evidence
