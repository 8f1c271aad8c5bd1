"""Sites of the control-flow kinds: errors swallowed and success reported on failure (errors returned as values:
:mod:`reviewer.judge.site_errors`; resources not released: :mod:`reviewer.judge.site_resources`).

Each finder returns the places where its kind is possible, with what it saw: a handler that neither raises nor
returns, a success value returned after a handler that let the failure through.
"""

from __future__ import annotations

import ast
import re

from reviewer.judge.features import call_name
from reviewer.judge.site import LOG_CALLS, Site, block_of, call_text, code_at, docstring, parameters
from reviewer.judge.units import Unit

__all__ = ["EXPECTED_ERRORS", "caught_names", "handler_sites", "is_success_value", "logs_error", "reraises",
           "status_sites", "unit_handlers"]

EXPECTED_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "StopIteration", "StopAsyncIteration",
                             "GeneratorExit", "KeyboardInterrupt", "CancelledError"})
_METRIC_CALLS = frozenset({"incr", "inc", "increment", "decr", "observe", "gauge", "timing"})
_QUIET_CALLS = LOG_CALLS | _METRIC_CALLS | {"print_exc"}
"""Calls that tell no caller: a log line, a printed trace, a metric counted."""
_UNDO_CALLS = frozenset({"rollback", "close", "release", "unlink", "cleanup", "abort", "cancel", "terminate", "kill"})
"""Calls that undo or clean up after the failure, without telling anyone about it (``session.rollback()``)."""
_SUCCESS_WORDS = frozenset({"ok", "success", "succeeded", "done", "sent", "saved", "accepted", "completed"})
_RESULT_ATTRS = frozenset({"returncode", "status_code", "status", "ok", "raise_for_status", "check_returncode",
                           "code", "exitcode", "wait", "result"})
_UNCHECKED_CALLS = ("subprocess.run", "subprocess.call", "subprocess.Popen", "os.system")
_SENDS = frozenset({"post", "put", "patch", "delete", "send", "request", "sendall", "sendmail", "send_message"})


def caught_names(node: ast.AST | None) -> list[str]:
    if node is None:
        return []
    parts = node.elts if isinstance(node, ast.Tuple) else [node]
    return [ast.unparse(p).rsplit(".", 1)[-1] for p in parts]


def unit_handlers(unit: Unit) -> list[tuple[ast.Try, ast.ExceptHandler]]:
    return [(t, h) for t in unit.nodes if isinstance(t, (ast.Try, getattr(ast, "TryStar", ast.Try)))
            for h in t.handlers]


def reraises(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Raise) for n in ast.walk(node))


def _quiet(handler: ast.ExceptHandler) -> bool:
    """Only pass, continue, ``...`` or logging/printing: nothing that handles the failure (a ``break`` alone
    stops the loop: that is handling it)."""
    if all(isinstance(s, ast.Break) for s in handler.body):
        return False
    for stmt in handler.body:
        if isinstance(stmt, (ast.Pass, ast.Continue, ast.Break)) or isinstance(stmt, ast.Return) and stmt.value is None:
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and \
                call_name(stmt.value).rsplit(".", 1)[-1] in _QUIET_CALLS | _UNDO_CALLS:
            continue
        return False
    return True


def _what_it_does(handler: ast.ExceptHandler) -> str:
    """How a handler that does not raise treats the failure, in words for the site's facts."""
    calls = [s.value for s in handler.body if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)]
    if any(call_name(c).rsplit(".", 1)[-1] in _QUIET_CALLS - _METRIC_CALLS for c in calls):
        return "only logs it"
    if any(call_name(c).rsplit(".", 1)[-1] in _METRIC_CALLS for c in calls):
        return "only counts it in a metric"
    undo = [c for c in calls if call_name(c).rsplit(".", 1)[-1] in _UNDO_CALLS]
    if undo and _quiet(handler):
        return f"only cleans up (`{ast.unparse(undo[0])}`) and tells no one"
    return "ignores it" if _quiet(handler) else "handles it without raising"


