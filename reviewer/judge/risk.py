"""Rank units by measured risk, and record why.

Signals (each adds to the score and names itself in ``reasons``): cyclomatic complexity, lines never covered,
exception handlers (broad, ``pass``, ``return`` inside ``except``), I/O and subprocess calls, threads, shared
state written outside ``__init__``, divisions, loops with sleeps or retries, deterministic findings in the
unit, the unit's sites (:mod:`reviewer.judge.sites`; those a measured finding already covers are dropped), and (PR
mode) lines changed since the base ref. Changed units come first; tests, examples, docs, benchmarks and trivial
units (at most 3 lines, no branches, no other signal) last; within a tier, units with sites first, by risk per line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field

from reviewer.evidence import Evidence
from reviewer.findings import Finding
from reviewer.judge.features import call_name, is_broad_handler, is_division, module_names, shared_state_writes
from reviewer.judge.kinds import info
from reviewer.judge.site import Site
from reviewer.judge.sites import find_sites
from reviewer.judge.units import Unit
from reviewer.review.grounding import MERGE_WINDOW

__all__ = ["Ranked", "rank_units"]

_IO = ("open", "urlopen", "subprocess.", "os.system", "os.popen", "requests.", "httpx.", "socket.", ".connect",
       "shutil.", ".write", ".read", ".send", ".recv", ".execute", "Popen", ".unlink", ".remove")
_THREADS = ("Thread", "threading.", "ThreadPoolExecutor", "ProcessPoolExecutor", "asyncio.", "Lock", "Queue",
            ".submit")
_BRANCHES = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.ExceptHandler, ast.IfExp, ast.BoolOp, ast.comprehension,
             ast.match_case)


@dataclass
class Ranked:
    unit: Unit
    score: float
    reasons: list[str] = field(default_factory=list)
    tier: int = 1
    """0: touches changed lines; 1: ordinary; 2: tests and trivial units."""
    sites: list[Site] = field(default_factory=list)
    """Where a defect kind is possible: what the model is asked about (a unit without sites is not asked)."""

    def add(self, points: float, reason: str) -> None:
        self.score += points
        self.reasons.append(reason)


def _complexity(node: ast.AST) -> int:
    return 1 + sum(1 for n in ast.walk(node) if isinstance(n, _BRANCHES))


def _handlers(r: Ranked) -> None:
    for h in (n for n in ast.walk(r.unit.node) if isinstance(n, ast.ExceptHandler)):
        quiet = all(isinstance(s, (ast.Pass, ast.Continue)) for s in h.body)
        returns = any(isinstance(s, ast.Return) for s in ast.walk(h))
        if is_broad_handler(h):
            r.add(3, f"broad except at line {h.lineno}")
        if quiet:
            r.add(3, f"except that only passes at line {h.lineno}")
        elif returns:
            r.add(2, f"return inside except at line {h.lineno}")


def _calls(r: Ranked) -> None:
    names = [call_name(c) for c in ast.walk(r.unit.node) if isinstance(c, ast.Call)]
    io = sorted({n for n in names if any(n == p or p in n for p in _IO if p)})
    if io:
        r.add(min(4, 1 + len(io)), f"I/O or subprocess calls ({', '.join(io[:3])})")
    threads = sorted({n for n in names if any(p in n for p in _THREADS)})
    if threads:
        r.add(3, f"threads or locks ({', '.join(threads[:3])})")
    loops = [n for n in ast.walk(r.unit.node) if isinstance(n, (ast.For, ast.While))]
    if any("sleep" in call_name(c) for loop in loops for c in ast.walk(loop) if isinstance(c, ast.Call)) or any(
            isinstance(n, ast.Name) and ("retr" in n.id or "attempt" in n.id) for loop in loops for n in ast.walk(loop)):
        r.add(3, "loop with sleep or retries")


def _state_and_division(r: Ranked, names: set[str]) -> None:
    in_init = r.unit.qualname.endswith(".__init__")
    writes = shared_state_writes(r.unit.node, names, in_init) if r.unit.kind != "module" else []
    if writes:
        r.add(2, f"writes shared state (line {writes[0]})")
    divisions = [n.lineno for n in ast.walk(r.unit.node) if is_division(n)]
    if divisions:
        r.add(2, f"division at line {divisions[0]}")


def _measured(r: Ranked, missing: set[int], findings: list[Finding], changed: set[int] | None) -> None:
    span = set(r.unit.lines)
    uncovered = len(span & missing)
    if uncovered:
        r.add(min(3.0, uncovered / 3), f"{uncovered} line(s) never covered")
    near = [f for f in findings if f.line is not None and r.unit.start - 2 <= f.line <= r.unit.end]
    if near:
        r.add(min(4, 2 * len(near)), f"deterministic findings nearby ({', '.join(sorted({f.rule for f in near})[:3])})")
    if changed and span & changed:
        r.tier = 0
        r.add(5, f"{len(span & changed)} line(s) changed since the base ref")


def _already_measured(site: Site, findings: list[Finding]) -> bool:
    """A measured finding of the same category within the merge window: a model "yes" would only be merged into
    it (bandit's try/except/pass, for one), so the question is not worth the model's time."""
    category = info(site.kind).category
    return any(f.line is not None and abs(f.line - site.line) <= MERGE_WINDOW and f.category == category
               for f in findings)


_ASIDE = {"examples": "example code", "example": "example code", "docs": "documentation code",
          "doc": "documentation code", "benchmarks": "benchmark code", "tools": "maintainer tooling",
          "scripts": "maintainer scripts"}


def _aside(file: str) -> str | None:
    """Why a file is not product code (examples, docs, benchmarks), or None."""
    return next((_ASIDE[p] for p in file.split("/")[:-1] if p in _ASIDE), None)


def _script_only(unit: Unit, lines: list[int]) -> bool:
    """Every one of ``lines`` is in an ``if __name__ == "__main__":`` block of the module: a demo or a script
    entry, run by hand, not by the code's users."""
    blocks = [(n.lineno, n.end_lineno or n.lineno) for n in unit.source.tree.body if isinstance(n, ast.If)
              and ast.unparse(n.test).replace("'", '"') in ('__name__ == "__main__"', '"__main__" == __name__')]
    return bool(lines) and bool(blocks) and all(any(a <= x <= b for a, b in blocks) for x in lines)


def _rank_one(unit: Unit, missing: set[int], findings: list[Finding], changed: set[int] | None) -> Ranked:
    r = Ranked(unit=unit, score=0.0)
    cc = _complexity(unit.node)
    if cc > 1:
        r.add(min(cc, 15) / 2, f"complexity {cc}")
    _handlers(r)
    _calls(r)
    _state_and_division(r, module_names(unit.source.tree))
    _measured(r, missing, findings, changed)
    r.sites = [s for s in find_sites(unit) if not _already_measured(s, findings)]
    for site in r.sites:
        r.add(3 if info(site.kind).severity == "high" else 2, f"possible {site.kind} at line {site.line}")
    aside = _aside(unit.file) or ("code run only as a script (`if __name__ == \"__main__\"`)"
                                  if _script_only(unit, [x.line for x in r.sites] + (
                                      [unit.start] if unit.kind != "module" else [])) else None)
    if r.tier == 1 and (unit.is_test or aside or (unit.size <= 3 and cc == 1 and not r.reasons)):
        r.tier = 2
        r.reasons.append("test code" if unit.is_test else aside or "trivial (3 lines or fewer, no branches)")
    return r


def rank_units(units: Iterable[Unit], evidence: Evidence, findings: list[Finding],
               changed: dict[str, set[int]] | None = None) -> list[Ranked]:
    """Every unit with its score and reasons, riskiest first (changed units first, tests and trivial last)."""
    missing: dict[str, set[int]] = {}
    if evidence.tests is not None:
        missing = {c.path: set(c.missing_lines) for c in evidence.tests.coverage_files}
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        if f.file and not f.suppressed:
            by_file.setdefault(f.file, []).append(f)
    ranked = [_rank_one(u, missing.get(u.file, set()), by_file.get(u.file, []),
                        None if changed is None else changed.get(u.file, set())) for u in units]
    return sorted(ranked, key=lambda r: (r.tier, not r.sites, -_density(r), r.unit.file, r.unit.start))


def _density(r: Ranked) -> float:
    """Risk per cost: a long unit costs more prompt to read, so of two equally risky units the shorter goes first."""
    return r.score / (1.0 + len(r.unit.lines) / 40.0)
