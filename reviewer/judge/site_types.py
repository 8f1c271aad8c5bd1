"""Sites of units and types mixed up: seconds with milliseconds, bytes with text, a number with text, naive with
aware datetimes, a keyword that names its unit given another.
"""

from __future__ import annotations

import ast
import re

from reviewer.judge.features import call_name
from reviewer.judge.site import Site, call_text, docstring, parameters
from reviewer.judge.units import Unit

__all__ = ["ENV_READS", "converted", "datetime_family", "family", "unit_mix_sites"]


# --- units and types mixed up -----------------------------------------------------------------------------------

_FAMILIES: list[tuple[str, re.Pattern[str]]] = [
    ("milliseconds", re.compile(r"(^|_)(ms|msec|millis|milliseconds?)$", re.I)),
    ("seconds", re.compile(r"(^|_)(s|sec|secs|seconds?)$|^(time\.time|time\.monotonic|time\.perf_counter)\(\)$"
                           r"|(^|\.)(getmtime|getctime|getatime)\(|^st_[mca]time$", re.I)),
    ("datetimes", re.compile(r"^(datetime\.)?(datetime\.)?(now|utcnow|today|fromtimestamp|fromisoformat)\(", re.I)),
    ("timedeltas", re.compile(r"^(datetime\.)?timedelta\(", re.I)),
    ("minutes", re.compile(r"(^|_)(min|mins|minutes?)$", re.I)),
    ("hours", re.compile(r"(^|_)(hrs|hours?)$", re.I)),
    ("days", re.compile(r"(^|_)(days?)$", re.I)),
    ("nanoseconds", re.compile(r"(^|_)(ns|nanos|nanoseconds?)$|^time\.(time|monotonic|perf_counter)_ns\(\)$", re.I)),
    ("bytes", re.compile(r"(^|_)(bytes|nbytes)$|^st_size$|(^|\.)getsize\(", re.I)),
    ("kilobytes", re.compile(r"(^|_)(kb|kib|kilobytes)$", re.I)),
    ("megabytes", re.compile(r"(^|_)(mb|mib|megabytes)$", re.I)),
    ("gigabytes", re.compile(r"(^|_)(gb|gib|gigabytes)$", re.I)),
    ("bits per second", re.compile(r"(^|_)(bps|bits_per_second)$", re.I)),
    ("kilobits per second", re.compile(r"(^|_)(kbps|kbits?)$", re.I)),
]
_SUFFIXES = {"ms": "milliseconds", "s": "seconds", "sec": "seconds", "min": "minutes", "h": "hours",
             "ns": "nanoseconds", "k": "kilo", "kb": "kilo", "kib": "kilo", "kbps": "kilo", "kbit": "kilo",
             "mb": "megabytes", "mib": "megabytes", "gb": "gigabytes", "b": "bytes", "bps": "bits per second"}
"""Units written after a number in text (``f"{delay}ms"``, ``f"{rate}k"``), by the family of the number they need."""
_KILO = frozenset({"kilobytes", "kilobits per second"})
_KEYWORD_UNITS = {"seconds": "seconds", "minutes": "minutes", "hours": "hours", "days": "days",
                  "milliseconds": "milliseconds", "timeout": "seconds"}
"""Keyword arguments that name their unit (``timedelta(seconds=...)``; a ``timeout=`` is in seconds)."""
_CONVERSIONS = frozenset({24, 60, 1000, 1e3, 1e6, 1e9, 1024, 1_000_000, 3600, 86400, 0.001, 1e-3, 1e-6, 1e-9})
_TIME_CALLS = ("time.sleep", "sleep")


def datetime_family(node: ast.AST) -> str | None:
    """``datetime.now()``, ``utcnow()``, ``fromtimestamp(t)`` are naive; with a tz argument, aware. Subtracting or
    comparing one with the other raises TypeError."""
    if not isinstance(node, ast.Call):
        return None
    name = call_name(node)
    leaf = name.rsplit(".", 1)[-1]
    if "datetime" not in name or leaf not in ("now", "utcnow", "today", "fromtimestamp", "utcfromtimestamp",
                                              "combine"):
        return None
    aware = leaf == "now" and (node.args or node.keywords) or leaf == "fromtimestamp" and (
        len(node.args) > 1 or any(k.arg == "tz" for k in node.keywords)) or leaf == "combine" and (
        len(node.args) > 2 or any(k.arg == "tzinfo" for k in node.keywords))
    return "aware datetimes" if aware else "naive datetimes"


