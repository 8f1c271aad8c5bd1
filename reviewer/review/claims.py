"""Numbers in model prose are not facts: simple percent and count claims are checked against the evidence.

Detected claims: a coverage percentage, "all tests pass" / "no failing tests", "N failing tests" and
"N tests pass". A claim that contradicts the measured figure (or states a figure that was not measured) is
replaced in the text by a visible marker naming the measured value, and counted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from reviewer.evidence import Evidence

__all__ = ["COVERAGE_TOLERANCE", "ClaimCheck", "check_text"]

COVERAGE_TOLERANCE = 1.0

_NUM = r"(\d{1,3}(?:\.\d+)?)"
_COVERAGE = [
    re.compile(rf"{_NUM}\s*%\s*(?:line\s+|test\s+|code\s+)?coverage", re.I),
    re.compile(rf"coverage\b[^.;%\d]{{0,30}}?{_NUM}\s*%", re.I),
]
_ALL_PASS = re.compile(r"\b(?:all(?:\s+of\s+the|\s+the)?(?:\s+\d+)?\s+tests?\s+(?:pass(?:es|ed)?|succeed(?:s|ed)?)"
                       r"|no\s+(?:failing|failed|broken)\s+tests?|tests?\s+all\s+pass(?:ed)?)", re.I)
_N_FAILING = re.compile(r"\b(\d+)\s+(?:failing|failed|broken)\s+tests?\b|\b(\d+)\s+tests?\s+(?:are\s+|is\s+)?(?:failing|fail|failed)\b", re.I)
_N_PASSING = re.compile(r"\b(\d+)\s+tests?\s+(?:are\s+|is\s+)?(?:pass|passed|passing)\b", re.I)


@dataclass
class ClaimCheck:
    text: str
    contradictions: list[str]


def _coverage_check(ev: Evidence) -> Callable[[re.Match[str]], str | None]:
    measured = ev.tests.coverage_percent if ev.tests is not None else None

    def check(m: re.Match[str]) -> str | None:
        claimed = float(m.group(1))
        if measured is None:
            return "coverage was not measured"
        if abs(claimed - measured) > COVERAGE_TOLERANCE:
            return f"measured coverage is {measured:.1f}%"
        return None

    return check


def _tests_checks(ev: Evidence) -> list[tuple[re.Pattern[str], Callable[[re.Match[str]], str | None]]]:
    t = ev.tests
    ran = t is not None and t.mode != "none" and t.total > 0
    bad = (t.failed + t.errors) if t is not None else 0
    passed = t.passed if t is not None else 0

    def all_pass(m: re.Match[str]) -> str | None:
        if not ran:
            return "tests were not run"
        return f"{bad} test(s) fail or error" if bad else None

    def n_failing(m: re.Match[str]) -> str | None:
        claimed = int(m.group(1) or m.group(2))
        if not ran:
            return "tests were not run"
        return f"{bad} test(s) fail or error" if claimed != bad else None

    def n_passing(m: re.Match[str]) -> str | None:
        if not ran:
            return "tests were not run"
        return f"{passed} test(s) passed" if int(m.group(1)) != passed else None

    return [(_ALL_PASS, all_pass), (_N_FAILING, n_failing), (_N_PASSING, n_passing)]


def check_text(text: str, evidence: Evidence) -> ClaimCheck:
    """Replace each contradicted claim in ``text`` with a marker; list what was contradicted."""
    checks = [(p, _coverage_check(evidence)) for p in _COVERAGE] + _tests_checks(evidence)
    found: list[str] = []
    for pattern, check in checks:
        def replace(m: re.Match[str], check: Callable[[re.Match[str]], str | None] = check) -> str:
            why = check(m)
            if why is None:
                return m.group(0)
            found.append(f"{m.group(0)!r}: {why}")
            return f"[unverified claim removed: {why}]"

        text = pattern.sub(replace, text)
    return ClaimCheck(text=text, contradictions=found)
