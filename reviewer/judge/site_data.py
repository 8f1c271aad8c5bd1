"""Sites of calls that can wait forever: a request, a subprocess, a socket read or a reply awaited without a timeout
(secrets written to logs: :mod:`reviewer.judge.site_secrets`).
"""

from __future__ import annotations

import ast
import re

from reviewer.judge.features import call_name
from reviewer.judge.site import Site, call_text
from reviewer.judge.units import Unit

__all__ = ["timeout_sites"]


# --- missing timeout --------------------------------------------------------------------------------------------

_BLOCKING = ("requests.", "urlopen", "urllib.request.urlopen", "urllib3.", "create_connection", "subprocess.run",
             "subprocess.call", "subprocess.check_call", "subprocess.check_output", "http.client.HTTPConnection",
             "http.client.HTTPSConnection", "HTTPConnection", "HTTPSConnection", "smtplib.SMTP", "ftplib.FTP",
             "imaplib.IMAP4", "poplib.POP3", "telnetlib.Telnet", "xmlrpc.client.ServerProxy", "serial.Serial")
"""Calls with no time limit unless given one (httpx and aiohttp have default timeouts: not listed)."""
_TIMED = ("httpx.", "aiohttp.", "websockets.", "websocket.")
"""Clients whose default limit ``timeout=None`` turns off."""
_NO_WAIT = frozenset({"Session", "Client", "AsyncClient", "Request", "PreparedRequest", "Timeout", "codes",
                      "exceptions", "HTTPError", "RequestException", "Response", "Limits", "URL", "Headers"})
_METHODS = frozenset({"get", "post", "put", "delete", "patch", "head", "request", "send", "urlopen", "stream",
                      "communicate", "wait"})
_REMOTE = re.compile(r"(^|[_.])(session|requests|opener|proc|process|popen|http|api|client|conn|connection)$", re.I)
"""The object a blocking method is called on, by the last part of its name (``self.session``, ``http_client``;
not ``session_hooks``, a dict)."""


def _captures(call: ast.Call) -> bool:
    """The command's output is read (``stdout=PIPE``, ``capture_output=True``, ``check_output``): a
    non-interactive command the code waits on. One that inherits the terminal (an editor, a pager, a browser
    launcher) is waited for on purpose, as long as the user keeps it open."""
    if call_name(call).endswith("check_output"):
        return True
    return any(k.arg in ("stdout", "capture_output", "input") and not (
        isinstance(k.value, ast.Constant) and k.value.value in (None, False)) for k in call.keywords)


_INTERACTIVE = re.compile(r"^(vi|vim|nvim|nano|emacs|ed|less|more|most|pager|man|open|xdg-open|start|explorer|"
                          r"notepad|code|subl|gedit|kate|top|htop|sh|bash|zsh|fish|cmd|powershell|python3?|ipython)$")
"""Programs the user works in until they quit: waiting for them without a time limit is the point."""


def _batch_command(call: ast.Call) -> bool:
    """The command is written out (``["rsync", "-a", src, dst]``, ``"pg_dump db"``) and is not a program the user
    works in: nobody is there to end it if it hangs."""
    if not call.args:
        return False
    command = call.args[0]
    first = command.elts[0] if isinstance(command, (ast.List, ast.Tuple)) and command.elts else command
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value.strip()):
        return False
    program = first.value.split()[0].rsplit("/", 1)[-1]
    return not _INTERACTIVE.search(program)


def _blocking(call: ast.Call) -> bool:
    name = call_name(call)
    if name.rsplit(".", 1)[-1] in _NO_WAIT or name.endswith("Popen"):  # Popen starts it; wait() waits
        return False
    if name.startswith("subprocess.") or name in ("run", "call", "check_call", "check_output"):
        return name.startswith("subprocess.") and (_captures(call) or _batch_command(call))
    if any(name.startswith(b) or name == b.rstrip(".") or name.endswith("." + b) for b in _BLOCKING):
        return True
    first = call.args[0] if call.args else None
    if isinstance(first, ast.Name) and first.id[:1].isupper():
        return False  # ``session.get(Account, pk)``: an ORM lookup by model class, not a request
    return isinstance(call.func, ast.Attribute) and call.func.attr in _METHODS and bool(
        _REMOTE.search(ast.unparse(call.func.value)))


