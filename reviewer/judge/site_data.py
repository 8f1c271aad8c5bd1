"""Sites of the data-flow kinds: secrets written to logs, calls that can wait forever (cache keys that leave out
an input: :mod:`reviewer.judge.site_cache`).

Each finder returns the places where its kind is possible, with what it saw: a password passed to a log call, an
object that holds one logged whole, a request without ``timeout``.
"""

from __future__ import annotations

import ast
import re

from reviewer.judge.features import call_name
from reviewer.judge.site import LOG_CALLS, Site, call_text, parameters
from reviewer.judge.units import Unit

__all__ = ["logged_sites", "timeout_sites"]


# --- sensitive data logged --------------------------------------------------------------------------------------

_SENSITIVE = re.compile(r"pass(word|wd|phrase)?$|^pw$|(^|_)pwd$|secret|(^|_)token$|api_?key|credential|(^|_)creds?$"
                        r"|private_?key|(^|_)ssn$|card_?number|(^|_)cvv$|access_key|authorization|(^|_)auth$"
                        r"|(^|_)bearer$|(^|_)cookies?$|(^|_)headers$|session_?id$|(^|_)dsn$"
                        r"|conn(ection)?_?str(ing)?$|(^|_)signature$|(^|_)otp$"
                        r"|(stream|license|signing|encryption|master|session)_?key$", re.I)


_MASKING = re.compile(r"redact|mask|saniti[sz]e|scrub|obfuscate|censor|anonymi[sz]e|hide|strip_?(secret|auth|cred)",
                      re.I)
_MASK_TEXT = re.compile(r"redacted|\*\*\*|masked|hidden|censored", re.I)


def _masked(node: ast.AST) -> bool:
    """A value that masks what it shows: ``redact_dsn(dsn)``, ``{k: "<redacted>" if ... else v ...}``."""
    return any(isinstance(n, ast.Call) and _MASKING.search(call_name(n).rsplit(".", 1)[-1])
               or isinstance(n, ast.Constant) and isinstance(n.value, str) and _MASK_TEXT.search(n.value)
               for n in ast.walk(node))


def _sensitive_names(node: ast.AST) -> list[str]:
    """Sensitive-looking names among the values (``password``, ``self.token``, ``{"password": pw}``), unless the
    value masks them."""
    out: list[str] = []
    if _masked(node):
        return out
    called = {id(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
    for n in ast.walk(node):
        if id(n) in called:
            continue  # ``expect_token(t, s)`` calls a function; it passes no token
        leaf = n.id if isinstance(n, ast.Name) else n.attr if isinstance(n, ast.Attribute) else None
        if leaf and _SENSITIVE.search(leaf):
            out.append(ast.unparse(n))
        if isinstance(n, ast.Dict):
            out.extend(ast.unparse(v) for k, v in zip(n.keys, n.values) if isinstance(k, ast.Constant)
                       and isinstance(k.value, str) and _SENSITIVE.search(k.value) and not isinstance(v, ast.Constant))
    return out


_SECRET_FIELD = re.compile(r"pass(word|wd|phrase)?$|(^|_)pwd$|secret|(^|_)token$|api_?key|credential|private_?key"
                           r"|access_key", re.I)
_DATA_CLASSES = re.compile(r"(^|\.)(dataclass|NamedTuple|TypedDict|BaseModel|BaseSettings|define|frozen|attrs|s)$")


def _class_secrets(cls: ast.ClassDef) -> list[str]:
    """The secret fields of a data class (dataclass, NamedTuple, pydantic model, attrs) whose generated repr
    shows every field: not one that writes its own ``__repr__``/``__str__``, nor a field declared
    ``repr=False``."""
    marks = [ast.unparse(d.func if isinstance(d, ast.Call) else d) for d in cls.decorator_list]
    marks += [ast.unparse(b) for b in cls.bases]
    if not any(_DATA_CLASSES.search(m) for m in marks) or any(
            isinstance(n, ast.FunctionDef) and n.name in ("__repr__", "__str__") for n in cls.body):
        return []
    fields = [n.target.id for n in cls.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
              and not (isinstance(n.value, ast.Call) and any(k.arg == "repr" for k in n.value.keywords))]
    fields += [t.attr for n in ast.walk(cls) if isinstance(n, ast.Assign) for t in n.targets
               if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"]
    return [f for f in fields if _SECRET_FIELD.search(f)]


def _secret_holders(unit: Unit) -> dict[str, str]:
    """Objects in the unit that hold a secret, with one such field: ``config`` when the unit reads
    ``config.secret_key`` or ``config["password"]``, a parameter annotated with (or a name made from) a class of
    the file that has a ``password`` field, and ``self`` in such a class."""
    out: dict[str, str] = {}
    for n in unit.nodes:
        if isinstance(n, ast.Attribute) and _SECRET_FIELD.search(n.attr) and isinstance(n.value, ast.Name) and \
                n.value.id != "self":
            out.setdefault(n.value.id, ast.unparse(n))
        elif isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Constant) and isinstance(n.slice.value, str) \
                and _SECRET_FIELD.search(n.slice.value) and isinstance(n.value, (ast.Name, ast.Attribute)):
            out.setdefault(ast.unparse(n.value), ast.unparse(n))  # a dict's repr shows every entry
    classes = {c.name: fields for c in unit.source.tree.body if isinstance(c, ast.ClassDef)
               if (fields := _class_secrets(c))}
    for a in parameters(unit):
        cls = ast.unparse(a.annotation).strip("'\"") if a.annotation is not None else ""
        if cls in classes:
            out.setdefault(a.arg, f"{a.arg}.{classes[cls][0]}")
    for n in (n for n in unit.nodes if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)):
        cls = call_name(n.value)
        for t in (t for t in n.targets if isinstance(t, ast.Name) and cls in classes):
            out.setdefault(t.id, f"{t.id}.{classes[cls][0]}")
    if unit.class_node is not None and unit.class_node.name in classes:
        out.setdefault("self", f"self.{classes[unit.class_node.name][0]}")
    return out


def _whole(value: ast.AST) -> list[ast.AST]:
    """The objects a message shows whole: ``%r`` arguments, f-string fields, ``repr(x)``, ``vars(x)``,
    ``x.__dict__``."""
    if isinstance(value, ast.JoinedStr):
        return [w for f in value.values if isinstance(f, ast.FormattedValue) for w in _whole(f.value)]
    if isinstance(value, ast.Call) and call_name(value) in ("str", "repr", "vars", "asdict", "dataclasses.asdict",
                                                            "dict") and value.args:
        return _whole(value.args[0])
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "join" and \
            value.args:
        return _whole(value.args[0])  # ``" ".join(cmd)`` shows every item of ``cmd``
    if isinstance(value, ast.Attribute) and value.attr == "__dict__":
        return [value.value]
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mod):
        parts = value.right.elts if isinstance(value.right, ast.Tuple) else [value.right]
        return [w for p in parts for w in _whole(p)]
    return [value] if isinstance(value, (ast.Name, ast.Attribute)) else []


