"""The small answer schemas: a unit's claims (at most 3), the yes/no adjudication, a persona's assessment.

Every string and list is bounded so that a looping model stops early under a grammar.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from reviewer.judge.kinds import Kind

__all__ = ["Adjudication", "Assessment", "Claim", "UnitAnswer"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Claim(_Model):
    line: int = Field(description="The line number shown left of the code")
    quote: str = Field(max_length=160, description="The code of that line, copied exactly")
    kind: Kind
    severity: Literal["high", "medium", "low"]
    why: str = Field(max_length=200, description="What goes wrong, in one sentence")
    fix: str = Field(max_length=160, description="The concrete change")


class UnitAnswer(_Model):
    findings: list[Claim] = Field(default_factory=list, max_length=3)


class Adjudication(_Model):
    reason: str = Field(max_length=200)
    answer: Literal["yes", "no"]


class Assessment(_Model):
    assessment: str = Field(max_length=400)