def _timed_clients_only(unit: Unit) -> bool:
    """The module's HTTP library is httpx or aiohttp (default timeouts), or its client library Redis (whose
    commands take no timeout: the connection's socket timeout is theirs; blocking pops are checked apart), and not
    requests or urllib3: a client it is handed is one of theirs."""
    full = {a.name for n in ast.walk(unit.source.tree) if isinstance(n, ast.Import) for a in n.names}
    full |= {n.module or "" for n in ast.walk(unit.source.tree) if isinstance(n, ast.ImportFrom)}
    tops = {m.split(".")[0] for m in full}
    return bool(tops & {"httpx", "aiohttp", "redis", "aioredis"}) and not (tops & {"requests", "urllib3"} or full & {
        "urllib", "urllib.request", "http", "http.client"})  # (``urllib.parse`` sends nothing)


_SOCKET_WAITS = frozenset({"connect", "recv", "recv_into", "recvfrom", "accept", "makefile"})


def _raw_socket_waits(unit: Unit) -> list[Site]:
    """``socket.socket()`` then ``connect()``/``recv()`` with no ``settimeout()``: it waits as long as the peer."""
    calls = [n for n in unit.nodes if isinstance(n, ast.Call)]
    names = {call_name(c) for c in calls}
    made = any(n in ("socket.socket", "socket") for n in names)
    if not made or any(n.endswith(("settimeout", "setdefaulttimeout", "setblocking")) for n in names):
        return []
    for c in calls:
        if isinstance(c.func, ast.Attribute) and c.func.attr in _SOCKET_WAITS:
            return [Site("missing_timeout", c.lineno, f"the socket made with `socket.socket()` has no "
                         f"`settimeout()`, so `{call_text(c)}(...)` can wait forever",
                         "Call `settimeout()` on the socket before connecting (or use `socket.create_connection(..., "
                         "timeout=...)`)")]
    return []


def _made_with_timeout(unit: Unit) -> set[str]:
    """Names bound in the unit to a connection or client made with ``timeout=`` (or given ``settimeout()``): its
    calls are limited by it."""
    out = {ast.unparse(t) for n in unit.nodes if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)
           and any(k.arg == "timeout" for k in n.value.keywords) for t in n.targets}
    out |= {ast.unparse(c.func.value) for c in unit.nodes if isinstance(c, ast.Call)
            and isinstance(c.func, ast.Attribute) and c.func.attr == "settimeout"}
    return out


def _limit_off(call: ast.Call) -> bool:
    """``timeout=None`` given to a client or call that would otherwise have a limit."""
    return any(k.arg == "timeout" and isinstance(k.value, ast.Constant) and k.value.value is None
               for k in call.keywords) and (_blocking(call) or call_name(call).startswith(_TIMED))


_STREAM_READS = frozenset({"read", "readline", "readexactly", "readuntil"})


def _waited_for(calls: list[ast.Call]) -> set[int]:
    """The calls awaited under ``asyncio.wait_for(...)``: its time limit is theirs."""
    return {id(a) for c in calls if call_name(c).endswith("wait_for") for a in c.args}


def _reply_waits(unit: Unit) -> list[Site]:
    """``jobs.put((job, reply))`` then ``reply.get()``: a request handed to another thread or process, then a wait
    for its answer with no time limit; if the other side never answers, the caller waits forever. (A worker that
    only takes work, ``queue.get()`` with nothing put, waits for work on purpose.) ``asyncio.open_connection()``
    has no limit of its own unless wrapped in ``asyncio.wait_for``/``asyncio.timeout``."""
    calls = [n for n in unit.nodes if isinstance(n, ast.Call)]
    names = {call_name(c) for c in calls}
    if "asyncio.open_connection" in names and not any(n.endswith("timeout") for n in names):
        waited = _waited_for(calls)
        for call in (c for c in calls if id(c) not in waited and (call_name(c) == "asyncio.open_connection" or (
                isinstance(c.func, ast.Attribute) and c.func.attr in _STREAM_READS))):
            return [Site("missing_timeout", call.lineno, f"`{call_text(call)}(...)` has no time limit of its own and "
                         "is not wrapped in `asyncio.wait_for` or `asyncio.timeout`", f"Wrap `{call_text(call)}` in "
                         "`asyncio.wait_for(..., timeout=...)`")]
    waited = _waited_for(calls)
    limited = [c for c in calls if id(c) in waited and isinstance(c.func, ast.Attribute) and c.func.attr in
               _STREAM_READS]
    for bare in (c for c in calls if limited and id(c) not in waited and isinstance(c.func, ast.Attribute)
                 and c.func.attr in _STREAM_READS and ast.unparse(c.func.value) == ast.unparse(limited[0].func.value)
                 and isinstance(unit.parents.get(id(c)), ast.Await)):
        return [Site("missing_timeout", bare.lineno, f"`await {ast.unparse(bare)}` has no time limit, while "
                     f"`{ast.unparse(limited[0])}` (line {limited[0].lineno}) is wrapped in `asyncio.wait_for`: a peer "
                     "that stops sending holds this read forever", f"Wrap `{call_text(bare)}` in "
                     "`asyncio.wait_for(..., timeout=...)` as well")]
    puts = [c for c in calls if isinstance(c.func, ast.Attribute) and c.func.attr in ("put", "put_nowait", "send")]
    for get in (c for c in calls if isinstance(c.func, ast.Attribute) and c.func.attr == "get" and not c.args
                and not c.keywords):
        if any(p.lineno <= get.lineno for p in puts):
            return [Site("missing_timeout", get.lineno, f"`{call_text(get)}()` waits for the answer to what was "
                         "handed over before it, with no timeout", f"Pass `timeout=` to `{call_text(get)}` and "
                         "handle the wait running out")]
    return []


