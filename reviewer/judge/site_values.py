"""Sites of the value kinds: divisions, bounds, mixed units or types, and conditions.

Each finder returns the places where its kind is possible, with what it saw: a divisor not tested before the
division, a ``+ 1`` in a slice or range, seconds compared with milliseconds, a condition that is the function's
result.
"""

from __future__ import annotations

import ast
import re

from reviewer.judge.features import call_name, is_division
from reviewer.judge.site import Site, call_text
from reviewer.judge.units import Unit

__all__ = ["boolean_sites", "bound_sites", "division_sites", "unit_mix_sites"]

_ZERO_ERRORS = frozenset({"ZeroDivisionError", "ArithmeticError", "Exception", "BaseException"})


# --- division by zero -------------------------------------------------------------------------------------------

def _divisor(node: ast.AST) -> ast.AST:
    if isinstance(node, ast.Call):
        return node.args[1] if len(node.args) > 1 else node
    return node.right if isinstance(node, ast.BinOp) else node.value  # type: ignore[attr-defined]


def _never_zero(divisor: ast.AST) -> bool:
    if isinstance(divisor, ast.Constant):
        return isinstance(divisor.value, (int, float)) and not isinstance(divisor.value, bool) and divisor.value != 0
    if isinstance(divisor, ast.Call) and call_name(divisor) == "max":
        return any(isinstance(a, ast.Constant) and isinstance(a.value, (int, float)) and a.value > 0
                   for a in divisor.args)
    if isinstance(divisor, ast.BoolOp) and isinstance(divisor.op, ast.Or):
        return _never_zero(divisor.values[-1])  # ``n or 1``
    return False


def _tested(unit: Unit, divisor: ast.AST, line: int) -> bool:
    """A test (if, while, assert, conditional expression, and/or, comprehension filter) at or before ``line``
    mentions the divisor (or what its ``len()`` counts): the zero case was thought of."""
    inner = divisor
    while isinstance(inner, ast.Call) and call_name(inner) in ("len", "float", "int", "abs") and inner.args:
        inner = inner.args[0]  # ``float(len(self.avg))`` is zero when ``self.avg`` is empty
    wanted = ast.unparse(inner)
    tests: list[ast.AST] = [n.test for n in unit.nodes if isinstance(n, (ast.If, ast.While, ast.Assert, ast.IfExp))]
    tests += [n for n in unit.nodes if isinstance(n, ast.BoolOp)]
    tests += [c for n in unit.nodes if isinstance(n, ast.comprehension) for c in n.ifs]
    return any(t.lineno <= line and wanted in ast.unparse(_zero_part(t, wanted)) for t in tests)


def _zero_part(test: ast.AST, wanted: str) -> ast.AST:
    """The test without its parts that cannot rule out zero or empty: ``x is not None``, ``isinstance(x, T)``."""
    parts = test.values if isinstance(test, ast.BoolOp) else [test]
    kept = [p for p in parts if not _none_or_type_test(p)]
    return ast.BoolOp(op=ast.And(), values=kept) if len(kept) > 1 else kept[0] if kept else ast.Constant(value=None)


def _none_or_type_test(part: ast.AST) -> bool:
    if isinstance(part, ast.UnaryOp) and isinstance(part.op, ast.Not):
        part = part.operand
    if isinstance(part, ast.Compare) and all(isinstance(o, (ast.Is, ast.IsNot)) for o in part.ops):
        return True
    return isinstance(part, ast.Call) and call_name(part) in ("isinstance", "hasattr", "callable")


def _caught(unit: Unit, line: int) -> bool:
    """The division runs inside a try whose handler catches ZeroDivisionError (or a base of it)."""
    for t in (n for n in unit.nodes if isinstance(n, ast.Try)):
        body_end = max(int(getattr(s, "end_lineno", s.lineno) or s.lineno) for s in t.body)
        if t.body[0].lineno <= line <= body_end and any(
                h.type is None or set(ast.unparse(h.type).replace("(", "").replace(")", "").replace(" ", "").split(","))
                & _ZERO_ERRORS for h in t.handlers):
            return True
    return False


_STATS = frozenset({"mean", "fmean", "median", "median_low", "median_high", "mode", "stdev", "variance",
                    "pstdev", "pvariance", "harmonic_mean", "geometric_mean"})


