"""Sites of divisions by zero: a divisor not tested before the division, a mean of what can be empty.

(Bounds that can be off by one are in :mod:`reviewer.judge.site_bounds`.)
"""

from __future__ import annotations

import ast
import re

from reviewer.judge.features import call_name, is_division
from reviewer.judge.site import Site
from reviewer.judge.units import Unit

__all__ = ["division_sites", "tested"]

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
    if isinstance(divisor, ast.BinOp) and isinstance(divisor.op, ast.Pow):
        return _never_zero(divisor.left)  # ``10 ** digits``
    if isinstance(divisor, ast.Call) and call_name(divisor).rsplit(".", 1)[-1] in ("Decimal", "Fraction", "float",
                                                                                "int") and len(divisor.args) == 1:
        arg = divisor.args[0]  # ``Decimal(100)``, ``Decimal("100")``
        return isinstance(arg, ast.Constant) and str(arg.value).strip() not in ("0", "0.0", "") and bool(
            re.fullmatch(r"-?\d+(\.\d*)?", str(arg.value).strip()))
    if isinstance(divisor, ast.Call) and call_name(divisor).rsplit(".", 1)[-1] == "timedelta" and divisor.keywords \
            and not divisor.args:  # ``timedelta(milliseconds=1)``
        return all(_never_zero(k.value) for k in divisor.keywords)
    return False


def _factors_safe(unit: Unit, divisor: ast.AST, line: int) -> bool:
    """``EARTH_RADIUS_M * cos_lat`` after ``if cos_lat < 1e-9: return ...``: a product is zero only when a factor
    is, and each factor is a non-zero number or tested before the division."""
    if not (isinstance(divisor, ast.BinOp) and isinstance(divisor.op, ast.Mult)):
        return False
    return all(_never_zero(f) or _module_constant(unit, f) or tested(unit, f, line) or _factors_safe(unit, f, line)
               for f in (divisor.left, divisor.right))


def _module_constant(unit: Unit, divisor: ast.AST) -> bool:
    """``EARTH_RADIUS_M``: a module-level name in capitals set once, to a number that is not zero; or an entry of
    such a table (``VOLUME_TO_L[unit]``, every value a number that is not zero)."""
    if isinstance(divisor, ast.Subscript) and isinstance(divisor.value, ast.Name) and divisor.value.id.isupper():
        table = [n.value for n in unit.source.tree.body if isinstance(n, (ast.Assign, ast.AnnAssign)) and any(
            isinstance(t, ast.Name) and t.id == divisor.value.id
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target]))]
        return len(table) == 1 and isinstance(table[0], ast.Dict) and bool(table[0].values) and all(
            _never_zero(v) for v in table[0].values)
    if not (isinstance(divisor, ast.Name) and divisor.id.isupper()):
        return False
    values = [n.value for n in unit.source.tree.body if isinstance(n, (ast.Assign, ast.AnnAssign)) and any(
        isinstance(t, ast.Name) and t.id == divisor.id
        for t in (n.targets if isinstance(n, ast.Assign) else [n.target]))]
    return len(values) == 1 and values[0] is not None and _never_zero(values[0])


def _checked_on_creation(unit: Unit, divisor: ast.AST) -> bool:
    """``self.period`` where the class's ``__init__`` (or ``__post_init__``) refuses a zero for it or for the
    parameter it is set from (``if period <= 0: raise ValueError``): it cannot be zero by the time a method runs."""
    cls = unit.class_node
    if cls is None or not (isinstance(divisor, ast.Attribute) and ast.unparse(divisor.value) == "self"):
        return False
    attr = ast.unparse(divisor)
    for init in (m for m in cls.body if isinstance(m, ast.FunctionDef) and m.name in ("__init__", "__post_init__")):
        names = {attr} | {n.id for a in ast.walk(init) if isinstance(a, ast.Assign) and any(
            ast.unparse(t) == attr for t in a.targets) for n in ast.walk(a.value) if isinstance(n, ast.Name)}
        if any(isinstance(n, ast.If) and any(isinstance(b, ast.Raise) for b in n.body) and any(
                ast.unparse(x) in names for x in ast.walk(n.test)) for n in ast.walk(init)):
            return True
    return False


