"""Repository facts: files and lines by language, project documents, CI, tests versus code, git state.

Lines are counted by streaming each file in binary chunks (linear, any size); a binary file (NUL bytes in its
first 8 KiB) counts as a file with no lines. Findings are project-level (no line): no README, no licence,
no tests, no CI.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

from reviewer.collectors.base import CollectContext, Collector, CollectorOutput
from reviewer.collectors.cache import cache_dir
from reviewer.collectors.git_facts import git_info
from reviewer.discovery import RepoFile
from reviewer.evidence import FileFailure, LanguageStats, RepoFactsSection
from reviewer.findings import Finding, Severity

__all__ = ["CI_PATTERNS", "RepoFactsCollector", "count_lines"]

_CHUNK = 1 << 20
CI_PATTERNS: tuple[str, ...] = (
    ".github/workflows/*.yml", ".github/workflows/*.yaml", ".gitlab-ci.yml", ".circleci/*", "Jenkinsfile",
    "azure-pipelines.yml", "azure-pipelines.yaml", ".travis.yml", "bitbucket-pipelines.yml", ".drone.yml",
    "appveyor.yml", ".appveyor.yml", ".buildkite/*", ".woodpecker.yml", ".woodpecker/*",
)
_DOCS = {
    "readme": ("readme*",),
    "license": ("license*", "licence*", "copying*"),
    "changelog": ("changelog*", "changes*", "history*", "news*", "releases*"),
}


def count_lines(path: Path) -> int | None:
    """Number of lines (a last line without newline counts), or None for a binary file."""
    lines = 0
    last = b"\n"
    with path.open("rb") as fh:
        first = True
        while chunk := fh.read(_CHUNK):
            if first and b"\0" in chunk[:8192]:
                return None
            first = False
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (0 if last == b"\n" else 1)


def _has_doc(root_names: list[str], kind: str) -> bool:
    return any(fnmatch.fnmatch(name.lower(), p) for name in root_names for p in _DOCS[kind])


def _ci_configs(files: list[RepoFile], root: Path) -> list[str]:
    rels = {f.rel for f in files}
    for pattern in CI_PATTERNS:  # CI folders are hidden; also look on disk in case discovery left them out
        rels.update(p.relative_to(root).as_posix() for p in root.glob(pattern) if p.is_file())
    return sorted(r for r in rels if any(fnmatch.fnmatch(r, p) for p in CI_PATTERNS))


def _project_finding(rule: str, severity: Severity, title: str, evidence: str, advice: str,
                     category: str) -> Finding:
    return Finding(rule=rule, severity=severity, title=title, source="repo_facts", evidence=evidence,
                   recommendation=advice, snippet="", category=category)


class RepoFactsCollector(Collector):
    name = "repo_facts"

    def _count(self, ctx: CollectContext, section: RepoFactsSection) -> list[FileFailure]:
        failures: list[FileFailure] = []
        for f in ctx.discovery.files:
            try:
                lines = count_lines(f.path)
            except OSError as exc:
                failures.append(FileFailure(path=f.rel, collector=self.name, kind="unreadable",
                                            message=exc.strerror or str(exc)))
                continue
            stats = section.languages.setdefault(f.language or "Other", LanguageStats())
            stats.files += 1
            stats.lines += lines or 0
            section.total_files += 1
            section.total_lines += lines or 0
            if f.is_python:
                if f.is_test:
                    section.test_files += 1
                    section.test_lines += lines or 0
                else:
                    section.source_files += 1
                    section.source_lines += lines or 0
        return failures

    def _findings(self, s: RepoFactsSection) -> list[Finding]:
        out: list[Finding] = []
        if not s.has_readme:
            out.append(_project_finding(
                "facts.no_readme", Severity.medium, "No README", "no README* file at the repository root",
                "Add a README saying what the project is, how to install it and how to run its tests.",
                "documentation"))
        if not s.has_license:
            out.append(_project_finding(
                "facts.no_license", Severity.low, "No licence file", "no LICENSE/COPYING file at the root",
                "Add a LICENSE file so others know whether and how they may use the code.", "documentation"))
        if s.source_files and not s.test_files:
            out.append(_project_finding(
                "facts.no_tests", Severity.medium, "No tests",
                f"no test files next to {s.source_files} Python source file(s)",
                "Add tests (tests/test_*.py) for the main behaviour.", "test_health"))
        if s.source_files and not s.ci_configs:
            out.append(_project_finding(
                "facts.no_ci", Severity.low, "No CI configuration", "no CI configuration found "
                "(.github/workflows, .gitlab-ci.yml, ...)", "Run the tests on every push in CI.", "test_health"))
        return out

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        section = RepoFactsSection()
        failures = self._count(ctx, section)
        section.languages = dict(sorted(section.languages.items()))
        root_names = [f.rel for f in ctx.discovery.files if "/" not in f.rel]
        section.has_readme = _has_doc(root_names, "readme")
        section.has_license = _has_doc(root_names, "license")
        section.has_changelog = _has_doc(root_names, "changelog")
        section.ci_configs = _ci_configs(ctx.discovery.files, ctx.root)
        if section.source_lines:
            section.test_to_code_ratio = round(section.test_lines / section.source_lines, 3)
        cache_file = cache_dir(ctx.root) / "git.json" if ctx.config.cache else None
        section.git = git_info(ctx.root, cache_file=cache_file)
        return CollectorOutput(section=section, findings=self._findings(section), failures=failures,
                               files=len(ctx.discovery.files))
