"""Run the collectors over one repository and assemble the :class:`~reviewer.evidence.Evidence`.

Files are discovered once and read and parsed once (the shared :class:`~reviewer.source.SourceStore`).
Collectors run concurrently in threads: the test run and git are subprocesses, so they overlap with the
per-file analysis. Per-file results come from the content-hash cache when the file is unchanged, so a
warm run reads and hashes the files but parses none of them.

A collector that raises is recorded as ``CollectorStatus(ok=False)`` with the error, and the others go on:
evidence is data about what could be measured, including what could not.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from reviewer import __version__
from reviewer.collectors.base import CollectContext, Collector, CollectorOutput, PerFileCollector
from reviewer.collectors.cache import CACHE_DIR_NAME, CachedResult, ResultCache
from reviewer.collectors.registry import builtin_collectors
from reviewer.config import Config
from reviewer.console import Terminal
from reviewer.discovery import discover
from reviewer.errors import TargetPathError
from reviewer.evidence import CollectorStatus, Evidence, FileFailure
from reviewer.source import SourceFile, SourceStore

__all__ = ["collect_evidence", "run_collector"]


@dataclass
class _Outcome:
    status: CollectorStatus
    output: CollectorOutput | None = None
    notes: list[str] = field(default_factory=list)


def _cached_run(collector: PerFileCollector[BaseModel], ctx: CollectContext, cache: ResultCache) -> _Outcome:
    """Analyse only the files whose content changed since the cached results, then summarise them all."""
    stored = cache.load(collector.name, collector.version, collector.result_model)
    results: dict[str, BaseModel] = {}
    failures: list[FileFailure] = []
    entries: dict[str, CachedResult] = {}
    misses: list[SourceFile] = []
    for rel in ctx.sources.paths:
        sha = ctx.sources.digest(rel)
        if sha is None:
            continue  # unreadable or undecodable: recorded once as a source failure
        hit = stored.get(rel)
        if hit is not None and hit.sha256 == sha:
            entries[rel] = hit
        else:
            source = ctx.sources.get(rel)
            if isinstance(source, SourceFile):
                misses.append(source)
    for rel, res in collector.analyze_batch(misses).items():
        entries[rel] = CachedResult(sha256=ctx.sources.digest(rel) or "", result=res)
    for rel, entry in entries.items():
        if isinstance(entry.result, FileFailure):
            failures.append(entry.result)
        else:
            results[rel] = entry.result
    output = collector.summarize(ctx, results)
    output.failures = failures + output.failures
    output.files = len(entries)
    output.cached_files = len(entries) - len(misses)
    notes: list[str] = []
    try:
        cache.save(collector.name, collector.version, entries)
    except OSError as exc:
        notes.append(f"{collector.name}: cache not written ({exc.strerror or exc}); the next run starts cold")
    return _Outcome(status=CollectorStatus(name=collector.name, ok=True), output=output, notes=notes)


def run_collector(collector: Collector, ctx: CollectContext, cache: ResultCache | None) -> _Outcome:
    """Run one collector, timing it; an exception becomes a failed status instead of ending the run."""
    start = time.perf_counter()
    try:
        if cache is not None and isinstance(collector, PerFileCollector):
            outcome = _cached_run(collector, ctx, cache)
        else:
            outcome = _Outcome(status=CollectorStatus(name=collector.name, ok=True), output=collector.collect(ctx))
    except Exception as exc:  # noqa: BLE001 - one collector's crash is recorded as data; the run goes on
        outcome = _Outcome(status=CollectorStatus(name=collector.name, ok=False, error=f"{type(exc).__name__}: {exc}"))
    outcome.status.duration_s = round(time.perf_counter() - start, 4)
    if outcome.output is not None:
        outcome.status.files = outcome.output.files
        outcome.status.cached_files = outcome.output.cached_files
    return outcome


def _assemble(root: Path, ctx: CollectContext, outcomes: list[_Outcome], start: float) -> Evidence:
    evidence = Evidence(
        tool_version=__version__, repo_name=root.name, files_discovered=len(ctx.discovery.files),
        python_files=ctx.sources.paths,
    )
    evidence.failures.extend(ctx.discovery.failures)
    evidence.failures.extend(ctx.sources.known_failures())  # a warm run parses only what changed
    for outcome in outcomes:
        evidence.collectors.append(outcome.status)
        evidence.notes.extend(outcome.notes)
        out = outcome.output
        if out is None:
            continue
        if out.section is not None:
            setattr(evidence, outcome.status.name, out.section)
        evidence.findings.extend(out.findings)
        evidence.failures.extend(out.failures)
        evidence.skipped.extend(out.skipped)
    evidence.duration_s = round(time.perf_counter() - start, 4)
    return evidence


def collect_evidence(
    root: Path,
    config: Config,
    *,
    run_tests: bool = False,
    terminal: Terminal | None = None,
    collectors: list[str] | None = None,
) -> Evidence:
    """Measure ``root`` with the chosen (default: all) built-in collectors; never raises for one bad file."""
    start = time.perf_counter()
    if not root.is_dir():
        raise TargetPathError(root, "not a directory" if root.exists() else "no such file or directory")
    root = root.resolve()
    discovery = discover(root, config.exclude)
    ctx = CollectContext(root=root, config=config, discovery=discovery,
                         sources=SourceStore(discovery.files, config.max_file_bytes), run_tests=run_tests)
    chosen = builtin_collectors(collectors)
    cache = ResultCache(root / CACHE_DIR_NAME) if config.cache else None
    done: dict[str, _Outcome] = {}
    quiet = terminal or Terminal(quiet=True)
    with quiet.progress("collecting", total=len(chosen)) as task, ThreadPoolExecutor(len(chosen) or 1) as pool:
        futures = {pool.submit(run_collector, c, ctx, cache): c.name for c in chosen}
        for future in as_completed(futures):
            done[futures[future]] = future.result()
            task.advance(futures[future])
    return _assemble(root, ctx, [done[c.name] for c in chosen], start)
