"""Fold repetition: one rule in many places becomes one item with a compact table of places.

Findings of the same rule and severity fold into a :class:`Group` when there are at least ``FOLD_AT`` of them.
Critical and high findings never fold: each is shown on its own. The full lists stay in review.json and SARIF.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from reviewer.scopes import scope_of as path_scope
from reviewer.findings import Finding, Severity
from markupsafe import Markup

from reviewer.report.context import Capped, cap, finding_sort_key
from reviewer.report.escape import clip, escape_inline, md_code

__all__ = ["FOLD_AT", "Entry", "Group", "entry_sort_key", "fold", "scope_of"]

FOLD_AT = 3
_CC = re.compile(r"^(?:(?:function|method|class) )?(?P<name>[^\s(]+)(?:\(\))? has cyclomatic complexity (?P<n>\d+) "
                 r"\(rank (?P<rank>[A-F])\)")


_SPECIAL_LABELS: dict[str, str] = {
    "coverage.failure_paths_untested": "{n} modules where no failure path (except, raise) ran under the tests",
    "coverage.low": "{n} modules with low line coverage",
    "coverage.uncovered_module": "{n} modules no test imports",
    "docs.claim_contradicted": "{n} claims in the repository's documents contradicted by the evidence",
    "tests.failed": "{n} failing tests",
}


def scope_of(finding: Finding) -> str:
    """The finding's scope; for a result written without one, the default scope of its path; 'repository'
    without a file."""
    if finding.scope:
        return finding.scope
    if not finding.file:
        return "repository"
    return path_scope(finding.file)


@dataclass(frozen=True)
class Group:
    """Every finding of one rule and severity, folded."""

    rule: str
    severity: Severity
    label: Markup
    """What the group is, e.g. '17 functions of rank C (worst: `aggregate_runs` 21)' (trusted Markdown)."""
    findings: list[Finding]
    scopes: list[tuple[str, int]]

    @property
    def count(self) -> int:
        return len(self.findings)

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def ids(self) -> str:
        ids = [f.id for f in self.findings if f.id]
        return f"{ids[0]} +{len(ids) - 1}" if len(ids) > 1 else (ids[0] if ids else "")

    @property
    def measured(self) -> bool:
        return self.first.source != "model"

    def places(self, limit: int) -> Capped[Finding]:
        return cap(self.findings, limit)

    @property
    def same_titles(self) -> bool:
        """Every member has the same title: the places alone tell them apart."""
        return len({f.title for f in self.findings}) == 1

    @property
    def scope_text(self) -> str:
        return ", ".join(f"{n} in {scope}" for scope, n in self.scopes)


@dataclass(frozen=True)
class Entry:
    """One item of a folded list: a finding on its own, or a group."""

    finding: Finding | None = None
    group: Group | None = None

    @property
    def severity(self) -> Severity:
        return self.group.severity if self.group else self.finding.severity  # type: ignore[union-attr]

    @property
    def lead(self) -> Finding:
        return self.group.first if self.group else self.finding  # type: ignore[return-value,union-attr]

    @property
    def count(self) -> int:
        return self.group.count if self.group else 1


def _cc_label(findings: list[Finding]) -> Markup | None:
    hits = [m for m in (_CC.match(f.title) for f in findings) if m]
    if len(hits) != len(findings):
        return None
    ranks = sorted(Counter(m["rank"] for m in hits).items())
    worst = max(hits, key=lambda m: int(m["n"]))
    rank_text = ", ".join(f"{n} of rank {rank}" for rank, n in ranks)
    kind = "function" if len(findings) == 1 else "functions"
    return Markup(f"{len(findings)} {kind} of high complexity ({rank_text}; worst: {md_code(worst['name'])} "
                  f"{worst['n']})")


def _label(rule: str, findings: list[Finding]) -> Markup:
    if rule == "radon.cc":
        label = _cc_label(findings)
        if label:
            return label
    special = _SPECIAL_LABELS.get(rule)
    if special:
        return Markup(escape_inline(special.format(n=len(findings))))
    titles = Counter(f.title for f in findings)
    title, n = titles.most_common(1)[0]
    if n == len(findings):
        return Markup(f"{escape_inline(clip(title, 120).rstrip('.'))} ({len(findings)} places)")
    return Markup(f"{len(findings)} findings of {md_code(rule)} (e.g. {escape_inline(clip(findings[0].title, 100))})")


def _worst_first(findings: list[Finding]) -> list[Finding]:
    """Complexity findings with the most complex first (the places a reader should see), others by place."""
    hits = [_CC.match(f.title) for f in findings]
    if all(hits):
        return sorted(findings, key=lambda f: (-int(_CC.match(f.title)["n"]), *finding_sort_key(f)))  # type: ignore[index]
    return findings


def _group(rule: str, severity: Severity, findings: list[Finding]) -> Group:
    ordered = sorted(findings, key=finding_sort_key)
    if rule == "radon.cc":
        ordered = _worst_first(ordered)
    scopes = Counter(scope_of(f) for f in ordered)
    return Group(rule=rule, severity=severity, label=_label(rule, ordered), findings=ordered,
                 scopes=sorted(scopes.items(), key=lambda kv: (-kv[1], kv[0])))


_SCOPE_RANK = {"product": 0, "repository": 0, "docs": 0, "build": 1, "tests": 2, "fixtures": 3, "examples": 3}


def entry_sort_key(entry: Entry) -> tuple:
    """Most severe first, by strength of evidence: a model judgement (checked, but not measured) ranks as one
    severity level below a measured finding, and after it at the same level; then product code before tests and
    examples, bigger groups first, then by place."""
    lead = entry.lead
    scope = min((_SCOPE_RANK.get(s, 1) for s, _ in entry.group.scopes), default=1) if entry.group else \
        _SCOPE_RANK.get(scope_of(lead), 1)
    if lead.rule.startswith("tests."):
        scope = 0  # a failing test is about the product, wherever the test file lives
    model = lead.source == "model"
    return (entry.severity.rank + int(model), model, scope, -entry.count, *finding_sort_key(lead))


def fold(findings: Iterable[Finding], at: int = FOLD_AT) -> list[Entry]:
    """Findings as entries: a group per rule and severity with ``at`` or more members (never critical or high)."""
    by_key: dict[tuple[str, Severity], list[Finding]] = {}
    singles: list[Finding] = []
    for f in findings:
        if f.severity.rank <= 1:
            singles.append(f)
        else:
            by_key.setdefault((f.rule, f.severity), []).append(f)
    entries = [Entry(finding=f) for f in singles]
    for (rule, severity), members in by_key.items():
        if len(members) >= at:
            entries.append(Entry(group=_group(rule, severity, members)))
        else:
            entries.extend(Entry(finding=f) for f in members)
    return sorted(entries, key=entry_sort_key)
