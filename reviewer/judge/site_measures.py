"""Sites of a measure read or converted in another unit or encoding than the rest of the code says: a speed or
length converted with a well-known factor into another unit than the name it goes into (``speed_mps=knots *
1.852``, which gives km/h), a ``struct`` format in the other byte order than the module's other formats."""

from __future__ import annotations

import ast
import re

from reviewer.judge.features import call_name
from reviewer.judge.site import Site, parameters
from reviewer.judge.units import Unit

__all__ = ["measure_sites"]

_MEASURES = [("m/s", re.compile(r"(^|_)(mps|m_s|meters_per_second|metres_per_second)$", re.I)),
             ("km/h", re.compile(r"(^|_)(kmh|kph|km_h|kmph)$", re.I)),
             ("knots", re.compile(r"(^|_)(knots|kts)$", re.I)), ("mph", re.compile(r"(^|_)mph$", re.I)),
             ("metres", re.compile(r"(^|_)(m|meters|metres)$", re.I)),
             ("kilometres", re.compile(r"(^|_)(km|kilometers|kilometres)$", re.I)),
             ("miles", re.compile(r"(^|_)(mi|miles)$", re.I)), ("feet", re.compile(r"(^|_)(ft|feet)$", re.I))]
"""Units of speed and length a name can end in (``speed_mps``, ``distance_km``)."""
_FACTORS = {1.852: ("knots", "km/h"), 0.514444: ("knots", "m/s"), 0.5144: ("knots", "m/s"), 3.6: ("m/s", "km/h"),
            1.609344: ("miles", "kilometres"), 0.44704: ("mph", "m/s"), 0.3048: ("feet", "metres"),
            1.943844: ("m/s", "knots"), 0.621371: ("kilometres", "miles"), 3.28084: ("metres", "feet")}
"""Well-known conversion factors: ``x * factor`` turns the first unit into the second (``x / factor`` back)."""


def _measure(name: str) -> str | None:
    return next((unit for unit, pattern in _MEASURES if pattern.search(name)), None)


def _converted_into(value: ast.AST) -> tuple[str, str] | None:
    """``knots * 1.852``: (the factor as text, the unit it gives: "km/h"); ``kmh / 3.6``: "m/s"."""
    if not (isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Mult, ast.Div))):
        return None
    factor = value.right if isinstance(value.right, ast.Constant) else value.left if isinstance(
        value.op, ast.Mult) and isinstance(value.left, ast.Constant) else None
    pair = _FACTORS.get(factor.value) if factor is not None and isinstance(factor.value, float) else None
    if pair is None:
        return None
    return ast.unparse(factor), pair[1] if isinstance(value.op, ast.Mult) else pair[0]


def _factor_into_other_unit(unit: Unit) -> list[Site]:
    """``speed_mps=knots * 1.852``: a known factor gives km/h, and the name it goes into says m/s."""
    targets = [(k.arg, k.value) for n in unit.nodes if isinstance(n, ast.Call) for k in n.keywords if k.arg]
    targets += [(ast.unparse(t).rsplit(".", 1)[-1], n.value) for n in unit.nodes if isinstance(n, ast.Assign)
                for t in n.targets if isinstance(t, (ast.Name, ast.Attribute))]
    for name, value in targets:
        wanted, got = _measure(name), _converted_into(value)
        if wanted and got and got[1] != wanted:
            return [Site("type_confusion", value.lineno, f"`{ast.unparse(value)}` converts to {got[1]} (the factor "
                         f"{got[0]}), and the result goes into `{name}`, which is in {wanted}",
                         f"Use the factor that gives {wanted}")]
    return []


_ORDERS = {"<": "little-endian", ">": "big-endian", "!": "big-endian (network order)"}
_STRUCT_CALLS = frozenset({"pack", "unpack", "unpack_from", "pack_into", "iter_unpack", "Struct", "calcsize"})


def _format_of(call: ast.Call) -> str | None:
    """The format text a ``struct`` call is given (``"<I"``, or the literal start of ``"<" + "f" * n``)."""
    if not (call_name(call).rsplit(".", 1)[-1] in _STRUCT_CALLS and "struct" in call_name(call) and call.args):
        return None
    first = call.args[0]
    while isinstance(first, ast.BinOp) and isinstance(first.op, ast.Add):
        first = first.left
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value else None