def is_success_value(node: ast.AST | None) -> bool:
    """``True``, ``"ok"``, ``{"ok": True, ...}``, ``(True, ...)``: a value that tells the caller it worked."""
    if isinstance(node, ast.Constant):
        return node.value is True or (isinstance(node.value, str) and node.value.lower() in _SUCCESS_WORDS)
    if isinstance(node, ast.Dict):
        return any(isinstance(k, ast.Constant) and str(k.value).lower() in ("ok", "success", "status", "succeeded")
                   and is_success_value(v) for k, v in zip(node.keys, node.values))
    if isinstance(node, ast.Call) and re.search(r"(Response|Reply)$", call_name(node)) and node.args and isinstance(
            node.args[0], ast.Constant) and type(node.args[0].value) is int:
        return 200 <= node.args[0].value < 300  # ``WebhookResponse(200, "ok")``
    if isinstance(node, ast.Tuple) and node.elts:
        head = node.elts[0]  # ``(True, data)``, or an HTTP reply ``(202, "accepted")``
        return is_success_value(head) or len(node.elts) > 1 and isinstance(head, ast.Constant) and type(
            head.value) is int and 200 <= head.value < 300
    return False


_STATUS_NAME = re.compile(r"(^|_)(status|code|status_code|http_status|ok|success|succeeded|result)$", re.I)


def _success_name(unit: Unit, node: ast.AST | None) -> bool:
    """``return status, body`` where ``status`` is only ever set to a success value (``status = 200``,
    ``ok = True``): the caller hears success whatever happened."""
    if isinstance(node, ast.Tuple) and node.elts:
        node = node.elts[0]
    if not isinstance(node, ast.Name) or not _STATUS_NAME.search(node.id):
        return False
    values = [n.value for n in unit.nodes if isinstance(n, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and any(
        isinstance(t, ast.Name) and t.id == node.id for t in (n.targets if isinstance(n, ast.Assign) else [n.target]))]
    return bool(values) and all(is_success_value(v) or isinstance(v, ast.Constant) and type(v.value) is int
                                and 200 <= v.value < 300 for v in values)


def _success_returns(unit: Unit, after: int = 0) -> list[ast.Return]:
    return [n for n in unit.nodes if isinstance(n, ast.Return) and n.lineno > after
            and is_success_value(n.value)]


def _return_after(node: ast.AST, parents: dict[int, ast.AST]) -> ast.Return | None:
    """The return the code reaches when ``node`` (a try whose handler fell through) completes: the first return
    among the statements after it, in its block and then in the blocks around it (after a loop: when it runs out);
    None at a raise or the end of the function."""
    while True:
        parent = parents.get(id(node))
        if parent is None:
            return None
        if not isinstance(node, ast.ExceptHandler):
            block = block_of(node, parent)
            index = next((i for i, x in enumerate(block) if x is node), len(block))
            for stmt in block[index + 1:]:
                if isinstance(stmt, ast.Return):
                    return stmt
                if isinstance(stmt, ast.Raise):
                    return None
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return None
        node = parent  # out of an if, a handler, or a loop (a retry loop that runs out of attempts)


_CLEANUP = re.compile(r"(^|_)(close|cleanup|clean_up|teardown|reset|shutdown|dispose|release|__exit__|"
                      r"__aexit__|__del__)$|^_?(abort|cancel|rollback|discard)(_|$)")
_IDEMPOTENT = {"FileNotFoundError": ("unlink", "remove", "rmdir", "rmtree", "delete",
                                     "stat", "lstat", "utime", "getmtime", "getsize"),  # a file gone: not there
               "ProcessLookupError": ("kill", "terminate", "send_signal"),
               "BrokenPipeError": ("write", "flush", "close"),
               "Empty": ("get", "get_nowait"), "queue.Empty": ("get", "get_nowait"),  # nothing arrived: poll again
               "QueueEmpty": ("get_nowait",), "asyncio.QueueEmpty": ("get_nowait",)}


def _in_finally(node: ast.AST | None, parents: dict[int, ast.AST]) -> bool:
    while node is not None:
        parent = parents.get(id(node))
        if isinstance(parent, ast.Try) and any(x is node for x in parent.finalbody):
            return True
        node = parent
    return False


_ERROR_LEVELS = ("error", "exception", "critical")


def logs_error(handler: ast.ExceptHandler, levels: tuple[str, ...] = _ERROR_LEVELS) -> bool:
    """The handler logs at error level (``log.error``, ``log.exception``, ``log.critical``): a failure, by its
    own account."""
    return any(isinstance(n, ast.Call) and call_name(n).rsplit(".", 1)[-1] in levels
               for s in handler.body for n in ast.walk(s))


def _retried(try_node: ast.Try, parents: dict[int, ast.AST]) -> bool:
    """The try is one attempt of a retry loop (``for attempt in range(n)``) after which the function reports the
    failure: the statement after the loop raises or returns False or None."""
    loop = parents.get(id(try_node))
    if not isinstance(loop, (ast.For, ast.While)):
        return False
    block = block_of(loop, parents.get(id(loop)))
    after = block[block.index(loop) + 1:] if block and loop in block else []
    after = [s for s in after if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Call))]  # a log call
    first = after[0] if after else None
    return isinstance(first, ast.Raise) or isinstance(first, ast.Return) and (
        first.value is None or isinstance(first.value, ast.Constant) and first.value.value in (False, None))


