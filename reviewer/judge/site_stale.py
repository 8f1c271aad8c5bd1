"""Sites of caches left stale by a write: a method that changes state the class keeps a derived copy of (a cached
snapshot, a memo of what it loads from its store) and leaves that copy as it was, so that later reads return values
from before the write.
"""

from __future__ import annotations

import ast
import difflib
import re

from reviewer.judge.features import call_name
from reviewer.judge.site import Site, code_at
from reviewer.judge.units import Unit

__all__ = ["CACHEISH", "changed_attrs", "self_attr", "stale_sites"]

CACHEISH = re.compile(r"cache|memo|_seen$|lookup|registry", re.I)
"""Names of attributes and classes that hold cached values."""


_MUTATORS = frozenset({"update", "append", "extend", "insert", "pop", "popitem", "remove", "discard", "add",
                       "setdefault", "clear", "__setitem__", "__delitem__", "appendleft", "sort"})
_DROPS = frozenset({"clear", "pop", "popitem", "cache_clear", "invalidate"})


def self_attr(node: ast.AST) -> str | None:
    """``x`` for ``self.x``, ``self.x[k]``."""
    node = node.value if isinstance(node, ast.Subscript) else node
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return node.attr
    return None


def changed_attrs(method: ast.AST) -> dict[str, int]:
    """The object's attributes a method changes in place or rebinds, with the first line that does."""
    out: dict[str, int] = {}
    for n in ast.walk(method):
        targets = n.targets if isinstance(n, ast.Assign) else [n.target] if isinstance(n, ast.AugAssign) else \
            n.targets if isinstance(n, ast.Delete) else []
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in _MUTATORS:
            targets = [n.func.value]
        for t in targets:
            if (attr := self_attr(t)) is not None:
                out.setdefault(attr, n.lineno)
    return out


def _drops(method: ast.AST) -> set[str]:
    """Attributes a method throws away: ``self._snapshot = None``, ``self._cache.clear()``, ``= {}``."""
    out = set()
    for n in ast.walk(method):
        if isinstance(n, ast.Assign) and (isinstance(n.value, ast.Constant) and n.value.value is None or _empty_map(
                n.value)):
            out |= {a for t in n.targets if isinstance(t, ast.Attribute) and (a := self_attr(t))}
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in _DROPS:
            out |= {a for a in [self_attr(n.func.value)] if a}
    return out


def _empty_map(node: ast.AST) -> bool:
    return isinstance(node, (ast.Dict, ast.List, ast.Set)) and not getattr(node, "elts", getattr(node, "keys", None)) \
        or isinstance(node, ast.Call) and call_name(node) in ("dict", "list", "set", "OrderedDict") and not node.args


def stale_sites(unit: Unit) -> list[Site]:
    """A write that leaves a cached or derived value of the object stale."""
    cls = unit.class_node
    if cls is None or unit.qualname.rsplit(".", 1)[-1] in ("__init__", "__post_init__"):
        return []
    siblings = [m for m in cls.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and m is not unit.node
                and not (m.name.startswith("__") and m.name.endswith("__"))]
    return _invalidation_left_out(unit, siblings) or _write_not_dropped(unit, siblings) or _one_entry_dropped(
        unit, siblings) or _other_key_dropped(unit, siblings)


def _invalidation_left_out(unit: Unit, siblings: list[ast.AST]) -> list[Site]:
    """``self._ratings[p] = r`` in a method, where every other method of the class that changes ``self._ratings``
    also drops ``self._snapshot`` (``= None``, ``.clear()``): this one leaves the derived value stale."""
    changes = {id(m): changed_attrs(m) for m in siblings}  # each sibling walked once, not once per attribute
    drops = {id(m): _drops(m) for m in siblings}
    lazy = {id(m): _built_lazily(m) for m in siblings}
    derived = set().union(*lazy.values()) | {a for c in changes.values() for a in c
                                             if CACHEISH.search(a) or "snapshot" in a}
    mine, dropped = changed_attrs(unit.node), _drops(unit.node)
    for attr, line in sorted(mine.items(), key=lambda item: item[1]):
        writers = [m for m in siblings if attr in changes[id(m)]]
        kept = set.intersection(*[drops[id(w)] - lazy[id(w)] - {attr} for w in writers]) & derived \
            if writers else set()
        stale = sorted(kept - dropped - set(mine))
        if stale and not _calls_dropper(unit, {m.name for m in siblings if stale[0] in drops[id(m)]}):
            names = ", ".join(f"`{w.name}`" for w in writers[:3])
            return [Site("stale_cache_key", line, f"`{code_at(unit, line)}` changes `self.{attr}`; the other methods "
                         f"that change it ({names}) also drop `self.{stale[0]}`, and this one leaves it as it was",
                         f"Drop `self.{stale[0]}` here too, as the other methods do")]
    return []


