"""Baseline mode: which findings of a review are new compared with a previous review.

Findings are matched by :attr:`~reviewer.findings.Finding.fingerprint` (rule + file + normalised code of the
line), never by line number, so a finding whose line merely shifted is not new. The fingerprint is computed
when a result does not carry one. Matching is by multiset: when the baseline had one finding with a fingerprint
and the current review has two (the same line pasted twice), one of them is new.
"""

from __future__ import annotations

from collections import Counter

from reviewer.findings import Finding

__all__ = ["finding_key", "new_findings", "resolved_fingerprints"]


def finding_key(finding: Finding) -> str:
    """The finding's fingerprint, computed (and stored on the finding) when missing."""
    return finding.with_fingerprint().fingerprint or finding.compute_fingerprint()


def new_findings(current: list[Finding], baseline: list[Finding]) -> list[Finding]:
    """The findings of ``current`` whose fingerprint is not (or not as often) in ``baseline``."""
    remaining = Counter(finding_key(f) for f in baseline)
    fresh: list[Finding] = []
    for finding in current:
        key = finding_key(finding)
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            fresh.append(finding)
    return fresh


def resolved_fingerprints(current: list[str], previous: list[str]) -> list[str]:
    """Fingerprints present in ``previous`` but gone (or fewer) in ``current``, in ``previous`` order."""
    remaining = Counter(current)
    gone: list[str] = []
    for key in previous:
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            gone.append(key)
    return gone