def _expected_failure(try_node: ast.Try, h: ast.ExceptHandler, parents: dict[int, ast.AST]) -> bool:
    """Ignoring is the norm: cleanup code (a finally block, close(), __exit__), a failure that means the work
    is already done (FileNotFoundError from unlink, ProcessLookupError from kill, BrokenPipeError writing to a
    reader that left), one round of a worker loop (``while not stop.wait(t): try: tick() except Exception:
    log.exception(...)``), which logs the failure and must keep running, or one attempt of a retry loop whose end
    reports the failure."""
    if _in_finally(try_node, parents):
        return True
    if isinstance(parents.get(id(try_node)), ast.While) and logs_error(h):
        return True
    if _retried(try_node, parents):
        return True
    calls = {call_name(c).rsplit(".", 1)[-1] for s in try_node.body for c in ast.walk(s) if isinstance(c, ast.Call)}
    return any(calls & set(_IDEMPOTENT.get(name, ())) for name in caught_names(h.type))


def _suppressions(unit: Unit) -> list[tuple[ast.With, list[str]]]:
    """``with contextlib.suppress(OSError):`` blocks and the exceptions they ignore."""
    out = []
    for node in (n for n in unit.nodes if isinstance(n, (ast.With, ast.AsyncWith))):
        for item in node.items:
            call = item.context_expr
            if isinstance(call, ast.Call) and call_name(call).rsplit(".", 1)[-1] == "suppress":
                out.append((node, [ast.unparse(a).rsplit(".", 1)[-1] for a in call.args]))
    return out


_ABSENCE = frozenset({"FileNotFoundError"})
_SAYS_OPTIONAL = re.compile(r"\b(optional|missing|absent|if (it|the file|one) exists|may not exist)\b", re.I)


def _suppress_sites(unit: Unit, parents: dict[int, ast.AST]) -> list[Site]:
    """A ``suppress()`` block is a handler that ignores the failure, unless the failure means the work is done
    (FileNotFoundError from unlink), is expected (ImportError), or is a file the docstring calls optional."""
    out = []
    for node, names in _suppressions(unit):
        calls = {call_name(c).rsplit(".", 1)[-1] for s in node.body for c in ast.walk(s) if isinstance(c, ast.Call)}
        if not names or set(names) & EXPECTED_ERRORS or any(calls & set(_IDEMPOTENT.get(n, ())) for n in names) or \
                _in_finally(node, parents) or set(names) <= _ABSENCE and _SAYS_OPTIONAL.search(docstring(unit) or ""):
            continue
        caught = ", ".join(names)
        reached = _return_after(node, parents)
        if reached is not None and is_success_value(reached.value):
            out.append(Site("success_on_failure", reached.lineno, f"`suppress({caught})` at line {node.lineno} ignores "
                            f"a failure of its block, and the function then reaches line {reached.lineno}: "
                            f"`{code_at(unit, reached.lineno)}`, a success value for the caller",
                            "Return a failure (or raise) when the operation failed"))
        else:
            out.append(Site("error_swallowed", node.lineno, f"`suppress({caught})` at line {node.lineno} ignores "
                            f"{caught} raised in its block, and the code goes on as if nothing had failed",
                            f"Let {caught} propagate, or handle it (raise a clear error, or report it to the caller)"))
    return out


