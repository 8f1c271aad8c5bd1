"""Findings routed to personas by kind; each persona's assessment written from its own findings and figures.

One short prompt per persona after the units are read; the paragraph is checked: sentences asserting unsupported
topics or numbers that are neither measured nor in the prompt are removed, contradicted figures marked, and a
looping answer (repeated or unfinished sentences) is rejected whole. When the budget is spent, the model failed, or the check leaves
nothing, the deterministic summary stands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reviewer.backends.base import CompletionRequest, Message
from reviewer.evidence import Evidence
from reviewer.findings import Finding
from reviewer.judge.kinds import KINDS
from reviewer.judge.meter import CallFailed, Meter
from reviewer.judge.schema import Assessment
from reviewer.review.claims import check_text
from reviewer.review.prompts import PromptSet
from reviewer.review.result import CriterionScore
from reviewer.review.rubric import Rubric
from reviewer.review.topics import check_topics, split_sentences, supported_topics

__all__ = ["PersonaNote", "assess", "route_kinds"]

ASSESS_MAX_TOKENS = 160
MAX_SENTENCES = 3
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
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


def _plain_sentences(text: str, prompt: str, note: PersonaNote) -> str:
    """At most MAX_SENTENCES complete, distinct sentences, each stating only numbers the prompt holds; a looping
    answer (mostly repeated sentences) is no assessment at all."""
    sentences = [x.strip() for x in split_sentences(text) if x.strip()]
    if not sentences:
        return ""
    complete = [x for x in sentences if x[-1] in ".!?"]
    distinct = list(dict.fromkeys(complete))
    if not distinct or len(distinct) * 2 < len(sentences):
        note.unsupported.append(f"{text[:160]!r}: not an assessment (repeated or unfinished sentences)")
        return ""
    kept = []
    given = set(_NUMBER.findall(prompt))
    for sentence in distinct:
        invented = sorted(set(_NUMBER.findall(sentence)) - given)
        if invented:
            note.unsupported.append(f"{sentence!r}: states {', '.join(invented)}, not among the measured figures")
        else:
            kept.append(sentence)
    return " ".join(kept[:MAX_SENTENCES])


def _check(text: str, prompt: str, evidence: Evidence, findings: list[Finding], note: PersonaNote) -> str:
    topics = check_topics(text, supported_topics(findings))
    note.unsupported = list(topics.unsupported)
    numbers = check_text(topics.text, evidence)
    note.contradictions = numbers.contradictions
    return _plain_sentences(numbers.text, prompt, note)


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
    text = _check(answer.assessment, user, evidence, findings, note)
    note.summary = text if len(text.split()) >= 4 else None
    return note