def tested(unit: Unit, divisor: ast.AST, line: int) -> bool:
    """A test (if, while, assert, conditional expression, and/or, comprehension filter) at or before ``line``
    mentions the divisor (or what its ``len()`` counts): the zero case was thought of."""
    inner = divisor
    while isinstance(inner, ast.Call) and call_name(inner) in ("len", "float", "int", "abs", "Decimal") and inner.args:
        inner = inner.args[0]  # ``float(len(self.avg))`` is zero when ``self.avg`` is empty
    wanted = {ast.unparse(inner)} | _unfiltered_sources(unit, inner)
    tests: list[ast.AST] = [n.test for n in unit.nodes if isinstance(n, (ast.If, ast.While, ast.Assert, ast.IfExp))]
    tests += [n for n in unit.nodes if isinstance(n, ast.BoolOp) and not _fallback(unit, n)]
    tests += [c for n in unit.nodes if isinstance(n, ast.comprehension) for c in n.ifs]
    spans = [n.test for n in unit.nodes if isinstance(n, ast.IfExp) and n.lineno <= line <= (n.end_lineno or line)]
    return any((t.lineno <= line or any(t is x for x in spans)) and not any(n is divisor for n in ast.walk(t)) and any(
        ast.unparse(n) in wanted for n in ast.walk(_zero_part(t))) for t in tests)  # (not the division's own test)


def _loop_bounded(unit: Unit, node: ast.AST, divisor: ast.AST) -> bool:
    """The division runs inside ``for x in range(d)`` (so ``d`` >= 1 there, and ``d + 1`` too) or inside
    ``for x in xs`` with ``len(xs)`` as the divisor: the loop does not run when the divisor would be zero."""
    text = ast.unparse(divisor)
    base = ast.unparse(divisor.left) if isinstance(divisor, ast.BinOp) and isinstance(divisor.op, ast.Add) and \
        isinstance(divisor.right, ast.Constant) and isinstance(divisor.right.value, int) and divisor.right.value >= 0 \
        else text
    parent = unit.parents.get(id(node))
    while parent is not None:
        if isinstance(parent, ast.For) and any(x is node for b in parent.body for x in ast.walk(b)):
            it = parent.iter
            if isinstance(it, ast.Call) and call_name(it) == "range" and it.args and \
                    ast.unparse(it.args[0] if len(it.args) == 1 else it.args[1]) == base and \
                    (len(it.args) == 1 or ast.unparse(it.args[0]) in ("0", "1")):
                return True
            if isinstance(divisor, ast.Call) and call_name(divisor) == "len" and divisor.args and \
                    ast.unparse(divisor.args[0]) == ast.unparse(it):
                return True
        parent = unit.parents.get(id(parent))
    return False


def _unfiltered_sources(unit: Unit, name: ast.AST) -> set[str]:
    """``unique = {e.digest for e in self.entries.values()}``: a comprehension with no filter is empty only when
    what it walks is, so a test of ``self.entries`` tests ``unique`` too."""
    if not isinstance(name, ast.Name):
        return set()
    out = set()
    for node in (n for n in unit.nodes if isinstance(n, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name.id for t in n.targets)):
        comp = node.value
        if isinstance(comp, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)) and \
                len(comp.generators) == 1 and not comp.generators[0].ifs:
            source = comp.generators[0].iter
            while isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute) and source.func.attr in (
                    "values", "keys", "items"):
                source = source.func.value
            while isinstance(source, ast.Call) and call_name(source) in ("sorted", "list", "set", "tuple", "reversed"
                                                                          ) and source.args:
                source = source.args[0]
            out.add(ast.unparse(source))
    return out


def _fallback(unit: Unit, node: ast.BoolOp) -> bool:
    """``limit = per_page or total``: a zero replaced in another name; ``per_page`` itself can still be zero."""
    parent = unit.parents.get(id(node))
    return isinstance(node.op, ast.Or) and isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is node


def _zero_part(test: ast.AST) -> ast.AST:
    """The test without its parts that cannot rule out zero or empty: ``x is not None``, ``isinstance(x, T)``."""
    parts = test.values if isinstance(test, ast.BoolOp) else [test]
    kept = [p for p in parts if not _none_or_type_test(p)]
    return ast.BoolOp(op=ast.And(), values=kept) if len(kept) > 1 else kept[0] if kept else ast.Constant(value=None)


