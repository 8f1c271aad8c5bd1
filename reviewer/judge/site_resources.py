"""Sites of resources not released: a file, socket, connection, lock or temporary directory acquired outside
``with`` and not released in a ``finally``.
"""

from __future__ import annotations

import ast
import re

from reviewer.judge.features import call_name
from reviewer.judge.site import Site, block_of, call_text
from reviewer.judge.site_flow import reraises
from reviewer.judge.units import Unit

__all__ = ["acquire_sites"]

_ACQUIRE = frozenset({"open", "acquire", "socket", "urlopen", "Popen", "connect", "create_connection", "mkstemp",
                      "mkdtemp", "TemporaryFile", "NamedTemporaryFile", "ZipFile", "TarFile", "cursor", "flock",
                      "lockf", "FTP", "FTP_TLS", "SMTP", "SMTP_SSL", "HTTPConnection", "HTTPSConnection",
                      "SSHClient", "open_connection", "load_workbook"})
_CLIENTS = frozenset({"httpx.Client", "httpx.AsyncClient", "requests.Session", "aiohttp.ClientSession"})
"""HTTP clients: a pool of connections, worth closing when made for one call, kept for the life of an object."""
_NOT_RESOURCES = ("webbrowser.", "os.startfile", "click.", "signal.", ".signal")
_RELEASE = frozenset({"close", "release", "shutdown", "terminate", "kill", "cleanup", "__exit__", "unlink",
                      "quit"})


def _managed(unit: Unit) -> set[int]:
    out = set()
    for node in unit.nodes:
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                out.update(id(n) for n in ast.walk(item.context_expr))
    return out


_WRAPPERS = ("wait_for", "Path", "str", "fspath", "abspath", "realpath", "closing")


def _holder(unit: Unit, call: ast.Call) -> ast.AST | None:
    """The statement or expression that takes the acquired value, through ``await``, ``asyncio.wait_for(...)`` and
    calls that only wrap it (``reader, writer = await asyncio.wait_for(asyncio.open_connection(h, p), 10)``,
    ``self.path = Path(tempfile.mkdtemp())``)."""
    node: ast.AST = call
    parent = unit.parents.get(id(node))
    while isinstance(parent, ast.Await) or (isinstance(parent, ast.Call) and call_name(parent).endswith(_WRAPPERS)
                                            and any(a is node for a in parent.args)):
        node, parent = parent, unit.parents.get(id(parent))
    return parent


def _acquired(unit: Unit) -> list[ast.Call]:
    managed = _managed(unit)
    parents = unit.parents
    out = []
    for call in (n for n in unit.nodes if isinstance(n, ast.Call) and id(n) not in managed):
        name = call_name(call)
        if name.rsplit(".", 1)[-1] not in _ACQUIRE and name not in _CLIENTS and not _streamed(call) or any(
                x in name for x in _NOT_RESOURCES) or \
                (name.startswith("self.") and name.count(".") == 1):
            continue  # (a method of the object itself manages what it opens; ``self._lock.acquire()`` does not)
        if name.endswith("load_workbook") and not any(k.arg == "read_only" for k in call.keywords):
            continue  # openpyxl closes the file after loading, unless it reads lazily (read_only=True)
        if name.endswith("Popen") and not _pipes(call):
            continue  # a child without pipes holds no descriptor of ours; wait() reaps it
        if name.endswith(("flock", "lockf")) and not any("LOCK_EX" in ast.unparse(a) or "LOCK_SH" in ast.unparse(a)
                                                         for a in call.args):
            continue  # the unlock itself
        parent = _holder(unit, call)
        if isinstance(parent, (ast.Return, ast.Yield)):
            continue  # handed to the caller
        if isinstance(parent, ast.Expr) and not name.endswith(("acquire", "flock", "lockf")):
            continue  # ``sock.connect(addr)``: a result nobody keeps is nothing to release
        if isinstance(parent, ast.Assign) and any(isinstance(t, ast.Attribute) for t in parent.targets):
            continue  # owned by an object, released by it
        if isinstance(parent, ast.Assign) and _handed_on(unit, parent) and not _temp_path_left(unit, call, parent):
            continue
        if name in _CLIENTS and _client_kept(unit, parent):
            continue
        out.append(call)
    return out


