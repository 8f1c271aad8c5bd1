"""Sites on state kept outside the process (a database row, a Redis key, a cache server), which every worker
process shares whether or not the code starts threads: a read-modify-write that loses updates, a blocking read
told to wait forever, the number of rows given reported as the number written.
"""

from __future__ import annotations

import ast
import re

from reviewer.judge.features import call_name
from reviewer.judge.site import Site, call_text, docstring, parameters
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
        k.arg in ("with_for_update", "for_update", "lock") for k in n.keywords)) for n in unit.nodes) or _locked(unit)


def _locked(unit: Unit) -> bool:
    """A ``with`` block over a lock (``with self._lock:``, ``async with redis.lock(key):``)."""
    return any(isinstance(n, (ast.With, ast.AsyncWith)) and "lock" in ast.unparse(n.items[0].context_expr).lower()
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


_GUARDED = re.compile(r"(^|\.)(watch|transaction|lock|acquire|register_script|eval|evalsha|with_for_update|"
                      r"select_for_update)$")
"""Calls that keep another worker out between a read and a write: WATCH/MULTI, a lock, a Lua script."""
_KEY_READS = {"get": 1, "hget": 2, "hgetall": 1}
_KEY_WRITES = {"set": 1, "setex": 1, "hset": 2, "hmset": 1}
_MUTATORS = frozenset({"append", "update", "pop", "add", "remove", "setdefault", "extend", "discard", "insert"})


def _key(call: ast.Call, counts: dict[str, int]) -> tuple[str, ...] | None:
    """The key a Redis-like call reads or writes: ``("self._jobs", "job_id")`` for ``hget(self._jobs, job_id)``;
    ``hset(name, mapping=...)`` names the hash alone."""
    if not isinstance(call.func, ast.Attribute) or call.func.attr not in counts:
        return None
    n = 1 if call.func.attr == "hset" and len(call.args) < 3 else counts[call.func.attr]
    return tuple(ast.unparse(a) for a in call.args[:n]) if len(call.args) >= n else None


def _store_reads(unit: Unit) -> dict[str, tuple[int, tuple[str, ...], str]]:
    """Names holding what was read from a store, or what was made from it (``job = Job.from_json(raw)``), in line
    order; a name given something else stops counting."""
    held: dict[str, tuple[int, tuple[str, ...], str]] = {}
    for node in sorted((n for n in unit.nodes if isinstance(n, ast.Assign) and len(n.targets) == 1
                        and isinstance(n.targets[0], ast.Name)), key=lambda n: n.lineno):
        read = next((c for c in ast.walk(node.value) if isinstance(c, ast.Call) and _key(c, _KEY_READS)
                     and _STORE.search(ast.unparse(c.func.value))), None)
        source = next((held[n.id] for n in ast.walk(node.value) if isinstance(n, ast.Name) and n.id in held), None)
        if read is not None:
            held[node.targets[0].id] = (read.lineno, _key(read, _KEY_READS), ast.unparse(read.func))
        elif source is not None:
            held[node.targets[0].id] = source
        else:
            held.pop(node.targets[0].id, None)
    return held


def _changed(node: ast.AST, names: set[str]) -> bool:
    """``job.state = ...``, ``data["n"] += 1``, ``seen.append(x)`` on a name in ``names``."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AugAssign) \
        else []
    if any(isinstance(t, (ast.Attribute, ast.Subscript)) and isinstance(t.value, ast.Name) and t.value.id in names
           for t in targets):
        return True
    if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in names for t in targets) and any(
            isinstance(b, ast.BinOp) for b in ast.walk(node.value)):
        return True  # ``count = int(current or 0) + 1``
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _MUTATORS \
        and isinstance(node.func.value, ast.Name) and node.func.value.id in names


def _checked(node: ast.AST, names: set[str]) -> bool:
    """``if job.state is not QUEUED: return False``: a test of the read value that decides whether to write."""
    return isinstance(node, ast.If) and any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node.test)) \
        and any(isinstance(n, (ast.Return, ast.Raise)) for n in node.body)


def _read_change_write(unit: Unit) -> list[Site]:
    """``job = Job.from_json(r.hget(jobs, id))``, ``if job.state is not QUEUED: return False``, ``job.state =
    CANCELLED``, ``r.hset(jobs, id, job.to_json())``: the value is read, tested and changed in Python and written
    back to the same key, and nothing (WATCH, a lock, a Lua script) keeps another worker out in between."""
    if any(isinstance(n, ast.Call) and _GUARDED.search(call_name(n)) for n in unit.nodes) or _locked(unit):
        return []
    held = _store_reads(unit)
    for write in sorted((n for n in unit.nodes if isinstance(n, ast.Call) and _key(n, _KEY_WRITES)),
                        key=lambda n: n.lineno):
        key = _key(write, _KEY_WRITES)
        value = [*write.args[len(key):], *(k.value for k in write.keywords)]
        names = {n.id for v in value for n in ast.walk(v) if isinstance(n, ast.Name) and n.id in held
                 and held[n.id][1] == key and held[n.id][0] < write.lineno}
        if not names:
            continue
        line, _, read = held[next(iter(names))]
        between = [n for n in unit.nodes if line < getattr(n, "lineno", 0) < write.lineno]
        made = [n for n in unit.nodes if isinstance(n, ast.Assign) and n.lineno == line]  # ``int(r.get(k)) + 1``
        if not any(_changed(n, names) for n in between + made):
            continue
        check = min((n for n in between if _checked(n, names)), key=lambda n: n.lineno, default=None)
        at = check.lineno if check is not None else write.lineno
        return [Site("race_on_shared_state", at, f"`{read}({', '.join(key)})` at line {line} reads the stored value,"
                     f" the code {'tests it at line ' + str(at) + ' and ' if check is not None else ''}changes it in "
                     f"Python, and `{call_text(write)}` at line {write.lineno} writes it back; nothing (WATCH, a "
                     "lock, a Lua script) keeps another worker from changing the key in between, so"
                     f"{' both can pass the test and' if check is not None else ''} one update is lost",
                     "Do the read, test and write atomically: WATCH the key and write in a MULTI pipeline (retry on "
                     "WatchError), or use a Lua script")]
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
        if _truncated(limit):
            return [Site("missing_timeout", call.lineno, f"`{call_name(call)}(...)` blocks until an item arrives, and "
                         f"its timeout `{ast.unparse(limit)}` rounds down: a wait under one second (0.5) becomes 0, "
                         "which means wait forever", "Round up and keep it at least 1 (`max(1, math.ceil(s))`), or "
                         "pass the float (Redis 6 takes fractions of a second)")]
    return []


def _truncated(limit: ast.expr) -> bool:
    """``int(self.poll_seconds)`` or ``ms // 1000``: a whole number of seconds made by rounding down a value that is
    not a constant, where nothing (``max(1, ...)``, ``ceil``) keeps it at least 1."""
    rounded = isinstance(limit, ast.Call) and call_name(limit) == "int" and len(limit.args) == 1 or isinstance(
        limit, ast.BinOp) and isinstance(limit.op, ast.FloorDiv)
    inner = limit.args[0] if isinstance(limit, ast.Call) and limit.args else limit
    return rounded and not isinstance(inner, ast.Constant) and not any(
        isinstance(n, ast.Call) and call_name(n).rsplit(".", 1)[-1] in ("max", "ceil") for n in ast.walk(inner))


_WRITES = frozenset({"execute", "executemany", "insert_many", "bulk_insert_mappings", "bulk_save_objects",
                     "insert_rows", "put_items", "batch_write_item", "write_rows", "delete_objects", "delete_many",
                     "bulk_write", "put_records", "send_messages", "delete_messages", "send_message_batch",
                     "delete_message_batch"})


def _batch_counted(unit: Unit, writes: list[ast.Call]) -> list[Site]:
    """``s3.delete_objects(Delete={"Objects": [... for key in batch]})`` with its reply dropped, then ``deleted +=
    len(batch)``: the count is of what was sent, and the per-item errors the reply lists are never read."""
    dropped = [w for w in writes if isinstance(unit.parents.get(id(w)), ast.Expr)]
    for node in (n for n in unit.nodes if isinstance(n, ast.AugAssign) and isinstance(n.op, ast.Add)):
        value = node.value
        if not (isinstance(value, ast.Call) and call_name(value) == "len" and value.args
                and isinstance(value.args[0], ast.Name)):
            continue
        sent = value.args[0].id
        write = next((w for w in dropped if any(isinstance(x, ast.Name) and x.id == sent for x in ast.walk(w))), None)
        if write is not None:
            return [Site("success_on_failure", node.lineno, f"`{ast.unparse(node)}` counts what was sent to "
                         f"`{call_text(write)}` at line {write.lineno}, whose reply (which lists the items that "
                         "failed) is never read", "Count from the reply: what it says was done, or subtract the "
                         "errors it lists")]
    return []


def _count_given(unit: Unit) -> list[Site]:
    """``cursor.executemany(sql, rows)`` then ``return len(rows)``: the caller hears how many rows it gave, not
    how many the store wrote (a conflict skipped, a filter dropped), which ``rowcount`` says."""
    params = {a.arg for a in parameters(unit)}
    writes = [n for n in unit.nodes if isinstance(n, ast.Call) and call_name(n).rsplit(".", 1)[-1] in _WRITES]
    if not writes:
        return []
    batched = _batch_counted(unit, writes)
    if batched:
        return batched
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


def _rowcount_always(unit: Unit) -> list[Site]:
    """``return cur.rowcount >= 0``: true whenever the statement ran, also when it matched no row (``rowcount`` is
    -1 only where the driver cannot tell), so "no row changed" reads as done."""
    for node in (n for n in unit.nodes if isinstance(n, ast.Compare) and len(n.ops) == 1):
        left, op, right = node.left, node.ops[0], node.comparators[0]
        if not (isinstance(left, ast.Attribute) and left.attr == "rowcount" and isinstance(right, (
                ast.Constant, ast.UnaryOp))):
            continue
        value = ast.literal_eval(right) if isinstance(right, ast.Constant) or isinstance(right.operand, ast.Constant) \
            else None
        if isinstance(op, ast.GtE) and value == 0 or isinstance(op, (ast.Gt, ast.NotEq)) and value == -1:
            return [Site("success_on_failure", node.lineno, f"`{ast.unparse(node)}` holds whenever the statement ran, "
                         "also when it matched no row (rowcount is 0 then): the caller hears it was done",
                         f"Test `{ast.unparse(left)} > 0` (or `== 1` for one row)")]
    return []


_SQL_CHANGE = re.compile(r"^\s*(update|delete)\b", re.I)
_SAYS_WHETHER = re.compile(r"\b(true|false) (when|if)\b|\bwhether\b", re.I)


def _change_assumed(unit: Unit) -> list[Site]:
    """``conn.execute("UPDATE pages SET ... WHERE url = ?", ...)`` then ``return True`` where the docstring says
    True means the row was changed (or the class's other methods read ``rowcount``): no row matched is reported
    as done."""
    changes = [c for c in unit.nodes if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)
               and c.func.attr == "execute" and c.args and isinstance(c.args[0], ast.Constant)
               and isinstance(c.args[0].value, str) and _SQL_CHANGE.match(c.args[0].value)]
    if not changes or any(isinstance(n, ast.Attribute) and n.attr == "rowcount" for n in unit.nodes):
        return []
    cls = unit.class_node
    siblings_count = cls is not None and any(isinstance(n, ast.Attribute) and n.attr == "rowcount"
                                             for n in ast.walk(cls))
    if not (_SAYS_WHETHER.search(docstring(unit) or "") or siblings_count):
        return []
    for r in (n for n in unit.nodes if isinstance(n, ast.Return) and isinstance(n.value, ast.Constant)
              and n.value.value is True and n.lineno > changes[0].lineno):
        return [Site("success_on_failure", r.lineno, f"`return True` follows `{call_text(changes[0])}` at line "
                     f"{changes[0].lineno} ({changes[0].args[0].value.split()[0].upper()}) without reading "
                     "`rowcount`: when no row matches, nothing changes and the caller still hears it did",
                     "Return `cursor.rowcount > 0` (or `== 1`)")]
    return []


_REPLIES = frozenset({"get", "hget", "lpop", "rpop", "getdel", "getset", "lindex", "srandmember", "spop"})


def _bytes_reply_as_text(unit: Unit) -> list[Site]:
    """``raw = self._client.get(key)`` then ``raw == "1"`` in a module that uses redis and never asks for
    ``decode_responses=True``: redis-py returns bytes, and bytes never equal text."""
    if not any(isinstance(n, (ast.Import, ast.ImportFrom)) and "redis" in ast.unparse(n) for n in
               unit.source.tree.body) or "decode_responses" in unit.source.text:
        return []
    replies = {t.id for n in unit.nodes if isinstance(n, ast.Assign) and len(n.targets) == 1
               and isinstance(t := n.targets[0], ast.Name) for c in ast.walk(n.value) if isinstance(c, ast.Call)
               and isinstance(c.func, ast.Attribute) and c.func.attr in _REPLIES
               and _STORE.search(ast.unparse(c.func.value)) and c is _unwrap_await(n.value)}
    for node in (n for n in unit.nodes if isinstance(n, ast.Compare) and len(n.ops) == 1
                 and isinstance(n.ops[0], (ast.Eq, ast.NotEq, ast.In, ast.NotIn))):
        sides = [node.left, node.comparators[0]]
        name = next((x.id for x in sides if isinstance(x, ast.Name) and x.id in replies), None)
        text = next((x for x in sides if isinstance(x, ast.Constant) and isinstance(x.value, str)
                     or isinstance(x, (ast.Tuple, ast.Set, ast.List)) and x.elts and all(
                         isinstance(e, ast.Constant) and isinstance(e.value, str) for e in x.elts)), None)
        if name is not None and text is not None:
            return [Site("type_confusion", node.lineno, f"`{name}` is what a redis-py command returned, which is "
                         f"bytes unless the client was made with `decode_responses=True` (this module never asks "
                         f"for it), and `{ast.unparse(node)}` compares it with text: bytes never equal a str",
                         f"Decode it first (`{name}.decode()`), or compare with bytes (`b\"...\"`)")]
    return []


def _unwrap_await(node: ast.AST) -> ast.AST:
    return node.value if isinstance(node, ast.Await) else node


def store_sites(unit: Unit) -> list[Site]:
    return (_row_updates(unit) + (_get_then_set(unit) or _read_change_write(unit)) + _waits_forever(unit)
            + _count_given(unit) + _rowcount_always(unit) + _bytes_reply_as_text(unit) + _change_assumed(unit))
