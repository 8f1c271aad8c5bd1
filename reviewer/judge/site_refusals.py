"""Sites of conditions that refuse or admit: a rejection joined with ``and`` that needs every check to fail (the
same rule on several values, each disqualifier of a record, two checks worked out in the function), a window test
reached only when the window wraps around, and ``any()`` over what is required.
"""

from __future__ import annotations

import ast
import re

from reviewer.judge.features import call_name
from reviewer.judge.site import Site
from reviewer.judge.units import Unit

__all__ = ["all_must_fail", "any_of_required", "both_checks_fail", "each_refuses", "either_unchanged",
           "inverted_window", "wrapped"]


class _Blank(ast.NodeTransformer):
    """Every name and attribute name blanked: what is left is the shape of a test."""
    def visit_Name(self, node: ast.Name) -> ast.AST:
        return ast.Name(id="_", ctx=ast.Load())

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        return ast.Attribute(value=self.visit(node.value), attr="_", ctx=ast.Load())


_BOUND_TESTS = (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.NotEq, ast.In, ast.NotIn)


def _rule_test(part: ast.AST) -> bool:
    """A rule a value must meet (``w % 2``, ``w <= 0``, ``c not in ALLOWED``), not whether it was given at all
    (``not w``, ``w is None``, ``w == 0``): ``if not email and not phone: raise`` asks for at least one."""
    return isinstance(part, ast.BinOp) or isinstance(part, ast.Compare) and all(
        isinstance(op, _BOUND_TESTS) for op in part.ops) and not any(
        isinstance(c, ast.Constant) and c.value is None for c in part.comparators)


def _rejects(body: list[ast.stmt]) -> bool:
    last = body[-1] if body else None
    return isinstance(last, ast.Raise) or isinstance(last, ast.Return) and isinstance(last.value, ast.Constant) \
        and last.value.value in (False, None)


def all_must_fail(unit: Unit) -> list[Site]:
    """``if req.width % 2 and req.height % 2: raise ...``: the same rule tested on each of several values, joined
    with ``and`` in a rejection, rejects only when every value breaks it; a value that breaks it alone passes."""
    for node in (n for n in unit.nodes if isinstance(n, ast.If) and _rejects(n.body)):
        test = node.test
        if not (isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) and all(_rule_test(p)
                                                                                       for p in test.values)):
            continue
        shapes = {ast.dump(_Blank().visit(ast.parse(ast.unparse(p), mode="eval").body)) for p in test.values}
        texts = [ast.unparse(p) for p in test.values]
        if len(shapes) == 1 and len(set(texts)) == len(texts):
            return [Site("wrong_boolean_logic", node.lineno, f"`{ast.unparse(test)}` tests the same rule on "
                         f"{len(texts)} values and rejects only when every one of them breaks it: a value that breaks "
                         "it alone passes", "Join the tests with `or`, if each value must meet the rule")]
    return []


_DISQUALIFIED = re.compile(r"^(is_)?(used|consumed|revoked|disabled|banned|blocked|deleted|expired|cancel+ed|"
                          r"suspended|redeemed)$", re.I)
_EXPIRY = re.compile(r"expir|valid_until|not_after|deadline", re.I)


def _disqualifier(part: ast.AST) -> str | None:
    """What makes a record unusable on its own: a flag (``token.used``, ``user.disabled``) or an expiry passed
    (``token.expires_at <= now``); the word it is about."""
    if isinstance(part, ast.Attribute) and _DISQUALIFIED.match(part.attr):
        return part.attr.lower().removeprefix("is_")
    if isinstance(part, ast.Compare) and len(part.ops) == 1 and isinstance(part.ops[0], (ast.Lt, ast.LtE, ast.Gt,
                                                                                         ast.GtE)):
        named = [x.attr for x in (part.left, part.comparators[0]) if isinstance(x, ast.Attribute)]
        if any(_EXPIRY.search(n) for n in named):
            return "expired"
    return None


def each_refuses(unit: Unit) -> list[Site]:
    """``if record.used and record.expires_at <= now: raise``: a used token and an expired one are each unusable,
    and joined with ``and`` the check refuses only a token that is both."""
    for node in (n for n in unit.nodes if isinstance(n, ast.If) and _rejects(n.body)):
        test = node.test
        if not (isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And)):
            continue
        words = [_disqualifier(p) for p in test.values]
        if all(words) and len(set(words)) == len(words):
            return [Site("wrong_boolean_logic", node.lineno, f"`{ast.unparse(test)}` refuses only when all of "
                         f"{', '.join(f'`{w}`' for w in words)} hold, while each alone makes it unusable: a record "
                         "that is only one of them passes", "Join the tests with `or`")]
    return []


