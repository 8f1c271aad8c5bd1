"""Find the JUnit and coverage reports a CI run left in a repository (or those the config names).

XML files are told apart by their root element (``<testsuites>``/``<testsuite>`` is JUnit, ``<coverage>`` is
Cobertura), so ``reports/coverage.xml`` and ``reports/junit.xml`` are both found without guessing names.
Coverage reports are ordered by preference: coverage.json, then Cobertura XML, then ``.coverage`` data.
"""

from __future__ import annotations

import glob
import xml.etree.ElementTree as ET  # types only: parsing goes through defusedxml
from dataclasses import dataclass, field
from pathlib import Path


from reviewer.config import TestsConfig
from reviewer.confine import inside

__all__ = ["ReportFiles", "find_reports", "xml_kind"]

_XML_PLACES = ("*.xml", "reports/**/*.xml", "test-results/**/*.xml", "test-reports/**/*.xml",
               "build/test-results/**/*.xml", "build/reports/**/*.xml", "build/*.xml", "coverage/*.xml",
               "target/surefire-reports/*.xml", ".reports/*.xml")
_JSON_PLACES = ("coverage*.json", "reports/coverage*.json", "coverage/coverage*.json", "build/coverage*.json")
_DATA_PLACES = (".coverage", "reports/.coverage", "build/.coverage")
_MAX_FILES = 500
_MAX_BYTES = 200_000_000


@dataclass
class ReportFiles:
    junit: list[Path] = field(default_factory=list)
    coverage: list[Path] = field(default_factory=list)


def xml_kind(path: Path) -> str | None:
    """'junit', 'cobertura' or None (another XML file, or not XML at all), from the root element only."""
    try:
        import defusedxml.ElementTree as SafeET  # only when there is an XML file to look at

        for _, element in SafeET.iterparse(path, events=("start",)):
            if element.tag in ("testsuites", "testsuite"):
                return "junit"
            return "cobertura" if element.tag == "coverage" else None
    except (ET.ParseError, OSError, ValueError):  # ValueError: defusedxml refused an entity or DTD
        return None
    return None


def _glob(root: Path, pattern: str) -> list[Path]:
    if Path(pattern).is_absolute():
        return sorted(Path(p) for p in glob.glob(pattern, recursive=True))
    return sorted(p for p in root.glob(pattern) if inside(root, p))  # no symlink out of the repository


def _usable(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size <= _MAX_BYTES
    except OSError:
        return False


def _coverage_order(path: Path) -> int:
    return 0 if path.suffix == ".json" else 1 if path.suffix == ".xml" else 2


def find_reports(root: Path, config: TestsConfig) -> ReportFiles:
    """Reports named by ``tests.junit`` / ``tests.coverage`` globs, else the ones found in the usual places."""
    found = ReportFiles()
    if config.junit or config.coverage:
        found.junit = [p for pattern in config.junit for p in _glob(root, pattern) if _usable(p)]
        found.coverage = [p for pattern in config.coverage for p in _glob(root, pattern) if _usable(p)]
        return found
    xml_files = list(dict.fromkeys(p for pattern in _XML_PLACES for p in _glob(root, pattern) if _usable(p)))
    for path in xml_files[:_MAX_FILES]:
        kind = xml_kind(path)
        if kind == "junit":
            found.junit.append(path)
        elif kind == "cobertura":
            found.coverage.append(path)
    for pattern in (*_JSON_PLACES, *_DATA_PLACES):
        found.coverage.extend(p for p in _glob(root, pattern) if _usable(p))
    found.coverage.sort(key=lambda p: (_coverage_order(p), len(p.parts), str(p)))
    return found
