"""Persona rubrics: data files (``rubrics/<persona>.yaml``) validated by pydantic, overridable per repository.

A rubric names the persona, its focus, the evidence sections it reads, the finding rules it owns, and weighted
criteria. Each criterion is one of a small fixed set of metric *kinds* (see :mod:`reviewer.review.criteria`);
its parameters are data, the mapping from evidence to points is code.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reviewer.config import read_yaml
from reviewer.errors import ConfigError
from reviewer.findings import Severity
from reviewer.resources import search_path

__all__ = [
    "ComplexityCriterion",
    "CoverageCriterion",
    "Criterion",
    "DocsCriterion",
    "FindingsPenaltyCriterion",
    "MaintainabilityCriterion",
    "PassRateCriterion",
    "Rubric",
    "TestRatioCriterion",
    "load_rubric",
    "load_rubrics",
]

Section = Literal[
    "complexity", "security", "tests", "markers", "dependencies", "config_smells", "repo_facts", "failures"
]
Rank = Literal["A", "B", "C", "D", "E", "F"]
ScopeName = Literal["product", "tests", "fixtures", "examples", "docs", "build"]
Per = Literal["product_statements", "test_statements", "repository"]
DocItem = Literal["readme", "license", "changelog", "ci"]
_RANK_POINTS: dict[Rank, float] = {"A": 1.0, "B": 1.0, "C": 0.75, "D": 0.5, "E": 0.25, "F": 0.0}
_DOC_ITEMS: dict[DocItem, float] = {"readme": 0.5, "license": 0.2, "changelog": 0.1, "ci": 0.2}
Dimension = Literal[
    "functionality", "reliability", "security", "performance", "maintainability", "test_health", "documentation"
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _CriterionBase(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    weight: float = Field(gt=0, le=100)
    dimension: Dimension


class PassRateCriterion(_CriterionBase):
    """Points = passed / ran. Not measured when no tests ran or were ingested."""

    kind: Literal["test_pass_rate"]


class CoverageCriterion(_CriterionBase):
    """Points = coverage / target (capped at 1). ``target`` defaults to config.review.coverage_target."""

    kind: Literal["coverage"]
    target: float | None = Field(default=None, gt=0, le=100)


class ComplexityCriterion(_CriterionBase):
    """Mean of: worst-rank points (table) and average cc mapped linearly from ``good_average`` to ``bad_average``."""

    kind: Literal["complexity"]
    rank_points: dict[Rank, float] = Field(default_factory=lambda: dict(_RANK_POINTS))
    good_average: float = Field(default=3.0, gt=0)
    bad_average: float = Field(default=12.0, gt=0)


class MaintainabilityCriterion(_CriterionBase):
    """Average maintainability index mapped linearly from ``poor`` (0 points) to ``good`` (1 point)."""

    kind: Literal["maintainability"]
    poor: float = Field(default=20.0, ge=0)
    good: float = Field(default=70.0, gt=0)


class FindingsPenaltyCriterion(_CriterionBase):
    """Penalties of the unsuppressed findings whose rule matches a glob and whose file is in ``scopes``.

    With ``per`` set (the packaged rubrics), each finding weighs its severity's penalty times its confidence
    factor; the sum is divided by the size (``product_statements``/``test_statements``: per thousand logical
    lines of that code; ``repository``: not divided, for findings counted once per repository such as an
    undeclared dependency) and mapped on a saturating curve: points = 0.5 ** (density / half_at), so
    ``half_at`` is the density that halves the points and no count ever drives them below what the density
    says. Without ``per`` (older rubrics), points = 1 minus the summed penalties, floor 0."""

    kind: Literal["findings_penalty"]
    rules: list[str] = Field(min_length=1, description="fnmatch globs on Finding.rule")
    penalties: dict[Severity, float] = Field(
        default_factory=lambda: {
            Severity.critical: 0.5, Severity.high: 0.25, Severity.medium: 0.1, Severity.low: 0.03, Severity.info: 0.0
        }
    )
    requires: Section = Field(description="Evidence section that must be present for this to count as measured")
    scopes: list[ScopeName] = Field(
        default_factory=lambda: ["product"], description="Scopes whose findings count (no file: product)")
    per: Per | None = Field(default=None, description="Size the weighted findings are divided by")
    half_at: float = Field(default=10.0, gt=0, description="Weighted density (or count) that halves the points")
    confidence: dict[str, float] = Field(
        default_factory=lambda: {"high": 1.0, "medium": 0.7, "low": 0.4},
        description="Factor per finding confidence (bandit's); findings without one count 1")


class DocsCriterion(_CriterionBase):
    """Fraction of the weighted project documents present (README, LICENSE, CHANGELOG, CI config)."""

    kind: Literal["docs"]
    items: dict[DocItem, float] = Field(default_factory=lambda: dict(_DOC_ITEMS))


class TestRatioCriterion(_CriterionBase):
    """Test lines per source line against ``target`` (capped at 1). Not measured without source code."""

    __test__ = False
    kind: Literal["test_ratio"]
    target: float = Field(default=0.5, gt=0)


Criterion = Annotated[
    PassRateCriterion
    | CoverageCriterion
    | ComplexityCriterion
    | MaintainabilityCriterion
    | FindingsPenaltyCriterion
    | DocsCriterion
    | TestRatioCriterion,
    Field(discriminator="kind"),
]


class Rubric(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    focus: str
    weight: float = Field(default=1.0, gt=0, description="Weight of this persona in the overall score")
    reads: list[Section] = Field(min_length=1, description="Evidence sections shown to this persona")
    owns: list[str] = Field(default_factory=list, description="Globs of finding rules this persona reports")
    criteria: list[Criterion] = Field(min_length=1)
    guidance: str = Field(description="What the model should look at and explain for this persona")


def _find(persona: str, override: Path | None) -> Path:
    if not re.fullmatch(r"[a-z0-9_]+", persona):  # a name, never a path: nothing outside the rubric folders
        raise ConfigError(f"persona {persona!r} is not a rubric id (lower-case letters, digits and _)",
                          key="review.personas")
    for directory in search_path("rubrics", override):
        candidate = directory / f"{persona}.yaml"
        if candidate.is_file():
            return candidate
    looked = ", ".join(str(d) for d in search_path("rubrics", override))
    raise ConfigError(f"no rubric for persona {persona!r} (looked in {looked})", key="review.personas")


def load_rubric(persona: str, override: Path | None = None) -> Rubric:
    """Load and validate ``<persona>.yaml`` from the override directory first, then the packaged rubrics."""
    path = _find(persona, override)
    data = read_yaml(path, what="rubric")
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        msg = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
        raise ConfigError(msg, file=path, key=".".join(map(str, first["loc"]))) from exc
    if rubric.id != persona:
        raise ConfigError(f"rubric id {rubric.id!r} does not match its file name", file=path, key="id")
    return rubric


def load_rubrics(personas: list[str], override: Path | None = None) -> list[Rubric]:
    return [load_rubric(p, override) for p in personas]
