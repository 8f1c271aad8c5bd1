"""Sites of a speed or length converted with a well-known factor into another unit than the name it goes into
says (``speed_mps=knots * 1.852``, which gives km/h)."""

from __future__ import annotations

import ast
import re

from reviewer.judge.site import Site
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


def measure_sites(unit: Unit) -> list[Site]:
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
