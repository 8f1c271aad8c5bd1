"""Sites of bounds that can be off by one: a ``+ 1``/``- 1`` in a slice, range, index or comparison, an index that
can reach the length, a count that rounds down (where spans end: :mod:`reviewer.judge.site_extents`).

Each site says what the bound does, worked out (``range(1, n)`` gives 1 up to n - 1), so that the model's
question is about what the function means to do and not about arithmetic.
"""

from __future__ import annotations

import ast
import re

from reviewer.judge.features import call_name
from reviewer.judge.site import Site, reads_at
from reviewer.judge.site_extents import count_name, extent_sites, is_len, plus_minus_one
from reviewer.judge.site_values import tested
from reviewer.judge.units import Unit

__all__ = ["bound_sites"]

def _bound(node: ast.AST) -> str | None:
    """The bound expression at this node that could be off by one, as text."""
    if isinstance(node, ast.Slice):
        parts = [p for p in (node.lower, node.upper) if p is not None]
        if any(plus_minus_one(p) for p in parts):
            return ast.unparse(node)
    if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice):
        index = node.slice
        if is_len(index) or (plus_minus_one(index) and not _last_element(node) and not _clamped(node)):
            return ast.unparse(node)
    if isinstance(node, ast.Call) and call_name(node) == "range" and node.args and not _one_to_n(node):
        if any(plus_minus_one(a) for a in node.args) or (
                len(node.args) >= 2 and isinstance(node.args[0], ast.Constant) and node.args[0].value == 1) or \
                _numbered_rest(node):
            return ast.unparse(node)
    if isinstance(node, ast.While) and isinstance(node.test, ast.Compare) and len(node.test.ops) == 1 and \
            isinstance(node.test.ops[0], (ast.LtE, ast.GtE)) and isinstance(node.test.left, ast.Name) and \
            not _bisects(node):
        return ast.unparse(node.test)  # ``while attempt <= retries``: one pass more than the bound?
    if isinstance(node, ast.Compare) and any(isinstance(o, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)) for o in node.ops):
        sides = [node.left, *node.comparators]
        inclusive = any(isinstance(o, (ast.LtE, ast.GtE)) for o in node.ops)
        if (inclusive and any(is_len(x) for x in sides) and not _non_empty(node)) or any(
                plus_minus_one(x) for x in sides):
            return ast.unparse(node)
    return None


def _evicts(unit: Unit, node: ast.AST) -> bool:
    """``if len(cache) >= max_entries: cache.popitem(...)``: making room before an insert, the idiom (at the limit,
    one must go)."""
    parent = unit.parents.get(id(node))
    if not (isinstance(node, ast.Compare) and isinstance(parent, (ast.If, ast.While)) and parent.test is node):
        return False
    lens = [x.args[0] for x in [node.left, *node.comparators] if is_len(x) and x.args]
    return bool(lens) and any(isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute) and c.func.attr in (
        "pop", "popitem", "popleft", "clear", "remove") and ast.unparse(c.func.value) == ast.unparse(lens[0])
        for s in parent.body for c in ast.walk(s)) or bool(lens) and any(
        isinstance(d, ast.Delete) for s in parent.body for d in ast.walk(s)) or bool(lens) and isinstance(
        node.ops[0], ast.GtE) and any(isinstance(c, ast.Call) and call_name(c).rsplit(".", 1)[-1].lstrip("_")
                                      in _FLUSHES for s in parent.body for c in ast.walk(s))


_FLUSHES = frozenset({"flush", "send_batch", "commit", "drain", "emit", "write_batch", "_flush", "flush_batch"})
"""``if len(self._pending) >= self._batch_size: self.flush()``: a batch sent once it is full, the idiom."""


