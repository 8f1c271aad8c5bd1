"""Sites of wrong boolean logic: conditions that are the function's result, and conditions that are always true
or always false (``x == a or "b"``, ``x < low and x > high``).
"""

from __future__ import annotations

import ast
import re

from reviewer.judge.features import call_name
from reviewer.judge.site import Site
from reviewer.judge.site_types import ENV_READS
from reviewer.judge.units import Unit

__all__ = ["boolean_sites"]


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
        elif isinstance(node, ast.If) and node.body and isinstance(node.body[-1], ast.Raise) and \
                _refusal(node.body[-1]):
            roots = [node.test]  # ``if not user.is_staff or ...: raise PermissionDenied``: the check is the point
        out.extend(b for r in roots for b in ast.walk(r) if isinstance(b, ast.BoolOp) and _decisive(b))
    return out


def _none_test(test: ast.AST) -> tuple[str, bool] | None:
    """``x is None`` -> (x, True); ``x is not None`` -> (x, False)."""
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Is, ast.IsNot)) and \
            isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value is None:
        return ast.unparse(test.left), isinstance(test.ops[0], ast.Is)
    return None


_REFUSALS = re.compile(r"Permission|Forbidden|Unauthori[sz]ed|Denied|NotAllowed|AccessError|Auth\w*Error", re.I)


def _refusal(stmt: ast.Raise) -> bool:
    """A raise that refuses access (``PermissionDenied``, ``Forbidden``...): the condition before it is the
    function's whole decision."""
    exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
    return exc is not None and bool(_REFUSALS.search(ast.unparse(exc)))


_VALUE_NAME = re.compile(r"(^|_)(id|ids|key|name|code|count|number|num|port|uid|pid)$", re.I)


def _value_named(node: ast.AST) -> bool:
    """``a.id``, ``user_id``, ``row.name``: by its name a number or a string, not an object with an identity."""
    name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
    return bool(_VALUE_NAME.search(name))


def _identity_literal(unit: Unit) -> list[ast.Compare]:
    """``scheme is "Bearer"``, ``a.id is b.id``: ``is`` compares identity, and a string (or number) made at run time
    is an equal but different object."""
    return [n for n in unit.nodes if isinstance(n, ast.Compare) and any(isinstance(o, (ast.Is, ast.IsNot))
            for o in n.ops) and (any(isinstance(c, ast.Constant) and isinstance(c.value, (str, bytes, int, float))
                                     and not isinstance(c.value, bool) for c in [n.left, *n.comparators])
                                 or all(_value_named(c) for c in [n.left, *n.comparators]))]


def _guarded_name(test: ast.AST, op: ast.boolop | None = None) -> str | None:
    """What ``x is not None``, ``isinstance(x, T)``, ``hasattr(x, a)``, ``k in x``, ``x`` or ``not x`` tests. With
    the operator: ``x is None`` guards nothing after ``and`` (the rest then runs only when ``x`` is None)."""
    tested = _none_test(test)
    if tested is not None and op is not None and tested[1] == isinstance(op, ast.And):
        return None
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
        name = _guarded_name(parts[0], op.op)
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
    return _both_sides(op) or _none_then_used(op)


def _uses(part: ast.AST, name: str) -> bool:
    """``name`` compared by order, computed with, indexed or its attribute read in ``part`` (not merely tested)."""
    for n in ast.walk(part):
        if isinstance(n, ast.Compare) and not isinstance(n.ops[0], (ast.Is, ast.IsNot, ast.Eq, ast.NotEq)) and \
                name in (ast.unparse(n.left), *(ast.unparse(c) for c in n.comparators)):
            return True
        if isinstance(n, (ast.Attribute, ast.Subscript)) and ast.unparse(n.value) == name:
            return True
        if isinstance(n, ast.BinOp) and name in (ast.unparse(n.left), ast.unparse(n.right)):
            return True
    return False


def _none_then_used(op: ast.BoolOp) -> str | None:
    """``x is None and now >= x``: the rest runs only when ``x`` is None, where it is never true (or raises);
    ``x is not None or x.y`` likewise."""
    for i, part in enumerate(op.values[:-1]):
        tested = _none_test(part)
        if tested is None or tested[1] != isinstance(op.op, ast.And):
            continue
        name = tested[0]
        later = next((p for p in op.values[i + 1:] if _uses(p, name)), None)
        if later is not None:
            return (f"always false or an error: `{ast.unparse(later)}` is evaluated only when `{name}` is None, "
                    "where it raises TypeError or is false")
    return None


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
    shifted = _shifted_order(low, high)
    if shifted is not None:
        return shifted
    low_leaf, high_leaf = low.rsplit(".", 1)[-1], high.rsplit(".", 1)[-1]
    if _LOW.search(low_leaf) and _HIGH.search(high_leaf):
        return True
    if _HIGH.search(low_leaf) and _LOW.search(high_leaf):
        return False
    return None


def _offset(text: str) -> tuple[str, str, int] | None:
    """``now - tolerance`` -> ("now", "tolerance", -1); ``now`` -> ("now", "", 0)."""
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)) and not isinstance(
            node.right, ast.Constant):
        return ast.unparse(node.left), ast.unparse(node.right), 1 if isinstance(node.op, ast.Add) else -1
    return text, "", 0


def _shifted_order(low: str, high: str) -> bool | None:
    """``now - tol`` <= ``now + tol`` (and <= ``now``): the same value moved by the same margin (a tolerance, a
    window, taken as not negative) down and up."""
    a, b = _offset(low), _offset(high)
    if a is None or b is None or a[0] != b[0] or (a[1] and b[1] and a[1] != b[1]) or a[2] == b[2]:
        return None
    return a[2] < b[2]


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