def _statistics_on_empty(unit: Unit) -> list[Site]:
    """``statistics.mean(durations)`` raises StatisticsError on an empty list, as a division by its length would."""
    out = []
    for node in (n for n in unit.nodes if isinstance(n, ast.Call) and n.args):
        name = call_name(node)
        if not (name.startswith("statistics.") and name.rsplit(".", 1)[-1] in _STATS):
            continue
        data = node.args[0]
        if isinstance(data, (ast.List, ast.Tuple)) and data.elts or _tested(unit, data, node.lineno) or \
                _caught_any(unit, node.lineno):
            continue
        text = ast.unparse(data)
        out.append(Site("division_by_zero", node.lineno, f"`{name}({text})` divides by the number of values and "
                        f"raises StatisticsError when `{text}` is empty; nothing before line {node.lineno} tests it",
                        f"Handle an empty `{text}` before calling `{name}`"))
    return out


def _caught_any(unit: Unit, line: int) -> bool:
    return any(t.body[0].lineno <= line <= max(int(getattr(s, "end_lineno", s.lineno) or s.lineno) for s in t.body)
               for t in unit.nodes if isinstance(t, ast.Try) and t.handlers)


def division_sites(unit: Unit) -> list[Site]:
    out = _statistics_on_empty(unit)
    for node in (n for n in unit.nodes if is_division(n)):
        divisor = _divisor(node)
        if _never_zero(divisor) or _tested(unit, divisor, node.lineno) or _caught(unit, node.lineno):
            continue
        text = ast.unparse(divisor)
        out.append(Site("division_by_zero", node.lineno, f"`{text}` is the divisor, and nothing before line "
                        f"{node.lineno} tests it for zero", f"Handle `{text}` == 0 before dividing (return a defined "
                        "value or raise a clear error)"))
    return out


# --- off by one -------------------------------------------------------------------------------------------------

def _plus_minus_one(node: ast.AST) -> bool:
    """``x + 1`` / ``x - 1`` with a variable on the other side (``[1:]`` and ``[:-1]`` are idioms, not bounds)."""
    return any(isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Add, ast.Sub)) and (
        (isinstance(n.right, ast.Constant) and n.right.value == 1 and not isinstance(n.left, ast.Constant))
        or (isinstance(n.left, ast.Constant) and n.left.value == 1 and not isinstance(n.right, ast.Constant)))
        for n in ast.walk(node))


def _is_len(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and call_name(node) == "len"


def _bound(node: ast.AST) -> str | None:
    """The bound expression at this node that could be off by one, as text."""
    if isinstance(node, ast.Slice):
        parts = [p for p in (node.lower, node.upper) if p is not None]
        if any(_plus_minus_one(p) for p in parts):
            return ast.unparse(node)
    if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice):
        index = node.slice
        if _is_len(index) or (_plus_minus_one(index) and not _last_element(node) and not _clamped(node)):
            return ast.unparse(node)
    if isinstance(node, ast.Call) and call_name(node) == "range" and node.args and not _one_to_n(node):
        if any(_plus_minus_one(a) for a in node.args) or (
                len(node.args) >= 2 and isinstance(node.args[0], ast.Constant) and node.args[0].value == 1):
            return ast.unparse(node)
    if isinstance(node, ast.While) and isinstance(node.test, ast.Compare) and len(node.test.ops) == 1 and \
            isinstance(node.test.ops[0], (ast.LtE, ast.GtE)) and isinstance(node.test.left, ast.Name) and \
            not _bisects(node):
        return ast.unparse(node.test)  # ``while attempt <= retries``: one pass more than the bound?
    if isinstance(node, ast.Compare) and any(isinstance(o, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)) for o in node.ops):
        sides = [node.left, *node.comparators]
        inclusive = any(isinstance(o, (ast.LtE, ast.GtE)) for o in node.ops)
        if (inclusive and any(_is_len(x) for x in sides)) or any(_plus_minus_one(x) for x in sides):
            return ast.unparse(node)
    return None


