"""Sites where a value is not what the code takes it for, and conditions that do not say what the docstring says:
a ``struct.unpack`` tuple used as a number, a naive datetime read as local time, a loop that an ``or`` keeps
going, ``any()`` where the docstring asks for every item, a bound that lets the length itself through, a number
shown to people counting from 0, a timedelta's ``.seconds`` taken for its length.
"""

from __future__ import annotations

import ast
import re

from reviewer.judge.features import call_name
from reviewer.judge.site import Site, docstring, reads_at
from reviewer.judge.units import Unit

__all__ = ["decode_sites"]


def _unpacked_tuples(unit: Unit) -> list[Site]:
    """``size = struct.unpack("<I", data)`` then ``size * 2`` or ``size == 0``: unpack returns a tuple."""
    names = {t.id: n.lineno for n in unit.nodes if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)
             and call_name(n.value).endswith(("unpack", "unpack_from")) for t in n.targets if isinstance(t, ast.Name)}
    for node in unit.nodes:
        sides = [node.left, node.right] if isinstance(node, ast.BinOp) else [node.left, *node.comparators] \
            if isinstance(node, ast.Compare) else []
        used = [s.id for s in sides if isinstance(s, ast.Name) and s.id in names]
        if used:
            return [Site("type_confusion", names[used[0]], f"`{used[0]}` is the tuple `struct.unpack` returns, and "
                         f"line {node.lineno} uses it as a number (`{ast.unparse(node)}`)",
                         f"Unpack the one value: `({used[0]},) = struct.unpack(...)` or `struct.unpack(...)[0]`")]
    return []


def _naive_utc(unit: Unit) -> list[Site]:
    """``datetime.utcnow().timestamp()`` or ``strptime("...Z").timestamp()``: a naive datetime that holds UTC is
    read as local time by ``timestamp()``."""
    for node in (n for n in unit.nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                 and n.func.attr == "timestamp"):
        inner = node.func.value
        if not isinstance(inner, ast.Call):
            continue
        name = call_name(inner)
        fmt = inner.args[1] if name.endswith("strptime") and len(inner.args) > 1 else None
        utc_text = isinstance(fmt, ast.Constant) and isinstance(fmt.value, str) and fmt.value.endswith("Z") and \
            "%z" not in fmt.value
        if name.endswith("utcnow") or name.endswith("utcfromtimestamp") or utc_text:
            return [Site("type_confusion", node.lineno, f"`{ast.unparse(inner)}` is a naive datetime that holds UTC, "
                         "and `.timestamp()` reads a naive datetime as local time", "Make it aware first "
                         "(`.replace(tzinfo=timezone.utc)`), or use `datetime.now(timezone.utc)`")]
        if _naive_made(inner) and _says(unit, _UTC):
            return [Site("type_confusion", node.lineno, f"`{ast.unparse(inner)}` is a naive datetime, and "
                         "`.timestamp()` reads it as local time, while the docstring speaks of UTC", "Make it aware "
                         "first (`tzinfo=timezone.utc`)")]
    return _millis_as_seconds(unit)


_UTC = re.compile(r"\bUTC\b|\bGMT\b")
_MILLIS = re.compile(r"milli ?seconds|\bms\b|millis|epoch_ms|_ms\b", re.I)


def _says(unit: Unit, pattern: re.Pattern[str]) -> bool:
    return bool(pattern.search(docstring(unit) or ""))


def _naive_made(call: ast.Call) -> bool:
    """``datetime.combine(day, time.min)`` or ``datetime(2024, 1, 1)`` made without a ``tzinfo``."""
    name = call_name(call)
    return (name.endswith("combine") and len(call.args) < 3 or name in ("datetime", "datetime.datetime")) and \
        not any(k.arg == "tzinfo" for k in call.keywords)


