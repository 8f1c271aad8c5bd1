"""Sites where a failure leaves a function in a way that hides it, beyond the except handlers of
:mod:`reviewer.judge.site_flow`: an ``__exit__`` that returns True, a generator's handler that ends the iteration,
a ``finally`` that marks the work done, ``gather(..., return_exceptions=True)`` handed back unfiltered, an error
branch that returns a status code where the data belongs, ``ignore_errors=True``.
"""

from __future__ import annotations

import ast
import re

from reviewer.judge.features import call_name, imported_modules
from reviewer.judge.site import Site, call_text, docstring
from reviewer.judge.site_flow import EXPECTED_ERRORS, caught_names, is_success_value, unit_handlers
from reviewer.judge.units import Unit

__all__ = ["exit_sites"]

_END_OF_INPUT = frozenset({"IndexError", "EOFError", "Empty", "queue.Empty", "KeyError"})
"""What ``pop()`` from an empty list or deque, a read at the end of a file or a get from an empty queue raise: in a
generator, the end of what it reads."""
_STATE_ATTR = re.compile(r"(^|_)(status|state|result|outcome)$", re.I)
_CLEANUP_NAME = re.compile(r"clean|purge|prune|remove_tmp|temp|tmp|teardown|close|discard|__exit__|__del__", re.I)


def _exit_true(unit: Unit) -> list[Site]:
    """``__exit__`` returning True without a test: every exception in the ``with`` block is suppressed."""
    if unit.qualname.rsplit(".", 1)[-1] not in ("__exit__", "__aexit__"):
        return []
    body = getattr(unit.node, "body", [])
    for stmt in body:
        if isinstance(stmt, ast.Return) and isinstance(stmt.value, ast.Constant) and stmt.value.value is True:
            return [Site("error_swallowed", stmt.lineno, "`__exit__` returns True unconditionally, which suppresses "
                         "every exception raised in the `with` block", "Return False (or None) so that the "
                         "exception propagates, after the cleanup")]
    return []


def _is_generator(unit: Unit) -> bool:
    return any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in unit.nodes)


def _generator_stops(unit: Unit) -> list[Site]:
    """A generator whose handler ends it quietly (``except ValueError: return``): the caller gets a shorter
    sequence and no error."""
    if not _is_generator(unit):
        return []
    for _, handler in unit_handlers(unit):
        last = handler.body[-1] if handler.body else None
        if set(caught_names(handler.type)) & (EXPECTED_ERRORS | _END_OF_INPUT):
            continue  # ``except StopIteration: return``, ``except IndexError: break``: the end of the input
        if isinstance(last, (ast.Return, ast.Break)) and getattr(last, "value", None) is None:
            caught = ", ".join(caught_names(handler.type)) or "every exception"
            what = "return" if isinstance(last, ast.Return) else "break"
            return [Site("error_swallowed", handler.lineno, f"the generator's handler for {caught} ends the "
                         f"iteration with a bare `{what}`, so the caller gets a shorter sequence and no error",
                         "Raise an error the caller can handle instead of ending the iteration")]
    return []


_MARKS_DONE = re.compile(r"^(mark|set|flag|record)_(as_)?(\w+_)?(done|sent|uploaded|delivered|completed?|processed|"
                         r"finished|succeeded|success|published|synced|acked|paid|applied)$", re.I)
"""A call whose name marks the work done: ``mark_replay_uploaded(id)``, ``set_done(job)``."""
_DONE = frozenset({"DONE", "SUCCESS", "SUCCEEDED", "SUCCESSFUL", "COMPLETE", "COMPLETED", "FINISHED", "OK", "PASSED"})


def _success_mark(node: ast.AST) -> bool:
    """``True``, ``"completed"``, or a member such as ``JobStatus.DONE``."""
    return is_success_value(node) or isinstance(node, ast.Attribute) and node.attr.upper() in _DONE


def _finally_success(unit: Unit) -> list[Site]:
    """``finally: job.status = "completed"`` or ``finally: store.mark(job.id, JobStatus.DONE)``: the work is marked
    done on the failure path too."""
    for node in (n for n in unit.nodes if isinstance(n, ast.Try) and n.finalbody):
        final = ast.Module(body=node.finalbody, type_ignores=[])
        for stmt in (s for s in ast.walk(final) if isinstance(s, (ast.Assign, ast.Call))):
            if isinstance(stmt, ast.Call):
                marked = any(_success_mark(a) and not (isinstance(a, ast.Constant) and a.value is True)
                             for a in [*stmt.args, *(k.value for k in stmt.keywords)])  # not ``shutdown(wait=True)``
                marked = marked or bool(_MARKS_DONE.search(call_name(stmt).rsplit(".", 1)[-1]))
            else:
                targets = [t for t in stmt.targets if isinstance(t, (ast.Attribute, ast.Name))]
                names = [t.attr if isinstance(t, ast.Attribute) else t.id for t in targets]
                marked = any(_STATE_ATTR.search(n) for n in names) and _success_mark(stmt.value)
            if marked:
                return [Site("success_on_failure", stmt.lineno, f"`{ast.unparse(stmt).strip()}` is in a `finally`, "
                             "so it also runs when the work failed", "Set the success state at the end of the `try` "
                             "block, and a failure state in an `except`")]
    return []


