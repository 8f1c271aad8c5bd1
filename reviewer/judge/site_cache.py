"""Sites of stale cache keys: a store into a cache or memo whose key leaves out an input the stored value is computed
from, an object's ``id()`` as a key, and a memoised function that reads state its arguments do not carry (the
clock, the environment, an attribute another method changes).
"""

from __future__ import annotations

import ast
import re

from reviewer.judge.features import call_name
from reviewer.judge.site import Site, code_at, docstring, parameters
from reviewer.judge.site_stale import CACHEISH as _CACHEISH, stale_sites
from reviewer.judge.units import Unit

__all__ = ["cache_sites"]


# --- stale cache key --------------------------------------------------------------------------------------------

_Store = tuple[ast.AST, ast.AST, ast.AST]
"""(statement or call, cache, key) of a store into a cache."""


def _value_params(unit: Unit, params: list[str]) -> set[str]:
    """Parameters used as values (operands, call arguments), not only as the object a method is called on or the
    function called; and ``self.x`` attributes used as call arguments (``render(path, self.size)``: the value
    depends on the size)."""
    receivers = {id(n.func.value) for n in unit.nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
    receivers |= {id(n.func) for n in unit.nodes if isinstance(n, ast.Call)}  # ``build(params)``: what computes it
    out = {n.id for n in unit.nodes if isinstance(n, ast.Name) and n.id in params and id(n) not in receivers
           and isinstance(n.ctx, ast.Load)}
    for call in (n for n in unit.nodes if isinstance(n, ast.Call)):
        out |= {ast.unparse(a) for a in [*call.args, *(k.value for k in call.keywords)] if isinstance(a, ast.Attribute)
                and isinstance(a.value, ast.Name) and a.value.id == "self"}
    return out


def _stores(unit: Unit) -> list[_Store]:
    """(statement or call, cache, key) for ``cache[key] = v``, ``cache.setdefault(key, v)``, ``cache.set(key, v)``."""
    out: list[tuple[ast.AST, ast.AST, ast.AST]] = []
    for node in unit.nodes:
        if isinstance(node, ast.Assign):
            out.extend((node, t.value, t.slice) for t in node.targets if isinstance(t, ast.Subscript))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args and \
                node.func.attr.lstrip("_") in ("setdefault", "set", "put", "add", "store") and len(node.args) >= 2:
            out.append((node, node.func.value, node.args[0]))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and len(node.args) >= 2 and \
                re.match(r"^_?(\w+_)?cache_(put|set|store|add)$", node.func.attr):  # ``self._cache_put(key, rows)``
            out.append((node, node.func, node.args[0]))
    memo = _memo_maps(unit)
    cache_class = unit.class_node is not None and bool(_CACHEISH.search(unit.class_node.name))
    looked_up = {ast.unparse(c.args[0]) for c in unit.nodes if isinstance(c, ast.Call) and c.args and isinstance(
        c.func, ast.Attribute) and ast.unparse(c.func.value) == "self" and _CACHEISH.search(c.func.attr)}
    return [(n, c, k) for n, c, k in out if _CACHEISH.search(ast.unparse(c)) or ast.unparse(c) in memo
            or ast.unparse(c) == "self" and (cache_class or ast.unparse(k) in looked_up)]
    # (``self._put(key, value)`` in a StatsCache; ``self._store(key, v)`` after ``self._cached(key)``)


def _memo_maps(unit: Unit) -> set[str]:
    """Mappings used as a memo whatever their name: the unit looks a key up in them (``key not in self._windows``,
    ``self._windows.get(key)``) and returns what is stored there (``return self._windows[key]``, or a name read
    from it), so a later call with the same key gets the stored value."""
    looked_up, read = set(), {}
    for node in unit.nodes:
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)):
            looked_up.add(ast.unparse(node.comparators[0]))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            looked_up.add(ast.unparse(node.func.value))
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            source = _read_from(node.value)
            if source:
                read[node.targets[0].id] = source
    returned = set()
    for node in (n for n in unit.nodes if isinstance(n, ast.Return) and n.value is not None):
        for part in ast.walk(node.value):  # ``return amount * self._rates[src]``, ``return entry[1]``
            source = _read_from(part) if not isinstance(part, ast.Name) else read.get(part.id)
            if source is None and isinstance(part, ast.Subscript) and isinstance(part.value, ast.Name):
                source = read.get(part.value.id)
            if source:
                returned.add(source)
    return looked_up & returned


