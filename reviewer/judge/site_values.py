"""Sites of the value kinds: divisions, bounds, mixed units, cache keys, logged secrets, missing timeouts and
conditions.

Each finder returns the places where its kind is possible, with what it saw: a divisor not tested before the
division, a ``+ 1`` in a slice or range, seconds compared with milliseconds, a cache key that leaves out an
input of the cached value, a password passed to a log call, a request without ``timeout``, a condition that
decides the function's result.
"""

from __future__ import annotations

import ast
import re

from reviewer.judge.features import call_name, is_division
from reviewer.judge.site import Site, call_text
from reviewer.judge.units import Unit

__all__ = ["boolean_sites", "bound_sites", "cache_sites", "division_sites", "logged_sites", "timeout_sites",
           "unit_mix_sites"]

_ZERO_ERRORS = frozenset({"ZeroDivisionError", "ArithmeticError", "Exception", "BaseException"})


def _walk(unit: Unit) -> list[ast.AST]:
    return list(ast.walk(unit.node))


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
    inner = divisor.args[0] if isinstance(divisor, ast.Call) and call_name(divisor) == "len" and divisor.args \
        else divisor
    wanted = ast.unparse(inner)
    tests: list[ast.AST] = [n.test for n in _walk(unit) if isinstance(n, (ast.If, ast.While, ast.Assert, ast.IfExp))]
    tests += [n for n in _walk(unit) if isinstance(n, ast.BoolOp)]
    tests += [c for n in _walk(unit) if isinstance(n, ast.comprehension) for c in n.ifs]
    return any(t.lineno <= line and wanted in ast.unparse(t) for t in tests)


def _caught(unit: Unit, line: int) -> bool:
    """The division runs inside a try whose handler catches ZeroDivisionError (or a base of it)."""
    for t in (n for n in _walk(unit) if isinstance(n, ast.Try)):
        body_end = max(int(getattr(s, "end_lineno", s.lineno) or s.lineno) for s in t.body)
        if t.body[0].lineno <= line <= body_end and any(
                h.type is None or set(ast.unparse(h.type).replace("(", "").replace(")", "").replace(" ", "").split(","))
                & _ZERO_ERRORS for h in t.handlers):
            return True
    return False


def division_sites(unit: Unit) -> list[Site]:
    out = []
    for node in (n for n in _walk(unit) if is_division(n)):
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
        if _is_len(index) or (_plus_minus_one(index) and not _last_element(node)):
            return ast.unparse(node)
    if isinstance(node, ast.Call) and call_name(node) == "range" and node.args:
        if any(_plus_minus_one(a) for a in node.args) or (
                len(node.args) >= 2 and isinstance(node.args[0], ast.Constant) and node.args[0].value == 1):
            return ast.unparse(node)
    if isinstance(node, ast.Compare) and any(isinstance(o, (ast.LtE, ast.GtE)) for o in node.ops) and any(
            _is_len(x) for x in [node.left, *node.comparators]):
        return ast.unparse(node)
    return None


def _last_element(sub: ast.Subscript) -> bool:
    """``items[len(items) - 1]``: the last element, not a bound."""
    index = sub.slice
    return isinstance(index, ast.BinOp) and _is_len(index.left) and ast.unparse(index.left.args[0]) == ast.unparse(
        sub.value) if isinstance(index, ast.BinOp) and isinstance(index.left, ast.Call) and index.left.args else False


def bound_sites(unit: Unit) -> list[Site]:
    out = []
    for node in _walk(unit):
        text = _bound(node)
        if text is not None and hasattr(node, "lineno"):
            out.append(Site("off_by_one", node.lineno, f"the bound `{text}` is computed with a +1/-1 or len() here",
                            f"Correct the bound in `{text}` so that no element is skipped, repeated or out of range"))
    return out


# --- units and types mixed up -----------------------------------------------------------------------------------

_FAMILIES: list[tuple[str, re.Pattern[str]]] = [
    ("milliseconds", re.compile(r"(^|_)(ms|msec|millis|milliseconds?)$", re.I)),
    ("seconds", re.compile(r"(^|_)(s|sec|secs|seconds?)$|^(time\.time|time\.monotonic|time\.perf_counter)\(\)$",
                           re.I)),
    ("minutes", re.compile(r"(^|_)(min|mins|minutes?)$", re.I)),
    ("nanoseconds", re.compile(r"(^|_)(ns|nanos|nanoseconds?)$|^time\.(time|monotonic|perf_counter)_ns\(\)$", re.I)),
    ("bytes", re.compile(r"(^|_)(bytes|kb|kib|mb|mib)$", re.I)),
]
_CONVERSIONS = frozenset({60, 1000, 1e3, 1e6, 1e9, 1024, 1_000_000, 3600, 86400, 0.001})
_TIME_CALLS = ("time.sleep", "sleep")


