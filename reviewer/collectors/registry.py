"""The built-in collectors, in the order their sections appear in the evidence."""

from __future__ import annotations

import importlib

from reviewer.collectors.base import Collector

__all__ = ["BUILTIN_COLLECTORS", "builtin_collectors"]

BUILTIN_COLLECTORS: dict[str, str] = {
    "complexity": "reviewer.collectors.complexity:ComplexityCollector",
    "security": "reviewer.collectors.security:SecurityCollector",
    "tests": "reviewer.collectors.tests:TestsCollector",
    "markers": "reviewer.collectors.markers:MarkersCollector",
    "dependencies": "reviewer.collectors.dependencies:DependenciesCollector",
    "config_smells": "reviewer.collectors.config_smells:ConfigSmellsCollector",
    "repo_facts": "reviewer.collectors.repo_facts:RepoFactsCollector",
}


def builtin_collectors(names: list[str] | None = None) -> list[Collector]:
    """Instances of the built-in collectors (all, or those named)."""
    chosen = names if names is not None else list(BUILTIN_COLLECTORS)
    out: list[Collector] = []
    for name in chosen:
        module_name, _, attr = BUILTIN_COLLECTORS[name].partition(":")
        out.append(getattr(importlib.import_module(module_name), attr)())
    return out
