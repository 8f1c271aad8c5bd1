"""Read JUnit XML (pytest's ``--junitxml`` and other producers) into :class:`~reviewer.evidence.TestCase` rows.

The location of a failure is, in order: the last traceback entry in the test's own file (pytest prints
``path.py:LINE: ExceptionType``), the ``file``/``line`` attributes (pytest's xunit1 family writes the 0-based
line of the ``def``), or the last traceback entry. Paths are left as the report wrote them; the caller maps
them to the repository.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # types only: parsing goes through defusedxml
from dataclasses import dataclass
from pathlib import Path

import defusedxml.ElementTree as SafeET

from reviewer.evidence import TestCase

__all__ = ["JunitCase", "read_junit", "traceback_locations"]

_LOCATION = re.compile(r"^(?P<file>[^\s:][^:\n]*\.py):(?P<line>\d+):", re.M)
_MAX_MESSAGE = 2000


@dataclass
class JunitCase:
    case: TestCase
    details: str
    """Full failure text (traceback), for locating the failure."""


def traceback_locations(text: str) -> list[tuple[str, int]]:
    """``(file, line)`` of every ``path.py:LINE:`` entry, in order."""
    return [(m.group("file").strip(), int(m.group("line"))) for m in _LOCATION.finditer(text)]


def _outcome(element: ET.Element) -> tuple[str, ET.Element | None]:
    for tag, outcome in (("failure", "failed"), ("error", "error"), ("skipped", "skipped")):
        child = element.find(tag)
        if child is not None:
            return outcome, child
    return "passed", None


def _location(element: ET.Element, details: str) -> tuple[str | None, int | None]:
    file_attr = element.get("file")
    entries = traceback_locations(details)
    if file_attr:
        own = [e for e in entries if e[0].replace("\\", "/").endswith(file_attr.replace("\\", "/"))]
        if own:
            return own[-1]
    line_attr = element.get("line")
    if file_attr and line_attr and line_attr.lstrip("-").isdigit():
        return file_attr, int(line_attr) + 1  # pytest writes the 0-based location of the test
    if entries:
        return entries[-1]
    return file_attr, None


def _message(child: ET.Element | None) -> str | None:
    if child is None:
        return None
    lines = (child.text or "").strip().splitlines()
    message = child.get("message") or (lines[-1] if lines else "")
    if not message:
        return None
    return message if len(message) <= _MAX_MESSAGE else message[:_MAX_MESSAGE] + "..."


def _case(element: ET.Element) -> JunitCase:
    outcome, child = _outcome(element)
    details = "" if child is None else "\n".join(filter(None, [child.get("message"), child.text]))
    file, line = _location(element, details) if outcome in ("failed", "error") else (element.get("file"), None)
    try:
        duration = float(element.get("time", ""))
    except ValueError:
        duration = None
    case = TestCase(
        name=element.get("name") or "?", classname=element.get("classname") or None, file=file,
        line=line if line and line > 0 else None, outcome=outcome, duration_s=duration,  # type: ignore[arg-type]
        message=_message(child),
    )
    return JunitCase(case=case, details=details)


def read_junit(path: Path) -> list[JunitCase]:
    """Every test case in a JUnit XML file. Raises ET.ParseError / OSError for a broken or unreadable file,
    ValueError for XML that is not JUnit."""
    root = SafeET.parse(path).getroot()
    if root.tag not in ("testsuites", "testsuite"):
        raise ValueError(f"root element <{root.tag}> is not <testsuites> or <testsuite>")
    return [_case(element) for element in root.iter("testcase")]