def _streamed(call: ast.Call) -> bool:
    """``requests.get(url, stream=True)``, ``session.get(..., stream=True)``: the connection stays with the
    response until it is read to the end or closed."""
    return isinstance(call.func, ast.Attribute) and call.func.attr in ("get", "post", "request", "put") and any(
        k.arg == "stream" and isinstance(k.value, ast.Constant) and k.value.value is True for k in call.keywords)


def _client_kept(unit: Unit, parent: ast.AST | None) -> bool:
    """An HTTP client made to be kept: in ``__init__`` or a generator (a lifespan), or bound to a name that is
    returned, stored on an object or handed to another call."""
    if unit.qualname.rsplit(".", 1)[-1] == "__init__" or any(isinstance(n, (ast.Yield, ast.YieldFrom))
                                                               for n in unit.nodes):
        return True
    names = {t.id for t in getattr(parent, "targets", []) if isinstance(t, ast.Name)}
    if not names:
        return not isinstance(parent, ast.Assign)
    for n in unit.nodes:
        used = {x.id for x in ast.walk(n) if isinstance(x, ast.Name)} & names
        if not used:
            continue
        if isinstance(n, ast.Return) or isinstance(n, ast.Assign) and n is not parent and any(
                isinstance(t, (ast.Attribute, ast.Subscript)) for t in n.targets):
            return True
        if isinstance(n, ast.Call) and any(isinstance(a, ast.Name) and a.id in names
                                           for a in [*n.args, *(k.value for k in n.keywords)]):
            return True
    return False


def _pipes(call: ast.Call) -> bool:
    return any(k.arg in ("stdin", "stdout", "stderr") and "PIPE" in ast.unparse(k.value) for k in call.keywords)


def _passed_on(value: ast.AST, names: set[str]) -> bool:
    """``return build_response(req, resp)``: the acquired value is an argument of what is returned (a new owner),
    not only the object a method is called on (``return cursor.fetchall()``)."""
    return any(isinstance(c, ast.Call) and any(isinstance(a, ast.Name) and a.id in names
                                               for a in [*c.args, *(k.value for k in c.keywords)])
               for c in ast.walk(value))


def _handed_on(unit: Unit, assign: ast.Assign) -> bool:
    """The acquired value is returned, yielded, used in ``with`` or released in a ``finally`` later on."""
    names = {n.id for t in assign.targets for n in ast.walk(t) if isinstance(n, ast.Name)}  # ``fd, path = mkstemp()``
    for node in unit.nodes:
        if isinstance(node, ast.Return) and node.value is not None and _passed_on(node.value, names):
            return True
        if isinstance(node, (ast.Return, ast.Yield)) and node.value is not None and any(
                isinstance(n, ast.Name) and n.id in names
                for n in (node.value.elts if isinstance(node.value, (ast.Tuple, ast.List)) else [node.value])):
            return True  # the value itself goes to the caller (``return fh``), not something read from it
        if isinstance(node, (ast.With, ast.AsyncWith)) and any(
                isinstance(n, ast.Name) and n.id in names for i in node.items for n in _managed_by(i.context_expr)):
            return True
    return False


_MOVES = frozenset({"replace", "rename", "move", "link", "symlink"})


def _temp_path_left(unit: Unit, call: ast.Call, assign: ast.Assign) -> bool:
    """``fd, path = mkstemp()``: the descriptor handed to ``with os.fdopen(fd)`` still leaves the file on disk; unless
    the path goes to the caller (``return Path(path)``) or is moved into place (``os.replace(path, dest)``), it needs
    a release of its own."""
    target = assign.targets[0] if len(assign.targets) == 1 else None
    if not (call_name(call).endswith("mkstemp") and isinstance(target, ast.Tuple) and len(target.elts) == 2
            and isinstance(target.elts[1], ast.Name)):
        return False
    path = target.elts[1].id
    for node in unit.nodes:
        value = node.value if isinstance(node, ast.Return) else None  # (a yield lends it; the file is still ours)
        if value is not None and any(isinstance(n, ast.Name) and n.id == path for n in ast.walk(value)) or \
                isinstance(node, ast.Call) and call_name(node).rsplit(".", 1)[-1] in _MOVES and node.args and \
                isinstance(node.args[0], ast.Name) and node.args[0].id == path:
            return False
    return True


