"""A site: one place in a unit where one kind of defect is possible, with what the AST saw there."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from reviewer.judge.features import call_name
from reviewer.judge.units import Unit

__all__ = ["LOG_CALLS", "Site", "block_of", "call_text", "code_at", "docstring", "parameters", "reads_at",
           "unqualified"]

LOG_CALLS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "print", "echo",
                       "secho"})
"""Calls that write a message out (logging, print, click.echo), by the last part of their name."""


@dataclass(frozen=True)
class Site:
    kind: str
    line: int
    facts: str
    """What the AST shows at the site, in one sentence (repository names quoted)."""
    fix: str
    """The concrete change if the model confirms the defect."""
    question: str = ""
    """The question for this site, where its facts already show the mechanism (a method that is not called is
    always true): it takes the facts as given and asks whether they break what the code is for, instead of the
    kind's question, which asks the model to find the mechanism again. Empty: the kind's question."""

    @property
    def key(self) -> str:
        """Stable within the unit: the kind and the line relative to the unit's first line."""
        return f"{self.kind}@{self.line}"


def code_at(unit: Unit, line: int) -> str:
    return unit.source.line(line).strip()


def call_text(node: ast.Call) -> str:
    """The called name as written (``requests.get``, ``self.session.post``)."""
    return call_name(node) or ast.unparse(node.func)


def docstring(unit: Unit) -> str | None:
    """The unit's own docstring: a function's or method's; None for module code and for a function without one."""
    node = unit.node
    return ast.get_docstring(node) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None


def unqualified(pattern: re.Pattern[str], text: str, qualifier: re.Pattern[str]) -> bool:
    """Some match of ``pattern`` in ``text`` is said outright: ``qualifier`` (anchored at the end) does not find
    a clause still open where it starts ("not shared between threads", "checks if it is valid")."""
    return any(not qualifier.search(text[:m.start()]) for m in pattern.finditer(text))


def parameters(unit: Unit) -> list[ast.arg]:
    """The unit's parameters (positional-only, ordinary, keyword-only), without ``self`` and ``cls``; none for
    module code."""
    args = getattr(unit.node, "args", None)
    if args is None:
        return []
    return [a for a in [*args.posonlyargs, *args.args, *args.kwonlyargs] if a.arg not in ("self", "cls")]


def block_of(node: ast.AST, parent: ast.AST | None) -> list[ast.stmt]:
    """The statement list of ``parent`` (its body, else branch or finally block) that holds ``node``; empty when
    none does."""
    return next((b for b in (getattr(parent, f, None) for f in ("body", "orelse", "finalbody"))
                 if isinstance(b, list) and any(x is node for x in b)), [])


def reads_at(unit: Unit, seq: str, index: str) -> bool:
    """The unit reads ``seq[index]`` (both given as source text): the index a bound test is about."""
    return any(isinstance(s, ast.Subscript) and ast.unparse(s.value) == seq and ast.unparse(s.slice) == index
               for s in unit.nodes)
