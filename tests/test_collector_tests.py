"""The tests collector, for real: pytest and coverage run in subprocesses on small repositories built here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from reviewer.collectors.base import CollectContext
from reviewer.collectors.junit import read_junit
from reviewer.collectors.tests import TestsCollector
from reviewer.config import Config, TestsConfig
from reviewer.discovery import discover
from reviewer.evidence import TestsSection
from reviewer.source import SourceStore

CALC = """\
def add(a, b):
    return a + b


def sub(a, b):
    return a - b
"""
UNUSED = """\
\"\"\"Never imported by the tests.\"\"\"


def never():
    return 42
"""
TESTS = """\
from pkg.calc import add


def test_add():
    assert add(1, 2) == 3


def test_add_wrong():
    assert add(2, 2) == 5


def test_needs_fixture(missing_fixture):
    assert missing_fixture


class TestGroup:
    def test_in_class(self):
        assert add(0, 0) == 1
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def _fixture_repo(root: Path) -> Path:
    return _write(root, {"pkg/__init__.py": "", "pkg/calc.py": CALC, "pkg/unused.py": UNUSED,
                         "tests/test_calc.py": TESTS})


def _collect(root: Path, tests: TestsConfig | None = None, run: bool = False) -> tuple[TestsSection, list]:
    config = Config(tests=tests or TestsConfig())
    discovery = discover(root)
    ctx = CollectContext(root=root.resolve(), config=config, discovery=discovery,
                         sources=SourceStore(discovery.files, config.max_file_bytes), run_tests=run)
    out = TestsCollector().collect(ctx)
    assert isinstance(out.section, TestsSection)
    return out.section, out


