"""Sites of sensitive data written out: a password, token or key passed to a log call, print or an exception
message, an object that holds one logged whole, or a value logged raw where the module masks values like it.
"""

from __future__ import annotations

import ast
import re

from reviewer.judge.features import call_name
from reviewer.judge.site import LOG_CALLS, Site, call_text, parameters
from reviewer.judge.units import Unit

__all__ = ["logged_sites"]


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


_CARD_KEYS = re.compile(r"^(card|card_number|cardnumber|pan|cvc|cvv|cvv2|security_code)$", re.I)
"""Keys of payment card data: a request payload's ``["card"]`` holds the number and the code."""
_TELLS_NOTHING = frozenset({"len", "bool", "type", "id", "hash", "isinstance", "callable", "hasattr"})


def _few_characters(node: ast.AST) -> bool:
    """``token[:8]``, ``key[-4:]``: a few characters of a token or key, the usual way to tell them apart in a log
    (not of a password or secret, where a few characters are a good part of it)."""
    if not (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice) and node.slice.step is None) or \
            re.search(r"pass|pwd|secret", ast.unparse(node.value), re.I):
        return False
    low, high = node.slice.lower, node.slice.upper
    bound = high if low is None else low if high is None else None
    value = bound.operand if isinstance(bound, ast.UnaryOp) and isinstance(bound.op, ast.USub) else bound
    return isinstance(value, ast.Constant) and type(value.value) is int and 0 < value.value <= 8 and (
        isinstance(bound, ast.UnaryOp) == (high is None))  # ``[:8]`` or ``[-4:]``; not ``[:-4]`` nor ``[8:]``


