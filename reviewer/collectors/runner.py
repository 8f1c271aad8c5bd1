"""Run the collectors over one repository and assemble the :class:`~reviewer.evidence.Evidence`.

Files are discovered once and each changed file is read and parsed once. The per-file stage
(:mod:`reviewer.collectors.perfile`) comes first: cache look-ups by content hash, then the analysis of what
changed, spread over processes when that helps. Then the collectors' summaries and the whole-repository
collectors (the test run and git are subprocesses) run concurrently in threads. A warm run reads and hashes
the files but parses none of them.

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
from reviewer.collectors.cache import CachedResult, ResultCache, cache_dir
from reviewer.collectors.memo import evidence_key, load_memo, save_memo
from reviewer.collectors.perfile import Analysed, PerFilePlan, analyse, plan_work
from reviewer.collectors.derived import run_derived
from reviewer.collectors.registry import BUILTIN_COLLECTORS, builtin_collectors, derived_collectors
from reviewer.config import Config
from reviewer.console import Terminal
from reviewer.discovery import discover
from reviewer.errors import TargetPathError
from reviewer.evidence import CollectorStatus, Evidence, FileFailure
from reviewer.source import SourceStore

__all__ = ["collect_evidence", "run_collector"]


@dataclass
class _Outcome:
    status: CollectorStatus
    output: CollectorOutput | None = None
    notes: list[str] = field(default_factory=list)


def _finish_per_file(collector: PerFileCollector[BaseModel], ctx: CollectContext, plan: PerFilePlan,
                     analysed: Analysed, cache: ResultCache | None) -> _Outcome:
    """Summarise cached and fresh results of one per-file collector and store the fresh ones."""
    if collector.name in analysed.errors:
        raise RuntimeError(analysed.errors[collector.name])
    entries = dict(plan.stored[collector.name])
    fresh = analysed.results.get(collector.name, {})
    for rel, res in fresh.items():
        entries[rel] = CachedResult(sha256=plan.digests[rel], result=res)
    results = {rel: e.result for rel, e in entries.items() if not isinstance(e.result, FileFailure)}
    output = collector.summarize(ctx, results)
    output.failures = [e.result for e in entries.values() if isinstance(e.result, FileFailure)] + output.failures
    output.files, output.cached_files = len(entries), len(entries) - len(fresh)
    notes: list[str] = []
    if cache is not None and (fresh or collector.name not in plan.unchanged):
        try:
            cache.save(collector.name, collector.version, entries)
        except OSError as exc:
            notes.append(f"{collector.name}: cache not written ({exc.strerror or exc}); the next run starts cold")
    return _Outcome(status=CollectorStatus(name=collector.name, ok=True), output=output, notes=notes)


def run_collector(collector: Collector, ctx: CollectContext, cache: ResultCache | None = None,
                  per_file: tuple[PerFilePlan, Analysed] | None = None) -> _Outcome:
    """Run (or finish) one collector, timing it; an exception becomes a failed status, not the end of the run."""
    start = time.perf_counter()
    try:
        if per_file is not None and isinstance(collector, PerFileCollector):
            outcome = _finish_per_file(collector, ctx, per_file[0], per_file[1], cache)
        else:
            outcome = _Outcome(status=CollectorStatus(name=collector.name, ok=True), output=collector.collect(ctx))
    except Exception as exc:  # noqa: BLE001 - one collector's crash is recorded as data; the run goes on
        outcome = _Outcome(status=CollectorStatus(name=collector.name, ok=False, error=f"{type(exc).__name__}: {exc}"))
    analysis = per_file[1].seconds.get(collector.name, 0.0) if per_file is not None else 0.0
    outcome.status.duration_s = round(time.perf_counter() - start + analysis, 4)
    if outcome.output is not None:
        outcome.status.files = outcome.output.files
        outcome.status.cached_files = outcome.output.cached_files
    return outcome


def _file_failures(ctx: CollectContext, analysed: Analysed, outcomes: list[_Outcome]) -> list[FileFailure]:
    """Discovery, read/parse (here or in a worker) and collector failures, each file's source failure once."""
    source = {f.path: f for f in [*ctx.sources.known_failures(), *analysed.source_failures]}
    collected = [f for o in outcomes if o.output is not None for f in o.output.failures]
    return [*ctx.discovery.failures, *(source[p] for p in sorted(source)), *collected]


def _assemble(ctx: CollectContext, outcomes: list[_Outcome], analysed: Analysed, start: float) -> Evidence:
    evidence = Evidence(tool_version=__version__, repo_name=ctx.root.name, python_files=ctx.sources.paths,
                        files_discovered=len(ctx.discovery.files))
    evidence.failures = _file_failures(ctx, analysed, outcomes)
    for outcome in outcomes:
        evidence.collectors.append(outcome.status)
        evidence.notes.extend(outcome.notes)
        if outcome.output is not None:
            if outcome.output.section is not None:
                setattr(evidence, outcome.status.name, outcome.output.section)
            evidence.findings.extend(outcome.output.findings)
            evidence.skipped.extend(outcome.output.skipped)
    if analysed.processes > 1:
        evidence.notes.append(f"changed files analysed in {analysed.processes} processes")
    evidence.duration_s = round(time.perf_counter() - start, 4)
    return evidence


def _context(root: Path, config: Config, run_tests: bool) -> CollectContext:
    if not root.is_dir():
        raise TargetPathError(root, "not a directory" if root.exists() else "no such file or directory")
    root = root.resolve()
    discovery = discover(root, config.exclude)
    return CollectContext(root=root, config=config, discovery=discovery,
                          sources=SourceStore(discovery.files, config.max_file_bytes), run_tests=run_tests)


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
    ctx = _context(root, config, run_tests)
    terminal = terminal or Terminal(quiet=True)
    memo_key = None
    if config.cache and not run_tests:  # a test run is never reused
        memo_key = evidence_key(ctx, collectors if collectors is not None else list(BUILTIN_COLLECTORS))
        memo = load_memo(cache_dir(ctx.root), memo_key)
        if memo is not None:
            terminal.info("nothing changed since the previous collect: its evidence is reused")
            memo.duration_s = round(time.perf_counter() - start, 4)
            return memo
    chosen = builtin_collectors(collectors)
    cache = ResultCache(cache_dir(ctx.root)) if config.cache else None
    per_file = {c.name: c for c in chosen if isinstance(c, PerFileCollector)}
    plan = plan_work(list(per_file.values()), ctx, cache)
    terminal.info(f"analysing {len(plan.work)} changed of {len(plan.digests)} readable Python files")
    analysed = analyse(plan.work, ctx, per_file)  # before any thread starts: a pool may fork
    done: dict[str, _Outcome] = {}
    with terminal.progress("collecting", total=len(chosen)) as task, ThreadPoolExecutor(len(chosen) or 1) as pool:
        futures = {pool.submit(run_collector, c, ctx, cache, (plan, analysed)): c.name for c in chosen}
        for future in as_completed(futures):
            done[futures[future]] = future.result()
            task.advance(futures[future])
    outcomes = [done[c.name] for c in chosen]
    evidence = run_derived(derived_collectors(collectors), ctx, _assemble(ctx, outcomes, analysed, start))
    clean = all(o.status.ok and not o.notes for o in outcomes)  # no crash, no cache left unwritten
    if memo_key is not None and clean:
        save_memo(cache_dir(ctx.root), memo_key, evidence)
    return evidence
