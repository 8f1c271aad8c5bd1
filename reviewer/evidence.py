"""The evidence file: every measured figure about a repository, in one versioned pydantic model.

Collectors fill one section each and append :class:`~reviewer.findings.Finding` objects to ``findings``.
A failure on one file is a :class:`FileFailure`; a collector that fails as a whole is a
:class:`CollectorStatus` with ``ok=False``. Both are data: the run goes on.

Collectors may add fields to their own section (with defaults); renaming or removing one needs
``SCHEMA_VERSION`` bumped.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from reviewer.findings import Finding
from reviewer.jsonfile import read_versioned, write_atomic

__all__ = [
    "SCHEMA_VERSION",
    "BlockComplexity",
    "CollectorStatus",
    "ComplexitySection",
    "ClaimCheck",
    "ClaimsAuditSection",
    "ConfigSmellsSection",
    "CoverageFile",
    "DependenciesSection",
    "Evidence",
    "FileFailure",
    "FailurePath",
    "FailurePathsSection",
    "FileMetrics",
    "GitChurn",
    "GitInfo",
    "HalsteadTotals",
    "LanguageStats",
    "MarkersSection",
    "MissingTest",
    "ModuleFailurePaths",
    "RepoFactsSection",
    "SecuritySection",
    "SkippedFile",
    "TestCase",
    "TestsSection",
    "load_evidence",
    "write_evidence",
]

SCHEMA_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


FailureKind = Literal[
    "syntax_error",
    "newer_syntax",
    "decode_error",
    "too_large",
    "binary",
    "unreadable",
    "symlink_loop",
    "timeout",
    "tool_error",
    "outside_root",
]


class FileFailure(_Model):
    """A file one collector could not process; the run went on without it."""

    path: str
    collector: str
    kind: FailureKind
    message: str
    line: int | None = None


class SkippedFile(_Model):
    """A file a collector deliberately skipped or bounded (for example a huge generated literal file)."""

    path: str
    collector: str
    reason: str


class CollectorStatus(_Model):
    name: str
    ok: bool
    error: str | None = None
    duration_s: float = Field(
        default=0.0, description="Per-file analysis (summed over processes) plus the summary, in seconds"
    )
    files: int = 0
    cached_files: int = Field(default=0, description="Files whose result came from the content-hash cache")


# --- complexity (radon) -------------------------------------------------------------------------


class BlockComplexity(_Model):
    """One radon cc block, with the same figures as ``radon cc -j``."""

    file: str
    name: str
    type: Literal["function", "method", "class"]
    classname: str | None = None
    lineno: int
    endline: int | None = None
    col_offset: int = 0
    complexity: int
    rank: str


class HalsteadTotals(_Model):
    """Halstead totals of a file, as ``radon hal -j`` reports them under ``total``."""

    h1: int
    h2: int
    N1: int
    N2: int
    vocabulary: int
    length: int
    calculated_length: float
    volume: float
    difficulty: float
    effort: float
    time: float
    bugs: float


class FileMetrics(_Model):
    """Per-file radon figures: ``radon raw -j`` and ``radon mi -j`` (mi, rank)."""

    path: str
    loc: int
    lloc: int
    sloc: int
    comments: int
    multi: int
    blank: int
    single_comments: int
    mi: float | None = None
    mi_rank: str | None = None
    halstead: HalsteadTotals | None = None
    bounded: str | None = Field(default=None, description="Why a figure was bounded or left out, if it was")
    raw_engine: Literal["radon", "linear"] = Field(
        default="radon", description="radon.raw.analyze, or the linear-time pass with the same figures"
    )


class ComplexitySection(_Model):
    files: list[FileMetrics] = Field(default_factory=list)
    blocks: list[BlockComplexity] = Field(default_factory=list)
    average_complexity: float = 0.0
    worst_rank: str | None = None
    rank_counts: dict[str, int] = Field(default_factory=dict)
    average_mi: float | None = None
    total_sloc: int = 0
    suppressed_test_findings: int = Field(
        default=0, description="Complexity findings in test code left out as noise (config.noise.test_complexity)")
    skipped: list[SkippedFile] = Field(default_factory=list)


# --- security (bandit) --------------------------------------------------------------------------


class SecuritySection(_Model):
    """Bandit summary; the issues themselves are findings with rule ``bandit.<test_id>``."""

    files_scanned: int = 0
    loc_scanned: int = 0
    counts_by_severity: dict[str, int] = Field(default_factory=dict)
    counts_by_confidence: dict[str, int] = Field(default_factory=dict)
    suppressed_nosec: int = 0
    suppressed_test_asserts: int = 0
    suppressed_test_noise: int = Field(
        default=0, description="Other noise rules in test code (config.noise.test_bandit: B105-B107, B311)")
    bandit_version: str | None = None
    skipped: list[SkippedFile] = Field(default_factory=list)


# --- tests and coverage -------------------------------------------------------------------------


class TestCase(_Model):
    __test__ = False  # not a pytest test class

    name: str
    classname: str | None = None
    file: str | None = None
    line: int | None = None
    outcome: Literal["passed", "failed", "error", "skipped"]
    duration_s: float | None = None
    message: str | None = None


class CoverageFile(_Model):
    path: str
    statements: int
    covered: int
    missing_lines: list[int] = Field(default_factory=list)
    percent: float
    branches: int | None = None
    covered_branches: int | None = None


class TestsSection(_Model):
    __test__ = False

    mode: Literal["run", "ingest", "none"] = "none"
    command: list[str] | None = None
    exit_code: int | None = None
    timed_out: bool = False
    duration_s: float | None = None
    total: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    failures: list[TestCase] = Field(default_factory=list, description="Failed and errored test cases")
    coverage_percent: float | None = None
    coverage_files: list[CoverageFile] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list, description="Report files read (ingest) or written (run)")
    output_tail: str | None = Field(default=None, description="End of the test command's output (run mode)")
    interpreter: str | None = Field(default=None, description="Interpreter that ran the tests (run mode)")
    interpreter_source: Literal["config", "virtual_env", "repository_venv", "path", "reviewer"] | None = Field(
        default=None, description="How it was found: tests.python, $VIRTUAL_ENV, .venv/venv in the repository, "
                                  "python on PATH, or reviewer's own interpreter (the last resort)")
    interpreter_notes: list[str] = Field(default_factory=list, description="What the interpreter search found")
    imported_from: dict[str, str | None] = Field(
        default_factory=dict, description="Top-level package of the repository -> where the interpreter imports it")
    imports_checkout: bool | None = Field(
        default=None, description="True when the repository's packages are imported from the checkout itself")
    measurement_error: str | None = Field(
        default=None, description="Why the run does not measure this repository (its package came from "
                                  "reviewer's own environment); such results are not gated")
    not_measured: str | None = Field(
        default=None, description="Why tests that were asked for produced no result (timeout, no JUnit report)")

    @property
    def pass_rate(self) -> float | None:
        ran = self.total - self.skipped
        return None if ran <= 0 else self.passed / ran


# --- markers, dependencies, config smells -------------------------------------------------------


class MarkersSection(_Model):
    counts: dict[str, int] = Field(default_factory=dict, description="todo, fixme, xxx, hack, stub, scratch")
    scratch_files: list[str] = Field(default_factory=list)


class DependenciesSection(_Model):
    declared: list[str] = Field(default_factory=list, description="Normalised distribution names")
    declared_in: list[str] = Field(default_factory=list, description="Files the declarations came from")
    imported: dict[str, str | None] = Field(
        default_factory=dict, description="Third-party top-level import -> distribution name (None if unknown)"
    )
    undeclared: list[str] = Field(default_factory=list, description="Imports with no declared distribution")
    unused: list[str] = Field(default_factory=list, description="Declared distributions never imported")
    local_packages: list[str] = Field(default_factory=list)


class ConfigSmellsSection(_Model):
    counts: dict[str, int] = Field(default_factory=dict, description="rule -> number of findings")


# --- repo facts ---------------------------------------------------------------------------------


class LanguageStats(_Model):
    files: int = 0
    lines: int = 0


class GitChurn(_Model):
    path: str
    commits: int
    added: int
    deleted: int


class GitInfo(_Model):
    branch: str | None = None
    commit: str | None = None
    dirty: bool = False
    commits_considered: int = 0
    churn: list[GitChurn] = Field(default_factory=list)


class RepoFactsSection(_Model):
    languages: dict[str, LanguageStats] = Field(default_factory=dict)
    total_files: int = 0
    total_lines: int = 0
    has_readme: bool = False
    has_license: bool = False
    has_changelog: bool = False
    ci_configs: list[str] = Field(default_factory=list)
    source_files: int = 0
    test_files: int = 0
    source_lines: int = 0
    test_lines: int = 0
    test_to_code_ratio: float | None = None
    git: GitInfo | None = None


# --- failure paths (coverage x AST) and the claims audit (the repository's own documents) -------


class FailurePath(_Model):
    """One ``except`` handler or ``raise`` statement and whether its line ran under the tests."""

    file: str
    line: int
    kind: Literal["except", "raise"]
    function: str | None = Field(default=None, description="Enclosing function (Class.method), None at module level")
    exception: str | None = Field(default=None, description="Exception caught or raised, as written")
    ran: bool


class ModuleFailurePaths(_Model):
    path: str
    handlers: int = 0
    handlers_ran: int = 0
    raises: int = 0
    raises_ran: int = 0
    never_ran: list[FailurePath] = Field(default_factory=list, description="Handlers and raises that never ran")


class MissingTest(_Model):
    """A test to write: named after the function and the failure path that never ran."""

    name: str
    file: str
    line: int
    function: str | None = None
    exception: str | None = None
    kind: Literal["except", "raise"] = "except"


class FailurePathsSection(_Model):
    """Per product module: except handlers and raise statements whose lines ran vs never ran (from coverage)."""

    measured: bool = Field(default=False, description="False when no coverage data was available")
    reason: str | None = Field(default=None, description="Why it was not measured")
    handlers: int = 0
    handlers_ran: int = 0
    raises: int = 0
    raises_ran: int = 0
    modules: list[ModuleFailurePaths] = Field(default_factory=list)
    missing_tests: list[MissingTest] = Field(default_factory=list)


ClaimKind = Literal["test_count", "pass_rate", "coverage", "readiness", "file_exists", "function_exists"]


class ClaimCheck(_Model):
    """A claim found in the repository's own documents, checked against the evidence."""

    file: str
    line: int
    kind: ClaimKind
    text: str = Field(description="The claim as written (clipped)")
    claimed: str
    measured: str | None = None
    status: Literal["verified", "contradicted", "not_measured"]


