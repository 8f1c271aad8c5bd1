"""Model findings never repeat a measured one: a kept finding near a deterministic finding of the same category
(same file, within MERGE_WINDOW lines) is merged into it.

(A model finding's file, line and code are those of the site the AST found: see :mod:`reviewer.judge.sites`.)
"""

from __future__ import annotations

from reviewer.findings import Finding

__all__ = ["MERGE_WINDOW", "merge_duplicates"]

MERGE_WINDOW = 3
"""A model finding within this many lines of a measured finding of the same category is merged into it."""


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
