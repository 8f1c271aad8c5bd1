"""The model part of a review: units ranked by risk, read within the time budget, claims checked, personas
assessed from their own findings. Never raises for a model failure: it is recorded in the ModelContext
(status ``failed`` when no call succeeded, ``partial`` with the reason when some did)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.backends.base import Backend
from reviewer.collectors.cache import cache_dir
from reviewer.config import Config
from reviewer.console import Terminal
from reviewer.evidence import Evidence
from reviewer.findings import Finding
from reviewer.judge.ask import JudgeSetup, UnitJudge
from reviewer.judge.cache import UnitCache
from reviewer.judge.fence import fence_nonce
from reviewer.judge.gitdiff import changed_lines
from reviewer.judge.meter import BackendDown, Meter
from reviewer.judge.personas import PersonaNote, assess, route_kinds
from reviewer.judge.planner import Budget, Reading, read_units
from reviewer.judge.risk import rank_units
from reviewer.judge.sources import repository_units
from reviewer.judge.status import fill_context
from reviewer.review.prompts import PromptSet
from reviewer.review.result import CriterionScore, ModelContext
from reviewer.review.rubric import Rubric
from reviewer.review.topics import supported_topics

__all__ = ["JudgeReview", "PersonaInput", "UNITS_SHARE", "run_judgement"]

PROMPT_FORMAT = "judge-3"
UNITS_SHARE = 0.8
"""Of a limited budget, the share for reading units; the rest is for the persona assessments."""


@dataclass
class PersonaInput:
    rubric: Rubric
    base: int
    criteria: list[CriterionScore]


@dataclass
class JudgeReview:
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    summaries: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)
    context: ModelContext = field(default_factory=ModelContext)
    seconds: dict[str, float] = field(default_factory=dict)


def _concurrency(backend: Backend) -> int:
    return max(1, int(getattr(backend.options, "max_concurrency", 1) or 1))


def _topics_by_file(findings: list[Finding]) -> dict[str, set[str]]:
    files = {f.file for f in findings if f.file}
    return {file: supported_topics(f for f in findings if f.file == file) for file in files}


def _read(personas: list[PersonaInput], evidence: Evidence, root: Path, config: Config, meter: Meter,
          prompts: PromptSet, deterministic: list[Finding], terminal: Terminal | None,
          nonce: str) -> tuple[Reading, int, UnitCache, set[str]]:
    units = repository_units(root, evidence.python_files, config.max_file_bytes)
    changed = changed_lines(root, config.review.diff_base) if config.review.diff_base else None
    ranked = rank_units(units, evidence, deterministic, changed)
    cache = UnitCache(cache_dir(root) if config.cache else None)
    model = meter.backend.model_name or meter.backend.name
    version = f"{PROMPT_FORMAT}:{prompts.version('system', 'unit', 'site', 'open')}"
    setup = JudgeSetup(prompts=prompts, meter=meter, cache=cache, nonce=nonce, model=model, version=version,
                       temperature=config.review.temperature,
                       persona_for=route_kinds([p.rubric.id for p in personas]),
                       topics_by_file=_topics_by_file(deterministic),
                       min_yes=config.review.min_yes_probability, open_reading=config.review.open_reading,
                       open_min_yes=config.review.open_min_yes_probability)
    limit = config.review.model_budget_s
    budget = Budget(seconds=limit * UNITS_SHARE if limit > 0 else 0.0, concurrency=_concurrency(meter.backend))
    judge = UnitJudge(setup)
    if terminal is None:
        return read_units(ranked, judge, budget, None), len(units), cache, {u.hash for u in units}
    asked = sum(1 for r in ranked if judge.wants(r))
    with terminal.progress("model: asking about possible defects, riskiest first", total=asked) as progress:
        reading = read_units(ranked, judge, budget, progress)
    return reading, len(units), cache, {u.hash for u in units}


def _route(review: JudgeReview, reading: Reading, personas: list[PersonaInput]) -> None:
    review.findings = {p.rubric.id: [] for p in personas}
    for outcome in reading.outcomes:
        for f in outcome.kept:
            review.findings.setdefault(f.agent or personas[0].rubric.id, []).append(f)


def _assess_all(review: JudgeReview, personas: list[PersonaInput], evidence: Evidence, deterministic: list[Finding],
                meter: Meter, prompts: PromptSet, nonce: str, config: Config, started: float) -> None:
    limit = config.review.model_budget_s
    per_call = meter.seconds / meter.calls if meter.calls else 0.0
    for p in personas:
        if meter.down is not None or (meter.calls and not meter.answered):
            return
        if limit > 0 and time.perf_counter() - started + per_call > limit:
            review.notes.setdefault(p.rubric.id, []).append("assessment written without the model: budget spent")
            continue
        owned = [f for f in deterministic if f.agent == p.rubric.id] + review.findings.get(p.rubric.id, [])
        try:
            note: PersonaNote = assess(meter, prompts, nonce, config.review.temperature, rubric=p.rubric,
                                       base=p.base, criteria=p.criteria, findings=owned, evidence=evidence)
        except BackendDown:
            return
        if note.summary:
            review.summaries[p.rubric.id] = note.summary
        if note.error:
            review.notes.setdefault(p.rubric.id, []).append(f"assessment call failed: {note.error}")
        review.context.numbers_contradicted += len(note.contradictions)
        review.context.contradictions.extend(note.contradictions)
        review.context.sentences_unsupported += len(note.unsupported)
        review.context.unsupported.extend(note.unsupported)


def run_judgement(personas: list[PersonaInput], evidence: Evidence, root: Path, config: Config, backend: Backend,
                  prompts: PromptSet, deterministic: list[Finding], terminal: Terminal | None = None) -> JudgeReview:
    review = JudgeReview()
    meter = Meter(backend)
    review.seconds["load"] = round(meter.load(), 3)
    started = time.perf_counter()
    nonce = fence_nonce()
    reading, total, cache, live = _read(personas, evidence, root, config, meter, prompts, deterministic, terminal,
                                        nonce)
    review.seconds["units"] = round(time.perf_counter() - started, 3)
    _route(review, reading, personas)
    persona_start = time.perf_counter()
    _assess_all(review, personas, evidence, deterministic, meter, prompts, nonce, config, started)
    review.seconds["personas"] = round(time.perf_counter() - persona_start, 3)
    fill_context(review.context, meter, reading, total)
    review.context.context_tokens = backend.capabilities.max_context
    if review.context.status == "failed":
        review.errors = {p.rubric.id: f"model calls failed: {review.context.status_reason}" for p in personas}
    try:
        cache.save(live)
    except OSError as exc:
        for p in personas:
            review.notes.setdefault(p.rubric.id, []).append(f"model answer cache not written: {exc}")
    return review
