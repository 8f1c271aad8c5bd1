"""Units of judgement from the shared parse: every function and method, and a file's module-level code.

A unit carries its file, qualified name, line span and a content hash (of its own lines), so an unchanged unit
keeps its hash wherever it moves in the file. Nested functions belong to the function that defines them.
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from reviewer.discovery import is_test_path
from reviewer.source import SourceFile

__all__ = ["Unit", "extract_units"]

UnitKind = Literal["function", "method", "module"]
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass
class Unit:
    file: str
    qualname: str
    kind: UnitKind
    start: int
    end: int
    node: ast.AST = field(repr=False)
    source: SourceFile = field(repr=False)
    lines: list[int] = field(default_factory=list, repr=False)
    """The file lines (1-based) the unit is made of: its whole span, or the module-level statements."""
    class_node: ast.ClassDef | None = field(default=None, repr=False)

    @property
    def hash(self) -> str:
        text = "\n".join(self.source.line(n) for n in self.lines)
        return hashlib.sha256(f"{self.kind}\x1f{self.qualname}\x1f{text}".encode()).hexdigest()[:32]

    @cached_property
    def nodes(self) -> list[ast.AST]:
        """Every node of the unit, walked once for all the site finders."""
        return list(ast.walk(self.node))

    @cached_property
    def parents(self) -> dict[int, ast.AST]:
        """id(node) -> its parent, within the unit."""
        return {id(child): node for node in self.nodes for child in ast.iter_child_nodes(node)}

    @property
    def is_test(self) -> bool:
        return is_test_path(self.file) or self.qualname.rsplit(".", 1)[-1].startswith("test_")

    @property
    def size(self) -> int:
        return len(self.lines)

    @property
    def label(self) -> str:
        return f"{self.file}:{self.start} {self.qualname}"


def _span(node: ast.AST) -> tuple[int, int]:
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])  # type: ignore[attr-defined]
    return first, int(node.end_lineno or node.lineno)  # type: ignore[attr-defined]


def _walk_defs(body: list[ast.stmt], prefix: str, cls: ast.ClassDef | None, src: SourceFile) -> list[Unit]:
    out: list[Unit] = []
    for node in body:
        if isinstance(node, _DEFS):
            start, end = _span(node)
            out.append(Unit(src.rel, f"{prefix}{node.name}", "method" if cls else "function", start, end, node, src,
                            list(range(start, end + 1)), cls))
        elif isinstance(node, ast.ClassDef):
            out.extend(_walk_defs(node.body, f"{prefix}{node.name}.", node, src))
    return out


def _is_trivial_module_stmt(node: ast.stmt) -> bool:
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.Pass, *_DEFS, ast.ClassDef)):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return True  # docstring
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        value = node.value
        return value is None or isinstance(value, (ast.Constant, ast.Name, ast.Attribute, ast.Dict, ast.List,
                                                   ast.Set, ast.Tuple))
    return False


def _module_unit(src: SourceFile) -> Unit | None:
    """The module-level statements that do something (not imports, docstrings, plain constants, defs)."""
    body = [n for n in src.tree.body if not _is_trivial_module_stmt(n)]
    if not body:
        return None
    lines = sorted({n for stmt in body for n in range(_span(stmt)[0], _span(stmt)[1] + 1)})
    node = ast.Module(body=body, type_ignores=[])
    return Unit(src.rel, "<module>", "module", lines[0], lines[-1], node, src, lines)


def extract_units(src: SourceFile) -> list[Unit]:
    """The units of one parsed file, in file order (module code first)."""
    module = _module_unit(src)
    return ([module] if module else []) + _walk_defs(src.tree.body, "", None, src)