def _sensitive_names(node: ast.AST) -> list[str]:
    """Sensitive-looking names among the values (``password``, ``self.token``, ``{"password": pw}``), unless the
    value masks them."""
    out: list[str] = []
    if _masked(node):
        return out
    called = {id(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
    called |= {id(x) for n in ast.walk(node) if isinstance(n, ast.Call) and call_name(n) in _TELLS_NOTHING
               for a in n.args for x in ast.walk(a)}  # ``len(secret)`` shows a number, not the secret
    called |= {id(x) for n in ast.walk(node) if _few_characters(n) for x in ast.walk(n.value)}
    for n in ast.walk(node):
        if id(n) in called:
            continue  # ``expect_token(t, s)`` calls a function; it passes no token
        leaf = n.id if isinstance(n, ast.Name) else n.attr if isinstance(n, ast.Attribute) else None
        if leaf and _SENSITIVE.search(leaf):
            out.append(ast.unparse(n))
        if isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Constant) and isinstance(n.slice.value, str) and (
                _SENSITIVE.search(n.slice.value) or _CARD_KEYS.match(n.slice.value)):
            out.append(ast.unparse(n))  # ``payload['card']``, ``form["password"]``
        if isinstance(n, ast.Dict):
            out.extend(ast.unparse(v) for k, v in zip(n.keys, n.values) if isinstance(k, ast.Constant)
                       and isinstance(k.value, str) and _SENSITIVE.search(k.value) and not isinstance(v, ast.Constant))
    return out


_SECRET_FIELD = re.compile(r"pass(word|wd|phrase)?$|(^|_)pwd$|secret|(^|_)token$|api_?key|credential|private_?key"
                           r"|access_key|(^|_)(ssn|mrn|dob|date_of_birth|birth_date|passport(_no|_number)?|national_id"
                           r"|tax_id|card_number|cvv|cvc|iban|medical_record(_number)?)$|^patient_(name|mrn)$", re.I)
"""Fields a data class's repr must not show: secrets, and personal data that identifies someone (a record number,
a birth date, a card number)."""
_DATA_CLASSES = re.compile(r"(^|\.)(dataclass|NamedTuple|TypedDict|BaseModel|BaseSettings|define|frozen|attrs|s)$")


def _class_secrets(cls: ast.ClassDef, dumped: bool = False) -> list[str]:
    """The secret fields of a data class (dataclass, NamedTuple, pydantic model, attrs) whose generated repr
    shows every field: not one that writes its own ``__repr__``/``__str__``, nor a field declared
    ``repr=False``. ``dumped``: shown through ``asdict()``/``vars()``, which ignore both."""
    marks = [ast.unparse(d.func if isinstance(d, ast.Call) else d) for d in cls.decorator_list]
    marks += [ast.unparse(b) for b in cls.bases]
    if not any(_DATA_CLASSES.search(m) for m in marks) or not dumped and any(
            isinstance(n, ast.FunctionDef) and n.name in ("__repr__", "__str__") for n in cls.body):
        return []
    fields = [n.target.id for n in cls.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
              and (dumped or not (isinstance(n.value, ast.Call) and any(k.arg == "repr" for k in n.value.keywords)))]
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
    return _dumped_whole(unit) or _connection_url_logged(unit) or _signed_url_logged(unit) or _raw_beside_masked(unit)


_SIGNS = re.compile(r"(^|\.|_)(generate_presigned_url|generate_presigned_post|presign\w*|signed_url|sign_url|"
                    r"generate_signed_url|create_signed_url)$")


def _signed_url_logged(unit: Unit) -> list[Site]:
    """``url = s3.generate_presigned_url(...)`` and ``log.info("link: %s", url)``: a presigned URL is a credential
    of its own; whoever reads the log can use it until it expires."""
    signed = {t.id: call_text(n.value) for n in unit.nodes if isinstance(n, ast.Assign) and isinstance(
        n.value, ast.Call) and _SIGNS.search(call_name(n.value)) for t in n.targets if isinstance(t, ast.Name)}
    if not signed:
        return []
    for node in unit.nodes:
        for raw in (w for v in _logged_values(node) for w in _whole(v)):
            if ast.unparse(raw) in signed and not isinstance(node, ast.Raise):
                text = ast.unparse(raw)
                return [Site("sensitive_data_logged", node.lineno, f"`{text}` comes from `{signed[text]}`, a URL "
                             f"that grants access to whoever holds it until it expires, and `{call_text(node)}` "
                             "writes it out", "Log what the link is for (bucket, key, expiry), not the link")]
    return []


_DUMPS = frozenset({"asdict", "dataclasses.asdict", "vars", "attrs.asdict", "attr.asdict"})


def _dumped_whole(unit: Unit) -> list[Site]:
    """``log.info("%s", dataclasses.asdict(settings))``: ``asdict()`` and ``vars()`` copy every field, those a
    ``field(repr=False)`` keeps out of the repr too, so the secrets of a settings class are written out."""
    dumped = [(node, v.args[0]) for node in unit.nodes for v in _logged_values(node)
              if isinstance(v, ast.Call) and call_name(v) in _DUMPS and v.args]
    if not dumped:
        return []
    classes = {c.name: fields for c in unit.source.tree.body if isinstance(c, ast.ClassDef)
               if (fields := _class_secrets(c, dumped=True))}
    kinds = {a.arg: ast.unparse(a.annotation).strip("'\"") for a in parameters(unit) if a.annotation is not None}
    kinds |= {t.id: call_name(n.value) for n in unit.nodes if isinstance(n, ast.Assign) and isinstance(
        n.value, ast.Call) for t in n.targets if isinstance(t, ast.Name)}
    for node, obj in dumped:
        fields = classes.get(kinds.get(ast.unparse(obj), ""), [])
        if fields:
            where = call_text(node) if isinstance(node, ast.Call) else "raise"
            return [Site("sensitive_data_logged", node.lineno, f"every field of `{ast.unparse(obj)}` is written out by "
                         f"`{where}`, `{fields[0]}` among them: `asdict()` and `vars()` ignore `repr=False`",
                         "Log only the fields that are safe (or a redacted copy)")]
    return []


_FOR_LOGS = re.compile(r"\b(for|in|into) (the )?(logs?|logging|error messages?)\b|can be (logged|shown|printed)"
                       r"|safe to (log|show|print)", re.I)
_LEAVES_OUT = re.compile(r"\b(without|mask|redact|hid(e|es|den)|strip|remov|replac)|\*\*\*", re.I)
_MASKER = re.compile(r"_?(redact|mask|saniti[sz]e|scrub|obfuscate|censor|anonymi[sz]e|safe_"
                     r"|(strip|hide)_?(secrets?|auth|creds?|credentials|passwords?|userinfo|tokens?))", re.I)
_KIN = frozenset({"url", "uri", "dsn", "email", "phone", "address", "endpoint", "webhook", "callback", "target"})
"""Last words of names that hold the same kind of value (``redis_url``, ``database_url``): where the module masks one
of them, the others need it too. Other words (``name``, ``path``) say nothing about what a value holds."""


def _masking_helpers(tree: ast.Module) -> set[str]:
    """Functions the module defines or imports to mask what it logs: named so (``redact_url``, ``safe_target``) or
    whose docstring says the result is for logs."""
    out = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names
           if _MASKER.match(a.name)}
    return out | {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
        _MASKER.match(n.name) or _FOR_LOGS.search(doc := ast.get_docstring(n) or "") and _LEAVES_OUT.search(doc))}


def _masked_values(tree: ast.Module, helpers: set[str]) -> tuple[set[str], set[str]]:
    """What the module passes to its masking helpers: the values as text, and the last words of their names."""
    texts = {ast.unparse(a) for n in ast.walk(tree) if isinstance(n, ast.Call)
             and call_name(n).rsplit(".", 1)[-1] in helpers for a in n.args if isinstance(a, (ast.Name, ast.Attribute))}
    return texts, {w for t in texts if (w := t.rsplit(".", 1)[-1].rsplit("_", 1)[-1].lower()) in _KIN}


