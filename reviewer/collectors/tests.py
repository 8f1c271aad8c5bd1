"""Tests and coverage: run the target's tests under coverage (explicit opt-in), or ingest the reports CI left.

Evidence: totals, per-file coverage with missing lines, every failing test with its message and file:line.
Findings: ``tests.failed`` / ``tests.error`` per failing test, ``tests.timeout`` and ``tests.not_run`` for a
run that did not complete, ``coverage.uncovered_module`` for source modules no test executed (0% in the
report, or never imported although their package was measured) and ``coverage.low`` for weakly covered ones.
"""

from __future__ import annotations

import ast
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.collectors.base import CollectContext, Collector, CollectorOutput
from reviewer.collectors.interpreter import Interpreter
from reviewer.collectors.junit import read_junit
from reviewer.collectors.report_files import find_reports
from reviewer.collectors.report_paths import PathMapper
from reviewer.collectors.testrun import TestRun, run_tests
from reviewer.discovery import is_test_path
from reviewer.evidence import CoverageFile, FileFailure, SkippedFile, TestCase, TestsSection
from reviewer.findings import Finding, Severity
from reviewer.source import SourceFile

if TYPE_CHECKING:  # coverage.py is imported only when there is a report to read (most collects have none)
    from reviewer.collectors.coverage_reports import CoverageReport

__all__ = ["LOW_COVERAGE_PERCENT", "MAX_TEST_FINDINGS", "TestsCollector"]

LOW_COVERAGE_PERCENT = 50.0
MAX_TEST_FINDINGS = 100
_NOT_MODULES = frozenset({"setup.py", "conftest.py", "noxfile.py", "fabfile.py", "manage.py"})


def _mapper(ctx: CollectContext) -> PathMapper:
    return PathMapper(ctx.root, (f.rel for f in ctx.discovery.python_files))


def _read_cases(path: Path, mapper: PathMapper, out: CollectorOutput) -> list[TestCase]:
    try:
        cases = read_junit(path)
    except (ET.ParseError, OSError, ValueError) as exc:
        out.failures.append(FileFailure(path=_shown(path, mapper.root), collector="tests", kind="tool_error",
                                        message=f"cannot read JUnit XML: {exc}"))
        return []
    rows = []
    for item in cases:
        case = item.case
        rel = (mapper.map(case.file) if case.file else None) or mapper.from_classname(case.classname)
        rows.append(case.model_copy(update={"file": rel or case.file}))
    return rows


