"""The files a review could not analyse (too large, undecodable, a symlink leaving the root, ...), from the
evidence's file failures: one entry per file, every reason, and whether it holds code."""

from __future__ import annotations

from reviewer.discovery import language_of
from reviewer.evidence import Evidence
from reviewer.review.result import UnanalysedFile

__all__ = ["NOT_CODE", "holds_code", "unanalysed_files"]

NOT_CODE = frozenset({"Markdown", "reStructuredText", "TOML", "YAML", "JSON", "Text", "INI", None})
"""Languages of files that hold data or prose, not code (None: an unknown extension)."""


def holds_code(path: str) -> bool:
    """True for source files (Python, and the other programming languages discovery knows)."""
    return language_of(path) not in NOT_CODE


def unanalysed_files(evidence: Evidence) -> list[UnanalysedFile]:
    """Every file with a failure, its reasons joined (``too_large: 20971520 bytes > ...``), sorted by path."""
    reasons: dict[str, list[str]] = {}
    for failure in evidence.failures:
        text = f"{failure.kind}: {failure.message}" if failure.message else failure.kind
        if text not in reasons.setdefault(failure.path, []):
            reasons[failure.path].append(text)
    return [UnanalysedFile(path=path, reason="; ".join(why), holds_code=holds_code(path))
            for path, why in sorted(reasons.items())]