def _echoes_input(unit: Unit, value: ast.AST | None) -> bool:
    """``return len(rows)`` from a handler, where the function's other returns compute their result: every item
    of the input counted as done. (The input itself handed back, ``return price``, is a common deliberate
    fallback: not a site.)"""
    if not (isinstance(value, ast.Call) and call_name(value) == "len" and value.args):
        return False
    inner = value.args[0]
    if not (isinstance(inner, ast.Name) and inner.id in {a.arg for a in parameters(unit)}):
        return False
    others = [n.value for n in unit.nodes if isinstance(n, ast.Return) and n.value is not None]
    return any(ast.unparse(o) != ast.unparse(value) for o in others)


def _promised_raise(unit: Unit, handler: ast.ExceptHandler) -> bool:
    """A function that returns no value and whose docstring says it raises what the handler catches: a bare
    ``return`` there ends it as quietly as ``pass`` would, against its word. (Without that word, ``except
    ValueError: return`` in a procedure is often meant: an optional check skipped.)"""
    if any(isinstance(n, ast.Return) and n.value is not None or isinstance(n, (ast.Yield, ast.YieldFrom))
           for n in unit.nodes):
        return False
    doc = docstring(unit) or ""
    return any(re.search(rf"\bRaises?\b[^.]*\b{re.escape(name)}\b", doc) for name in caught_names(handler.type))


def handler_sites(unit: Unit) -> list[Site]:
    """A handler that lets the failure through: success returned from it or after it, else swallowed. Not in
    cleanup code, where ignoring a failure is the norm (and Python ignores exceptions in ``__del__`` anyway)."""
    if _CLEANUP.search(unit.qualname.rsplit(".", 1)[-1]):
        return []
    parents = unit.parents
    out = []
    for try_node, h in unit_handlers(unit):
        if reraises(h) or set(caught_names(h.type)) & EXPECTED_ERRORS or _expected_failure(try_node, h, parents):
            continue
        caught = ", ".join(caught_names(h.type)) or "every exception"
        inside = [r for r in ast.walk(h) if isinstance(r, ast.Return)]
        success = [r for r in inside if is_success_value(r.value) or _echoes_input(unit, r.value)]
        if not inside:
            reached = _return_after(try_node, parents)
            success = [reached] if reached is not None and (
                is_success_value(reached.value) or _success_name(unit, reached.value)) else []
        does = _what_it_does(h)
        if success:
            r = success[0]
            value = ("a success value for the caller" if is_success_value(r.value) else
                     "a status only ever set to success" if _success_name(unit, r.value) else
                     "a result made from the input, as if the work on it had been done")
            out.append(Site("success_on_failure", r.lineno, f"if the try block raises {caught}, the handler at line "
                            f"{h.lineno} {does}, and the function then reaches line {r.lineno}: "
                            f"`{code_at(unit, r.lineno)}`, {value}",
                            "Return a failure (or raise) when the exception was caught, and success only after the "
                            "operation completed"))
        elif (not inside or _promised_raise(unit, h)) and _quiet(h):
            out.append(Site("error_swallowed", h.lineno, f"if the try block raises {caught}, the handler at line "
                            f"{h.lineno} {does} and the code goes on as if nothing had failed",
                            f"Let the exception propagate, or raise a clear error from the {caught} handler"))
    return out + _suppress_sites(unit, parents) + _final_exits(unit) + _unread_futures(unit) + \
        _logged_exceptions(unit)


def _exits(stmts: list[ast.stmt]) -> list[ast.stmt]:
    """``return`` anywhere in ``stmts``, and ``break``/``continue`` outside the loops they hold (nested functions
    and classes left out)."""
    out: list[ast.stmt] = []
    for stmt in stmts:
        if isinstance(stmt, (ast.Return, ast.Break, ast.Continue)):
            out.append(stmt)
        elif isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
            out += [r for r in _exits(stmt.body + stmt.orelse) if isinstance(r, ast.Return)]
        elif not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for field in ("body", "orelse", "finalbody", "handlers"):
                out += _exits(getattr(stmt, field, []))
    return out