def _family(node: ast.AST) -> str | None:
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


def unit_mix_sites(unit: Unit) -> list[Site]:
    """Seconds added to or compared with milliseconds (or minutes, bytes...), or a sleep given milliseconds."""
    out = []
    for node in _walk(unit):
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
    return out[:1]


# --- stale cache key --------------------------------------------------------------------------------------------

_CACHEISH = re.compile(r"cache|memo|_seen$|lookup|registry", re.I)


def _params(unit: Unit) -> list[str]:
    args = getattr(unit.node, "args", None)
    if args is None:
        return []
    return [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs] if a.arg not in ("self", "cls")]


def _value_params(unit: Unit, params: list[str]) -> set[str]:
    """Parameters used as values (operands, call arguments), not only as the object a method is called on."""
    receivers = {id(n.func.value) for n in _walk(unit) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
    return {n.id for n in _walk(unit) if isinstance(n, ast.Name) and n.id in params and id(n) not in receivers
            and isinstance(n.ctx, ast.Load)}


def cache_sites(unit: Unit) -> list[Site]:
    """A store into a cache-like mapping whose key leaves out a parameter the function uses as a value."""
    params = _params(unit)
    if not params:
        return []
    used = _value_params(unit, params)
    for node in (n for n in _walk(unit) if isinstance(n, ast.Assign)):
        for target in node.targets:
            if not isinstance(target, ast.Subscript) or not _CACHEISH.search(ast.unparse(target.value)):
                continue
            key_names = {n.id for n in ast.walk(target.slice) if isinstance(n, ast.Name)}
            key_names |= _derived(unit, key_names)
            missing = sorted(used - key_names)
            if missing and key_names:
                names = ", ".join(f"`{m}`" for m in missing)
                return [Site("stale_cache_key", node.lineno, f"the key `{ast.unparse(target.slice)}` of "
                             f"`{ast.unparse(target.value)}` leaves out {names}, which the function also uses",
                             f"Put {names} in the cache key, or leave out of the cache what depends on it")]
    return []


def _derived(unit: Unit, names: set[str]) -> set[str]:
    """Parameters a key variable was computed from (``key = (a, b)`` makes ``a`` and ``b`` part of the key)."""
    out: set[str] = set()
    for node in (n for n in _walk(unit) if isinstance(n, ast.Assign)):
        if any(isinstance(t, ast.Name) and t.id in names for t in node.targets):
            out |= {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
    return out


# --- sensitive data logged --------------------------------------------------------------------------------------

_SENSITIVE = re.compile(r"pass(word|wd|phrase)?$|^pw$|secret|(^|_)token$|api_?key|credential|private_?key|(^|_)ssn$"
                        r"|card_?number|(^|_)cvv$|access_key", re.I)
_LOG_CALLS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "print", "echo",
                        "secho"})


def _sensitive_names(node: ast.AST) -> list[str]:
    out = []
    for n in ast.walk(node):
        leaf = n.id if isinstance(n, ast.Name) else n.attr if isinstance(n, ast.Attribute) else None
        if leaf and _SENSITIVE.search(leaf):
            out.append(ast.unparse(n))
    return out


def logged_sites(unit: Unit) -> list[Site]:
    """A password, token or key passed to a log call, print or an exception message."""
    for node in _walk(unit):
        values: list[ast.AST] = []
        if isinstance(node, ast.Call) and call_name(node).rsplit(".", 1)[-1] in _LOG_CALLS:
            values = [*node.args, *(k.value for k in node.keywords)]
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            values = list(node.exc.args)
        names = [name for v in values for name in _sensitive_names(v)]
        if names:
            return [Site("sensitive_data_logged", node.lineno, f"`{names[0]}` is passed to "
                         f"`{call_text(node) if isinstance(node, ast.Call) else 'raise'}`, which writes it out",
                         f"Leave `{names[0]}` out of the message (or mask it)")]
    return []


# --- missing timeout --------------------------------------------------------------------------------------------