_FALSE_WORDS = frozenset({"false", "0", "no", "off", "n", "f"})


def _text_truth(unit: Unit) -> list[Site]:
    """``bool(os.environ.get("DEBUG", "false"))``, or ``if os.getenv("X", "0"):``: any non-empty text is true, so
    "false" and "0" switch it on."""
    for node in (n for n in unit.nodes if isinstance(n, ast.Call) and call_name(n) in ENV_READS):
        parent = unit.parents.get(id(node))
        default = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "default"),
                                                               None)
        worded = isinstance(default, ast.Constant) and str(default.value).strip().lower() in _FALSE_WORDS
        tested = isinstance(parent, (ast.If, ast.While, ast.IfExp)) and parent.test is node or isinstance(
            parent, ast.UnaryOp) and isinstance(parent.op, ast.Not)
        if isinstance(parent, ast.Call) and call_name(parent) == "bool" or tested and worded:
            return [Site("wrong_boolean_logic", node.lineno, f"`{ast.unparse(node)}` is text, and any non-empty text "
                         "is true: a value of \"false\" or \"0\" counts as on",
                         "Compare the text with the words that mean on (`.lower() in (\"1\", \"true\", \"yes\")`)")]
    return []


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


def _all_must_fail(unit: Unit) -> list[Site]:
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


def _each_refuses(unit: Unit) -> list[Site]:
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


def _both_checks_fail(unit: Unit) -> list[Site]:
    """``valid = any(compare_digest(...))``, ``fresh = abs(now - ts) <= tolerance``, then ``if not valid and not
    fresh: raise``: two checks each of which must pass, refused only when both fail."""
    checks = {t.id: n.value for n in unit.nodes if isinstance(n, ast.Assign) and _verification(n.value)
              for t in n.targets if isinstance(t, ast.Name)}
    for node in (n for n in unit.nodes if isinstance(n, ast.If) and _rejects(n.body)):
        test = node.test
        if not (isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And)):
            continue
        names = [p.operand.id for p in test.values if isinstance(p, ast.UnaryOp) and isinstance(p.op, ast.Not)
                 and isinstance(p.operand, ast.Name) and p.operand.id in checks]
        if len(names) == len(test.values) >= 2:
            worked = "; ".join(f"`{n} = {ast.unparse(checks[n])[:70]}`" for n in names)
            return [Site("wrong_boolean_logic", node.lineno, f"`if {ast.unparse(test)}` refuses only when every one "
                         f"of the checks worked out here fails ({worked}): what fails one check and passes the other "
                         "is let through, though each alone should refuse it",
                         "Join the tests with `or`, if each check must pass")]
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


def _wrapped(unit: Unit) -> list[tuple[ast.If, str, str, list[ast.AST]]]:
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


def _inverted_window(unit: Unit) -> list[Site]:
    """``if self.start < self.end: return start <= t < end`` then ``return start <= t and t < end``: the second
    test runs only when the window wraps (start after end), where no value is both after the start and before the
    end; it is always false."""
    for guard, lo, hi, tests in _wrapped(unit):
        test = guard.test
        for node in tests:
            window = _between(node)
            if window and (window[0], window[2]) == (lo, hi):
                return [Site("wrong_boolean_logic", node.lineno, f"`{ast.unparse(node)}` runs only when `{lo}` is not "
                             f"before `{hi}` (`if {ast.unparse(test)}:` at line {guard.lineno} returned), and then no "
                             f"`{window[1]}` is both from `{lo}` on and before `{hi}`: it is always false",
                             f"A window that wraps around holds when `{window[1]}` is from `{lo}` on OR before `{hi}`")]
    return []


_REQUIRED = re.compile(r"(^|_)(required|needed|mandatory|must)(_|$)", re.I)


def _any_of_required(unit: Unit) -> list[Site]:
    """``any(s in granted for s in required)``: one of the required items is taken as all of them."""
    for call in (n for n in unit.nodes if isinstance(n, ast.Call) and call_name(n) == "any" and n.args
                 and isinstance(n.args[0], ast.GeneratorExp)):
        walked = ast.unparse(call.args[0].generators[0].iter)
        if _REQUIRED.search(walked.rsplit(".", 1)[-1]):
            return [Site("wrong_boolean_logic", call.lineno, f"`{ast.unparse(call)[:80]}` holds when any one of "
                         f"`{walked}` is there, while the name says every one of them is required",
                         "Use `all(...)` if each required item must be there")]
    return []


def boolean_sites(unit: Unit) -> list[Site]:
    everywhere = [b for b in unit.nodes if isinstance(b, ast.BoolOp) and _always(b)]
    out = [Site("wrong_boolean_logic", c.lineno, f"`{ast.unparse(c)}` is always false as meant (always true with "
                "`is not`): `is` tests identity, and a value made at run time is equal to the literal but not the "
                "same object", "Compare with `==` (or `!=`), not `is`") for c in _identity_literal(unit)]
    wrapped = {id(t) for _, _, _, tests in _wrapped(unit) for t in tests}
    for op in everywhere + _decides(unit):
        text = ast.unparse(op)
        always = _always(op) if id(op) not in wrapped else None  # (its names' order is the other way round there)
        facts = (f"`{text}` is {always}" if always else
                 f"the condition `{text}` combines {len(op.values)} parts with `{'and' if isinstance(op.op, ast.And) else 'or'}`")
        out.append(Site("wrong_boolean_logic", op.lineno, facts, f"Correct the condition `{text}`"))
    return sorted(_inverted_window(unit) + _any_of_required(unit) + _each_refuses(unit) + _both_checks_fail(unit) + out
                  + _text_truth(unit)
                  + _all_must_fail(unit),
                  key=lambda s: "always" not in s.facts and "required" not in s.facts
                  and "each alone" not in s.facts)[:1]
