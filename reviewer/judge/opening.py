"""An open reading of a unit where no site finder saw anything: the model names the one line most likely to be
wrong; the kinds that line can hold at all (:func:`reviewer.judge.possible.possible_kinds`, most telling first)
become its sites, and each is asked about like any site, with its own bar.

The finders see the shapes they were written for; on code they were not written from, most defects have none of
those shapes. A small model asked openly points at the right line of a defect fairly often, but names the kind
badly (Qwen2.5-Coder-1.5B named "error_as_value" for nearly every unit of a tuning set) and almost never answers
that a unit is fine. So the model only chooses the line; the AST says which kinds are possible there, and the
kind's own question, asked separately, decides.

Opt-in (``review.open_reading``): with Qwen2.5-Coder-1.5B it found no defect on two held-out sets that the sites had
not found, and added 5 false positives in each set's 60 correct functions at the bar of 0.8. The line it names is
often right; the kind's question at a line the model chose itself gets a yes too easily.
"""

from __future__ import annotations

from reviewer.judge.possible import possible_kinds
from reviewer.judge.site import Site
from reviewer.judge.unitcontext import MAX_UNIT_LINES
from reviewer.judge.units import Unit

__all__ = ["OPEN_FIX", "OPENED", "OPEN_SITES", "open_sites"]

OPEN_SITES = 2
"""Kinds asked about on the line an open reading named, at most (most telling first)."""

OPENED = "a first reading of the whole unit named this line"
"""Said in the facts of every site an open reading proposed (the model is told where the line came from)."""

OPEN_FIX: dict[str, str] = {
    "race_on_shared_state": "Hold one lock around the read and the write of the shared state",
    "success_on_failure": "Report the failure to the caller: raise, or return a value it checks as a failure",
    "error_swallowed": "Re-raise, or return a failure the caller checks, instead of going on as if it worked",
    "error_as_value": "Raise an exception instead of returning the error as an ordinary value",
    "division_by_zero": "Test the divisor first and return or raise what the caller expects when it is zero",
    "resource_not_released": "Acquire it in a `with` statement, or release it in a `finally` block",
    "off_by_one": "Check the bound against the first and last element the function must cover, and correct it",
    "type_confusion": "Convert the values to one unit or type before they are combined",
    "wrong_boolean_logic": "Make the condition say what the name and docstring say (check `and`/`or` and `not`)",
    "stale_cache_key": "Put every input the cached value depends on into the key",
    "sensitive_data_logged": "Leave the secret or personal data out of the message, or mask it",
    "missing_timeout": "Pass a timeout to the call (or to the session or client it uses)",
}


def open_sites(unit: Unit, line: int) -> list[Site] | str:
    """The sites on the line an open reading named, or why there are none."""
    if line not in unit.lines[:MAX_UNIT_LINES]:
        return f"named line {line}, which is not among the unit's lines shown"
    kinds = possible_kinds(unit, line)[:OPEN_SITES]
    if not kinds:
        return f"named line {line}, where no kind in the closed list is possible: `{unit.source.line(line).strip()}`"
    return [Site(kind, line, f"{facts}; {OPENED}", OPEN_FIX[kind]) for kind, facts in kinds]
