"""The evidence as scoring sees it: which files are product code, how big the product is, its own figures.

Product scores come from product code only (see :mod:`reviewer.scopes`): complexity and maintainability are
recomputed over product files, and penalties are densities per thousand product statements (radon's logical
lines), so a project is not buried under the count of findings a small one never reaches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from reviewer.evidence import BlockComplexity, Evidence, FileMetrics
from reviewer.findings import Finding
from reviewer.scopes import TEST_SCOPES, Scope, ScopesConfig, scope_of

__all__ = ["MIN_STATEMENTS", "ScoringView", "finding_scope"]

MIN_STATEMENTS = 100
"""Density floor: a repository is counted as at least this many statements, so a ten-line script with one
finding is not rated as if it held a hundred findings per thousand statements."""


def finding_scope(finding: Finding) -> str:
    """A finding's scope; one with no file (a repository-level figure) belongs to the product."""
    return finding.scope or "product"


@dataclass
class ScoringView:
    evidence: Evidence
    scopes: ScopesConfig = field(default_factory=ScopesConfig)

    def scope(self, rel: str) -> Scope:
        return scope_of(rel, self.scopes)

    @cached_property
    def product_files(self) -> list[FileMetrics]:
        cx = self.evidence.complexity
        return [f for f in cx.files if self.scope(f.path) == "product"] if cx is not None else []

    @cached_property
    def product_blocks(self) -> list[BlockComplexity]:
        cx = self.evidence.complexity
        return [b for b in cx.blocks if self.scope(b.file) == "product"] if cx is not None else []

    @cached_property
    def product_statements(self) -> int:
        """Logical lines of product code (radon lloc); 0 when complexity was not measured."""
        return sum(f.lloc for f in self.product_files)

    @property
    def thousand_statements(self) -> float:
        return max(self.product_statements, MIN_STATEMENTS) / 1000

    @cached_property
    def product_mi(self) -> float | None:
        mis = [f.mi for f in self.product_files if f.mi is not None]
        return sum(mis) / len(mis) if mis else None

    @cached_property
    def test_statements(self) -> int:
        """Logical lines of test code (tests and fixtures scopes)."""
        cx = self.evidence.complexity
        return sum(f.lloc for f in cx.files if self.scope(f.path) in TEST_SCOPES) if cx is not None else 0

    @property
    def thousand_test_statements(self) -> float:
        return max(self.test_statements, MIN_STATEMENTS) / 1000
