"""Findings routed to personas by kind; each persona's assessment written from its own findings and figures.

One short prompt per persona after the units are read; the paragraph is checked (numbers against the evidence,
sentences asserting unsupported topics removed). When the budget is spent, the model failed, or the check leaves
nothing, the deterministic summary stands.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reviewer.backends.base import CompletionRequest, Message
from reviewer.evidence import Evidence
from reviewer.findings import Finding
from reviewer.judge.kinds import KINDS
from reviewer.judge.meter import BackendDown, CallFailed, Meter
from reviewer.judge.schema import Assessment
from reviewer.review.claims import check_text
from reviewer.review.prompts import PromptSet
from reviewer.review.result import CriterionScore
from reviewer.review.rubric import Rubric
from reviewer.review.topics import check_topics, supported_topics

__all__ = ["PersonaNote", "assess", "route_kinds"]

ASSESS_MAX_TOKENS = 220
_SHOWN = 12


@dataclass
class PersonaNote:
    summary: str | None = None
    error: str | None = None
    contradictions: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)


def route_kinds(persona_ids: list[str]) -> dict[str, str]:
    """kind -> the persona that owns it; a kind whose persona is not configured goes to the QA engineer, else to
    the first persona."""
    fallback = "qa_engineer" if "qa_engineer" in persona_ids else (persona_ids[0] if persona_ids else "")
    return {k: (v.persona if v.persona in persona_ids else fallback) for k, v in KINDS.items()}


def _check(text: str, evidence: Evidence, findings: list[Finding], note: PersonaNote) -> str:
    topics = check_topics(text, supported_topics(findings))
    note.unsupported = topics.unsupported
    numbers = check_text(topics.text, evidence)
    note.contradictions = numbers.contradictions
    return numbers.text.strip()


def assess(meter: Meter, prompts: PromptSet, nonce: str, temperature: float, *, rubric: Rubric, base: int,
           criteria: list[CriterionScore], findings: list[Finding], evidence: Evidence) -> PersonaNote:
    """The checked assessment of one persona (or the reason there is none). Raises BackendDown."""
    note = PersonaNote()
    shown = sorted((f for f in findings if not f.suppressed), key=lambda f: (f.severity.rank, f.file or ""))[:_SHOWN]
    system = prompts.render("persona_system", nonce=nonce)
    user = prompts.render("persona", rubric=rubric, base_score=base, criteria=criteria, findings=findings,
                          shown=shown, nonce=nonce)
    request = CompletionRequest(messages=[Message(role="system", content=system), Message(role="user", content=user)],
                                temperature=temperature, max_tokens=ASSESS_MAX_TOKENS)
    try:
        answer = meter.ask(request, Assessment)
    except CallFailed as failed:
        note.error = str(failed)
        return note
    text = _check(answer.assessment, evidence, findings, note)
    note.summary = text if len(text.split()) >= 4 else None
    return note


__all__ += ["BackendDown"]
