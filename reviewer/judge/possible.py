"""Whether a kind of defect is possible on one line at all: the check a line named by an open reading must pass.

The site finders (:mod:`reviewer.judge.sites`) look for the shapes in which each kind usually shows; an open
reading (:mod:`reviewer.judge.opening`) lets the model name the line most likely to be wrong in a unit where no
finder saw one. A kind is asked about on that line only when the line holds what the kind needs: a swallowed
error needs an ``except`` handler, a race a write of state outside ``__init__`` that no lock covers in a module
that uses threads, success on failure a handler or a returned status, and so on. Each check returns what it saw
(the facts of the kind's question) or None.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from reviewer.judge.features import FRESH_OBJECT, call_name, lock_withs, module_names, shared_state_writes, \
    uses_threads
from reviewer.judge.site import LOG_CALLS
from reviewer.judge.units import Unit

__all__ = ["possible_kinds"]

_BOUND_OPS = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_RESOURCES = frozenset({"open", "acquire", "socket", "urlopen", "Popen", "connect", "create_connection", "mkstemp",
                        "TemporaryFile", "NamedTemporaryFile", "ZipFile", "cursor", "SMTP", "SMTP_SSL", "FTP",
                        "HTTPConnection", "HTTPSConnection", "open_connection", "begin", "lock"})
_WAITS = frozenset({"get", "post", "put", "patch", "delete", "head", "request", "send", "urlopen", "run", "call",
                    "check_call", "check_output", "communicate", "wait", "connect", "create_connection", "recv",
                    "accept", "join", "result", "SMTP", "SMTP_SSL", "FTP", "HTTPConnection", "HTTPSConnection",
                    "getresponse", "open_connection", "read", "readline", "acquire"})
_NETWORKISH = re.compile(r"requests|httpx|session|client|urllib|urlopen|http|conn|sock|subprocess|proc|smtp|ftp"
                         r"|api|remote|server|queue|future|thread|lock|pool", re.I)
_CACHEISH = re.compile(r"cache|memo|lru_cache|_seen|lookup|store", re.I)


def _on(unit: Unit, line: int) -> list[ast.AST]:
    """The unit's nodes that start on ``line`` (a statement and what it holds)."""
    return [n for n in unit.nodes if getattr(n, "lineno", None) == line]


def _code(unit: Unit, line: int) -> str:
    return unit.source.line(line).strip()


def _bound(unit: Unit, line: int) -> str | None:
    nodes = _on(unit, line)
    if any(isinstance(n, ast.Slice) or isinstance(n, ast.Call) and call_name(n) in ("range", "enumerate")
           or isinstance(n, ast.Compare) and any(isinstance(op, _BOUND_OPS) for op in n.ops)
           or isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Add, ast.Sub))
           and isinstance(n.right, ast.Constant) and n.right.value == 1
           or isinstance(n, ast.Subscript) and isinstance(n.slice, (ast.BinOp, ast.UnaryOp, ast.Constant))
           for n in nodes):
        return f"`{_code(unit, line)}` sets a bound (a range, slice, index or comparison)"
    return None


def _condition(unit: Unit, line: int) -> str | None:
    nodes = _on(unit, line)
    if any(isinstance(n, (ast.BoolOp, ast.Compare)) or isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.Not)
           or isinstance(n, (ast.If, ast.While, ast.IfExp, ast.Assert)) for n in nodes):
        return f"`{_code(unit, line)}` is a condition"
    return None


def _race(unit: Unit, line: int) -> str | None:
    if unit.kind == "module" or not uses_threads(unit.source.tree):
        return None
    fresh = unit.qualname.rsplit(".", 1)[-1] in FRESH_OBJECT
    if line not in shared_state_writes(unit.node, module_names(unit.source.tree), fresh):
        return None
    if any(a <= line <= b for a, b in lock_withs(unit.node)):
        return None
    return f"`{_code(unit, line)}` writes shared state, no lock is held there, and the module uses threads"


def _acquire(unit: Unit, line: int) -> str | None:
    managed = {id(n) for w in unit.nodes if isinstance(w, (ast.With, ast.AsyncWith))
               for item in w.items for n in ast.walk(item.context_expr)}
    call = next((n for n in _on(unit, line) if isinstance(n, ast.Call) and id(n) not in managed
                 and call_name(n).rsplit(".", 1)[-1] in _RESOURCES), None)
    if call is None:
        return None
    return f"`{_code(unit, line)}` acquires `{call_name(call)}` outside a `with` statement"


def _handler_of(unit: Unit, line: int) -> ast.ExceptHandler | None:
    return next((h for h in unit.nodes if isinstance(h, ast.ExceptHandler)
                 and h.lineno <= line <= (h.end_lineno or h.lineno)), None)