_VERIFIES = re.compile(r"(^|\.)(compare_digest|verify\w*|check\w*|is_valid\w*|validate\w*)$")


def _verification(value: ast.AST) -> bool:
    """A check worked out here: an ordering (``abs(now - ts) <= tolerance``) or a verification call
    (``hmac.compare_digest(...)``, inside ``any(...)`` too); not a lookup (``key in cache``, ``path.exists()``),
    where either of two places would do."""
    if isinstance(value, ast.Compare):
        return all(isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)) for op in value.ops)
    return any(isinstance(n, ast.Call) and _VERIFIES.search(call_name(n)) for n in ast.walk(value))


def both_checks_fail(unit: Unit) -> list[Site]:
    """``valid = any(compare_digest(...))``, ``fresh = abs(now - ts) <= tolerance``, then ``if not valid and not
    fresh: raise``: two checks each of which must pass, refused only when both fail."""
    checks = {t.id: n.value for n in unit.nodes if isinstance(n, ast.Assign) and _verification(n.value)
              for t in n.targets if isinstance(t, ast.Name)}
    for node in (n for n in unit.nodes if isinstance(n, ast.If) and _rejects(n.body)):
        test = node.test
        if not (isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And)):
            continue
        negated = [p.operand for p in test.values if isinstance(p, ast.UnaryOp) and isinstance(p.op, ast.Not)]
        names = [ast.unparse(p) for p in negated if isinstance(p, ast.Name) and p.id in checks or isinstance(
            p, ast.Compare) and _verification(p)]  # ``not valid`` or, inline, ``not -90 <= lat <= 90``
        if len(names) == len(test.values) >= 2 and len(set(names)) == len(names):
            worked = "; ".join(f"`{n} = {ast.unparse(checks[n])[:70]}`" if n in checks else f"`{n}`" for n in names)
            first, second = names[0], names[1]
            return [Site("wrong_boolean_logic", node.lineno, f"`if {ast.unparse(test)}` refuses only when every one "
                         f"of the checks worked out here fails ({worked}): with `{first}` failed and `{second}` "
                         "passed, "
                         f"the condition is false and nothing is refused, so what fails one check is let through, "
                         "though each alone should refuse it", "Join the tests with `or`, if each check must pass",
                         f"Should a value that fails `{first}` be refused even when `{second}` passes, so that letting "
                         "it through here is wrong?")]
    return []


_LOWER = {ast.Lt: "<", ast.LtE: "<="}
_FLIP = {ast.Gt: ast.Lt, ast.GtE: ast.LtE}


def _pairs(node: ast.AST) -> list[tuple[str, str]]:
    """``a <= x < b`` or ``a <= x and x < b`` (or ``x >= a``): the (smaller, larger) text pairs it tests."""
    parts = node.values if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And) else [node]
    out = []
    for c in (p for p in parts if isinstance(p, ast.Compare)):
        sides = [c.left, *c.comparators]
        for i, op in enumerate(c.ops):
            a, b = (sides[i], sides[i + 1]) if type(op) in _LOWER else (sides[i + 1], sides[i]) \
                if type(op) in _FLIP else (None, None)
            if a is not None:
                out.append((ast.unparse(a), ast.unparse(b)))
    return out


def _between(node: ast.AST) -> tuple[str, str, str] | None:
    """(low, value, high) for a test that ``value`` lies between ``low`` and ``high``."""
    pairs = _pairs(node)
    for low, x in pairs:
        high = next((b for a, b in pairs if a == x and b != low), None)
        if high is not None:
            return low, x, high
    return None


def wrapped(unit: Unit) -> list[tuple[ast.If, str, str, list[ast.AST]]]:
    """``if self.start < self.end: return ...``: (the guard, low, high, the tests that run only when it is false,
    that is when ``low`` is after ``high``: a window that wraps around, past midnight)."""
    body = getattr(unit.node, "body", [])
    out = []
    for guard in (s for s in body if isinstance(s, ast.If)):
        test = guard.test
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and type(test.ops[0]) in _LOWER
                and guard.body and isinstance(guard.body[-1], ast.Return)):
            continue
        after = guard.orelse or [s for s in body if s.lineno > (guard.end_lineno or guard.lineno)]
        tests: list[ast.AST] = [n for s in after for n in ast.walk(s) if isinstance(n, (ast.BoolOp, ast.Compare))]
        out.append((guard, ast.unparse(test.left), ast.unparse(test.comparators[0]), tests))
    return out


