"""Sites of wrong boolean logic: conditions that are the function's result, and conditions that are always true
or always false (``x == a or "b"``, ``x < low and x > high``).
"""

from __future__ import annotations

import ast
import re

from reviewer.judge.features import call_name
from reviewer.judge.site import Site
from reviewer.judge.site_types import ENV_READS
from reviewer.judge.site_refusals import (all_must_fail, any_of_required, both_checks_fail, each_refuses,
                                          either_unchanged, inverted_window, wrapped)
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


_MARGIN = re.compile(r"tol|tolerance|leeway|skew|margin|window|limit|max|threshold|delta|epsilon|eps", re.I)
"""Names of amounts that are not negative: ``-tolerance`` is at most ``tolerance``."""


def _order(low: str, high: str) -> bool | None:
    """True when ``low`` is known (from literals or names) to be at most ``high``, False when at least, else None."""
    try:
        return ast.literal_eval(low) <= ast.literal_eval(high)
    except (ValueError, SyntaxError, TypeError):
        pass
    shifted = _shifted_order(low, high)
    if shifted is not None:
        return shifted
    if low == f"-{high}" and _MARGIN.search(high.rsplit(".", 1)[-1]):  # ``-self._tolerance`` <= ``self._tolerance``
        return True
    if high == f"-{low}" and _MARGIN.search(low.rsplit(".", 1)[-1]):
        return False
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


def boolean_sites(unit: Unit) -> list[Site]:
    everywhere = [b for b in unit.nodes if isinstance(b, ast.BoolOp) and _always(b)]
    out = [Site("wrong_boolean_logic", c.lineno, f"`{ast.unparse(c)}` is always false as meant (always true with "
                "`is not`): `is` tests identity, and a value made at run time is equal to the literal but not the "
                "same object", "Compare with `==` (or `!=`), not `is`") for c in _identity_literal(unit)]
    in_wrap = {id(t) for _, _, _, tests in wrapped(unit) for t in tests}
    for op in everywhere + _decides(unit):
        text = ast.unparse(op)
        always = _always(op) if id(op) not in in_wrap else None  # (its names' order is the other way round there)
        facts = (f"`{text}` is {always}" if always else
                 f"the condition `{text}` combines {len(op.values)} parts with `{'and' if isinstance(op.op, ast.And) else 'or'}`")
        out.append(Site("wrong_boolean_logic", op.lineno, facts, f"Correct the condition `{text}`"))
    return sorted(inverted_window(unit) + any_of_required(unit) + each_refuses(unit) + both_checks_fail(unit)
                  + either_unchanged(unit) + out
                  + _text_truth(unit) + all_must_fail(unit),
                  key=lambda s: "always" not in s.facts and "required" not in s.facts
                  and "each alone" not in s.facts)[:1]
