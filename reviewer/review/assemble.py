"""Put the review together: finding ids, model findings merged or added, one AgentResult per persona.

Deterministic findings get ids first (F001... most severe first); model findings that repeat a deterministic
finding merge into it, the others (deduplicated across personas) get the following ids.
"""

from __future__ import annotations

from reviewer.findings import Finding
from reviewer.review.grounding import merge_duplicates
from reviewer.review.model_review import ModelReview, PersonaInput
from reviewer.review.narrative import deterministic_recommendations, deterministic_strengths, deterministic_summary
from reviewer.review.result import AgentResult, ModelContext
from reviewer.review.runs import Aggregate
from reviewer.review.scoring import base_score, clamp_adjustment, final_score

__all__ = ["assemble_agents", "assign_ids"]


def _sort_key(f: Finding) -> tuple:
    return (f.severity.rank, f.file or "", f.line or 0, f.rule)


def assign_ids(findings: list[Finding], start: int = 1) -> list[Finding]:
    """Sort most severe first and number them F001, F002, ... (in place); returns the sorted list."""
    ordered = sorted(findings, key=_sort_key)
    for offset, f in enumerate(ordered):
        f.id = f"F{start + offset:03d}"
    return ordered


def _record(context: ModelContext, answer: Aggregate, merged: int) -> None:
    context.claims_dropped += len(answer.dropped)
    context.dropped.extend(answer.dropped)
    context.numbers_contradicted += len(answer.contradictions)
    context.contradictions.extend(answer.contradictions)
    context.sentences_unsupported += len(answer.unsupported)
    context.unsupported.extend(answer.unsupported)
    context.strengths_dropped += answer.strengths_dropped
    context.claims_merged += merged
    context.claims_not_in_majority += answer.not_in_majority


def _model_findings(personas: list[PersonaInput], deterministic: list[Finding], model: ModelReview
                    ) -> tuple[dict[str, list[Finding]], list[Finding]]:
    """Per persona: the findings it reported (merged deterministic ones or new model ones); and all new ones."""
    per_persona: dict[str, list[Finding]] = {}
    new_by_fp: dict[str, Finding] = {}
    for p in personas:
        answer = model.answers.get(p.rubric.id)
        if answer is None:
            continue
        new, merged = merge_duplicates(answer.findings, deterministic)
        _record(model.context, answer, len(merged))
        mine = list(merged.values())
        for f in new:
            mine.append(new_by_fp.setdefault(f.fingerprint or f"{id(f)}", f))
        per_persona[p.rubric.id] = mine
    return per_persona, list(new_by_fp.values())


def _agent(p: PersonaInput, owned: list[Finding], reported: list[Finding], model: ModelReview,
           max_adjustment: int) -> AgentResult:
    _, notes = base_score(p.criteria)
    answer = model.answers.get(p.rubric.id)
    requested = answer.adjustment if answer else 0
    adjustment = clamp_adjustment(requested, max_adjustment)
    if adjustment != requested:
        notes.append(f"model adjustment {requested:+d} clamped to {adjustment:+d}")
    ids = list(dict.fromkeys(f.id for f in [*owned, *reported] if f.id))
    return AgentResult(
        id=p.rubric.id, name=p.rubric.name, focus=p.rubric.focus, score=final_score(p.base, adjustment, max_adjustment),
        base_score=p.base, adjustment=adjustment, adjustment_reason=answer.reason if answer and adjustment else None,
        criteria=p.criteria,
        summary=answer.summary if answer and answer.summary else deterministic_summary(p.rubric, p.base, p.criteria, owned),
        strengths=answer.strengths if answer and answer.strengths else deterministic_strengths(p.criteria),
        recommendations=deterministic_recommendations([*owned, *reported]), findings=ids,
        model_error=model.errors.get(p.rubric.id), notes=notes + model.notes.get(p.rubric.id, []),
    )


def assemble_agents(personas: list[PersonaInput], deterministic: list[Finding], model: ModelReview,
                    max_adjustment: int) -> tuple[list[AgentResult], list[Finding]]:
    """The agents and every finding (deterministic then model), with ids assigned."""
    ordered = assign_ids(deterministic)
    per_persona, new = _model_findings(personas, ordered, model)
    ordered_new = assign_ids(new, start=len(ordered) + 1)
    agents = [
        _agent(p, [f for f in ordered if f.agent == p.rubric.id], per_persona.get(p.rubric.id, []), model, max_adjustment)
        for p in personas
    ]
    return agents, [*ordered, *ordered_new]
