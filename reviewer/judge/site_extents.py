"""Sites of where a span ends: an HTTP byte range's end, a separator a ``find()`` keeps, a ``range()`` that stops
short of the last chunk or day, fields read from one buffer with a byte between them, a page counter that stops
before the last page.
"""

from __future__ import annotations

import ast
import re

from reviewer.judge.features import call_name
from reviewer.judge.site import Site, docstring
from reviewer.judge.units import Unit

__all__ = ["count_name", "extent_sites", "is_len", "plus_minus_one"]


def plus_minus_one(node: ast.AST) -> bool:
    """``x + 1`` / ``x - 1`` with a variable on the other side (``[1:]`` and ``[:-1]`` are idioms, not bounds)."""
    return any(isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Add, ast.Sub)) and (
        (isinstance(n.right, ast.Constant) and n.right.value == 1 and not isinstance(n.left, ast.Constant))
        or (isinstance(n.left, ast.Constant) and n.left.value == 1 and not isinstance(n.right, ast.Constant)))
        for n in ast.walk(node))


def is_len(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and call_name(node) == "len"


_COUNTED = re.compile(r"(^|_)(total|pages|page_count|num_pages|last_page|count|n_pages)$", re.I)


def count_name(node: ast.AST) -> str | None:
    while isinstance(node, ast.Call) and call_name(node) == "int" and node.args:
        node = node.args[0]
    name = node.slice.value if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) else \
        node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
    return name if isinstance(name, str) and _COUNTED.search(name) else None


def _stops_before_last(unit: Unit) -> list[Site]:
    """``page += 1`` then ``if page >= body["total_pages"]: return``: the loop stops when the next page is the last
    one, so page ``total_pages`` itself (numbered from 1) is never read."""
    for loop in (n for n in unit.nodes if isinstance(n, ast.While)):
        for step, test in zip(loop.body, loop.body[1:]):
            if not (isinstance(step, ast.AugAssign) and isinstance(step.op, ast.Add)
                    and isinstance(step.target, ast.Name) and isinstance(test, ast.If)
                    and isinstance(test.body[-1], (ast.Return, ast.Break))):
                continue
            cond = test.test
            if isinstance(cond, ast.Compare) and len(cond.ops) == 1 and isinstance(cond.ops[0], ast.GtE) and \
                    ast.unparse(cond.left) == step.target.id and count_name(cond.comparators[0]):
                name, total = step.target.id, ast.unparse(cond.comparators[0])
                return [Site("off_by_one", test.lineno, f"`{name}` was just moved on to the next one (line "
                             f"{step.lineno}), and `{ast.unparse(cond)}` stops when that next one is `{total}`: "
                             f"number `{total}` itself, the last of a count numbered from 1, is never read",
                             f"Stop when `{name} > {total}`")]
    return []


_RANGE_TEXT = re.compile(r"bytes[ =]\s*$|^\s*-\s*$", re.I)


def _range_ends(node: ast.AST) -> list[ast.AST]:
    """The end of an HTTP byte range being formatted: ``f"bytes {a}-{a + len(c)}/{n}"``,
    ``"bytes=%d-%d" % (a, b)``, ``"bytes={}-{}".format(a, b)``."""
    if isinstance(node, ast.JoinedStr):
        parts = node.values
        text = "".join(p.value if isinstance(p, ast.Constant) else "\0" for p in parts)
        fields = [p.value for p in parts if isinstance(p, ast.FormattedValue)]
        return [fields[1]] if re.search(r"bytes[ =]\s*\0-\0", text, re.I) and len(fields) >= 2 else []
    template, args = None, []
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant):
        template, args = node.left.value, node.right.elts if isinstance(node.right, ast.Tuple) else []
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format" and \
            isinstance(node.func.value, ast.Constant):
        template, args = node.func.value.value, node.args
    if isinstance(template, str) and re.search(r"bytes[ =]\s*(%\w|\{\w*\})-(%\w|\{\w*\})", template, re.I) and \
            len(args) >= 2:
        return [args[1]]
    return []