def family(node: ast.AST) -> str | None:
    dated = datetime_family(node)
    if dated:
        return dated
    text = ast.unparse(node)
    leaf = text if text.endswith("()") else text.rsplit(".", 1)[-1]
    for name, pattern in _FAMILIES:
        if pattern.search(leaf) or pattern.search(text):
            return name
    return None


def converted(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Constant) and n.value in _CONVERSIONS and not isinstance(n.value, bool)
               for n in ast.walk(node))


def _operands(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        return _operands(node.left) + _operands(node.right)
    return [node]


_TEXT_SOURCES = re.compile(r"^(os\.environ\.get|os\.getenv|input|environ\.get|getenv)$|\.(read|readline|decode|"
                           r"strip|getvalue)$|^sys\.argv|(^|\.)(args|form|headers|params|query_params)\.get$")


def _text_source(node: ast.AST) -> bool:
    """A value that is text whatever it holds: an environment variable, input(), a line read, argv, a form field."""
    if isinstance(node, ast.Subscript):
        return ast.unparse(node.value) in ("sys.argv", "os.environ")
    return isinstance(node, ast.Call) and bool(_TEXT_SOURCES.search(call_name(node)))


def _numeric(node: ast.AST) -> bool:
    """A value that is a number whatever its inputs: ``len()``, ``int()``, ``float()``, ``sum()``, ``round()``."""
    return isinstance(node, ast.Call) and call_name(node) in ("len", "int", "float", "sum", "round", "abs")


def _text_vs_number(unit: Unit) -> list[Site]:
    """``os.environ.get("N") == 1``: text compared with a number is never equal (or raises on < and >)."""
    out = []
    for node in (n for n in unit.nodes if isinstance(n, ast.Compare)):
        sides = [node.left, *node.comparators]
        numbers = [x for x in sides if isinstance(x, ast.Constant) and isinstance(x.value, (int, float))
                   and not isinstance(x.value, bool)]
        texts = [x for x in sides if _text_source(x)]
        if not (numbers and texts) and isinstance(node.ops[0], (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)):
            numbers = [x for x in sides if _numeric(x)]  # ``len(parts) == "3"``, ``int(v) > "10"``
            texts = [x for x in sides if isinstance(x, ast.Constant) and isinstance(x.value, str)]
            numbers, texts = (texts, numbers) if numbers and texts else ([], [])
        if numbers and texts:
            out.append(Site("type_confusion", node.lineno, f"`{ast.unparse(texts[0])}` is text and is compared with "
                            f"the number {ast.unparse(numbers[0])}", f"Convert `{ast.unparse(texts[0])}` with int() "
                            "(handling a bad value) before comparing"))
    return out


_TEXT_MODE = frozenset({"text", "universal_newlines", "encoding", "errors"})
_BYTES_CALLS = re.compile(r"(^|\.)(recv|recvfrom|read_bytes|b64decode|urlsafe_b64decode|digest|encode)$")


def _bytes_names(unit: Unit) -> dict[str, str]:
    """Names bound to bytes, with the expression that reads them as text would: ``done = subprocess.run(...,
    capture_output=True)`` (no ``text=``) makes ``done.stdout`` bytes; ``data = sock.recv(64)`` makes ``data``."""
    out: dict[str, str] = {}
    for node in (n for n in unit.nodes if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)):
        call, name = node.value, call_name(node.value)
        targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
        if not targets or any(k.arg in _TEXT_MODE or k.arg is None for k in call.keywords):
            continue
        if name in ("subprocess.run", "run") and any(k.arg in ("capture_output", "stdout") for k in call.keywords):
            out.update({f"{t}.stdout": name for t in targets} | {f"{t}.stderr": name for t in targets})
        elif name in ("subprocess.check_output", "check_output") or _BYTES_CALLS.search(name):
            out.update({t: name for t in targets})
    return out