def _built_lazily(method: ast.AST) -> set[str]:
    """Attributes a method builds when they are missing: ``if self._snapshot is None: self._snapshot = ...``."""
    out = set()
    for n in (n for n in ast.walk(method) if isinstance(n, ast.If)):
        tested = {a for x in ast.walk(n.test) if (a := self_attr(x))}
        built = {a for b in n.body for x in ast.walk(b) if isinstance(x, ast.Assign) for t in x.targets
                 if (a := self_attr(t))}
        out |= tested & built
    return out


def _calls_dropper(unit: Unit, droppers: set[str]) -> bool:
    """The method calls one of the class's methods that drop the stale value (``self._invalidate()``)."""
    return any(isinstance(c, ast.Call) and call_name(c) in {f"self.{d}" for d in droppers} for c in unit.nodes)


_WRITE = re.compile(r"^(update|save|delete|remove|put|set|insert|upsert|write|store|patch|rename|replace|modify|edit"
                    r"|destroy|drop|purge|archive|deactivate|disable|enable|assign|move)(_|$)", re.I)
_SQL_WRITE = re.compile(r"^\s*(update|delete|insert|replace|upsert)\b", re.I)
_EXPIRES = re.compile(r"ttl|expir|TTLCache|TLRUCache", re.I)


def _calls_on(node: ast.AST) -> list[tuple[str, ast.Call]]:
    """``("self.db", call)`` for each ``self.db.load(...)`` (a method of one of the object's attributes) in ``node``."""
    return [(ast.unparse(c.func.value), c) for c in ast.walk(node) if isinstance(c, ast.Call)
            and isinstance(c.func, ast.Attribute) and isinstance(c.func.value, ast.Attribute)
            and self_attr(c.func.value) is not None]


def _loaded_into(method: ast.AST) -> dict[str, set[str]]:
    """Cache-like attributes a method fills from the object's store, with the stores: ``self._cache[uid] =
    self.db.load(uid)``, or through a name (``row = self.db.get(uid)`` then ``self._cache[uid] = row``)."""
    assigned = {t.id: n.value for n in ast.walk(method) if isinstance(n, ast.Assign) for t in n.targets
                if isinstance(t, ast.Name)}
    out: dict[str, set[str]] = {}
    for n in ast.walk(method):
        if not (isinstance(n, ast.Assign) and any(isinstance(t, ast.Subscript) for t in n.targets)):
            continue
        for target in (t for t in n.targets if isinstance(t, ast.Subscript)):
            attr = self_attr(target)
            if attr is None or not CACHEISH.search(attr):
                continue
            values = [n.value] + [assigned[x.id] for x in ast.walk(n.value) if isinstance(x, ast.Name) and x.id in
                                  assigned]
            out.setdefault(attr, set()).update(store for v in values for store, _ in _calls_on(v))
    return out


def _expires(cls: ast.ClassDef, attr: str) -> bool:
    """The cache forgets its entries by itself (a ``TTLCache``, a ttl or expiry the class keeps beside it)."""
    return any(_EXPIRES.search(ast.unparse(n)) for n in ast.walk(cls) if isinstance(n, ast.Assign)
               and any(self_attr(t) == attr for t in n.targets)) or \
        any(_EXPIRES.search(a) for n in ast.walk(cls) if isinstance(n, ast.Attribute) for a in [n.attr])