def _logged_values(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.Call) and call_name(node).rsplit(".", 1)[-1] in LOG_CALLS:
        return [*node.args, *(k.value for k in node.keywords)]
    if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
        return list(node.exc.args)
    return []


_SAYS_SECRET = re.compile(r"((pass(word|wd|phrase)|token|api[ _-]?key|secret|credentials?|private[ _-]?key)"
                          r"|(sign-?in|log-?in|verification|one[- ]time|security|reset|access|auth\w*|2fa|mfa)\s+"
                          r"(code|pin)(\s+is)?)\W{0,3}$", re.I)
_PLACEHOLDER = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdrifx]")
_AUTH_WORDS = re.compile(r"token|oauth|auth|login|credential|password", re.I)
_BODIES = frozenset({"text", "content", "json", "body"})


def _said_secret(values: list[ast.AST]) -> list[str]:
    """Values a message itself calls secret: ``f"unknown API key {presented!r}"``, ``("token %s", tok)``."""
    out = []
    for value in values:
        if isinstance(value, ast.JoinedStr):
            parts = value.values
            out += [ast.unparse(b.value) for a, b in zip(parts, parts[1:]) if isinstance(a, ast.Constant)
                    and isinstance(b, ast.FormattedValue) and _SAYS_SECRET.search(str(a.value))
                    and not isinstance(b.value, ast.Call)]  # ``{key_fingerprint(key)}`` shows something else
    first = values[0] if values else None
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        pieces = _PLACEHOLDER.split(first.value)
        out += [ast.unparse(arg) for piece, arg in zip(pieces, values[1:]) if _SAYS_SECRET.search(piece)
                and not isinstance(arg, ast.Call)]
    return out


def _auth_bodies(unit: Unit, values: list[ast.AST]) -> list[str]:
    """The body of a response (``response.text``, ``r.json()``) logged in a unit that asks for a token or logs in:
    such a body holds the token."""
    texts = [unit.qualname] + [n.value for n in unit.nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    if not any(_AUTH_WORDS.search(t) for t in texts):
        return []
    out = []
    for v in values:
        node = v.func if isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute) and not v.args else v
        if isinstance(node, ast.Attribute) and node.attr in _BODIES and isinstance(node.value, ast.Name) and \
                re.search(r"resp|response|^r$|reply|answer|result", node.value.id):
            out.append(ast.unparse(v))
    return out


