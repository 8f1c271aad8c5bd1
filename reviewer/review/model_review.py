"""The model part of a review: build the shared prompt prefix once, ask every persona, check the answers.

Returns per-persona aggregates (or the reason the model part is missing) and the ModelContext. It never raises
for a backend failure: one persona's failure is recorded for that persona; a backend that is down stops the
calls for every remaining persona (recorded in ``ModelContext.backend_error``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.backends.base import Backend
from reviewer.backends.structured import schema_for
from reviewer.config import Config
from reviewer.console import Terminal
from reviewer.evidence import Evidence
from reviewer.findings import Finding
from reviewer.review.answer import answer_model
from reviewer.review.digest import build_digest, fence_nonce
from reviewer.review.persona import BackendDown, ask_persona
from reviewer.review.prompts import PromptSet
from reviewer.review.result import CriterionScore, ModelContext
from reviewer.review.rubric import Rubric
from reviewer.review.runs import Aggregate, aggregate_runs
from reviewer.review.tokens import TokenCounter, token_counter

__all__ = ["ModelReview", "PersonaInput", "REASK_OVERHEAD_TOKENS", "run_model_review"]

REASK_OVERHEAD_TOKENS = 256
"""Chat-template tokens plus the re-ask message; the re-ask also repeats one answer (max_tokens)."""


@dataclass
class PersonaInput:
    rubric: Rubric
    base: int
    criteria: list[CriterionScore]


@dataclass
class ModelReview:
    answers: dict[str, Aggregate] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)
    context: ModelContext = field(default_factory=ModelContext)
    seconds: dict[str, float] = field(default_factory=dict)


def _persona_prompts(prompts: PromptSet, personas: list[PersonaInput], max_adjustment: int) -> dict[str, str]:
    return {
        p.rubric.id: prompts.render("persona", rubric=p.rubric, base_score=p.base, criteria=p.criteria,
                                    max_adjustment=max_adjustment)
        for p in personas
    }


def _budget(backend: Backend, config: Config, count: TokenCounter, system: str, persona_texts: dict[str, str]) -> int:
    schema_cost = 0
    if not backend.capabilities.json_schema:
        schema_cost = count(json.dumps(schema_for(answer_model(config.review.max_adjustment)))) + 40
    persona_cost = max((count(t) for t in persona_texts.values()), default=0)
    reserve = count(system) + persona_cost + schema_cost + 2 * config.review.max_tokens + REASK_OVERHEAD_TOKENS
    return backend.capabilities.max_context - reserve


def _ask_all(review: ModelReview, personas: list[PersonaInput], messages: dict, backend: Backend, config: Config,
             root: Path, evidence: Evidence, findings: list[Finding], terminal: Terminal | None) -> None:
    answer_cls = answer_model(config.review.max_adjustment)
    for index, p in enumerate(personas):
        if review.context.backend_error is not None:
            review.errors[p.rubric.id] = f"model calls stopped: {review.context.backend_error}"
            continue
        if terminal is not None:
            terminal.info(f"review: asking the model as {p.rubric.name} ({index + 1}/{len(personas)})")
        try:
            runs = ask_persona(backend, messages[p.rubric.id], answer_cls, agent=p.rubric.id, runs=config.review.runs,
                               temperature=config.review.temperature, max_tokens=config.review.max_tokens,
                               root=root, evidence=evidence, max_bytes=config.max_file_bytes, findings=findings)
        except BackendDown as down:
            review.context.backend_error = f"{type(down.error).__name__}: {down.error}"
            review.errors[p.rubric.id] = f"model calls stopped: {review.context.backend_error}"
            continue
        review.seconds[p.rubric.id] = round(runs.seconds, 3)
        review.notes[p.rubric.id] = list(runs.errors)
        if runs.runs:
            review.answers[p.rubric.id] = aggregate_runs(runs.runs)
        else:
            review.errors[p.rubric.id] = "; ".join(runs.errors)


def run_model_review(personas: list[PersonaInput], evidence: Evidence, root: Path, config: Config, backend: Backend,
                     prompts: PromptSet, findings: list[Finding], terminal: Terminal | None = None) -> ModelReview:
    review = ModelReview()
    count = token_counter(backend)
    nonce = fence_nonce(evidence)
    system = prompts.render("system", nonce=nonce)
    persona_texts = _persona_prompts(prompts, personas, config.review.max_adjustment)
    budget = _budget(backend, config, count, system, persona_texts)
    digest = build_digest(evidence, root, findings, budget, count, config.max_file_bytes)
    review.context = digest.context
    review.context.context_tokens = backend.capabilities.max_context
    if budget < digest.tokens:
        why = (f"context window of {backend.capabilities.max_context} tokens is too small for the prompt "
               f"(budget {budget} tokens for the evidence after prompts and {config.review.max_tokens} output tokens)")
        review.errors = {p.rubric.id: why for p in personas}
        return review
    digest_text = prompts.render("digest", sections=digest.sections, nonce=nonce)
    messages = {pid: prompts.messages(system, digest_text, text) for pid, text in persona_texts.items()}
    _ask_all(review, personas, messages, backend, config, root, evidence, findings, terminal)
    return review
