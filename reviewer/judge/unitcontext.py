"""The little context a unit needs, besides its own numbered lines: the imports it uses, its class header and
attributes, and the signatures of same-file functions it calls. Everything here is repository text (untrusted)."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from reviewer.judge.units import Unit

__all__ = ["MAX_UNIT_LINES", "UnitText", "unit_text"]

MAX_UNIT_LINES = 60
_MAX_IMPORTS = 8
_MAX_ATTRS = 8
_MAX_CALLEES = 5


@dataclass(frozen=True)
class UnitText:
    context: list[str]
    numbered: str
    shown_lines: list[int]
    clipped: bool


def _names_used(unit: Unit) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(unit.node):
        if isinstance(node, ast.Name):
            out.add(node.id)
        elif isinstance(node, ast.Attribute):
            out.add(node.attr)
    return out


def _imports(unit: Unit, used: set[str]) -> list[str]:
    out = []
    for node in unit.source.tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound = {(a.asname or a.name).split(".")[0] for a in node.names}
            if bound & used:
                out.append(unit.source.line(node.lineno).strip())
    return out[:_MAX_IMPORTS]


def _class_header(unit: Unit) -> list[str]:
    cls = unit.class_node
    if cls is None:
        return []
    out = [unit.source.line(cls.lineno).strip()]
    for node in cls.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            out.append("    " + unit.source.line(node.lineno).strip())
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "__init__":
            out.extend("    " + unit.source.line(n.lineno).strip() for n in ast.walk(node)
                       if isinstance(n, (ast.Assign, ast.AnnAssign)) and n.lineno != node.lineno)
    return out[: _MAX_ATTRS + 1]


def _callees(unit: Unit) -> list[str]:
    called = {n.func.id if isinstance(n.func, ast.Name) else n.func.attr for n in ast.walk(unit.node)
              if isinstance(n, ast.Call) and isinstance(n.func, (ast.Name, ast.Attribute))}
    out = []
    for node in ast.walk(unit.source.tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in called and node is not unit.node:
            out.append(unit.source.line(node.lineno).strip())
    return list(dict.fromkeys(out))[:_MAX_CALLEES]


def unit_text(unit: Unit) -> UnitText:
    used = _names_used(unit)
    context = []
    if imports := _imports(unit, used):
        context.append("Imports used: " + " | ".join(imports))
    if header := _class_header(unit):
        context.append("Class:\n" + "\n".join(header))
    if callees := _callees(unit):
        context.append("Same-file functions it calls: " + " | ".join(callees))
    shown = unit.lines[:MAX_UNIT_LINES]
    width = len(str(shown[-1]))
    numbered = "\n".join(f"{n:>{width}} | {unit.source.line(n)}" for n in shown)
    return UnitText(context=context, numbered=numbered, shown_lines=shown, clipped=len(unit.lines) > len(shown))
