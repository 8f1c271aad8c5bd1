"""Calibration: do well-kept libraries score above deliberately vulnerable applications? (run by hand)

    python benchmarks/calibration.py --targets DIR [--out DIR] [--reuse-evidence] [--assume-tests-pass]
    python benchmarks/calibration.py --library PATH ... --vulnerable PATH ...

Reviews each repository deterministically (``--backend none``: no model, so the figures are reproducible) with
the repository's own configuration and the default gate, then prints one row per repository (overall score,
persona scores, verdict, gate, blockers) and whether the two groups separate: every library above every
vulnerable application, no library persona at 0, every library through the default gate, every vulnerable
application failing it with a blocker named.

The default set (``--targets DIR``) is a list of names expected under DIR, each checked out at the release tag
given below (the script checks the tag and says when a checkout differs; it never fetches anything):
``git clone https://github.com/OWNER/NAME DIR/NAME && git -C DIR/NAME checkout TAG``.

Tests are not run (running nine foreign test suites is out of scope for a benchmark): the honest verdict is
then "not_confirmed". ``--assume-tests-pass`` adds a second verdict and gate computed as if each repository's
suite had run and passed (a synthetic all-pass test result, labelled as such), which is what the issue's "with
their own test suites passing" asks about. The targets' own folders are never written: the per-file cache is
off and the outputs go to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.backends.factory import backend_from_config
from reviewer.cli.common import load_target_config
from reviewer.collectors.runner import collect_evidence
from reviewer.evidence import Evidence, TestsSection, load_evidence, write_evidence
from reviewer.gate.evaluate import evaluate_gate
from reviewer.review.engine import review_evidence
from reviewer.review.result import ReviewResult, write_result
from reviewer.review.verdict import has_tests

LIBRARIES: list[tuple[str, str]] = [
    ("tqdm", "v4.69.1"), ("requests", "v2.34.2"), ("httpie", "3.2.4"), ("click", "8.5.0"), ("rich", "v14.3.3"),
    ("sphinx", "v8.2.3"),
]
"""Well-kept libraries (github: tqdm/tqdm, psf/requests, httpie/cli, pallets/click, Textualize/rich,
sphinx-doc/sphinx) at release tags."""
VULNERABLE: list[tuple[str, str | None]] = [
    ("pygoat", "v2.0.1"), ("DSVW", None), ("dvpwa", None), ("Vulnerable-Flask-App", None),
]
"""Deliberately vulnerable applications (adeyosemanputra/pygoat, stamparm/DSVW, anxolerd/dvpwa,
we45/Vulnerable-Flask-App); the last three have no release tags, so their default branch head is used."""

PERSONAS = ["product_engineer", "qa_engineer", "architect", "test_engineer", "security_engineer"]
SHORT = {"product_engineer": "prod", "qa_engineer": "qa", "architect": "arch", "test_engineer": "test",
         "security_engineer": "sec"}


@dataclass
class Row:
    name: str
    group: str
    revision: str
    result: ReviewResult
    assumed: ReviewResult | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def overall(self) -> int:
        return self.result.overall_score


def _revision(path: Path, tag: str | None) -> tuple[str, list[str]]:
    try:
        described = subprocess.run(["git", "-C", str(path), "describe", "--tags", "--always"], capture_output=True,
                                   text=True, timeout=30, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        described = ""
    notes = []
    if tag and described and described != tag:
        notes.append(f"checked out at {described}, expected {tag}")
    return described or "?", notes


def _passing(evidence: Evidence) -> Evidence:
    """The same evidence with a synthetic all-pass test result (counted as one test per test file); a
    repository with no test (no test function in test code) has no suite to pass: left as it is."""
    facts = evidence.repo_facts
    total = max(1, facts.test_files if facts is not None else 1)
    if not has_tests(evidence):
        return evidence
    tests = TestsSection(mode="ingest", total=total, passed=total, sources=["assumed: suite passing (calibration)"])
    return evidence.model_copy(update={"tests": tests})


def _review(path: Path, out: Path, reuse: bool, assume: bool) -> tuple[ReviewResult, ReviewResult | None]:
    config = load_target_config(path, None, {"cache": False, "backend.name": "none"})
    evidence_file = out / "evidence.json"
    if reuse and evidence_file.is_file():
        evidence = load_evidence(evidence_file)
    else:
        evidence = collect_evidence(path, config, run_tests=False)
        write_evidence(evidence, evidence_file)
    backend = backend_from_config(config.backend, name="none")
    results = []
    for ev in [evidence, _passing(evidence)] if assume else [evidence]:
        with backend:
            result = review_evidence(ev, path, config, backend)
        result.gate = evaluate_gate(result, config.gate)
        results.append(result)
    write_result(results[0], out / "review.json")
    if assume:
        write_result(results[1], out / "review.assumed-pass.json")
    return results[0], results[1] if assume else None


def _scores(result: ReviewResult) -> str:
    by_id = {a.id: a for a in result.agents}
    cells = []
    for pid in PERSONAS:
        agent = by_id.get(pid)
        status = getattr(agent, "status", "measured") if agent else "not_measured"
        cells.append("n/m" if agent is None or status == "not_measured" else str(agent.score))
    return " | ".join(cells)


def _failed_checks(result: ReviewResult) -> str:
    if result.gate is None:
        return ""
    return "; ".join(f"{c.name}: {c.actual}" for c in result.gate.checks if not c.passed)


def _line(row: Row) -> str:
    r, a = row.result, row.assumed
    gate = "pass" if r.gate and r.gate.passed else "FAIL"
    cells = [row.name, row.group, row.revision, str(r.metrics.sloc), str(r.overall_score), _scores(r),
             r.verdict, gate]
    if a is not None:
        cells += [a.verdict, "pass" if a.gate and a.gate.passed else "FAIL"]
    reasons = r.verdict_reasons if r.verdict == "not_ready" else (a.verdict_reasons if a else r.verdict_reasons)
    cells.append("; ".join(reasons[:2]) or _failed_checks(r))
    return "| " + " | ".join(cells) + " |"


def print_table(rows: list[Row]) -> None:
    assumed = any(r.assumed is not None for r in rows)
    head = ["repository", "group", "revision", "sloc", "overall", *[SHORT[p] for p in PERSONAS], "verdict", "gate"]
    if assumed:
        head += ["verdict (tests pass)", "gate (tests pass)"]
    head.append("reasons / blockers")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print(_line(row))
        for note in row.notes:
            print(f"|  | note: {note} |")


def checks(rows: list[Row]) -> dict[str, bool]:
    """The calibration targets, each True when met."""
    libs = [r for r in rows if r.group == "library"]
    vulns = [r for r in rows if r.group == "vulnerable"]
    out: dict[str, bool] = {}
    if libs and vulns:
        out["separation: every library above every vulnerable app"] = (
            min(r.overall for r in libs) > max(r.overall for r in vulns))
    out["no library persona scores 0"] = all(a.score > 0 for r in libs for a in r.result.agents
                                             if getattr(a, "status", "measured") != "not_measured")
    final = [r.assumed or r.result for r in libs]
    out["libraries pass the default gate" + (" (tests assumed passing)" if any(r.assumed for r in libs) else "")] = (
        all(r.gate is not None and r.gate.passed for r in final))
    out["libraries at least ready_with_fixes" + (" (tests assumed passing)" if any(r.assumed for r in libs) else "")] = (
        all(r.verdict in ("ready", "ready_with_fixes") for r in final))
    out["vulnerable apps fail the default gate"] = all(
        r.result.gate is not None and not r.result.gate.passed for r in vulns)
    out["vulnerable apps are not_ready with a blocker named"] = all(
        r.result.verdict == "not_ready" and r.result.verdict_reasons for r in vulns)
    return out


def _targets(args: argparse.Namespace) -> list[tuple[str, str, Path, str | None]]:
    chosen = [("library", Path(p).name, Path(p), None) for p in args.library]
    chosen += [("vulnerable", Path(p).name, Path(p), None) for p in args.vulnerable]
    if args.targets is not None:
        chosen += [("library", n, args.targets / n, t) for n, t in LIBRARIES]
        chosen += [("vulnerable", n, args.targets / n, t) for n, t in VULNERABLE]
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--targets", type=Path, default=None, help="Folder holding the default set (by name)")
    parser.add_argument("--library", nargs="*", default=[], help="Extra well-kept library paths")
    parser.add_argument("--vulnerable", nargs="*", default=[], help="Extra vulnerable application paths")
    parser.add_argument("--only", nargs="*", default=None, help="Only these names")
    parser.add_argument("--out", type=Path, default=Path("calibration-out"), help="Where results are written")
    parser.add_argument("--reuse-evidence", action="store_true", help="Reuse OUT/NAME/evidence.json if present")
    parser.add_argument("--assume-tests-pass", action="store_true",
                        help="Also give the verdict and gate as if each test suite had run and passed")
    parser.add_argument("--json", action="store_true", help="Also write OUT/calibration.json")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    for group, name, path, tag in _targets(args):
        if args.only and name not in args.only:
            continue
        if not path.is_dir():
            print(f"skipped {name}: {path} is not a folder", file=sys.stderr)
            continue
        revision, notes = _revision(path, tag)
        start = time.perf_counter()
        result, assumed = _review(path.resolve(), args.out / name, args.reuse_evidence, args.assume_tests_pass)
        rows.append(Row(name, group, revision, result, assumed, time.perf_counter() - start, notes))
        print(f"reviewed {name} in {rows[-1].seconds:.1f}s", file=sys.stderr)
    print_table(rows)
    print()
    met = checks(rows)
    for name, ok in met.items():
        print(f"{'MET   ' if ok else 'NOT MET'} {name}")
    if args.json:
        data = [{"name": r.name, "group": r.group, "overall": r.overall, "verdict": r.result.verdict,
                 "personas": {a.id: a.score for a in r.result.agents}} for r in rows]
        (args.out / "calibration.json").write_text(json.dumps({"rows": data, "checks": met}, indent=2))
    return 0 if all(met.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
