"""Where in a unit each kind of defect is possible at all: the sites the model is asked about.

The model does not hunt for defects in a whole unit (a small model flags most correct code that way); the AST
proposes sites, and the model answers one precise question per site: is this division by ``len(orders)`` really
reachable with an empty list, is this handler really hiding the failure from the caller. Each finder is a
necessary condition for its kind (a division claim needs a division whose divisor is neither a non-zero constant
nor tested before it; a leak needs an acquire outside ``with``/``finally``; ...), and states what it saw as
``facts`` for the question, with a concrete ``fix`` drawn from the same facts.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from reviewer.judge.features import call_name, lock_withs, shared_state_writes
from reviewer.judge.site import Site
from reviewer.judge.site_flow import (
    acquire_sites, error_value_sites, handler_sites, status_sites,
)
from reviewer.judge.site_data import cache_sites, logged_sites, timeout_sites
from reviewer.judge.site_values import boolean_sites, bound_sites, division_sites, unit_mix_sites
from reviewer.judge.units import Unit

__all__ = ["MAX_SITES", "Site", "find_sites"]

MAX_SITES = 3
"""Questions per unit at most; the rest of a unit's sites are not asked (most severe kinds first)."""


_CONCURRENCY = ("threading", "concurrent", "asyncio", "multiprocessing", "queue", "_thread", "gevent", "eventlet")


def _uses_threads(unit: Unit) -> bool:
    for node in ast.walk(unit.source.tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] in _CONCURRENCY for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in _CONCURRENCY:
            return True
    return False


def _thread_local_names(unit: Unit) -> set[str]:
    """Module names bound to ``threading.local()`` or a ``ContextVar``: each thread or task has its own."""
    out = set()
    for node in unit.source.tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and call_name(node.value).rsplit(
                ".", 1)[-1] in ("local", "ContextVar"):
            out |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return out


def race_sites(unit: Unit) -> list[Site]:
    """The first write of shared state made without a lock, in a file that uses threads or tasks."""
    if unit.kind == "module" or not _uses_threads(unit):
        return []
    module_names = {t.id for n in unit.source.tree.body if isinstance(n, (ast.Assign, ast.AnnAssign))
                    for t in (n.targets if isinstance(n, ast.Assign) else [n.target]) if isinstance(t, ast.Name)}
    module_names -= _thread_local_names(unit)
    module_names |= {n.name for n in unit.source.tree.body if isinstance(n, ast.ClassDef)} | {"cls"}  # class state
    writes = shared_state_writes(unit.node, module_names, unit.qualname.endswith(".__init__"))
    locked = lock_withs(unit.node)
    open_writes = [w for w in writes if not any(a <= w <= b for a, b in locked)]
    if not open_writes:
        return []
    line = open_writes[0]
    code = unit.source.line(line).strip()
    return [Site("race_on_shared_state", line, f"`{code}` writes shared state and no lock is held there; the module "
                 "uses threads or tasks", "Hold the lock that guards this state (`with self._lock:`) around the "
                 "read and the write")]


_Finder = Callable[[Unit], list[Site]]
_FINDERS: list[tuple[str, _Finder]] = [
    ("race_on_shared_state", race_sites),
    ("handlers", handler_sites),          # error_swallowed / success_on_failure
    ("status", status_sites),             # success_on_failure: a result never checked
    ("sensitive_data_logged", logged_sites),
    ("division_by_zero", division_sites),
    ("resource_not_released", acquire_sites),
    ("type_confusion", unit_mix_sites),
    ("error_as_value", error_value_sites),
    ("stale_cache_key", cache_sites),
    ("missing_timeout", timeout_sites),
    ("off_by_one", bound_sites),
    ("wrong_boolean_logic", boolean_sites),
]


def find_sites(unit: Unit, limit: int = MAX_SITES) -> list[Site]:
    """The unit's sites, most severe kinds first, one per (kind, line), at most ``limit``."""
    out: list[Site] = []
    seen: set[tuple[str, int]] = set()
    lines = set(unit.lines)
    for _, finder in _FINDERS:
        for site in finder(unit):
            if site.line in lines and (site.kind, site.line) not in seen and not any(
                    s.line == site.line for s in out):
                seen.add((site.kind, site.line))
                out.append(site)
    return out[:limit]

