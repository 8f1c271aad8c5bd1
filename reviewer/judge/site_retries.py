"""Sites of retry loops whose count may be off by one: a counter bumped once per pass, and a test on it that ends
the loop (``attempt += 1`` ... ``if attempt > max_retries: raise``). The facts work out on which pass the test
first ends the loop and how many times the work has run by then, so that the model compares a number with what
the docstring or the limit's name promises, instead of tracing the loop itself.
"""

from __future__ import annotations

import ast
import re

from reviewer.judge.site import Site
from reviewer.judge.units import Unit

__all__ = ["retry_sites"]

_LIMIT = re.compile(r"retr|attempt|tries|max|limit", re.I)
_FIRST_TRUE = {ast.Gt: 1, ast.GtE: 0}
"""``c > L`` is first true at ``L + 1``, ``c >= L`` at ``L`` (counting up)."""


def _bumps(loop: ast.AST) -> dict[str, ast.AugAssign]:
    return {n.target.id: n for n in ast.walk(loop) if isinstance(n, ast.AugAssign) and isinstance(n.op, ast.Add)
            and isinstance(n.target, ast.Name) and isinstance(n.value, ast.Constant) and n.value.value == 1}


def _stops(body: list[ast.stmt]) -> bool:
    return any(isinstance(s, (ast.Raise, ast.Break, ast.Return)) for s in body)


def _start(unit: Unit, name: str, loop: ast.AST) -> int | None:
    """The constant the counter is set to before the loop, if it is one."""
    starts = [n.value.value for n in unit.nodes if isinstance(n, ast.Assign) and n.lineno < loop.lineno
              and isinstance(n.value, ast.Constant) and type(n.value.value) is int
              and any(isinstance(t, ast.Name) and t.id == name for t in n.targets)]
    return starts[-1] if starts else None


def _shifted(limit: ast.AST, k: int) -> str:
    text = ast.unparse(limit)
    if isinstance(limit, ast.Constant) and type(limit.value) is int:
        return str(limit.value + k)
    return f"{text} + {k}" if k > 0 else f"{text} - {-k}" if k < 0 else text


def _work_before(loop: ast.AST, test: ast.If) -> ast.stmt | None:
    """The try block the test follows in the same pass (the test is in its handler or after it), if any."""
    for node in ast.walk(loop):
        if isinstance(node, ast.Try) and node.lineno < test.lineno and node.body:
            return node.body[0]
    return None


def _facts(unit: Unit, loop: ast.AST, test: ast.If, bump: ast.AugAssign) -> str | None:
    cmp = test.test
    assert isinstance(cmp, ast.Compare)
    counter, limit = ast.unparse(cmp.left), cmp.comparators[0]
    start = _start(unit, counter, loop)
    first = _FIRST_TRUE.get(type(cmp.ops[0]))
    if start is None or first is None:
        return None
    before = bump.lineno < test.lineno  # the counter already counts this pass when it is tested
    pass_no = first - start + (0 if before else 1)  # on pass k the counter is start + k (bumped before) or + k - 1
    work = _work_before(loop, test)
    runs = pass_no if work is not None else pass_no - 1
    said = f"`{counter}` starts at {start} and goes up by one {'before' if before else 'after'} the test (line " \
           f"{bump.lineno}); `{ast.unparse(test.test)}` (line {test.lineno}) first ends the loop on pass " \
           f"{_shifted(limit, pass_no)}"
    if work is not None:
        return f"{said}, after that pass's try (line {work.lineno}) has run: {_shifted(limit, runs)} tries in all"
    return f"{said}, before that pass's work: {_shifted(limit, runs)} passes of work in all"


def retry_sites(unit: Unit) -> list[Site]:
    """The first counter test that ends a retry loop, with the number of tries it allows worked out."""
    for loop in (n for n in unit.nodes if isinstance(n, (ast.While, ast.For))):
        bumps = _bumps(loop)
        for test in (n for n in ast.walk(loop) if isinstance(n, ast.If) and _stops(n.body)):
            cmp = test.test
            if not (isinstance(cmp, ast.Compare) and len(cmp.ops) == 1 and isinstance(cmp.left, ast.Name)
                    and cmp.left.id in bumps and _LIMIT.search(ast.unparse(cmp))):
                continue
            facts = _facts(unit, loop, test, bumps[cmp.left.id])
            if facts is not None:
                return [Site("off_by_one", test.lineno, facts, f"Make `{ast.unparse(cmp)}` allow exactly the number "
                             "of tries the limit names")]
    return []