def _millis_as_seconds(unit: Unit) -> list[Site]:
    """``datetime.fromtimestamp(raw["ts"])`` where the docstring (or the value's name) says milliseconds:
    ``fromtimestamp`` takes seconds."""
    for node in (n for n in unit.nodes if isinstance(n, ast.Call) and call_name(n).endswith("fromtimestamp")
                 and n.args):
        arg = node.args[0]
        if isinstance(arg, ast.BinOp) and isinstance(arg.op, (ast.Div, ast.FloorDiv)):
            continue
        if _MILLIS.search(ast.unparse(arg)) or _says(unit, _MILLIS):
            return [Site("type_confusion", node.lineno, f"`{call_name(node)}` takes seconds, and "
                         f"`{ast.unparse(arg)}` is in milliseconds by its name or the docstring",
                         f"Divide by 1000: `{call_name(node)}({ast.unparse(arg)} / 1000, ...)`")]
    return []


_BOUND = re.compile(r"(^|_)(max|limit|attempts|polls|tries|retries|deadline|timeout)|count$|(^|_)n$", re.I)


def _loop_or(unit: Unit) -> list[Site]:
    """``while not ready or polls < max_polls``: an ``or`` with a limit keeps the loop going past the limit."""
    for loop in (n for n in unit.nodes if isinstance(n, ast.While) and isinstance(n.test, ast.BoolOp)
                 and isinstance(n.test.op, ast.Or)):
        unset = {ast.unparse(v.left) for v in loop.test.values if isinstance(v, ast.Compare) and isinstance(
            v.ops[0], ast.Is) and isinstance(v.comparators[0], ast.Constant) and v.comparators[0].value is None}
        limits = [v for v in loop.test.values if isinstance(v, ast.Compare) and any(
            isinstance(x, (ast.Name, ast.Attribute, ast.Call)) and _BOUND.search(ast.unparse(x).split(".")[-1])
            for x in [v.left, *v.comparators]) and any(isinstance(o, (ast.Lt, ast.LtE)) for o in v.ops)
            and not unset & {ast.unparse(x) for x in [v.left, *v.comparators]}]  # ``max is None or n < max``
        if limits:
            return [Site("wrong_boolean_logic", loop.lineno, f"`while {ast.unparse(loop.test)}` goes on while any "
                         f"part holds, so the limit `{ast.unparse(limits[0])}` does not stop it",
                         "Join the limit with `and`", f"The loop goes on past `{ast.unparse(limits[0])}` while the "
                         "other part holds. Is that limit meant to stop the loop on its own (to give up after so "
                         "many tries or so much time)?")]
    return []


_EVERY = re.compile(r"\b(all|every|each)\b", re.I)
_SOME = re.compile(r"\b(any|at least one|some)\b|(?<!every )(?<!each )\bone of\b", re.I)


def _any_all(unit: Unit) -> list[Site]:
    """``return any(...)`` where the docstring's first sentence asks that every item holds (or ``all()`` where one
    is enough): the function's answer is the call, and the sentence says what it should be."""
    doc = docstring(unit)
    if not doc:
        return []
    doc = re.split(r"(?<=\.)\s|\n\s*\n", doc, maxsplit=1)[0]
    returned = [r.value for r in unit.nodes if isinstance(r, ast.Return) and isinstance(r.value, ast.Call)]
    for node in (n for n in returned if call_name(n) in ("any", "all")):
        name = call_name(node)
        if (name == "any" and _EVERY.search(doc) and not _SOME.search(doc)) or (
                name == "all" and _SOME.search(doc) and not _EVERY.search(doc)):
            said = (_EVERY if name == "any" else _SOME).search(doc)
            holds, asked = ("one item holds", "every item") if name == "any" else ("every item holds", "just one item")
            return [Site("wrong_boolean_logic", node.lineno, f"`{name}()` is used where the docstring says "
                         f"\"{said.group(0) if said else ''}\"", "Use `all()` if every item must hold, `any()` if one "
                         "is enough", f"`{name}()` is true when {holds}. Does the docstring ask for {asked} instead?")]
    return []


def _past_length(unit: Unit) -> list[Site]:
    """``if index > len(xs): raise`` before ``xs[index]``: ``index == len(xs)`` passes, one past the end."""
    for node in (n for n in unit.nodes if isinstance(n, ast.Compare) and len(n.ops) == 1):
        op, left, right = node.ops[0], node.left, node.comparators[0]
        if isinstance(op, ast.Lt):
            op, left, right = ast.Gt(), right, left
        if isinstance(op, ast.Gt) and isinstance(right, ast.Call) and call_name(right) == "len" and right.args:
            seq, index = ast.unparse(right.args[0]), ast.unparse(left)
            if reads_at(unit, seq, index):
                return [Site("off_by_one", node.lineno, f"`{ast.unparse(node)}` lets `{index}` == `len({seq})` "
                             f"through, and `{seq}[{index}]` is then one past the last element",
                             f"Test `{index} >= len({seq})`")]
    return []


