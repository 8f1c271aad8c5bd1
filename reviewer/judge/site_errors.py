"""Sites of errors returned as values: an error message, an error code, the exception, or an empty result returned
where the function's other returns give real results, so that a caller can take the failure for a result.
"""

from __future__ import annotations

import ast
import re

from reviewer.judge.features import call_name
from reviewer.judge.site import Site, code_at, docstring, parameters
from reviewer.judge.site_flow import caught_names, logs_error, reraises, unit_handlers
from reviewer.judge.units import Unit

__all__ = ["error_value_sites"]

_ERROR_WORDS = re.compile(r"error|invalid|fail|unknown|not found|missing|denied|cannot|can't|unable|bad ", re.I)


def _declares_result(unit: Unit) -> bool:
    """The function declares a result type that does not admit None (``-> dict``, not ``-> dict | None``)."""
    returns = getattr(unit.node, "returns", None)
    if returns is None:
        return False
    text = ast.unparse(returns)
    return not re.search(r"None|Optional|Any|object|bool", text)


def _empty(node: ast.AST | None) -> bool:
    if node is None or (isinstance(node, ast.Constant) and node.value in (None, "", b"", 0)):
        return True
    return isinstance(node, (ast.List, ast.Dict, ast.Tuple, ast.Set)) and not getattr(
        node, "elts", getattr(node, "keys", None))


_ERROR_KEYS = frozenset({"error", "err", "errors", "error_message", "failure"})


def _error_value(node: ast.AST | None, handler: ast.ExceptHandler | None) -> str | None:
    """Why this returned value reads as an error passed off as a result, or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
        return "an error message as a string" if handler is not None or _ERROR_WORDS.search(node.value) else None
    if isinstance(node, ast.JoinedStr) and handler is not None:
        return "an error message as a string"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return "a negative number as an error code"
    if isinstance(node, ast.Constant) and node.value is False and handler is not None:
        return "`False` as an error marker"
    if isinstance(node, ast.Dict) and handler is not None and any(
            isinstance(k, ast.Constant) and str(k.value).lower() in _ERROR_KEYS
            for k in node.keys):
        return "an error as a dict in place of the data"
    if handler is not None and handler.name:
        if isinstance(node, ast.Name) and node.id == handler.name:
            return "the exception object as a value"
        if isinstance(node, ast.Call) and call_name(node) in ("str", "repr") and node.args and \
                isinstance(node.args[0], ast.Name) and node.args[0].id == handler.name:
            return "the exception's text as a string"
    return None


def _other_results(unit: Unit) -> list[ast.Return]:
    return [n for n in unit.nodes if isinstance(n, ast.Return) and n.value is not None
            and not (isinstance(n.value, ast.Constant) and isinstance(n.value.value, str))
            and not isinstance(n.value, ast.JoinedStr)]


_TEXT_CALLS = frozenset({"format", "join", "str", "repr", "_", "gettext", "ngettext", "strip", "lower", "upper",
                         "replace", "decode"})


def _returns_text(unit: Unit, others: list[ast.Return]) -> bool:
    """The function's results are text anyway (``-> str``, f-strings, ``.format()``): a message is a result."""
    returns = getattr(unit.node, "returns", None)
    if returns is not None and ast.unparse(returns) in ("str", "t.Optional[str]", "Optional[str]", "str | None"):
        return True
    return any(isinstance(o.value, ast.Call) and call_name(o.value).rsplit(".", 1)[-1] in _TEXT_CALLS for o in others)


_STOPS = frozenset({"KeyboardInterrupt", "SystemExit", "CancelledError", "asyncio.CancelledError"})
"""Being told to stop: a command that returns its exit code on Ctrl-C reports no failure."""
_ABSENT = frozenset({"FileNotFoundError"})
"""A handler of these that returns an empty result says "nothing there yet" (no outbox file: nothing pending)."""


_PREDICATE = re.compile(r"^(bool|isinstance|issubclass|hasattr|callable|all|any|exists|is_?\w*|has_?\w*|can_?\w*"
                        r"|startswith|endswith)$")


def _boolish(node: ast.AST | None) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, bool)
    if isinstance(node, ast.Call):
        return bool(_PREDICATE.search(call_name(node).rsplit(".", 1)[-1]))
    return isinstance(node, (ast.Compare, ast.BoolOp)) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not))


_PARSES = re.compile(r"(^|\.)(match|fullmatch|search|parse|strptime|loads|literal_eval|urlparse|parse_qs)$")


def _nan(node: ast.AST) -> bool:
    """``math.nan``, ``float("nan")``, ``np.nan``."""
    return isinstance(node, ast.Attribute) and node.attr == "nan" or isinstance(node, ast.Call) and call_name(
        node) == "float" and bool(node.args) and isinstance(node.args[0], ast.Constant) and str(
        node.args[0].value).lower() == "nan"


