"""Judge one unit: one precise question per site the AST found (:mod:`reviewer.judge.sites`), kept on "yes".

Every question shares one prefix, the system prompt and then the unit; only the last lines (the site's line, what
the tool saw there, the kind's question) differ, so a llama.cpp backend evaluates the unit once. The site comes
from the code, so its line, quote and kind are right by construction; the model decides whether the defect is
real, and its reason becomes the finding's explanation (dropped if it names a measurable problem, such as SQL
injection, that no measured finding in the file supports). Answers are cached per unit hash and site.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field

from reviewer.backends.base import CompletionRequest, Message, Probe
from reviewer.findings import Finding, Severity
from reviewer.judge.cache import CachedUnit, UnitCache, cache_key
from reviewer.judge.kinds import info
from reviewer.judge.meter import CallFailed, Meter
from reviewer.judge.risk import Ranked
from reviewer.judge.opening import open_sites
from reviewer.judge.schema import Adjudication, OpenClaim
from reviewer.judge.site import Site, code_at, unqualified
from reviewer.judge.unitcontext import unit_text
from reviewer.judge.units import Unit
from reviewer.review.prompts import PromptSet
from reviewer.review.result import DroppedClaim
from reviewer.review.topics import unsupported_topics

__all__ = ["JudgeSetup", "Outcome", "UnitJudge", "contradicts_yes"]

ANSWER_MAX_TOKENS = 160
_YES_NO = Probe(after='"answer"', choices=["yes", "no"])
"""The probability of yes where the answer is given (after the reason), from backends that report it."""
_KIND_TOPICS = {
    "sensitive_data_logged": {"security vulnerabilities"}, "missing_timeout": {"security vulnerabilities"},
    "error_swallowed": {"swallowed exception"}, "success_on_failure": {"swallowed exception"},
    "error_as_value": {"swallowed exception"},
}
"""Topics a site of the kind establishes itself: the AST saw the password passed to the log call."""
_SAYS_RIGHT = re.compile(
    r"\b(?:is|are|looks|seems|remains)\s+(?:(?!not\b|never\b)\w+\s+)?(?:correct|right|fine|valid|safe|intended"
    r"|expected|harmless)\b(?!\s+to\b)"
    r"|\b(?:is|are)\s+not\s+(?:wrong|a\s+defect|a\s+problem|an\s+issue|incorrect)\b"
    r"|\bno\s+(?:defect|problem|issue|bug)\b|\bnot\s+a\s+(?:defect|problem|bug)\b"
    r"|\bhandles?\s+(?:it|this|that|the\s+\w+(?:\s+\w+)?)\s+correctly\b", re.I)


_CHECKED = re.compile(r"\b(?:if|whether|unless|until|when)\b[^.,;:]*$", re.I)
"""A clause that says what is tested, open where a match of _SAYS_RIGHT starts."""


def contradicts_yes(reason: str) -> bool:
    """A "yes" whose own reason says the code is right ("The condition ... is correct."): small models write the
    answer field out of habit. Such an answer is not a judgement that the defect is real. What the code checks
    ("checks if the form is valid") or a purpose ("a code that is intended to sign in") is not such a verdict."""
    return unqualified(_SAYS_RIGHT, reason, _CHECKED)


@dataclass
class Outcome:
    ranked: Ranked
    kept: list[Finding] = field(default_factory=list)
    dropped: list[DroppedClaim] = field(default_factory=list)
    asked: int = 0
    """Questions answered (by the model now, or from the cache): one per site, and an open reading's own."""
    answers: list[tuple[Site, str, float | None]] = field(default_factory=list)
    """Each answered site with the answer and the probability of yes (None: the backend gave none)."""
    cached: bool = False
    error: str | None = None
    seconds: float = 0.0
    opened: bool = False
    """The unit had no site and was read openly (:mod:`reviewer.judge.opening`)."""


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
    min_yes: float = 0.4
    """A site is kept when its probability of yes reaches this bar (where the backend reports one): above one half
    a yes can be dropped as doubtful, below it a close no is kept."""
    open_reading: bool = False
    """Read a unit without sites openly: the model names a line; the kinds that line can hold are asked about."""
    open_min_yes: float = 0.5
    """The bar for a site an open reading proposed: only a yes is kept, and only with at least this probability."""