def _byte_ranges(unit: Unit) -> list[Site]:
    """An HTTP byte range's end is the last byte, inclusive: ``start + len(chunk)`` names one byte past it."""
    out = []
    for node in unit.nodes:
        for end in _range_ends(node):
            if isinstance(end, ast.BinOp) and isinstance(end.op, ast.Add) and not plus_minus_one(end):
                text = ast.unparse(end)
                out.append(Site("off_by_one", node.lineno, f"`{text}` ends an HTTP byte range, whose end is the last "
                                "byte itself (inclusive): a range of n bytes from `start` ends at `start + n - 1`",
                                f"Use `{text} - 1` as the range's end"))
    return out


_FINDS = frozenset({"find", "rfind", "index", "rindex"})


def _separator_kept(unit: Unit) -> list[Site]:
    """``name[:dot], name[dot:]`` where ``dot = name.rfind(".")``: split in two at the separator, the second part
    starts with the separator itself (a splice between two markers, ``[:start]`` and ``[end:]``, is not a split)."""
    found = {t.id: n.value for n in unit.nodes if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)
             and isinstance(n.value.func, ast.Attribute) and n.value.func.attr in _FINDS
             for t in n.targets if isinstance(t, ast.Name)}
    slices = [n for n in unit.nodes if isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Slice)]
    uppers = {(ast.unparse(n.value), ast.unparse(n.slice.upper)) for n in slices if n.slice.upper is not None}
    out = []
    for node in slices:
        lower = node.slice.lower
        if isinstance(lower, ast.Name) and lower.id in found and (ast.unparse(node.value), lower.id) in uppers:
            call = found[lower.id]
            sep = ast.unparse(call.args[0]) if call.args else "the separator"
            out.append(Site("off_by_one", node.lineno, f"`{lower.id}` is where `{ast.unparse(call)}` found {sep}, so "
                            f"`{ast.unparse(node)}` starts with {sep} itself", f"Start the slice after the separator "
                            f"(`{lower.id} + len({sep})`) if it should not be kept"))
    return out


def _range_ends_short(unit: Unit) -> list[Site]:
    """``range(0, len(data) - size, size)`` never reaches the last chunk; ``range((end - start).days)`` stops the
    day before ``end``."""
    out = []
    spans = {t.id: n.value for n in unit.nodes if isinstance(n, ast.Assign) and isinstance(n.value, ast.Attribute)
             and n.value.attr == "days" for t in n.targets if isinstance(t, ast.Name)}  # ``span = (end - start).days``
    for call in (n for n in unit.nodes if isinstance(n, ast.Call) and call_name(n) == "range" and n.args):
        stop = call.args[1] if len(call.args) > 1 else call.args[0]
        stop = spans.get(stop.id, stop) if isinstance(stop, ast.Name) else stop
        step = call.args[2] if len(call.args) > 2 else None
        if step is not None and isinstance(stop, ast.BinOp) and isinstance(stop.op, ast.Sub) and \
                is_len(stop.left) and ast.unparse(stop.right) == ast.unparse(step):
            out.append(Site("off_by_one", call.lineno, f"`{ast.unparse(call)}` stops before `{ast.unparse(stop)}`, so "
                            f"the chunk that starts there (and a shorter tail) is never visited",
                            f"Use `{ast.unparse(stop.left)}` as the stop"))
        elif isinstance(stop, ast.Attribute) and stop.attr == "days" and isinstance(stop.value, ast.BinOp) and \
                isinstance(stop.value.op, ast.Sub):
            first, last = ast.unparse(stop.value.right), ast.unparse(stop.value.left)
            out.append(Site("off_by_one", call.lineno, f"`{ast.unparse(call)}` counts the days from `{first}` up to "
                            f"the day before `{last}`: `{last}` itself is left out", f"Use `{ast.unparse(stop)} + 1` "
                            f"if `{last}` is included"))
    return out


