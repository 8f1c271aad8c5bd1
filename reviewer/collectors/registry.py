"""The built-in collectors, in the order their sections appear in the evidence."""

from __future__ import annotations

import importlib

from reviewer.collectors.base import Collector
from reviewer.collectors.derived import DerivedCollector

__all__ = ["BUILTIN_COLLECTORS", "DERIVED_COLLECTORS", "builtin_collectors", "derived_collectors"]

BUILTIN_COLLECTORS: dict[str, str] = {
    "complexity": "reviewer.collectors.complexity:ComplexityCollector",
    "security": "reviewer.collectors.security:SecurityCollector",
    "tests": "reviewer.collectors.tests:TestsCollector",
    "markers": "reviewer.collectors.markers:MarkersCollector",
    "dependencies": "reviewer.collectors.dependencies:DependenciesCollector",
    "config_smells": "reviewer.collectors.config_smells:ConfigSmellsCollector",
    "repo_facts": "reviewer.collectors.repo_facts:RepoFactsCollector",
}
# Run after the others, on the assembled evidence (they read the tests section).
DERIVED_COLLECTORS: dict[str, str] = {
    "failure_paths": "reviewer.collectors.failure_paths:FailurePathsCollector",
    "claims_audit": "reviewer.collectors.claims_audit:ClaimsAuditCollector",
}


def builtin_collectors(names: list[str] | None = None) -> list[Collector]:
    """Instances of the built-in collectors (all, or those named)."""
    chosen = [n for n in names if n in BUILTIN_COLLECTORS] if names is not None else list(BUILTIN_COLLECTORS)
    out: list[Collector] = []
    for name in chosen:
        module_name, _, attr = BUILTIN_COLLECTORS[name].partition(":")
        out.append(getattr(importlib.import_module(module_name), attr)())
    return out


def derived_collectors(names: list[str] | None = None) -> list[DerivedCollector]:
    """Instances of the derived collectors (all, or those named; unknown names are for builtin_collectors)."""
    chosen = [n for n in (names if names is not None else list(DERIVED_COLLECTORS)) if n in DERIVED_COLLECTORS]
    out: list[DerivedCollector] = []
    for name in chosen:
        module_name, _, attr = DERIVED_COLLECTORS[name].partition(":")
        out.append(getattr(importlib.import_module(module_name), attr)())
    return out
