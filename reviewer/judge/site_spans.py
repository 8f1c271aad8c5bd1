"""Sites of ranges written as text: ``"1-5"``, ``"mon-fri"``, ``"10..20"`` name both their ends (cron fields,
page and port ranges, version spans), so a ``range()`` over the parsed ends that stops before the last one drops it.
"""

from __future__ import annotations

import ast

from reviewer.judge.features import call_name
from reviewer.judge.site import Site
from reviewer.judge.units import Unit

__all__ = ["span_sites"]

_SEPARATORS = frozenset({"-", "..", "...", "\u2013"})


def _split_on_dash(value: ast.AST) -> bool:
    """``part.split("-", 1)``, ``spec.partition("-")``, ``text.rsplit("..")``."""
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in (
        "split", "rsplit", "partition") and bool(value.args) and isinstance(value.args[0], ast.Constant) and \
        value.args[0].value in _SEPARATORS


def _pairs(node: ast.Assign) -> list[tuple[str, ast.AST]]:
    """(name, value) for each name an assignment binds, element by element for ``a, b = x, y``."""
    target, value = node.targets[0], node.value
    if isinstance(target, ast.Name):
        return [(target.id, value)]
    if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts):
        return [(t.id, v) for t, v in zip(target.elts, value.elts) if isinstance(t, ast.Name)]
    return []


def _upper_ends(unit: Unit) -> dict[str, int]:
    """Names holding the upper end of a range parsed from text, with the line that split it: ``end_s`` in
    ``start_s, end_s = part.split("-", 1)``, and ``end`` in ``start, end = int(start_s), int(end_s)``."""
    ends: dict[str, int] = {}
    for node in sorted((n for n in unit.nodes if isinstance(n, ast.Assign) and len(n.targets) == 1),
                       key=lambda n: n.lineno):
        target = node.targets[0]
        if _split_on_dash(node.value) and isinstance(target, ast.Tuple) and isinstance(target.elts[-1], ast.Name):
            ends[target.elts[-1].id] = node.lineno
            continue
        for name, value in _pairs(node):
            source = next((ends[n.id] for n in ast.walk(value) if isinstance(n, ast.Name) and n.id in ends), None)
            if source is not None:
                ends[name] = source
    return ends


def _lopsided_window(unit: Unit) -> list[Site]:
    """``range(current - window, current + window)``: a window meant to reach as far on each side of its centre,
    which ``range`` ends one short of on the upper side."""
    for call in (n for n in unit.nodes if isinstance(n, ast.Call) and call_name(n) == "range" and len(n.args) == 2):
        low, high = call.args
        if isinstance(low, ast.BinOp) and isinstance(low.op, ast.Sub) and isinstance(high, ast.BinOp) and isinstance(
                high.op, ast.Add) and ast.unparse(low.left) == ast.unparse(high.left) and ast.unparse(
                low.right) == ast.unparse(high.right) and not isinstance(low.right, ast.Constant):
            centre, reach = ast.unparse(low.left), ast.unparse(low.right)
            return [Site("off_by_one", call.lineno, f"`{ast.unparse(call)}` reaches `{reach}` below `{centre}` but "
                         f"only `{reach} - 1` above it: `range` stops before its end", f"Use `range({centre} - "
                         f"{reach}, {centre} + {reach} + 1)` for a window as wide on both sides")]
    return []


def _rank_as_index(unit: Unit) -> list[Site]:
    """``rank = math.ceil(pct / 100 * len(ordered))`` then ``ordered[rank]``: a nearest rank counts from 1 (it is
    ``len(ordered)`` at 100 %), so as an index it reads one place too high and runs off the end at the top."""
    ranks = {t.id: n for n in unit.nodes if isinstance(n, ast.Assign) and len(n.targets) == 1
             and isinstance(t := n.targets[0], ast.Name) and isinstance(n.value, ast.Call)
             and call_name(n.value) in ("math.ceil", "ceil") and any(
                 isinstance(c, ast.Call) and call_name(c) == "len" for c in ast.walk(n.value))}
    for sub in (n for n in unit.nodes if isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Name)
                and n.slice.id in ranks and isinstance(n.ctx, ast.Load)):
        made = ranks[sub.slice.id]
        return [Site("off_by_one", sub.lineno, f"`{sub.slice.id}` is `{ast.unparse(made.value)}` (line {made.lineno}), "
                     f"a rank counted from 1 that reaches the length itself, and `{ast.unparse(sub)}` uses it as a "
                     "0-based index: one place too high, and out of range at the top", f"Index with "
                     f"`{sub.slice.id} - 1` (and keep it at least 0)")]
    return []


def span_sites(unit: Unit) -> list[Site]:
    """``start, end = part.split("-")`` then ``range(int(start), int(end))``: the text names its last value, and
    ``range`` stops before it. And a window around a centre that ``range`` makes lopsided."""
    ends = _upper_ends(unit)
    if not ends:
        return _lopsided_window(unit) + _rank_as_index(unit)
    for call in (n for n in unit.nodes if isinstance(n, ast.Call) and call_name(n) == "range" and len(n.args) >= 2):
        stop = call.args[1]
        inner = stop.args[0] if isinstance(stop, ast.Call) and call_name(stop) == "int" and stop.args else stop
        if isinstance(inner, ast.Name) and inner.id in ends:
            return [Site("off_by_one", call.lineno, f"`{ast.unparse(call)}` stops before `{inner.id}`, the last "
                         f"value of a range written as text (split at line {ends[inner.id]}): \"1-5\" names 5 too",
                         f"Use `range(..., {ast.unparse(stop)} + 1)` so that the last value is included")]
    return _lopsided_window(unit) + _rank_as_index(unit)
