"""Sites of clock and rate values mixed up: a naive "now" compared with a datetime its module makes aware, a clock's
seconds returned where the function promises milliseconds, and bytes returned where it promises bits per second.
"""

from __future__ import annotations

import ast
import re

from reviewer.judge.features import call_name
from reviewer.judge.site import Site, call_text, docstring
from reviewer.judge.site_types import CLOCKS, converted, datetime_family, family
from reviewer.judge.units import Unit

__all__ = ["clock_sites"]

_SAYS_MS = re.compile(r"\b(milli-?seconds?|ms|millis)\b", re.I)


def _seconds_as_ms(unit: Unit) -> list[Site]:
    """``def elapsed_ms(): return time.monotonic() - started``: the clock counts seconds, the name (or the
    docstring) promises milliseconds, and nothing on the returned line converts."""
    name = unit.qualname.rsplit(".", 1)[-1]
    if not (re.search(r"(^|_)(ms|millis|milliseconds)$", name) or _SAYS_MS.search(docstring(unit) or "")):
        return []
    for r in (n for n in unit.nodes if isinstance(n, ast.Return) and n.value is not None):
        clock = next((c for c in ast.walk(r.value) if isinstance(c, ast.Call) and call_name(c) in CLOCKS), None)
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


_MS_ARGS = {"pexpire": 1, "psetex": 1, "pexpireat": 1}
_SECONDS_ARGS = {"expire": 1, "setex": 1}
_SCRIPT_UNITS = [(re.compile(r"""['"](?:PEXPIRE|PSETEX)['"]\s*,\s*KEYS\[\d+\]\s*,\s*(?:tonumber\()?ARGV\[(\d+)\]|"""
                             r"""['"]PX['"]\s*,\s*(?:tonumber\()?ARGV\[(\d+)\]""", re.I), "milliseconds"),
                 (re.compile(r"""['"](?:EXPIRE|SETEX)['"]\s*,\s*KEYS\[\d+\]\s*,\s*(?:tonumber\()?ARGV\[(\d+)\]|"""
                             r"""['"]EX['"]\s*,\s*(?:tonumber\()?ARGV\[(\d+)\]""", re.I), "seconds")]
"""A Lua script's expiry commands and the ARGV they are given: ``redis.call('PEXPIRE', KEYS[1], ARGV[2])``."""


def _unwrapped(node: ast.AST) -> ast.AST:
    """``int(self.ttl_seconds)`` -> ``self.ttl_seconds``: a rounding keeps the unit."""
    while isinstance(node, ast.Call) and call_name(node) in ("int", "float", "round") and node.args:
        node = node.args[0]
    return node


def _script_text(unit: Unit, callee: str) -> str | None:
    """The Lua text behind ``self._renew(...)`` where the module has ``self._renew =
    client.register_script(_RENEW)`` and ``_RENEW = "..."``."""
    tree = unit.source.tree
    consts = {t.id: n.value.value for n in ast.walk(tree) if isinstance(n, ast.Assign) for t in n.targets
              if isinstance(t, ast.Name) and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)}
    for n in ast.walk(tree):
        if isinstance(n, ast.Assign) and any(ast.unparse(t) == callee for t in n.targets) and isinstance(
                n.value, ast.Call) and call_name(n.value).endswith("register_script") and n.value.args:
            script = n.value.args[0]
            return script.value if isinstance(script, ast.Constant) and isinstance(script.value, str) else \
                consts.get(script.id) if isinstance(script, ast.Name) else None
    return None