def _odd_byte_order(unit: Unit) -> list[Site]:
    """``struct.unpack_from(">I", ...)`` in a module whose other struct formats are all ``<``: one field read in the
    other byte order gives a wrong number (a CRC that never matches, a length off by a factor of 2**24)."""
    mine = [(c, f) for c in unit.nodes if isinstance(c, ast.Call) and (f := _format_of(c)) and f[0] in _ORDERS]
    if not mine:
        return []
    others = [f[0] for c in ast.walk(unit.source.tree) if isinstance(c, ast.Call) and (f := _format_of(c))
              and f[0] in _ORDERS and not any(c is m for m, _ in mine)]
    if len(others) < 2 or len(set(others)) != 1:
        return []
    usual = others[0]
    for call, fmt in mine:
        if _ORDERS[fmt[0]] != _ORDERS[usual]:
            return [Site("type_confusion", call.lineno, f"`{fmt}` reads {_ORDERS[fmt[0]]}, while every other struct "
                         f"format in this module ({len(others)} of them) is {_ORDERS[usual]}: the value comes out "
                         "with its bytes reversed", f"Use `{usual}{fmt[1:]}` if the format is {_ORDERS[usual]}")]
    return []


_AMOUNT_KEY = re.compile(r"^(amount|unit_amount|amount_cents|amount_minor|total_cents|price_cents)$", re.I)
_MONEY = re.compile(r"(^|_)(amount|total|price|cost|subtotal|balance|fee)$", re.I)


def _cents_dropped(unit: Unit) -> list[Site]:
    """``{"amount": int(order.total)}``: a price in currency units (a Decimal or float: 12.50) truncated to whole
    units where an API field named ``amount`` takes the smallest unit (cents), as payment APIs do."""
    entries = [(k.value, v) for d in unit.nodes if isinstance(d, ast.Dict) for k, v in zip(d.keys, d.values)
               if isinstance(k, ast.Constant) and isinstance(k.value, str)]
    entries += [(k.arg, k.value) for c in unit.nodes if isinstance(c, ast.Call) for k in c.keywords if k.arg]
    for key, value in entries:
        if not (_AMOUNT_KEY.match(key) and isinstance(value, ast.Call) and call_name(value) in ("int", "round")
                and len(value.args) == 1):
            continue
        inner = value.args[0]
        if _MONEY.search(ast.unparse(inner).rsplit(".", 1)[-1]) and not any(
                isinstance(n, ast.Constant) and n.value in (100, 1000) for n in ast.walk(inner)):
            return [Site("type_confusion", value.lineno, f"`{ast.unparse(value)}` truncates `{ast.unparse(inner)}`, a "
                         f"price in currency units, to whole units for `{key}`, which payment APIs take in the "
                         "smallest unit (cents): 12.50 is sent as 12", f"Send `int({ast.unparse(inner)} * 100)` (or "
                         "the API's minor units), rounded as the API requires")]
    return []


def _declared_float(unit: Unit, node: ast.AST) -> bool:
    """``percent`` declared ``float`` as a parameter of the unit, or ``self.percent`` as a field of its class."""
    if isinstance(node, ast.Name):
        return any(a.arg == node.id and a.annotation is not None and ast.unparse(a.annotation) == "float"
                   for a in parameters(unit))
    if isinstance(node, ast.Attribute) and ast.unparse(node.value) == "self" and unit.class_node is not None:
        return any(isinstance(f, ast.AnnAssign) and isinstance(f.target, ast.Name) and f.target.id == node.attr
                   and ast.unparse(f.annotation) == "float" for f in unit.class_node.body)
    return False


def _decimal_of_float(unit: Unit) -> list[Site]:
    """``Decimal(self.percent)`` with ``percent: float``: the Decimal takes the float's binary value exactly
    (``Decimal(7.3)`` is 7.29999999999999982236431605997495353221893310546875), so money rounds wrong."""
    for call in (n for n in unit.nodes if isinstance(n, ast.Call) and call_name(n).rsplit(".", 1)[-1] == "Decimal"
                 and len(n.args) == 1):
        if _declared_float(unit, call.args[0]):
            arg = ast.unparse(call.args[0])
            return [Site("type_confusion", call.lineno, f"`{ast.unparse(call)}` is made from `{arg}`, declared a "
                         f"float: a Decimal takes a float's binary value exactly (`Decimal(7.3)` is "
                         "7.2999999999999998...), so amounts computed with it round wrong",
                         f"Use `Decimal(str({arg}))` (or keep `{arg}` a Decimal)")]
    return []


def measure_sites(unit: Unit) -> list[Site]:
    return _factor_into_other_unit(unit) + _odd_byte_order(unit) + _cents_dropped(unit) + _decimal_of_float(unit)
