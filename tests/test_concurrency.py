"""Concurrent writers: the versioned JSON writer never clashes, and checkpoints taken in the same minute are
all kept (report files and history entries)."""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

from helpers.gate_results import make_result

from reviewer.checkpoint.create import create_checkpoint
from reviewer.checkpoint.history import load_history
from reviewer.jsonfile import write_atomic

WRITERS = 120


def _write(args: tuple[Path, int]) -> int:
    path, n = args
    write_atomic(json.dumps({"writer": n, "pad": "x" * 20000}), path)
    return n


def test_concurrent_writers_of_one_file_never_clash(tmp_path: Path) -> None:
    path = tmp_path / "review.json"
    with ThreadPoolExecutor(max_workers=8) as pool:
        done = list(pool.map(_write, [(path, n) for n in range(WRITERS)]))
    assert len(done) == WRITERS  # no writer failed (a shared temp name raised FileNotFoundError)
    assert json.loads(path.read_text(encoding="utf-8"))["writer"] in range(WRITERS)  # one whole file
    assert [p.name for p in tmp_path.iterdir()] == ["review.json"]  # no temp file left behind


def _checkpoint(reports: Path) -> str:
    return create_checkpoint(make_result(), reports).markdown.name


def test_checkpoints_in_the_same_minute_are_all_kept(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    with ProcessPoolExecutor(max_workers=4) as pool:  # separate processes, like separate `reviewer checkpoint`
        names = list(pool.map(_checkpoint, [reports] * 6))
    assert len(set(names)) == 6
    assert sorted(p.name for p in reports.glob("*.md") if p.name != "index.md") == sorted(names)
    assert len(load_history(reports / "history.json").entries) == 6
