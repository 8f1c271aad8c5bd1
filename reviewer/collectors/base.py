"""The collector interface.

A collector measures one aspect of a repository and returns a :class:`CollectorOutput`: its evidence section,
its findings, and per-file failures. Collectors never raise for one bad file; an exception escaping
``collect`` is caught by the runner and recorded as ``CollectorStatus(ok=False)``.

Per-file work that depends only on a file's content should go through :class:`PerFileCollector`, whose
``analyze`` results the runner caches by content hash (``version`` is part of the cache key: bump it when the
result of ``analyze`` changes).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Generic, TypeVar

from pydantic import BaseModel

from reviewer.config import Config
from reviewer.discovery import Discovery
from reviewer.evidence import FileFailure, SkippedFile
from reviewer.findings import Finding
from reviewer.source import SourceFile, SourceStore

__all__ = ["CollectContext", "Collector", "CollectorOutput", "PerFileCollector"]


@dataclass
class CollectContext:
    root: Path
    config: Config
    discovery: Discovery
    sources: SourceStore
    run_tests: bool = False


@dataclass
class CollectorOutput:
    section: BaseModel | None = None
    findings: list[Finding] = field(default_factory=list)
    failures: list[FileFailure] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    files: int = 0
    cached_files: int = 0


class Collector(ABC):
    name: ClassVar[str]
    """Evidence section name (``complexity``, ``security``, ...)."""

    @abstractmethod
    def collect(self, ctx: CollectContext) -> CollectorOutput:
        """Measure the repository. Record per-file problems in the output; do not raise for them."""


R = TypeVar("R", bound=BaseModel)


class PerFileCollector(Collector, Generic[R]):
    """A collector whose per-file results are pure functions of the file content (cacheable)."""

    version: ClassVar[str] = "1"
    result_model: ClassVar[type[BaseModel]]

    @abstractmethod
    def analyze(self, source: SourceFile) -> R | FileFailure:
        """Analyse one parsed file. Return a FileFailure for a file this collector cannot handle."""

    def analyze_batch(self, sources: list[SourceFile]) -> dict[str, BaseModel | FileFailure]:
        """Analyse several files; override when the underlying tool is faster in batches."""
        return {s.rel: self.analyze(s) for s in sources}

    @abstractmethod
    def summarize(self, ctx: CollectContext, results: dict[str, R]) -> CollectorOutput:
        """Build the section and findings from every file's result (cached or fresh)."""

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        """Uncached path (the runner uses its cache instead when enabled)."""
        results: dict[str, R] = {}
        failures: list[FileFailure] = []
        for rel, res in self.analyze_batch(ctx.sources.sources()).items():
            if isinstance(res, FileFailure):
                failures.append(res)
            else:
                results[rel] = res  # type: ignore[assignment]
        out = self.summarize(ctx, results)
        out.failures = failures + out.failures
        out.files = len(results) + len(failures)
        return out
