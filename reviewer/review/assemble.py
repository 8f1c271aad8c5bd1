"""Put the review together: finding ids, model findings merged or added, one AgentResult per persona.

Deterministic findings get ids first (F001... most severe first); model findings that repeat a deterministic
finding merge into it, the others (deduplicated) get the following ids. The model never moves a score: each
persona's score is its rubric score; the model adds findings and the written assessment.
"""

from __future__ import annotations

from reviewer.findings import Finding
from reviewer.judge.pipeline import JudgeReview, PersonaInput
from reviewer.review.grounding import merge_duplicates
from reviewer.review.narrative import deterministic_recommendations, deterministic_strengths, deterministic_summary
from reviewer.review.result import AgentResult
from reviewer.review.scoring import base_score

__all__ = ["assemble_agents", "assign_ids"]


def _sort_key(f: Finding) -> tuple:
    return (f.severity.rank, f.file or "", f.line or 0, f.rule)


def assign_ids(findings: list[Finding], start: int = 1) -> list[Finding]:
    """Sort most severe first and number them F001, F002, ... (in place); returns the sorted list."""
    ordered = sorted(findings, key=_sort_key)
    for offset, f in enumerate(ordered):
        f.id = f"F{start + offset:03d}"
    return ordered


def _model_findings(personas: list[PersonaInput], deterministic: list[Finding], model: JudgeReview
                    ) -> tuple[dict[str, list[Finding]], list[Finding]]:
    """Per persona: the findings it reported (merged deterministic ones or new model ones); and all new ones."""
    per_persona: dict[str, list[Finding]] = {}
    new_by_fp: dict[str, Finding] = {}
    for p in personas:
        found = model.findings.get(p.rubric.id, [])
        new, merged = merge_duplicates(found, deterministic)
        model.context.claims_merged += len(merged)
        mine = list(merged.values())
        for f in new:
            mine.append(new_by_fp.setdefault(f.fingerprint or f"{id(f)}", f))
        per_persona[p.rubric.id] = mine
    return per_persona, list(new_by_fp.values())


def _agent(p: PersonaInput, owned: list[Finding], reported: list[Finding], model: JudgeReview) -> AgentResult:
    _, notes = base_score(p.criteria)
    ids = list(dict.fromkeys(f.id for f in [*owned, *reported] if f.id))
    summary = model.summaries.get(p.rubric.id) or deterministic_summary(p.rubric, p.base, p.criteria, owned)
    return AgentResult(
        id=p.rubric.id, name=p.rubric.name, focus=p.rubric.focus, score=p.base, base_score=p.base, adjustment=0,
        criteria=p.criteria, summary=summary, strengths=deterministic_strengths(p.criteria),
        recommendations=deterministic_recommendations([*owned, *reported]), findings=ids,
        model_error=model.errors.get(p.rubric.id), notes=notes + model.notes.get(p.rubric.id, []),
    )


def assemble_agents(personas: list[PersonaInput], deterministic: list[Finding], model: JudgeReview
                    ) -> tuple[list[AgentResult], list[Finding]]:
    """The agents and every finding (deterministic then model), with ids assigned."""
    ordered = assign_ids(deterministic)
    per_persona, new = _model_findings(personas, ordered, model)
    ordered_new = assign_ids(new, start=len(ordered) + 1)
    context = model.context
    context.findings_kept = len(ordered_new) + context.claims_merged
    context.tokens_per_kept_finding = round(context.tokens / context.findings_kept, 1) if context.findings_kept else None
    agents = [
        _agent(p, [f for f in ordered if f.agent == p.rubric.id], per_persona.get(p.rubric.id, []), model)
        for p in personas
    ]
    return agents, [*ordered, *ordered_new]