def _guards_index(unit: Unit, node: ast.AST) -> bool:
    """``i >= len(xs)`` (or ``0 <= i < len(xs)``) where the unit reads ``xs[i]``: the test that keeps the index
    inside the sequence, written right."""
    if not isinstance(node, ast.Compare) or plus_minus_one(node):
        return False
    sides, ops = [node.left, *node.comparators], node.ops
    for k, op in enumerate(ops):
        a, b = sides[k], sides[k + 1]
        pair = (a, b.args[0]) if isinstance(op, (ast.GtE, ast.Lt)) and is_len(b) and b.args else \
            (b, a.args[0]) if isinstance(op, (ast.LtE, ast.Gt)) and is_len(a) and a.args else None
        if pair is not None and reads_at(unit, ast.unparse(pair[1]), ast.unparse(pair[0])):
            return True
    return False


def _non_empty(node: ast.Compare) -> bool:
    """``len(x) >= 1`` (or ``1 <= len(x)``): the idiom for "not empty", not a bound."""
    if len(node.ops) != 1:
        return False
    left, right, op = node.left, node.comparators[0], node.ops[0]
    if isinstance(op, ast.LtE):
        left, right = right, left
    return isinstance(op, (ast.GtE, ast.LtE)) and is_len(left) and isinstance(right, ast.Constant) and \
        right.value == 1


def _scaled_len(sub: ast.Subscript) -> bool:
    """``ordered[int(len(ordered) * pct / 100)]``: an index computed from the length of the same sequence that
    can reach the length itself (not ``len(x) // 2`` or ``len(x) - 1``, which stay below it)."""
    index, seq = sub.slice, ast.unparse(sub.value)
    lens = [n for n in ast.walk(index) if is_len(n) and n.args and ast.unparse(n.args[0]) == seq]
    if not lens or is_len(index):
        return False
    halves = [n for n in ast.walk(index) if isinstance(n, (ast.BinOp)) and isinstance(n.op, (ast.FloorDiv, ast.RShift))
              and isinstance(n.right, ast.Constant) and isinstance(n.right.value, int) and n.right.value >= 1]
    minus = [n for n in ast.walk(index) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Sub)]
    return not halves and not minus


def _bisects(loop: ast.While) -> bool:
    """A binary search (``mid = (lo + hi) // 2``), whose ``lo <= hi`` is the rule, not a slip."""
    return any(isinstance(n, ast.BinOp) and (isinstance(n.op, ast.FloorDiv) or isinstance(n.op, ast.RShift)) and
               isinstance(n.right, ast.Constant) and n.right.value in (1, 2) for n in ast.walk(loop))


def _clamped(sub: ast.Subscript) -> bool:
    """``xs[min(i, len(xs) - 1)]``: the index is held below the length."""
    index, last = sub.slice, f"len({ast.unparse(sub.value)}) - 1"
    return isinstance(index, ast.Call) and call_name(index) == "min" and any(ast.unparse(a) == last for a in index.args)


def _numbered_rest(call: ast.Call) -> bool:
    """``range(2, total_pages)`` after the first page was read: the rest of the numbers from 1, stopping one short
    of the count (``total_pages`` is the last page's number)."""
    if len(call.args) != 2 or not (isinstance(call.args[0], ast.Constant) and call.args[0].value == 2):
        return False
    return count_name(call.args[1]) is not None


def _one_to_n(call: ast.Call) -> bool:
    """``range(1, n + 1)``: the numbers 1 to n, the idiom for counting attempts or pages from one."""
    if len(call.args) != 2:
        return False
    first, stop = call.args
    return isinstance(first, ast.Constant) and first.value == 1 and isinstance(stop, ast.BinOp) and isinstance(
        stop.op, ast.Add) and isinstance(stop.right, ast.Constant) and stop.right.value == 1 and not is_len(stop.left)


def _last_element(sub: ast.Subscript) -> bool:
    """``items[len(items) - 1]``: the last element, not a bound."""
    index = sub.slice
    return isinstance(index, ast.BinOp) and is_len(index.left) and ast.unparse(index.left.args[0]) == ast.unparse(
        sub.value) if isinstance(index, ast.BinOp) and isinstance(index.left, ast.Call) and index.left.args else False