def _writes(call: ast.Call) -> bool:
    """``store.update(...)``, ``store.save(...)``, or ``store.execute("UPDATE ...")``."""
    if _WRITE.match(call.func.attr):
        return True
    sql = call.args[0] if call.args else None
    return call.func.attr in ("execute", "executemany") and isinstance(sql, ast.Constant) and \
        isinstance(sql.value, str) and bool(_SQL_WRITE.match(sql.value))


def _write_not_dropped(unit: Unit, siblings: list[ast.AST]) -> list[Site]:
    """``self.db.update(uid, ...)`` in a method, where another method keeps what it loads from ``self.db`` in
    ``self._cache`` (``self._cache[uid] = self.db.load(uid)``), and this one neither drops nor changes that entry:
    the next read returns the value from before the write."""
    cls = unit.class_node
    loads = {attr: (m, stores) for m in siblings for attr, stores in _loaded_into(m).items() if stores}
    if not loads or cls is None:
        return []
    touched = set(changed_attrs(unit.node)) | _drops(unit.node)
    called = {call_name(c)[5:] for c in unit.nodes if isinstance(c, ast.Call) and call_name(c).startswith("self.")}
    for attr, (loader, stores) in loads.items():
        helpers = [m for m in siblings if m.name in called and attr in set(changed_attrs(m)) | _drops(m)]
        if attr in touched or helpers or _expires(cls, attr):
            continue
        for store, call in _calls_on(unit.node):
            if store in stores and _writes(call):
                return [Site("stale_cache_key", call.lineno, f"`{code_at(unit, call.lineno)}` changes what `{store}` "
                             f"holds; `{loader.name}` keeps what it loads from `{store}` in `self.{attr}`, and this "
                             f"method neither drops nor updates `self.{attr}`: a later `{loader.name}` returns the "
                             "value from before this write",
                             f"Drop the entry from `self.{attr}` (or update it) after the write")]
    return []


def _memo_key(method: ast.AST) -> tuple[str, str] | None:
    """(attribute, key) for a method that memoises: ``self._resolved.get(name)`` (or ``name in self._resolved``)
    and later ``self._resolved[name] = ...``."""
    looked = {(self_attr(n.func.value), ast.unparse(n.args[0])) for n in ast.walk(method) if isinstance(n, ast.Call)
              and isinstance(n.func, ast.Attribute) and n.func.attr == "get" and n.args and self_attr(n.func.value)}
    looked |= {(self_attr(n.comparators[0]), ast.unparse(n.left)) for n in ast.walk(method)
               if isinstance(n, ast.Compare) and isinstance(n.ops[0], (ast.In, ast.NotIn))
               and self_attr(n.comparators[0])}
    for n in ast.walk(method):
        for t in n.targets if isinstance(n, ast.Assign) else []:
            if isinstance(t, ast.Subscript) and (self_attr(t), ast.unparse(t.slice)) in looked:
                return self_attr(t), ast.unparse(t.slice)
    return None


def _other_keys_read(method: ast.AST, memo: str, key: str) -> dict[str, int]:
    """Attributes whose entries at keys other than ``key`` go into the memoised value (a parent chain walked,
    ``self._presets.get(current)``), with the line; a call of the method itself on another key counts as reading
    the memo's own entries."""
    out: dict[str, int] = {}
    for n in ast.walk(method):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "get" and n.args:
            attr, at = self_attr(n.func.value), ast.unparse(n.args[0])
        elif isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Load):
            attr, at = self_attr(n), ast.unparse(n.slice)
        elif isinstance(n, ast.Call) and call_name(n) == f"self.{getattr(method, 'name', '')}" and n.args:
            attr, at = memo, ast.unparse(n.args[0])
        else:
            continue
        if attr and at != key and not isinstance(n.args[0] if isinstance(n, ast.Call) else n.slice, ast.Constant):
            out.setdefault(attr, n.lineno)
    return out


