"""Model findings are checked, never trusted.

A model finding is kept only if its file exists in the repository (inside the root, no traversal), its line
exists, and its quoted code matches the file within ±3 lines of that line (whitespace-normalised). The kept
finding points at the line where the quote really is. Everything else is dropped with its reason.
Kept findings that repeat a deterministic finding (same file, nearby line, same category) are merged into it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reviewer.findings import Finding, normalise_code
from reviewer.redact import redact
from reviewer.review.answer import ModelFinding
from reviewer.review.repofile import read_repo_lines
from reviewer.review.result import DroppedClaim

__all__ = ["MIN_QUOTE_CHARS", "QUOTE_WINDOW", "Grounded", "ground_findings", "merge_duplicates"]

QUOTE_WINDOW = 3
MERGE_WINDOW = 3
MIN_QUOTE_CHARS = 8
"""A shorter quote must be the whole line: 'self' or 'x' would match almost anywhere."""


@dataclass
class Grounded:
    kept: list[Finding] = field(default_factory=list)
    dropped: list[DroppedClaim] = field(default_factory=list)


def _starts_at(lines: list[str], first: int, wanted: str) -> bool:
    """True when the normalised text from line ``first`` on contains ``wanted`` starting inside that line."""
    head = normalise_code(lines[first - 1])
    if not head:
        return False
    if len(wanted.replace(" ", "")) < MIN_QUOTE_CHARS and wanted != head:
        return False
    joined, n = head, first
    while len(joined) < len(wanted) + len(head) and n < len(lines):
        joined = normalise_code(f"{joined} {lines[n]}")
        n += 1
    pos = joined.find(wanted)
    return 0 <= pos < len(head)


def _quote_line(lines: list[str], line: int, quote: str) -> int | None:
    """The line (1-based) within ±QUOTE_WINDOW of ``line`` where the normalised quote starts, nearest first."""
    wanted = normalise_code(quote)
    if not wanted:
        return None
    start, end = max(1, line - QUOTE_WINDOW), min(len(lines), line + QUOTE_WINDOW)
    for first in sorted(range(start, end + 1), key=lambda n: (abs(n - line), n)):
        if _starts_at(lines, first, wanted):
            return first
    return None


_Cache = dict[str, tuple[list[str] | None, str]]


def _check(item: ModelFinding, root: Path, max_bytes: int, cache: _Cache) -> tuple[int | None, str, str]:
    """(matched line, its code, '') or (None, '', reason)."""
    if item.file not in cache:
        cache[item.file] = read_repo_lines(root, item.file, max_bytes)
    lines, why = cache[item.file]
    if lines is None:
        return None, "", f"file: {why}"
    if not 1 <= item.line <= len(lines):
        return None, "", f"line {item.line} does not exist (file has {len(lines)} lines)"
    matched = _quote_line(lines, item.line, item.quote)
    if matched is None:  # the model saw the code through the redaction sink: it may quote the masked line
        masked = redact("\n".join(lines)).split("\n")
        matched = _quote_line(masked, item.line, item.quote) if len(masked) == len(lines) else None
    if matched is None:
        return None, "", f"quoted code not found within ±{QUOTE_WINDOW} lines of line {item.line}"
    return matched, lines[matched - 1], ""


def _to_finding(item: ModelFinding, line: int, code: str, agent: str, model: str | None) -> Finding:
    rel = item.file.strip().replace("\\", "/").removeprefix("./")
    return Finding(
        rule=f"model.{item.category}", severity=item.severity, title=item.title.strip(), file=rel, line=line,
        source="model", evidence=code.strip(), snippet=code, recommendation=item.recommendation.strip(),
        category=item.category, agent=agent, model=model,
    ).with_fingerprint()


def ground_findings(items: list[ModelFinding], root: Path, agent: str, model: str | None, max_bytes: int) -> Grounded:
    out, cache = Grounded(), _Cache()
    for item in items:
        line, code, reason = _check(item, root, max_bytes, cache)
        if line is None:
            out.dropped.append(DroppedClaim(agent=agent, title=item.title, file=item.file, line=item.line, reason=reason))
        else:
            out.kept.append(_to_finding(item, line, code, agent, model))
    return out


def _duplicate_of(model_finding: Finding, deterministic: list[Finding]) -> Finding | None:
    for det in deterministic:
        if (det.file == model_finding.file and det.line is not None and model_finding.line is not None
                and abs(det.line - model_finding.line) <= MERGE_WINDOW and det.category == model_finding.category):
            return det
    return None


def merge_duplicates(model_findings: list[Finding], deterministic: list[Finding]) -> tuple[list[Finding], dict[int, Finding]]:
    """(model findings that are new, {index of merged model finding: the deterministic finding it merged into})."""
    new, merged = [], {}
    for index, finding in enumerate(model_findings):
        target = _duplicate_of(finding, deterministic)
        if target is None:
            new.append(finding)
        else:
            merged[index] = target
    return new, merged
