"""Markers of unfinished work: TODO/FIXME/XXX/HACK comments, stub bodies, scratch files at the repo root.

Comments are found with :mod:`tokenize` (COMMENT tokens only), so a ``"TODO"`` inside a string is not a marker.
A stub is a function whose body (after its docstring) is only ``pass``, ``...``, a docstring, or
``raise NotImplementedError``; abstract methods, ``@overload`` signatures, Protocol members and stub files
(``.pyi``) are declarations, not stubs. In an ABC-derived class or a class named ``Base*``/``Abstract*`` a
no-op method is an optional hook and ``raise NotImplementedError`` the classic "override me": not reported.
Nor are methods of a class the repository derives other classes from (in any file: its ``raise
NotImplementedError`` methods are the contract its subclasses fill), methods of exception classes, members of a handler/visitor family (``visit_*``/``depart_*``, or a
prefix three or more methods share) and no-op overrides of a base-class method. Stubs are product code only:
in tests, fixtures and examples an empty body (``def cli(): pass``) is how such code is written.
"""

from __future__ import annotations

import ast
import fnmatch
import io
import re
import tokenize
from typing import ClassVar

from pydantic import BaseModel, Field

from reviewer.collectors.base import CollectContext, CollectorOutput, PerFileCollector
from reviewer.discovery import is_test_path
from reviewer.evidence import FileFailure, MarkersSection
from reviewer.findings import Finding, Severity
from reviewer.scopes import scope_of
from reviewer.source import SourceFile

__all__ = ["MarkerHit", "MarkersCollector", "MarkersResult", "SCRATCH_PATTERNS", "find_comment_markers",
           "find_stubs", "is_scratch_name"]

_MARKER = re.compile(r"(?<![A-Za-z0-9_])(TODO|FIXME|XXX|HACK)(?![A-Za-z0-9_])|(?<![A-Za-z0-9_])(todo|fixme)\s*[:(]")
_SEVERITY = {"todo": Severity.low, "fixme": Severity.medium, "xxx": Severity.medium, "hack": Severity.low}
_ABSTRACT_DECORATORS = frozenset({"abstractmethod", "abstractproperty", "abstractclassmethod",
                                  "abstractstaticmethod", "overload"})
_ABSTRACT_BASES = frozenset({"ABC", "ABCMeta", "Protocol", "Generic"})
SCRATCH_PATTERNS: tuple[str, ...] = (
    "tmp.py", "tmp[0-9_]*.py", "temp.py", "temp[0-9_]*.py", "scratch*", "untitled*", "Untitled*", "foo.py",
    "bar.py", "baz.py", "test.py", "test[0-9]*.py", "debug.py", "playground*", "sandbox*.py", "*_old.py",
    "*_bak.py", "*_backup.py", "*.bak",
    "*.orig", "*.rej", "*.swp", "*~", "* copy.py", "copy of *", "notes.txt", "todo.txt",
)


class MarkerHit(BaseModel):
    kind: str  # todo, fixme, xxx, hack, stub
    line: int
    text: str
    severe: bool = False
    """For stubs: raise NotImplementedError, or a module-level function that does nothing (not a method)."""
    owner: str | None = None
    """For stubs in a class: the class name (a class others derive from is a base: its stubs are its contract)."""


class MarkersResult(BaseModel):
    hits: list[MarkerHit] = Field(default_factory=list)
    bases: list[str] = Field(default_factory=list, description="Class names this file derives classes from")


def base_class_names(tree: ast.Module) -> list[str]:
    """Every name used as a base class in the module (``class A(pkg.Base)`` gives ``Base``)."""
    return sorted({name for node in ast.walk(tree) if isinstance(node, ast.ClassDef) for name in _base_names(node)})


def find_comment_markers(text: str) -> list[MarkerHit]:
    """TODO/FIXME/XXX/HACK in comments (never in strings). Raises tokenize.TokenError on broken source."""
    hits: list[MarkerHit] = []
    if not _MARKER.search(text):
        return hits  # tokenizing is the slow part; most files hold no marker word at all
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type != tokenize.COMMENT:
            continue
        match = _MARKER.search(tok.string)
        if match:
            kind = (match.group(1) or match.group(2)).lower()
            hits.append(MarkerHit(kind=kind, line=tok.start[0], text=tok.string.lstrip("#").strip()[:200]))
    return hits