def _unfiltered_gather(unit: Unit) -> list[Site]:
    """``return await asyncio.gather(..., return_exceptions=True)``: the exceptions are handed back among the
    results (directly or through a name returned as is)."""
    returned = {ast.unparse(r.value) for r in unit.nodes if isinstance(r, ast.Return) and r.value is not None}
    for node in (n for n in unit.nodes if isinstance(n, ast.Call) and call_name(n).endswith("gather")):
        if not any(k.arg == "return_exceptions" and isinstance(k.value, ast.Constant) and k.value.value is True
                   for k in node.keywords):
            continue
        parent = unit.parents.get(id(node))
        holder = unit.parents.get(id(parent)) if isinstance(parent, ast.Await) else parent
        name = next((ast.unparse(t) for t in getattr(holder, "targets", [])), None)
        if isinstance(holder, ast.Return) or (name is not None and name in returned):
            return [Site("error_as_value", node.lineno, "`gather(..., return_exceptions=True)` puts each exception "
                         "among the results, and the list is returned as it is", "Raise the first exception (or "
                         "filter the results and report the failures)")]
        if isinstance(holder, ast.Expr) or name is not None and not _read_after(unit, name, node.lineno):
            return [Site("error_swallowed", node.lineno, "`gather(..., return_exceptions=True)` turns each exception "
                         "into a result, and the results are never looked at, so every failure is lost",
                         "Check the results for exceptions and log or raise them (or drop return_exceptions)")]
        kept = _kept_by_type(unit, name) if name is not None else None
        if kept is not None:
            return [Site("error_swallowed", node.lineno, "`gather(..., return_exceptions=True)` turns each exception "
                         f"into a result, and only the results that are `{kept}` are kept: the exceptions are dropped "
                         "without a word", "Log or raise the exceptions among the results before filtering them out")]
    return []


def _kept_by_type(unit: Unit, name: str) -> str | None:
    """``[r for r in results if isinstance(r, FetchResult)]`` is all the unit does with ``results``, and no
    exception type is looked for: the type the results are filtered down to."""
    if any(isinstance(n, ast.Name) and re.search(r"Exception|Error", n.id) for n in unit.nodes):
        return None
    for comp in (n for n in unit.nodes if isinstance(n, (ast.ListComp, ast.GeneratorExp, ast.SetComp))):
        gen = comp.generators[0]
        if ast.unparse(gen.iter) == name and any(isinstance(c, ast.Call) and call_name(c) == "isinstance"
                                                 and len(c.args) == 2 for c in gen.ifs):
            test = next(c for c in gen.ifs if isinstance(c, ast.Call) and call_name(c) == "isinstance")
            return ast.unparse(test.args[1])
    return None


def _read_after(unit: Unit, name: str, line: int) -> bool:
    return any(isinstance(n, (ast.Name, ast.Attribute)) and isinstance(n.ctx, ast.Load) and ast.unparse(n) == name
               and n.lineno >= line for n in unit.nodes)


_REPLIES = re.compile(r"(^|\.)(json_response|jsonify|JsonResponse|JSONResponse|Response|HTTPResponse|HttpResponse|"
                      r"make_response|PlainTextResponse|HTMLResponse)$")
_STATUS_KEYS = ("status", "status_code", "code")


def _reply_status(node: ast.AST) -> bool:
    """A reply that sets its status: ``status=503``, ``jsonify(...), 400``, ``Response(body, 400)``."""
    if isinstance(node, ast.Tuple):
        return len(node.elts) > 1
    return isinstance(node, ast.Call) and (any(k.arg in _STATUS_KEYS for k in node.keywords) or len(node.args) > 1
                                           and isinstance(node.args[1], ast.Constant))