def _cov(*args: str, cwd: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_CORE_", "COVERAGE_", "PYTEST_"))}
    subprocess.run([sys.executable, "-m", "coverage", *args], cwd=cwd, env=env, check=False, capture_output=True,
                   timeout=120)


@pytest.fixture(scope="module")
def reports_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture repo after a CI-like run: reports/junit.xml (pytest's default xunit2, no file attributes),
    coverage.xml, coverage.json and .coverage, all produced by the real tools."""
    root = _fixture_repo(tmp_path_factory.mktemp("ci") / "repo")
    _cov("run", "-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml=reports/junit.xml", cwd=root)
    _cov("xml", "-o", "coverage.xml", cwd=root)
    _cov("json", "-o", "coverage.json", cwd=root)
    for name in ("reports/junit.xml", "coverage.xml", "coverage.json", ".coverage"):
        assert (root / name).is_file(), name
    return root


def _check_cases(section: TestsSection) -> None:
    assert (section.total, section.passed, section.failed, section.errors) == (4, 1, 2, 1)
    by_name = {c.name: c for c in section.failures}
    wrong = by_name["test_add_wrong"]
    assert (wrong.file, wrong.line, wrong.outcome) == ("tests/test_calc.py", 9, "failed")
    assert "assert 4 == 5" in (wrong.message or "")
    assert (by_name["test_in_class"].file, by_name["test_in_class"].line) == ("tests/test_calc.py", 18)
    assert by_name["test_needs_fixture"].outcome == "error"
    assert by_name["test_needs_fixture"].file == "tests/test_calc.py"


def _check_coverage(section: TestsSection, findings: list) -> None:
    files = {f.path: f for f in section.coverage_files}
    calc = files["pkg/calc.py"]
    assert (calc.statements, calc.covered, calc.missing_lines) == (4, 3, [6])
    assert files["pkg/unused.py"].covered == 0 and files["pkg/unused.py"].statements == 2
    uncovered = [f for f in findings if f.rule == "coverage.uncovered_module"]
    assert [(f.file, f.severity.value) for f in uncovered] == [("pkg/unused.py", "medium")]
    assert section.coverage_percent is not None and 0 < section.coverage_percent < 100


def _check_findings(findings: list) -> None:
    failed = sorted((f.file, f.line, f.snippet) for f in findings if f.rule == "tests.failed")
    assert failed == [("tests/test_calc.py", 9, "assert add(2, 2) == 5"),
                      ("tests/test_calc.py", 18, "assert add(0, 0) == 1")]
    errors = [f for f in findings if f.rule == "tests.error"]
    assert len(errors) == 1 and "missing_fixture" in errors[0].evidence
    assert all(f.source == "tests" and f.category == "test_health" for f in findings)


def test_run_mode_runs_pytest_under_coverage(tmp_path: Path) -> None:
    root = _fixture_repo(tmp_path / "repo")
    section, out = _collect(root, TestsConfig(python=sys.executable), run=True)
    assert section.mode == "run" and section.exit_code == 1 and not section.timed_out
    assert section.command[:4] == [sys.executable, "-m", "coverage", "run"]
    assert section.sources == ["junit.xml", "coverage.json"]
    _check_cases(section)
    _check_coverage(section, out.findings)
    _check_findings(out.findings)
    assert "1 passed" in (section.output_tail or "")


def test_ingest_finds_reports_and_prefers_coverage_json(reports_repo: Path) -> None:
    section, out = _collect(reports_repo)
    assert section.mode == "ingest"
    assert section.sources == ["reports/junit.xml", "coverage.json"]
    assert {s.path for s in out.skipped} >= {"coverage.xml", ".coverage"}
    _check_cases(section)
    _check_coverage(section, out.findings)
    _check_findings(out.findings)


@pytest.mark.parametrize("report", ["coverage.xml", "coverage.json", ".coverage"])
def test_ingest_each_coverage_format(reports_repo: Path, report: str) -> None:
    section, out = _collect(reports_repo, TestsConfig(coverage=[report], junit=["reports/*.xml"]))
    assert section.sources == ["reports/junit.xml", report]
    _check_coverage(section, out.findings)


def test_coverage_data_recorded_elsewhere_maps_to_repo_paths(reports_repo: Path, tmp_path: Path) -> None:
    moved = tmp_path / "checkout"
    shutil.copytree(reports_repo, moved)
    section, out = _collect(moved, TestsConfig(coverage=[".coverage", "coverage.xml"]))
    _check_coverage(section, out.findings)
    assert section.sources == [".coverage"]
    assert [s.path for s in out.skipped] == ["coverage.xml"]


def test_no_reports_no_run_means_no_data(tmp_path: Path) -> None:
    section, out = _collect(_fixture_repo(tmp_path / "repo"))
    assert (section.mode, section.total, section.coverage_percent, out.findings) == ("none", 0, None, [])


def test_broken_reports_are_recorded_not_raised(tmp_path: Path) -> None:
    root = _write(tmp_path / "repo", {"pkg/a.py": "x = 1\n", "junit.xml": "<testsuite><testcase",
                                      "coverage.json": '{"meta": {}}'})
    section, out = _collect(root, TestsConfig(junit=["junit.xml"], coverage=["coverage.json"]))
    assert {f.path for f in out.failures} == {"junit.xml", "coverage.json"}
    assert section.total == 0 and section.coverage_files == []


def test_junit_from_other_tools_uses_traceback_location(tmp_path: Path) -> None:
    xml = tmp_path / "TEST-x.xml"
    xml.write_text('<testsuites><testsuite name="s"><testcase classname="tests.test_m" name="t" time="0.1">'
                   '<failure message="boom">Traceback\ntests/test_m.py:12: in t\n    f()\n'
                   'pkg/m.py:3: ValueError</failure></testcase>'
                   '<testcase name="ok"/><testcase name="s"><skipped/></testcase></testsuite></testsuites>')
    cases = [c.case for c in read_junit(xml)]
    assert [(c.outcome, c.file, c.line) for c in cases] == [
        ("failed", "pkg/m.py", 3), ("passed", None, None), ("skipped", None, None)]
    assert cases[0].message == "boom"


SLOW_TEST = """\
import subprocess
import sys
import time
from pathlib import Path


def test_hangs():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    Path("child.pid").write_text(str(child.pid))
    time.sleep(60)
"""


def _gone(pid: int) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split()[2]
        except FileNotFoundError:
            return True
        if state == "Z":
            return True
        time.sleep(0.1)
    return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="checks the killed child through /proc")
def test_run_timeout_kills_the_process_group(tmp_path: Path) -> None:
    root = _write(tmp_path / "repo", {"tests/test_slow.py": SLOW_TEST})
    started = time.monotonic()
    section, out = _collect(root, TestsConfig(python=sys.executable, timeout_s=6), run=True)
    assert time.monotonic() - started < 30
    assert section.timed_out and section.exit_code is None and section.mode == "run"
    assert [f.rule for f in out.findings] == ["tests.timeout"]
    pid_file = root / "child.pid"
    assert pid_file.is_file(), section.output_tail
    assert _gone(int(pid_file.read_text()))


def test_run_with_a_broken_interpreter_setup_is_a_finding(tmp_path: Path) -> None:
    root = _fixture_repo(tmp_path / "repo")
    section, out = _collect(root, TestsConfig(python=sys.executable, command=["no_such_module_xyz"]), run=True)
    assert section.exit_code not in (None, 0)
    assert [f.rule for f in out.findings] == ["tests.not_run"]


_BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<{root}><testcase name="&lol3;" classname="x"/></{root}>
"""


def test_xml_entity_bombs_in_the_repository_are_refused_and_recorded(tmp_path: Path) -> None:
    root = _write(tmp_path / "repo", {"pkg/a.py": "x = 1\n", "junit.xml": _BOMB.format(root="testsuite"),
                                      "coverage.xml": _BOMB.format(root="coverage")})
    section, out = _collect(root, TestsConfig(junit=["junit.xml"], coverage=["coverage.xml"]))
    failures = {f.path: f.message for f in out.failures}
    assert set(failures) == {"junit.xml", "coverage.xml"}, failures
    assert all("Entities" in message or "entity" in message.lower() for message in failures.values()), failures
    assert section.total == 0 and section.coverage_files == []
