"""Sites of races between asyncio tasks: a loop over the object's own dict or list that awaits inside, while
another method of the class changes that container. Another task runs at each ``await``; if it adds or removes an
entry, the loop raises ``RuntimeError: dictionary changed size during iteration`` (or skips an item).
"""

from __future__ import annotations

import ast

from reviewer.judge.site import Site
from reviewer.judge.site_stale import changed_attrs, self_attr
from reviewer.judge.units import Unit

__all__ = ["task_sites"]

_VIEWS = frozenset({"items", "keys", "values"})


def _iterated_attr(loop: ast.For | ast.AsyncFor) -> str | None:
    """``x`` for ``for ... in self.x``, ``self.x.items()``, ``.keys()``, ``.values()`` (not a copy: ``list(...)``)."""
    it = loop.iter
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute) and it.func.attr in _VIEWS and not it.args:
        it = it.func.value
    return self_attr(it) if isinstance(it, ast.Attribute) else None


def task_sites(unit: Unit) -> list[Site]:
    """The first loop over the object's container that awaits inside, where another method changes it."""
    if not isinstance(unit.node, ast.AsyncFunctionDef) or unit.class_node is None:
        return []
    for loop in (n for n in unit.nodes if isinstance(n, (ast.For, ast.AsyncFor))):
        attr = _iterated_attr(loop)
        waits = [a for s in loop.body for a in ast.walk(s) if isinstance(a, (ast.Await, ast.AsyncFor, ast.AsyncWith))]
        if attr is None or not waits:
            continue
        changers = [m.name for m in unit.class_node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
                    and m is not unit.node and m.name != "__init__" and attr in changed_attrs(m)]
        if changers:
            names = ", ".join(f"`{n}`" for n in changers[:3])
            return [Site("race_on_shared_state", loop.lineno, f"the loop iterates `self.{attr}` itself and awaits "
                         f"inside it (line {waits[0].lineno}); at each await another task can run {names}, which "
                         f"change `self.{attr}`, and the iteration then raises RuntimeError or skips an entry",
                         f"Iterate over a copy (`list(self.{attr}.items())`), taken before the first await")]
    return []
