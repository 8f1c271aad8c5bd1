"""Scripted model answers for the unit-by-unit judgement (used with reviewer.backends.fake.FakeBackend)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from reviewer.backends.base import CompletionRequest

__all__ = ["claim", "judge_responder", "question_of", "unit_of"]

_UNIT = re.compile(r"^Unit: (\S+) \((\w+)\) in (\S+)", re.M)


def claim(line: int, quote: str, kind: str, severity: str = "medium", why: str = "it fails", fix: str = "fix it"
          ) -> dict[str, Any]:
    return {"line": line, "quote": quote, "kind": kind, "severity": severity, "why": why, "fix": fix}


def unit_of(request: CompletionRequest) -> str | None:
    """'file::qualname' of the unit a request is about, None for a persona request."""
    match = _UNIT.search(request.messages[-1].content)
    return f"{match.group(3)}::{match.group(1)}" if match else None


def question_of(request: CompletionRequest) -> str:
    """'unit', 'adjudicate' or 'persona'."""
    text = request.messages[-1].content
    if "first reader claimed" in text:
        return "adjudicate"
    return "unit" if unit_of(request) else "persona"


def judge_responder(claims: dict[str, list[dict[str, Any]]] | None = None, *, verdict: str = "yes",
                    assessment: str = "The measured figures are shown above.") -> Callable[[CompletionRequest], str]:
    """Answer unit questions with ``claims[file::qualname]`` (none for other units), every adjudication with
    ``verdict`` and every persona request with ``assessment``."""
    claims = claims or {}

    def respond(request: CompletionRequest) -> str:
        kind = question_of(request)
        if kind == "adjudicate":
            return json.dumps({"reason": "checked against the code", "answer": verdict})
        if kind == "persona":
            return json.dumps({"assessment": assessment})
        return json.dumps({"findings": claims.get(unit_of(request) or "", [])})

    return respond