def _offset(node: ast.AST | None) -> tuple[str, int] | None:
    """``offset + 4`` as ("offset", 4), ``offset`` as ("offset", 0), ``4`` as ("", 4)."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return "", node.value
    if isinstance(node, (ast.Name, ast.Attribute)):
        return ast.unparse(node), 0
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and isinstance(node.right, ast.Constant) and \
            type(node.right.value) is int and isinstance(node.left, (ast.Name, ast.Attribute)):
        return ast.unparse(node.left), node.right.value
    return None


def _field_gaps(unit: Unit) -> list[Site]:
    """Fields read one after another from the same buffer (``data[o:o + 3]``, then ``data[o + 4:o + 8]``): a field
    that ends one byte before the next begins leaves that byte unread, one that ends one after overlaps it."""
    fields: dict[tuple[str, str], list[tuple[int, int, ast.Subscript]]] = {}
    for sub in (n for n in unit.nodes if isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Slice)
                and n.slice.step is None):
        low, high = _offset(sub.slice.lower), _offset(sub.slice.upper)
        if low is not None and high is not None and low[0] == high[0] and high[1] > low[1]:
            fields.setdefault((ast.unparse(sub.value), low[0]), []).append((low[1], high[1], sub))
    for (buf, base), spans in fields.items():
        spans.sort(key=lambda f: f[0])
        for (a, end, sub), (start, _, nxt) in zip(spans, spans[1:]):
            if abs(end - start) == 1 and 0 < start - a:  # (a wider gap is a field skipped on purpose)
                what = f"leaves byte {end} unread" if end < start else "overlaps it"
                return [Site("off_by_one", sub.lineno, f"`{ast.unparse(sub)}` reads {end - a} bytes and ends at "
                             f"{end}, while the next field `{ast.unparse(nxt)}` starts at {start}: it {what}",
                             f"Make `{ast.unparse(sub)}` end where the next field starts ({start})")]
    return []


_RING = re.compile(r"\b(ring|polygon|closed (path|loop|shape)|cyclic|circular|wraps around)\b", re.I)


def _ring_left_open(unit: Unit) -> list[Site]:
    """``for i in range(1, len(vertices)): ... vertices[i - 1]`` where the docstring (or name) says the sequence is
    a ring or polygon: each vertex is paired with the one before it, and the edge from the last back to the first
    is left out."""
    doc = f"{unit.qualname} {docstring(unit) or ''}"
    said = _RING.search(doc.replace("_", " "))
    if not said:
        return []
    for loop in (n for n in unit.nodes if isinstance(n, ast.For) and isinstance(n.target, ast.Name)
                 and isinstance(n.iter, ast.Call) and call_name(n.iter) == "range" and len(n.iter.args) == 2):
        first, stop = loop.iter.args
        if isinstance(first, ast.Constant) and first.value == 1 and is_len(stop) and stop.args:
            seq, i = ast.unparse(stop.args[0]), loop.target.id
            if any(isinstance(n, ast.Subscript) and ast.unparse(n) == f"{seq}[{i} - 1]" for n in ast.walk(loop)):
                return [Site("off_by_one", loop.lineno, f"`{ast.unparse(loop.iter)}` pairs each element of `{seq}` "
                             f"with the one before it, from the second on: the pair of the last element and the first, "
                             f"which closes a {said.group(1).lower()} (as the docstring or name calls `{seq}`), is "
                             "left out", f"Use `range(len({seq}))`, so that `{seq}[-1]` pairs with `{seq}[0]`")]
    return []


def extent_sites(unit: Unit) -> list[Site]:
    return _ring_left_open(unit) + _stops_before_last(unit) + _field_gaps(unit) + _byte_ranges(unit) + \
        _range_ends_short(unit) + _separator_kept(unit)