def _handler(unit: Unit, line: int) -> str | None:
    handler = _handler_of(unit, line)
    if handler is None:
        return None
    caught = ast.unparse(handler.type) if handler.type is not None else "every exception"
    return f"`{_code(unit, line)}` is in the handler of `{caught}` at line {handler.lineno}"


_STATUSISH = re.compile(r"err|exc|status|ok$|success|result|msg|message|code|reply|response", re.I)


def _statusish(value: ast.AST) -> bool:
    """A value that can say success or failure by itself: a literal (``True``, ``-1``, ``"ok"``, a dict), a text
    made from the error, a name like ``status`` or ``err``. A computed value (``a and b``, ``self._x[k]``) is the
    result the function is for."""
    if isinstance(value, (ast.Constant, ast.Dict, ast.List, ast.Tuple, ast.JoinedStr)):
        return True
    if isinstance(value, ast.UnaryOp):
        return isinstance(value.operand, ast.Constant)
    if isinstance(value, ast.Call):
        return call_name(value).rsplit(".", 1)[-1] in ("str", "repr", "dict", "jsonify", "Response", "format")
    name = value.id if isinstance(value, ast.Name) else value.attr if isinstance(value, ast.Attribute) else ""
    return bool(_STATUSISH.search(name))


def _exit(unit: Unit, line: int) -> str | None:
    """A value handed back that can say success or failure (a literal, a status), or any line of an except
    handler."""
    ret = next((n for n in _on(unit, line) if isinstance(n, ast.Return) and n.value is not None), None)
    if ret is not None and (_statusish(ret.value) or _handler_of(unit, line) is not None):
        where = _handler_of(unit, line)
        inside = f" inside the handler at line {where.lineno}" if where is not None else ""
        return f"`{_code(unit, line)}` returns `{ast.unparse(ret.value)}`{inside}"  # type: ignore[arg-type]
    return _handler(unit, line)


def _mix(unit: Unit, line: int) -> str | None:
    nodes = _on(unit, line)
    if any(isinstance(n, (ast.BinOp, ast.Compare, ast.AugAssign)) or isinstance(n, ast.Call)
           and call_name(n).rsplit(".", 1)[-1] in ("int", "float", "str", "bytes", "encode", "decode", "sleep",
                                                    "fromtimestamp", "timedelta", "timestamp", "time", "now")
           for n in nodes):
        return f"`{_code(unit, line)}` combines or converts values"
    return None


def _cache(unit: Unit, line: int) -> str | None:
    text = ast.unparse(unit.node) if unit.kind != "module" else ""
    nodes = _on(unit, line)
    if not _CACHEISH.search(text) or not any(isinstance(n, (ast.Subscript, ast.Call, ast.Compare)) for n in nodes):
        return None
    return f"`{_code(unit, line)}` reads or writes a cache"


def _logged(unit: Unit, line: int) -> str | None:
    nodes = _on(unit, line)
    if any(isinstance(n, ast.Call) and call_name(n).rsplit(".", 1)[-1] in LOG_CALLS | {"write", "format"}
           or isinstance(n, (ast.Raise, ast.JoinedStr)) for n in nodes):
        return f"`{_code(unit, line)}` writes a message out"
    return None


def _wait(unit: Unit, line: int) -> str | None:
    for n in _on(unit, line):
        if not isinstance(n, ast.Call) or any(k.arg == "timeout" for k in n.keywords):
            continue
        name = call_name(n) or ast.unparse(n.func)
        if name.rsplit(".", 1)[-1] in _WAITS and _NETWORKISH.search(name):
            return f"`{_code(unit, line)}` calls `{name}` with no timeout"
    return None


_CHECKS: dict[str, Callable[[Unit, int], str | None]] = {
    "missing_timeout": _wait, "resource_not_released": _acquire,
    "sensitive_data_logged": _logged, "race_on_shared_state": _race, "error_swallowed": _handler,
    "success_on_failure": _exit, "error_as_value": _exit, "stale_cache_key": _cache, "wrong_boolean_logic": _condition,
    "off_by_one": _bound, "type_confusion": _mix,
}
"""Most telling first: a call with no timeout is rarer on a line than a comparison, so where both are possible it is
the likelier defect. No division: in a unit without sites every division was passed over by the division finder,
for a reason (a constant or tested divisor, a handler for the error), and asked anyway a small model answers yes
to a guarded division (two of five false positives of an open reading of the fresh tuning set)."""


def possible_kinds(unit: Unit, line: int) -> list[tuple[str, str]]:
    """Every kind possible on ``line``, most telling first, each with what the check saw there."""
    if line not in set(unit.lines):
        return []
    return [(kind, facts) for kind, check in _CHECKS.items() if (facts := check(unit, line)) is not None]