def _nan_marked(value: ast.AST) -> bool:
    """NaN, or a tuple of NaN and empty values (``math.nan, ""``): a number the caller computes on as if measured."""
    parts = value.elts if isinstance(value, ast.Tuple) else [value]
    return any(_nan(p) for p in parts) and all(_nan(p) or _empty(p) for p in parts)


def _failed_parses(unit: Unit) -> dict[int, str]:
    """Returns of an empty or zero value right under ``if m is None:`` / ``if not m:`` where ``m`` is the result of
    a match or parse: the input was bad, and the caller gets 0 as if it had said 0."""
    parsed = {t.id: call_name(n.value) for n in unit.nodes if isinstance(n, ast.Assign)
              and isinstance(n.value, ast.Call) and _PARSES.search(call_name(n.value))
              for t in n.targets if isinstance(t, ast.Name)}
    out: dict[int, str] = {}
    for node in (n for n in unit.nodes if isinstance(n, ast.If) and isinstance(n.body[0], ast.Return)):
        test = node.test
        name = (ast.unparse(test.operand) if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) else
                ast.unparse(test.left) if isinstance(test, ast.Compare) and isinstance(test.ops[0], ast.Is) and
                isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value is None else None)
        value = node.body[0].value
        if name in parsed and value is not None and (_empty(value) or _nan_marked(value)) and not (
                isinstance(value, ast.Constant) and value.value is None):
            out[node.body[0].lineno] = f"when `{parsed[name]}` finds nothing (`{ast.unparse(test)}`)"
    return out


_LOOKUP_ERRORS = frozenset({"KeyError", "IndexError", "LookupError", "AttributeError", "ValueError", "TypeError",
                            "StopIteration", "FileNotFoundError", "UnicodeDecodeError", "JSONDecodeError",
                            "NotImplementedError", "ImportError", "ModuleNotFoundError", "ZeroDivisionError",
                            "OverflowError", "InvalidOperation", "DoesNotExist", "ObjectDoesNotExist", "NoResultFound",
                            "NoSuchKey"})
"""Errors that say "not there" or "not that shape": ``except KeyError: return None`` is a lookup's answer."""
_SAYS_EMPTY = re.compile(r"\b(none|null|empty|nothing|no\s+\w+\s+(is|are)\s+(found|returned|known)|on\s+(failure|error)"
                         r"|fails?\b|failed|unavailable|unreachable|best[- ]effort|silently|ignor\w*|fall(s)?\s*back"
                         r"|default|zero|blank)\b|\{\}|\[\]", re.I)


def _failure_hidden(unit: Unit, handler: ast.ExceptHandler, r: ast.Return) -> bool:
    """An empty container, string or zero (not ``None``, Python's "no result", which callers test for) returned
    from a handler of an operation's failure (``except RequestException``, ``except Exception``, an ``OSError``,
    the project's own error), not of a lookup's "not there", where the docstring does not say that an empty result
    means failure or absence, and that does not log it as expected (at debug or info level): ``except
    RequestException: return {}`` hands the caller a config with nothing in it."""
    if r.value is None or isinstance(r.value, ast.Constant) and r.value.value is None or logs_error(
            handler, ("debug", "info")):
        return False  # (a debug line says the author expects it: "no file %s")
    names = set(caught_names(handler.type)) or {"BaseException"}
    failures = {n for n in names if n not in _LOOKUP_ERRORS and not n.endswith(("NotFound", "NotFoundError"))}
    return bool(failures) and not _SAYS_EMPTY.search(docstring(unit) or "")


_AS_GIVEN = re.compile(r"\b(unchanged|as[ -]is|as given|untouched|otherwise|fall(s)? back)\b", re.I)
_FALLBACK = re.compile(r"default|fallback", re.I)


def _input_unchanged(unit: Unit, r: ast.Return, handler: ast.ExceptHandler | None) -> str | None:
    """``except ParseError: return raw`` in a function that returns ``raw`` transformed: input that could not be
    handled goes back as if it were the result. Only where a docstring says what the result is, and not that the
    input is returned as given (``try: return int(x) except ValueError: return x`` is often meant)."""
    if handler is None or not isinstance(r.value, ast.Name) or _FALLBACK.search(r.value.id) or \
            r.value.id not in {a.arg for a in parameters(unit)}:
        return None
    doc = docstring(unit)
    return None if not doc or _AS_GIVEN.search(doc) else f"its input `{r.value.id}` unchanged, as if it were the " \
        "result,"


_ABOUT_TEXT = re.compile(r"^__\w+__$|repr|describe|summary|message|explain|error|format_exc|traceback|display",
                         re.I)


def _failure_as_text(unit: Unit, handler: ast.ExceptHandler | None, r: ast.Return) -> bool:
    """``except TemplateError as exc: logger.error(...); return f"<p>Template error: {exc}</p>"`` where the
    function's results are text: the handler logs a failure, and the caller gets the error's text as if it were the
    rendered result (a function whose text is about the error, ``__repr__`` or ``describe_error``, is left out)."""
    if handler is None or not handler.name or _ABOUT_TEXT.search(unit.qualname.rsplit(".", 1)[-1]):
        return False
    names_exc = any(isinstance(n, ast.Name) and n.id == handler.name for n in ast.walk(r.value))
    return names_exc and logs_error(handler)


