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
import re
from collections.abc import Callable

from reviewer.judge.features import FRESH_OBJECT, call_name, imported_modules, lock_withs, module_names, \
    shared_state_writes, uses_threads
from reviewer.judge.site import Site, unqualified
from reviewer.judge.site_cache import cache_sites
from reviewer.judge.site_clocks import clock_sites
from reviewer.judge.site_data import timeout_sites
from reviewer.judge.site_decode import decode_sites
from reviewer.judge.site_errors import error_value_sites
from reviewer.judge.site_exits import exit_sites
from reviewer.judge.site_exposed import exposed_sites
from reviewer.judge.site_flow import handler_sites, status_sites
from reviewer.judge.site_logic import boolean_sites
from reviewer.judge.site_measures import measure_sites
from reviewer.judge.site_resources import acquire_sites
from reviewer.judge.site_retries import retry_sites
from reviewer.judge.site_secrets import logged_sites
from reviewer.judge.site_spans import span_sites
from reviewer.judge.site_stores import store_sites
from reviewer.judge.site_tasks import task_sites
from reviewer.judge.site_types import unit_mix_sites
from reviewer.judge.site_bounds import bound_sites
from reviewer.judge.site_values import division_sites
from reviewer.judge.units import Unit

__all__ = ["MAX_SITES", "Site", "find_sites"]

MAX_SITES = 3
"""Questions per unit at most; the rest of a unit's sites are not asked (most severe kinds first)."""


_LOCKS = frozenset({"Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition"})
_SPAWNS = frozenset({"Thread", "Timer", "ThreadPoolExecutor", "ProcessPoolExecutor", "start_new_thread", "submit",
                     "map_async", "apply_async", "create_task", "gather", "run_in_executor", "to_thread"})


def _calls(node: ast.AST) -> set[str]:
    return {call_name(c).rsplit(".", 1)[-1] for c in ast.walk(node) if isinstance(c, ast.Call)}


_SAYS_SHARED = re.compile(r"\bthread[- ]?safe\b|\b(by|from|across|between|in)\s+(the\s+|several\s+|many\s+|"
                          r"multiple\s+|all\s+)?([\w'-]+\s+)?(worker\s+)?threads\b|\bconcurrently\b", re.I)


def _shared_evidence(unit: Unit) -> bool:
    """Something says the state is shared between threads: its class (or, for module state, its module) makes a
    lock, or the module starts threads or tasks. Importing threading for one thread-local is not enough."""
    module_calls = _calls(unit.source.tree)
    if module_calls & _SPAWNS:
        return True
    scope = unit.class_node if unit.class_node is not None else unit.source.tree
    return bool(_calls(scope) & _LOCKS)


_DENIED = re.compile(r"\b(not|never|no)\b[^.;]*$", re.I)
"""A sentence that is open with a negation where the sign starts: "it is not shared between threads"."""


def _says_shared(unit: Unit) -> bool:
    """The class (or, for module state, the module) says in its docstring that threads share it (and not that
    they do not)."""
    scope = unit.class_node if unit.class_node is not None else unit.source.tree
    return unqualified(_SAYS_SHARED, ast.get_docstring(scope) or "", _DENIED)


def _thread_local(unit: Unit) -> set[str]:
    """Names and attributes bound to ``threading.local()`` or a ``ContextVar``: each thread or task has its own."""
    out = set()
    for node in ast.walk(unit.source.tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and call_name(node.value).rsplit(
                ".", 1)[-1] in ("local", "ContextVar"):
            out |= {t.id if isinstance(t, ast.Name) else t.attr for t in node.targets
                    if isinstance(t, (ast.Name, ast.Attribute))}
    return out


def _container(target: ast.AST) -> str:
    """What a write changes: ``self._counts`` for ``self._counts[sku] = ...``, ``self.total`` for itself."""
    return ast.unparse(target.value if isinstance(target, ast.Subscript) else target)


def _read_modify_write(unit: Unit, line: int) -> bool:
    """The write at ``line`` depends on a read of the same state, so that two threads can interleave between
    them: ``x += 1``, ``self._totals[k] = self._totals.get(k, 0) + v`` (also through a local read before it), or
    a write where another statement reads that state (``if self._conn is None: self._conn = connect()``, a loop
    over a list another thread appends to). A plain store of a new value (``self.quiet = True``) loses nothing."""
    for node in (n for n in unit.nodes if getattr(n, "lineno", None) == line and isinstance(
            n, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Call))):
        if isinstance(node, ast.AugAssign):
            return True
        if isinstance(node, ast.Call):
            bases, value = [_container(node.func.value)] if isinstance(node.func, ast.Attribute) else [], None
        else:
            bases = [_container(t) for t in (node.targets if isinstance(node, ast.Assign) else [node.target])]
            value = node.value
        read = ast.unparse(value) if value is not None else ""
        read += " " + " ".join(ast.unparse(a.value) for a in unit.nodes if isinstance(a, ast.Assign)
                               and a.lineno < line and value is not None and any(
                                   isinstance(t, ast.Name) and t.id in read for t in a.targets))
        if any(base in read for base in bases) or _read_elsewhere(unit, node, bases):
            return True
    return False