_BYTES_RESULT = re.compile(r"(^|\.)(digest|encode|read_bytes|recv|recv_into|recvfrom|b64decode|urlsafe_b64decode"
                           r"|b64encode|pack|getbuffer|tobytes)$")
_TEXT_RESULT = re.compile(r"(^|\.)(hexdigest|decode|read_text|getvalue_text|hex|isoformat|strftime|str|repr"
                          r"|format|join)$")
_SAME = ("strip", "rstrip", "lstrip", "lower", "upper", "casefold", "splitlines")


_ANNOTATED = {"bytes": "bytes", "str": "text", "int": "a number", "float": "a number", "Path": "a path",
              "pathlib.Path": "a path"}
_NEVER_EQUAL = ({"bytes", "text"}, {"a number", "text"}, {"a path", "text"})


def _binary_mode(call: ast.AST) -> bool:
    """``open(p, "rb")``, ``path.open("rb")``, ``open(p, mode="wb")``: a file opened in binary mode."""
    if not isinstance(call, ast.Call) or call_name(call).rsplit(".", 1)[-1] not in ("open", "fdopen"):
        return False
    modes = [*call.args[:2], *(k.value for k in call.keywords if k.arg == "mode")]
    return any(isinstance(m, ast.Constant) and isinstance(m.value, str) and "b" in m.value
               and set(m.value) <= set("rwxab+t") for m in modes)


def _binary_reads(unit: Unit) -> dict[str, str]:
    """``fh.read(4)`` and ``fh.readline()`` inside ``with open(p, "rb") as fh:``, which give bytes (a name the unit
    also binds to anything else is left alone)."""
    bindings: dict[str, list[ast.AST]] = {}
    for n in unit.nodes:
        if isinstance(n, (ast.With, ast.AsyncWith)):
            for item in (i for i in n.items if isinstance(i.optional_vars, ast.Name)):
                bindings.setdefault(item.optional_vars.id, []).append(n if _binary_mode(item.context_expr) else item)
        elif isinstance(n, ast.Assign):
            for t in (t for t in n.targets if isinstance(t, ast.Name)):
                bindings.setdefault(t.id, []).append(n)
    out: dict[str, str] = {}
    for name, binds in bindings.items():
        if len(binds) != 1 or not isinstance(binds[0], (ast.With, ast.AsyncWith)):
            continue
        out |= {ast.unparse(r): "bytes" for r in ast.walk(binds[0]) if isinstance(r, ast.Call)
                and isinstance(r.func, ast.Attribute) and r.func.attr in ("read", "readline", "read1")
                and isinstance(r.func.value, ast.Name) and r.func.value.id == name}
    return out


def _bound_kinds(unit: Unit) -> dict[str, str]:
    """Names bound to bytes or to text in the unit (``data = sock.recv(64)``, ``want = h.hexdigest()``,
    ``magic = fh.read(4)`` of a file opened "rb"), and ``done.stdout`` for a command run without ``text=True``."""
    out = {name: "bytes" for name in _bytes_names(unit)} | _binary_reads(unit)
    for a in parameters(unit):
        kind = _ANNOTATED.get(ast.unparse(a.annotation)) if a.annotation is not None else None
        if kind:
            out[a.arg] = kind  # ``dest: Path`` is a path whatever the caller passes
    for node in (n for n in unit.nodes if isinstance(n, ast.Assign) and len(n.targets) == 1):
        target = node.targets[0]
        if isinstance(target, ast.Name) and target.id not in out:
            kind = _value_kind(node.value, out)
            if kind:
                out[target.id] = kind
    return out