def _final_exits(unit: Unit) -> list[Site]:
    """``return``, ``break`` or ``continue`` that leaves a ``finally``: it discards the exception the try block
    raised."""
    out = []
    for t in (n for n in unit.nodes if isinstance(n, ast.Try) and n.finalbody):
        for stmt in _exits(t.finalbody)[:1]:
            word = type(stmt).__name__.lower()
            out.append(Site("error_swallowed", stmt.lineno, f"`{word}` in the finally block (try at line {t.lineno}) "
                            "discards any exception the try block raised, so the caller never sees it",
                            f"Move the `{word}` out of the finally block"))
    return out


def _unread_futures(unit: Unit) -> list[Site]:
    """Work submitted to an executor whose futures are never asked for their result or exception: an exception a
    job raises is stored in its future and lost."""
    submits = [n for n in unit.nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
               and n.func.attr == "submit"]
    if not submits or any(isinstance(n, ast.Attribute) and n.attr in ("result", "exception", "add_done_callback")
                          for n in unit.nodes):
        return []
    if _futures_handed_back(unit, submits) or _handles_own_errors(unit, submits):
        return []
    waits = [n for n in unit.nodes if isinstance(n, ast.Call) and call_name(n).rsplit(".", 1)[-1] in ("wait",
                                                                                                       "as_completed")]
    line = (waits or submits)[0].lineno
    return [Site("error_swallowed", line, f"`{call_text(submits[0])}` runs work whose futures are never asked for "
                 "`.result()`: an exception a job raises is kept in its future and never reaches anyone",
                 "Call `.result()` on each future (for example over `as_completed(futures)`)")]


def _futures_handed_back(unit: Unit, submits: list[ast.Call]) -> bool:
    """A return or yield hands the futures (or what holds them) to the caller, or the object keeps them
    (``self._futures.append(pool.submit(...))``): someone else may ask them for their result."""
    inside = {id(x) for c in submits for x in ast.walk(c) if isinstance(x, ast.expr)}  # not the shared Load()
    holders = set()
    for n in unit.nodes:
        if not any(id(x) in inside for x in ast.walk(n)) or isinstance(n, ast.Call) and id(n) in inside:
            continue
        targets = n.targets if isinstance(n, ast.Assign) else [n.target] if isinstance(
            n, (ast.AugAssign, ast.AnnAssign)) else [n.func.value] if isinstance(n, ast.Call) and isinstance(
            n.func, ast.Attribute) else []
        for t in targets:
            base = t.value if isinstance(t, ast.Subscript) else t
            if isinstance(base, ast.Attribute):
                return True  # kept on the object
            holders |= {x.id for x in ast.walk(base) if isinstance(x, ast.Name)}
    return any(isinstance(n, (ast.Return, ast.Yield, ast.YieldFrom)) and n.value is not None and any(
        isinstance(x, ast.Name) and x.id in holders or id(x) in inside for x in ast.walk(n.value)) for n in unit.nodes)


def _handles_own_errors(unit: Unit, submits: list[ast.Call]) -> bool:
    """Every submitted function is one of the module's (or the class's) that catches everything it raises itself
    (``except Exception:``): nothing is left in the future to lose."""
    defs = {n.name: n for n in ast.walk(unit.source.tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    for c in submits:
        name = ast.unparse(c.args[0]).removeprefix("self.") if c.args else ""
        target = defs.get(name)
        if target is None or not any(isinstance(h, ast.ExceptHandler) and (h.type is None or ast.unparse(h.type) in (
                "Exception", "BaseException")) for h in ast.walk(target)):
            return False
    return True


def _logged_exceptions(unit: Unit) -> list[Site]:
    """``exc = future.exception()`` and ``if exc is not None: log.error(...)``, and nothing raises or keeps it:
    the job's failure ends in the log."""
    names = {t.id for n in unit.nodes if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)
             and isinstance(n.value.func, ast.Attribute) and n.value.func.attr == "exception"
             for t in n.targets if isinstance(t, ast.Name)}
    if not names or any(isinstance(n, ast.Raise) for n in unit.nodes) or _done_callback(unit):
        return []
    for test in (n for n in unit.nodes if isinstance(n, ast.If) and any(
            isinstance(x, ast.Name) and x.id in names for x in ast.walk(n.test))):
        quiet = all(isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) and call_name(s.value).rsplit(
            ".", 1)[-1] in _QUIET_CALLS for s in test.body)
        if quiet:
            return [Site("error_swallowed", test.body[0].lineno, f"the job's exception (`{ast.unparse(test.test)}`) "
                         "is only logged: nothing raises it or hands it to the caller",
                         "Raise (or collect and report) the exceptions of failed jobs")]
    return []


