"""The evidence digest the model sees, fitted to its context window by priority.

Items are added section by section in priority order (overview, failing tests, critical/high findings, worst
hotspots, other findings, least covered files, code excerpts) while they fit the token budget. Whatever does
not fit is recorded in :class:`~reviewer.review.result.ModelContext` (section clipped, "n of m shown"), as are
the files whose code the model saw. Repository text is marked untrusted; the template fences it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from reviewer.evidence import Evidence
from reviewer.findings import Finding, Severity
from reviewer.review.digest_sections import DigestItem, DigestSection, excerpt_items, overview_lines, section_items
from reviewer.review.result import ModelContext
from reviewer.review.tokens import TokenCounter

__all__ = ["Digest", "DigestItem", "DigestSection", "build_digest", "fence_nonce", "neutralise"]

SECTION_OVERHEAD_TOKENS = 24


@dataclass
class Digest:
    sections: list[DigestSection]
    nonce: str
    context: ModelContext
    tokens: int


def neutralise(text: str) -> str:
    """Untrusted text cannot close or open a fence: angle-bracket runs are replaced."""
    return text.replace("<<<", "‹‹‹").replace(">>>", "›››")


def fence_nonce(evidence: Evidence) -> str:
    """A per-evidence marker suffix, so repository text cannot guess the fence that closes its block."""
    payload = evidence.model_dump_json(exclude={"created_at", "duration_s", "collectors"})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]


def _fit(candidates: list[DigestSection], budget: int, count: TokenCounter) -> tuple[list[DigestSection], int, list[str]]:
    used, kept, clipped = 0, [], []
    for section in candidates:
        if not section.items:
            continue
        shown = DigestSection(section.name, section.title, section.untrusted, total=len(section.items))
        cost = SECTION_OVERHEAD_TOKENS
        for item in section.items:
            item_cost = count(item.text) + 2
            if used + cost + item_cost > budget:
                break
            cost += item_cost
            shown.items.append(item)
        if shown.items:
            kept.append(shown)
            used += cost
        if len(shown.items) < len(section.items):
            clipped.append(f"{section.name}: {len(shown.items)} of {len(section.items)} shown")
    return kept, used, clipped


def build_digest(
    evidence: Evidence, root: Path, findings: list[Finding], budget: int, count: TokenCounter, max_bytes: int
) -> Digest:
    """The digest within ``budget`` tokens; the overview is always kept (it is a few lines of figures)."""
    overview = DigestSection("overview", "Measured figures", False, [DigestItem(line) for line in overview_lines(evidence)])
    ranked = sorted((f for f in findings if not f.suppressed), key=lambda f: (f.severity.rank, f.file or "", f.line or 0))
    high = [f for f in ranked if f.severity in (Severity.critical, Severity.high)]
    candidates = [overview, *section_items(evidence, ranked, high), excerpt_items(root, ranked, max_bytes)]
    sections = [DigestSection(s.name, s.title, s.untrusted, s.items, len(s.items)) for s in candidates]
    overview_cost = SECTION_OVERHEAD_TOKENS + sum(count(i.text) + 2 for i in overview.items)
    kept, used, clipped = _fit(sections, max(budget, overview_cost), count)
    for section in kept:
        if section.untrusted:
            for item in section.items:
                item.text = neutralise(item.text)
    files_seen = sorted({f for s in kept for i in s.items for f in i.files})
    context = ModelContext(
        prompt_tokens_budget=budget,
        sections_seen=[f"{s.name} ({len(s.items)} of {s.total})" for s in kept],
        sections_clipped=clipped,
        files_seen=files_seen,
        files_left_out=len(set(evidence.python_files) - set(files_seen)),
    )
    return Digest(sections=kept, nonce=fence_nonce(evidence), context=context, tokens=used)
