"""The executive summary every style opens with: the rating and a one-line recommendation, the key findings,
the rating breakdown, what was not measured and how much of the code the model read.

Only regroups the result: no figure is invented, and nothing that was not measured gets a score.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewer.report.context import VERDICT_LABELS, Capped, cap
from reviewer.report.fold import Entry
from reviewer.review.result import AgentResult, ReviewResult

__all__ = [
    "Area",
    "FailureView",
    "ModelPart",
    "areas",
    "claims_rows",
    "failure_view",
    "key_entries",
    "model_part",
    "not_measured",
    "persona_score",
    "recommendation",
]

AREA_LABELS: dict[str, str] = {
    "functionality": "Functionality", "reliability": "Reliability", "security": "Security",
    "performance": "Performance", "maintainability": "Maintainability", "test_health": "Test health",
    "documentation": "Documentation",
}
_CLAIM_ORDER = {"contradicted": 0, "verified": 1, "not_measured": 2}


def key_entries(entries: list[Entry], limit: int = 6) -> list[Entry]:
    """The 3-6 findings that matter most: entries are already ranked by severity and strength of evidence;
    info-level items only when nothing else is there."""
    ranked = [e for e in entries if e.severity.value != "info"] or entries
    return ranked[: max(3, min(limit, 6))] if len(ranked) > 3 else ranked


def recommendation(result: ReviewResult, keys: list[Entry]) -> str:
    """One line: what to do with this repository now."""
    first = keys[0].lead if keys else None
    start = f" Start with {first.id}: {first.title}" if first is not None and first.id else ""
    reason = result.verdict_reasons[0] if result.verdict_reasons else ""
    if result.verdict == "not_ready":
        return f"Not ready for production: {reason or 'blocking findings'}.{start}".rstrip(".") + "."
    if result.verdict == "not_confirmed":
        return ("Readiness not confirmed: the tests were not run, so nothing shows the code works; run them "
                "(--run-tests or a JUnit/coverage report) before relying on this rating.")
    if result.verdict == "ready_with_fixes":
        return f"Usable after fixes: {reason or 'address the findings below'}.{start}".rstrip(".") + "."
    return "Ready: no blocking finding was measured; keep the findings below on the backlog."


@dataclass(frozen=True)
class Area:
    name: str
    score: str
    justification: str
    measured: bool


def areas(result: ReviewResult) -> list[Area]:
    """The rating breakdown: one row per health area; an area with nothing measured says so and has no score."""
    counts: dict[str, int] = {}
    for f in result.findings:
        if not f.suppressed and f.category:
            counts[f.category] = counts.get(f.category, 0) + 1
    out: list[Area] = []
    for row in result.health:
        name = AREA_LABELS.get(row.dimension, row.dimension)
        n = counts.get(row.dimension, 0)
        if row.score is None or row.status == "not_measured":
            out.append(Area(name, "not measured", row.note or "no evidence for this area", False))
            continue
        why = row.note or f"{n} finding(s) in this area"
        out.append(Area(name, f"{row.score}/100 ({row.status})", why, True))
    return out


def persona_score(agent: AgentResult) -> str:
    """'70/100', '64/100 (partial: missing Coverage)' or 'not measured' - never a number for nothing measured."""
    if agent.status == "not_measured":
        return "not measured"
    if agent.status == "partial":
        missing = ", ".join(agent.missing_criteria) or "some criteria"
        return f"{agent.score}/100 (partial: {missing} not measured)"
    return f"{agent.score}/100"


def not_measured(result: ReviewResult) -> list[str]:
    """What this review could not measure, in words."""
    m = result.metrics
    out: list[str] = []
    if m.tests_total is None:
        out.append("tests (not run)")
    if m.coverage_percent is None:
        out.append("line coverage")
    fp = result.failure_paths
    if fp is None or not fp.measured:
        out.append("failure paths (" + ("no coverage data" if fp is not None else "not computed") + ")")
    out += [f"{AREA_LABELS.get(h.dimension, h.dimension).lower()} area" for h in result.health
            if h.score is None or h.status == "not_measured"]
    out += [f"{a.name} score" for a in result.agents if a.status == "not_measured"]
    missing = sorted({c.name for a in result.agents for c in a.criteria if c.status == "not_measured"})
    if missing:
        out.append("criteria: " + ", ".join(missing))
    return out


@dataclass(frozen=True)
class ModelPart:
    reviewed: bool
    """True when model calls succeeded: only then does the report say the personas reviewed with a model."""
    line: str


def _read(mc) -> str:  # noqa: ANN001 - ModelContext
    if not mc.units_total:
        return f"{len(mc.files_seen)} file(s) shown to the model"
    opened = (f", and read {mc.units_read_openly} of {mc.units_openable} further units openly"
              if mc.units_openable else "")
    return (f"the model was asked about {mc.sites_asked} of {mc.sites_total} possible defects, in {mc.units_read} of "
            f"the {mc.units_with_sites} code units where one is possible{opened} ({mc.units_total} units in all)")


def model_part(result: ReviewResult, model_name: str) -> ModelPart:
    """How much of the code the model read, and whether its part is complete, partial, failed or off."""
    mc = result.model_context
    ok_calls = mc.calls - mc.calls_failed
    reason = f" ({mc.status_reason})" if mc.status_reason else ""
    if mc.status == "off" and result.backend.name != "none" and result.backend.model:
        return ModelPart(False, f"The model part's status was not recorded ({model_name} was configured; "
                                f"{len(mc.files_seen)} file(s) shown to it, {mc.claims_dropped} unverified claim(s) "
                                "dropped), so this report does not claim the model reviewed the code.")
    if mc.status == "off":
        return ModelPart(False, "No model part: deterministic review only (no model configured); no code was read "
                                "by a model, every finding and score is measured.")
    if mc.status == "failed" or (mc.status == "partial" and ok_calls <= 0):
        why = mc.status_reason or mc.backend_error or "no model call succeeded"
        return ModelPart(False, f"The model part failed ({why}): no model finding or prose is in this report; "
                                "scores and findings are measured only.")
    kept = f"{mc.findings_kept} model finding(s) kept, {mc.claims_dropped} unverified claim(s) dropped"
    if mc.status == "partial":
        return ModelPart(ok_calls > 0, f"The model part is partial{reason}: {_read(mc)} with {model_name}; "
                                       f"{mc.calls_failed} of {mc.calls} call(s) failed; {kept}.")
    line = f"{_read(mc).capitalize()} with {model_name}; {kept}."
    return ModelPart(ok_calls > 0, line if ok_calls > 0 else f"{line} No successful model call was recorded.")


def claims_rows(result: ReviewResult, limit: int) -> Capped:
    """Claims from the repository's documents, contradictions first."""
    audit = result.claims_audit
    claims = audit.claims if audit is not None else []
    ordered = sorted(claims, key=lambda c: (_CLAIM_ORDER[c.status], c.file, c.line, c.kind))
    return cap(ordered, limit)


def verdict_label(result: ReviewResult) -> str:
    return VERDICT_LABELS.get(result.verdict, result.verdict)


@dataclass(frozen=True)
class FailureView:
    measured: bool
    figure: str
    modules: Capped
    tests: Capped


def failure_view(result: ReviewResult, limit: int) -> FailureView:
    """'failure paths tested: 3 of 41 handlers ran', the modules with most paths that never ran, tests to write."""
    fp = result.failure_paths
    if fp is None or not fp.measured:
        reason = (fp.reason or "no coverage data") if fp is not None else "the failure-path collector did not run"
        return FailureView(False, f"Failure paths: not measured ({reason}).", cap([], limit), cap([], limit))
    figure = (f"Failure paths tested: {fp.handlers_ran} of {fp.handlers} except handlers ran; "
              f"{fp.raises_ran} of {fp.raises} raise statements ran.")
    modules = sorted((m for m in fp.modules if m.never_ran), key=lambda m: (-len(m.never_ran), m.path))
    return FailureView(True, figure, cap(modules, min(limit, 8)), cap(fp.missing_tests, min(limit, 10)))
