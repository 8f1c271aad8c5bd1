"""``review.json``: the full, versioned result of a review (the input of reports, the gate and checkpoints)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from reviewer.evidence import ClaimsAuditSection, FailurePathsSection
from reviewer.findings import Finding
from reviewer.jsonfile import read_versioned, write_atomic

__all__ = [
    "RESULT_SCHEMA_VERSION",
    "AgentResult",
    "BackendInfo",
    "CriterionScore",
    "DroppedClaim",
    "GateCheck",
    "GateResult",
    "HealthRow",
    "Metrics",
    "ModelContext",
    "Recommendation",
    "ReviewResult",
    "RankedUnit",
    "ScoreContributor",
    "UnanalysedFile",
    "Verdict",
    "load_result",
    "write_result",
]

RESULT_SCHEMA_VERSION = 1

Verdict = Literal["ready", "ready_with_fixes", "not_confirmed", "not_ready"]
"""not_confirmed: no blocker was measured, but the tests were not run (or did not report), so readiness is unknown."""
Dimension = Literal[
    "functionality", "reliability", "security", "performance", "maintainability", "test_health", "documentation"
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BackendInfo(_Model):
    name: str
    model: str | None = None


class CriterionScore(_Model):
    """One weighted rubric criterion: how the measured figure mapped to points."""

    id: str
    name: str
    weight: float
    points: float = Field(description="0..1 fraction earned, before weighting")
    measured: str = Field(description="The figure it came from, e.g. 'coverage 63.2% (target 80%)'")
    status: Literal["measured", "not_measured"] = Field(
        default="measured", description="not_measured: its evidence is missing; left out of the weight sum"
    )
    dimension: str | None = Field(default=None, description="Health dimension this criterion feeds")


class ScoreContributor(_Model):
    """One rule's cost to a persona score: the points it took, in which scope, from how many findings."""

    rule: str
    scope: str | None = None
    points: float = Field(description="Points this rule cost the persona score")
    count: int = 0


class AgentResult(_Model):
    id: str
    name: str
    focus: str = ""
    score: int = Field(ge=0, le=100, description="Final score: base_score + adjustment, clamped")
    base_score: int = Field(ge=0, le=100, description="Deterministic score from the rubric and evidence")
    adjustment: int = 0
    adjustment_reason: str | None = None
    criteria: list[CriterionScore] = Field(default_factory=list)
    summary: str = ""
    strengths: list[str] = Field(default_factory=list)
    recommendations: list[str] = Field(default_factory=list)
    findings: list[str] = Field(default_factory=list, description="Finding ids")
    model_error: str | None = Field(default=None, description="Why the model part of this review is missing")
    notes: list[str] = Field(default_factory=list, description="Criteria not measured, runs that failed, ...")
    status: Literal["measured", "partial", "not_measured"] = Field(
        default="measured", description="not_measured: no criterion had evidence (no score shown, left out of the "
        "overall); partial: some criteria were missing (named in missing_criteria)")
    missing_criteria: list[str] = Field(default_factory=list, description="Names of criteria with no evidence")
    contributors: list[ScoreContributor] = Field(
        default_factory=list, description="What cost this persona points, largest first")


class DroppedClaim(_Model):
    agent: str
    title: str
    file: str | None = None
    line: int | None = None
    reason: str


class RankedUnit(_Model):
    """One unit the model read: where it is, its measured risk and the reasons, what came of it."""

    file: str
    name: str
    line: int
    risk: float = 0.0
    reasons: list[str] = Field(default_factory=list)
    cached: bool = Field(default=False, description="Answered from the cache (same unit, model and prompts)")
    kept: int = 0
    dropped: int = 0
    error: str | None = Field(default=None, description="Why the unit got no answer (the call failed)")