def _expiry_given(call: ast.Call, unit: Unit) -> list[tuple[ast.AST, str, str]]:
    """(value, the unit the call takes, what takes it) for each expiry a Redis call is given."""
    leaf = call_name(call).rsplit(".", 1)[-1]
    out = [(k.value, "milliseconds" if k.arg == "px" else "seconds", f"`{k.arg}=`") for k in call.keywords
           if k.arg in ("px", "ex") and leaf == "set"]
    for names, wanted in ((_MS_ARGS, "milliseconds"), (_SECONDS_ARGS, "seconds")):
        if leaf in names and len(call.args) > names[leaf]:
            out.append((call.args[names[leaf]], wanted, f"`{leaf}`"))
    argv = next((k.value for k in call.keywords if k.arg == "args"), None)
    if isinstance(argv, (ast.List, ast.Tuple)) and "keys" in {k.arg for k in call.keywords}:
        script = _script_text(unit, ast.unparse(call.func))
        for pattern, wanted in _SCRIPT_UNITS if script else []:
            for m in pattern.finditer(script or ""):
                n = int(m.group(1) or m.group(2))
                if 0 < n <= len(argv.elts):
                    out.append((argv.elts[n - 1], wanted, f"the script's `ARGV[{n}]`"))
    return out


def _attribute_unit(unit: Unit, value: ast.AST) -> str | None:
    """The unit of ``self._ttl`` where the class's ``__init__`` sets ``self._ttl = ttl_seconds``."""
    cls = unit.class_node
    if cls is None or not (isinstance(value, ast.Attribute) and ast.unparse(value.value) == "self"):
        return None
    init = next((m for m in cls.body if isinstance(m, ast.FunctionDef) and m.name == "__init__"), None)
    for n in ast.walk(init) if init is not None else []:
        if isinstance(n, ast.Assign) and any(ast.unparse(t) == ast.unparse(value) for t in n.targets):
            source = _unwrapped(n.value)
            if isinstance(source, ast.Call) and call_name(source).endswith("total_seconds"):
                return "seconds"
            return family(source) or (_said_unit(cls, init, source.id) if isinstance(source, ast.Name) else None)
    return None


def _said_unit(cls: ast.ClassDef, init: ast.FunctionDef, name: str) -> str | None:
    """The unit the class's or ``__init__``'s docstring gives a parameter: "`window` is in seconds"."""
    said = re.compile(rf"`?\b{re.escape(name)}\b`?(?: \w+)?(?: is| are)? (?:given )?in (seconds|milliseconds)\b", re.I)
    for doc in (ast.get_docstring(cls), ast.get_docstring(init)):
        m = said.search(doc or "")
        if m:
            return m.group(1).lower()
    return None


def _naive_timestamp(unit: Unit) -> list[Site]:
    """``(datetime.utcnow() + ttl).timestamp()``: ``timestamp()`` reads a naive datetime as local time, and
    ``utcnow()`` is naive, so the result is off by the machine's offset from UTC."""
    for call in (n for n in unit.nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                 and n.func.attr == "timestamp" and not n.args):
        naive = next((c for c in ast.walk(call.func.value) if isinstance(c, ast.Call)
                      and call_name(c).rsplit(".", 1)[-1] in ("utcnow", "utcfromtimestamp")), None)
        if naive is not None:
            return [Site("type_confusion", call.lineno, f"`{call_text(naive)}()` makes a naive datetime holding UTC, "
                         "and `.timestamp()` reads a naive datetime as local time: the result is off by the "
                         "machine's offset from UTC", "Use `datetime.now(timezone.utc)` (an aware value) before "
                         "`.timestamp()`")]
    return []


def _expiry_units(unit: Unit) -> list[Site]:
    """``r.set(key, v, px=ttl_seconds)``, ``r.pexpire(key, lease_s)``, a Lua script's ``PEXPIRE KEYS[1] ARGV[2]``
    given ``int(self.lease_seconds)``: Redis expiries named for one unit given a value named for the other."""
    for call in (n for n in unit.nodes if isinstance(n, ast.Call)):
        for value, wanted, taker in _expiry_given(call, unit):
            named = family(_unwrapped(value)) or _attribute_unit(unit, _unwrapped(value))
            if named in ("seconds", "milliseconds") and named != wanted and not converted(value):
                return [Site("type_confusion", call.lineno, f"{taker} takes {wanted}, and is given "
                             f"`{ast.unparse(value)}`, in {named}: the key expires "
                             f"{'1000 times too soon' if wanted == 'milliseconds' else '1000 times too late'}",
                             f"Convert `{ast.unparse(value)}` to {wanted}")]
    return []