class UnitJudge:
    def __init__(self, setup: JudgeSetup) -> None:
        self.s = setup
        self.system = Message(role="system", content=setup.prompts.render("system", nonce=setup.nonce))
        # a broken question template is the user's configuration error: raise it now, not once per unit
        setup.prompts.render("site", line=1, code="", facts="", defect="", meaning="", question="")
        self.open_question = setup.prompts.render("open")

    def wants(self, ranked: Ranked) -> bool:
        """The unit is asked about: it has sites, or it is ordinary product code with some risk and open reading
        is on."""
        return bool(ranked.sites) or (self.s.open_reading and ranked.tier == 1 and ranked.score > 0)

    def _ask(self, block: str, site: Site, code: str) -> list[str | float | None]:
        kind = info(site.kind)
        question = self.s.prompts.render("site", line=site.line, code=code, facts=site.facts, defect=site.kind,
                                         meaning=kind.meaning, question=site.question or kind.question)
        user = Message(role="user", content=f"{block}\n\n{question}")
        request = CompletionRequest(messages=[self.system, user], temperature=self.s.temperature,
                                    max_tokens=ANSWER_MAX_TOKENS, probe=_YES_NO)
        verdict, completion = self.s.meter.ask_completion(request, Adjudication)
        yes = completion.choice_probs.get("yes") if completion.choice_probs else None
        return [verdict.answer, verdict.reason, yes]

    def _drop(self, out: Outcome, site: Site, why: str, reason: str) -> None:
        out.dropped.append(DroppedClaim(agent=self.s.persona_for.get(site.kind, ""),
                                        title=f"{site.kind}: {why}"[:160], file=out.ranked.unit.file, line=site.line,
                                        reason=reason[:300]))

    def _unsupported(self, file: str, text: str, kind: str) -> str | None:
        """The reason may not name a measurable problem (hardcoded secret, SQL injection, eval, ...) unless a
        measured finding of that kind is in the same file, or the site itself shows it."""
        topics = unsupported_topics(text, self.s.topics_by_file.get(file, set()) | _KIND_TOPICS.get(kind, set()))
        return f"names {', '.join(topics)}; no measured finding in {file} does" if topics else None

    def _finding(self, unit: Unit, site: Site, code: str, reason: str, confidence: str = "medium") -> Finding:
        kind = info(site.kind)
        unit_file, unit_line = unit.file, unit.source.line(site.line)
        return Finding(
            rule=f"model.{site.kind}", severity=Severity(kind.severity),
            title=f"{site.kind.replace('_', ' ')}: {reason}"[:120], file=unit_file, line=site.line, source="model",
            evidence=code, snippet=unit_line, recommendation=site.fix,
            category=kind.category, confidence=confidence, agent=self.s.persona_for.get(site.kind),
            model=self.s.model or None,
        ).with_fingerprint()

    def _verdict(self, out: Outcome, verdict: list[str | float | None], site: Site, code: str) -> None:
        answer, reason, yes = str(verdict[0]), str(verdict[1]), verdict[2]
        out.answers.append((site, answer, float(yes) if yes is not None else None))
        bar = self.s.open_min_yes if out.opened else self.s.min_yes
        if answer != "yes":
            if yes is None or float(yes) < bar or out.opened:
                self._drop(out, site, site.facts, f"answered no: {reason}")
                return
            # a bar below one half keeps a close "no" too; its reason argues for no, so the site's facts explain it
            out.kept.append(self._finding(out.ranked.unit, site, code, f"unsure (P(yes) {float(yes):.2f}): "
                                          f"{site.facts}", confidence="low"))
            return
        if yes is not None and float(yes) < bar:
            self._drop(out, site, site.facts, f"answered yes with probability {float(yes):.2f}, below "
                       f"{bar:.2f}: {reason}")
            return
        if contradicts_yes(reason):
            self._drop(out, site, site.facts, f"answered yes, but its reason says the code is right: {reason}")
            return
        why_not = self._unsupported(out.ranked.unit.file, reason, site.kind)
        if why_not is not None:
            self._drop(out, site, reason, f"reason not supported: {why_not}")
            return
        out.kept.append(self._finding(out.ranked.unit, site, code, reason, "low" if out.opened else "medium"))

    def _open_claim(self, block: str) -> list[str | float | None]:
        request = CompletionRequest(messages=[self.system, Message(role="user", content=f"{block}\n\n"
                                                                   f"{self.open_question}")],
                                    temperature=self.s.temperature, max_tokens=16)
        return ["line", self.s.meter.ask(request, OpenClaim).line, None]

    def _sites(self, out: Outcome, entry: CachedUnit, block: str) -> tuple[list[Site], int]:
        """The unit's sites; for a unit without any, those on the line an open reading names (its answer cached
        with the line relative to the unit). Returns the sites and the fresh calls made."""
        if out.ranked.sites or not self.s.open_reading:
            return out.ranked.sites, 0
        unit, fresh = out.ranked.unit, 0
        out.opened = True
        claim = entry.verdicts.get("open")
        if claim is None or len(claim) != 3:
            claim = self._open_claim(block)
            claim[1] = int(claim[1] or 0) - unit.start  # type: ignore[arg-type]
            entry.verdicts["open"], fresh = claim, 1
        out.asked += 1
        line = unit.start + int(claim[1] or 0)  # type: ignore[arg-type]
        sites = open_sites(unit, line)
        if isinstance(sites, str):
            out.dropped.append(DroppedClaim(agent="", title="open reading", file=unit.file, line=line,
                                            reason=f"no kind possible there: {sites}"[:300]))
            return [], fresh
        return sites, fresh

    def judge(self, ranked: Ranked) -> Outcome:
        """Ask about each of the unit's sites (cached answers reused). A failed call ends the unit with its error;
        raises BackendDown when no further call should be made."""
        start = time.perf_counter()
        out = Outcome(ranked=ranked)
        unit = ranked.unit
        if not self.wants(ranked):
            return out
        key = cache_key(unit.hash, self.s.model, self.s.version)
        entry = self.s.cache.get(key) or CachedUnit()
        block = self.s.prompts.render("unit", unit=unit, text=unit_text(unit), nonce=self.s.nonce)
        try:
            sites, fresh = self._sites(out, entry, block)
        except CallFailed as failed:
            out.error = str(failed)
            sites, fresh = [], 0
        for site in sites:
            code = code_at(unit, site.line)
            # the facts are part of the question: a finder that now sees more asks again (line numbers aside, so
            # that a unit that only moved keeps its answers)
            facts = hashlib.sha256(re.sub(r"\d+", "#", site.facts + site.question).encode()).hexdigest()[:8]
            local = f"{site.kind}@{site.line - unit.start}:{facts}"
            verdict = entry.verdicts.get(local)
            if verdict is None or len(verdict) != 3:
                try:
                    verdict = self._ask(block, site, code)
                except CallFailed as failed:
                    out.error = str(failed)
                    break
                entry.verdicts[local] = verdict
                fresh += 1
            out.asked += 1
            self._verdict(out, verdict, site, code)
        out.cached = out.asked > 0 and fresh == 0
        if out.asked:
            self.s.cache.put(key, entry)
        out.seconds = time.perf_counter() - start
        return out
