"""Complexity evidence from radon used as a library: cc per block, mi, raw and halstead per file.

The figures equal ``radon cc -j``, ``radon mi -j`` and ``radon raw -j`` (default options) for the same file.
The AST parsed once by the :class:`~reviewer.source.SourceStore` feeds cc, halstead and mi; raw metrics need
the text and are computed once (radon's ``mi_visit`` would compute them a second time). For a file with a very
long multi-line statement, where ``radon.raw.analyze`` is quadratic, the same raw figures come from
:func:`~reviewer.collectors.rawmetrics.linear_raw_analyze` and ``FileMetrics.raw_engine`` says so.
"""

from __future__ import annotations

import ast
from typing import ClassVar

from pydantic import BaseModel, Field, model_validator
from radon.complexity import cc_rank
from radon.metrics import h_visit_ast, mi_compute, mi_rank
from radon.raw import Module, analyze
from radon.visitors import Class, ComplexityVisitor, Function

from reviewer.collectors.base import CollectContext, CollectorOutput, PerFileCollector
from reviewer.collectors.rawmetrics import linear_raw_analyze
from reviewer.evidence import (
    BlockComplexity,
    ComplexitySection,
    FileFailure,
    FileMetrics,
    HalsteadTotals,
    SkippedFile,
)
from reviewer.findings import Finding, Severity
from reviewer.scopes import TEST_SCOPES, scope_of
from reviewer.source import SourceFile

__all__ = ["LONG_STATEMENT_LINES", "ComplexityCollector", "ComplexityFileResult", "file_metrics"]

LONG_STATEMENT_LINES = 150
"""A simple statement longer than this makes radon's raw analysis quadratic: use the linear pass."""

_SEVERITY_BY_RANK = {"C": Severity.low, "D": Severity.medium, "E": Severity.high, "F": Severity.high}


class ComplexityFileResult(BaseModel):
    """What the collector measured in one file (cached by content)."""

    metrics: FileMetrics | None = None
    blocks: list[BlockComplexity] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    failure: FileFailure | None = None
    """raw/mi failed (radon's tokenizer rejects the file); the cc blocks stand, as in ``radon cc -j``."""

    @model_validator(mode="after")
    def _metrics_or_failure(self) -> ComplexityFileResult:
        if self.metrics is None and self.failure is None:
            raise ValueError("a complexity result holds the file's metrics or the failure that prevented them")
        return self


_ONE_LOGICAL_LINE = (ast.expr, ast.arg, ast.keyword, ast.alias, ast.pattern)
"""Nodes that never span more than one logical line, even inside a compound statement's header."""


def _longest_logical_line(tree: ast.Module) -> int:
    """Lines spanned by the longest simple statement or expression.

    Expressions count too: ``for x in [<3000 lines>]:`` is a compound statement, but its header is one
    logical line that radon's raw analysis re-tokenizes line by line.
    """
    longest = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt):
            if hasattr(node, "body") or isinstance(node, ast.Match):
                continue
        elif not isinstance(node, _ONE_LOGICAL_LINE):
            continue
        end: int | None = getattr(node, "end_lineno", None)
        if end is not None:
            longest = max(longest, end - node.lineno + 1)
    return longest


def _raw(text: str, tree: ast.Module) -> tuple[Module, str | None]:
    """radon's raw figures, and a note when they came from the linear pass."""
    longest = _longest_logical_line(tree)
    if longest > LONG_STATEMENT_LINES:
        linear = linear_raw_analyze(text)
        if linear is not None:
            note = (
                f"raw/mi figures computed in one tokenizer pass (a {longest}-line logical line makes "
                "radon.raw.analyze quadratic); same figures as radon"
            )
            return linear, note
    return analyze(text), None


def file_metrics(source: SourceFile, visitor: ComplexityVisitor) -> FileMetrics:
    """raw, mi (multi-line strings counted as comments, like ``radon mi``) and halstead totals of one file."""
    text = source.text.replace("\r\n", "\n").replace("\r", "\n")  # radon reads with universal newlines
    raw, note = _raw(text, source.tree)
    hal = h_visit_ast(source.tree).total
    comment_lines = raw.comments + raw.multi
    comments_pct = comment_lines / float(raw.sloc) * 100 if raw.sloc != 0 else 0
    mi = mi_compute(hal.volume, visitor.total_complexity, raw.lloc, comments_pct)
    return FileMetrics(
        path=source.rel,
        loc=raw.loc,
        lloc=raw.lloc,
        sloc=raw.sloc,
        comments=raw.comments,
        multi=raw.multi,
        blank=raw.blank,
        single_comments=raw.single_comments,
        mi=mi,
        mi_rank=mi_rank(mi),
        halstead=HalsteadTotals(**hal._asdict()),
        bounded=note,
        raw_engine="linear" if note else "radon",
    )