def _done_callback(unit: Unit) -> bool:
    """The unit is given to ``add_done_callback()`` in its module: it runs after the task, with no caller to tell,
    so logging the task's exception is all it can do."""
    name = unit.qualname.rsplit(".", 1)[-1]
    return any(isinstance(n, ast.Call) and call_name(n).endswith("add_done_callback") and any(
        ast.unparse(a) in (name, f"self.{name}") for a in n.args) for n in ast.walk(unit.source.tree))


def _unchecked(unit: Unit, call: ast.Call, parents: dict[int, ast.AST]) -> bool:
    """The call's result is dropped, or kept in a name whose status is never looked at."""
    if any(k.arg == "check" and isinstance(k.value, ast.Constant) and k.value.value for k in call.keywords):
        return False
    parent = parents.get(id(call))
    if isinstance(parent, ast.Expr):
        return True
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
        name = parent.targets[0].id
        uses = [n for n in unit.nodes if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
                and n.value.id == name and n.attr in _RESULT_ATTRS]
        return not uses
    return False


def _sending(call: ast.Call) -> bool:
    name = call_name(call)
    return name.startswith(_UNCHECKED_CALLS) or (isinstance(call.func, ast.Attribute) and call.func.attr in _SENDS
                                                 and "." in name)


def _reports_failure(fn: ast.AST) -> bool:
    """A function that tells its caller about failure through its result: ``-> bool``, or a ``return False``."""
    returns = getattr(fn, "returns", None)
    if returns is not None and ast.unparse(returns) == "bool":
        return True
    return any(isinstance(n, ast.Return) and isinstance(n.value, ast.Constant) and n.value.value is False
               for n in ast.walk(fn))


def _dropped_failure_report(unit: Unit, call: ast.Call, parents: dict[int, ast.AST]) -> bool:
    """A call whose result is dropped, of a same-file function (``name()``) or a method of the unit's class
    (``self.name()``) that reports failure by its result. Only such dropped calls are looked up, so a unit
    without one costs no walk of the file."""
    if not isinstance(parents.get(id(call)), ast.Expr):
        return False
    name = call_name(call)
    scope = unit.class_node if name.startswith("self.") else unit.source.tree
    name = name[len("self."):] if name.startswith("self.") else name
    if scope is None or "." in name:
        return False
    return any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name and _reports_failure(n)
               for n in scope.body)


def _input_returned(unit: Unit, after: int) -> list[ast.Return]:
    """``return list(recipients)``, ``return len(items)``: the input handed back as what was done."""
    params = {a.arg for a in parameters(unit)}
    out = []
    for r in (n for n in unit.nodes if isinstance(n, ast.Return) and n.lineno > after and n.value is not None):
        value = r.value.args[0] if isinstance(r.value, ast.Call) and call_name(r.value) in (
            "list", "len", "tuple", "set", "sorted") and r.value.args else r.value
        if isinstance(value, ast.Name) and value.id in params:
            out.append(r)
    return out


def status_sites(unit: Unit) -> list[Site]:
    """A command or request whose outcome is never checked (or a call of a function that reports failure by its
    result, dropped), followed by a success value for the caller."""
    parents = unit.parents
    for call in (n for n in unit.nodes if isinstance(n, ast.Call) and (
            _sending(n) or _dropped_failure_report(unit, n, parents))):
        if not _unchecked(unit, call, parents):
            continue
        success = _success_returns(unit, after=call.lineno) or (
            _input_returned(unit, after=call.lineno) if isinstance(parents.get(id(call)), ast.Expr) else [])
        if success:
            r = success[0]
            return [Site("success_on_failure", r.lineno, f"the result of `{call_text(call)}` at line {call.lineno} is "
                         f"never checked, and `{code_at(unit, r.lineno)}` tells the caller it worked"
                         + ("" if is_success_value(r.value) else " for every item it was given"),
                         f"Check the outcome of `{call_text(call)}` (status or return code) before reporting success")]
    return []
