"""Sites of clock and rate values mixed up: a naive "now" compared with a datetime its module makes aware, a clock's
seconds returned where the function promises milliseconds, and bytes returned where it promises bits per second.
"""

from __future__ import annotations

import ast
import re

from reviewer.judge.features import call_name
from reviewer.judge.site import Site, call_text, docstring
from reviewer.judge.site_types import converted, datetime_family, family
from reviewer.judge.units import Unit

__all__ = ["clock_sites"]

_CLOCKS = ("time.time", "time.monotonic", "time.perf_counter", "monotonic", "perf_counter")
_SAYS_MS = re.compile(r"\b(milli-?seconds?|ms|millis)\b", re.I)


def _seconds_as_ms(unit: Unit) -> list[Site]:
    """``def elapsed_ms(): return time.monotonic() - started``: the clock counts seconds, the name (or the
    docstring) promises milliseconds, and nothing on the returned line converts."""
    name = unit.qualname.rsplit(".", 1)[-1]
    if not (re.search(r"(^|_)(ms|millis|milliseconds)$", name) or _SAYS_MS.search(docstring(unit) or "")):
        return []
    for r in (n for n in unit.nodes if isinstance(n, ast.Return) and n.value is not None):
        clock = next((c for c in ast.walk(r.value) if isinstance(c, ast.Call) and call_name(c) in _CLOCKS), None)
        if clock is not None and not converted(r.value):
            return [Site("type_confusion", r.lineno, f"`{ast.unparse(r.value)[:60]}` is in seconds "
                         f"(`{call_name(clock)}()` counts seconds), and the function promises milliseconds",
                         "Multiply by 1000 (or use `time.monotonic_ns() // 1_000_000`)")]
    return []


_SAYS_BITS = re.compile(r"\b(bits? per second|[kmg]?bit/s|[kmg]bps|bit ?rate)\b", re.I)


def _bytes_as_bits(unit: Unit) -> list[Site]:
    """``def output_kbps(self): return self.output_bytes / self.seconds / 1000``: the name (or the docstring)
    promises bits per second, the value is made from a count of bytes, and nothing multiplies it by 8."""
    name = unit.qualname.rsplit(".", 1)[-1]
    if not (re.search(r"(^|_)([kmg]?bps|bitrate)$", name, re.I) or _SAYS_BITS.search(docstring(unit) or "")):
        return []
    for r in (n for n in unit.nodes if isinstance(n, ast.Return) and n.value is not None):
        count = next((x for x in ast.walk(r.value) if isinstance(x, (ast.Name, ast.Attribute))
                      and family(x) == "bytes"), None)
        eight = any(isinstance(c, ast.Constant) and c.value in (8, 8.0) or isinstance(c, ast.BinOp)
                    and isinstance(c.op, ast.LShift) for c in ast.walk(r.value))  # ``* 8``, ``<< 3``
        if count is not None and not eight:
            return [Site("type_confusion", r.lineno, f"`{ast.unparse(r.value)[:60]}` is made from "
                         f"`{ast.unparse(count)}`, a count of bytes, with no `* 8`, and the function promises bits "
                         "per second", f"Multiply `{ast.unparse(count)}` by 8 to count bits")]
    return []


def _aware_made(tree: ast.AST) -> ast.AST | None:
    """The first place the module makes a timezone-aware datetime: ``datetime.now(timezone.utc)``,
    ``fromtimestamp(t, tz=...)``, ``.replace(tzinfo=...)``, ``.astimezone(...)``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (datetime_family(node) == "aware datetimes" or any(
                k.arg in ("tzinfo", "tz") for k in node.keywords) or call_name(node).endswith(".astimezone")):
            return node
    return None


def _naive_against_aware(unit: Unit) -> list[Site]:
    """``datetime.utcnow() >= token.expires_at`` in a module that makes aware datetimes: a naive "now" compared
    with or subtracted from a value the module may well have made aware raises TypeError (or, for ``now()``
    against UTC, is off by the local offset)."""
    naive = [n for n in unit.nodes if isinstance(n, ast.Call) and datetime_family(n) == "naive datetimes"
             and call_name(n).rsplit(".", 1)[-1] in ("now", "utcnow", "today")]
    if not naive:
        return []
    aware = _aware_made(unit.source.tree)
    if aware is None:
        return []
    inside = {id(x): n for n in unit.nodes if isinstance(n, (ast.Compare, ast.BinOp)) for x in ast.walk(n)}
    for call in naive:
        node = inside.get(id(call))
        if node is None or isinstance(node, ast.BinOp) and not isinstance(node.op, ast.Sub):
            continue
        sides = [node.left, *node.comparators] if isinstance(node, ast.Compare) else [node.left, node.right]
        others = [x for x in sides if call not in ast.walk(x) and not isinstance(x, ast.Constant)]
        if others and all(family(x) != "naive datetimes" for x in others):
            return [Site("type_confusion", node.lineno, f"`{call_text(call)}` is a naive datetime, and is compared "
                         f"with or subtracted from `{ast.unparse(others[0])[:60]}`, while this module makes aware "
                         f"ones (`{ast.unparse(aware)[:60]}`, line {aware.lineno})",
                         "Use an aware now (`datetime.now(timezone.utc)`) on both sides")]
    return []


def clock_sites(unit: Unit) -> list[Site]:
    return (_naive_against_aware(unit) + _seconds_as_ms(unit) + _bytes_as_bits(unit))[:1]
