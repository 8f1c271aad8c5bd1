"""The one finding model, used for deterministic (collector) findings and for checked model findings."""

from __future__ import annotations

import hashlib
import re
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["SEVERITY_ORDER", "Finding", "Severity", "fingerprint", "normalise_code"]


class Severity(str, Enum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    info = "info"

    @property
    def rank(self) -> int:
        """0 for critical ... 4 for info: sort ascending for most severe first."""
        return SEVERITY_ORDER.index(self)


SEVERITY_ORDER: list[Severity] = [Severity.critical, Severity.high, Severity.medium, Severity.low, Severity.info]

_WS = re.compile(r"\s+")


def normalise_code(code: str | None) -> str:
    """Whitespace-insensitive form of a code line, used for fingerprints and quote matching."""
    if not code:
        return ""
    return _WS.sub(" ", code).strip()


def fingerprint(rule: str, file: str | None, code: str | None, extra: str = "") -> str:
    """Stable identity of a finding: rule + file + normalised code of its line (not the line number),
    so a finding whose line merely shifted keeps its fingerprint across runs."""
    payload = "\x1f".join([rule, file or "", normalise_code(code), extra])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


class Finding(BaseModel):
    """One problem (or notable fact) with a location or a measured figure behind it."""

    model_config = ConfigDict(extra="forbid")

    rule: str = Field(description="Stable id such as bandit.B602, radon.cc, deps.undeclared, markers.todo")
    severity: Severity
    title: str
    file: str | None = Field(default=None, description="POSIX path relative to the repo root")
    line: int | None = Field(default=None, ge=1)
    end_line: int | None = Field(default=None, ge=1)
    source: str = Field(description="The collector that measured it, or 'model'")
    evidence: str = Field(description="What was measured, or the code line (secrets redacted)")
    recommendation: str = ""
    snippet: str | None = Field(default=None, description="The code of the line, for fingerprints (redacted)")
    category: str | None = Field(
        default=None,
        description="Health dimension: functionality, reliability, security, performance, maintainability, "
        "test_health, documentation",
    )
    confidence: str | None = None
    scope: str | None = Field(
        default=None, description="Where the file belongs: product, tests, fixtures, examples, docs, build")
    cwe: int | None = None
    id: str | None = Field(default=None, description="Assigned by the review: F001, F002, ...")
    agent: str | None = Field(default=None, description="Persona that reported it (model findings) or owns it")
    model: str | None = Field(default=None, description="Model that produced it, for source == 'model'")
    fingerprint: str | None = None
    suppressed: bool = False
    suppression: str | None = Field(default=None, description="Why it is suppressed (inline comment, file)")

    def compute_fingerprint(self) -> str:
        return fingerprint(self.rule, self.file, self.snippet if self.snippet is not None else self.evidence)

    def with_fingerprint(self) -> "Finding":
        if self.fingerprint is None:
            self.fingerprint = self.compute_fingerprint()
        return self

    @property
    def location(self) -> str:
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file