_NUMBERING = re.compile(r"(#|\bno\.?|\bnumber|\bitem|\bline|\bpage|\bstep|\bpart|\brow|\bentry|\bcue)\s*$", re.I)
"""Text before a number that numbers things for people (``f"#{i}"``, ``f"Step {i}"``), or the number leading the
text (``f"{i}. {title}"``)."""


def _numbered_from_zero(unit: Unit) -> list[Site]:
    """``for number, cue in enumerate(cues): out.append(f"{number}\\n...")``: people count from 1."""
    for loop in (n for n in unit.nodes if isinstance(n, (ast.For, ast.AsyncFor)) and isinstance(n.iter, ast.Call)
                 and call_name(n.iter) == "enumerate" and len(n.iter.args) == 1 and not n.iter.keywords):
        target = loop.target.elts[0] if isinstance(loop.target, ast.Tuple) and loop.target.elts else None
        if not isinstance(target, ast.Name):
            continue
        shown = [f for j in ast.walk(loop) if isinstance(j, ast.JoinedStr) for i, f in enumerate(j.values)
                 if isinstance(f, ast.FormattedValue) and isinstance(f.value, ast.Name) and f.value.id == target.id
                 and (i == 0 or isinstance(j.values[i - 1], ast.Constant)
                      and _NUMBERING.search(str(j.values[i - 1].value)))]
        if shown:
            return [Site("off_by_one", loop.lineno, f"`{ast.unparse(loop.iter)}` counts from 0, and `{target.id}` is "
                         f"written into text (line {shown[0].lineno}), where the first item is then numbered 0",
                         f"Use `enumerate(..., start=1)` if `{target.id}` is a number people read")]
    return []


_PAGE = re.compile(r"^(page|page_?no|page_?num(ber)?|pageno)$", re.I)


_ONE_BASED = re.compile(r"\b(1|one)[- ]based\b|\b(start|count|number)(s|ed)? (at|from) (1|one)\b|first page is "
                        r"(1|one)\b", re.I)


def _refuses_below_one(unit: Unit, name: str) -> bool:
    """``if page < 1: raise`` or ``if page <= 0: raise`` (alone or in an ``or``): pages count from 1."""
    for node in (n for n in unit.nodes if isinstance(n, ast.If) and any(isinstance(s, ast.Raise) for s in n.body)):
        parts = node.test.values if isinstance(node.test, ast.BoolOp) else [node.test]
        for p in (p for p in parts if isinstance(p, ast.Compare) and len(p.ops) == 1):
            if ast.unparse(p.left) == name and isinstance(p.comparators[0], ast.Constant) and (
                    isinstance(p.ops[0], ast.Lt) and p.comparators[0].value == 1 or
                    isinstance(p.ops[0], ast.LtE) and p.comparators[0].value == 0):
                return True
    return False


def _offset_use(unit: Unit, node: ast.BinOp) -> bool:
    """The product is an offset: in ``.offset()``/``.skip()`` or a slice, or a name later used in one
    (``start = page * per_page`` ... ``rows[start:start + per_page]``)."""
    parent = unit.parents.get(id(node))
    if isinstance(parent, ast.Call) and call_name(parent).endswith(("offset", "skip")) or isinstance(parent, ast.Slice):
        return True
    if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name)):
        return False
    name = parent.targets[0].id
    return any(isinstance(n, ast.Slice) and name in {x.id for x in ast.walk(n) if isinstance(x, ast.Name)} or
               isinstance(n, ast.Call) and call_name(n).endswith(("offset", "skip")) and any(
                   isinstance(a, ast.Name) and a.id == name for a in n.args) or _sql_offset(n, name)
               for n in unit.nodes)