_BLOCKING = ("requests.", "httpx.", "urlopen", "urllib.request.urlopen", "urllib3.", "create_connection",
             "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output", "aiohttp.")
_NO_WAIT = frozenset({"Session", "Client", "AsyncClient", "Request", "PreparedRequest", "Timeout", "codes",
                      "exceptions", "HTTPError", "RequestException", "Response", "Limits", "URL", "Headers"})
_METHODS = frozenset({"get", "post", "put", "delete", "patch", "head", "request", "send", "urlopen", "stream"})
_REMOTE = re.compile(r"session|client|http|requests|api|opener", re.I)


def _blocking(call: ast.Call) -> bool:
    name = call_name(call)
    if name.rsplit(".", 1)[-1] in _NO_WAIT:
        return False
    if any(name.startswith(b) or name == b.rstrip(".") or name.endswith("." + b) for b in _BLOCKING):
        return True
    return isinstance(call.func, ast.Attribute) and call.func.attr in _METHODS and bool(
        _REMOTE.search(ast.unparse(call.func.value)))


def timeout_sites(unit: Unit) -> list[Site]:
    for node in (n for n in _walk(unit) if isinstance(n, ast.Call) and _blocking(n)):
        if any(k.arg == "timeout" or k.arg is None for k in node.keywords):
            continue
        return [Site("missing_timeout", node.lineno, f"`{call_text(node)}(...)` is called with no timeout",
                     f"Pass `timeout=` to `{call_text(node)}`")]
    return []


# --- wrong boolean logic ----------------------------------------------------------------------------------------

def _decides(unit: Unit) -> list[ast.BoolOp]:
    """Conditions of two or more parts that are the function's result: returned, or filtering what it returns
    (an ``if`` that only steers the code is left to the model's other questions)."""
    out: list[ast.BoolOp] = []
    for node in _walk(unit):
        roots: list[ast.AST] = []
        if isinstance(node, ast.Return) and node.value is not None:
            roots = [node.value]
        elif isinstance(node, ast.comprehension):
            roots = list(node.ifs)
        out.extend(b for r in roots for b in ast.walk(r) if isinstance(b, ast.BoolOp) and _decisive(b))
    return out


def _guarded_name(test: ast.AST) -> str | None:
    """What ``x is not None``, ``isinstance(x, T)``, ``hasattr(x, a)``, ``x`` or ``not x`` tests, as text."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test = test.operand
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Is, ast.IsNot)):
        return ast.unparse(test.left)
    if isinstance(test, ast.Call) and call_name(test) in ("isinstance", "hasattr", "callable") and test.args:
        return ast.unparse(test.args[0])
    return ast.unparse(test) if isinstance(test, (ast.Name, ast.Attribute)) else None


def _decisive(op: ast.BoolOp) -> bool:
    """Two or more parts after dropping leading guards (``x is not None and x.y > 0``: the guard only makes the
    rest safe to evaluate)."""
    parts = list(op.values)
    while len(parts) > 1:
        name = _guarded_name(parts[0])
        if name is None or not any(name in ast.unparse(p) for p in parts[1:]):
            break
        parts.pop(0)
    return len(parts) >= 2


def _always(op: ast.BoolOp) -> str | None:
    """``x != a or x != b`` (always true) and ``x == a and x == b`` (always false)."""
    wanted = ast.NotEq if isinstance(op.op, ast.Or) else ast.Eq
    lefts = [ast.unparse(v.left) for v in op.values if isinstance(v, ast.Compare) and len(v.ops) == 1
             and isinstance(v.ops[0], wanted) and isinstance(v.comparators[0], ast.Constant)]
    if len(lefts) != len(set(lefts)):
        return "always true" if isinstance(op.op, ast.Or) else "always false"
    return None


def boolean_sites(unit: Unit) -> list[Site]:
    everywhere = [b for b in _walk(unit) if isinstance(b, ast.BoolOp) and _always(b)]
    out = []
    for op in everywhere + _decides(unit):
        text = ast.unparse(op)
        always = _always(op)
        facts = (f"`{text}` is {always}" if always else
                 f"the condition `{text}` combines {len(op.values)} parts with `{'and' if isinstance(op.op, ast.And) else 'or'}`")
        out.append(Site("wrong_boolean_logic", op.lineno, facts, f"Correct the condition `{text}`"))
    return sorted(out, key=lambda s: "always" not in s.facts)[:1]