def _read_from(value: ast.AST) -> str | None:
    """``m[key]`` or ``m.get(key)``: the mapping ``m`` as text."""
    if isinstance(value, ast.Subscript):
        return ast.unparse(value.value)
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "get":
        return ast.unparse(value.func.value)
    return None


_UNKEYED = re.compile(r"os\.environ|os\.getenv|time\.time|time\.monotonic|datetime\.now|datetime\.utcnow|date\.today"
                      r"|random\.", re.I)


def _mutable_state(unit: Unit) -> list[ast.Attribute]:
    """``self.x`` read in a method, where the class also sets ``self.x`` outside ``__init__``: state that changes
    after the object is made."""
    cls = unit.class_node
    if cls is None:
        return []
    methods = [m for m in cls.body if isinstance(m, ast.FunctionDef) and m.name != "__init__"]
    lazy = {id(a) for m in methods for i in ast.walk(m) if isinstance(i, ast.If)
            for a in (x for b in i.body for x in ast.walk(b)) if isinstance(a, ast.Assign) and any(
                ast.unparse(t) in ast.unparse(i.test) for t in a.targets)}  # ``if self._x is None: self._x = ...``
    later = {t.attr for m in methods for n in ast.walk(m) if isinstance(n, (ast.Assign, ast.AugAssign))
             and id(n) not in lazy for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
             if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"}
    return [n for n in unit.nodes if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
            and n.value.id == "self" and isinstance(n.ctx, ast.Load) and n.attr in later]


def _memoised_reads_state(unit: Unit) -> list[Site]:
    """A function memoised by its arguments (``@lru_cache``, ``@cache``) that also reads the clock, the
    environment, or (a method) state of the object that changes after it is made: its key leaves them out."""
    decorators = [ast.unparse(d) for d in getattr(unit.node, "decorator_list", [])]
    if not any(re.search(r"(^|\.)(lru_cache|cache|memoi[sz]ed?|cached_property)(\(|$)", d) for d in decorators):
        return []
    line = getattr(unit.node, "decorator_list")[0].lineno
    state = _mutable_state(unit)
    if state:
        text = ast.unparse(state[0])
        how = "computed once per object (`cached_property`)" if any("cached_property" in d for d in decorators) \
            else "memoised by its arguments (and `self`)"
        return [Site("stale_cache_key", line, f"the method is {how}, and reads `{text}`, which another method of the "
                     "class changes after the object is made",
                     f"Pass `{text}` in as an argument, or clear the cache when it changes")]
    for node in unit.nodes:
        if isinstance(node, (ast.Attribute, ast.Call)) and _UNKEYED.search(ast.unparse(node)):
            text = ast.unparse(node)
            return [Site("stale_cache_key", node.lineno, f"the function is memoised by its arguments and reads "
                         f"`{text[:60]}`, which is not one of them", f"Pass `{text[:60]}` in as an argument, or do not "
                         "memoise the function")]
    return []


def _keywords_left_out(unit: Unit, stores: list[_Store]) -> list[Site]:
    """``cache[args] = fn(*args, **kwargs)``: the result depends on the keyword arguments too, and the key does not
    hold them."""
    stored = {id(n) for n, _, _ in stores}
    for node in (n for n in unit.nodes if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)
                 and id(n) in stored):  # a cache or a memo, not any mapping filled with built values
        spread = [k.value.id for k in node.value.keywords if k.arg is None and isinstance(k.value, ast.Name)]
        keys = [t.slice for t in node.targets if isinstance(t, ast.Subscript)]
        if spread and keys and not any(spread[0] in _key_names(unit, k) for k in keys):
            key = ast.unparse(keys[0])
            return [Site("stale_cache_key", node.lineno, f"the key `{key}` leaves out `{spread[0]}`, which is passed "
                         f"on to `{ast.unparse(node.value.func)}` too", f"Put `{spread[0]}` in the key (for example "
                         f"`(args, frozenset({spread[0]}.items()))`)", _depends(f"`{spread[0]}`"))]
    return []


def _depends(left_out: str) -> str:
    """The question for a key that leaves something out: the fact is certain, whether the result depends on it is
    what the model judges."""
    return (f"The key leaves out {left_out}. Does the value stored under this key change when {left_out} changes, "
            "so that a call gets a result cached for different input?")


