"""Failure paths: per product module, the ``except`` handlers and ``raise`` statements whose lines ran under the
tests and those that never ran (coverage's missing lines x the AST).

A handler ran when the first statement of its body is not a missing line; a ``raise`` ran when its own line is
not. Bare re-raises, ``raise NotImplementedError`` (an "override me", not a failure path) and lines marked
``pragma: no cover`` (deliberately excluded) are not counted. Each handler or raise that never ran becomes a
named test to write: ``test_load_config_when_file_missing`` for ``except FileNotFoundError`` in ``load_config``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from reviewer.collectors.base import CollectContext, CollectorOutput
from reviewer.collectors.derived import DerivedCollector
from reviewer.discovery import is_test_path
from reviewer.evidence import (
    CoverageFile,
    Evidence,
    FailurePath,
    FailurePathsSection,
    MissingTest,
    ModuleFailurePaths,
)
from reviewer.findings import Finding, Severity
from reviewer.source import SourceFile

__all__ = ["FailurePathsCollector", "exception_phrase", "failure_paths_of", "missing_test_name"]

RULE = "coverage.failure_paths_untested"
_NO_COVER = re.compile(r"#\s*pragma:\s*no\s*(cover|branch)", re.I)
# What a test of the failure path is about, for common exceptions; others fall back to their name in snake case.
_PHRASES: dict[str, str] = {
    "FileNotFoundError": "file_missing", "IsADirectoryError": "path_is_directory",
    "NotADirectoryError": "path_not_directory", "PermissionError": "permission_denied",
    "FileExistsError": "file_exists", "TimeoutError": "timeout", "TimeoutExpired": "timeout",
    "timeout": "timeout", "ConnectionError": "connection_fails", "ConnectError": "connection_fails",
    "KeyError": "key_missing", "IndexError": "index_out_of_range", "ValueError": "value_invalid",
    "TypeError": "type_wrong", "AttributeError": "attribute_missing", "ImportError": "import_fails",
    "ModuleNotFoundError": "module_missing", "UnicodeDecodeError": "undecodable",
    "UnicodeEncodeError": "unencodable", "JSONDecodeError": "json_invalid", "OSError": "os_error",
    "IOError": "io_error", "EOFError": "input_ends", "KeyboardInterrupt": "interrupted",
    "StopIteration": "exhausted", "RuntimeError": "runtime_error", "Exception": "error",
    "BaseException": "any_error", "AssertionError": "assertion_fails", "ZeroDivisionError": "dividing_by_zero",
    "OverflowError": "overflow", "RecursionError": "recursing_too_deep", "MemoryError": "out_of_memory",
    "CalledProcessError": "subprocess_fails", "BrokenPipeError": "pipe_broken",
}


def _snake(name: str) -> str:
    name = re.sub(r"(Error|Exception)$", "", name) or name
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower().strip("_") or "error"


def exception_phrase(exception: str | None) -> str:
    """``FileNotFoundError`` -> ``file_missing``; ``(KeyError, IndexError)`` -> ``key_missing``; None -> ``error``."""
    if not exception:
        return "error"
    first = re.split(r"[\s,()]+", exception.strip("() "))[0]
    last = first.rsplit(".", 1)[-1]
    return _PHRASES.get(last, _snake(last))


def missing_test_name(path: FailurePath) -> str:
    where = (path.function or path.file.rsplit("/", 1)[-1].removesuffix(".py")).rsplit(".", 1)[-1]
    where = where.strip("_").lower() or "module"
    if path.kind == "except":
        return f"test_{where}_when_{exception_phrase(path.exception)}"
    return f"test_{where}_raises_{_snake((path.exception or 'error').split('(')[0].rsplit('.', 1)[-1])}"


def _raised_name(node: ast.Raise) -> str | None:
    exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    return ast.unparse(exc) if exc is not None else None


@dataclass
class _Walker(ast.NodeVisitor):
    source: SourceFile
    missing: set[int]
    paths: list[FailurePath] = field(default_factory=list)
    scope: list[str] = field(default_factory=list)

    def _excluded(self, line: int) -> bool:
        return bool(_NO_COVER.search(self.source.line(line)))

    def _scoped(self, node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_ClassDef = visit_FunctionDef = visit_AsyncFunctionDef = _scoped

    def _function(self) -> str | None:
        return ".".join(self.scope) or None

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        first = node.body[0].lineno if node.body else node.lineno
        if not self._excluded(node.lineno) and not self._excluded(first):
            exception = ast.unparse(node.type) if node.type is not None else None
            self.paths.append(FailurePath(file=self.source.rel, line=node.lineno, kind="except",
                                          function=self._function(), exception=exception,
                                          ran=first not in self.missing))
        self.generic_visit(node)

    def visit_Raise(self, node: ast.Raise) -> None:
        name = _raised_name(node)
        if name is None or name.endswith("NotImplementedError") or self._excluded(node.lineno):
            return
        self.paths.append(FailurePath(file=self.source.rel, line=node.lineno, kind="raise",
                                      function=self._function(), exception=name, ran=node.lineno not in self.missing))


def failure_paths_of(source: SourceFile, coverage: CoverageFile) -> ModuleFailurePaths:
    walker = _Walker(source, set(coverage.missing_lines))
    walker.visit(source.tree)
    handlers = [p for p in walker.paths if p.kind == "except"]
    raises = [p for p in walker.paths if p.kind == "raise"]
    return ModuleFailurePaths(
        path=source.rel, handlers=len(handlers), handlers_ran=sum(p.ran for p in handlers),
        raises=len(raises), raises_ran=sum(p.ran for p in raises),
        never_ran=sorted((p for p in walker.paths if not p.ran), key=lambda p: p.line))


def _missing_tests(modules: list[ModuleFailurePaths]) -> list[MissingTest]:
    out: dict[str, MissingTest] = {}
    for module in modules:
        for path in module.never_ran:
            name = missing_test_name(path)
            out.setdefault(name, MissingTest(name=name, file=path.file, line=path.line, function=path.function,
                                             exception=path.exception, kind=path.kind))
    # handlers first (a catch that never ran is the clearest missing test), then by place
    return sorted(out.values(), key=lambda t: (t.kind != "except", t.file, t.line))


def _finding(module: ModuleFailurePaths) -> Finding:
    first = module.never_ran[0]
    parts = []
    if module.handlers:
        parts.append(f"0 of {module.handlers} except handler(s)")
    if module.raises:
        parts.append(f"0 of {module.raises} raise statement(s)")
    lines = ", ".join(str(p.line) for p in module.never_ran[:8]) + (", ..." if len(module.never_ran) > 8 else "")
    return Finding(
        rule=RULE, severity=Severity.medium, title=f"No failure path of {module.path} ran under the tests",
        file=module.path, line=first.line, source="failure_paths", category="test_health", scope="product",
        evidence=f"{' and '.join(parts)} ran (lines {lines})",
        recommendation=f"Write tests that drive this module's failure paths, starting with {missing_test_name(first)}.")


def _not_measured(reason: str) -> CollectorOutput:
    return CollectorOutput(section=FailurePathsSection(measured=False, reason=reason))


class FailurePathsCollector(DerivedCollector):
    name = "failure_paths"

    def derive(self, ctx: CollectContext, evidence: Evidence) -> CollectorOutput:
        tests = evidence.tests
        if tests is None or not tests.coverage_files:
            return _not_measured("no coverage data (run the tests with --run-tests or give a coverage report)")
        modules: list[ModuleFailurePaths] = []
        for cov in tests.coverage_files:
            if not cov.path.endswith(".py") or is_test_path(cov.path):
                continue
            source = ctx.sources.get(cov.path)
            if isinstance(source, SourceFile):
                module = failure_paths_of(source, cov)
                if module.handlers or module.raises:
                    modules.append(module)
        section = FailurePathsSection(
            measured=True, modules=modules, missing_tests=_missing_tests(modules),
            handlers=sum(m.handlers for m in modules), handlers_ran=sum(m.handlers_ran for m in modules),
            raises=sum(m.raises for m in modules), raises_ran=sum(m.raises_ran for m in modules))
        findings = [_finding(m) for m in modules if m.handlers_ran + m.raises_ran == 0]
        return CollectorOutput(section=section, findings=findings, files=len(modules))