def _is_none(node: ast.AST | None) -> bool:
    return node is None or isinstance(node, ast.Constant) and node.value is None


def _none_for_nothing(unit: Unit, handled: set[int]) -> ast.Return | None:
    """A return outside the handlers that gives None for "nothing there": ``return to_pos(row) if row else None``,
    or ``return None`` under ``if row is None:``."""
    for r in (n for n in unit.nodes if isinstance(n, ast.Return) and id(n) not in handled and n.value is not None):
        if isinstance(r.value, ast.IfExp) and (_is_none(r.value.orelse) or _is_none(r.value.body)):
            return r
        guard = unit.parents.get(id(r))
        if _is_none(r.value) and isinstance(guard, ast.If) and guard.body[0] is r:
            return r
    return None


def _failure_as_absence(unit: Unit) -> list[Site]:
    """``except sqlite3.Error: log.exception(...); return None`` where the function also returns None for "no such
    row": the caller reads a failed query as a missing record. Only where the handler logs the failure as an
    error and the docstring does not say that None means failure too."""
    if _SAYS_EMPTY.search(docstring(unit) or ""):
        return []
    handlers = [h for _, h in unit_handlers(unit) if not reraises(h) and logs_error(h)]
    handled = {id(r) for h in handlers for r in ast.walk(h) if isinstance(r, ast.Return)}
    for h in handlers:
        failures = {n for n in caught_names(h.type) or ["BaseException"] if n not in _LOOKUP_ERRORS
                    and not n.endswith(("NotFound", "NotFoundError", "DoesNotExist"))}
        returned = next((r for s in h.body for r in ast.walk(s) if isinstance(r, ast.Return) and _is_none(r.value)),
                        None)
        nothing = _none_for_nothing(unit, handled) if failures and returned is not None else None
        if nothing is not None:
            return [Site("error_as_value", returned.lineno, f"`{code_at(unit, returned.lineno)}` returns None from the "
                         f"{', '.join(caught_names(h.type)) or 'bare'} handler, the same None that "
                         f"`{code_at(unit, nothing.lineno)}` returns when there is nothing there: the caller takes "
                         "the failure for an absence", "Let the error propagate (or raise one of your own) instead "
                         "of returning None")]
    return []


_MAKES_ERRORS = re.compile(r"(^|_)(error|errors|failure|problem|fault)(_|$)", re.I)


def error_value_sites(unit: Unit) -> list[Site]:
    """An error message, error code or exception returned where the function's other returns give results (not in
    a function whose job is to make one: ``_error_body``, ``format_error``)."""
    if _MAKES_ERRORS.search(unit.qualname.rsplit(".", 1)[-1]):
        return []
    absent = _failure_as_absence(unit)
    if absent:
        return absent
    others = _other_results(unit)
    if not others:
        return []
    failed = _failed_parses(unit) if _declares_result(unit) else {}
    in_handler = {id(r): h for _, h in unit_handlers(unit) if not reraises(h) and not set(
        caught_names(h.type)) <= _STOPS for r in ast.walk(h) if isinstance(r, ast.Return)}
    for r in (n for n in unit.nodes if isinstance(n, ast.Return)):
        handler = in_handler.get(id(r))
        what = _error_value(r.value, handler)
        given = what is None and (what := _input_unchanged(unit, r, handler)) is not None
        if what is None and handler is not None and _empty(r.value) and not set(caught_names(handler.type)) <= _ABSENT \
                and (_declares_result(unit) or getattr(unit.node, "returns", None) is None and logs_error(
                    handler, ("warning", "warn", "error", "exception", "critical"))
                or _failure_hidden(unit, handler, r)):
            what = f"`{ast.unparse(r.value) if r.value is not None else 'None'}`, an empty result that hides the failure"
        if what is None and r.lineno in failed:
            what = f"`{ast.unparse(r.value)}` {failed[r.lineno]}, a value the caller cannot tell from a real one"
        if what is None:
            continue
        rest = [o for o in others if o is not r and not (given and ast.unparse(o.value) == ast.unparse(r.value))]
        message = not _empty(r.value) and not given  # a message passes for a result where results are text anyway
        text_anyway = message and _returns_text(unit, rest) and not _failure_as_text(unit, handler, r)
        if not rest or text_anyway or (r.value is not None and _boolish(r.value) and any(
                _boolish(o.value) for o in rest)):
            continue  # (``False`` from a predicate is its answer)
        result = rest[0]
        where = f"from the {', '.join(caught_names(handler.type)) or 'bare'} handler" if handler is not None else "here"
        return [Site("error_as_value", r.lineno, f"`{code_at(unit, r.lineno)}` returns {what} {where}, while "
                     f"`{code_at(unit, result.lineno)}` returns a real result",
                     "Raise an exception instead of returning an error value the caller can take for a result")]
    return []
