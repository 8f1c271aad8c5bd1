"""Read coverage reports into :class:`~reviewer.evidence.CoverageFile` rows with repository-relative paths.

* Cobertura XML (``coverage xml``, and other tools): parsed with :mod:`xml.etree`;
* coverage.py JSON (``coverage json``): its ``files`` / ``totals`` figures as written;
* a ``.coverage`` data file: read through coverage.py's own API; statements come from coverage's
  :class:`~coverage.python.PythonFileReporter` on the repository's copy of each file, so data recorded on
  another machine (other absolute paths) still maps.

Files that map to no repository file (installed packages, another checkout) are returned as unmapped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import coverage
import defusedxml.ElementTree as SafeET
from coverage.python import PythonFileReporter

from reviewer.collectors.report_paths import PathMapper
from reviewer.evidence import CoverageFile

__all__ = ["CoverageReport", "read_cobertura", "read_coverage_data", "read_coverage_json", "read_coverage_report",
           "statement_lines"]

_CONDITION = re.compile(r"\((\d+)/(\d+)\)")


@dataclass
class CoverageReport:
    files: list[CoverageFile] = field(default_factory=list)
    percent: float | None = None
    unmapped: list[str] = field(default_factory=list)


def _percent(covered: int, statements: int) -> float:
    return round(100.0 * covered / statements, 2) if statements else 100.0


def read_cobertura(path: Path, mapper: PathMapper) -> CoverageReport:
    root = SafeET.parse(path).getroot()
    if root.tag != "coverage":
        raise ValueError(f"root element <{root.tag}> is not Cobertura <coverage>")
    mapper = PathMapper(mapper.root, mapper.repo_files, [s.text.strip() for s in root.iter("source") if s.text])
    hits: dict[str, dict[int, int]] = {}
    branches: dict[str, list[int]] = {}
    report = CoverageReport()
    for cls in root.iter("class"):
        raw = cls.get("filename") or ""
        rel = mapper.map(raw)
        if rel is None:
            report.unmapped.append(raw)
            continue
        lines = hits.setdefault(rel, {})
        total = branches.setdefault(rel, [0, 0])
        for line in cls.iter("line"):
            number, count = int(line.get("number", "0")), int(line.get("hits", "0"))
            lines[number] = max(lines.get(number, 0), count)
            cond = _CONDITION.search(line.get("condition-coverage", "")) if line.get("branch") == "true" else None
            if cond:
                total[0] += int(cond.group(1))
                total[1] += int(cond.group(2))
    for rel, lines in sorted(hits.items()):
        covered = sum(1 for c in lines.values() if c > 0)
        done, possible = branches[rel]
        report.files.append(CoverageFile(
            path=rel, statements=len(lines), covered=covered, percent=_percent(covered, len(lines)),
            missing_lines=sorted(n for n, c in lines.items() if c == 0),
            branches=possible or None, covered_branches=done if possible else None,
        ))
    rate = root.get("line-rate")
    report.percent = round(float(rate) * 100, 2) if rate is not None else None
    return report


def read_coverage_json(path: Path, mapper: PathMapper) -> CoverageReport:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        raise ValueError("not a coverage.py JSON report (no 'files' mapping)")
    report = CoverageReport(percent=data.get("totals", {}).get("percent_covered"))
    for raw, entry in sorted(data["files"].items()):
        rel = mapper.map(raw)
        if rel is None:
            report.unmapped.append(raw)
            continue
        summary = entry.get("summary", {})
        report.files.append(CoverageFile(
            path=rel, statements=summary.get("num_statements", 0), covered=summary.get("covered_lines", 0),
            percent=round(float(summary.get("percent_covered", 0.0)), 2),
            missing_lines=sorted(entry.get("missing_lines", [])),
            branches=summary.get("num_branches"), covered_branches=summary.get("covered_branches"),
        ))
    if report.percent is not None:
        report.percent = round(float(report.percent), 2)
    return report


def _config_file(root: Path) -> str | bool:
    """The target's coverage configuration (exclusion pragmas), if it has one."""
    rc = root / ".coveragerc"
    if rc.is_file():
        return str(rc)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and "[tool.coverage" in pyproject.read_text(encoding="utf-8", errors="replace"):
        return str(pyproject)
    return False


def read_coverage_data(path: Path, mapper: PathMapper) -> CoverageReport:
    cov = coverage.Coverage(data_file=str(path), config_file=_config_file(mapper.root))
    cov.load()
    data = cov.get_data()
    report = CoverageReport()
    statements_total = covered_total = 0
    for raw in sorted(data.measured_files()):
        rel = mapper.map(raw)
        if rel is None:
            report.unmapped.append(raw)
            continue
        reporter = PythonFileReporter(str(mapper.root / rel), cov)
        statements = set(reporter.lines())
        executed = reporter.translate_lines(data.lines(raw) or [])
        covered = len(statements & executed)
        report.files.append(CoverageFile(
            path=rel, statements=len(statements), covered=covered, percent=_percent(covered, len(statements)),
            missing_lines=sorted(statements - executed),
        ))
        statements_total += len(statements)
        covered_total += covered
    report.percent = _percent(covered_total, statements_total) if report.files else None
    return report


def statement_lines(root: Path, rels: list[str]) -> dict[str, list[int]]:
    """The executable lines coverage.py sees in each file (honouring the target's exclusion config)."""
    cov = coverage.Coverage(data_file=None, config_file=_config_file(root))
    return {rel: sorted(PythonFileReporter(str(root / rel), cov).lines()) for rel in rels}


def read_coverage_report(path: Path, mapper: PathMapper) -> CoverageReport:
    """Any of the three formats, chosen by the file's name (``.coverage*``), suffix (.json / .xml)."""
    if path.suffix == ".json":
        return read_coverage_json(path, mapper)
    if path.suffix == ".xml":
        return read_cobertura(path, mapper)
    return read_coverage_data(path, mapper)