def _error_body(node: ast.Call) -> bool:
    """A reply whose body says it failed: ``{"ok": False, ...}``, ``{"error": ...}``."""
    for arg in (a for a in node.args[:1] if isinstance(a, ast.Dict)):
        for key, value in zip(arg.keys, arg.values):
            name = str(key.value).lower() if isinstance(key, ast.Constant) else ""
            if name in ("error", "errors", "detail") or name in ("ok", "success") and isinstance(
                    value, ast.Constant) and value.value is False:
                return True
    return False


def _error_reply_ok(unit: Unit) -> list[Site]:
    """``return web.json_response({"ok": False, "error": ...})`` without a status, where the function's other
    replies set theirs: the client gets 200 OK with an error in the body."""
    replies = [r.value for r in unit.nodes if isinstance(r, ast.Return) and r.value is not None and (
        isinstance(r.value, ast.Tuple) and r.value.elts and isinstance(r.value.elts[0], ast.Call) and _REPLIES.search(
            call_name(r.value.elts[0])) or isinstance(r.value, ast.Call) and _REPLIES.search(call_name(r.value)))]
    statused = [r for r in replies if _reply_status(r)]
    for reply in (r for r in replies if isinstance(r, ast.Call) and not _reply_status(r) and _error_body(r)):
        if statused:
            return [Site("success_on_failure", reply.lineno, f"`{call_text(reply)}(...)` sends an error body with no "
                         f"status, so the client gets 200 OK, while `{ast.unparse(statused[0])[:70]}` (line "
                         f"{statused[0].lineno}) sets its status", "Give the error reply its status (for example "
                         "`status=400`)")]
    return []


def _status_for_data(unit: Unit) -> list[Site]:
    """``if response.status_code != 200: return response.status_code`` where the other returns give the data:
    the caller gets an int where it expects the content."""
    returns = [r for r in unit.nodes if isinstance(r, ast.Return) and r.value is not None]
    codes = [r for r in returns if isinstance(r.value, ast.Attribute) and r.value.attr in ("status_code", "status")]
    data = [r for r in returns if r not in codes and not isinstance(r.value, ast.Constant)]
    if codes and data:
        r = codes[0]
        return [Site("error_as_value", r.lineno, f"`return {ast.unparse(r.value)}` hands back a status code on the "
                     f"failure path, where the other returns give the data (`{ast.unparse(data[0].value)}`)",
                     "Raise an error (or `raise_for_status()`) instead of returning the status code")]
    return []


def _ignored_errors(unit: Unit) -> list[Site]:
    """``shutil.rmtree(path, ignore_errors=True)`` outside cleanup code: a failure to delete goes unnoticed."""
    if _CLEANUP_NAME.search(unit.qualname.rsplit(".", 1)[-1]):
        return []
    for node in (n for n in unit.nodes if isinstance(n, ast.Call)):
        if any(k.arg == "ignore_errors" and isinstance(k.value, ast.Constant) and k.value.value is True
               for k in node.keywords):
            return [Site("error_swallowed", node.lineno, f"`{call_name(node)}(..., ignore_errors=True)` ignores "
                         "every failure, so the caller cannot tell that nothing was done", "Let the error propagate "
                         "(or catch only the failure that is expected and harmless)")]
    return []


_SAYS_2XX = re.compile(r"\b(2xx|2\d\d|200)\b")


def _redirect_as_success(unit: Unit) -> list[Site]:
    """``return response.status_code < 400`` where the docstring promises a 2xx, or the module's client is httpx,
    which does not follow redirects unless told to: a 3xx the request never followed counts as delivered."""
    said = bool(_SAYS_2XX.search(docstring(unit) or ""))
    httpx_used = "httpx" in imported_modules(unit.source.tree)
    if not (said or httpx_used):
        return []
    for node in (n for n in unit.nodes if isinstance(n, ast.Compare) and len(n.ops) == 1):
        bound = node.comparators[0]
        if isinstance(bound, ast.Constant) and (isinstance(node.ops[0], ast.Lt) and bound.value == 400 or isinstance(
                node.ops[0], ast.LtE) and bound.value == 399) and ast.unparse(node.left).endswith("status_code"):
            why = "the docstring promises a 2xx" if said else "httpx does not follow redirects unless told to"
            return [Site("success_on_failure", node.lineno, f"`{ast.unparse(node)}` counts a 3xx answer as success, "
                         f"and {why}: a redirect the request never followed counts as accepted",
                         f"Test for 2xx (`200 <= {ast.unparse(node.left)} < 300`)")]
    return []


_ALIVE = re.compile(r"health|alive|reachable|ping|up$|available|retry|retriable|retryable|transient", re.I)


