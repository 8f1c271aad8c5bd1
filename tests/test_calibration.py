"""Scores that mean something, on real collectors: a small well-kept library against a small vulnerable app.

The two repositories are built here; both are collected by the real collectors (radon, bandit, markers,
dependencies, ...) and reviewed with ``--backend none``. The library's own tests are run (pytest under
coverage), so its verdict rests on measured results. Checked: the ordering (library above the app), the
verdicts and the default gate (the app fails it with a named blocker), and the size target (doubling the
product code by copying it into a second package moves the overall score by at most 5 points).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers.defect_repo import write_files

from reviewer.backends.none import NoneBackend
from reviewer.collectors.runner import collect_evidence
from reviewer.config import Config
from reviewer.gate.evaluate import evaluate_gate
from reviewer.review.engine import review_evidence
from reviewer.review.result import ReviewResult

_LIB_MODULE = '''"""Text helpers."""

from __future__ import annotations

import subprocess


class Formatter:
    """Formats values; subclasses override the hooks."""

    def prefix(self) -> str:
        return ""

    def format(self, value: object) -> str:
        return self.prefix() + str(value)


class Quiet(Formatter):
    def prefix(self) -> str:
        return ""


class LibError(Exception):
    pass


def slug(text: str) -> str:
    """Lower-case words joined by dashes."""
    words = [w for w in text.lower().split() if w]
    return "-".join(words)


def clamp(value: int, low: int, high: int) -> int:
    if value < low:
        return low
    if value > high:
        return high
    return value


def git_version() -> str:
    # A fixed program in an argument list: no shell involved.
    out = subprocess.run(["git", "--version"], capture_output=True, text=True, check=False)
    return out.stdout.strip()


def parse_pairs(text: str) -> dict[str, str]:
    pairs = {}
    for item in text.split(","):
        key, _, value = item.partition("=")
        if key.strip():
            pairs[key.strip()] = value.strip()
    return pairs
'''

_LIB_TESTS = '''import random

from {pkg}.text import Formatter, clamp, parse_pairs, slug


def cli():
    pass


def test_slug():
    assert slug("Hello  World") == "hello-world"


def test_clamp():
    assert clamp(5, 0, 3) == 3
    assert clamp(-1, 0, 3) == 0
    assert clamp(2, 0, 3) == 2


def test_pairs():
    password = "not-a-secret"
    assert parse_pairs("a=1, b=2,") == {{"a": "1", "b": "2"}}
    assert password


def test_format():
    assert Formatter().format(random.choice([1])) == "1"
'''

_APP = '''import hashlib
import os
import pickle
import sqlite3
import subprocess


def login(db, user, password):
    digest = hashlib.md5(password.encode()).hexdigest()
    query = "SELECT * FROM users WHERE name = '%s' AND pw = '%s'" % (user, digest)
    return db.execute(query).fetchone()


def ping(host):
    return subprocess.check_output("ping -c 1 " + host, shell=True)


def restore(blob):
    return pickle.loads(blob)


def calc(expression):
    return eval(expression)


def run(command):
    os.system(command)


def connect():
    try:
        return sqlite3.connect("/tmp/app.db")
    except:
        pass


def admin():
    token = "hunter2hunter2"
    return token
'''


_HELPERS = 16
"""Generated helper functions (and their tests): enough product code (more than the 100-statement density
floor, see reviewer.review.view.MIN_STATEMENTS) that finding densities do not change when the product code is
doubled; the test-to-code ratio (0.78) does halve, as it should, and costs the Test Engineer a few points."""


def _helpers() -> str:
    return "".join(
        f"\n\ndef scale_{i}(values: list[int]) -> list[int]:\n"
        f"    \"\"\"Each value times {i + 2}, negatives dropped.\"\"\"\n"
        f"    out = []\n    for value in values:\n        if value >= 0:\n            out.append(value * {i + 2})\n"
        f"    return out\n"
        for i in range(_HELPERS)
    )


def _helper_tests(pkg: str) -> str:
    head = f"from {pkg}.text import " + ", ".join(f"scale_{i}" for i in range(_HELPERS)) + "\n"
    return head + "".join(
        f"\n\ndef test_scale_{i}():\n    got = scale_{i}([1, -1, 2])\n    assert got == [{i + 2}, {2 * (i + 2)}]\n"
        f"    assert scale_{i}([]) == []\n    assert scale_{i}([-5]) == []\n    assert len(got) == 2\n"
        for i in range(_HELPERS)
    )


def _vulnerable(i: int) -> str:
    return (f"\n\ndef lookup_{i}(db, name):\n"
            f"    query = \"SELECT * FROM t{i} WHERE name = '%s'\" % name\n"
            f"    rows = db.execute(query).fetchall()\n    return [r[0] for r in rows]\n"
            f"\n\ndef shell_{i}(arg):\n    return subprocess.check_output(\"tool{i} \" + arg, shell=True)\n")


def _library(root: Path) -> Path:
    write_files(root, {
        "pyproject.toml": '[project]\nname = "minilib"\nversion = "1.0"\ndependencies = []\n'
                          '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n',
        "README.md": "# minilib\n\nText helpers.\n", "LICENSE": "MIT\n", "CHANGELOG.md": "## 1.0\n",
        ".github/workflows/ci.yml": "on: push\n",
        "setup.py": "import setuptools\n\nsetuptools.setup()\n",
        "minilib/__init__.py": '"""minilib."""\n', "minilib/text.py": _LIB_MODULE + _helpers(),
        "tests/__init__.py": "", "tests/test_text.py": _LIB_TESTS.format(pkg="minilib"),
        "tests/test_scale.py": _helper_tests("minilib"),
    })
    return root


def _app(root: Path) -> Path:
    extra = "".join(_vulnerable(i) for i in range(12))
    return write_files(root, {"app/__init__.py": "", "app/views.py": _APP + extra})


def _review(root: Path, run_tests: bool) -> ReviewResult:
    config = Config()
    config.cache = False
    evidence = collect_evidence(root, config, run_tests=run_tests)
    result = review_evidence(evidence, root, config, NoneBackend())
    result.gate = evaluate_gate(result, config.gate)
    return result


@pytest.fixture(scope="module")
def reviews(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ReviewResult]:
    base = tmp_path_factory.mktemp("calibration")
    lib, app = _library(base / "minilib"), _app(base / "app")
    out = {"lib": _review(lib, run_tests=True), "lib_untested": _review(lib, run_tests=False),
           "app": _review(app, run_tests=False)}
    shutil.copytree(lib / "minilib", lib / "minilib2")  # the product code, twice
    shutil.copytree(app / "app", app / "app2")
    out["lib_doubled"] = _review(lib, run_tests=False)
    out["app_doubled"] = _review(app, run_tests=False)
    return out


def test_the_library_scores_above_the_vulnerable_app(reviews: dict[str, ReviewResult]) -> None:
    lib, app = reviews["lib"], reviews["app"]
    assert lib.overall_score > app.overall_score + 10, (lib.overall_score, app.overall_score)
    by_id = {a.id: a for a in reviews["lib_untested"].agents}
    assert all(a.score > 0 for a in by_id.values())
    app_security = next(a for a in app.agents if a.id == "security_engineer")
    assert app_security.score < by_id["security_engineer"].score


def test_the_library_is_ready_and_passes_the_default_gate(reviews: dict[str, ReviewResult]) -> None:
    lib = reviews["lib"]
    assert lib.metrics.tests_total == 4 + _HELPERS and lib.metrics.tests_failed == 0
    assert lib.verdict in ("ready", "ready_with_fixes") and not lib.blockers
    assert lib.gate is not None and lib.gate.passed
    # Test code is its own lens: its empty cli(), its dummy password and random are neither stubs nor findings.
    assert not [f for f in lib.findings if f.scope == "tests" and f.rule in ("markers.stub", "bandit.B105",
                                                                            "bandit.B311", "bandit.B101")]
    # setuptools in setup.py is declared for the build scope; the literal git call is info only.
    assert not [f for f in lib.findings if f.rule == "deps.undeclared"]
    assert {f.severity.value for f in lib.findings if f.rule in ("bandit.B404", "bandit.B603")} == {"info"}
    # The no-op override and the exception class are deliberate, not stubs.
    assert not [f for f in lib.findings if f.rule == "markers.stub"]


def test_tests_not_run_is_not_confirmed_and_passes_the_gate(reviews: dict[str, ReviewResult]) -> None:
    untested = reviews["lib_untested"]
    assert untested.verdict == "not_confirmed" and not untested.blockers
    assert untested.gate is not None and untested.gate.passed
    check = next(c for c in untested.gate.checks if c.name == "blockers (verdict)")
    assert "tests not run" in check.actual
    test_engineer = next(a for a in untested.agents if a.id == "test_engineer")
    assert test_engineer.status == "partial"
    assert test_engineer.missing_criteria == ["Test pass rate", "Line coverage against target"]


def test_the_vulnerable_app_fails_with_named_blockers(reviews: dict[str, ReviewResult]) -> None:
    app = reviews["app"]
    assert app.verdict == "not_ready"
    assert any(b.startswith("high-severity security finding(s) at high confidence") and "app/views.py" in b
               for b in app.blockers)
    assert any(b.startswith("no tests at all") for b in app.blockers)
    assert app.gate is not None and not app.gate.passed
    failed = {c.name for c in app.gate.checks if not c.passed}
    assert "blockers (verdict)" in failed
    security = next(a for a in app.agents if a.id == "security_engineer")
    assert security.contributors and security.contributors[0].rule.startswith("bandit.")
    assert security.contributors[0].scope == "product"
    assert sum(c.points for c in security.contributors) <= 100 - security.base_score + 0.5


@pytest.mark.parametrize(("name", "doubled"), [("lib_untested", "lib_doubled"), ("app", "app_doubled")])
def test_doubling_the_product_code_moves_the_overall_score_little(
    reviews: dict[str, ReviewResult], name: str, doubled: str
) -> None:
    before, after = reviews[name], reviews[doubled]
    assert after.metrics.sloc > before.metrics.sloc * 1.5  # the copy really is there
    assert abs(after.overall_score - before.overall_score) <= 5, (before.overall_score, after.overall_score)
    counts = {f.rule for f in after.findings} - {f.rule for f in before.findings}
    assert not counts  # the same kinds of findings, twice as many