def _one_entry_dropped(unit: Unit, siblings: list[ast.AST]) -> list[Site]:
    """``self._presets[p.name] = p; self._resolved.pop(p.name, None)``, where ``resolve`` memoises in
    ``self._resolved`` values built from other names' entries too (a parent chain): the entries of the names that
    inherit from this one keep the old value."""
    changed = changed_attrs(unit.node)
    for memo, key, loader, reads in ((m, k, s, _other_keys_read(s, m, k)) for s in siblings
                                     if (found := _memo_key(s)) for m, k in [found]):
        pops = [n for n in unit.nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                and n.func.attr == "pop" and self_attr(n.func.value) == memo] + [
            n for n in unit.nodes if isinstance(n, ast.Delete) and any(self_attr(t) == memo for t in n.targets)]
        source = next((a for a in reads if a in changed and a != memo), None)
        if not pops or source is None or _cleared(unit, memo):
            continue
        line = pops[0].lineno
        return [Site("stale_cache_key", line, f"`{code_at(unit, line)}` drops one entry of `self.{memo}`; "
                     f"`{loader.name}` fills `self.{memo}[{key}]` from entries of `self.{source}` under other keys "
                     f"too (line {reads[source]}), so the entries of other keys built from the one this method "
                     "changes keep the old value", f"Drop every entry built from the changed one (or clear "
                     f"`self.{memo}`)")]
    return []


def _cleared(unit: Unit, attr: str) -> bool:
    """The unit empties ``self.<attr>`` whole: ``.clear()``, ``= {}``, ``= None``."""
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in ("clear", "cache_clear")
               and self_attr(n.func.value) == attr or isinstance(n, ast.Assign) and any(
                   isinstance(t, ast.Attribute) and self_attr(t) == attr for t in n.targets) and (
                   _empty_map(n.value) or isinstance(n.value, ast.Constant) and n.value.value is None)
               for n in unit.nodes)


_READS_WRITES = frozenset({"get", "set", "setex", "setdefault", "__getitem__", "get_or_set", "add"})
_DELETES = frozenset({"delete", "pop", "invalidate", "expire", "unlink", "delete_many", "evict", "remove"})


def _template(key: ast.AST, method: ast.AST) -> str | None:
    """``"roles:{user_id}"`` for ``f"roles:{user_id}"``, or for a name the method binds to one."""
    if isinstance(key, ast.Name):
        key = next((n.value for n in ast.walk(method) if isinstance(n, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == key.id for t in n.targets)), key)
    if not isinstance(key, ast.JoinedStr) or not any(isinstance(v, ast.Constant) for v in key.values):
        return None
    return "".join(str(v.value) if isinstance(v, ast.Constant) else "{" + ast.unparse(v.value) + "}"
                   for v in key.values)


def _cache_keys(method: ast.AST, verbs: frozenset[str]) -> list[tuple[str, int]]:
    """The key templates a method passes to a cache-like attribute's ``verbs``, with their lines."""
    return [(t, n.lineno) for n in ast.walk(method) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            and n.func.attr in verbs and n.args and (a := self_attr(n.func.value)) and CACHEISH.search(a)
            and (t := _template(n.args[0], method))]


def _other_key_dropped(unit: Unit, siblings: list[ast.AST]) -> list[Site]:
    """``self._cache.delete(f"role:{user_id}")`` where the class reads and fills the cache under
    ``f"roles:{user_id}"``: the entry dropped is not the one that is read, which stays stale."""
    dropped = _cache_keys(unit.node, _DELETES)
    if not dropped:
        return []
    used = {t: m.name for m in siblings for t, _ in _cache_keys(m, _READS_WRITES)}
    for template, line in dropped:
        fields = re.findall(r"\{[^}]*\}", template)
        near = [t for t in used if t != template and re.findall(r"\{[^}]*\}", t) == fields
                and difflib.SequenceMatcher(None, t, template).ratio() >= 0.75]
        if near and template not in used:
            return [Site("stale_cache_key", line, f"this drops the cache entry `{template}`, but `{used[near[0]]}` "
                         f"reads and fills the cache under `{near[0]}`: the entry that is read is never dropped, "
                         "and stays stale", "Drop the key that is read (build both with one helper)")]
    return []