def _field(node: ast.AST) -> str | None:
    """The field a value is read from: ``"origin_server_ts"`` for ``payload["origin_server_ts"]`` or
    ``payload.get("origin_server_ts", 0)``, ``created_ms`` for ``event.created_ms``."""
    node = _unwrapped(node)
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        return node.slice.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args \
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return node.args[0].value
    if isinstance(node, ast.Attribute) and ast.unparse(node.value) != "time":
        return node.attr
    return None


def _ms_fields(tree: ast.AST) -> set[str]:
    """Fields the module divides by 1000 somewhere (``payload["origin_server_ts"] / 1000.0``): milliseconds."""
    return {f for n in ast.walk(tree) if isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Div, ast.FloorDiv))
            and isinstance(n.right, ast.Constant) and n.right.value in (1000, 1000.0, 1e3) and (f := _field(n.left))}


def _ms_field_as_seconds(unit: Unit) -> list[Site]:
    """``time.time() - payload.get("origin_server_ts", 0)`` where the module divides that field by 1000 elsewhere:
    the field is in milliseconds and the clock in seconds."""
    pairs = [(n, side) for n in unit.nodes if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Sub)
             for clock, side in ((n.left, n.right), (n.right, n.left))
             if isinstance(clock, ast.Call) and call_name(clock) in ("time.time", "time")]
    if not pairs:
        return []
    fields = _ms_fields(unit.source.tree)
    for node, side in pairs:
        name = _field(side)
        if name in fields and not converted(side):
            return [Site("type_confusion", node.lineno, f"`{ast.unparse(node)[:70]}` takes `{name}` from a clock in "
                         f"seconds, while this module divides `{name}` by 1000 elsewhere: it is in milliseconds",
                         f"Divide `{name}` by 1000 here too")]
    return []


def _ms_observed(unit: Unit) -> list[Site]:
    """``histogram.observe((time.perf_counter() - start) * 1000)``: Prometheus-style histograms and summaries
    take seconds (their default buckets run from 5 ms to 10 s), and this gives them milliseconds."""
    for call in (n for n in unit.nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                 and n.func.attr == "observe" and n.args):
        value = call.args[0]
        scaled = isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult) and any(
            isinstance(x, ast.Constant) and x.value in (1000, 1000.0, 1e3) for x in (value.left, value.right))
        clock = any(isinstance(c, ast.Call) and call_name(c) in CLOCKS for c in ast.walk(value))
        if scaled and clock and not _SAYS_MS.search(ast.unparse(call.func.value).replace("_", " ")):
            return [Site("type_confusion", call.lineno, f"`{ast.unparse(value)[:60]}` is in milliseconds, and "
                         f"`{call_text(call)}` takes seconds (as Prometheus histograms do: their buckets run from "
                         "0.005 to 10)", "Observe the seconds the clock gives, without `* 1000`")]
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
             and call_name(n).rsplit(".", 1)[-1] in ("now", "utcnow", "today", "combine")]
    if not naive:
        return []
    held = {t.id: c for c in naive if isinstance(a := unit.parents.get(id(c)), ast.Assign) and len(a.targets) == 1
            for t in a.targets if isinstance(t, ast.Name)}  # ``deadline = datetime.combine(day, time.max)``
    naive += [n for n in unit.nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in held]
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
            shown = f"`{call_text(call)}`" if isinstance(call, ast.Call) else \
                f"`{call.id}` (made by `{call_text(held[call.id])}(...)`)"
            return [Site("type_confusion", node.lineno, f"{shown} is a naive datetime, and is compared "
                         f"with or subtracted from `{ast.unparse(others[0])[:60]}`, while this module makes aware "
                         f"ones (`{ast.unparse(aware)[:60]}`, line {aware.lineno})",
                         "Make both sides aware (`datetime.now(timezone.utc)`, `datetime.combine(d, t, "
                         "tzinfo=...)`)")]
    return []


def clock_sites(unit: Unit) -> list[Site]:
    return (_naive_against_aware(unit) + _seconds_as_ms(unit) + _bytes_as_bits(unit) + _expiry_units(unit)
            + _ms_field_as_seconds(unit) + _naive_timestamp(unit) + _ms_observed(unit))[:1]
