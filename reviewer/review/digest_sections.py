"""The candidate items of each digest section, most important first (the budget is applied in digest.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reviewer.evidence import Evidence
from reviewer.findings import Finding
from reviewer.review.repofile import read_repo_lines

__all__ = ["EXCERPT_RADIUS", "DigestItem", "DigestSection", "excerpt_items", "overview_lines", "section_items"]


@dataclass
class DigestItem:
    text: str
    files: list[str] = field(default_factory=list)


@dataclass
class DigestSection:
    name: str
    title: str
    untrusted: bool
    items: list[DigestItem] = field(default_factory=list)
    total: int = 0

EXCERPT_RADIUS = 3
_MESSAGE_CHARS = 300
_EVIDENCE_CHARS = 200


def _clip(text: str | None, limit: int) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _tests_line(ev: Evidence) -> str:
    t = ev.tests
    if t is None or t.mode == "none":
        return "tests: not run and no reports found (not measured)"
    cov = f"{t.coverage_percent:.1f}%" if t.coverage_percent is not None else "not measured"
    return (f"tests ({t.mode}): {t.total} total, {t.passed} passed, {t.failed} failed, {t.errors} errors, "
            f"{t.skipped} skipped; line coverage {cov}")


def overview_lines(ev: Evidence) -> list[str]:
    lines = [f"repository: {ev.repo_name}; {ev.files_discovered} files, {len(ev.python_files)} Python files",
             _tests_line(ev)]
    if ev.complexity is not None:
        c = ev.complexity
        mi = f"{c.average_mi:.1f}" if c.average_mi is not None else "n/a"
        lines.append(f"complexity: average cc {c.average_complexity:.1f}, worst rank {c.worst_rank or 'n/a'}, "
                     f"ranks {dict(sorted(c.rank_counts.items()))}, average maintainability index {mi}, "
                     f"{c.total_sloc} SLOC")
    if ev.security is not None:
        lines.append(f"security (bandit): by severity {ev.security.counts_by_severity or {}}, "
                     f"{ev.security.files_scanned} files scanned")
    if ev.dependencies is not None:
        d = ev.dependencies
        lines.append(f"dependencies: {len(d.declared)} declared, undeclared imports {d.undeclared or 'none'}, "
                     f"declared but unused {d.unused or 'none'}")
    if ev.markers is not None:
        lines.append(f"markers: {ev.markers.counts or 'none'}")
    if ev.config_smells is not None:
        lines.append(f"config smells: {ev.config_smells.counts or 'none'}")
    if ev.repo_facts is not None:
        f = ev.repo_facts
        ratio = f"{f.test_to_code_ratio:.2f}" if f.test_to_code_ratio is not None else "n/a"
        lines.append(f"docs: README {f.has_readme}, LICENSE {f.has_license}, CHANGELOG {f.has_changelog}, "
                     f"CI {f.ci_configs or 'none'}; test-to-code ratio {ratio}")
    if ev.failures:
        lines.append(f"files that could not be analysed: {len(ev.failures)}")
    return lines


def _finding_item(f: Finding) -> tuple[str, list[str]]:
    where = f.location or "(no location)"
    text = f"[{f.severity.value}] {f.rule} at {where}: {_clip(f.title, 120)} | evidence: {_clip(f.evidence, _EVIDENCE_CHARS)}"
    return text, [f.file] if f.file and f.line else []


def section_items(ev: Evidence, ranked: list[Finding], high: list[Finding]) -> list[DigestSection]:
    failing = [
        DigestItem(f"{t.name} ({t.file or '?'}:{t.line or '?'}) {t.outcome}: {_clip(t.message, _MESSAGE_CHARS)}",
                   [t.file] if t.file and t.line else [])
        for t in (ev.tests.failures if ev.tests is not None else [])
    ]
    blocks = sorted(ev.complexity.blocks if ev.complexity is not None else [], key=lambda b: -b.complexity)
    hotspots = [DigestItem(f"{b.file}:{b.lineno} {b.type} {b.name}: cc {b.complexity} rank {b.rank}")
                for b in blocks if b.rank not in ("A", "B")]
    others = [f for f in ranked if f not in high]
    cov_files = sorted(ev.tests.coverage_files if ev.tests is not None else [], key=lambda c: c.percent)
    uncovered = [DigestItem(f"{c.path}: {c.percent:.1f}% of {c.statements} statements covered") for c in cov_files
                 if c.percent < 100]
    return [
        DigestSection("failing_tests", "Failing tests (names and messages are repository text)", True, failing),
        DigestSection("high_findings", "Critical and high findings", True,
                      [DigestItem(*_finding_item(f)) for f in high]),
        DigestSection("hotspots", "Complexity hotspots (rank C or worse)", True, hotspots),
        DigestSection("other_findings", "Other findings", True, [DigestItem(*_finding_item(f)) for f in others]),
        DigestSection("least_covered", "Least covered files", True, uncovered),
    ]


def _excerpt(lines: list[str], rel: str, line: int) -> str:
    start, end = max(1, line - EXCERPT_RADIUS), min(len(lines), line + EXCERPT_RADIUS)
    body = "\n".join(f"{n:>5} | {lines[n - 1]}" for n in range(start, end + 1))
    return f"{rel} lines {start}-{end}:\n{body}"


def excerpt_items(root: Path, findings: list[Finding], max_bytes: int) -> DigestSection:
    """Code around each located finding (one excerpt per file and line), with line numbers."""
    items, seen, cache = [], set(), {}
    for f in findings:
        if not f.file or not f.line or (f.file, f.line) in seen:
            continue
        seen.add((f.file, f.line))
        if f.file not in cache:
            cache[f.file] = read_repo_lines(root, f.file, max_bytes)[0]
        lines = cache[f.file]
        if lines and f.line <= len(lines):
            items.append(DigestItem(_excerpt(lines, f.file, f.line), [f.file]))
    return DigestSection("code_excerpts", "Code excerpts around findings", True, items)