def logged_sites(unit: Unit) -> list[Site]:
    """A password, token or key passed to a log call, print or an exception message, or an object that holds
    one, shown whole."""
    holders: dict[str, str] | None = None
    for node in unit.nodes:
        values = _logged_values(node)
        if not values:
            continue
        where = call_text(node) if isinstance(node, ast.Call) else "raise"
        names = [name for v in values for name in _sensitive_names(v)]
        names += [w for v in values for w in (ast.unparse(x) for x in _whole(v)) if _holds(unit, w)]
        if not names and not any(_masked(v) for v in values):
            said, bodies = _said_secret(values), _auth_bodies(unit, values)
            if said or bodies:
                name = (said or bodies)[0]
                what = "the message calls it a secret" if said else "it is the body of a token or login response"
                return [Site("sensitive_data_logged", node.lineno, f"`{name}` is passed to `{where}`, which writes it "
                             f"out, and {what}", f"Leave `{name}` out of the message (or mask it)")]
        if names:
            return [Site("sensitive_data_logged", node.lineno, f"`{names[0]}` is passed to `{where}`, which writes "
                         f"it out{_holds(unit, names[0])}", f"Leave `{names[0]}` out of the message (or mask it)")]
        holders = _secret_holders(unit) if holders is None else holders
        shown = [(ast.unparse(w), holders[ast.unparse(w)]) for v in values for w in _whole(v)
                 if ast.unparse(w) in holders]
        if shown:
            name, field_ = shown[0]
            return [Site("sensitive_data_logged", node.lineno, f"`{name}` is passed whole to `{where}`, which writes "
                         f"out its repr, and it holds `{field_}`",
                         f"Log only the fields of `{name}` that are safe (or give it a repr that masks `{field_}`)")]
    return []


_CARRIES = frozenset({"format", "join", "str", "repr", "quote", "quote_plus", "urlencode", "dict", "encode",
                      "b64encode", "urlunsplit", "urlunparse", "update"})


def _carried(value: ast.AST) -> ast.AST:
    """The value with the arguments of calls that do not carry their input into their result replaced
    (``expect_token(token, s)`` returns something else; ``f"...{key}"``, ``"&".join(...)`` and ``quote(key)``
    carry it)."""
    class Strip(ast.NodeTransformer):
        def visit_Call(self, node: ast.Call) -> ast.AST:
            if call_name(node).rsplit(".", 1)[-1] in _CARRIES:
                return self.generic_visit(node)
            return ast.Constant(value=None)
    return Strip().visit(ast.parse(ast.unparse(value), mode="eval").body)


def _helper_result(unit: Unit, value: ast.AST) -> ast.AST | None:
    """What ``self._headers()`` returns, for a method of the unit's class that is one ``return`` of a value."""
    if unit.class_node is None or not (isinstance(value, ast.Call) and call_name(value).startswith("self.")):
        return None
    name = call_name(value)[len("self."):]
    method = next((m for m in unit.class_node.body if isinstance(m, ast.FunctionDef) and m.name == name), None)
    returns = [r.value for r in ast.walk(method) if isinstance(r, ast.Return) and r.value is not None] if method else []
    return returns[0] if len(returns) == 1 else None


def _holds(unit: Unit, name: str, depth: int = 2) -> str:
    """``headers`` was set in the unit from something sensitive (or from a method of the class that returns
    something sensitive): say what it holds (``; `headers` holds `self.token` (line 4)``)."""
    for node in (n for n in unit.nodes if isinstance(n, ast.Assign) and not _masked(n.value)):
        if any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            value = _helper_result(unit, node.value) or node.value
            if _masked(value):
                continue
            inner = [n for n in _sensitive_names(_carried(value)) + _said_secret([value]) if n != name]
            keys = [k.value for d in ast.walk(value) if isinstance(d, ast.Dict) for k in d.keys
                    if isinstance(k, ast.Constant) and isinstance(k.value, str) and _SENSITIVE.search(k.value)]
            if inner or keys:
                held = f"the `{keys[0]}` entry" if keys else f"`{inner[0]}`"
                via = f" from `{ast.unparse(node.value)}`" if value is not node.value else ""
                return f"; `{name}` holds {held}" + (f" (`{inner[0]}`)" if keys and inner else "") + via + \
                    f" (line {node.lineno})"
            if depth > 1:  # ``cmd = [..., target]`` where ``target = f".../{stream_key}"``
                for other in {n.id for n in ast.walk(_carried(value)) if isinstance(n, ast.Name) and n.id != name}:
                    through = _holds(unit, other, depth - 1)
                    if through:
                        return f"; `{name}` holds `{other}` (line {node.lineno})" + through
    return ""


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
    """The module's HTTP library is httpx or aiohttp (default timeouts) and not requests or urllib3: a client it
    is handed is one of theirs."""
    mods = {a.name.split(".")[0] for n in ast.walk(unit.source.tree) if isinstance(n, ast.Import) for a in n.names}
    mods |= {(n.module or "").split(".")[0] for n in ast.walk(unit.source.tree) if isinstance(n, ast.ImportFrom)}
    return bool(mods & {"httpx", "aiohttp"}) and not mods & {"requests", "urllib3", "urllib", "http"}


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


def timeout_sites(unit: Unit) -> list[Site]:
    raw = _raw_socket_waits(unit) or _reply_waits(unit)
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
