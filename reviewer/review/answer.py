"""The JSON a persona must answer with, as a pydantic model (its schema is what the backend is constrained to).

``score_adjustment`` is an enum of the allowed integers (llama.cpp grammars ignore minimum/maximum), built for
the configured bound by :func:`answer_model`. Every string and list is bounded so a looping model stops early.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from reviewer.findings import Severity

__all__ = ["ADJUSTMENT_STEP", "ModelAnswerBase", "ModelFinding", "allowed_adjustments", "answer_model"]

ADJUSTMENT_STEP = 1

Category = Literal[
    "functionality", "reliability", "security", "performance", "maintainability", "test_health", "documentation"
]


class ModelFinding(BaseModel):
    model_config = ConfigDict(extra="forbid")

    severity: Severity
    category: Category
    title: str = Field(max_length=120)
    file: str = Field(max_length=200, description="Path relative to the repository root, as shown in the evidence")
    line: int = Field(description="1-based line number of the quoted code")
    quote: str = Field(max_length=240, description="The exact code on that line, copied from the evidence")
    recommendation: str = Field(max_length=300)


class ModelAnswerBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    summary: str = Field(max_length=600)
    strengths: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=4)
    findings: list[ModelFinding] = Field(default_factory=list, max_length=6)


def allowed_adjustments(max_adjustment: int) -> list[int]:
    return list(range(-max_adjustment, max_adjustment + 1, ADJUSTMENT_STEP))


@lru_cache(maxsize=8)
def answer_model(max_adjustment: int) -> type[ModelAnswerBase]:
    """The answer model whose ``score_adjustment`` accepts only -max..+max."""
    values: tuple[int, ...] = tuple(allowed_adjustments(max_adjustment))
    adjustment: Any = Literal[values]  # type: ignore[valid-type]
    return create_model(
        "ModelAnswer",
        __base__=ModelAnswerBase,
        score_adjustment=(adjustment, Field(description=f"Integer from -{max_adjustment} to {max_adjustment}")),
        adjustment_reason=(str, Field(max_length=300, description="Why the adjustment, from the evidence")),
    )