def _sql_offset(node: ast.AST, name: str) -> bool:
    """``cur.execute("... LIMIT %s OFFSET %s", (per_page, offset))``: the name is a parameter of a query with an
    OFFSET."""
    return isinstance(node, ast.Call) and call_name(node).rsplit(".", 1)[-1] in ("execute", "fetch", "fetchrow",
                                                                                 "fetchall") \
        and len(node.args) >= 2 and "offset" in ast.unparse(node.args[0]).lower() and any(
            isinstance(x, ast.Name) and x.id == name for a in node.args[1:] for x in ast.walk(a))


def _page_offsets(unit: Unit) -> list[Site]:
    """``.offset(page * per_page)`` or ``items[page * size:]``: right when pages count from 0, one page too far
    when they count from 1 (which the facts say where the docstring or a ``page < 1`` test shows it)."""
    if any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Sub) and isinstance(n.left, ast.Name)
           and _PAGE.search(n.left.id) for n in unit.nodes):
        return []  # ``(page - 1) * per_page`` somewhere: the unit knows which it is
    for node in (n for n in unit.nodes if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mult)):
        page = next((x.id for x in (node.left, node.right) if isinstance(x, ast.Name) and _PAGE.search(x.id)), None)
        if page and _offset_use(unit, node):
            one = "the docstring says pages count from 1" if _ONE_BASED.search(docstring(unit) or "") else \
                f"the function refuses `{page}` below 1" if _refuses_below_one(unit, page) else ""
            said = f"{one}, so page 1 starts one page in" if one else \
                f"right when pages count from 0; when `{page}` counts from 1 it skips the first page"
            return [Site("off_by_one", node.lineno, f"`{ast.unparse(node)}` is the offset of page `{page}`: {said}",
                         f"Use `({page} - 1) * ...` if pages count from 1")]
    return []


def _limit_then_add(unit: Unit) -> list[Site]:
    """``if len(hits) > limit: return False`` then ``hits.append(...)``: at ``len(hits) == limit`` one more is
    added, so the list reaches ``limit + 1``."""
    for test in (n for n in unit.nodes if isinstance(n, ast.If) and isinstance(n.test, ast.Compare)
                 and len(n.test.ops) == 1 and isinstance(n.test.ops[0], ast.Gt) and isinstance(n.test.left, ast.Call)
                 and call_name(n.test.left) == "len" and n.test.left.args):
        seq = ast.unparse(test.test.left.args[0])
        if not any(isinstance(s, (ast.Return, ast.Raise)) for s in test.body):
            continue
        if any(isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute) and c.func.attr in ("append", "add")
               and ast.unparse(c.func.value) == seq and c.lineno > test.lineno for c in unit.nodes):
            limit = ast.unparse(test.test.comparators[0])
            return [Site("off_by_one", test.lineno, f"`{ast.unparse(test.test)}` lets `len({seq})` == `{limit}` "
                         f"through, and then one more is added: `{seq}` can hold `{limit} + 1`",
                         f"Test `len({seq}) >= {limit}` before adding")]
    return []


_METHOD_LIKE = re.compile(r"^(validate\w*|is_valid|check\w*|verify\w*)$")


