"""Sites where a whole record leaves the server: every column or attribute of a user or account object put into a
response or a dump, so that a password hash or token it holds goes with it."""

from __future__ import annotations

import ast
import re

from reviewer.judge.features import call_name
from reviewer.judge.site import Site
from reviewer.judge.units import Unit

__all__ = ["exposed_sites"]

_SENDS = re.compile(r"(^|\.)(jsonify|JSONResponse|Response|make_response|dumps|dump|send|write|emit|json_response)$")
_WHOLE = frozenset({"vars", "asdict", "model_to_dict", "dict"})
_ACCOUNTS = re.compile(r"user|account|member|customer|profile|owner|admin|login|principal|person|employee|patient",
                       re.I)


def _whole_record(node: ast.AST) -> str | None:
    """The object a value holds every field of: ``vars(user)``, ``user.__dict__``, ``asdict(user)``, or
    ``{c.name: getattr(user, c.name) for c in User.__table__.columns}``."""
    if isinstance(node, ast.Call) and call_name(node).rsplit(".", 1)[-1] in _WHOLE and len(node.args) == 1 \
            and not node.keywords and isinstance(node.args[0], (ast.Name, ast.Attribute)):
        return ast.unparse(node.args[0])
    if isinstance(node, ast.Attribute) and node.attr == "__dict__":
        return ast.unparse(node.value)
    if isinstance(node, ast.DictComp) and any("columns" in ast.unparse(g.iter) or "__table__" in ast.unparse(g.iter)
                                              for g in node.generators):
        got = [c.args[0] for c in ast.walk(node.value) if isinstance(c, ast.Call) and call_name(c) == "getattr"
               and c.args]
        return ast.unparse(got[0]) if got else None
    return None


def exposed_sites(unit: Unit) -> list[Site]:
    """A user or account record sent or returned whole (``jsonify(vars(user))``): with it goes every field it
    holds, a password hash or a token among them."""
    sent = [a for n in unit.nodes if isinstance(n, ast.Call) and _SENDS.search(call_name(n)) for a in n.args]
    sent += [n.value for n in unit.nodes if isinstance(n, ast.Return) and n.value is not None]
    for value in sent:
        for node in ast.walk(value):
            record = _whole_record(node)
            if record is not None and _ACCOUNTS.search(record.rsplit(".", 1)[-1]):
                return [Site("sensitive_data_logged", node.lineno, f"`{ast.unparse(node)[:80]}` puts every field of "
                             f"`{record}` into what line {value.lineno} sends or returns",
                             f"Send only the fields of `{record}` that may leave the server",
                             f"Every field of `{record}` goes out here. Can it hold something that must not leave "
                             "the server (a password hash, a token, a secret)?")]
    return []
