"""The closed list of judgement kinds: what each means, who owns it, how severe it is, and the question the
model answers at each of its sites (:mod:`reviewer.judge.sites` finds where a kind is possible at all)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["KINDS", "Kind", "KindInfo", "info"]

Kind = Literal[
    "race_on_shared_state", "success_on_failure", "error_swallowed", "error_as_value", "division_by_zero",
    "resource_not_released", "off_by_one", "type_confusion", "wrong_boolean_logic", "stale_cache_key",
    "sensitive_data_logged", "missing_timeout",
]


@dataclass(frozen=True)
class KindInfo:
    kind: str
    meaning: str
    persona: str
    category: str
    severity: str
    question: str


_TABLE: list[tuple[str, str, str, str, str, str]] = [
    ("race_on_shared_state", "shared (module, class or instance) state written by several threads without a lock",
     "architect", "reliability", "high",
     "Can two threads run this line at the same time, so that an update is lost or a half-made value is read?"),
    ("success_on_failure", "a failure path that reports or returns success (True, 'ok') to the caller",
     "qa_engineer", "functionality", "high",
     "When the operation fails, does the caller still get a value that says it succeeded?"),
    ("error_swallowed", "an exception caught and ignored (pass, continue, only logged) so the caller never knows",
     "qa_engineer", "reliability", "medium",
     "When this exception happens, is a real failure hidden, so that the caller goes on as if the operation had "
     "worked? (Ignoring an exception that is expected and harmless there is not a defect.)"),
    ("error_as_value", "an error returned as an ordinary value (an error string, -1, the exception) the caller can "
     "mistake for a result", "qa_engineer", "functionality", "medium",
     "Can a caller take this returned value for a real result, instead of learning that the operation failed?"),
    ("division_by_zero", "a division or modulo by a value that can be zero (an empty list's length, a count)",
     "qa_engineer", "functionality", "medium",
     "Can the divisor be zero when this line runs (for example an empty list or a zero from the caller)?"),
    ("resource_not_released", "a file, socket, connection or lock acquired outside `with`/`finally` and not "
     "released when an error happens", "architect", "reliability", "medium",
     "If an exception is raised after this acquire and before the release, is the resource left open or the lock "
     "held?"),
    ("off_by_one", "a wrong bound: range, slice, index or comparison off by one", "qa_engineer", "functionality",
     "medium", "Given what the function is meant to do, does this bound skip, repeat or run past an element?"),
    ("type_confusion", "units or types mixed up: seconds vs milliseconds, bytes vs str, str vs int",
     "qa_engineer", "functionality", "medium",
     "Are values of different units or types really combined here without a conversion?"),
    ("wrong_boolean_logic", "a condition that is inverted, uses and/or wrongly, or is always true or false",
     "qa_engineer", "functionality", "high",
     "Given what the function is meant to do (its name and docstring), is this condition wrong: inverted, `and` and "
     "`or` mixed up, or always true or always false?"),
    ("stale_cache_key", "a cache or memo whose key leaves out an input the result depends on", "architect",
     "reliability", "medium",
     "Can two calls that differ only in the left-out inputs get the same cached result, wrong for one of them?"),
    ("sensitive_data_logged", "a password, token, key or personal data written to a log, print or error message",
     "security_engineer", "security", "high",
     "Does this really write a password, token, secret key or personal data to a log or an output?"),
    ("missing_timeout", "a network or subprocess call that can wait forever because no timeout is given",
     "security_engineer", "reliability", "medium",
     "Can this call wait forever because no timeout is set on it (or on the session or client it uses)?"),
]

KINDS: dict[str, KindInfo] = {row[0]: KindInfo(*row) for row in _TABLE}


def info(kind: str) -> KindInfo:
    return KINDS[kind]