def _raw_beside_masked(unit: Unit) -> list[Site]:
    """``logger.info("... %s %s", database_url, redact_url(redis_url))``: the module masks values like the one this
    message shows raw (the same value, or one whose name ends the same way: ``*_url``)."""
    shown = [(node, raw) for node in unit.nodes for v in _logged_values(node) for raw in _whole(v)]
    if not shown:
        return []  # most units log nothing: the module is not walked for them
    helpers = _masking_helpers(unit.source.tree)
    texts, words = _masked_values(unit.source.tree, helpers) if helpers else (set(), set())
    if not texts:
        return []
    masked_here = {ast.unparse(t) for n in unit.nodes if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)
                   and call_name(n.value).rsplit(".", 1)[-1] in helpers for t in n.targets}  # ``url = redact(url)``
    for node, raw in shown:
        text = ast.unparse(raw)
        word = text.rsplit(".", 1)[-1].rsplit("_", 1)[-1].lower()
        same = text in texts and ("." in text or word in _KIN)  # a bare local (``value``) in another function
        if (same or word in words) and text not in masked_here:
            where = call_text(node) if isinstance(node, ast.Call) else "raise"
            carries = "; a connection URL carries its password when it has one (`scheme://user:password@host`)" \
                if word in ("url", "uri", "dsn") else ""
            return [Site("sensitive_data_logged", node.lineno, f"`{text}` is passed raw to `{where}`, which writes "
                         f"it out, where the module masks values like it ({_kin_said(texts, text, word)}) before "
                         f"they are shown{carries}", f"Mask `{text}` here too")]
    return []


_CONNECTS = re.compile(r"(^|\.)(from_url|create_engine|create_async_engine|URLParameters|MongoClient|"
                       r"AsyncIOMotorClient|(psycopg2?|asyncpg|pymysql|aiomysql|aiopg|mysql\.connector)\.(connect|"
                       r"create_pool)|create_pool|StrictRedis\.from_url)$")
"""Calls given a connection URL or DSN, which carries the password when there is one (``redis://:pw@host``)."""


def _connection_url_logged(unit: Unit) -> list[Site]:
    """``client = redis.Redis.from_url(url)`` and ``log.info("connecting to %s", url)``: the connection URL,
    password and all, written out raw."""
    given = {ast.unparse(a): call_text(c) for c in unit.nodes if isinstance(c, ast.Call) and _CONNECTS.search(
        call_name(c)) for a in [*c.args[:1], *(k.value for k in c.keywords if k.arg in ("url", "dsn"))]
        if isinstance(a, (ast.Name, ast.Attribute))}
    if not given:
        return []
    for node in unit.nodes:
        for raw in (w for v in _logged_values(node) for w in _whole(v)):
            if ast.unparse(raw) in given:
                text, where = ast.unparse(raw), call_text(node) if isinstance(node, ast.Call) else "raise"
                return [Site("sensitive_data_logged", node.lineno, f"`{text}` is the connection URL given to "
                             f"`{given[text]}`, which carries the password when there is one (`scheme://user:"
                             f"password@host`), and `{where}` writes it out raw", f"Log the URL without its "
                             "password (its host and port, or a redacted copy)")]
    return []


def _kin_said(texts: set[str], text: str, word: str) -> str:
    same = text if text in texts else sorted(t for t in texts if t.lower().endswith(word))[0]
    return f"`{same}` elsewhere" if same == text else f"`{same}`"


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


_AUTH_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "x-auth-token"})


def _entry_held(unit: Unit, name: str) -> str:
    """``payload['card']`` where the unit built ``payload = {"card": {"number": number, "cvc": cvc}}``: say so."""
    try:
        sub = ast.parse(name, mode="eval").body
    except SyntaxError:
        return ""
    if not (isinstance(sub, ast.Subscript) and isinstance(sub.slice, ast.Constant)):
        return ""
    for node in (n for n in unit.nodes if isinstance(n, ast.Assign) and isinstance(n.value, ast.Dict)
                 and any(ast.unparse(t) == ast.unparse(sub.value) for t in n.targets)):
        for k, v in zip(node.value.keys, node.value.values):
            if isinstance(k, ast.Constant) and k.value == sub.slice.value:
                return f"; `{name}` holds `{ast.unparse(v)[:80]}` (line {node.lineno})"
    return ""


def _holds(unit: Unit, name: str, depth: int = 2) -> str:
    """``headers`` was set in the unit from something sensitive (or from a method of the class that returns
    something sensitive): say what it holds (``; `headers` holds `self.token` (line 4)``)."""
    if "[" in name and (held := _entry_held(unit, name)):
        return held
    if name.endswith("request.headers"):  # what was sent: the headers the unit gave the request
        sent = next((f"; the request was sent with `{ast.unparse(t)}` (line {n.lineno}), whose `{k.value}` entry "
                     f"holds `{ast.unparse(v)[:60]}`" for n in unit.nodes if isinstance(n, ast.Assign)
                     and isinstance(n.value, ast.Dict) for t in n.targets for k, v in zip(n.value.keys, n.value.values)
                     if isinstance(k, ast.Constant) and str(k.value).lower() in _AUTH_HEADERS), None)
        if sent:
            return sent
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
