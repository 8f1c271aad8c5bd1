"""Ask the model for one persona's answer, ``runs`` times, and check each answer against the repository.

Each run's answer is validated (structured output), its findings grounded, its prose checked for topics no finding
supports (sentences removed) and for contradicted numbers, its strengths cleaned. A backend that is down raises
:class:`BackendDown` so the engine stops calling it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.backends.base import Backend, CompletionRequest, Message
from reviewer.backends.structured import complete_structured
from reviewer.errors import (
    BackendError,
    BackendNotInstalledError,
    BackendUnavailableError,
    ModelAssetError,
    ModelNotFoundError,
    ReviewerError,
)
from reviewer.evidence import Evidence
from reviewer.findings import Finding
from reviewer.review.answer import ModelAnswerBase
from reviewer.review.claims import check_text
from reviewer.review.grounding import ground_findings
from reviewer.review.result import DroppedClaim
from reviewer.review.topics import check_topics, clean_strengths, supported_topics, unsupported_topics

__all__ = ["BackendDown", "CheckedRun", "PersonaRuns", "ask_persona"]

_DOWN = (BackendUnavailableError, ModelAssetError, BackendNotInstalledError, ModelNotFoundError)


class BackendDown(Exception):
    """The backend cannot answer at all; no further persona should call it."""

    def __init__(self, error: ReviewerError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass
class CheckedRun:
    summary: str
    strengths: list[str]
    adjustment: int
    reason: str
    findings: list[Finding]
    dropped: list[DroppedClaim]
    contradictions: list[str]
    unsupported: list[str] = field(default_factory=list)
    strengths_dropped: int = 0


@dataclass
class PersonaRuns:
    runs: list[CheckedRun] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    prompt_tokens: int = 0
    cached_tokens: int = 0


def _check(answer: ModelAnswerBase, agent: str, model: str | None, root: Path, evidence: Evidence,
           max_bytes: int, findings: list[Finding] | None = None) -> CheckedRun:
    """Ground the findings; in the prose, remove sentences asserting unsupported topics, mark contradicted numbers.

    Topics are supported by the unsuppressed ``findings`` (the deterministic ones, suppressions applied), or by
    the evidence's findings when none are given. Grounded model findings already point at a real quoted line:
    only their numbers are checked.
    """
    contradictions: list[str] = []
    unsupported: list[str] = []
    supported = supported_topics(evidence.findings if findings is None else findings)

    def numbers(text: str) -> str:
        checked = check_text(text, evidence)
        contradictions.extend(checked.contradictions)
        return checked.text.strip()

    def prose(text: str) -> str:
        topics = check_topics(text, supported)
        unsupported.extend(topics.unsupported)
        return numbers(topics.text)

    grounded = ground_findings(answer.findings, root, agent, model, max_bytes)
    measured = evidence.findings if findings is None else findings
    grounded.kept, off_topic = _topic_grounded(grounded.kept, measured, agent)
    grounded.dropped.extend(off_topic)
    for f in grounded.kept:
        f.title, f.recommendation = numbers(f.title), numbers(f.recommendation)
    strengths, strengths_dropped = clean_strengths(prose(x) for x in answer.strengths)
    return CheckedRun(
        summary=prose(answer.summary), strengths=strengths,
        adjustment=int(answer.score_adjustment),  # type: ignore[attr-defined]
        reason=prose(answer.adjustment_reason),  # type: ignore[attr-defined]
        findings=grounded.kept, dropped=grounded.dropped, contradictions=contradictions,
        unsupported=unsupported, strengths_dropped=strengths_dropped,
    )


def _topic_grounded(kept: list[Finding], measured: list[Finding], agent: str) -> tuple[list[Finding], list[DroppedClaim]]:
    """A quoted line proves where, not what: a model finding whose title names a measurable problem (hardcoded
    secret, SQL injection, eval, ...) needs a measured finding of that kind in the same file, or it is dropped."""
    out: list[Finding] = []
    dropped: list[DroppedClaim] = []
    for f in kept:
        in_file = supported_topics(m for m in measured if m.file == f.file)
        topics = unsupported_topics(f.title, in_file)
        if topics:
            dropped.append(DroppedClaim(agent=agent, title=f.title, file=f.file, line=f.line,
                                        reason=f"claims {', '.join(topics)}; no measured finding in {f.file} does"))
        else:
            out.append(f)
    return out, dropped


def ask_persona(backend: Backend, messages: list[Message], answer_cls: type[ModelAnswerBase], *, agent: str,
                runs: int, temperature: float, max_tokens: int, root: Path, evidence: Evidence,
                max_bytes: int, findings: list[Finding] | None = None) -> PersonaRuns:
    """Every run's checked answer; per-run failures are listed in ``errors``. Raises BackendDown.

    ``findings``: the deterministic findings (suppressions applied) that support topics in the prose."""
    out = PersonaRuns()
    start = time.perf_counter()
    for run in range(runs):
        request = CompletionRequest(messages=messages, temperature=temperature, max_tokens=max_tokens, seed=run)
        try:
            answer, completion = complete_structured(backend, request, answer_cls)
        except _DOWN as exc:
            raise BackendDown(exc) from exc
        except BackendError as exc:
            out.errors.append(f"run {run + 1}: {type(exc).__name__}: {exc}")
            continue
        out.prompt_tokens += completion.usage.prompt_tokens
        out.cached_tokens += completion.usage.cached_tokens or 0
        out.runs.append(_check(answer, agent, completion.model or backend.model_name or None, root, evidence, max_bytes,
                               findings))
    out.seconds = time.perf_counter() - start
    return out
