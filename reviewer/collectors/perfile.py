"""The per-file stage of a collect: look results up in the cache, analyse what changed, in parallel processes.

Each changed file is parsed once (in whichever process analyses it) and handed to every per-file collector
that needs it. The work is pure Python (radon, bandit, ast), so threads would serialise on the GIL: with more
than one CPU and enough files, files are spread over a process pool started with ``fork`` (the parent's
imports are inherited, so a worker starts in milliseconds). ``fork`` is used only where it is safe: on a
platform that has it, and while the parent runs a single thread. Anywhere else, and for small batches, the
analysis runs in this process. A pool that breaks (a worker killed, for example by the OOM killer) is not
fatal: its files are analysed again here.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from pydantic import BaseModel

from reviewer.collectors.base import CollectContext, PerFileCollector
from reviewer.collectors.cache import CachedResult, ResultCache
from reviewer.discovery import RepoFile
from reviewer.evidence import FileFailure
from reviewer.source import SourceFile, SourceStore

__all__ = ["MIN_FILES_FOR_POOL", "FileWork", "PerFilePlan", "analyse", "plan_work", "worker_count"]

MIN_FILES_FOR_POOL = 8
"""Below this many changed files the pool's start-up costs more than it saves."""

_Collectors = dict[str, PerFileCollector[BaseModel]]


@dataclass
class FileWork:
    """One changed file and the collectors that have no cached result for it."""

    file: RepoFile
    collectors: list[str]


@dataclass
class PerFilePlan:
    stored: dict[str, dict[str, CachedResult]] = field(default_factory=dict)
    """collector -> rel -> cached result still valid for the file's current content."""
    work: list[FileWork] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)


@dataclass
class Analysed:
    results: dict[str, dict[str, BaseModel | FileFailure]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    """collector -> the exception that stopped it (its status becomes a failure)."""
    seconds: dict[str, float] = field(default_factory=dict)
    """collector -> analysis time, summed over processes (CPU-bound, so about CPU seconds)."""
    source_failures: list[FileFailure] = field(default_factory=list)
    processes: int = 1


def plan_work(collectors: list[PerFileCollector[BaseModel]], ctx: CollectContext,
              cache: ResultCache | None) -> PerFilePlan:
    """Hash every file (no parsing) and split cache hits from the files that must be analysed."""
    plan = PerFilePlan()
    for c in collectors:
        plan.stored[c.name] = cache.load(c.name, c.version, c.result_model) if cache is not None else {}
    files = {f.rel: f for f in ctx.discovery.python_files}
    for rel in ctx.sources.paths:
        sha = ctx.sources.digest(rel)
        if sha is None:
            continue  # unreadable or undecodable: a source failure, recorded once
        plan.digests[rel] = sha
        missing = []
        for c in collectors:
            hit = plan.stored[c.name].get(rel)
            if hit is None or hit.sha256 != sha:
                plan.stored[c.name].pop(rel, None)
                missing.append(c.name)
        if missing:
            plan.work.append(FileWork(file=files[rel], collectors=missing))
    for c in collectors:  # a deleted (or now unreadable) file's cached results are stale: never reported
        plan.stored[c.name] = {rel: hit for rel, hit in plan.stored[c.name].items() if rel in plan.digests}
    return plan


def _analyse_here(work: list[FileWork], store: SourceStore, collectors: _Collectors) -> Analysed:
    out = Analysed(results={name: {} for name in collectors})
    by_collector: dict[str, list[SourceFile]] = {name: [] for name in collectors}
    for item in work:
        source = store.get(item.file.rel)
        if isinstance(source, FileFailure):
            out.source_failures.append(source)
            continue
        for name in item.collectors:
            by_collector[name].append(source)
    for name, sources in by_collector.items():
        if not sources:
            continue
        start = time.perf_counter()
        try:
            out.results[name].update(collectors[name].analyze_batch(sources))
        except Exception as exc:  # noqa: BLE001 - recorded as this collector's failure; the others go on
            out.errors[name] = f"{type(exc).__name__}: {exc}"
        out.seconds[name] = time.perf_counter() - start
    return out


_WORKER_COLLECTORS: _Collectors = {}


def _init_worker(collectors: _Collectors) -> None:
    _WORKER_COLLECTORS.update(collectors)


def _analyse_chunk(work: list[FileWork], max_bytes: int) -> Analysed:
    """Runs in a worker process: parse each file once and run the collectors that need it."""
    return _analyse_here(work, SourceStore([w.file for w in work], max_bytes), _WORKER_COLLECTORS)


def worker_count(files: int) -> int:
    """Processes to use for ``files`` changed files: 1 where a pool cannot help or is not safe."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if files < MIN_FILES_FOR_POOL or cpus < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if threading.active_count() > 1:
        return 1  # forking a multi-threaded process can deadlock the child
    return min(cpus, 8, max(1, files // (MIN_FILES_FOR_POOL // 2)))


def _chunks(work: list[FileWork], parts: int) -> list[list[FileWork]]:
    """Largest files first, dealt round-robin, so the chunks take about the same time."""
    ordered = sorted(work, key=lambda w: w.file.size, reverse=True)
    return [chunk for chunk in (ordered[i::parts] for i in range(parts)) if chunk]


def _merge(into: Analysed, part: Analysed) -> None:
    for name, results in part.results.items():
        into.results.setdefault(name, {}).update(results)
    into.errors.update(part.errors)
    for name, seconds in part.seconds.items():
        into.seconds[name] = into.seconds.get(name, 0.0) + seconds
    into.source_failures.extend(part.source_failures)


def analyse(work: list[FileWork], ctx: CollectContext, collectors: _Collectors,
            processes: int | None = None) -> Analysed:
    """Analyse the changed files, in a process pool when that is faster and safe (``processes`` overrides)."""
    processes = worker_count(len(work)) if processes is None else processes
    if processes == 1:
        return _analyse_here(work, ctx.sources, collectors)
    out = Analysed(results={name: {} for name in collectors}, processes=processes)
    mp = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(processes, mp_context=mp, initializer=_init_worker, initargs=(collectors,)) as pool:
            futures = [pool.submit(_analyse_chunk, chunk, ctx.config.max_file_bytes)
                       for chunk in _chunks(work, processes * 4)]
            for future in futures:
                _merge(out, future.result())
    except (BrokenProcessPool, OSError):  # no fork possible, or a worker died: do it here
        return _analyse_here(work, ctx.sources, collectors)
    return out