def _value_kind(node: ast.AST, names: dict[str, str]) -> str | None:
    """"bytes", "text" or None (unknown) for a value."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _SAME:
        node = node.func.value
    if isinstance(node, ast.Constant):
        if isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return "a number"
        return "bytes" if isinstance(node.value, bytes) else "text" if isinstance(node.value, str) else None
    if isinstance(node, ast.JoinedStr):
        return "text"
    text = ast.unparse(node)
    if text in names:
        return names[text]
    if isinstance(node, ast.Call):
        name = call_name(node)
        if _BYTES_RESULT.search(name) or name == "bytes":
            return "bytes"
        if _TEXT_RESULT.search(name):
            return "text"
    return None


def _bytes_vs_text(unit: Unit) -> list[Site]:
    """Bytes compared with (or searched for) text: ``done.stdout.strip() == "ready"`` is never true when the
    command ran without ``text=True``; ``h.digest() == expected_hex`` never holds; ``data.startswith("OK")``
    raises TypeError."""
    names = _bound_kinds(unit)
    for node in unit.nodes:
        pairs: list[tuple[ast.AST, ast.AST]] = []
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and not isinstance(node.ops[0], (ast.Is, ast.IsNot)):
            pairs = [(node.left, node.comparators[0])]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args and \
                node.func.attr in ("startswith", "endswith", "split", "find", "count", "replace"):
            pairs = [(node.func.value, node.args[0])]
        for one, other in pairs:
            kind_one, kind_other = _value_kind(one, names), _value_kind(other, names)
            if {kind_one, kind_other} in _NEVER_EQUAL:
                return [Site("type_confusion", node.lineno, f"`{ast.unparse(one)}` is {kind_one} and "
                             f"`{ast.unparse(other)}` is {kind_other}: they never compare equal (and an ordering or a "
                             "search between them raises TypeError)",
                             f"Convert `{ast.unparse(one)}` or `{ast.unparse(other)}` so both sides are the same type")]
    return []


def _scaled_unnamed(unit: Unit, arg: ast.AST) -> Site | None:
    """``time.sleep(wait / 1000)`` where nothing says ``wait`` is in milliseconds: if it is already in seconds
    (a ``Retry-After`` header, a ``*_s`` setting) the sleep is a thousand times too short."""
    if not (isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Div) and isinstance(arg.right, ast.Constant)
            and arg.right.value in (1000, 1e3)):
        return None
    named = family(arg.left)
    if named == "milliseconds":
        return None
    name = ast.unparse(arg.left)
    source = next((n for n in unit.nodes if isinstance(n, ast.Assign) and any(
        ast.unparse(t) == name for t in n.targets)), None)
    origin = f"; `{name}` is set from `{ast.unparse(source.value)}` (line {source.lineno})" if source else ""
    said = f"`{name}` is in {named}" if named else f"nothing in its name says `{name}` is in milliseconds"
    return Site("type_confusion", arg.lineno, f"`{ast.unparse(arg)}` converts `{name}` from milliseconds to "
                f"seconds, but {said}{origin}", f"Pass `{name}` in seconds if it already is")


_NEEDS_NUMBER = frozenset({"range", "time.sleep", "sleep", "math.ceil", "math.floor"})
_NEEDS_BYTES = re.compile(r"^(hmac\.new|hmac\.digest|hashlib\.\w+|base64\.\w*b64encode|zlib\.compress|"
                          r"zlib\.crc32|binascii\.\w+)$|\.(sendall|send)$")


def _text_names(unit: Unit) -> dict[str, ast.AST]:
    """Names every assignment of which in the unit is text from outside (``os.environ.get("N", 3)``,
    ``os.environ["KEY"]``, ``input()``, ``sys.argv[1]``), with that source."""
    sources: dict[str, list[ast.AST]] = {}
    for node in (n for n in unit.nodes if isinstance(n, (ast.Assign, ast.AnnAssign, ast.AugAssign))):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for t in (t for t in targets if isinstance(t, ast.Name)):
            sources.setdefault(t.id, []).append(node.value if node.value is not None else t)
    return {name: values[0] for name, values in sources.items() if all(_outside_text(v) for v in values)}


ENV_READS = ("os.environ.get", "os.getenv", "environ.get", "getenv")
"""Calls that read an environment variable: text, whatever it holds."""


def _outside_text(node: ast.AST) -> bool:
    """Text whatever it holds and from outside the program: an environment variable, ``input()``, argv."""
    if isinstance(node, ast.Subscript):
        return ast.unparse(node.value) in ("sys.argv", "os.environ")
    return isinstance(node, ast.Call) and call_name(node) in (*ENV_READS, "input")


def _text_misused(unit: Unit) -> list[Site]:
    """Text from the environment or the command line used as a number (``range(n)``, ``n - 1``, ``sleep(n)``,
    ``timeout=n``) or as bytes (``hmac.new(secret, ...)``): a TypeError, or the wrong value, at run time."""
    names = _text_names(unit)
    if not names:
        return []
    for node in unit.nodes:
        used: list[tuple[ast.AST, str]] = []
        if isinstance(node, ast.Call):
            name = call_name(node)
            if name in _NEEDS_NUMBER:
                used = [(a, "a number") for a in node.args[:1]]
            elif _NEEDS_BYTES.search(name):
                used = [(a, "bytes") for a in node.args[:1]]
            used += [(k.value, "a number") for k in node.keywords if k.arg == "timeout"]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Sub, ast.Div, ast.FloorDiv, ast.Pow)):
            used = [(x, "a number") for x in (node.left, node.right)]
        for value, wanted in used:
            if isinstance(value, ast.Name) and value.id in names:
                source = names[value.id]
                return [Site("type_confusion", node.lineno, f"`{value.id}` is text (`{ast.unparse(source)[:60]}`, "
                             f"line {source.lineno}) and is used as {wanted} in `{ast.unparse(node)[:80]}`",
                             f"Convert `{value.id}` ({'int()' if wanted == 'a number' else '.encode()'}) where it is "
                             "read, handling a bad value")]
    return []


def _keyword_mix(node: ast.Call) -> Site | None:
    """``timedelta(seconds=ttl_ms)``, ``requests.get(url, timeout=timeout_ms)``: a keyword that names its unit given
    a value of another."""
    for k in node.keywords:
        wanted = _KEYWORD_UNITS.get(k.arg or "")
        if wanted is None or converted(k.value):
            continue
        given = {f for o in _operands(k.value) if (f := family(o))}
        if given and wanted not in given:
            return Site("type_confusion", node.lineno, f"`{k.arg}=` takes {wanted} and is given "
                        f"`{ast.unparse(k.value)}`, in {' and '.join(sorted(given))}",
                        f"Convert `{ast.unparse(k.value)}` to {wanted} before passing it as `{k.arg}=`")
    return None


def _suffix_mix(unit: Unit) -> list[Site]:
    """``f"{bitrate_bps}k"``, ``f"{delay_s}ms"``: a number named for one unit written out with another's suffix."""
    for text in (n for n in unit.nodes if isinstance(n, ast.JoinedStr)):
        for value, after in zip(text.values, text.values[1:]):
            if not (isinstance(value, ast.FormattedValue) and isinstance(value.value, (ast.Name, ast.Attribute))
                    and isinstance(after, ast.Constant)):
                continue
            word = re.match(r"[a-zA-Z]+", str(after.value))
            named, wanted = family(value.value), _SUFFIXES.get(word.group(0).lower()) if word else None
            if named and wanted and named != wanted and not (wanted == "kilo" and named in _KILO):
                return [Site("type_confusion", text.lineno, f"`{ast.unparse(value.value)}` is in {named}, and the "
                             f"text writes it with the unit `{word.group(0) if word else ''}`",
                             f"Convert `{ast.unparse(value.value)}` to the unit the text names")]
    return []


