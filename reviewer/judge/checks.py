"""One AST check per kind: what must hold in the unit for the claim to be possible at all.

``check_claim(unit, kind, line)`` returns None when the claim is possible, else the reason it is not. The
checks are necessary conditions, not proofs: what passes is then adjudicated by the model.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from reviewer.judge.features import call_name, is_division, lock_withs, nodes_on_line, shared_state_writes
from reviewer.judge.units import Unit

__all__ = ["check_claim"]

_ACQUIRE = ("open", "acquire", "connect", "socket", "urlopen", "Popen", "cursor", "create_connection", "mkstemp",
            "NamedTemporaryFile", "TemporaryFile", "ZipFile", "TarFile", "tarfile.open", "sqlite3.connect")
_RELEASE = ("close", "release", "shutdown", "unlink", "terminate", "kill", "cleanup", "__exit__")
_BLOCKING = ("requests.", "httpx.", "urlopen", "urllib3.", "create_connection", "subprocess.run", "subprocess.call",
             "subprocess.check_call", "subprocess.check_output", "HTTPConnection", "HTTPSConnection", "aiohttp.")
_BLOCKING_METHODS = frozenset({"get", "post", "put", "delete", "patch", "head", "request", "send", "recv", "connect",
                               "communicate", "wait", "join", "result", "urlopen", "open", "stream"})
_REMOTE = re.compile(r"session|client|http|requests|api|conn|sock|url|proc|thread|future|queue|pool|opener", re.I)
_SENSITIVE = re.compile(r"pass(word|wd)?|secret|token|api_?key|credential|auth|private|ssn|card|cvv|session",
                        re.I)
_LOGGING = ("debug", "info", "warning", "warn", "error", "exception", "critical", "log", "print", "write",
            "echo", "secho")
_CACHEISH = re.compile(r"cache|memo|_seen|lookup|registry", re.I)

Check = Callable[[Unit, int], "str | None"]


def _on_line(unit: Unit, line: int) -> list[ast.AST]:
    return nodes_on_line(unit.node, line)


def _divisor(node: ast.AST) -> ast.AST:
    if isinstance(node, ast.Call):
        return node.args[1] if len(node.args) > 1 else node
    return node.right if isinstance(node, ast.BinOp) else node.value  # type: ignore[attr-defined]


def _never_zero(divisor: ast.AST) -> bool:
    """A non-zero number, or max(..., positive number)."""
    if isinstance(divisor, ast.Constant):
        return isinstance(divisor.value, (int, float)) and not isinstance(divisor.value, bool) and divisor.value != 0
    if isinstance(divisor, ast.Call) and call_name(divisor) == "max":
        return any(_never_zero(a) and isinstance(a, ast.Constant) and a.value > 0 for a in divisor.args)
    return False


def _guarded(unit: Unit, divisor: ast.AST, line: int) -> bool:
    """A test (if, while, assert, conditional expression, and/or) at or before ``line`` that mentions the
    divisor: the zero case was thought of."""
    inner = divisor.args[0] if isinstance(divisor, ast.Call) and call_name(divisor) == "len" and divisor.args \
        else divisor
    wanted = ast.unparse(inner)
    tests = [n.test for n in ast.walk(unit.node) if isinstance(n, (ast.If, ast.While, ast.Assert, ast.IfExp))]
    tests += [n for n in ast.walk(unit.node) if isinstance(n, ast.BoolOp)]
    return any(t.lineno <= line and wanted in ast.unparse(t) for t in tests)


def _division(unit: Unit, line: int) -> str | None:
    divisions = [n for n in _on_line(unit, line) if is_division(n)]
    if not divisions:
        return "no division or modulo on that line"
    open_divisors = [d for d in map(_divisor, divisions) if not _never_zero(d) and not _guarded(unit, d, line)]
    if not open_divisors:
        return "every divisor on that line is a non-zero constant or tested before the division"
    return None


_CONCURRENCY = ("threading", "concurrent", "asyncio", "multiprocessing", "queue", "_thread", "gevent", "eventlet")


def _uses_concurrency(unit: Unit) -> bool:
    for node in ast.walk(unit.source.tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] in _CONCURRENCY for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in _CONCURRENCY:
            return True
    text = "\n".join(unit.source.line(n) for n in unit.lines).lower()
    return "thread" in text or "lock" in text


def _race(unit: Unit, line: int) -> str | None:
    if not _uses_concurrency(unit):
        return "nothing in the file or the unit runs threads, tasks or processes"
    module_names = {t.id for n in unit.source.tree.body if isinstance(n, ast.Assign)
                    for t in n.targets if isinstance(t, ast.Name)}
    writes = shared_state_writes(unit.node, module_names, unit.qualname.endswith(".__init__"))
    if not writes:
        return "the unit writes no shared state (instance, class or module)"
    locked = lock_withs(unit.node)
    if all(any(a <= w <= b for a, b in locked) for w in writes):
        return "every shared-state write is made holding a lock"
    return None


def _handlers(unit: Unit) -> list[ast.ExceptHandler]:
    return [n for n in ast.walk(unit.node) if isinstance(n, ast.ExceptHandler)]


def _swallowed(unit: Unit, line: int) -> str | None:
    for h in _handlers(unit):
        if h.lineno - 1 <= line <= (h.end_lineno or h.lineno):
            if any(isinstance(n, ast.Raise) for n in ast.walk(h)):
                return "the handler at that line raises again"
            return None
    if any(isinstance(n, ast.Call) and call_name(n).endswith("suppress") for n in _on_line(unit, line)):
        return None
    return "no except handler (or contextlib.suppress) at that line"


def _success(unit: Unit, line: int) -> str | None:
    if _handlers(unit):
        return None
    returns = [n for n in ast.walk(unit.node) if isinstance(n, ast.Return) and isinstance(n.value, ast.Constant)]
    status = [n for n in ast.walk(unit.node) if isinstance(n, ast.Attribute)
              and n.attr in ("returncode", "status_code", "ok", "status", "exitcode")]
    return None if returns or status else "no failure path: no except handler, status check or constant result"


def _error_value(unit: Unit, line: int) -> str | None:
    if any(isinstance(n, ast.Return) and n.value is not None for n in _on_line(unit, line)):
        return None
    return "no return of a value on that line"


def _resource(unit: Unit, line: int) -> str | None:
    managed = {id(item.context_expr) for n in ast.walk(unit.node) if isinstance(n, (ast.With, ast.AsyncWith))
               for item in n.items}
    acquired = [n for n in ast.walk(unit.node) if isinstance(n, ast.Call) and id(n) not in managed
                and any(call_name(n) == a or call_name(n).endswith("." + a.split(".")[-1]) for a in _ACQUIRE)]
    if not acquired:
        return "no open/acquire/connect outside a with statement in the unit"
    finals = [s for n in ast.walk(unit.node) if isinstance(n, ast.Try) for s in n.finalbody]
    if any(isinstance(c, ast.Call) and call_name(c).rsplit(".", 1)[-1] in _RELEASE for s in finals for c in ast.walk(s)):
        return "the resource is released in a finally block"
    return None


def _bound(unit: Unit, line: int) -> str | None:
    for n in _on_line(unit, line):
        if isinstance(n, ast.Slice) or (isinstance(n, ast.Call) and call_name(n) in ("range", "len", "enumerate")):
            return None
        if isinstance(n, ast.Compare) and any(isinstance(o, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)) for o in n.ops):
            return None
        if isinstance(n, (ast.BinOp, ast.AugAssign)) and isinstance(n.op, (ast.Add, ast.Sub)):
            return None
        if isinstance(n, ast.Subscript):
            return None
    return "no index, slice, range, length or comparison bound on that line"


def _types(unit: Unit, line: int) -> str | None:
    if any(isinstance(n, (ast.BinOp, ast.Compare, ast.Call, ast.AugAssign, ast.keyword)) for n in _on_line(unit, line)):
        return None
    return "no arithmetic, comparison or call on that line"


def _boolean(unit: Unit, line: int) -> str | None:
    for n in _on_line(unit, line):
        if isinstance(n, (ast.BoolOp, ast.Compare)) or (isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.Not)):
            return None
        if isinstance(n, (ast.If, ast.While, ast.IfExp, ast.Assert)) and n.test.lineno <= line <= (n.test.end_lineno or 0):
            return None
    return "no condition on that line"


def _cache(unit: Unit, line: int) -> str | None:
    decorated = getattr(unit.node, "decorator_list", [])
    if any("cache" in ast.unparse(d).lower() for d in decorated):
        return None
    names = {n.id for n in ast.walk(unit.node) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(unit.node) if isinstance(n, ast.Attribute)}
    return None if any(_CACHEISH.search(n) for n in names) else "no cache or memo in the unit"


def _logged(unit: Unit, line: int) -> str | None:
    for n in _on_line(unit, line):
        if isinstance(n, ast.Call) and call_name(n).rsplit(".", 1)[-1] in _LOGGING:
            if _SENSITIVE.search(ast.unparse(n)):
                return None
        if isinstance(n, ast.Raise) and n.exc is not None and _SENSITIVE.search(ast.unparse(n.exc)):
            return None
    return "no log, print or error message with a sensitive-looking value on that line"


def _blocking(call: ast.Call) -> bool:
    """A network, subprocess or wait call: a known function, or a blocking method on a client-like object."""
    name = call_name(call)
    if any(name.startswith(b) or name == b or name.endswith("." + b) for b in _BLOCKING):
        return True
    if not isinstance(call.func, ast.Attribute) or call.func.attr not in _BLOCKING_METHODS:
        return False
    return bool(_REMOTE.search(ast.unparse(call.func.value)))


def _timeout(unit: Unit, line: int) -> str | None:
    calls = [n for n in _on_line(unit, line) if isinstance(n, ast.Call) and _blocking(n)]
    if not calls:
        return "no network, subprocess or blocking call on that line"
    if all(any(k.arg == "timeout" for k in n.keywords) for n in calls):
        return "the call on that line sets a timeout"
    return None


_CHECKS: dict[str, Check] = {
    "division_by_zero": _division, "race_on_shared_state": _race, "error_swallowed": _swallowed,
    "success_on_failure": _success, "error_as_value": _error_value, "resource_not_released": _resource,
    "off_by_one": _bound, "type_confusion": _types, "wrong_boolean_logic": _boolean, "stale_cache_key": _cache,
    "sensitive_data_logged": _logged, "missing_timeout": _timeout,
}


def check_claim(unit: Unit, kind: str, line: int) -> str | None:
    """None when a claim of ``kind`` on ``line`` is possible in ``unit``; else why not."""
    if line not in unit.lines:
        return f"line {line} is outside the unit {unit.qualname} ({unit.start}-{unit.end})"
    check = _CHECKS.get(kind)
    return None if check is None else check(unit, line)