def _read_elsewhere(unit: Unit, write: ast.AST, bases: list[str]) -> bool:
    """Another statement of the unit reads the written state (a test, a loop over it, ``len()`` of it): between
    that read and this write another thread can change it."""
    inside = {id(n) for n in ast.walk(write)}
    for node in unit.nodes:
        if id(node) in inside or not isinstance(node, (ast.Attribute, ast.Name, ast.Subscript)):
            continue
        if isinstance(getattr(node, "ctx", None), ast.Load) and ast.unparse(node) in bases:
            return True
    return False


_THREADS = ("threading", "concurrent", "multiprocessing", "_thread", "gevent", "eventlet")


def _event_loop_only(tree: ast.Module) -> bool:
    """The module's only concurrency is asyncio (no thread module, no ``run_in_executor``/``to_thread``): its
    code runs on one thread, and tasks switch only at an ``await``."""
    imported = imported_modules(tree)
    return "asyncio" in imported and not imported & set(_THREADS) and not _calls(tree) & {"run_in_executor",
                                                                                           "to_thread"}


def _await_before(unit: Unit, line: int) -> bool:
    """An ``await`` between a read of the state written at ``line`` and the write (``n = self.n`` ... ``await``
    ... ``self.n = n + 1``, or ``self.n += await f()``): there another task can change what was read."""
    if not isinstance(unit.node, ast.AsyncFunctionDef):
        return False
    bases = {_container(t) for n in unit.nodes if getattr(n, "lineno", None) == line
             and isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign))
             for t in (n.targets if isinstance(n, ast.Assign) else [n.target])}
    bases |= {_container(n.func.value) for n in unit.nodes if isinstance(n, ast.Call) and n.lineno == line
              and isinstance(n.func, ast.Attribute)}
    reads = [n.lineno for n in unit.nodes if isinstance(n, (ast.Attribute, ast.Name, ast.Subscript))
             and isinstance(getattr(n, "ctx", None), ast.Load) and ast.unparse(n) in bases and n.lineno <= line]
    return bool(reads) and any(isinstance(n, ast.Await) and min(reads) <= n.lineno <= line for n in unit.nodes)


def _written_state(unit: Unit, line: int) -> set[str]:
    """The ``self.x`` state the write at ``line`` changes."""
    out = {_container(t) for n in unit.nodes if isinstance(n, (ast.Assign, ast.AugAssign)) and n.lineno == line
           for t in (n.targets if isinstance(n, ast.Assign) else [n.target])}
    return {x for x in out if x.startswith("self.")}


def _guarded_elsewhere(unit: Unit) -> set[str]:
    """``self.x`` state the class's other methods touch only inside ``with self._lock:`` blocks (``drain()`` swaps
    ``self._ready`` under the lock): a write to it here without the lock breaks the class's own rule."""
    cls = unit.class_node
    if cls is None:
        return set()
    inside: set[str] = set()
    outside: set[str] = set()
    for method in (m for m in cls.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
                   and m is not unit.node and m.name not in FRESH_OBJECT):
        spans = lock_withs(method)
        for n in (n for n in ast.walk(method) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
                  and n.value.id == "self"):
            (inside if any(a <= n.lineno <= b for a, b in spans) else outside).add(ast.unparse(n))
    return inside - outside


_LIFECYCLE = re.compile(r"^(start|run|launch|spawn|begin|serve|open|start_\w+)$")
_THREAD_MAKERS = frozenset({"Thread", "Process", "Timer"})


def _starts_own_thread(unit: Unit, line: int) -> bool:
    """``self._thread = threading.Thread(...)`` in ``start()``: the object's own worker thread, made by the call
    that starts it (a lazily made pool in a method many threads call is another matter)."""
    if not _LIFECYCLE.match(unit.qualname.rsplit(".", 1)[-1]):
        return False
    return any(isinstance(n, ast.Assign) and n.lineno == line and isinstance(n.value, ast.Call)
               and call_name(n.value).rsplit(".", 1)[-1] in _THREAD_MAKERS for n in unit.nodes)


