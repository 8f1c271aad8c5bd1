"""The small answer schemas: the reason and yes/no answer at a site, a persona's assessment.

Every string and list is bounded so that a looping model stops early under a grammar.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Adjudication", "Assessment", "OpenClaim"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Adjudication(_Model):
    reason: str = Field(max_length=200)
    answer: Literal["yes", "no"]


class Assessment(_Model):
    assessment: str = Field(max_length=400)


class OpenClaim(_Model):
    """An open reading's answer: the one line most likely to be wrong."""

    line: int = Field(ge=0, le=1_000_000)