def _rounds_down(node: ast.AST) -> bool:
    """``size // chunk``: a floor division (not the ceiling idioms ``(a + b - 1) // b`` or ``-(-a // b)``)."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.FloorDiv)):
        return False
    return not (isinstance(node.left, ast.BinOp) and isinstance(node.left.op, (ast.Add, ast.Sub))) and not (
        isinstance(node.left, ast.UnaryOp) and isinstance(node.left.op, ast.USub))


def _floor_counts(unit: Unit) -> list[Site]:
    """``range(size // chunk)`` (directly or through a name): a count that rounds down leaves out a last, partial
    part."""
    floors = {t.id: n.value for n in unit.nodes if isinstance(n, ast.Assign) and _rounds_down(n.value)
              for t in n.targets if isinstance(t, ast.Name)}
    out = []
    for call in (n for n in unit.nodes if isinstance(n, ast.Call) and call_name(n) == "range" and n.args):
        stop = call.args[1] if len(call.args) > 1 else call.args[0]
        division = stop if _rounds_down(stop) else floors.get(stop.id) if isinstance(stop, ast.Name) else None
        if division is None or (isinstance(division.right, ast.Constant) and division.right.value in (1, 2)):
            continue  # (halving is not a count of parts)
        text = ast.unparse(division)
        out.append(Site("off_by_one", call.lineno, f"the count `{text}` rounds down, so when it does not divide "
                        f"exactly, the last partial part is left out of `{ast.unparse(call)}`",
                        f"Round up (`-(-{ast.unparse(division.left)} // {ast.unparse(division.right)})`) if a "
                        "partial last part must be included"))
    return out


def _negated_bounds(unit: Unit) -> list[Site]:
    """``backups[:-keep]``: with ``keep`` at 0 the slice is empty, not the whole list (``x[:-0] == []``)."""
    out = []
    for node in (n for n in unit.nodes if isinstance(n, ast.Slice)):
        for part in (node.lower, node.upper):
            if isinstance(part, ast.UnaryOp) and isinstance(part.op, ast.USub) and isinstance(
                    part.operand, (ast.Name, ast.Attribute)) and not tested(unit, part.operand, part.lineno):
                name = ast.unparse(part.operand)
                out.append(Site("off_by_one", part.lineno, f"the slice bound `-{name}` counts from the end: when "
                                f"`{name}` is 0, `[:-{name}]` is empty and `[-{name}:]` is everything",
                                f"Use `len(x) - {name}` as the bound, or handle `{name}` == 0"))
    return out


_MIN_NAME = re.compile(r"(^|_)(min|minimum|least|floor)(_|$)", re.I)
_COUNTERS = re.compile(r"attempt|retr|tries|try|round|iteration|step|count|n$|^i$", re.I)


def _strict_limit(unit: Unit) -> list[Site]:
    """``if quantity > tier.min_qty:``: a minimum is normally reached at the value itself, and the strict test leaves
    that value out. (Not ``x < max_x``: a maximum is as often an exclusive end, ``span.end < max_offset``.)"""
    tests = [n.test for n in unit.nodes if isinstance(n, (ast.If, ast.IfExp))]
    tests += [n.value for n in unit.nodes if isinstance(n, ast.Return) and isinstance(n.value, ast.Compare)]
    for test in (t for t in tests if isinstance(t, ast.Compare) and len(t.ops) == 1):
        left, right, op = test.left, test.comparators[0], test.ops[0]
        leaf = ast.unparse(right).rsplit(".", 1)[-1]
        if _COUNTERS.search(ast.unparse(left).rsplit(".", 1)[-1]):
            continue  # ``attempt < max_attempts``: a loop's count
        if isinstance(op, ast.Gt) and _MIN_NAME.search(leaf):
            return [Site("off_by_one", test.lineno, f"`{ast.unparse(test)}` is false when `{ast.unparse(left)}` equals "
                         f"`{ast.unparse(right)}`: a minimum is normally reached at the value itself, and the strict "
                         "test leaves that value out", f"Use `>=` if `{ast.unparse(right)}` itself counts")]
    return []


_BEFORE_LAST = re.compile(r"(^|_)(previous|prev|penultimate|second_last|before_last|last_but_one)(_|$)", re.I)


def _previous_is_last(unit: Unit) -> list[Site]:
    """``def previous_status(self): return self.history[-1].status``: ``[-1]`` is the last entry, the current one."""
    if not _BEFORE_LAST.search(unit.qualname.rsplit(".", 1)[-1]):
        return []
    for r in (n for n in unit.nodes if isinstance(n, ast.Return) and n.value is not None):
        sub = next((s for s in ast.walk(r.value) if isinstance(s, ast.Subscript) and isinstance(s.slice, ast.UnaryOp)
                    and isinstance(s.slice.operand, ast.Constant) and s.slice.operand.value == 1), None)
        if sub is not None:
            name = unit.qualname.rsplit(".", 1)[-1]
            return [Site("off_by_one", r.lineno, f"`{ast.unparse(sub)}` is the last entry of "
                         f"`{ast.unparse(sub.value)}`, the current one, while the name `{name}` asks for the one "
                         "before it (`[-2]`)", f"Use `{ast.unparse(sub.value)}[-2]` (and handle a history of one entry)")]
    return []


def _cuts(unit: Unit) -> dict[str, ast.Subscript]:
    """``text[:width - 1] + "…"`` (or ``[:n - 3] + "..."``): the limit whose cut leaves room for the mark, by text."""
    out = {}
    for add in (n for n in unit.nodes if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add)):
        mark = add.right
        cut = add.left.func.value if isinstance(add.left, ast.Call) and isinstance(add.left.func, ast.Attribute) \
            and add.left.func.attr in ("rstrip", "strip") else add.left  # ``text[:n - 1].rstrip() + "…"``
        if isinstance(mark, ast.Constant) and isinstance(mark.value, str) and mark.value.strip(" ") in ("…", "...") \
                and isinstance(cut, ast.Subscript) and isinstance(cut.slice, ast.Slice) and cut.slice.lower is None:
            upper = cut.slice.upper
            if isinstance(upper, ast.BinOp) and isinstance(upper.op, ast.Sub) and isinstance(
                    upper.right, ast.Constant) and upper.right.value == len(mark.value):
                out[ast.unparse(upper.left)] = cut
    return out


def _ellipsis_cut(unit: Unit, node: ast.AST) -> bool:
    """``if len(text) <= width: return text`` and ``text[:width - 1] + "…"``: a text cut to exactly ``width``
    with its mark, the idiom of a truncation (both the test and the cut are right)."""
    cuts = _cuts(unit) if isinstance(node, (ast.Slice, ast.Compare)) else {}
    if isinstance(node, ast.Slice):
        return any(c.slice is node for c in cuts.values())
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.LtE, ast.Gt)):
        return is_len(node.left) and ast.unparse(node.comparators[0]) in cuts
    return False


def bound_sites(unit: Unit) -> list[Site]:
    out = _previous_is_last(unit) + _strict_limit(unit) + extent_sites(unit) + _floor_counts(unit) + \
        _negated_bounds(unit)
    for node in unit.nodes:
        if isinstance(node, ast.Subscript) and _scaled_len(node):
            index, seq = ast.unparse(node.slice), ast.unparse(node.value)
            out.append(Site("off_by_one", node.lineno, f"the index `{index}` is computed from `len({seq})` and can "
                            f"reach `len({seq})` itself, one past the last element", f"Keep the index in `{index}` "
                            f"below `len({seq})` (for example `min(..., len({seq}) - 1)`)"))
            continue
        text = _bound(node)
        if text is not None and hasattr(node, "lineno") and not _pairwise(unit, node) and \
                not _guards_index(unit, node) and not _evicts(unit, node) and not _ellipsis_cut(unit, node):
            out.append(Site("off_by_one", node.lineno, _bound_facts(node, text),
                            f"Correct the bound in `{text}` so that no element is skipped, repeated or out of range"))
    return out


def _shift(node: ast.AST, k: int) -> str:
    """``node + k`` written simply: ``n + 1`` shifted by -1 is ``n``, ``13`` is ``12``, ``n - 1`` is ``n - 2``."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return str(node.value + k)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)) and isinstance(
            node.right, ast.Constant) and type(node.right.value) is int:
        total = (node.right.value if isinstance(node.op, ast.Add) else -node.right.value) + k
        left = ast.unparse(node.left)
        return left if total == 0 else f"{left} + {total}" if total > 0 else f"{left} - {-total}"
    return f"{ast.unparse(node)} + {k}" if k > 0 else f"{ast.unparse(node)} - {-k}" if k else ast.unparse(node)