_PART_ATTRS = frozenset({"path", "netloc", "hostname", "name", "stem", "scheme"})
_SPLITS = frozenset({"split", "rsplit", "partition", "rpartition", "splitext"})


def _part_of(value: ast.AST, params: set[str]) -> str | None:
    """The parameter ``value`` keeps only part of: ``urlsplit(url).path``, ``url.split("?")[0]``,
    ``os.path.basename(path)``."""
    def param(node: ast.AST) -> str | None:
        return node.id if isinstance(node, ast.Name) and node.id in params else None

    if isinstance(value, ast.Attribute) and value.attr in _PART_ATTRS and isinstance(value.value, ast.Call):
        return next((n for a in value.value.args if (n := param(a))), None)  # urlsplit(url).path
    if isinstance(value, ast.Subscript) and isinstance(value.value, ast.Call) and isinstance(
            value.value.func, ast.Attribute) and value.value.func.attr in _SPLITS:
        return param(value.value.func.value)  # url.split("?")[0]
    if isinstance(value, ast.Call) and call_name(value).endswith(("basename", "dirname")) and value.args:
        return param(value.args[0])
    return None


def _narrowed_keys(unit: Unit, stores: list[_Store]) -> list[Site]:
    """``key = urlsplit(url).path`` and then ``cache[key] = fetch(url)``: the key keeps part of an input the stored
    value is made from in full."""
    params = {a.arg for a in parameters(unit)}
    for node, cache, key in stores:
        values = [key] + [n.value for n in unit.nodes if isinstance(n, ast.Assign) and isinstance(key, ast.Name)
                          and any(isinstance(t, ast.Name) and t.id == key.id for t in n.targets)]
        for value in values:
            name = _part_of(value, params)
            if name is not None and name in _feeds(unit, node, besides=ast.unparse(key)):
                return [Site("stale_cache_key", _built_at(unit, key, node.lineno), f"the key of `{ast.unparse(cache)}`"
                             f" is only part of `{name}` (`{ast.unparse(value)}`), while the value stored is made "
                             f"from the whole `{name}`", f"Key the cache on the whole `{name}`, or on every part of "
                             "it that changes the result", f"The key keeps only part of `{name}`. Can two values of "
                             f"`{name}` that differ in the part left out give different results, which then share "
                             "one cache entry?")]
    return []


def _key_names(unit: Unit, key: ast.AST) -> set[str]:
    """The names a key is made from, directly or through the assignments of the names it uses."""
    names = {n.id for n in ast.walk(key) if isinstance(n, ast.Name)}
    return names | _derived(unit, names)


def _dict_keys_only(unit: Unit, stores: list[_Store]) -> list[Site]:
    """``key = json.dumps(sorted(filters))`` where ``filters`` is a mapping (``**filters``, ``filters.items()``):
    sorting a dict gives its keys, so the values are left out of the key."""
    mappings = {k.value.id for n in unit.nodes if isinstance(n, ast.Call) for k in n.keywords
                if k.arg is None and isinstance(k.value, ast.Name)}
    mappings |= {n.func.value.id for n in unit.nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                 and n.func.attr in ("items", "values") and isinstance(n.func.value, ast.Name)}
    args = getattr(unit.node, "args", None)
    mappings |= {a.arg for a in parameters(unit) if a.annotation is not None and re.match(
        r"(typing\.)?(dict|Dict|Mapping|MutableMapping)\b", ast.unparse(a.annotation))}
    mappings |= {args.kwarg.arg} if args is not None and args.kwarg is not None else set()
    keys = [k for _, _, k in stores] + [n.value for n in unit.nodes if isinstance(n, ast.Assign) and any(
        isinstance(t, ast.Name) and "key" in t.id.lower() for t in n.targets)]
    if re.search(r"key$", unit.qualname.rsplit(".", 1)[-1], re.I):  # ``make_key()``: what it builds is a key
        keys += [n.value for n in unit.nodes if isinstance(n, (ast.Assign, ast.Return)) and n.value is not None]
    for key in keys:
        for call in (c for c in ast.walk(key) if isinstance(c, ast.Call) and call_name(c) in ("sorted", "list", "tuple",
                                                                                            "set", "frozenset")):
            if call.args and isinstance(call.args[0], ast.Name) and call.args[0].id in mappings:
                name = call.args[0].id
                return [Site("stale_cache_key", call.lineno, f"`{ast.unparse(call)}` of the mapping `{name}` gives its "
                             "keys only, so the key leaves out its values", f"Use `sorted({name}.items())` in the key",
                             _depends(f"the values in `{name}`"))]
    return []