_HASHES_BYTES = re.compile(r"^(hashlib\.(md5|sha1|sha224|sha256|sha384|sha512|sha3_\w+|blake2[bs])|hmac\.(new|digest)|"
                           r"base64\.(b64encode|urlsafe_b64encode|standard_b64encode|b32encode|b16encode|b85encode)|"
                           r"zlib\.(compress|crc32|adler32)|binascii\.(crc32|hexlify|b2a_\w+))$")


def _text_kind(node: ast.AST, names: dict[str, str]) -> bool:
    """Text for sure: what :func:`_value_kind` calls text (not a join or format of bytes), or ``json.dumps()``."""
    if isinstance(node, ast.Call) and call_name(node) == "json.dumps":
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(
            node.func.value, ast.Constant) and isinstance(node.func.value.value, bytes):
        return False  # ``b"".join(parts)``
    return _value_kind(node, names) == "text"


def _returns_str(unit: Unit, value: ast.AST) -> bool:
    """``self._string_to_sign(...)`` where the class's method is declared ``-> str`` (or a function of the module)."""
    if not isinstance(value, ast.Call):
        return False
    name = call_name(value)
    scope = unit.class_node if name.startswith("self.") and unit.class_node is not None else unit.source.tree
    leaf = name.removeprefix("self.")
    return any(isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and f.name == leaf and f.returns is not None
               and ast.unparse(f.returns) == "str" for f in getattr(scope, "body", []))