def _bounded_waits(unit: Unit) -> set[int]:
    """Waits that end by other means: an argument of ``asyncio.wait_for``, and ``proc.wait()`` or
    ``proc.communicate()`` after ``proc.kill()``/``proc.terminate()`` (reaping a killed process)."""
    calls = [n for n in unit.nodes if isinstance(n, ast.Call)]
    out = _waited_for(calls)
    killed = [(ast.unparse(c.func.value), c.lineno) for c in calls if isinstance(c.func, ast.Attribute)
              and c.func.attr in ("kill", "terminate")]
    out |= {id(c) for c in calls if isinstance(c.func, ast.Attribute) and c.func.attr in ("wait", "communicate")
            and any(obj == ast.unparse(c.func.value) and line <= c.lineno for obj, line in killed)}
    return out


_REDIS_MAKERS = re.compile(r"^(redis\.|aioredis\.|redis\.asyncio\.)?(Strict)?Redis(\.from_url)?$|^(redis|aioredis)\."
                          r"from_url$")


def _redis_untimed(unit: Unit) -> list[Site]:
    """``redis.Redis.from_url(url)`` with no ``socket_timeout``: redis-py's default is none, so every command on
    that client waits as long as the server or the network does (a dead peer: forever)."""
    for call in (n for n in unit.nodes if isinstance(n, ast.Call) and _REDIS_MAKERS.match(call_name(n))):
        if not any(k.arg is None or k.arg in ("socket_timeout", "connection_pool") for k in call.keywords):
            return [Site("missing_timeout", call.lineno, f"`{call_text(call)}(...)` makes a client with no "
                         "`socket_timeout`: redis-py has none by default, so a command on it waits as long as the "
                         "server or the network does", "Pass `socket_timeout=` (and `socket_connect_timeout=`)")]
    return []


def timeout_sites(unit: Unit) -> list[Site]:
    raw = _raw_socket_waits(unit) or _reply_waits(unit) or _redis_untimed(unit)
    if raw:
        return raw
    limited = _made_with_timeout(unit)
    bounded = _bounded_waits(unit)
    timed_only: bool | None = None  # the module's imports, walked once and only when a call needs it
    for node in (n for n in unit.nodes if isinstance(n, ast.Call) and id(n) not in bounded):
        if _limit_off(node):
            return [Site("missing_timeout", node.lineno, f"`{call_text(node)}(...)` is given `timeout=None`, which "
                         "turns its time limit off", f"Give `{call_text(node)}` a finite timeout")]
        if not _blocking(node) or any(k.arg == "timeout" or k.arg is None for k in node.keywords):
            continue
        if isinstance(node.func, ast.Attribute) and node.func.attr != "communicate" and \
                not call_name(node).startswith(_BLOCKING):
            timed_only = _timed_clients_only(unit) if timed_only is None else timed_only
            if timed_only:
                continue
        if isinstance(node.func, ast.Attribute) and ast.unparse(node.func.value) in limited:
            continue  # ``conn = HTTPSConnection(host, timeout=5); conn.request(...)``: the connection has it
        return [Site("missing_timeout", node.lineno, f"`{call_text(node)}(...)` is called with no timeout",
                     f"Pass `timeout=` to `{call_text(node)}`")]
    return []