def _block(rel: str, obj: Function | Class) -> BlockComplexity:
    if isinstance(obj, Function):
        kind = "method" if obj.is_method else "function"
        classname = obj.classname
    else:
        kind, classname = "class", None
    return BlockComplexity(
        file=rel,
        name=obj.name,
        type=kind,
        classname=classname,
        lineno=obj.lineno,
        endline=obj.endline,
        col_offset=obj.col_offset,
        complexity=obj.complexity,
        rank=cc_rank(obj.complexity),
    )


def _cc_finding(source: SourceFile, block: BlockComplexity) -> Finding:
    qualified = f"{block.classname}.{block.name}" if block.classname else block.name
    return Finding(
        rule="radon.cc",
        severity=_SEVERITY_BY_RANK[block.rank],
        title=f"{block.type} {qualified} has cyclomatic complexity {block.complexity} (rank {block.rank})",
        file=source.rel,
        line=block.lineno,
        end_line=block.endline,
        source="complexity",
        evidence=f"radon cc: {qualified} complexity {block.complexity}, rank {block.rank}",
        recommendation="Split the function into smaller ones with one job each; flatten nested branches.",
        snippet=source.line(block.lineno).strip(),
        category="maintainability",
    )


def _mi_finding(metrics: FileMetrics) -> Finding:
    return Finding(
        rule="radon.mi",
        severity=Severity.low,
        title=f"{metrics.path} has a low maintainability index ({metrics.mi:.1f}, rank {metrics.mi_rank})",
        file=metrics.path,
        source="complexity",
        evidence=f"radon mi: {metrics.mi:.2f} (rank {metrics.mi_rank}); sloc {metrics.sloc}, lloc {metrics.lloc}",
        recommendation="Split the module, reduce its complexity, and document what stays.",
        snippet="",
        category="maintainability",
    )


class ComplexityCollector(PerFileCollector[ComplexityFileResult]):
    name: ClassVar[str] = "complexity"
    version: ClassVar[str] = "3"
    result_model: ClassVar[type[BaseModel]] = ComplexityFileResult

    def _failure(self, source: SourceFile, what: str, exc: Exception) -> FileFailure:
        message = f"{what}: {type(exc).__name__}: {exc}"
        return FileFailure(path=source.rel, collector=self.name, kind="tool_error", message=message)

    def analyze(self, source: SourceFile) -> ComplexityFileResult | FileFailure:
        try:
            visitor = ComplexityVisitor.from_ast(source.tree)
        except (SyntaxError, ValueError, RecursionError) as exc:
            return self._failure(source, "radon cc", exc)
        blocks = [_block(source.rel, b) for b in visitor.blocks]
        findings = [
            _cc_finding(source, b) for b in blocks if b.type != "class" and b.rank in _SEVERITY_BY_RANK
        ]
        try:
            metrics = file_metrics(source, visitor)
        except (SyntaxError, ValueError, RecursionError) as exc:
            # radon's pure-Python tokenizer rejects some files Python parses (an identifier such as pyparsing's
            # "עִברִית"): ``radon raw``/``mi`` report an error for them, ``radon cc`` still measures them.
            failure = self._failure(source, "radon raw/mi", exc)
            return ComplexityFileResult(blocks=blocks, findings=findings, failure=failure)
        if metrics.mi_rank == "C":
            findings.append(_mi_finding(metrics))
        return ComplexityFileResult(metrics=metrics, blocks=blocks, findings=findings)

    def summarize(self, ctx: CollectContext, results: dict[str, ComplexityFileResult]) -> CollectorOutput:
        section = ComplexitySection()
        findings: list[Finding] = []
        failures: list[FileFailure] = []
        quiet_tests = ctx.config.noise.test_complexity
        for rel in sorted(results):
            res = results[rel]
            section.blocks.extend(res.blocks)
            if quiet_tests and scope_of(rel, ctx.config.scopes) in TEST_SCOPES:
                section.suppressed_test_findings += len(res.findings)  # complexity of test code is noise
            else:
                findings.extend(res.findings)
            if res.failure is not None:
                failures.append(res.failure)
            if res.metrics is None:
                continue
            section.files.append(res.metrics)
            if res.metrics.bounded:
                section.skipped.append(SkippedFile(path=rel, collector=self.name, reason=res.metrics.bounded))
        _totals(section)
        return CollectorOutput(section=section, findings=findings, failures=failures)


def _totals(section: ComplexitySection) -> None:
    blocks = section.blocks
    if blocks:
        section.average_complexity = sum(b.complexity for b in blocks) / len(blocks)
        section.worst_rank = max(b.rank for b in blocks)
    for b in blocks:
        section.rank_counts[b.rank] = section.rank_counts.get(b.rank, 0) + 1
    mis = [f.mi for f in section.files if f.mi is not None]
    section.average_mi = sum(mis) / len(mis) if mis else None
    section.total_sloc = sum(f.sloc for f in section.files)