def _uncalled(unit: Unit) -> list[Site]:
    """``if form.validate_on_submit:`` or ``if is_ready:`` naming a function of the module: a method or function
    is always true; it was meant to be called."""
    functions = {n.name for n in unit.source.tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    functions -= {a.arg for a in ast.walk(unit.node) if isinstance(a, ast.arg)}  # a parameter of the same name
    functions -= {n.id for n in unit.nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    called = {n.func.attr for n in ast.walk(unit.source.tree) if isinstance(n, ast.Call)
              and isinstance(n.func, ast.Attribute)}
    for test in (n.test for n in unit.nodes if isinstance(n, (ast.If, ast.While, ast.IfExp))):
        parts = test.values if isinstance(test, ast.BoolOp) else [test.operand] if isinstance(
            test, ast.UnaryOp) and isinstance(test.op, ast.Not) else [test]
        for part in parts:
            if isinstance(part, ast.Attribute) and _METHOD_LIKE.search(part.attr) and (
                    part.attr.startswith("validate") or part.attr == "is_valid" or part.attr in called) or \
                    isinstance(part, ast.Name) and part.id in functions:
                return [Site("wrong_boolean_logic", part.lineno, f"`{ast.unparse(part)}` is a function or method, "
                             "which is always true as a condition: it is not called", f"Call it: "
                             f"`{ast.unparse(part)}()`", f"`{ast.unparse(part)}` is not called, so this condition is "
                             "always true. Does the code it guards then also run when it must not (for example on "
                             "input that is not valid)?")]
    return []


_GIVEN = re.compile(r"(^|\.)(get|getenv|getint|getfloat|environ|args|form|params|query|input|config|options)$|"
                    r"(^|\.)(environ|args|form|params|query_params|GET|POST|headers)$", re.I)
"""Where a number comes from outside: a form, the query string, the environment, a config file."""


def _zero_replaced(unit: Unit) -> list[Site]:
    """``int(args.get("n")) or 20``: a number the user (a form, the environment) gave as 0 is replaced by the
    default."""
    for op in (n for n in unit.nodes if isinstance(n, ast.BoolOp) and isinstance(n.op, ast.Or) and len(n.values) == 2):
        first, default = op.values
        number = isinstance(first, ast.Call) and (call_name(first) in ("int", "float") or any(
            k.arg == "type" and ast.unparse(k.value) in ("int", "float") for k in first.keywords) or
            call_name(first).endswith(("getint", "getfloat")))
        given = any(isinstance(c, ast.Call) and _GIVEN.search(call_name(c)) or isinstance(c, ast.Subscript)
                    and _GIVEN.search(ast.unparse(c.value)) for c in ast.walk(first))
        if number and given and isinstance(default, ast.Constant) and type(default.value) in (int, float) and \
                default.value:
            return [Site("wrong_boolean_logic", op.lineno, f"`{ast.unparse(op)}` replaces a given 0 with "
                         f"{default.value}, since 0 is false", "Test for a missing value with `is None` instead of "
                         "`or`", f"A caller who gives 0 here gets {default.value} instead. Can 0 be a value someone "
                         "means here (none, no limit, zero items), so that replacing it is wrong?")]
    return []


_DELTA_NAME = re.compile(r"delta|elapsed|duration|since|(^|_)age$|gap|waited|idle", re.I)


def _seconds_part(unit: Unit) -> list[Site]:
    """``(now - last_seen).seconds``: a timedelta's ``.seconds`` is its seconds part (0 to 86399), without the
    days, unlike ``total_seconds()``. Not where the same value's ``.days`` is read too (``days * 86400 + seconds``).
    """
    deltas = {t.id for n in unit.nodes if isinstance(n, ast.Assign) and (
        isinstance(n.value, ast.BinOp) and isinstance(n.value.op, ast.Sub) or
        isinstance(n.value, ast.Call) and call_name(n.value).endswith("timedelta"))
        for t in n.targets if isinstance(t, ast.Name)}
    days = {ast.unparse(n.value) for n in unit.nodes if isinstance(n, ast.Attribute) and n.attr == "days"}
    for node in (n for n in unit.nodes if isinstance(n, ast.Attribute) and n.attr == "seconds"
                 and isinstance(n.ctx, ast.Load)):
        value = node.value
        delta = isinstance(value, ast.BinOp) and isinstance(value.op, ast.Sub) or isinstance(value, ast.Name) and (
            value.id in deltas or bool(_DELTA_NAME.search(value.id)))
        if delta and ast.unparse(value) not in days:
            return [Site("type_confusion", node.lineno, f"`{ast.unparse(node)}` is only the seconds part of the "
                         "timedelta (0 to 86399), without its days: a gap of one day and one minute gives 60",
                         f"Use `{ast.unparse(value)}.total_seconds()`", f"`{ast.unparse(node)}` leaves out whole "
                         "days. Can this time span reach a day or more, so that the result is wrong?")]
    return []


def decode_sites(unit: Unit) -> list[Site]:
    return _seconds_part(unit) + _unpacked_tuples(unit) + _naive_utc(unit) + _loop_or(unit) + _any_all(unit) + \
        _past_length(unit) + _numbered_from_zero(unit) + _page_offsets(unit) + _limit_then_add(unit) + \
        _uncalled(unit) + _zero_replaced(unit)