def _scaled_len(sub: ast.Subscript) -> bool:
    """``ordered[int(len(ordered) * pct / 100)]``: an index computed from the length of the same sequence that
    can reach the length itself (not ``len(x) // 2`` or ``len(x) - 1``, which stay below it)."""
    index, seq = sub.slice, ast.unparse(sub.value)
    lens = [n for n in ast.walk(index) if _is_len(n) and n.args and ast.unparse(n.args[0]) == seq]
    if not lens or _is_len(index):
        return False
    halves = [n for n in ast.walk(index) if isinstance(n, (ast.BinOp)) and isinstance(n.op, (ast.FloorDiv, ast.RShift))
              and isinstance(n.right, ast.Constant) and isinstance(n.right.value, int) and n.right.value >= 1]
    minus = [n for n in ast.walk(index) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Sub)]
    return not halves and not minus


def _bisects(loop: ast.While) -> bool:
    """A binary search (``mid = (lo + hi) // 2``), whose ``lo <= hi`` is the rule, not a slip."""
    return any(isinstance(n, ast.BinOp) and (isinstance(n.op, ast.FloorDiv) or isinstance(n.op, ast.RShift)) and
               isinstance(n.right, ast.Constant) and n.right.value in (1, 2) for n in ast.walk(loop))


def _clamped(sub: ast.Subscript) -> bool:
    """``xs[min(i, len(xs) - 1)]``: the index is held below the length."""
    index, last = sub.slice, f"len({ast.unparse(sub.value)}) - 1"
    return isinstance(index, ast.Call) and call_name(index) == "min" and any(ast.unparse(a) == last for a in index.args)


def _one_to_n(call: ast.Call) -> bool:
    """``range(1, n + 1)``: the numbers 1 to n, the idiom for counting attempts or pages from one."""
    if len(call.args) != 2:
        return False
    first, stop = call.args
    return isinstance(first, ast.Constant) and first.value == 1 and isinstance(stop, ast.BinOp) and isinstance(
        stop.op, ast.Add) and isinstance(stop.right, ast.Constant) and stop.right.value == 1 and not _is_len(stop.left)


def _last_element(sub: ast.Subscript) -> bool:
    """``items[len(items) - 1]``: the last element, not a bound."""
    index = sub.slice
    return isinstance(index, ast.BinOp) and _is_len(index.left) and ast.unparse(index.left.args[0]) == ast.unparse(
        sub.value) if isinstance(index, ast.BinOp) and isinstance(index.left, ast.Call) and index.left.args else False


