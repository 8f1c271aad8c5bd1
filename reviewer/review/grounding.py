"""Model findings are checked, never trusted.

A model claim is kept only if its line exists and its quoted code matches the file within ±3 lines of that line
(whitespace-normalised): :func:`locate_quote` gives the line where the quote really is. The file is the unit's
own (read through the shared parse), so a claim cannot name a file outside the repository. Kept findings that
repeat a deterministic finding (same file, nearby line, same category) are merged into it.
"""

from __future__ import annotations

from reviewer.findings import Finding, normalise_code
from reviewer.redact import redact

__all__ = ["MIN_QUOTE_CHARS", "QUOTE_WINDOW", "locate_quote", "merge_duplicates"]

QUOTE_WINDOW = 3
MERGE_WINDOW = 3
MIN_QUOTE_CHARS = 8
"""A shorter quote must be the whole line: 'self' or 'x' would match almost anywhere."""


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


def locate_quote(lines: list[str], line: int, quote: str) -> int | None:
    """The line (1-based) within ±QUOTE_WINDOW of ``line`` where the quoted code really starts, or None.

    The model saw the code through the redaction sink, so a quote of the masked line counts too."""
    if not 1 <= line <= len(lines):
        return None
    matched = _quote_line(lines, line, quote)
    if matched is None:
        masked = redact("\n".join(lines)).split("\n")
        matched = _quote_line(masked, line, quote) if len(masked) == len(lines) else None
    return matched


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