def _client_errors_as_success(unit: Unit) -> list[Site]:
    """``return resp.status_code < 500`` from a function that reports whether the request was done: every 4xx
    (400 invalid, 404 unknown, 409 conflict) is a refusal, and it counts as success. (A health check or a retry
    test that asks only whether the server itself failed is left out.)"""
    if _ALIVE.search(unit.qualname.rsplit(".", 1)[-1]):
        return []
    for r in (n for n in unit.nodes if isinstance(n, ast.Return) and isinstance(n.value, ast.Compare)):
        test = r.value
        bound = test.comparators[0]
        if len(test.ops) == 1 and isinstance(bound, ast.Constant) and (
                isinstance(test.ops[0], ast.Lt) and bound.value == 500 or isinstance(test.ops[0], ast.LtE)
                and bound.value == 499) and ast.unparse(test.left).endswith(("status_code", "status")):
            return [Site("success_on_failure", r.lineno, f"`{ast.unparse(test)}` is true for every 4xx answer too "
                         "(400, 404, 409: the server refused the request), so a refusal is reported as done",
                         f"Test for 2xx (`200 <= {ast.unparse(test.left)} < 300`)")]
    return []


_FAILURES = re.compile(r"^(failed|failures|errors|errored|problems|rejected|not_\w+|could_not\w*|unable\w*)$", re.I)


def _failures_then_success(unit: Unit) -> list[Site]:
    """``failed.append(name)`` for each item that could not be done, then ``return 0`` (or True) with no test of
    ``failed`` on the way: the caller (a shell, a scheduler) hears that everything worked."""
    lists = {n.func.value.id for n in unit.nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
             and n.func.attr in ("append", "add", "extend") and isinstance(n.func.value, ast.Name)
             and _FAILURES.match(n.func.value.id)}
    lists |= {ast.unparse(n.iter) for n in unit.nodes if isinstance(n, ast.For) and _FAILURES.match(
        ast.unparse(n.iter).rsplit(".", 1)[-1])}  # ``for name, why in summary.failed: log.error(...)``
    if not lists:
        return []
    body = getattr(unit.node, "body", [])
    last = body[-1] if body else None
    if not (isinstance(last, ast.Return) and last.value is not None and (
            is_success_value(last.value) or _exit_code_zero(unit, last.value))):
        return []
    decided = any(isinstance(n, (ast.Return, ast.Raise)) for s in body[:-1] if isinstance(s, ast.If) and any(
        ast.unparse(x) in lists for x in ast.walk(s.test)) for n in ast.walk(s))
    if decided or any(ast.unparse(n) in lists for n in ast.walk(last)):
        return []
    name = sorted(lists)[0]
    return [Site("success_on_failure", last.lineno, f"`{name}` collects what could not be done, and the function "
                 f"still ends with `{ast.unparse(last)}`, success, whatever `{name}` holds",
                 f"Return a failure (or raise) when `{name}` is not empty")]


_FLAGS = re.compile(r"^(ok|success|succeeded|successful|accepted|sent|delivered|queued|is_success)$", re.I)
_BODY_VERDICTS = frozenset({"status", "state", "error", "errors", "error_code", "ok", "success", "accepted", "result"})


def _keys_read(root: ast.AST) -> set[str]:
    """Constant keys read from anything: ``x["status"]``, ``x.get("status")``, ``"error" in x``."""
    out = {n.slice.value for n in ast.walk(root) if isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Constant)}
    out |= {n.args[0].value for n in ast.walk(root) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            and n.func.attr == "get" and n.args and isinstance(n.args[0], ast.Constant)}
    out |= {n.left.value for n in ast.walk(root) if isinstance(n, ast.Compare) and isinstance(n.left, ast.Constant)}
    return {k for k in out if isinstance(k, str)}


def _flagged_success(node: ast.AST | None) -> str | None:
    """``SmsResult(accepted=True, ...)`` or ``{"ok": True, ...}``: the flag set to success, as text."""
    if isinstance(node, ast.Call):
        return next((f"{k.arg}=True" for k in node.keywords if k.arg and _FLAGS.match(k.arg)
                     and isinstance(k.value, ast.Constant) and k.value.value is True), None)
    if isinstance(node, ast.Dict):
        return next((f"{k.value!r}: True" for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant)
                     and isinstance(k.value, str) and _FLAGS.match(k.value) and isinstance(v, ast.Constant)
                     and v.value is True), None)
    return None


