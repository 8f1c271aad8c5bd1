"""Scripted model answers for the unit-by-unit judgement (used with reviewer.backends.fake.FakeBackend)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from reviewer.backends.base import CompletionRequest

__all__ = ["judge_responder", "question_of", "site_of", "unit_of"]

_UNIT = re.compile(r"^Unit: (\S+) \((\w+)\) in (\S+)", re.M)
_SITE = re.compile(r"^Line (\d+): .*\n.*\nPossible defect \((\w+)\)", re.M)


def unit_of(request: CompletionRequest) -> str | None:
    """'file::qualname' of the unit a request is about, None for a persona request."""
    match = _UNIT.search(request.messages[-1].content)
    return f"{match.group(3)}::{match.group(1)}" if match else None


def site_of(request: CompletionRequest) -> tuple[str, int] | None:
    """(kind, line) of the site a question is about."""
    match = _SITE.search(request.messages[-1].content)
    return (match.group(2), int(match.group(1))) if match else None


def question_of(request: CompletionRequest) -> str:
    """'site', 'open' (an open reading of a unit without sites) or 'persona'."""
    if not unit_of(request):
        return "persona"
    return "open" if "No tool pointed at a line" in request.messages[-1].content else "site"


def judge_responder(verdicts: dict[str, str] | None = None, *, verdict: str = "yes",
                    reason: str = "an empty list reaches this line", reasons: dict[str, str] | None = None,
                    assessment: str = "The measured figures are shown above.",
                    claims: dict[str, int] | None = None) -> Callable[[CompletionRequest], str]:
    """Answer each site question with ``verdicts["file::qualname"]`` or ``verdicts["file::qualname::kind"]``
    (``verdict`` for the others) and ``reasons[...]`` (same keys; ``reason`` for the others), an open reading of
    a unit with the line ``claims["file::qualname"]`` (0, outside every unit, for the others), and every persona
    request with ``assessment``."""
    verdicts, reasons, claims = verdicts or {}, reasons or {}, claims or {}

    def respond(request: CompletionRequest) -> str:
        if question_of(request) == "persona":
            return json.dumps({"assessment": assessment})
        if question_of(request) == "open":
            return json.dumps({"line": claims.get(unit_of(request) or "", 0)})
        unit = unit_of(request) or ""
        kind = (site_of(request) or ("", 0))[0]
        answer = verdicts.get(f"{unit}::{kind}", verdicts.get(unit, verdict))
        why = reasons.get(f"{unit}::{kind}", reasons.get(unit, reason))
        return json.dumps({"reason": why, "answer": answer})

    return respond
