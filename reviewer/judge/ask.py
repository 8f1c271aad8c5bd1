"""Judge one unit: ask (or reuse the cached answer), ground each claim, check its kind, adjudicate, keep.

A claim survives only if its quote is on a line of the unit (±3 lines of the cited one), the AST check of its
kind holds on that line, its reason names no measurable problem (SQL injection, secrets, ...) that no measured
finding in the file supports, and a second, kind-specific question answers yes. Everything else is dropped with its
reason. The questions share one prefix: the system prompt, then the unit; only the question differs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from reviewer.backends.base import CompletionRequest, Message
from reviewer.findings import Finding, Severity
from reviewer.judge.cache import CachedUnit, UnitCache, cache_key
from reviewer.judge.checks import check_claim
from reviewer.judge.kinds import info
from reviewer.judge.meter import CallFailed, Meter
from reviewer.judge.risk import Ranked
from reviewer.judge.schema import Adjudication, Claim, UnitAnswer
from reviewer.judge.unitcontext import unit_text
from reviewer.judge.units import Unit
from reviewer.review.grounding import locate_quote
from reviewer.review.prompts import PromptSet
from reviewer.review.result import DroppedClaim
from reviewer.review.topics import unsupported_topics

__all__ = ["Outcome", "UnitJudge"]

UNIT_MAX_TOKENS = 400
ADJUDICATE_MAX_TOKENS = 120


@dataclass
class Outcome:
    ranked: Ranked
    kept: list[Finding] = field(default_factory=list)
    dropped: list[DroppedClaim] = field(default_factory=list)
    cached: bool = False
    error: str | None = None
    seconds: float = 0.0


@dataclass
class JudgeSetup:
    prompts: PromptSet
    meter: Meter
    cache: UnitCache
    nonce: str
    model: str
    version: str
    temperature: float
    persona_for: dict[str, str]
    topics_by_file: dict[str, set[str]] = field(default_factory=dict)
    """Topics (SQL injection, secrets, ...) the deterministic findings of each file support."""


class UnitJudge:
    def __init__(self, setup: JudgeSetup) -> None:
        from reviewer.judge.kinds import KINDS

        self.s = setup
        self.system = Message(role="system", content=setup.prompts.render(
            "system", nonce=setup.nonce, kinds=list(KINDS.values())))
        self.task = setup.prompts.render("task")

    def _request(self, unit_block: str, question: str, max_tokens: int) -> CompletionRequest:
        user = Message(role="user", content=f"{unit_block}\n\n{question}")
        return CompletionRequest(messages=[self.system, user], temperature=self.s.temperature, max_tokens=max_tokens)

    def _claims(self, unit: Unit, block: str, entry: CachedUnit | None) -> tuple[CachedUnit, bool]:
        if entry is not None:
            return entry, True
        answer = self.s.meter.ask(self._request(block, self.task, UNIT_MAX_TOKENS), UnitAnswer)
        claims = [c.model_dump() | {"line": c.line - unit.start} for c in answer.findings]
        return CachedUnit(claims=claims), False

    def _adjudicate(self, block: str, claim: Claim, entry: CachedUnit, index: int) -> tuple[str, str]:
        known = entry.verdicts.get(str(index))
        if known is not None and len(known) == 2:
            return known[0], known[1]
        prompt = self.s.prompts.render("adjudicate", claim=claim, question=info(claim.kind).question)
        verdict = self.s.meter.ask(self._request(block, prompt, ADJUDICATE_MAX_TOKENS), Adjudication)
        entry.verdicts[str(index)] = [verdict.answer, verdict.reason]
        return verdict.answer, verdict.reason

    def _drop(self, out: Outcome, claim: Claim, line: int | None, reason: str) -> None:
        persona = self.s.persona_for.get(claim.kind, "")
        out.dropped.append(DroppedClaim(agent=persona, title=f"{claim.kind}: {claim.why}"[:160],
                                        file=out.ranked.unit.file, line=line, reason=reason))

    def _one(self, out: Outcome, block: str, entry: CachedUnit, index: int, raw: dict, seen: set) -> None:
        unit = out.ranked.unit
        try:
            claim = Claim.model_validate(raw | {"line": raw.get("line", 0) + unit.start})
        except ValueError:
            return
        matched = locate_quote(unit.source.lines, claim.line, claim.quote)
        if matched is None or matched not in unit.lines:
            self._drop(out, claim, claim.line, f"quoted code not found within ±3 lines of line {claim.line} in "
                       f"{unit.qualname}")
            return
        if (matched, claim.kind) in seen:
            return  # the same claim twice in one answer
        why_not = check_claim(unit, claim.kind, matched) or self._unsupported(unit.file, claim)
        if why_not is not None:
            self._drop(out, claim, matched, f"{claim.kind} not possible there: {why_not}")
            return
        try:
            answer, reason = self._adjudicate(block, claim, entry, index)
        except CallFailed as failed:
            self._drop(out, claim, matched, f"adjudication failed: {failed}")
            return
        if answer != "yes":
            self._drop(out, claim, matched, f"adjudicated no: {reason}"[:300])
            return
        seen.add((matched, claim.kind))
        out.kept.append(self._finding(unit, claim, matched))

    def _unsupported(self, file: str, claim: Claim) -> str | None:
        """A quoted line proves where, not what: a reason naming a measurable problem (hardcoded secret, SQL
        injection, eval, ...) needs a measured finding of that kind in the same file."""
        topics = unsupported_topics(claim.why, self.s.topics_by_file.get(file, set()))
        return f"names {', '.join(topics)}; no measured finding in {file} does" if topics else None

    def _finding(self, unit: Unit, claim: Claim, line: int) -> Finding:
        kind = info(claim.kind)
        severity = Severity(claim.severity)
        if claim.kind == "other" and severity == Severity.high:
            severity = Severity.medium  # lower confidence: never among the key findings
        code = unit.source.line(line)
        return Finding(
            rule=f"model.{claim.kind}", severity=severity, title=f"{claim.kind.replace('_', ' ')}: {claim.why}"[:120],
            file=unit.file, line=line, source="model", evidence=code.strip(), snippet=code,
            recommendation=claim.fix.strip(), category=kind.category, confidence="low" if claim.kind == "other" else "medium",
            agent=self.s.persona_for.get(claim.kind), model=self.s.model or None,
        ).with_fingerprint()

    def judge(self, ranked: Ranked) -> Outcome:
        """The unit's kept and dropped claims. Raises BackendDown when no further call should be made."""
        start = time.perf_counter()
        out = Outcome(ranked=ranked)
        unit = ranked.unit
        key = cache_key(unit.hash, self.s.model, self.s.version)
        block = self.s.prompts.render("unit", unit=unit, text=unit_text(unit), nonce=self.s.nonce)
        try:
            entry, out.cached = self._claims(unit, block, self.s.cache.get(key))
        except CallFailed as failed:
            out.error, out.seconds = str(failed), time.perf_counter() - start
            return out
        seen: set = set()
        for index, raw in enumerate(entry.claims):
            self._one(out, block, entry, index, raw, seen)
        self.s.cache.put(key, entry)
        out.seconds = time.perf_counter() - start
        return out