def cache_sites(unit: Unit) -> list[Site]:
    """A store into a cache-like mapping whose key leaves out a parameter the function uses as a value."""
    memoised = _memoised_reads_state(unit)
    if memoised:
        return memoised
    stores = _stores(unit)  # walked once, for each check below
    keyed = _keywords_left_out(unit, stores) or _dict_keys_only(unit, stores) or _narrowed_keys(unit, stores) or \
        _path_only_key(unit, stores)
    params = [a.arg for a in parameters(unit)]
    if keyed or not params:
        return keyed or stale_sites(unit)
    used = _value_params(unit, params)
    local = {t.id for n in unit.nodes if isinstance(n, (ast.Assign, ast.AnnAssign))
             for t in (n.targets if isinstance(n, ast.Assign) else [n.target]) if isinstance(t, ast.Name)}
    for node, cache, key in stores:
        if isinstance(cache, ast.Name) and cache.id in local:
            continue  # a cache made in this call: the parameters are the same for all it holds (a closure's cache)
        key_names = {n.id for n in ast.walk(key) if isinstance(n, ast.Name)}
        key_names |= _derived(unit, key_names)
        identity = _identity_key(unit, key)
        if identity is not None:
            return [Site("stale_cache_key", _built_at(unit, key, node.lineno), f"the key of `{ast.unparse(cache)}` is "
                         f"`{identity}`: an object's id is reused by a new object once the old one is freed, and "
                         "equal objects get different keys", "Key the cache on the object's content (or keep a "
                         "reference to it, e.g. a WeakKeyDictionary)")]
        key_names |= {ast.unparse(n) for n in ast.walk(key) if isinstance(n, ast.Attribute)}
        key_names |= _derived_attrs(unit, key_names)
        if _named_object(node, key) or isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) and \
                node.value.id in params:
            continue  # ``self._registry[name] = fn``: what is stored is what was given, nothing computed
        feeds = _feeds(unit, node)
        missing = sorted(m for m in used - key_names if m != ast.unparse(cache) and (not feeds or m in feeds)
                         and not _fixed_for_instance(unit, cache, m))
        if missing and key_names:
            names = ", ".join(f"`{m}`" for m in missing)
            return [Site("stale_cache_key", _built_at(unit, key, node.lineno), f"the key `{ast.unparse(key)}` of "
                         f"{'the cache' if ast.unparse(cache) == 'self' else f'`{ast.unparse(cache)}`'} "
                         f"leaves out {names}, which the function also uses",
                         f"Put {names} in the cache key, or leave out of the cache what depends on it",
                         _depends(" and ".join(f"`{m}`" for m in missing)))]
    return stale_sites(unit)


_FRESH_PROMISE = re.compile(r"\b(modified|changed|replaced|updated|rewritten|touched|edited)\b", re.I)
_FILE_STATE = re.compile(r"stat|mtime|getmtime|getsize|st_size|etag|hash|digest|checksum|version", re.I)


def _path_only_key(unit: Unit, stores: list[_Store]) -> list[Site]:
    """``key = str(path.resolve())`` in a function whose docstring promises a new result once the file is modified:
    nothing in the unit reads the file's state (``stat()``, mtime, size, a hash), so a file changed in place keeps
    its old entry."""
    doc = docstring(unit) or ""
    if not _FRESH_PROMISE.search(doc) or _FILE_STATE.search(ast.unparse(unit.node)):
        return []
    paths = {a.arg for a in parameters(unit) if re.search(r"path|file", a.arg, re.I)}
    for node, cache, key in stores:
        names = {n.id for n in ast.walk(key) if isinstance(n, ast.Name)} | _derived(unit, {n.id for n in ast.walk(key)
                                                                                          if isinstance(n, ast.Name)})
        if names & paths:
            return [Site("stale_cache_key", _built_at(unit, key, node.lineno), f"the key of `{ast.unparse(cache)}` is "
                         f"made from the path alone, and nothing here reads the file's state (mtime, size, a hash), "
                         f"while the docstring says \"{_FRESH_PROMISE.search(doc).group(0)}\": a file changed in place "
                         "keeps its old entry", "Put the file's mtime and size (`stat()`) in the key")]
    return []