def _text_hashed(unit: Unit) -> list[Site]:
    """``hashlib.sha256(json.dumps(meta))``, ``hmac.new(secret_str, ...)``, ``base64.b64encode(f"{u}:{p}")``: these
    take bytes, and text raises TypeError."""
    names = _bound_kinds(unit)
    names |= {t.id: "text" for n in unit.nodes if isinstance(n, ast.Assign) for t in n.targets
              if isinstance(t, ast.Name) and t.id not in names
              and (_text_kind(n.value, {}) or _returns_str(unit, n.value))}
    for node in (n for n in unit.nodes if isinstance(n, ast.Call) and _HASHES_BYTES.search(call_name(n))):
        for arg in node.args[:2 if call_name(node).startswith("hmac.") else 1]:
            if _text_kind(arg, names):
                return [Site("type_confusion", node.lineno, f"`{call_text(node)}` takes bytes, and "
                             f"`{ast.unparse(arg)[:60]}` is text (str): that raises TypeError",
                             f"Encode it first: `{ast.unparse(arg)[:40]}.encode()`")]
    return []


CLOCKS = ("time.time", "time.monotonic", "time.perf_counter", "monotonic", "perf_counter")
"""Calls that read a clock in seconds."""


def _clock_names(unit: Unit) -> dict[str, str]:
    """Names the unit sets from a clock in seconds: ``now = time.monotonic() if now is None else now``."""
    out = {}
    for n in (n for n in unit.nodes if isinstance(n, ast.Assign) and len(n.targets) == 1
              and isinstance(n.targets[0], ast.Name)):
        value = n.value.body if isinstance(n.value, ast.IfExp) else n.value
        if isinstance(value, ast.Call) and call_name(value) in CLOCKS:
            out[n.targets[0].id] = "seconds"
    return out


_DATED = frozenset({"naive datetimes", "aware datetimes", "datetimes", "days"})

def unit_mix_sites(unit: Unit) -> list[Site]:
    """Seconds added to or compared with milliseconds (or minutes, bytes...), or a sleep given milliseconds."""
    out = _suffix_mix(unit)
    clocked: dict[str, str] | None = None  # names set from a clock, found once and only when a unit needs them
    for node in unit.nodes:
        if isinstance(node, ast.Call) and (mixed := _keyword_mix(node)) is not None:
            out.append(mixed)
            continue
        sides: list[ast.AST] = []
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            sides = [node]
        elif isinstance(node, ast.Call) and call_name(node) in _TIME_CALLS and node.args:
            if family(node.args[0]) == "milliseconds" and not converted(node.args[0]):
                out.append(Site("type_confusion", node.lineno, f"`{call_text(node)}` takes seconds and is given "
                                f"`{ast.unparse(node.args[0])}`", "Convert milliseconds to seconds (/ 1000)"))
            elif (scaled := _scaled_unnamed(unit, node.args[0])) is not None:
                out.append(scaled)
            continue
        if not sides or converted(node):
            continue
        clocked = _clock_names(unit) if clocked is None else clocked
        families = {f for s in sides for o in _operands(s) if (f := family(o) or clocked.get(ast.unparse(o)))}
        if isinstance(node, ast.BinOp) and "timedeltas" in families and families - {"timedeltas"} <= _DATED:
            continue  # ``datetime.now(timezone.utc) + timedelta(seconds=d)``: what a timedelta is for
        if len(families) > 1:
            out.append(Site("type_confusion", node.lineno, f"`{ast.unparse(node)}` mixes {' and '.join(sorted(families))} "
                            "with no conversion on that line", "Convert both sides to the same unit before comparing "
                            "or adding"))
    return (out + _text_vs_number(unit) + _bytes_vs_text(unit) + _text_misused(unit) + _text_hashed(unit))[:1]