def _is_zero(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and not isinstance(node.value, bool) and node.value == 0


def _none_or_type_test(part: ast.AST) -> bool:
    """A part that cannot rule out zero: ``x is not None``, ``isinstance(x, T)``, ``x < 0``."""
    if isinstance(part, ast.UnaryOp) and isinstance(part.op, ast.Not):
        part = part.operand
    if isinstance(part, ast.Compare) and all(isinstance(o, (ast.Is, ast.IsNot)) for o in part.ops):
        return True
    if isinstance(part, ast.Compare) and len(part.ops) == 1 and (  # ``x < 0``: zero passes
            isinstance(part.ops[0], ast.Lt) and _is_zero(part.comparators[0]) or
            isinstance(part.ops[0], ast.Gt) and _is_zero(part.left)):
        return True
    return isinstance(part, ast.Call) and call_name(part) in ("isinstance", "hasattr", "callable")


def _caught(unit: Unit, line: int, errors: frozenset[str] | None = _ZERO_ERRORS) -> bool:
    """``line`` runs inside a try whose handler catches one of ``errors`` (ZeroDivisionError or a base of it by
    default; None: any handler at all)."""
    for t in (n for n in unit.nodes if isinstance(n, ast.Try) and n.handlers):
        body_end = max(int(getattr(s, "end_lineno", s.lineno) or s.lineno) for s in t.body)
        if t.body[0].lineno <= line <= body_end and (errors is None or any(
                h.type is None or set(ast.unparse(h.type).replace("(", "").replace(")", "").replace(" ", "").split(","))
                & errors for h in t.handlers)):
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
        if isinstance(data, (ast.List, ast.Tuple)) and data.elts or tested(unit, data, node.lineno) or \
                _caught(unit, node.lineno, None):
            continue
        text = ast.unparse(data)
        out.append(Site("division_by_zero", node.lineno, f"`{name}({text})` divides by the number of values and "
                        f"raises StatisticsError when `{text}` is empty; nothing before line {node.lineno} tests it",
                        f"Handle an empty `{text}` before calling `{name}`"))
    return out


def _assigned_values(unit: Unit, name: str) -> list[ast.AST] | None:
    """What ``name`` is set to anywhere in the unit, element by element for tuple assignments (``w, total = a, b``);
    None when one of them cannot be told (``spans, total = split(text)``) or the name is bound another way."""
    out: list[ast.AST] = []
    other_bindings = [n for n in unit.nodes if isinstance(n, (ast.AugAssign, ast.AnnAssign, ast.For, ast.comprehension,
                                                                  ast.NamedExpr, ast.withitem))]
    if any(isinstance(t, ast.Name) and t.id == name for n in other_bindings for t in ast.walk(
            getattr(n, "target", None) or getattr(n, "optional_vars", None) or ast.Pass())) or any(
            isinstance(a, ast.arg) and a.arg == name for a in ast.walk(unit.node)):
        return None  # ``count -= 1`` can bring it to zero; a parameter or loop variable of the same name is another
    for node in (n for n in unit.nodes if isinstance(n, ast.Assign)):  # (in a loop, a later one runs first too)
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id == name:
                out.append(node.value)
            elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple) and \
                    len(target.elts) == len(node.value.elts):
                out += [v for t, v in zip(target.elts, node.value.elts) if isinstance(t, ast.Name) and t.id == name]
            elif isinstance(target, ast.Tuple) and any(isinstance(t, ast.Name) and t.id == name for t in target.elts):
                return None
    return out


def _safe_name(unit: Unit, divisor: ast.AST, line: int) -> bool:
    """A name every assignment of which makes it non-zero (``per_page = max(1, ...)``) or is a value tested for
    zero first (``total = subtotal`` after ``if subtotal == 0``)."""
    if not isinstance(divisor, ast.Name):
        return False
    values = _assigned_values(unit, divisor.id)
    return bool(values) and values is not None and all(_never_zero(v) or tested(unit, v, line) for v in values)


def division_sites(unit: Unit) -> list[Site]:
    out = _statistics_on_empty(unit)
    for node in (n for n in unit.nodes if is_division(n)):
        divisor = _divisor(node)
        if _never_zero(divisor) or tested(unit, divisor, node.lineno) or _caught(unit, node.lineno) or \
                _loop_bounded(unit, node, divisor) or _safe_name(unit, divisor, node.lineno) or \
                _checked_on_creation(unit, divisor) or _module_constant(unit, divisor) or \
                _factors_safe(unit, divisor, node.lineno):
            continue
        text = ast.unparse(divisor)
        out.append(Site("division_by_zero", node.lineno, f"`{text}` is the divisor, and nothing before line "
                        f"{node.lineno} tests it for zero", f"Handle `{text}` == 0 before dividing (return a defined "
                        "value or raise a clear error)"))
    return out