def _called_under_lock(unit: Unit) -> bool:
    """A private method (``_enable_redirect_io``) that its class calls only inside ``with self._lock:``: the
    caller holds the lock for it."""
    name = unit.qualname.rsplit(".", 1)[-1]
    if unit.class_node is None or not name.startswith("_") or name.startswith("__"):
        return False
    calls = []
    for method in (n for n in unit.class_node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
        locked = lock_withs(method)
        calls += [any(a <= c.lineno <= b for a, b in locked) for c in ast.walk(method) if isinstance(c, ast.Call)
                  and call_name(c) == f"self.{name}"]
    return bool(calls) and all(calls)


def race_sites(unit: Unit) -> list[Site]:
    """The first write of shared state made without a lock, where something says the state is shared."""
    said = unit.kind != "module" and _says_shared(unit)
    if unit.kind == "module" or not said and not (uses_threads(unit.source.tree) and _shared_evidence(unit)):
        return []
    local = _thread_local(unit)
    names = module_names(unit.source.tree) - local
    names |= {n.name for n in unit.source.tree.body if isinstance(n, ast.ClassDef)} | {"cls"}  # class state
    fresh = unit.qualname.rsplit(".", 1)[-1] in FRESH_OBJECT  # nobody else holds the object yet
    writes = shared_state_writes(unit.node, names, fresh)
    locked = lock_withs(unit.node)
    open_writes = [w for w in writes if not any(a <= w <= b for a, b in locked)
                   and not any(f".{name}." in unit.source.line(w) for name in local)]
    plain = [w for w in open_writes if not _read_modify_write(unit, w)]
    guarded = _guarded_elsewhere(unit) if any(_written_state(unit, w) for w in open_writes) else set()  # (the class)
    open_writes = [w for w in open_writes if (w not in plain or _written_state(unit, w) & guarded)
                   and not _starts_own_thread(unit, w)]
    if _event_loop_only(unit.source.tree):  # one thread: a task switch happens only at an await
        open_writes = [w for w in open_writes if _await_before(unit, w)]
    if not open_writes or _called_under_lock(unit):  # (the class's other methods are walked only when needed)
        return []
    ruled = [w for w in open_writes if _written_state(unit, w) & guarded]
    lines = [open_writes[0]] + [w for w in ruled[:1] if w != open_writes[0]]  # the first write, and a ruled one
    return [_race_site(unit, line, said, sorted(_written_state(unit, line) & guarded)) for line in lines]


def _race_site(unit: Unit, line: int, said: bool, ruled: list[str]) -> Site:
    code = unit.source.line(line).strip()
    why = "its docstring says threads share it" if said else "its class or module makes a lock or starts threads"
    if ruled:
        why = f"the class's other methods touch `{ruled[0]}` only inside `with` blocks of its lock"
    return Site("race_on_shared_state", line, f"`{code}` writes shared state and no lock is held there, while {why}",
                "Hold the lock that guards this state (`with self._lock:`) around the read and the write")


_Finder = Callable[[Unit], list[Site]]
_FINDERS: list[tuple[str, _Finder]] = [
    ("race_on_shared_state", race_sites),
    ("tasks", task_sites),                # race_on_shared_state between asyncio tasks
    ("stores", store_sites),              # race_on_shared_state / missing_timeout on state outside the process
    ("handlers", handler_sites),          # error_swallowed / success_on_failure
    ("status", status_sites),             # success_on_failure: a result never checked
    ("exits", exit_sites),                # error_swallowed / success_on_failure / error_as_value: other exits
    ("sensitive_data_logged", logged_sites),
    ("exposed", exposed_sites),           # sensitive_data_logged: a whole user record sent out
    ("division_by_zero", division_sites),
    ("resource_not_released", acquire_sites),
    ("type_confusion", unit_mix_sites),
    ("clocks", clock_sites),              # type_confusion: naive against aware, seconds as milliseconds
    ("measures", measure_sites),          # type_confusion: a conversion factor into another unit than named
    ("error_as_value", error_value_sites),
    ("stale_cache_key", cache_sites),
    ("missing_timeout", timeout_sites),
    ("off_by_one", bound_sites),
    ("retries", retry_sites),             # off_by_one: a retry counter's stop test
    ("spans", span_sites),                # off_by_one: a range written as text ("1-5") made exclusive
    ("wrong_boolean_logic", boolean_sites),
    ("decoded", decode_sites),            # type_confusion / wrong_boolean_logic / off_by_one: more shapes
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

