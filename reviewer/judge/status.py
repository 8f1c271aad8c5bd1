"""The ModelContext of a judgement: what was read, what was kept and dropped, what the calls cost, and the status
(complete, partial with the reason, or failed when no model call succeeded)."""

from __future__ import annotations

from reviewer.judge.ask import Outcome
from reviewer.judge.meter import Meter
from reviewer.judge.planner import Reading
from reviewer.review.result import ModelContext, RankedUnit

__all__ = ["MAX_RANKED_RECORDED", "fill_context"]

MAX_RANKED_RECORDED = 200


def _status(ctx: ModelContext, meter: Meter, reading: Reading, unit_errors: int, first_error: str | None) -> None:
    if meter.calls and not meter.answered:
        ctx.status = "failed"
        ctx.status_reason = f"every model call failed ({meter.failed} of {meter.calls}): " + (
            meter.down or (meter.errors[0] if meter.errors else "no answer"))
        return
    reasons = []
    if reading.down:
        reasons.append(f"model calls stopped: {reading.down}")
    if reading.budget_spent:
        reasons.append(f"time budget spent: asked about {ctx.units_read} of {ctx.units_with_sites} units with a possible "
                       "defect (the riskiest)")
    if meter.failed:
        reasons.append(f"{meter.failed} of {meter.calls} model calls failed ({unit_errors} unit(s) not judged)")
    elif unit_errors:
        reasons.append(f"{unit_errors} unit(s) not judged: {first_error}")
    if ctx.units_read < ctx.units_with_sites and not reasons:
        reasons.append(f"asked about {ctx.units_read} of {ctx.units_with_sites} units with a possible defect")
    ctx.status = "partial" if reasons else "complete"
    ctx.status_reason = "; ".join(reasons) or None


def fill_context(ctx: ModelContext, meter: Meter, reading: Reading, units_total: int) -> None:
    outcomes: list[Outcome] = reading.outcomes
    judged = [o for o in outcomes if o.error is None and o.asked]
    ctx.units_total = units_total
    ctx.units_with_sites, ctx.sites_total = reading.units_with_sites, reading.sites_total
    ctx.units_read = sum(1 for o in judged if not o.opened)
    ctx.units_openable = reading.units_openable
    ctx.units_read_openly = sum(1 for o in judged if o.opened)
    ctx.sites_asked = sum(o.asked for o in outcomes if not o.opened)
    ctx.files_seen = sorted({o.ranked.unit.file for o in judged})
    ctx.calls, ctx.calls_failed, ctx.tokens = meter.calls, meter.failed, meter.tokens
    for o in outcomes:
        ctx.dropped.extend(o.dropped)
    ctx.claims_dropped = len(ctx.dropped)
    ctx.findings_kept = sum(len(o.kept) for o in outcomes)
    ctx.tokens_per_kept_finding = round(meter.tokens / ctx.findings_kept, 1) if ctx.findings_kept else None
    if reading.down:
        ctx.backend_error = reading.down
    ctx.units_ranked = [
        RankedUnit(file=o.ranked.unit.file, name=o.ranked.unit.qualname, line=o.ranked.unit.start,
                   risk=round(o.ranked.score, 2), reasons=o.ranked.reasons, cached=o.cached,
                   kept=len(o.kept), dropped=len(o.dropped), error=o.error)
        for o in outcomes[:MAX_RANKED_RECORDED]
    ]
    errors = [o.error for o in outcomes if o.error]
    _status(ctx, meter, reading, len(errors), errors[0] if errors else None)
