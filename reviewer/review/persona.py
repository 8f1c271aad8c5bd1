"""Ask the model for one persona's answer, ``runs`` times, and check each answer against the repository.

Each run's answer is validated (structured output), its findings grounded, its prose checked for contradicted
numbers. A backend that is down raises :class:`BackendDown` so the engine stops calling it.
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


@dataclass
class PersonaRuns:
    runs: list[CheckedRun] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    prompt_tokens: int = 0
    cached_tokens: int = 0


def _check(answer: ModelAnswerBase, agent: str, model: str | None, root: Path, evidence: Evidence,
           max_bytes: int) -> CheckedRun:
    contradictions: list[str] = []

    def clean(text: str) -> str:
        checked = check_text(text, evidence)
        contradictions.extend(checked.contradictions)
        return checked.text.strip()

    grounded = ground_findings(answer.findings, root, agent, model, max_bytes)
    for f in grounded.kept:
        f.title, f.recommendation = clean(f.title), clean(f.recommendation)
    return CheckedRun(
        summary=clean(answer.summary), strengths=[s for s in (clean(x) for x in answer.strengths) if s],
        adjustment=int(answer.score_adjustment),  # type: ignore[attr-defined]
        reason=clean(answer.adjustment_reason),  # type: ignore[attr-defined]
        findings=grounded.kept, dropped=grounded.dropped, contradictions=contradictions,
    )


def ask_persona(backend: Backend, messages: list[Message], answer_cls: type[ModelAnswerBase], *, agent: str,
                runs: int, temperature: float, max_tokens: int, root: Path, evidence: Evidence,
                max_bytes: int) -> PersonaRuns:
    """Every run's checked answer; per-run failures are listed in ``errors``. Raises BackendDown."""
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
        out.runs.append(_check(answer, agent, completion.model or backend.model_name or None, root, evidence, max_bytes))
    out.seconds = time.perf_counter() - start
    return out