def _managed_by(expr: ast.AST) -> list[ast.AST]:
    """What a with statement takes charge of: ``conn`` itself, or what its call is given directly
    (``closing(conn)``, ``os.fdopen(fd)``) or called on; not a name inside another call
    (``open(os.path.join(workdir, "x"))`` does not remove ``workdir``)."""
    if not isinstance(expr, ast.Call):
        return [expr]
    held = [*expr.args, *(k.value for k in expr.keywords)]
    return held + ([expr.func.value] if isinstance(expr.func, ast.Attribute) else [])


def _finally_releases(unit: Unit) -> list[str]:
    """What the unit's ``finally`` blocks (and handlers of everything that re-raise) release, as text:
    ``conn.close()`` gives ``conn``, ``rmtree(tmp)`` ``tmp``, ``flock(fd, LOCK_UN)`` ``fd``."""
    out = []
    cleanups = [s for n in unit.nodes if isinstance(n, ast.Try) for s in n.finalbody + [
        s for h in n.handlers if _catches_all(h) and reraises(h) for s in h.body]]
    for c in (c for s in cleanups for c in ast.walk(s)):
        if not isinstance(c, ast.Call):
            continue
        leaf = call_name(c).rsplit(".", 1)[-1]
        if leaf in _RELEASE | {"wait", "communicate", "join"} and isinstance(c.func, ast.Attribute):
            out.append(ast.unparse(c.func.value))
        if leaf in _RELEASE or leaf in ("rmtree", "remove", "flock", "lockf", "closerange"):
            out.extend(ast.unparse(a) for a in c.args)
    return out


def _catches_all(handler: ast.ExceptHandler) -> bool:
    """``except:`` or ``except BaseException:``: a handler that runs, as a finally does, whatever is raised."""
    return handler.type is None or ast.unparse(handler.type) in ("BaseException", "builtins.BaseException")


def _released_by_finally(unit: Unit, call: ast.Call, released: list[str]) -> bool:
    """The acquired thing (the name it is bound to, or for ``lock.acquire()`` the lock) is released in a finally."""
    parent = _holder(unit, call)
    names = [ast.unparse(n) for t in parent.targets for n in ([t] if not isinstance(t, ast.Tuple) else t.elts)] \
        if isinstance(parent, ast.Assign) else []  # ``fd, path = mkstemp()``: each name
    if isinstance(call.func, ast.Attribute) and call.func.attr == "acquire":
        names.append(ast.unparse(call.func.value))
    if call_name(call).endswith(("flock", "lockf")) and call.args:
        names.append(ast.unparse(call.args[0]))
    return any(re.search(rf"(^|\W){re.escape(n)}(\W|$)", r) for n in names for r in released) or (
        not names and bool(released))


_HARMLESS = frozenset({
    "settimeout", "setsockopt", "setblocking", "set_inheritable", "debug", "info", "warning", "getLogger", "append",
    "len", "str", "int", "float", "bool", "dict", "list", "tuple", "isinstance", "monotonic", "time", "perf_counter",
    "get", "format", "join", "encode", "decode", "time_ns", "cast", "fileno", "getattr", "hasattr", "id", "repr",
    "release"})
"""Calls that do not fail in practice between an acquire and the try that releases it."""


def _raises_before_try(unit: Unit, call: ast.Call) -> Site | None:
    """``sock = socket.socket(); sock.connect(addr)`` and only then ``try: ... finally: sock.close()``: if the
    call in between raises, the finally never runs."""
    stmt = unit.parents.get(id(call))
    while isinstance(stmt, (ast.Await, ast.expr)) and id(stmt) in unit.parents:  # ``await sem.acquire()``
        stmt = unit.parents[id(stmt)]
    block = block_of(stmt, unit.parents.get(id(stmt)))
    names = {ast.unparse(t) for t in getattr(stmt, "targets", [])}
    after = block[next((i for i, x in enumerate(block) if x is stmt), len(block)) + 1:]
    for i, x in enumerate(after):
        if isinstance(x, ast.Try) and x.finalbody:
            return None
        if not isinstance(x, ast.Try) and (early := _returns_holding(after[:i + 1], call, names)) is not None:
            held = ", ".join(sorted(names)) or "it"
            return Site("resource_not_released", call.lineno, f"`{call_text(call)}(...)` is released in a finally "
                        f"block, but the return at line {early.lineno} leaves before that try starts, and nothing "
                        f"releases {held} on the way out", f"Release it before returning, or start the try right "
                        f"after `{call_text(call)}(...)`")
        risky = next((c for c in ast.walk(x) if isinstance(c, ast.Call)
                      and call_name(c).rsplit(".", 1)[-1] not in _HARMLESS), None)
        if risky is not None and any(isinstance(t, ast.Try) and t.finalbody for t in after):
            held = ", ".join(sorted(names)) or "it"
            return Site("resource_not_released", call.lineno, f"`{call_text(call)}(...)` is released in a finally "
                        f"block, but `{call_text(risky)}(...)` at line {risky.lineno} runs before that try starts: "
                        f"if it raises, {held} is never released",
                        f"Start the try (or the with statement) right after `{call_text(call)}(...)`")
    return None


