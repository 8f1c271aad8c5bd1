"""Sites on state kept outside the process (a database row, a Redis key, a cache server), which every worker
process shares whether or not the code starts threads: a read-modify-write that loses updates, a blocking read
told to wait forever, the number of rows given reported as the number written.
"""

from __future__ import annotations

import ast
import re

from reviewer.judge.features import call_name
from reviewer.judge.site import Site, call_text, parameters
from reviewer.judge.units import Unit

__all__ = ["store_sites"]

_ATOMIC = re.compile(r"(^|\.)(with_for_update|select_for_update|incr|incrby|incrbyfloat|decr|decrby|hincrby|pipeline|"
                     r"watch|transaction|lock|F|update)$")
"""Calls that make the update atomic or hold a lock: ``select_for_update()``, ``F("n") + 1``, Redis INCR or
WATCH/MULTI, an ``UPDATE ... SET n = n + 1``."""
_PERSISTS = frozenset({"commit", "save", "flush", "put", "update_item", "put_item"})
_STORE = re.compile(r"(^|[_.])(redis|cache|memcache|memcached|store|kv|client|r)$", re.I)
_BLOCKING_POPS = frozenset({"blpop", "brpop", "brpoplpush", "blmove", "bzpopmin", "bzpopmax"})


def _atomic(unit: Unit) -> bool:
    return any(isinstance(n, ast.Call) and (_ATOMIC.search(call_name(n)) or any(
        k.arg in ("with_for_update", "for_update", "lock") for k in n.keywords)) for n in unit.nodes) or any(
        isinstance(n, (ast.With, ast.AsyncWith)) and "lock" in ast.unparse(n.items[0].context_expr).lower()
        for n in unit.nodes)


def _row_updates(unit: Unit) -> list[Site]:
    """``account.balance = account.balance + amount`` then ``session.commit()`` (or ``obj.n += 1; obj.save()``): the
    row is read, changed in Python and written back, so two workers doing it at once lose one update."""
    calls = {call_name(n).rsplit(".", 1)[-1] for n in unit.nodes if isinstance(n, ast.Call)}
    if not calls & _PERSISTS or _atomic(unit):
        return []
    for node in unit.nodes:
        target = node.target if isinstance(node, ast.AugAssign) else node.targets[0] if isinstance(
            node, ast.Assign) and len(node.targets) == 1 else None
        if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                and target.value.id not in ("self", "cls")):
            continue
        text = ast.unparse(target)
        if isinstance(node, ast.AugAssign) or (isinstance(node.value, ast.BinOp) and any(
                ast.unparse(n) == text for n in ast.walk(node.value))):
            return [Site("race_on_shared_state", node.lineno, f"`{ast.unparse(node).strip()}` reads a stored value, "
                         "changes it in Python and writes it back: two workers doing this at once lose one update",
                         "Update in the store (`UPDATE ... SET n = n + :v`, `F('n') + v`), or lock the row "
                         "(`with_for_update()`)")]
    return []


def _get_then_set(unit: Unit) -> list[Site]:
    """``count = redis.get(k)`` ... ``redis.set(k, count + 1)``: a read and a write of a shared key that another
    worker can interleave (INCR does it in one step)."""
    if _atomic(unit):
        return []
    reads = {}
    for node in (n for n in unit.nodes if isinstance(n, ast.Assign) and len(n.targets) == 1
                 and isinstance(n.targets[0], ast.Name)):
        call = next((c for c in ast.walk(node.value) if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)
                     and c.func.attr == "get" and c.args and _STORE.search(ast.unparse(c.func.value))), None)
        if call is not None:
            reads[node.targets[0].id] = (ast.unparse(call.func.value), ast.unparse(call.args[0]))
    for call in (n for n in unit.nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                 and n.func.attr in ("set", "setex", "hset") and len(n.args) >= 2):
        store, key = ast.unparse(call.func.value), ast.unparse(call.args[0])
        used = {n.id for a in call.args[1:] for b in ast.walk(a) if isinstance(b, ast.BinOp) for n in ast.walk(b)
                if isinstance(n, ast.Name)}  # ``count + 1``: computed from the read (a cache fill writes a new value)
        if any(reads.get(name) == (store, key) for name in used):
            return [Site("race_on_shared_state", call.lineno, f"`{ast.unparse(call)}` writes back a value read from "
                         f"`{store}` with `get({key})`: another worker can change the key between the read and the "
                         "write", "Use an atomic operation (`incr`, a pipeline with WATCH, a Lua script)")]
    return []


def _waits_forever(unit: Unit) -> list[Site]:
    """``redis.blpop(key, timeout=0)``: 0 means wait forever."""
    for call in (n for n in unit.nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                 and n.func.attr in _BLOCKING_POPS):
        limit = next((k.value for k in call.keywords if k.arg == "timeout"), call.args[-1] if len(call.args) > 1
                     else None)
        if limit is None or (isinstance(limit, ast.Constant) and limit.value == 0):
            return [Site("missing_timeout", call.lineno, f"`{call_name(call)}(...)` blocks until an item arrives, and "
                         "its timeout is 0 or missing, which means wait forever", "Give it a timeout in seconds and "
                         "handle the `None` it returns when the time runs out")]
    return []


_WRITES = frozenset({"execute", "executemany", "insert_many", "bulk_insert_mappings", "bulk_save_objects",
                     "insert_rows", "put_items", "batch_write_item", "write_rows"})


def _count_given(unit: Unit) -> list[Site]:
    """``cursor.executemany(sql, rows)`` then ``return len(rows)``: the caller hears how many rows it gave, not
    how many the store wrote (a conflict skipped, a filter dropped), which ``rowcount`` says."""
    params = {a.arg for a in parameters(unit)}
    writes = [n for n in unit.nodes if isinstance(n, ast.Call) and call_name(n).rsplit(".", 1)[-1] in _WRITES]
    if not writes:
        return []
    for r in (n for n in unit.nodes if isinstance(n, ast.Return) and n.lineno > writes[0].lineno):
        value = r.value
        if isinstance(value, ast.Call) and call_name(value) == "len" and len(value.args) == 1 and isinstance(
                value.args[0], ast.Name) and value.args[0].id in params:
            return [Site("success_on_failure", r.lineno, f"`return len({value.args[0].id})` counts what the caller "
                         f"gave, not what `{call_text(writes[0])}` at line {writes[0].lineno} wrote",
                         "Return the count the store reports (`cursor.rowcount`, the result's inserted ids)",
                         f"This returns how many items the caller gave. Can `{call_text(writes[0])}` write fewer "
                         "(rows skipped on a conflict, or filtered out), so that the count is wrong?")]
    return []


def store_sites(unit: Unit) -> list[Site]:
    return _row_updates(unit) + _get_then_set(unit) + _waits_forever(unit) + _count_given(unit)