def _fixed_for_instance(unit: Unit, cache: ast.AST, name: str) -> bool:
    """``self._url`` left out of the key of ``self._cache``: set in ``__init__`` and never again, it is the same
    for every entry of this instance's cache."""
    cls = unit.class_node
    if cls is None or not name.startswith("self.") or not ast.unparse(cache).startswith("self."):
        return False
    written = [m.name for m in cls.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) for n in ast.walk(m)
               if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and any(
                   ast.unparse(t) == name for t in (n.targets if isinstance(n, ast.Assign) else [n.target]))]
    return bool(written) and set(written) <= {"__init__", "__post_init__"}


def _named_object(store: ast.AST, key: ast.AST) -> bool:
    """``self._counters[name] = Counter(name, help_text, labels)``: a registry of objects by their name, each made
    once with the rest as its description; the name is the object's identity, not a memo's input."""
    value = store.value if isinstance(store, ast.Assign) else None
    return isinstance(key, ast.Name) and (key.id == "name" or key.id.endswith("_name")) and isinstance(
        value, ast.Call) and bool(value.args) and ast.unparse(value.args[0]) == key.id and call_name(
        value).rsplit(".", 1)[-1][:1].isupper()


def _identity_key(unit: Unit, key: ast.AST) -> str | None:
    """``id(obj)`` in the key, or in the key variable's value."""
    values = [key] + [n.value for n in unit.nodes if isinstance(n, ast.Assign) and isinstance(key, ast.Name)
                      and any(isinstance(t, ast.Name) and t.id == key.id for t in n.targets)]
    for v in values:
        found = next((n for n in ast.walk(v) if isinstance(n, ast.Call) and call_name(n) == "id"), None)
        if found is not None:
            return ast.unparse(found)
    return None


def _feeds(unit: Unit, store: ast.AST, besides: str = "") -> set[str]:
    """The names and ``self.x`` attributes the stored value is computed from, three assignments deep (empty when
    the store is not an assignment), not through the name ``besides``."""
    value = store.value if isinstance(store, ast.Assign) else store.args[1] if isinstance(store, ast.Call) else None
    if value is None:
        return set()
    out = {n.id for n in ast.walk(value) if isinstance(n, ast.Name)} | {
        ast.unparse(n) for n in ast.walk(value) if isinstance(n, ast.Attribute)}
    for _ in range(3):  # ``found`` <- ``area`` <- ``low`` <- ``bounding_box(..., radius_m)``
        out.discard(besides)
        out |= _derived(unit, out) | _derived_attrs(unit, out)
    return out


def _built_at(unit: Unit, key: ast.AST, store: int) -> int:
    """Where the key is made: the assignment of a key variable (``key = f"{device}:{start}"``), else the store."""
    if isinstance(key, ast.Name):
        for node in (n for n in unit.nodes if isinstance(n, ast.Assign) and n.lineno < store):
            if any(isinstance(t, ast.Name) and t.id == key.id for t in node.targets):
                return node.lineno
    return store


def _derived_attrs(unit: Unit, names: set[str]) -> set[str]:
    """``self.x`` attributes a key variable was computed from."""
    out: set[str] = set()
    for node in (n for n in unit.nodes if isinstance(n, ast.Assign)):
        if any(isinstance(t, ast.Name) and t.id in names for t in node.targets):
            out |= {ast.unparse(n) for n in ast.walk(node.value) if isinstance(n, ast.Attribute)}
    return out


def _derived(unit: Unit, names: set[str]) -> set[str]:
    """Parameters a key variable was computed from (``key = (a, b)`` makes ``a`` and ``b`` part of the key), a
    loop variable from what the loop walks (``for jwk in fetch(issuer)``), and a cursor from what it was given to
    run (``cur.execute(sql, (user_id, tenant_id))``)."""
    out: set[str] = set()
    for node in unit.nodes:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in names for t in node.targets) or \
                isinstance(node, ast.AnnAssign) and node.value is not None and isinstance(node.target, ast.Name) \
                and node.target.id in names:  # ``rows: list[dict] = resp.json()["results"]``
            out |= {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)) and any(
                isinstance(t, ast.Name) and t.id in names for t in ast.walk(node.target)):
            out |= {n.id for n in ast.walk(node.iter) if isinstance(n, ast.Name)}
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                "execute", "executemany") and isinstance(node.func.value, ast.Name) and node.func.value.id in names:
            out |= {n.id for a in node.args[1:] for n in ast.walk(a) if isinstance(n, ast.Name)}
    return out
