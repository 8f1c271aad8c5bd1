"""Drive bandit over sources already read by the SourceStore (the scanning half of the security collector).

Imported lazily by :mod:`reviewer.collectors.security`, so a run whose per-file results all come from the cache
does not pay bandit's import. See that module's docstring for why ``BanditManager._parse_file`` is the entry
point, and for the fast ``# nosec`` path.
"""

from __future__ import annotations

import ast

import io
import threading
from functools import lru_cache
from typing import Any

from bandit.core import config as b_config
from bandit.core import docs_utils
from bandit.core import manager as b_manager
from bandit.core import node_visitor as b_node_visitor
from bandit.core import tester as b_tester

from reviewer.collectors.security import BanditFileResult, BanditIssue, _redacted
from reviewer.evidence import FileFailure
from reviewer.source import SourceFile

__all__ = ["scan_sources"]

_SETUP_LOCK = threading.Lock()


@lru_cache(maxsize=512)
def _more_info(test_id: str) -> str:
    with _SETUP_LOCK:  # get_url rewrites bandit's shared blacklist entries (idempotently)
        return docs_utils.get_url(test_id)


# --- scanning ------------------------------------------------------------------------------------


class _Tester(b_tester.BanditTester):  # type: ignore[misc]
    """bandit's tester, minus its per-line ``# nosec`` scan in a file that has no ``# nosec`` comment.

    For every test that runs on a node, bandit looks up each line of the node's line range in the file's
    comment table; a string inside an N-line literal carries the literal's whole range, so a big data table
    costs O(N^2) look-ups (rich's 3,600-line ``_emoji_codes.py`` took 4.3 s of rich's 7.3 s). Without any
    ``# nosec`` comment every look-up is None and bandit's own method returns None; this returns it at once.
    """

    def __init__(self, testset: Any, debug: bool, nosec_lines: dict[int, Any], metrics: Any) -> None:
        super().__init__(testset, debug, nosec_lines, metrics)
        self._any_nosec = any(v is not None for v in nosec_lines.values())

    def _get_nosecs_from_contexts(self, context: dict[str, Any], test_result: Any = None) -> Any:
        if not self._any_nosec:
            return None
        return super()._get_nosecs_from_contexts(context, test_result)


class _Manager(b_manager.BanditManager):  # type: ignore[misc]
    """``BanditManager`` whose per-file visitor uses :class:`_Tester`; everything else is bandit's."""

    def _execute_ast_visitor(self, fname: str, fdata: Any, data: bytes, nosec_lines: dict[int, Any]) -> Any:
        visitor = b_node_visitor.BanditNodeVisitor(fname, fdata, self.b_ma, self.b_ts, self.debug, nosec_lines,
                                                   self.metrics)
        visitor.tester = _Tester(self.b_ts, self.debug, nosec_lines, self.metrics)
        score = visitor.process(data)
        self.results.extend(visitor.tester.results)
        return score


def _new_manager(fast: bool = True) -> Any:
    """A private manager per call. ``fast=False`` gives bandit's own, unmodified manager."""
    cls = _Manager if fast else b_manager.BanditManager
    with _SETUP_LOCK:  # BanditTestSet sets attributes on bandit's module-level plugin functions
        return cls(b_config.BanditConfig(), "file", quiet=True)


def _literal_program(source: SourceFile, line: int) -> bool:
    """True when a call on ``line`` gets an argument list (list or tuple display) whose first item, the
    program, is a string literal: ``subprocess.run(["git", "status"])`` runs no shell and a fixed program."""
    try:
        tree = source.tree
    except (SyntaxError, ValueError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.lineno <= line <= (node.end_lineno or node.lineno) and node.args:
            first = node.args[0]
            if isinstance(first, (ast.List, ast.Tuple)) and first.elts and isinstance(first.elts[0], ast.Constant) \
                    and isinstance(first.elts[0].value, str):
                return True
    return False


def _issue(raw: Any, source: SourceFile) -> BanditIssue:
    lines = [n for n in (raw.linerange or []) if isinstance(n, int)]
    line = int(raw.lineno or (lines[0] if lines else 1)) or 1
    end = max(lines) if lines else None
    cwe = getattr(getattr(raw, "cwe", None), "id", 0) or None
    return BanditIssue(
        test_id=raw.test_id, test_name=raw.test or "", severity=str(raw.severity), confidence=str(raw.confidence),
        text=raw.text, line=line, end_line=end if end and end > line else None, col=max(raw.col_offset, 0),
        cwe=cwe, code=source.line(line).strip(), more_info=_more_info(raw.test_id),
        literal_program=raw.test_id == "B603" and _literal_program(source, line),
    )


def _scan_one(manager: Any, source: SourceFile) -> BanditFileResult | FileFailure:
    fname = str(source.file.path)
    skipped_before = len(manager.skipped)
    manager.results.clear()
    manager._parse_file(fname, io.BytesIO(source.data), [fname])
    if len(manager.skipped) > skipped_before:
        reason = manager.skipped[-1][1]
        return FileFailure(path=source.rel, collector="security", kind="tool_error", message=f"bandit: {reason}")
    metrics = manager.metrics.data.get(fname, {})
    issues = sorted((_issue(raw, source) for raw in manager.results), key=lambda i: (i.line, i.col, i.test_id))
    manager.results.clear()
    return BanditFileResult(loc=metrics.get("loc", 0), nosec=metrics.get("nosec", 0),
                            skipped_tests=metrics.get("skipped_tests", 0), issues=_redacted(issues))


def scan_sources(sources: list[SourceFile], fast: bool = True) -> dict[str, BanditFileResult | FileFailure]:
    """Run bandit over already-read sources with one private manager; a file bandit fails on is a failure.

    ``fast=False`` runs bandit's unmodified manager (the reference the fast path is tested against)."""
    manager = _new_manager(fast)
    out: dict[str, BanditFileResult | FileFailure] = {}
    for source in sources:
        try:
            out[source.rel] = _scan_one(manager, source)
        except Exception as exc:  # bandit catches its own errors; this guards the glue around it
            out[source.rel] = FileFailure(path=source.rel, collector="security", kind="tool_error",
                                          message=f"bandit: {type(exc).__name__}: {exc}")
    return out
