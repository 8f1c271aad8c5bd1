"""Which interpreter runs the target's tests: real throwaway venvs, a fixture package installed at another version
than its checkout, real pytest and coverage runs. Offline: the venvs are made with `python -m venv --without-pip`
and see pytest and coverage through a .pth file naming the running interpreter's site-packages."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest
from helpers.gate_results import make_result

from reviewer.collectors import interpreter as interp_mod
from reviewer.collectors.base import CollectContext, CollectorOutput
from reviewer.collectors.interpreter import choose_interpreter, repository_packages
from reviewer.collectors.tests import TestsCollector
from reviewer.config import Config, GateConfig, TestsConfig
from reviewer.discovery import discover
from reviewer.evidence import Evidence
from reviewer.gate.evaluate import evaluate_gate
from reviewer.review.metrics import metrics_from_evidence
from reviewer.source import SourceStore

pytestmark = pytest.mark.slow

CHECKOUT_INIT = '__version__ = "2.0"\n\n\ndef double(x):\n    return 2 * x\n'
INSTALLED_INIT = '__version__ = "1.0"\n\n\ndef double(x):\n    return x + x + 1  # the old, broken release\n'
TESTS = textwrap.dedent("""\
    import fixturepkg


    def test_double():
        assert fixturepkg.double(3) == 6


    def test_version():
        assert fixturepkg.__version__ == "2.0"
""")


def _venv(where: Path, *, with_fixture: bool, tools: bool = True) -> Path:
    """A real venv; fixturepkg 1.0 installed into it when asked (as pip would: package + dist-info)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, timeout=120)
    python = where / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    if tools:  # pytest and coverage from the running environment, after the venv's own packages
        (site / "zz_tools.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    if with_fixture:
        (site / "fixturepkg").mkdir()
        (site / "fixturepkg" / "__init__.py").write_text(INSTALLED_INIT)
        info = site / "fixturepkg-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fixturepkg\nVersion: 1.0\n")
    return python


def _checkout(root: Path) -> Path:
    (root / "src" / "fixturepkg").mkdir(parents=True)
    (root / "src" / "fixturepkg" / "__init__.py").write_text(CHECKOUT_INIT)
    (root / "tests").mkdir()
    (root / "tests" / "test_fixture.py").write_text(TESTS)
    (root / "pyproject.toml").write_text('[project]\nname = "fixturepkg"\nversion = "2.0"\n')
    return root


def _clean_env(tmp: Path) -> dict[str, str]:
    return {"PATH": str(tmp / "empty-bin"), "HOME": str(tmp)}


def _collect(root: Path, config: Config) -> CollectorOutput:
    discovery = discover(root)
    ctx = CollectContext(root=root.resolve(), config=config, discovery=discovery, run_tests=True,
                         sources=SourceStore(discovery.files, config.max_file_bytes))
    return TestsCollector().collect(ctx)


@pytest.fixture()
def as_reviewer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """reviewer's own environment is a venv where fixturepkg 1.0 is installed (a dependency of reviewer)."""
    python = _venv(tmp_path / "reviewer-env", with_fixture=True)
    monkeypatch.setattr(interp_mod, "own_interpreter", lambda: (str(python), str(tmp_path / "reviewer-env")))
    for key in ("VIRTUAL_ENV", "PYTHONPATH"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    return python


def test_packages_of_flat_and_src_layouts(tmp_path: Path) -> None:
    _checkout(tmp_path)
    (tmp_path / "flat").mkdir()
    (tmp_path / "flat" / "__init__.py").write_text("")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "__init__.py").write_text("")
    assert repository_packages(tmp_path) == ["fixturepkg", "flat"]


def test_installed_copy_in_reviewers_environment_is_a_measurement_error_not_gated(
        tmp_path: Path, as_reviewer: Path) -> None:
    root = _checkout(tmp_path / "repo")
    chosen = choose_interpreter(root, None)
    assert chosen.source == "reviewer" and chosen.path == str(as_reviewer)
    assert "reviewer's own interpreter" in chosen.notes[-1]
    assert chosen.imports_checkout is False
    assert chosen.measurement_error and "fixturepkg" in chosen.measurement_error

    config = Config(tests=TestsConfig(run=True, command=["pytest", "-q", "-p", "no:cacheprovider"], timeout_s=120))
    out = _collect(root, config)
    section = out.section
    assert section.interpreter == str(as_reviewer) and section.interpreter_source == "reviewer"
    assert section.failed == 2  # the installed 1.0 fails both tests: exactly the wrong measurement
    assert section.measurement_error and section.imports_checkout is False
    assert section.imported_from["fixturepkg"].startswith(str(tmp_path / "reviewer-env"))
    rules = [f.rule for f in out.findings]
    assert rules == ["tests.measurement_error"]  # no tests.failed, no coverage findings for the wrong copy

    metrics = metrics_from_evidence(Evidence(tool_version="test", repo_name="repo", tests=section))
    assert metrics.tests_failed is None and metrics.coverage_percent is None and metrics.tests_measurement_error
    result = make_result()
    result.metrics = metrics
    gate = evaluate_gate(result, GateConfig(max_failing_tests=0))
    check = next(c for c in gate.checks if c.name.startswith("failing tests"))
    assert check.passed and "measurement error" in check.actual