def _returns_holding(stmts: list[ast.stmt], call: ast.Call, names: set[str]) -> ast.Return | None:
    """A ``return`` in the last of ``stmts`` (the statements after the acquire, up to a try) with no release of
    what ``call`` acquired before it: ``sem.acquire()``, then ``if not handlers: return``, then the try that
    releases."""
    held = names | ({ast.unparse(call.func.value)} if isinstance(call.func, ast.Attribute) else set())
    stmt, earlier = stmts[-1], [c for b in stmts[:-1] for c in ast.walk(b) if isinstance(c, ast.Call)]
    branches = [stmt.body, stmt.orelse] if isinstance(stmt, ast.If) else [[stmt]]
    for branch in branches:
        for i, x in enumerate(branch):
            if not isinstance(x, ast.Return):
                continue
            before = earlier + [c for b in branch[:i] for c in ast.walk(b) if isinstance(c, ast.Call)]
            if not any(call_name(c).rsplit(".", 1)[-1] in _RELEASE and (isinstance(c.func, ast.Attribute) and (
                    ast.unparse(c.func.value) in held) or any(ast.unparse(a) in held for a in c.args)) for c in before):
                return x
    return None


def _sqlite_with(unit: Unit) -> list[Site]:
    """``with sqlite3.connect(path) as conn:``: sqlite3's connection as a context manager commits or rolls back the
    transaction and leaves the connection open; nothing in the block or after it closes it."""
    closes = {ast.unparse(c.func.value) for c in unit.nodes if isinstance(c, ast.Call)
              and isinstance(c.func, ast.Attribute) and c.func.attr == "close"}
    for node in (n for n in unit.nodes if isinstance(n, ast.With)):
        for item in node.items:
            expr = item.context_expr
            if isinstance(expr, ast.Call) and call_name(expr) in ("sqlite3.connect", "sqlite3.dbapi2.connect") and (
                    item.optional_vars is None or ast.unparse(item.optional_vars) not in closes):
                return [Site("resource_not_released", node.lineno, f"`with {call_text(expr)}(...)` commits or rolls "
                             "back on leaving the block, but a sqlite3 connection used this way is never closed",
                             "Wrap it in `contextlib.closing(sqlite3.connect(...))`, or close it in a finally block")]
    return []


def acquire_sites(unit: Unit) -> list[Site]:
    """A file, socket, connection or lock acquired outside ``with`` and not released in a ``finally`` (or released
    there only after a call that can raise has run outside the try)."""
    if unit.qualname.rsplit(".", 1)[-1] in ("__enter__", "__aenter__"):
        return []  # what a context manager acquires on entry, its __exit__ releases
    released = _finally_releases(unit)
    late = [site for c in _acquired(unit) if _released_by_finally(unit, c, released)
            if (site := _raises_before_try(unit, c)) is not None]
    out = []
    for call in (c for c in _acquired(unit) if not _released_by_finally(unit, c, released)):
        name = call_name(call)
        if name.endswith("acquire"):
            fix = f"Use `with {ast.unparse(call.func)[:-len('.acquire')]}:` (or release it in a finally block)"
        elif name.endswith(("flock", "lockf")):
            fix = "Unlock in a finally block, so that an exception does not leave the lock held"
        elif name.endswith("open_connection"):
            fix = "Close the writer (`writer.close()`, `await writer.wait_closed()`) in a finally block"
        elif name.endswith("mkdtemp"):
            fix = "Use `tempfile.TemporaryDirectory()` in a with statement, or remove the directory in a finally block"
        else:
            fix = f"Open it in a with statement (`with {call_text(call)}(...) as ...:`) so an exception closes it"
        out.append(Site("resource_not_released", call.lineno, f"`{call_text(call)}(...)` is not in a with statement "
                        "and no finally block releases it, so an exception before the release leaks it", fix))
    return (out + late + _sqlite_with(unit))[:1]