class ModelContext(_Model):
    """What the model saw, what was clipped to fit its context, and what of its answer was thrown away."""

    context_tokens: int | None = None
    prompt_tokens_budget: int | None = None
    sections_seen: list[str] = Field(default_factory=list)
    sections_clipped: list[str] = Field(default_factory=list)
    files_seen: list[str] = Field(default_factory=list)
    files_left_out: int = 0
    claims_dropped: int = 0
    dropped: list[DroppedClaim] = Field(default_factory=list)
    numbers_contradicted: int = 0
    contradictions: list[str] = Field(default_factory=list, description="Model claims that contradicted evidence")
    sentences_unsupported: int = Field(
        default=0, description="Model sentences removed: they assert a topic (SQL injection, eval, ...) that no "
        "unsuppressed finding supports")
    unsupported: list[str] = Field(default_factory=list, description="The removed sentences and their topics")
    strengths_dropped: int = Field(
        default=0, description="Model strengths left out: empty, one word, duplicated, or describing a problem")
    claims_merged: int = Field(default=0, description="Model findings merged into a deterministic finding")
    claims_not_in_majority: int = Field(default=0, description="Always 0: --runs is retired; kept so that older "
                                        "review.json files still load")
    backend_error: str | None = Field(default=None, description="Why model calls stopped (backend down)")
    status: Literal["off", "complete", "partial", "failed"] = Field(
        default="off", description="off: no model configured (--backend none); complete: every planned call "
        "answered; partial: the budget ran out or some calls failed; failed: no model call succeeded")
    status_reason: str | None = Field(default=None, description="Why the model part is partial or failed")
    units_total: int = Field(default=0, description="Code units (functions, methods, module code) in the repository")
    units_with_sites: int = Field(default=0, description="Units where the code has the shape of a defect kind (a "
                                  "division, an except handler, an open() outside with...): the model is asked only "
                                  "about these")
    units_read: int = Field(default=0, description="Units with sites the model was asked about (riskiest first)")
    units_openable: int = Field(default=0, description="Units without sites that an open reading may read (ordinary "
                                "product code with some risk; 0 when open reading is off)")
    units_read_openly: int = Field(default=0, description="Units without sites the model read openly: it named one "
                                   "line and kind, kept only if the line can hold that kind and the kind's question "
                                   "then gets a yes")
    sites_total: int = Field(default=0, description="Possible defects (kind and line) the code's shape shows")
    sites_asked: int = Field(default=0, description="Possible defects the model answered yes or no to")
    findings_kept: int = Field(default=0, description="Model findings that survived every check")
    calls: int = Field(default=0, description="Model calls made")
    calls_failed: int = Field(default=0, description="Model calls that failed (timeout, bad answer, error)")
    tokens: int = Field(default=0, description="Prompt plus completion tokens over all model calls")
    tokens_per_kept_finding: float | None = None
    units_ranked: list[RankedUnit] = Field(
        default_factory=list, description="The units read, riskiest first, with the reasons for their rank")


class Metrics(_Model):
    tests_total: int | None = None
    tests_passed: int | None = None
    tests_failed: int | None = None
    tests_errors: int | None = None
    tests_skipped: int | None = None
    coverage_percent: float | None = None
    average_complexity: float | None = None
    worst_complexity_rank: str | None = None
    average_mi: float | None = None
    security_by_severity: dict[str, int] = Field(default_factory=dict)
    files: int = 0
    python_files: int = 0
    sloc: int = 0
    undeclared_dependencies: int = 0
    markers: int = 0
    file_failures: int = 0
    tests_measurement_error: str | None = Field(
        default=None, description="Why the test run did not measure this repository; its figures are left out")
    tests_not_measured: str | None = Field(
        default=None, description="Why tests that were asked for gave no result; the tests gate check fails")


class HealthRow(_Model):
    dimension: Dimension
    score: int | None = Field(default=None, ge=0, le=100, description="None when nothing in this area was measured")
    status: Literal["good", "fair", "poor", "not_measured"]
    note: str = ""


class Recommendation(_Model):
    horizon: Literal["immediate", "short_term", "long_term"]
    text: str
    finding_ids: list[str] = Field(default_factory=list)


class GateCheck(_Model):
    name: str
    threshold: str
    actual: str
    passed: bool


class GateResult(_Model):
    passed: bool
    checks: list[GateCheck] = Field(default_factory=list)
    baseline: str | None = Field(default=None, description="Baseline result file, when gating on new findings")
    new_findings: list[str] = Field(default_factory=list, description="Ids of findings not in the baseline")
    suppressed: int = 0


class UnanalysedFile(_Model):
    """A file the review could not analyse (too large, undecodable, a symlink leaving the root, ...)."""

    path: str
    reason: str
    holds_code: bool = Field(default=False, description="A Python file (or one that looks like code)")


class ReviewResult(_Model):
    schema_version: int = RESULT_SCHEMA_VERSION
    tool_version: str
    created_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    repo_name: str
    commit: str | None = None
    overall_score: int = Field(ge=0, le=100)
    verdict: Verdict
    verdict_reasons: list[str] = Field(default_factory=list)
    blockers: list[str] = Field(
        default_factory=list, description="Named blockers behind a not_ready verdict (the default gate fails on any)")
    backend: BackendInfo
    runs: int = 1
    agents: list[AgentResult] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    metrics: Metrics = Field(default_factory=Metrics)
    health: list[HealthRow] = Field(default_factory=list)
    severity_counts: dict[str, int] = Field(default_factory=dict)
    recommendations: list[Recommendation] = Field(default_factory=list)
    model_context: ModelContext = Field(default_factory=ModelContext)
    gate: GateResult | None = None
    timings: dict[str, float] = Field(default_factory=dict, description="Seconds per stage")
    evidence_file: str | None = None
    unanalysed_files: list[UnanalysedFile] = Field(
        default_factory=list, description="Files no collector could analyse, with the reason; every report lists them")
    failure_paths: FailurePathsSection | None = Field(
        default=None, description="except/raise lines that ran vs never ran under the tests, and tests to write")
    claims_audit: ClaimsAuditSection | None = Field(
        default=None, description="Claims in the repository's own documents checked against the evidence")

    def finding(self, finding_id: str) -> Finding | None:
        return next((f for f in self.findings if f.id == finding_id), None)


def write_result(result: ReviewResult, path: Path) -> Path:
    return write_atomic(result.model_dump_json(indent=2), path)


def load_result(path: Path) -> ReviewResult:
    return read_versioned(path, ReviewResult, RESULT_SCHEMA_VERSION, "review result")