def inverted_window(unit: Unit) -> list[Site]:
    """``if self.start < self.end: return start <= t < end`` then ``return start <= t and t < end``: the second
    test runs only when the window wraps (start after end), where no value is both after the start and before the
    end; it is always false."""
    for guard, lo, hi, tests in wrapped(unit):
        test = guard.test
        for node in tests:
            window = _between(node)
            if window and (window[0], window[2]) == (lo, hi):
                x = window[1]
                return [Site("wrong_boolean_logic", node.lineno, f"`{ast.unparse(node)}` runs only when `{lo}` is not "
                             f"before `{hi}` (`if {ast.unparse(test)}:` at line {guard.lineno} returned), and then no "
                             f"`{x}` is both from `{lo}` on and before `{hi}`: it is always false (with `{lo}` = 22 "
                             f"and `{hi}` = 7, a window past midnight, `{x}` = 23 fails `{x} < {hi}` and `{x}` = 3 "
                             f"fails `{lo} <= {x}`), so a value inside the window is never found in it",
                             f"A window that wraps around holds when `{window[1]}` is from `{lo}` on OR before `{hi}`",
                             f"When `{lo}` is after `{hi}` (a window past midnight), is a `{x}` that lies inside the "
                             "window (after the start, or before the end) wrongly found outside it here?")]
    return []


_EARLIER = re.compile(r"^(prev|previous|old|last|before|orig|original|saved|known|seen)_(\w+)$")


def _same_as_before(part: ast.AST, op: type) -> str | None:
    """``size == prev_size`` (with ``op`` ``ast.Eq``) or ``size != prev_size`` (``ast.NotEq``): the value's name."""
    if not (isinstance(part, ast.Compare) and len(part.ops) == 1 and isinstance(part.ops[0], op)):
        return None
    a, b = ast.unparse(part.left), ast.unparse(part.comparators[0])
    for now, then in ((a, b), (b, a)):
        m = _EARLIER.match(then.rsplit(".", 1)[-1])
        if m and now.rsplit(".", 1)[-1] == m.group(2):
            return now
    return None


def either_unchanged(unit: Unit) -> list[Site]:
    """``if size == prev_size or mtime == prev_mtime:`` counts as unchanged what changed in one of the two (and
    ``size != prev_size and mtime != prev_mtime`` as changed only what changed in both)."""
    for node in (n for n in unit.nodes if isinstance(n, ast.BoolOp)):
        op = ast.Eq if isinstance(node.op, ast.Or) else ast.NotEq
        names = [_same_as_before(p, op) for p in node.values]
        if len(names) >= 2 and all(names) and len(set(names)) == len(names):
            shown = ", ".join(f"`{n}`" for n in names)
            what = ("unchanged when only one of" if op is ast.Eq else "changed only when every one of")
            held = "unchanged" if op is ast.Eq else "not changed"
            return [Site("wrong_boolean_logic", node.lineno, f"`{ast.unparse(node)}` counts as {what} {shown} "
                         f"{'is' if op is ast.Eq else 'has changed'}: each alone decides, so a value whose "
                         f"{names[0]} stays while its {names[1]} moves passes as {held}",
                         f"Join the comparisons with `{'and' if op is ast.Eq else 'or'}`")]
    return []


_REQUIRED = re.compile(r"(^|_)(required|needed|mandatory|must)(_|$)", re.I)


def any_of_required(unit: Unit) -> list[Site]:
    """``any(s in granted for s in required)``: one of the required items is taken as all of them."""
    for call in (n for n in unit.nodes if isinstance(n, ast.Call) and call_name(n) == "any" and n.args
                 and isinstance(n.args[0], ast.GeneratorExp)):
        walked = ast.unparse(call.args[0].generators[0].iter)
        if _REQUIRED.search(walked.rsplit(".", 1)[-1]):
            return [Site("wrong_boolean_logic", call.lineno, f"`{ast.unparse(call)[:80]}` holds when any one of "
                         f"`{walked}` is there, while the name says every one of them is required",
                         "Use `all(...)` if each required item must be there")]
    return []