def _minus_one(node: ast.AST) -> str:
    return _shift(node, -1)


def _one_step(node: ast.AST) -> tuple[ast.AST, int] | None:
    """``x + 1`` as (x, 1), ``x - 1`` as (x, -1); None for anything else."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)) and isinstance(
            node.right, ast.Constant) and node.right.value == 1 and not isinstance(node.left, ast.Constant):
        return node.left, 1 if isinstance(node.op, ast.Add) else -1
    return None


def _index_facts(sub: ast.Subscript) -> str | None:
    """What an index next to a position reads: ``lines[n - 1]`` the element before position n (right when n
    counts from 1), ``xs[i + 1]`` the one after i, ``xs[len(xs) - i - 1]`` the i-th from the end."""
    text, seq, index = ast.unparse(sub), ast.unparse(sub.value), sub.slice
    if is_len(index) and index.args:
        counted = ast.unparse(index.args[0])
        return f"`{text}` reads position `len({counted})`, " + (
            "which is always one past the last element" if counted == seq else
            f"one past the last element of a sequence as long as `{counted}`")
    step = _one_step(index)
    if step is None:
        return None
    base, k = step
    if k < 0 and isinstance(base, ast.BinOp) and isinstance(base.op, ast.Sub) and is_len(base.left):
        i = ast.unparse(base.right)
        return (f"`{text}` reads the `{i}`-th element from the end of `{seq}`, counting from 0 (`{i}` = 0 gives the "
                "last)")
    pos = ast.unparse(base)
    if k < 0:
        return (f"`{text}` reads the element before position `{pos}`: right when `{pos}` counts from 1 (a line, page "
                f"or item number) or points one past that element; one too early when `{pos}` is its 0-based index")
    return f"`{text}` reads the element after position `{pos}`: past the end of `{seq}` when `{pos}` is its last index"


_HOLDS = {ast.Lt: ("up to", -1, "never"), ast.LtE: ("up to", 0, "included"), ast.Gt: ("from", 1, "never"),
          ast.GtE: ("from", 0, "included")}


def _compare_facts(node: ast.Compare, text: str) -> str | None:
    """For which values a one-operator comparison holds: ``i < n - 1`` holds for i up to n - 2 (never n - 1);
    ``len(x) <= limit`` holds when the length equals the limit too. A +1/-1 on the left moves to the right."""
    if len(node.ops) != 1 or type(node.ops[0]) not in _HOLDS:
        subs = [n for n in ast.walk(node) if isinstance(n, ast.Subscript) and _index_facts(n)]
        return _index_facts(subs[0]) if subs else None
    left, right = node.left, node.comparators[0]
    step = _one_step(left)
    if step is None and _one_step(right) is None:
        subs = [n for n in ast.walk(node) if isinstance(n, ast.Subscript) and _index_facts(n)]
        if subs:
            return _index_facts(subs[0])
        if isinstance(node.ops[0], (ast.LtE, ast.GtE)):
            return (f"`{text}` holds when both sides are equal too (`{ast.unparse(left)}` == "
                    f"`{ast.unparse(right)}`)")
        return None
    word, k, edge = _HOLDS[type(node.ops[0])]
    subject, moved = (step[0], -step[1]) if step is not None else (left, 0)
    bound, limit = _shift(right, moved), _shift(right, moved + k)
    edge_text = f"never `{bound}`" if edge == "never" else f"`{bound}` included"
    return f"`{text}` holds for `{ast.unparse(subject)}` {word} `{limit}` ({edge_text})"


def _bound_facts(node: ast.AST, text: str) -> str:
    """What the bound does, worked out, so that the question is about intent and not arithmetic:
    ``range(1, n)`` gives 1 up to n - 1, never n."""
    if isinstance(node, ast.Call) and call_name(node) == "range" and node.args and len(node.args) <= 2:
        start = ast.unparse(node.args[0]) if len(node.args) == 2 else "0"
        stop = node.args[-1]
        if _numbered_rest(node):
            return (f"`{text}` gives {start} up to {_minus_one(stop)}: number `{ast.unparse(stop)}` itself, the last "
                    "of a count numbered from 1, is never reached")
        return (f"`{text}` gives {start} up to {_minus_one(stop)} (never {ast.unparse(stop)}); the bound is "
                "computed with a +1/-1, a 1 or len() here")
    if isinstance(node, ast.Slice):
        low = f"`{ast.unparse(node.lower)}`" if node.lower is not None else "the start"
        high = f"`{_minus_one(node.upper)}` (never `{ast.unparse(node.upper)}`)" if node.upper is not None \
            else "the end"
        return f"the slice `[{text}]` takes the elements from {low} up to {high}"
    if isinstance(node, ast.While):
        return f"`while {text}` runs once more with both sides equal"
    worked = _index_facts(node) if isinstance(node, ast.Subscript) else \
        _compare_facts(node, text) if isinstance(node, ast.Compare) else None
    return worked or f"the bound `{text}` is computed with a +1/-1 or len() here"


def _pairwise(unit: Unit, node: ast.AST) -> bool:
    """``for i in range(1, len(xs)): ... xs[i - 1] ... xs[i]``: each element with the one before it (the range, or
    the ``xs[i - 1]`` read inside such a loop)."""
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.BinOp) and isinstance(node.slice.op, ast.Sub) \
            and isinstance(node.slice.left, ast.Name) and isinstance(node.slice.right, ast.Constant) \
            and node.slice.right.value == 1:
        loops = [n for n in unit.nodes if isinstance(n, ast.For) and isinstance(n.target, ast.Name)
                 and n.target.id == node.slice.left.id and isinstance(n.iter, ast.Call)]
        return any(_pairwise(unit, loop.iter) for loop in loops)
    if isinstance(node, ast.Compare):  # ``xs[i] - xs[i - 1] > gap``: only such reads are +1/-1 in it
        reads = [n for n in ast.walk(node) if isinstance(n, ast.Subscript) and plus_minus_one(n.slice)]
        inside = {id(x) for r in reads for x in ast.walk(r.slice)}
        ones = [n for n in ast.walk(node) if isinstance(n, ast.BinOp) and id(n) not in inside and any(
            isinstance(x, ast.Constant) and x.value == 1 for x in (n.left, n.right))]
        return bool(reads) and not ones and all(_pairwise(unit, r) for r in reads)
    if not (isinstance(node, ast.Call) and call_name(node) == "range" and len(node.args) == 2
            and isinstance(node.args[0], ast.Constant) and node.args[0].value == 1 and is_len(node.args[1])):
        return False
    loop = unit.parents.get(id(node))
    if not (isinstance(loop, ast.For) and isinstance(loop.target, ast.Name)):
        return False
    seq, i = ast.unparse(node.args[1].args[0]), loop.target.id
    return any(isinstance(n, ast.Subscript) and ast.unparse(n) == f"{seq}[{i} - 1]" for n in ast.walk(loop))