class ClaimsAuditSection(_Model):
    documents: list[str] = Field(default_factory=list, description="Documents read (root and docs/)")
    claims: list[ClaimCheck] = Field(default_factory=list)
    skipped: list[SkippedFile] = Field(default_factory=list)


# --- the evidence file --------------------------------------------------------------------------


class Evidence(_Model):
    schema_version: int = SCHEMA_VERSION
    tool_version: str
    created_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    repo_name: str
    files_discovered: int = 0
    python_files: list[str] = Field(default_factory=list)
    complexity: ComplexitySection | None = None
    security: SecuritySection | None = None
    tests: TestsSection | None = None
    markers: MarkersSection | None = None
    dependencies: DependenciesSection | None = None
    config_smells: ConfigSmellsSection | None = None
    repo_facts: RepoFactsSection | None = None
    failure_paths: FailurePathsSection | None = None
    claims_audit: ClaimsAuditSection | None = None
    findings: list[Finding] = Field(default_factory=list)
    failures: list[FileFailure] = Field(default_factory=list)
    skipped: list[SkippedFile] = Field(default_factory=list)
    collectors: list[CollectorStatus] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="Run-level remarks, e.g. a cache not written")
    duration_s: float = 0.0


def write_evidence(evidence: Evidence, path: Path) -> Path:
    """Write atomically (temp file + rename) so an interrupted run never leaves half a file."""
    return write_atomic(evidence.model_dump_json(indent=2), path)


def load_evidence(path: Path) -> Evidence:
    return read_versioned(path, Evidence, SCHEMA_VERSION, "evidence file")
