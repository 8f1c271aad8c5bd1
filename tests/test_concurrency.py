"""Concurrent writers: the versioned JSON writer never clashes, and checkpoints taken in the same minute are
all kept (report files and history entries). Separate processes start together behind a barrier, like
separate ``reviewer`` runs."""

from __future__ import annotations

import json
import multiprocessing
import queue
import time
from pathlib import Path
from typing import Any

from helpers.gate_results import make_result

from reviewer.checkpoint.create import create_checkpoint
from reviewer.checkpoint.history import load_history
from reviewer.jsonfile import write_atomic

WRITERS = 120
PROCESSES = 8


def _writer(path: Path, first: int, barrier: Any, errors: Any) -> None:
    barrier.wait()
    for n in range(first, WRITERS, PROCESSES):
        try:
            write_atomic(json.dumps({"writer": n, "pad": "x" * 200_000}), path)
        except OSError as exc:
            errors.put(f"{n}: {exc}")


def _checkpointer(reports: Path, barrier: Any, errors: Any) -> None:
    barrier.wait()
    try:
        create_checkpoint(make_result(), reports)
    except Exception as exc:  # noqa: BLE001 - reported to the test
        errors.put(f"{type(exc).__name__}: {exc}")


def _together(target: Any, args: list[tuple[Any, ...]]) -> list[str]:
    ctx = multiprocessing.get_context("fork")
    barrier, errors = ctx.Barrier(len(args)), ctx.Queue()
    procs = [ctx.Process(target=target, args=(*a, barrier, errors)) for a in args]
    for p in procs:
        p.start()
    out: list[str] = []
    deadline = time.monotonic() + 120
    while any(p.is_alive() for p in procs) and time.monotonic() < deadline:
        try:  # drain while they run: a child with unread queue data cannot exit
            out.append(errors.get(timeout=0.2))
        except queue.Empty:
            pass
    for p in procs:
        p.join(timeout=5)
    while not errors.empty():
        out.append(errors.get())
    return out


def test_concurrent_writers_of_one_file_never_clash(tmp_path: Path) -> None:
    path = tmp_path / "review.json"
    errors = _together(_writer, [(path, first) for first in range(PROCESSES)])
    assert errors == []  # a shared temp name made writers fail (FileNotFoundError) or rename a torn file
    assert json.loads(path.read_text(encoding="utf-8"))["writer"] in range(WRITERS)  # one whole file
    assert [p.name for p in tmp_path.iterdir()] == ["review.json"]  # no temp file left behind


def test_checkpoints_in_the_same_minute_are_all_kept(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    errors = _together(_checkpointer, [(reports,)] * 6)
    assert errors == []
    assert len([p for p in reports.glob("*.md") if p.name != "index.md"]) == 6
    assert len(list(reports.glob("*.json"))) == 6 + 1  # the six results and history.json
    assert len(load_history(reports / "history.json").entries) == 6
