"""Which health dimension a deterministic finding belongs to, from its rule (when the collector left it unset)."""

from __future__ import annotations

from fnmatch import fnmatchcase

from reviewer.findings import Finding

__all__ = ["DIMENSIONS", "categorise", "category_for_rule"]

DIMENSIONS: tuple[str, ...] = (
    "functionality", "reliability", "security", "performance", "maintainability", "test_health", "documentation"
)

# First match wins.
_RULE_DIMENSIONS: list[tuple[str, str]] = [
    ("bandit.*", "security"),
    ("security.*", "security"),
    ("tests.uncovered*", "test_health"),
    ("coverage.*", "test_health"),
    ("tests.*", "functionality"),
    ("radon.*", "maintainability"),
    ("complexity.*", "maintainability"),
    ("markers.stub*", "functionality"),
    ("markers.*", "maintainability"),
    ("deps.*", "reliability"),
    ("config.*", "reliability"),
    ("smells.*", "reliability"),
    ("docs.*", "documentation"),
]


def category_for_rule(rule: str) -> str:
    for glob, dimension in _RULE_DIMENSIONS:
        if fnmatchcase(rule, glob):
            return dimension
    return "maintainability"


def categorise(finding: Finding) -> Finding:
    """The finding with ``category`` set from its rule when the collector did not set a valid one."""
    if finding.category in DIMENSIONS:
        return finding
    return finding.model_copy(update={"category": category_for_rule(finding.rule)})