def _nothing(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value in (None, 0, "") or isinstance(
        node, (ast.List, ast.Tuple, ast.Dict)) and not getattr(node, "elts", getattr(node, "keys", None))


def _success_of_nothing(unit: Unit) -> list[Site]:
    """``if current is None: return Result(ok=True, closed=None, opened=None)`` where the function's last return
    is ``Result(ok=True, closed=closed, opened=opened)``: the flag says the work was done when there was nothing
    to do it on."""
    calls = [(r, f) for r in unit.nodes if isinstance(r, ast.Return) and isinstance(r.value, ast.Call)
             and (f := _flagged_success(r.value))]
    done = [r for r, _ in calls if not all(_nothing(k.value) for k in r.value.keywords if k.arg and not _FLAGS.match(
        k.arg))]
    for r, flag in calls:
        rest = [k.value for k in r.value.keywords if k.arg and not _FLAGS.match(k.arg)] + list(r.value.args)
        guard = unit.parents.get(id(r))
        if rest and all(_nothing(v) for v in rest) and done and isinstance(guard, ast.If) and guard.body[0] is r \
                and (absent := _absent_test(guard.test)):
            return [Site("success_on_failure", r.lineno, f"`{ast.unparse(r.value)[:80]}` says `{flag}` when `{absent}` "
                         f"is missing, with nothing done, as `{ast.unparse(done[-1].value)[:60]}` (line "
                         f"{done[-1].lineno}) says after the work", f"Report that there was nothing to do "
                         f"(`{flag.split('=')[0]}=False`, or raise) when `{absent}` is missing")]
    return []


def _absent_test(test: ast.AST) -> str | None:
    """``x is None`` or ``not x``: the name found missing."""
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Is) and isinstance(
            test.comparators[0], ast.Constant) and test.comparators[0].value is None:
        return ast.unparse(test.left)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(test.operand, (ast.Name,
                                                                                                   ast.Attribute)):
        return ast.unparse(test.operand)
    return None


def _verdict_elsewhere(unit: Unit) -> str | None:
    """Where the class says its replies carry a verdict: another method reads ``status`` (or ``error``...) from a
    reply, or the class's docstring says a reply can carry a failed status."""
    cls = unit.class_node
    if cls is None:
        return None
    methods = [m for m in cls.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and m is not unit.node]
    for method in methods:
        if any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "json"
               for n in ast.walk(method)) and (keys := _keys_read(method) & _BODY_VERDICTS):
            return f"`{method.name}` reads `{sorted(keys)[0]}` from its reply"
    doc = ast.get_docstring(cls) or ""
    if re.search(r"\bstatus\b", doc) and re.search(r"reject|fail|error", doc, re.I):
        return "the class's docstring says a reply's status can be a failure"
    return None


def _verdict_unread(unit: Unit) -> list[Site]:
    """``data = resp.json()`` then ``return SmsResult(accepted=True, ...)`` without a look at ``data["status"]``,
    in a class whose replies carry one: a gateway that answers 200 with ``"status": "rejected"`` is reported as
    accepted."""
    bodies = {t.id for n in unit.nodes if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)
              and isinstance(n.value.func, ast.Attribute) and n.value.func.attr == "json" for t in n.targets
              if isinstance(t, ast.Name)}
    if not bodies or _keys_read(unit.node) & _BODY_VERDICTS:
        return []
    for r in (n for n in unit.nodes if isinstance(n, ast.Return)):
        flag = _flagged_success(r.value)
        if flag and (why := _verdict_elsewhere(unit)):
            return [Site("success_on_failure", r.lineno, f"`{flag}` is set whatever the reply `{sorted(bodies)[0]}` "
                         f"says: its status is never read here, while {why}", f"Set `{flag.split('=')[0]}` from the "
                         "reply's status (and report its error code)")]
    return []


def _exit_code_zero(unit: Unit, value: ast.AST) -> bool:
    """``return 0`` from a command: ``main``, ``cmd_*``, ``*_command``, or a function that returns 1 elsewhere."""
    if not (isinstance(value, ast.Constant) and value.value == 0 and type(value.value) is int):
        return False
    return bool(re.match(r"^(main|cmd_\w+|\w+_command|command_\w+|run_cli)$", unit.qualname.rsplit(".", 1)[-1])) or any(
        isinstance(r, ast.Return) and isinstance(r.value, ast.Constant) and r.value.value == 1 for r in unit.nodes)


def exit_sites(unit: Unit) -> list[Site]:
    return _exit_true(unit) + _generator_stops(unit) + _finally_success(unit) + _unfiltered_gather(unit) + \
        _status_for_data(unit) + _ignored_errors(unit) + _error_reply_ok(unit) + _redirect_as_success(unit) + \
        _failures_then_success(unit) + _verdict_unread(unit) + _client_errors_as_success(unit) + \
        _success_of_nothing(unit)
