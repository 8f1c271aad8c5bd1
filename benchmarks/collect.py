"""Benchmark `reviewer collect` against running radon and bandit by hand on the same tree (run by hand).

    python benchmarks/collect.py REPO [--repeat N] [--timeout S]

Prints wall time and peak memory (max RSS) of:
  * `reviewer collect REPO` cold (cache folder removed first) and warm (a later run, nothing changed: the
    evidence of the previous run is reused, see reviewer.collectors.memo),
  * `radon cc -j`, `radon mi -j`, `radon raw -j` and `bandit -r -f json` on the same tree, one process each,
and the ratios the issue sets targets for: cold / by-hand sum (target <= 0.5 on a click-sized repository) and
warm / cold (target <= 0.05). Each command runs in its own process, so start-up costs are counted alike.
The repository is copied to a temporary folder first, so its own cache is never touched.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from reviewer.collectors.cache import CACHE_ENV, cache_dir


@dataclass
class Measure:
    label: str
    seconds: float
    max_rss_mb: float
    exit_code: int
    timed_out: bool = False
    in_process: float | None = None
    """collect_evidence's own duration (evidence.json duration_s): the run without interpreter start-up."""


def _measure(label: str, argv: list[str], timeout: float) -> Measure:
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            seconds = time.perf_counter() - start
            return Measure(label, seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status))
        if time.perf_counter() > deadline:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            return Measure(label, timeout, usage.ru_maxrss / 1024, -9, timed_out=True)
        time.sleep(0.01)


def _best(label: str, argv: list[str], repeat: int, timeout: float, before: list[str] | None = None,
          tree: Path | None = None, evidence: Path | None = None) -> Measure:
    runs = []
    for _ in range(repeat):
        if before and tree is not None:
            shutil.rmtree(cache_dir(tree), ignore_errors=True)
        runs.append(_measure(label, argv, timeout))
        if evidence is not None and runs[-1].exit_code == 0:
            runs[-1].in_process = float(json.loads(evidence.read_text(encoding="utf-8"))["duration_s"])
        if runs[-1].timed_out:
            break
    best = min(runs, key=lambda m: m.seconds)
    if len(runs) > 1:
        best.label = f"{label} (best of {len(runs)}, median {statistics.median(m.seconds for m in runs):.2f}s)"
    return best


def _tool(module: str) -> list[str]:
    return [sys.executable, "-m", module]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repo", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600.0, help="Per command, seconds.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reviewer-bench-") as tmp:
        os.environ[CACHE_ENV] = str(Path(tmp) / "cache")  # the runs' cache folders go with the temporary tree
        tree = Path(tmp) / args.repo.resolve().name
        shutil.copytree(args.repo, tree, symlinks=True, ignore=shutil.ignore_patterns(".reviewer-cache"))
        out = Path(tmp) / "out"
        collect = [sys.executable, "-m", "reviewer", "-q", "collect", str(tree), "--out", str(out)]
        evidence = out / "evidence.json"
        cold = _best("reviewer collect (cold)", collect, args.repeat, args.timeout, before=["clear"], tree=tree,
                     evidence=evidence)
        _measure("prime", collect, args.timeout)
        warm = _best("reviewer collect (warm)", collect, args.repeat, args.timeout, evidence=evidence)
        by_hand = [
            _best(f"radon {cmd} -j", [*_tool("radon"), cmd, "-j", str(tree)], 1, args.timeout)
            for cmd in ("cc", "mi", "raw")
        ]
        by_hand.append(_best("bandit -r -f json", [*_tool("bandit"), "-r", "-q", "-f", "json", str(tree)], 1,
                             args.timeout))
    print(f"repository: {args.repo} ({sum(1 for _ in args.repo.rglob('*.py'))} .py files)")
    print("load average (1, 5, 15 min) at the end: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
          + f" on {os.cpu_count()} CPUs: other work on the machine inflates every figure, the ratios less")
    print(f"{'command':58} {'seconds':>9} {'max RSS MB':>11} {'exit':>5}")
    for m in [cold, warm, *by_hand]:
        flag = " TIMED OUT (figure is the limit)" if m.timed_out else ""
        print(f"{m.label:58} {m.seconds:9.2f} {m.max_rss_mb:11.1f} {m.exit_code:5}{flag}")
    total = sum(m.seconds for m in by_hand)
    print(f"{'by-hand sum':58} {total:9.2f}")
    print(f"cold / by-hand sum: {cold.seconds / total:.3f}   (target <= 0.5)")
    print(f"warm / cold:        {warm.seconds / cold.seconds:.3f}   (target <= 0.05)")
    if cold.in_process and warm.in_process is not None:
        print(f"in-process collect (no interpreter start-up): cold {cold.in_process:.2f}s, warm {warm.in_process:.2f}s,"
              f" warm / cold {warm.in_process / cold.in_process:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
