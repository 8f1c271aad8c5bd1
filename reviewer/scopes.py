"""Where a file belongs: product code, tests, fixtures (test data), examples, docs, or build/tooling.

Scores of the product come from product code only; test code is judged on its own (test health); examples,
docs and build scripts are reported but do not weigh on the product. Each scope is a list of gitignore-style
globs (``pathspec``); the defaults below fit the usual layouts and ``[tool.reviewer.scopes]`` replaces the list
of any scope it names. The first scope whose globs match wins, in this order: product (an explicit override,
empty by default), fixtures, tests, examples, docs, build; a file nothing matches is product code.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import pathspec
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["NON_PRODUCT", "SCOPES", "TEST_SCOPES", "Scope", "ScopesConfig", "classify", "scope_of"]

Scope = Literal["product", "tests", "fixtures", "examples", "docs", "build"]
SCOPES: tuple[Scope, ...] = ("product", "tests", "fixtures", "examples", "docs", "build")
TEST_SCOPES: frozenset[str] = frozenset({"tests", "fixtures"})
NON_PRODUCT: frozenset[str] = frozenset(SCOPES) - {"product"}
_ORDER: tuple[Scope, ...] = ("product", "fixtures", "tests", "examples", "docs", "build")


class ScopesConfig(BaseModel):
    """Globs per scope (gitignore syntax, relative to the repository root)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    product: list[str] = Field(default_factory=list, description="Forced product code (checked first)")
    fixtures: list[str] = Field(default_factory=lambda: [
        "**/fixtures/**", "**/fixture/**", "tests/roots/**", "**/testdata/**", "**/test_data/**", "tests/data/**",
        "**/tests/**/data/**", "**/snapshots/**", "**/cassettes/**",
    ])
    tests: list[str] = Field(default_factory=lambda: [
        "tests/**", "test/**", "testing/**", "**/tests/**", "**/test/**", "test_*.py", "*_test.py", "conftest.py",
        "**/testing/**", "tests.py",
    ])
    examples: list[str] = Field(default_factory=lambda: [
        "examples/**", "example/**", "demo/**", "demos/**", "samples/**", "sample/**", "**/examples/**",
        "tutorial/**", "tutorials/**", "notebooks/**",
    ])
    docs: list[str] = Field(default_factory=lambda: ["docs/**", "doc/**", "documentation/**", "**/docs/**"])
    build: list[str] = Field(default_factory=lambda: [
        "/setup.py", "/noxfile.py", "/tasks.py", "/fabfile.py", "/pavement.py", "/hatch_build.py", "/build.py",
        "/make.py", "/release.py", "/bootstrap.py", "/dodo.py", "/conf.py", "scripts/**", "tools/**", "tool/**",
        "benchmarks/**", "benchmark/**", "bench/**", ".github/**", "ci/**", ".ci/**", "utils/release*",
    ])


@lru_cache(maxsize=32)
def _specs(frozen: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[tuple[str, pathspec.PathSpec], ...]:
    return tuple((name, pathspec.GitIgnoreSpec.from_lines(list(globs))) for name, globs in frozen if globs)


def _frozen(config: ScopesConfig) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((name, tuple(getattr(config, name))) for name in _ORDER)


def scope_of(rel: str, config: ScopesConfig | None = None) -> Scope:
    """The scope of the POSIX path ``rel`` (relative to the repository root)."""
    for name, spec in _specs(_frozen(config or _DEFAULT)):
        if spec.match_file(rel):
            return name  # type: ignore[return-value]
    return "product"


def classify(paths: list[str], config: ScopesConfig | None = None) -> dict[str, Scope]:
    return {p: scope_of(p, config) for p in paths}


_DEFAULT = ScopesConfig()