def _decorator_names(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    names = set()
    for dec in node.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        if isinstance(target, ast.Attribute):
            names.add(target.attr)
        elif isinstance(target, ast.Name):
            names.add(target.id)
    return names


def _base_names(node: ast.ClassDef) -> set[str]:
    names = set()
    for base in [*node.bases, *(kw.value for kw in node.keywords if kw.arg == "metaclass")]:
        target = base.value if isinstance(base, ast.Subscript) else base
        if isinstance(target, ast.Attribute):
            names.add(target.attr)
        elif isinstance(target, ast.Name):
            names.add(target.id)
    return names


def _stub_kind(body: list[ast.stmt]) -> str | None:
    """'pass', '...', 'docstring' or 'NotImplementedError' when the body does nothing else."""
    docstring = bool(body) and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
        and isinstance(body[0].value.value, str)
    rest = body[1:] if docstring else body
    if not rest:
        return "docstring" if docstring else None
    if len(rest) != 1:
        return None
    stmt = rest[0]
    if isinstance(stmt, ast.Pass):
        return "pass"
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and stmt.value.value is Ellipsis:
        return "..."
    if isinstance(stmt, ast.Raise) and stmt.exc is not None:
        exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
        if isinstance(exc, ast.Name) and exc.id == "NotImplementedError":
            return "NotImplementedError"
    return None


def _abstract_class(node: ast.ClassDef) -> bool:
    return bool(_base_names(node) & _ABSTRACT_BASES) or node.name.startswith(("Base", "Abstract", "_Base"))


_HANDLER_PREFIXES = ("visit_", "depart_", "handle_", "on_", "do_", "enter_", "exit_", "leave_", "process_",
                     "default_", "generic_", "unknown_")
_EXCEPTION_SUFFIXES = ("Error", "Exception", "Warning", "Exit", "Interrupt")
FAMILY_SIZE = 3
"""Methods of a class sharing a ``prefix_`` with at least this many siblings form a dispatch family."""


def _is_exception_class(node: ast.ClassDef) -> bool:
    return any(n.endswith(_EXCEPTION_SUFFIXES) for n in [node.name, *_base_names(node)])


def _families(node: ast.ClassDef) -> set[str]:
    """Name prefixes (``visit_``, ``cmd_``) shared by FAMILY_SIZE or more methods of the class."""
    counts: dict[str, int] = {}
    for item in node.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and "_" in item.name.strip("_"):
            prefix = item.name.lstrip("_").split("_", 1)[0] + "_"
            counts[prefix] = counts.get(prefix, 0) + 1
    return {p for p, n in counts.items() if n >= FAMILY_SIZE}


def _defined_methods(node: ast.ClassDef) -> set[str]:
    return {i.name for i in node.body if isinstance(i, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _overrides(owner: ast.ClassDef, name: str, classes: dict[str, ast.ClassDef], depth: int = 0) -> bool:
    """True when ``name`` may override a base-class method: a base of ``owner`` defined in this module defines
    it (or inherits it), or a base comes from elsewhere (its methods cannot be seen, so an override is assumed)."""
    for base in _base_names(owner) - {"object", "Generic"}:
        local = classes.get(base)
        if local is None or depth > 8:
            return True
        if name in _defined_methods(local) or _overrides(local, name, classes, depth + 1):
            return True
    return False


def _deliberate(node: ast.FunctionDef | ast.AsyncFunctionDef, kind: str, owner: ast.ClassDef | None,
                classes: dict[str, ast.ClassDef]) -> bool:
    """What says an empty body is on purpose: abstract/overload decorators, an abstract base or Protocol, an
    exception class, a dunder, a handler/visitor family, or (for a no-op, not NotImplementedError) an override
    of a base-class method."""
    if _decorator_names(node) & _ABSTRACT_DECORATORS:
        return True
    if node.name.startswith("__") and node.name.endswith("__") and kind != "NotImplementedError":
        return True  # a no-op __exit__/__init__ is deliberate
    if owner is None:
        return node.name.startswith(_HANDLER_PREFIXES)
    if _abstract_class(owner) or _is_exception_class(owner):
        return True
    if kind == "NotImplementedError":
        return False
    family = node.name.lstrip("_").split("_", 1)[0] + "_"
    return node.name.startswith(_HANDLER_PREFIXES) or family in _families(owner) or _overrides(
        owner, node.name, classes)


def find_stubs(tree: ast.Module) -> list[MarkerHit]:
    """Functions with a stub body where nothing says the empty body is deliberate (see :func:`_deliberate`)."""
    hits: list[MarkerHit] = []
    classes = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}

    def walk(nodes: list[ast.stmt], owner: ast.ClassDef | None) -> None:
        for node in nodes:
            if isinstance(node, ast.ClassDef):
                if "Protocol" not in _base_names(node):
                    walk(node.body, node)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                kind = _stub_kind(node.body)
                if kind and not _deliberate(node, kind, owner, classes):
                    what = f"{owner.name}.{node.name}" if owner else node.name
                    severe = kind == "NotImplementedError" or owner is None
                    hits.append(MarkerHit(kind="stub", line=node.lineno, text=f"{what}() body is only {kind}",
                                          severe=severe, owner=owner.name if owner else None))
                walk(node.body, None)
            else:
                for field in ("body", "orelse", "finalbody", "handlers"):
                    walk([n for n in getattr(node, field, []) if isinstance(n, ast.AST)], owner)

    walk(tree.body, None)
    return hits


def is_scratch_name(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in SCRATCH_PATTERNS)


_ADVICE = {
    "stub": "Implement it, mark it abstract, or remove it if nothing calls it.",
    "scratch": "Delete the scratch file or move what is worth keeping into the package or a test.",
}


class MarkersCollector(PerFileCollector[MarkersResult]):
    name = "markers"
    version: ClassVar[str] = "4"  # 4: base classes of the repository (its stubs are the contract) recorded
    result_model = MarkersResult

    def analyze(self, source: SourceFile) -> MarkersResult | FileFailure:
        try:
            comments = find_comment_markers(source.text)
        except (tokenize.TokenError, SyntaxError) as exc:
            return FileFailure(path=source.rel, collector=self.name, kind="syntax_error", message=str(exc))
        stubs = [] if source.rel.endswith(".pyi") else find_stubs(source.tree)
        return MarkersResult(hits=sorted([*comments, *stubs], key=lambda h: h.line),
                             bases=base_class_names(source.tree))

    def _finding(self, rel: str, hit: MarkerHit, code: str, is_test: bool) -> Finding:
        if hit.kind == "stub":
            return Finding(
                rule="markers.stub", severity=Severity.medium if hit.severe and not is_test else Severity.low,
                title="Stub function body", file=rel, line=hit.line, source=self.name, evidence=hit.text,
                recommendation=_ADVICE["stub"], snippet=code, category="functionality",
            )
        return Finding(
            rule=f"markers.{hit.kind}", severity=_SEVERITY[hit.kind], title=f"{hit.kind.upper()} comment",
            file=rel, line=hit.line, source=self.name, evidence=code or hit.text,
            recommendation="Do it, or track it in the issue tracker and remove the comment.",
            snippet=code, category="maintainability",
        )

    def summarize(self, ctx: CollectContext, results: dict[str, MarkersResult]) -> CollectorOutput:
        counts = {kind: 0 for kind in ("todo", "fixme", "xxx", "hack", "stub", "scratch")}
        findings: list[Finding] = []
        bases = {name for result in results.values() for name in result.bases}
        for rel in sorted(results):
            product = scope_of(rel, ctx.config.scopes) == "product"
            for hit in results[rel].hits:
                if hit.kind == "stub" and not product:
                    continue  # in tests, fixtures, examples an empty body is how code is written, not a stub
                if hit.kind == "stub" and hit.owner in bases:
                    continue  # a class the repository derives from: its empty methods are what subclasses fill
                counts[hit.kind] += 1
                code = ctx.sources.line(rel, hit.line).strip()
                findings.append(self._finding(rel, hit, code, is_test_path(rel)))
        scratch = sorted(f.rel for f in ctx.discovery.files if "/" not in f.rel and is_scratch_name(f.rel))
        counts["scratch"] = len(scratch)
        for rel in scratch:
            findings.append(Finding(
                rule="markers.scratch", severity=Severity.low, title="Scratch file at the repository root",
                file=rel, source=self.name, evidence=f"{rel} looks like a scratch/backup file",
                recommendation=_ADVICE["scratch"], snippet="", category="maintainability",
            ))
        return CollectorOutput(section=MarkersSection(counts=counts, scratch_files=scratch), findings=findings)