def _rounds_down(node: ast.AST) -> bool:
    """``size // chunk``: a floor division (not the ceiling idioms ``(a + b - 1) // b`` or ``-(-a // b)``)."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.FloorDiv)):
        return False
    return not (isinstance(node.left, ast.BinOp) and isinstance(node.left.op, (ast.Add, ast.Sub))) and not (
        isinstance(node.left, ast.UnaryOp) and isinstance(node.left.op, ast.USub))


def _floor_counts(unit: Unit) -> list[Site]:
    """``range(size // chunk)`` (directly or through a name): a count that rounds down leaves out a last, partial
    part."""
    floors = {t.id: n.value for n in unit.nodes if isinstance(n, ast.Assign) and _rounds_down(n.value)
              for t in n.targets if isinstance(t, ast.Name)}
    out = []
    for call in (n for n in unit.nodes if isinstance(n, ast.Call) and call_name(n) == "range" and n.args):
        stop = call.args[1] if len(call.args) > 1 else call.args[0]
        division = stop if _rounds_down(stop) else floors.get(stop.id) if isinstance(stop, ast.Name) else None
        if division is None or (isinstance(division.right, ast.Constant) and division.right.value in (1, 2)):
            continue  # (halving is not a count of parts)
        text = ast.unparse(division)
        out.append(Site("off_by_one", call.lineno, f"the count `{text}` rounds down, so when it does not divide "
                        f"exactly, the last partial part is left out of `{ast.unparse(call)}`",
                        f"Round up (`-(-{ast.unparse(division.left)} // {ast.unparse(division.right)})`) if a "
                        "partial last part must be included"))
    return out


def _negated_bounds(unit: Unit) -> list[Site]:
    """``backups[:-keep]``: with ``keep`` at 0 the slice is empty, not the whole list (``x[:-0] == []``)."""
    out = []
    for node in (n for n in unit.nodes if isinstance(n, ast.Slice)):
        for part in (node.lower, node.upper):
            if isinstance(part, ast.UnaryOp) and isinstance(part.op, ast.USub) and isinstance(
                    part.operand, (ast.Name, ast.Attribute)):
                name = ast.unparse(part.operand)
                out.append(Site("off_by_one", part.lineno, f"the slice bound `-{name}` counts from the end: when "
                                f"`{name}` is 0, `[:-{name}]` is empty and `[-{name}:]` is everything",
                                f"Use `len(x) - {name}` as the bound, or handle `{name}` == 0"))
    return out


def bound_sites(unit: Unit) -> list[Site]:
    out = _floor_counts(unit) + _negated_bounds(unit)
    for node in unit.nodes:
        if isinstance(node, ast.Subscript) and _scaled_len(node):
            index, seq = ast.unparse(node.slice), ast.unparse(node.value)
            out.append(Site("off_by_one", node.lineno, f"the index `{index}` is computed from `len({seq})` and can "
                            f"reach `len({seq})` itself, one past the last element", f"Keep the index in `{index}` "
                            f"below `len({seq})` (for example `min(..., len({seq}) - 1)`)"))
            continue
        text = _bound(node)
        if text is not None and hasattr(node, "lineno"):
            out.append(Site("off_by_one", node.lineno, f"the bound `{text}` is computed with a +1/-1 or len() here",
                            f"Correct the bound in `{text}` so that no element is skipped, repeated or out of range"))
    return out


# --- units and types mixed up -----------------------------------------------------------------------------------

_FAMILIES: list[tuple[str, re.Pattern[str]]] = [
    ("milliseconds", re.compile(r"(^|_)(ms|msec|millis|milliseconds?)$", re.I)),
    ("seconds", re.compile(r"(^|_)(s|sec|secs|seconds?)$|^(time\.time|time\.monotonic|time\.perf_counter)\(\)$"
                           r"|(^|\.)(getmtime|getctime|getatime)\(|^st_[mca]time$", re.I)),
    ("datetimes", re.compile(r"^(datetime\.)?(datetime\.)?(now|utcnow|today|fromtimestamp|fromisoformat)\(", re.I)),
    ("timedeltas", re.compile(r"^(datetime\.)?timedelta\(", re.I)),
    ("minutes", re.compile(r"(^|_)(min|mins|minutes?)$", re.I)),
    ("hours", re.compile(r"(^|_)(hrs|hours?)$", re.I)),
    ("days", re.compile(r"(^|_)(days?)$", re.I)),
    ("nanoseconds", re.compile(r"(^|_)(ns|nanos|nanoseconds?)$|^time\.(time|monotonic|perf_counter)_ns\(\)$", re.I)),
    ("bytes", re.compile(r"(^|_)(bytes|nbytes)$|^st_size$|(^|\.)getsize\(", re.I)),
    ("kilobytes", re.compile(r"(^|_)(kb|kib|kilobytes)$", re.I)),
    ("megabytes", re.compile(r"(^|_)(mb|mib|megabytes)$", re.I)),
    ("gigabytes", re.compile(r"(^|_)(gb|gib|gigabytes)$", re.I)),
]
_KEYWORD_UNITS = {"seconds": "seconds", "minutes": "minutes", "hours": "hours", "days": "days",
                  "milliseconds": "milliseconds", "timeout": "seconds"}
"""Keyword arguments that name their unit (``timedelta(seconds=...)``; a ``timeout=`` is in seconds)."""
_CONVERSIONS = frozenset({24, 60, 1000, 1e3, 1e6, 1e9, 1024, 1_000_000, 3600, 86400, 0.001, 1e-3, 1e-6, 1e-9})
_TIME_CALLS = ("time.sleep", "sleep")


def _datetime_family(node: ast.AST) -> str | None:
    """``datetime.now()``, ``utcnow()``, ``fromtimestamp(t)`` are naive; with a tz argument, aware. Subtracting or
    comparing one with the other raises TypeError."""
    if not isinstance(node, ast.Call):
        return None
    name = call_name(node)
    leaf = name.rsplit(".", 1)[-1]
    if "datetime" not in name or leaf not in ("now", "utcnow", "today", "fromtimestamp", "utcfromtimestamp"):
        return None
    aware = leaf == "now" and (node.args or node.keywords) or leaf == "fromtimestamp" and (
        len(node.args) > 1 or any(k.arg == "tz" for k in node.keywords))
    return "aware datetimes" if aware else "naive datetimes"


def _family(node: ast.AST) -> str | None:
    dated = _datetime_family(node)
    if dated:
        return dated
    text = ast.unparse(node)
    leaf = text if text.endswith("()") else text.rsplit(".", 1)[-1]
    for name, pattern in _FAMILIES:
        if pattern.search(leaf) or pattern.search(text):
            return name
    return None


def _converted(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Constant) and n.value in _CONVERSIONS and not isinstance(n.value, bool)
               for n in ast.walk(node))


def _operands(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        return _operands(node.left) + _operands(node.right)
    return [node]


_TEXT_SOURCES = re.compile(r"^(os\.environ\.get|os\.getenv|input|environ\.get|getenv)$|\.(read|readline|decode|"
                           r"strip|getvalue)$|^sys\.argv|(^|\.)(args|form|headers|params|query_params)\.get$")


def _text_source(node: ast.AST) -> bool:
    """A value that is text whatever it holds: an environment variable, input(), a line read, argv, a form field."""
    if isinstance(node, ast.Subscript):
        return ast.unparse(node.value) in ("sys.argv", "os.environ")
    return isinstance(node, ast.Call) and bool(_TEXT_SOURCES.search(call_name(node)))


def _numeric(node: ast.AST) -> bool:
    """A value that is a number whatever its inputs: ``len()``, ``int()``, ``float()``, ``sum()``, ``round()``."""
    return isinstance(node, ast.Call) and call_name(node) in ("len", "int", "float", "sum", "round", "abs")


def _text_vs_number(unit: Unit) -> list[Site]:
    """``os.environ.get("N") == 1``: text compared with a number is never equal (or raises on < and >)."""
    out = []
    for node in (n for n in unit.nodes if isinstance(n, ast.Compare)):
        sides = [node.left, *node.comparators]
        numbers = [x for x in sides if isinstance(x, ast.Constant) and isinstance(x.value, (int, float))
                   and not isinstance(x.value, bool)]
        texts = [x for x in sides if _text_source(x)]
        if not (numbers and texts) and isinstance(node.ops[0], (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)):
            numbers = [x for x in sides if _numeric(x)]  # ``len(parts) == "3"``, ``int(v) > "10"``
            texts = [x for x in sides if isinstance(x, ast.Constant) and isinstance(x.value, str)]
            numbers, texts = (texts, numbers) if numbers and texts else ([], [])
        if numbers and texts:
            out.append(Site("type_confusion", node.lineno, f"`{ast.unparse(texts[0])}` is text and is compared with "
                            f"the number {ast.unparse(numbers[0])}", f"Convert `{ast.unparse(texts[0])}` with int() "
                            "(handling a bad value) before comparing"))
    return out


_TEXT_MODE = frozenset({"text", "universal_newlines", "encoding", "errors"})
_BYTES_CALLS = re.compile(r"(^|\.)(recv|recvfrom|read_bytes|b64decode|urlsafe_b64decode|digest|encode)$")


def _bytes_names(unit: Unit) -> dict[str, str]:
    """Names bound to bytes, with the expression that reads them as text would: ``done = subprocess.run(...,
    capture_output=True)`` (no ``text=``) makes ``done.stdout`` bytes; ``data = sock.recv(64)`` makes ``data``."""
    out: dict[str, str] = {}
    for node in (n for n in unit.nodes if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)):
        call, name = node.value, call_name(node.value)
        targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
        if not targets or any(k.arg in _TEXT_MODE or k.arg is None for k in call.keywords):
            continue
        if name in ("subprocess.run", "run") and any(k.arg in ("capture_output", "stdout") for k in call.keywords):
            out.update({f"{t}.stdout": name for t in targets} | {f"{t}.stderr": name for t in targets})
        elif name in ("subprocess.check_output", "check_output") or _BYTES_CALLS.search(name):
            out.update({t: name for t in targets})
    return out


_BYTES_RESULT = re.compile(r"(^|\.)(digest|encode|read_bytes|recv|recv_into|recvfrom|b64decode|urlsafe_b64decode"
                           r"|b64encode|pack|getbuffer|tobytes)$")
_TEXT_RESULT = re.compile(r"(^|\.)(hexdigest|decode|read_text|getvalue_text|hex|isoformat|strftime|str|repr"
                          r"|format|join)$")
_SAME = ("strip", "rstrip", "lstrip", "lower", "upper", "casefold", "splitlines")


_ANNOTATED = {"bytes": "bytes", "str": "text", "int": "a number", "float": "a number", "Path": "a path",
              "pathlib.Path": "a path"}
_NEVER_EQUAL = ({"bytes", "text"}, {"a number", "text"}, {"a path", "text"})


def _bound_kinds(unit: Unit) -> dict[str, str]:
    """Names bound to bytes or to text in the unit (``data = sock.recv(64)``, ``want = h.hexdigest()``), and
    ``done.stdout`` for a command run without ``text=True``."""
    out = {name: "bytes" for name in _bytes_names(unit)}
    args = getattr(unit.node, "args", None)
    for a in [*args.posonlyargs, *args.args, *args.kwonlyargs] if args is not None else []:
        kind = _ANNOTATED.get(ast.unparse(a.annotation)) if a.annotation is not None else None
        if kind:
            out[a.arg] = kind  # ``dest: Path`` is a path whatever the caller passes
    for node in (n for n in unit.nodes if isinstance(n, ast.Assign) and len(n.targets) == 1):
        target = node.targets[0]
        if isinstance(target, ast.Name) and target.id not in out:
            kind = _value_kind(node.value, {})
            if kind:
                out[target.id] = kind
    return out


def _value_kind(node: ast.AST, names: dict[str, str]) -> str | None:
    """"bytes", "text" or None (unknown) for a value."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _SAME:
        node = node.func.value
    if isinstance(node, ast.Constant):
        if isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return "a number"
        return "bytes" if isinstance(node.value, bytes) else "text" if isinstance(node.value, str) else None
    if isinstance(node, ast.JoinedStr):
        return "text"
    text = ast.unparse(node)
    if text in names:
        return names[text]
    if isinstance(node, ast.Call):
        name = call_name(node)
        if _BYTES_RESULT.search(name) or name == "bytes":
            return "bytes"
        if _TEXT_RESULT.search(name):
            return "text"
    return None


def _bytes_vs_text(unit: Unit) -> list[Site]:
    """Bytes compared with (or searched for) text: ``done.stdout.strip() == "ready"`` is never true when the
    command ran without ``text=True``; ``h.digest() == expected_hex`` never holds; ``data.startswith("OK")``
    raises TypeError."""
    names = _bound_kinds(unit)
    for node in unit.nodes:
        pairs: list[tuple[ast.AST, ast.AST]] = []
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and not isinstance(node.ops[0], (ast.Is, ast.IsNot)):
            pairs = [(node.left, node.comparators[0])]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args and \
                node.func.attr in ("startswith", "endswith", "split", "find", "count", "replace"):
            pairs = [(node.func.value, node.args[0])]
        for one, other in pairs:
            kind_one, kind_other = _value_kind(one, names), _value_kind(other, names)
            if {kind_one, kind_other} in _NEVER_EQUAL:
                return [Site("type_confusion", node.lineno, f"`{ast.unparse(one)}` is {kind_one} and "
                             f"`{ast.unparse(other)}` is {kind_other}: they never compare equal (and an ordering or a "
                             "search between them raises TypeError)",
                             f"Convert `{ast.unparse(one)}` or `{ast.unparse(other)}` so both sides are the same type")]
    return []


def _keyword_mix(node: ast.Call) -> Site | None:
    """``timedelta(seconds=ttl_ms)``, ``requests.get(url, timeout=timeout_ms)``: a keyword that names its unit given
    a value of another."""
    for k in node.keywords:
        wanted = _KEYWORD_UNITS.get(k.arg or "")
        if wanted is None or _converted(k.value):
            continue
        given = {f for o in _operands(k.value) if (f := _family(o))}
        if given and wanted not in given:
            return Site("type_confusion", node.lineno, f"`{k.arg}=` takes {wanted} and is given "
                        f"`{ast.unparse(k.value)}`, in {' and '.join(sorted(given))}",
                        f"Convert `{ast.unparse(k.value)}` to {wanted} before passing it as `{k.arg}=`")
    return None


def unit_mix_sites(unit: Unit) -> list[Site]:
    """Seconds added to or compared with milliseconds (or minutes, bytes...), or a sleep given milliseconds."""
    out = []
    for node in unit.nodes:
        if isinstance(node, ast.Call) and (mixed := _keyword_mix(node)) is not None:
            out.append(mixed)
            continue
        sides: list[ast.AST] = []
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            sides = [node]
        elif isinstance(node, ast.Call) and call_name(node) in _TIME_CALLS and node.args:
            if _family(node.args[0]) == "milliseconds" and not _converted(node.args[0]):
                out.append(Site("type_confusion", node.lineno, f"`{call_text(node)}` takes seconds and is given "
                                f"`{ast.unparse(node.args[0])}`", "Convert milliseconds to seconds (/ 1000)"))
            continue
        if not sides or _converted(node):
            continue
        families = {f for s in sides for o in _operands(s) if (f := _family(o))}
        if len(families) > 1:
            out.append(Site("type_confusion", node.lineno, f"`{ast.unparse(node)}` mixes {' and '.join(sorted(families))} "
                            "with no conversion on that line", "Convert both sides to the same unit before comparing "
                            "or adding"))
    return (out + _text_vs_number(unit) + _bytes_vs_text(unit))[:1]


# --- wrong boolean logic ----------------------------------------------------------------------------------------

def _decides(unit: Unit) -> list[ast.BoolOp]:
    """Conditions of two or more parts that are the function's result: returned, filtering what it returns, or
    an ``if`` that returns True or False (an ``if`` that only steers the code is not asked about)."""
    out: list[ast.BoolOp] = []
    for node in unit.nodes:
        roots: list[ast.AST] = []
        if isinstance(node, ast.Return) and node.value is not None:
            roots = [node.value]
        elif isinstance(node, ast.comprehension):
            roots = list(node.ifs)
        elif isinstance(node, ast.If) and len(node.body) == 1 and isinstance(node.body[0], ast.Return) and \
                isinstance(node.body[0].value, ast.Constant) and isinstance(node.body[0].value.value, bool):
            roots = [node.test]  # ``if a and b: return True``: the condition is the result
        out.extend(b for r in roots for b in ast.walk(r) if isinstance(b, ast.BoolOp) and _decisive(b))
    return out


def _guarded_name(test: ast.AST) -> str | None:
    """What ``x is not None``, ``isinstance(x, T)``, ``hasattr(x, a)``, ``k in x``, ``x`` or ``not x`` tests."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test = test.operand
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Is, ast.IsNot)):
        return ast.unparse(test.left)
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.In):
        return ast.unparse(test.comparators[0])
    if isinstance(test, ast.Call) and call_name(test) in ("isinstance", "hasattr", "callable") and test.args:
        return ast.unparse(test.args[0])
    return ast.unparse(test) if isinstance(test, (ast.Name, ast.Attribute)) else None


_PREDICATE_CALLS = re.compile(r"^(is|has|can|should|must|any|all|bool|callable|isinstance|hasattr|issubclass"
                               r"|startswith|endswith|exists|is_\w+)", re.I)


def _condition(part: ast.AST) -> bool:
    """A part that is true or false (a comparison, a negation, a predicate call, a flag), not a value that
    ``or`` falls back from (``name or 'root'``, ``getattr(s, 'encoding', None) or 'ascii'``)."""
    if isinstance(part, (ast.Compare, ast.BoolOp)) or (isinstance(part, ast.UnaryOp) and isinstance(part.op, ast.Not)):
        return True
    if isinstance(part, ast.Call):
        return bool(_PREDICATE_CALLS.search(call_name(part).rsplit(".", 1)[-1]))
    return isinstance(part, (ast.Name, ast.Attribute))


def _decisive(op: ast.BoolOp) -> bool:
    """Two or more conditions after dropping leading guards (``x is not None and x.y > 0``: the guard only makes
    the rest safe to evaluate)."""
    if not all(_condition(p) for p in op.values):
        return False
    parts = list(op.values)
    while len(parts) > 1:
        name = _guarded_name(parts[0])
        if name is None or not any(name in ast.unparse(p) for p in parts[1:]):
            break
        parts.pop(0)
    return len(parts) >= 2


def _always(op: ast.BoolOp) -> str | None:
    """``x != a or x != b`` (always true) and ``x == a and x == b`` (always false); ``x < lo and x > hi`` (true
    only when ``hi`` < ``lo``) and ``x >= lo or x <= hi`` (false only then)."""
    wanted = ast.NotEq if isinstance(op.op, ast.Or) else ast.Eq
    lefts = [ast.unparse(v.left) for v in op.values if isinstance(v, ast.Compare) and len(v.ops) == 1
             and isinstance(v.ops[0], wanted) and isinstance(v.comparators[0], ast.Constant)]
    if len(lefts) != len(set(lefts)):
        return "always true" if isinstance(op.op, ast.Or) else "always false"
    if isinstance(op.op, ast.Or) and any(isinstance(v, ast.Compare) for v in op.values):
        truthy = [v for v in op.values if isinstance(v, ast.Constant) and v.value and not isinstance(v.value, bool)]
        if truthy:  # ``ext == "jpg" or "png"``
            return f"always true: `{ast.unparse(truthy[0])}` is a true value on its own, not compared with anything"
    return _both_sides(op)


def _sides(op: ast.BoolOp) -> dict[str, dict[str, str]]:
    """For each operand compared in ``op``: what it must be below and above (``x < a`` and ``a > x`` alike)."""
    out: dict[str, dict[str, str]] = {}
    for v in op.values:
        if not (isinstance(v, ast.Compare) and len(v.ops) == 1):
            continue
        left, right, cmp = ast.unparse(v.left), ast.unparse(v.comparators[0]), v.ops[0]
        if isinstance(cmp, (ast.Lt, ast.LtE)):
            out.setdefault(left, {})["below"] = right
            out.setdefault(right, {})["above"] = left
        elif isinstance(cmp, (ast.Gt, ast.GtE)):
            out.setdefault(left, {})["above"] = right
            out.setdefault(right, {})["below"] = left
    return out


_LOW = re.compile(r"(^|_)(low|lo|min|minimum|lower|start|begin|first|floor|least|from|since)(_|$)", re.I)
_HIGH = re.compile(r"(^|_)(high|hi|max|maximum|upper|end|stop|last|ceil|ceiling|most|to|until)(_|$)", re.I)


def _order(low: str, high: str) -> bool | None:
    """True when ``low`` is known (from literals or names) to be at most ``high``, False when at least, else None."""
    try:
        return ast.literal_eval(low) <= ast.literal_eval(high)
    except (ValueError, SyntaxError, TypeError):
        pass
    low_leaf, high_leaf = low.rsplit(".", 1)[-1], high.rsplit(".", 1)[-1]
    if _LOW.search(low_leaf) and _HIGH.search(high_leaf):
        return True
    if _HIGH.search(low_leaf) and _LOW.search(high_leaf):
        return False
    return None


def _both_sides(op: ast.BoolOp) -> str | None:
    """``x < low and x > high`` needs ``high`` < ``low``: with names (or literals) that say the opposite, it is
    never true; ``x > low or x < high`` is then always true."""
    for operand, sides in _sides(op).items():
        if "below" not in sides or "above" not in sides:
            continue
        below, above = sides["below"], sides["above"]
        if isinstance(op.op, ast.And) and _order(below, above):
            return f"always false: `{operand}` must be below `{below}` and above `{above}`, and `{below}` <= `{above}`"
        if isinstance(op.op, ast.Or) and _order(above, below):
            return f"always true: `{operand}` is above `{above}` or below `{below}`, and `{above}` <= `{below}`"
    return None


def boolean_sites(unit: Unit) -> list[Site]:
    everywhere = [b for b in unit.nodes if isinstance(b, ast.BoolOp) and _always(b)]
    out = []
    for op in everywhere + _decides(unit):
        text = ast.unparse(op)
        always = _always(op)
        facts = (f"`{text}` is {always}" if always else
                 f"the condition `{text}` combines {len(op.values)} parts with `{'and' if isinstance(op.op, ast.And) else 'or'}`")
        out.append(Site("wrong_boolean_logic", op.lineno, facts, f"Correct the condition `{text}`"))
    return sorted(out, key=lambda s: "always" not in s.facts)[:1]