def test_repository_venv_is_found_and_measures_the_checkout(tmp_path: Path, as_reviewer: Path) -> None:
    root = _checkout(tmp_path / "repo")
    python = _venv(root / ".venv", with_fixture=False)
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "fixturepkg-editable.pth").write_text(str(root / "src") + "\n")  # an editable install
    chosen = choose_interpreter(root, None)
    assert chosen.source == "repository_venv" and chosen.path == str(python)
    assert chosen.imports_checkout is True and chosen.measurement_error is None
    config = Config(tests=TestsConfig(run=True, command=["pytest", "-q", "-p", "no:cacheprovider"], timeout_s=120))
    out = _collect(root, config)
    assert out.section.passed == 2 and out.section.failed == 0
    assert out.section.interpreter_source == "repository_venv" and out.section.imports_checkout is True
    assert out.section.coverage_percent == 100.0


def test_active_virtual_env_first_and_a_venv_symlink_leaving_the_root_is_not_followed(
        tmp_path: Path, as_reviewer: Path) -> None:
    root = _checkout(tmp_path / "repo")
    outside = _venv(tmp_path / "elsewhere", with_fixture=False)
    (root / ".venv").symlink_to(tmp_path / "elsewhere")
    chosen = choose_interpreter(root, None)
    assert chosen.path != str(outside) and chosen.source == "reviewer"
    assert any(".venv/ leads outside the repository" in n for n in chosen.notes)
    active = _venv(tmp_path / "active", with_fixture=False)
    chosen = choose_interpreter(root, None, env={**_clean_env(tmp_path), "VIRTUAL_ENV": str(tmp_path / "active")})
    assert chosen.source == "virtual_env" and chosen.path == str(active)
    assert chosen.packages == {"fixturepkg": None}  # src layout, not installed there: nothing to judge
    assert chosen.imports_checkout is None and chosen.measurement_error is None


def _on_path(bin_dir: Path, python: Path) -> None:
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "python"
    shim.write_text(f'#!/bin/sh\nexec "{python}" "$@"\n')
    shim.chmod(0o755)


def test_python_on_path_is_used_unless_it_is_reviewers_own(tmp_path: Path, as_reviewer: Path) -> None:
    root = _checkout(tmp_path / "repo")
    bin_dir = tmp_path / "empty-bin"
    _on_path(bin_dir, as_reviewer)  # reviewer's own interpreter on PATH: not a find
    assert choose_interpreter(root, None, env=_clean_env(tmp_path)).source == "reviewer"
    _on_path(bin_dir, _venv(tmp_path / "other", with_fixture=False))
    chosen = choose_interpreter(root, None, env=_clean_env(tmp_path))
    assert chosen.source == "path" and chosen.path == str(bin_dir / "python")
    _on_path(bin_dir, _venv(tmp_path / "bare", with_fixture=False, tools=False))
    chosen = choose_interpreter(root, None, env=_clean_env(tmp_path))
    assert chosen.source == "reviewer" and any("lacks pytest and coverage" in n for n in chosen.notes)


def test_configured_python_wins(tmp_path: Path, as_reviewer: Path) -> None:
    root = _checkout(tmp_path / "repo")
    python = _venv(root / ".venv", with_fixture=False)
    chosen = choose_interpreter(root, str(as_reviewer))
    assert chosen.source == "config" and chosen.path == str(as_reviewer) and python.exists()
    assert chosen.measurement_error  # configured or not, the installed copy is still not the checkout


def test_a_measurement_error_is_no_failing_test_blocker_and_confirms_nothing() -> None:
    from reviewer.evidence import Evidence, TestsSection
    from reviewer.review.verdict import decide_verdict

    tests = TestsSection(mode="run", total=10, passed=8, failed=2,
                         measurement_error="the package was imported from reviewer's own environment")
    evidence = Evidence(tool_version="t", repo_name="r", python_files=["tests/test_a.py"], tests=tests)
    verdict, reasons = decide_verdict(evidence, [], 90, 80.0)
    assert verdict == "not_confirmed", reasons
    assert not any("failing tests" in r for r in reasons)
