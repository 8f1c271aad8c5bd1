"""The closed list of judgement kinds: what each means, who owns it, and the adjudication question for it.

The model may only answer with one of these kinds; each has an AST check (:mod:`reviewer.judge.checks`) that
must hold on the cited line for the claim to be possible at all, and a kind-specific yes/no question.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["KINDS", "Kind", "KindInfo", "info"]

Kind = Literal[
    "race_on_shared_state", "success_on_failure", "error_swallowed", "error_as_value", "division_by_zero",
    "resource_not_released", "off_by_one", "type_confusion", "wrong_boolean_logic", "stale_cache_key",
    "sensitive_data_logged", "missing_timeout", "other",
]


@dataclass(frozen=True)
class KindInfo:
    kind: str
    meaning: str
    persona: str
    category: str
    question: str


_TABLE: list[tuple[str, str, str, str, str]] = [
    ("race_on_shared_state", "shared (module, class or instance) state written by several threads without a lock",
     "architect", "reliability",
     "Is this shared state really written from more than one thread here without holding a lock?"),
    ("success_on_failure", "a failure path that reports or returns success (True, 0, 'ok') to the caller",
     "qa_engineer", "functionality",
     "Does this code really report success to its caller when the operation failed?"),
    ("error_swallowed", "an exception caught and ignored (pass, continue, only logged) so the caller never knows",
     "qa_engineer", "reliability",
     "Is this exception really silently ignored, so that the caller cannot learn the operation failed?"),
    ("error_as_value", "an error returned as an ordinary value (an error string, None, -1) the caller can mistake "
     "for a result", "qa_engineer", "functionality",
     "Does this code really return an error as an ordinary value that callers can mistake for a real result?"),
    ("division_by_zero", "a division or modulo by a value that can be zero (an empty list's length, a count)",
     "qa_engineer", "functionality",
     "Is this really a division or modulo by a value that can be zero here, with no guard before it?"),
    ("resource_not_released", "a file, socket, connection or lock acquired outside `with`/`finally` and not "
     "released when an error happens", "architect", "reliability",
     "Is this resource or lock really left unreleased when an exception is raised, with no with/finally?"),
    ("off_by_one", "a wrong bound: range, slice, index or comparison off by one", "qa_engineer", "functionality",
     "Is this bound really off by one, so that an element is skipped, repeated or out of range?"),
    ("type_confusion", "units or types mixed up: seconds vs milliseconds, bytes vs str, str vs int",
     "qa_engineer", "functionality",
     "Does this code really mix up units or types (for example seconds and milliseconds, bytes and str)?"),
    ("wrong_boolean_logic", "a condition that is inverted, uses and/or wrongly, or is always true or false",
     "qa_engineer", "functionality",
     "Is this condition really wrong (inverted, and/or mixed up, always true or always false)?"),
    ("stale_cache_key", "a cache or memo whose key leaves out an input the result depends on", "architect",
     "reliability", "Does this cache key really leave out an input the cached result depends on?"),
    ("sensitive_data_logged", "a password, token, key or personal data written to a log, print or error message",
     "security_engineer", "security",
     "Is a password, token, secret key or personal data really written to a log or output here?"),
    ("missing_timeout", "a network or subprocess call that can wait forever because no timeout is given",
     "security_engineer", "reliability",
     "Can this network or subprocess call really wait forever because no timeout is set?"),
    ("other", "another concrete defect on that line", "qa_engineer", "functionality",
     "Is this really a defect in this code, not a style preference?"),
]

KINDS: dict[str, KindInfo] = {row[0]: KindInfo(*row) for row in _TABLE}


def info(kind: str) -> KindInfo:
    return KINDS.get(kind, KINDS["other"])
