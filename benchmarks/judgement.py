"""How well the model judges code: recall on known defects, false positives on correct functions, cost.

    python benchmarks/judgement.py [--backend llamacpp] [--model PATH|NAME] [--base-url URL] [--set all]
                                   [--option key=value ...] [--show]

Runs the unit pipeline of ``reviewer run`` (the sites the AST finds in each unit, one question per site behind
the shared prefix; no cache, no time budget) over the judgement fixture (tests/fixtures/judgement) and prints,
per set (tuning, heldout, fresh, third, variants to variants14; blind to blind7: aggregate only) and overall:

* recall: defects with a kept finding in their unit within ±2 lines of the defective line (and how many of
  those named the right kind);
* false positives per correct function: correct functions with at least one kept finding / correct functions;
* sites asked, and where they went: kept, answered no, a yes whose reason says the code is right, a reason
  naming an unmeasured problem;
* model calls, failed calls, tokens, wall time and seconds per unit asked.

Report machine load with the figures: other processes on the CPU slow every figure but the quality ones.
"""

from __future__ import annotations

import argparse
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace
from pathlib import Path
from typing import Any

import yaml

from reviewer.backends.factory import backend_from_config
from reviewer.config import BackendConfig, ReviewConfig
from reviewer.evidence import Evidence
from reviewer.judge.ask import JudgeSetup, Outcome, UnitJudge
from reviewer.judge.cache import UnitCache
from reviewer.judge.meter import Meter
from reviewer.judge.fence import fence_nonce
from reviewer.judge.personas import route_kinds
from reviewer.judge.planner import Budget, read_units
from reviewer.judge.risk import Ranked, rank_units
from reviewer.judge.sources import repository_units
from reviewer.review.prompts import PromptSet

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "judgement"
PERSONAS = ["product_engineer", "qa_engineer", "architect", "test_engineer", "security_engineer"]
LINE_WINDOW = 2
SETS = ["tuning", "heldout", "fresh", "third", "variants", "variants2", "variants3", "variants4", "variants5",
        "variants6", "variants7", "variants8", "variants9", "variants10", "variants11", "variants12", "variants13",
        "variants14", "blind", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7"]
"""tuning, fresh, third, variants to variants14: used while writing prompts and site finders; heldout: not
tuned on, details read; blind to blind7: never seen by whoever tunes (see the README)."""
BLIND = frozenset({"blind", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7"})
"""Sets whose per-site lines are never printed: only their aggregate figures, so that they stay held out."""


@dataclass
class Score:
    defects: int = 0
    found: int = 0
    kind_right: int = 0
    correct: int = 0
    false_positive_units: int = 0
    kept: int = 0
    dropped: Counter = field(default_factory=Counter)
    calls: int = 0
    failed: int = 0
    tokens: int = 0
    seconds: float = 0.0
    units: int = 0
    sites: int = 0
    cached: int = 0
    sited: int = 0
    """Defects with a site within LINE_WINDOW lines: the most the model can find."""
    correct_sited: int = 0
    """Correct functions with a site: where the model must answer no."""
    missed: list[str] = field(default_factory=list)
    unsited: list[str] = field(default_factory=list)
    sited_correct: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)

    def add(self, other: "Score") -> None:
        for name in ("defects", "found", "kind_right", "correct", "false_positive_units", "kept", "calls", "failed",
                     "tokens", "seconds", "units", "sites", "cached", "sited", "correct_sited"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.dropped.update(other.dropped)


def _line_of(outcome: Outcome, text: str, blind: bool = False) -> int:
    unit = outcome.ranked.unit
    for n in unit.lines:
        if text in unit.source.line(n):
            return n
    if blind:  # a held-out set's lines are not printed, not even when its ground truth is wrong
        raise SystemExit("a held-out set's expected.yaml names a line that is not in its unit")
    raise SystemExit(f"expected.yaml: {text!r} not found in {unit.file} {unit.qualname}")


def _reason_group(reason: str) -> str:
    if reason.startswith("answered no"):
        return "answered no"
    if reason.startswith("no kind possible"):
        return "open reading: no kind possible on its line"
    return "yes, reason says right" if reason.startswith("answered yes, but") else "reason names unmeasured problem"


def _yes_probability(outcome: Outcome, finding: Any) -> float | None:
    return next((p for site, answer, p in outcome.answers
                 if site.line == finding.line and f"model.{site.kind}" == finding.rule), None)


def _kept(outcome: Outcome, min_yes: float, open_bar: float | None = None) -> list[Any]:
    """The outcome's kept findings had the bar been ``min_yes`` (the run keeps what reaches its own bar and notes
    the probability; below 0.5 a "no" with at least that probability of yes counts too), and for a unit read
    openly ``open_bar`` (None: as if open reading were off)."""
    if outcome.opened:
        return [] if open_bar is None else [
            f for f in outcome.kept if (p := _yes_probability(outcome, f)) is None or p >= open_bar]
    kept = [f for f in outcome.kept if (p := _yes_probability(outcome, f)) is None or p >= min_yes]
    if min_yes < 0.5:  # below one half, a "no" whose probability of yes reaches the bar counts as kept
        seen = {(f.line, f.rule) for f in kept}
        kept += [SimpleNamespace(line=site.line, rule=f"model.{site.kind}", title=f"{site.kind} (answered no, "
                                 f"P(yes) {p:.2f})") for site, answer, p in outcome.answers
                 if answer != "yes" and p is not None and p >= min_yes
                 and (site.line, f"model.{site.kind}") not in seen]
    return kept


def _score(outcomes: dict[tuple[str, str], Outcome], truth: dict[str, list[dict[str, Any]]], name: str,
           min_yes: float = 0.5, open_bar: float | None = None) -> Score:
    score = Score()
    for d in (d for d in truth["defects"] if d["set"] == name):
        score.defects += 1
        outcome = outcomes[(d["file"], d["unit"])]
        line = _line_of(outcome, d["line"], name in BLIND)
        near = [f for f in _kept(outcome, min_yes, open_bar)
                if f.line is not None and abs(f.line - line) <= LINE_WINDOW]
        sited = any(abs(site.line - line) <= LINE_WINDOW for site in outcome.ranked.sites)
        score.sited += sited
        if not sited:
            score.unsited.append(f"{d['file']} {d['unit']} ({d['kind']}): {d['line']}")
        score.found += bool(near)
        score.kind_right += any(f.rule == f"model.{d['kind']}" for f in near)
        if not near:
            score.missed.append(f"{d['file']} {d['unit']} ({d['kind']})")
    for c in (c for c in truth["correct"] if c["set"] == name):
        score.correct += 1
        outcome = outcomes[(c["file"], c["unit"])]
        score.correct_sited += bool(outcome.ranked.sites)
        score.sited_correct.extend(f"{c['file']} {c['unit']}: {site.kind} at {site.line}: {site.facts[:100]}"
                                   for site in outcome.ranked.sites)
        kept = _kept(outcome, min_yes, open_bar)
        if kept:
            score.false_positive_units += 1
            score.false_positives.extend(f"{c['file']} {c['unit']}: {f.title}" for f in kept)
    for outcome in outcomes.values():
        score.kept += len(_kept(outcome, min_yes, open_bar))
        score.dropped.update(_reason_group(d.reason) for d in outcome.dropped)
    return score


def _ranked(name: str) -> list[Ranked]:
    root = FIXTURE / name
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py"))
    return rank_units(repository_units(root, files, 1_000_000), Evidence(tool_version="benchmark", repo_name=name), [])


def _ranked_only(name: str) -> dict[tuple[str, str], Outcome]:
    return {(r.unit.file, r.unit.qualname): Outcome(ranked=r) for r in _ranked(name)}


def _run_set(name: str, backend: Any, concurrency: int, show: bool, opened: bool, nonce: str,
             open_all: bool = False) -> tuple[dict, Meter, float]:
    ranked = _ranked(name)
    if open_all:  # the open reading alone, on every unit: what it finds where the finders see nothing
        for r in ranked:
            r.sites = []
    meter = Meter(backend)
    prompts = PromptSet()
    setup = JudgeSetup(prompts=prompts, meter=meter, cache=UnitCache(None), nonce=nonce,
                       model=backend.model_name or backend.name, version="benchmark", temperature=0.0,
                       persona_for=route_kinds(PERSONAS), min_yes=0.5, open_reading=opened,
                       open_min_yes=0.5)  # every yes kept; the bars applied after
    start = time.perf_counter()
    reading = read_units(ranked, UnitJudge(setup), Budget(seconds=0, concurrency=concurrency), None)
    seconds = time.perf_counter() - start
    if show and name not in BLIND:
        for o in reading.outcomes:
            for f in o.kept:
                p = _yes_probability(o, f)
                mark = "*" if o.opened else " "
                print(f"  KEPT{mark}   {f.file}:{f.line} {o.ranked.unit.qualname} "
                      f"(p={p if p is None else round(p, 2)}): {f.title}")
            for d in o.dropped:
                print(f"  DROPPED {d.file}:{d.line} {o.ranked.unit.qualname}: {d.title} -- {d.reason[:300]}")
            if o.error:
                print(f"  FAILED  {o.ranked.unit.qualname}: {o.error[:400]}")
    outcomes = {(r.unit.file, r.unit.qualname): Outcome(ranked=r) for r in ranked}  # units without sites
    outcomes.update({(o.ranked.unit.file, o.ranked.unit.qualname): o for o in reading.outcomes})
    return outcomes, meter, seconds


def _print_sites(name: str, s: Score) -> None:
    print(f"{name:8} sites at {s.sited} of {s.defects} defects; {s.correct_sited} of {s.correct} correct functions "
          f"have a site (the model must answer no there)")


def _print(name: str, s: Score) -> None:
    recall = s.found / s.defects if s.defects else 0.0
    fp = s.false_positive_units / s.correct if s.correct else 0.0
    print(f"{name:8} recall {s.found}/{s.defects} = {recall:.0%} (kind right {s.kind_right}) | false positives "
          f"{s.false_positive_units}/{s.correct} correct functions = {fp:.2f} per function | sites {s.sites}: kept "
          f"{s.kept}, dropped "
          f"{dict(s.dropped)} | calls {s.calls} ({s.failed} failed), tokens {s.tokens} ({s.cached} from the prefix "
          f"cache), {s.seconds:.0f} s, "
          f"{s.seconds / max(1, s.units):.1f} s per unit asked ({s.units} units)")


BARS = (0.2, 0.3, 0.4, 0.5, 0.65, 0.8)
OPEN_BARS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def _print_bars(name: str, outcomes: dict, truth: dict, min_yes: float) -> None:
    """Recall and false positives had the bar on the probability of yes been each of BARS (0.5: every yes), open
    reading aside; then, at ``min_yes``, with open reading at each of OPEN_BARS (when units were read openly)."""
    parts = []
    for bar in BARS:
        s = _score(outcomes, truth, name, bar)
        parts.append(f"{bar:.2f}: {s.found}/{s.defects} found, {s.false_positive_units}/{s.correct} false")
    print(f"{name:8} by the bar on P(yes), sites only: " + " | ".join(parts))
    if any(o.opened for o in outcomes.values()):
        parts = []
        for bar in OPEN_BARS:
            s = _score(outcomes, truth, name, min_yes, bar)
            parts.append(f"{bar:.2f}: {s.found}/{s.defects} found, {s.false_positive_units}/{s.correct} false")
        print(f"{name:8} with open reading, by its bar: " + " | ".join(parts))


def _truth() -> dict[str, list[dict[str, Any]]]:
    """The fixture's expected.yaml, and each set's own (the blind set keeps its ground truth in its folder, so that
    reading the shared file does not show it)."""
    truth: dict[str, list[dict[str, Any]]] = {"defects": [], "correct": []}
    for path in [FIXTURE / "expected.yaml", *sorted(FIXTURE.glob("*/expected.yaml"))]:
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in truth:
            truth[key].extend(part.get(key) or [])
    return truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", default="llamacpp")
    parser.add_argument("--model", default=None)
    parser.add_argument("--base-url", default=None)
    parser.add_argument("--set", choices=["all", *SETS], default="all")
    parser.add_argument("--option", action="append", default=[], help="backend option key=value (YAML value)")
    parser.add_argument("--show", action="store_true", help="print every kept and dropped site")
    parser.add_argument("--min-yes", type=float, default=ReviewConfig().min_yes_probability,
                        help="the bar on the probability of yes the figures are given at (default: the config's)")
    parser.add_argument("--open", action="store_true", default=ReviewConfig().open_reading,
                        help="also read units without sites openly (review.open_reading; off by default)")
    parser.add_argument("--open-all", action="store_true",
                        help="the open reading alone: every unit read openly, as if no finder saw a site")
    parser.add_argument("--open-min-yes", type=float, default=ReviewConfig().open_min_yes_probability,
                        help="the bar for sites an open reading proposed (default: the config's)")
    parser.add_argument("--nonce", default=None,
                        help="the prompt fence's nonce: this installation's (the default, as `reviewer run` uses), "
                             "'random' for a fresh one (to see how much the figures move with it), or a given text")
    parser.add_argument("--sites-only", action="store_true",
                        help="no model: how many defects and correct functions have a site")
    args = parser.parse_args()
    truth = _truth()
    names = SETS if args.set == "all" else [args.set]
    if args.sites_only:
        # the blind set's site count is shown only when asked for by name: a figure looked at after every finder
        # change would end up choosing the finders
        names = [n for n in names if n not in BLIND or args.set == n]
        for name in names:
            score = _score(_ranked_only(name), truth, name)
            _print_sites(name, score)
            if args.show and name not in BLIND:
                for miss in score.unsited:
                    print(f"  no site: {miss}")
                for site in score.sited_correct:
                    print(f"  site in correct code: {site}")
        return
    options = {k: yaml.safe_load(v) for k, v in (o.split("=", 1) for o in args.option)}
    backend = backend_from_config(BackendConfig(options=options), name=args.backend, model=args.model,
                                  base_url=args.base_url)
    concurrency = max(1, int(getattr(backend.options, "max_concurrency", 1) or 1))
    nonce = fence_nonce() if args.nonce is None else secrets.token_hex(6) if args.nonce == "random" else args.nonce
    total = Score()
    with backend:
        load_start = time.perf_counter()
        backend.load()
        print(f"backend {backend.name}, model {backend.model_name}, loaded in {time.perf_counter() - load_start:.1f} s")
        print(f"fence nonce: {'this installation' if args.nonce is None else args.nonce}")
        for name in names:
            opened = args.open or args.open_all
            outcomes, meter, seconds = _run_set(name, backend, concurrency, args.show, opened, nonce,
                                                args.open_all)
            score = _score(outcomes, truth, name, args.min_yes, args.open_min_yes if opened else None)
            _print_bars(name, outcomes, truth, args.min_yes)
            score.calls, score.failed, score.tokens = meter.calls, meter.failed, meter.tokens
            score.cached = meter.cached_tokens
            score.seconds = seconds
            score.units = sum(1 for o in outcomes.values() if o.asked)
            score.sites = sum(o.asked for o in outcomes.values())
            read_openly = [o for o in outcomes.values() if o.opened]
            if read_openly:
                asked = sum(1 for o in read_openly if o.answers)
                print(f"{name:8} read openly: {len(read_openly)} units; no kind possible {len(read_openly) - asked}, "
                      f"a site asked {asked}")
            _print(name, score)
            _print_sites(name, score)
            total.add(score)
            if name in BLIND:
                continue
            for miss in score.missed:
                print(f"  missed: {miss}")
            for fp in score.false_positives:
                print(f"  false positive: {fp}")
    if args.set == "all":
        _print("all", total)


if __name__ == "__main__":
    main()