def _shown(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _read_coverage(paths: list[Path], mapper: PathMapper, out: CollectorOutput) -> tuple[CoverageReport, str] | None:
    """The first readable report in order of preference; the others are recorded as skipped."""
    if not paths:
        return None
    from coverage.exceptions import CoverageException

    from reviewer.collectors.coverage_reports import read_coverage_report

    chosen: tuple[CoverageReport, str] | None = None
    for path in paths:
        shown = _shown(path, mapper.root)
        if chosen is not None:
            out.skipped.append(SkippedFile(path=shown, collector="tests", reason=f"coverage taken from {chosen[1]}"))
            continue
        try:
            chosen = (read_coverage_report(path, mapper), shown)
        except (ET.ParseError, OSError, ValueError, CoverageException) as exc:
            out.failures.append(FileFailure(path=shown, collector="tests", kind="tool_error",
                                            message=f"cannot read coverage report: {exc}"))
    return chosen


def _count(section: TestsSection, cases: list[TestCase]) -> None:
    section.total = len(cases)
    section.passed = sum(c.outcome == "passed" for c in cases)
    section.failed = sum(c.outcome == "failed" for c in cases)
    section.errors = sum(c.outcome == "error" for c in cases)
    section.skipped = sum(c.outcome == "skipped" for c in cases)
    section.failures = [c for c in cases if c.outcome in ("failed", "error")]


def _has_code(source: SourceFile) -> bool:
    body = source.tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return bool(body)


def _unmeasured(ctx: CollectContext, files: list[CoverageFile]) -> list[CoverageFile]:
    """Non-test modules with code, in a top-level folder the report measured, that the report never saw:
    0% covered, their statements counted by coverage.py's own parser."""
    measured = {f.path for f in files}
    scopes = {f.path.split("/")[0] if "/" in f.path else "" for f in files}
    rels = []
    for source in ctx.sources.sources():
        rel = source.rel
        scope = rel.split("/")[0] if "/" in rel else ""
        if rel in measured or scope not in scopes or source.file.is_test or not rel.endswith(".py"):
            continue
        if rel.rsplit("/", 1)[-1] not in _NOT_MODULES and _has_code(source):
            rels.append(rel)
    from reviewer.collectors.coverage_reports import statement_lines

    return [CoverageFile(path=rel, statements=len(lines), covered=0, percent=0.0, missing_lines=lines)
            for rel, lines in statement_lines(ctx.root, rels).items()]


def _not_measured(run: TestRun, section: TestsSection, timeout_s: float) -> str | None:
    """Why a test run that was asked for gave no usable result (None when it did)."""
    if run.timed_out:
        return f"the test run was killed by the {timeout_s:g}s timeout before it reported"
    if run.junit is None:
        return f"the test command wrote no JUnit report (exit code {run.exit_code})"
    if section.total == 0 and run.exit_code not in (0, 5):  # 5: pytest collected no tests
        return f"the JUnit report holds no test and the command failed (exit code {run.exit_code})"
    return None


class TestsCollector(Collector):
    __test__ = False
    name = "tests"

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        out = CollectorOutput()
        section = TestsSection()
        mapper = _mapper(ctx)
        if ctx.run_tests or ctx.config.tests.run:
            with tempfile.TemporaryDirectory(prefix="reviewer-tests-") as tmp:
                self._run(ctx, mapper, Path(tmp), section, out)
        else:
            reports = find_reports(ctx.root, ctx.config.tests)
            cases = [c for path in reports.junit for c in _read_cases(path, mapper, out)]
            section.sources = [_shown(p, ctx.root) for p in reports.junit]
            self._ingest(ctx, mapper, cases, reports.coverage, section, out)
            section.mode = "ingest" if section.sources else "none"
        out.section = section
        out.findings.extend(self._test_findings(ctx, section))
        out.findings.extend(self._coverage_findings(ctx, section))
        out.files = len(section.sources)
        return out

    def _run(self, ctx: CollectContext, mapper: PathMapper, tmp: Path, section: TestsSection,
             out: CollectorOutput) -> None:
        run = run_tests(ctx.root, ctx.config.tests, tmp)
        section.mode = "run"
        section.command = run.command
        section.exit_code = run.exit_code
        section.timed_out = run.timed_out
        section.duration_s = run.duration_s
        section.output_tail = run.output_tail
        if run.interpreter is not None:
            out.findings.extend(self._interpreter(run.interpreter, section))
        cases = _read_cases(run.junit, mapper, out) if run.junit else []
        self._ingest(ctx, mapper, cases, [run.coverage_json] if run.coverage_json else [], section, out)
        section.sources = [p.name for p in (run.junit, run.coverage_json) if p is not None]
        if run.timed_out:
            out.findings.append(self._run_finding(
                "tests.timeout", Severity.high, f"The test run did not finish in {ctx.config.tests.timeout_s:g}s",
                f"killed after {run.duration_s:.1f}s: {' '.join(run.command)}",
                "Find the hanging or slow test (pytest --durations); raise tests.timeout_s if it is expected."))
        elif run.junit is None:
            out.findings.append(self._run_finding(
                "tests.not_run", Severity.medium, "The tests could not be run",
                f"exit code {run.exit_code}, no JUnit report; output ends: {run.output_tail[-400:].strip()}",
                "Check tests.command and tests.python (the target's environment needs pytest and coverage)."))
        section.not_measured = _not_measured(run, section, ctx.config.tests.timeout_s)
        if run.report_error and not run.timed_out:
            out.skipped.append(SkippedFile(path="coverage.json", collector="tests", reason=run.report_error))

    def _ingest(self, ctx: CollectContext, mapper: PathMapper, cases: list[TestCase], coverage_paths: list[Path],
                section: TestsSection, out: CollectorOutput) -> None:
        _count(section, cases)
        chosen = _read_coverage(coverage_paths, mapper, out)
        if chosen is None:
            return
        report, shown = chosen
        section.sources.append(shown)
        section.coverage_percent = report.percent
        section.coverage_files = sorted([*report.files, *_unmeasured(ctx, report.files)], key=lambda f: f.path)
        out.skipped.extend(SkippedFile(path=raw, collector="tests", reason="coverage of a file outside the repository")
                           for raw in report.unmapped)

    def _interpreter(self, interp: Interpreter, section: TestsSection) -> list[Finding]:
        """Record which interpreter ran the tests; a finding when it was reviewer's own or measured another copy."""
        section.interpreter, section.interpreter_source = interp.path, interp.source
        section.interpreter_notes, section.imported_from = list(interp.notes), dict(interp.packages)
        section.imports_checkout, section.measurement_error = interp.imports_checkout, interp.measurement_error
        if interp.measurement_error:
            return [self._run_finding(
                "tests.measurement_error", Severity.low, "The test run measured an installed copy, not this checkout",
                f"{interp.measurement_error}; interpreter {interp.path}",
                "Set tests.python to the repository's interpreter, or run reviewer with its virtual environment "
                "active; these test results and coverage are not gated.")]
        if interp.source == "reviewer":
            return [self._run_finding(
                "tests.reviewer_interpreter", Severity.low, "The tests ran with reviewer's own interpreter",
                f"{'; '.join(interp.notes)}; interpreter {interp.path}",
                "Set tests.python to the repository's interpreter, or create .venv in the repository.")]
        return []

    def _run_finding(self, rule: str, severity: Severity, title: str, evidence: str, advice: str) -> Finding:
        return Finding(rule=rule, severity=severity, title=title, source=self.name, evidence=evidence,
                       recommendation=advice, snippet="", category="test_health")

    def _test_findings(self, ctx: CollectContext, section: TestsSection) -> list[Finding]:
        findings: list[Finding] = []
        if section.measurement_error:
            return findings  # the failures belong to another copy of the code
        for case in section.failures[:MAX_TEST_FINDINGS]:
            source = ctx.sources.get(case.file) if case.file in set(ctx.sources.paths) else None
            code = source.line(case.line).strip() if isinstance(source, SourceFile) and case.line else ""
            test_id = f"{case.file or case.classname or '?'}::{case.name}"
            failed = case.outcome == "failed"
            findings.append(Finding(
                rule="tests.failed" if failed else "tests.error", severity=Severity.high,
                title=f"Test {'failed' if failed else 'errored'}: {test_id}",
                file=case.file if source is not None else None, line=case.line if source is not None else None,
                source=self.name, evidence=f"{test_id}: {case.message or 'no message'}",
                recommendation="Fix the code or the test so that it passes; do not skip it to make the run green.",
                snippet=code or test_id, category="test_health",
            ))
        return findings

    def _coverage_findings(self, ctx: CollectContext, section: TestsSection) -> list[Finding]:
        findings: list[Finding] = []
        if section.measurement_error:
            return findings
        for cov in section.coverage_files:
            if cov.covered == 0 and cov.statements > 0 and not is_test_path(cov.path):
                what = f"none of its {cov.statements} statements ran"
                findings.append(Finding(
                    rule="coverage.uncovered_module", severity=Severity.medium, title="Module not covered by tests",
                    file=cov.path, source=self.name, evidence=f"{cov.path}: {what}",
                    recommendation="Add tests that exercise this module, or remove it if it is dead code.",
                    snippet="", category="test_health",
                ))
            elif 0 < cov.percent < LOW_COVERAGE_PERCENT and cov.statements >= 10 and not is_test_path(cov.path):
                findings.append(Finding(
                    rule="coverage.low", severity=Severity.low, title=f"Low coverage ({cov.percent:.0f}%)",
                    file=cov.path, source=self.name,
                    evidence=f"{cov.path}: {cov.covered}/{cov.statements} statements covered ({cov.percent:.1f}%)",
                    recommendation="Test the untested branches, starting with the missing lines listed in the evidence.",
                    snippet="", category="test_health",
                ))
        return findings
