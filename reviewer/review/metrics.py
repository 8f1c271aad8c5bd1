"""The metrics summary of a review result, read straight from the evidence."""

from __future__ import annotations

from reviewer.evidence import Evidence
from reviewer.review.result import Metrics

__all__ = ["metrics_from_evidence"]


def metrics_from_evidence(evidence: Evidence) -> Metrics:
    tests = evidence.tests if evidence.tests is not None and evidence.tests.mode != "none" else None
    error = tests.measurement_error if tests is not None else None
    if error:  # the run measured another copy of the code: its figures say nothing about this repository
        tests = None
    cx = evidence.complexity
    return Metrics(
        tests_measurement_error=error,
        tests_total=tests.total if tests else None,
        tests_passed=tests.passed if tests else None,
        tests_failed=tests.failed if tests else None,
        tests_errors=tests.errors if tests else None,
        tests_skipped=tests.skipped if tests else None,
        coverage_percent=evidence.tests.coverage_percent if evidence.tests is not None and not error else None,
        average_complexity=cx.average_complexity if cx is not None and cx.blocks else None,
        worst_complexity_rank=cx.worst_rank if cx is not None else None,
        average_mi=cx.average_mi if cx is not None else None,
        security_by_severity=dict(evidence.security.counts_by_severity) if evidence.security is not None else {},
        files=evidence.files_discovered,
        python_files=len(evidence.python_files),
        sloc=cx.total_sloc if cx is not None else 0,
        undeclared_dependencies=len(evidence.dependencies.undeclared) if evidence.dependencies is not None else 0,
        markers=sum(evidence.markers.counts.values()) if evidence.markers is not None else 0,
        file_failures=len(evidence.failures),
        tests_not_measured=tests.not_measured if tests else None,
    )
