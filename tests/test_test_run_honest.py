"""A test run that was asked for is honest: no result is "not measured" (the tests check fails), and no process
of it is left alive afterwards, even one that left its session."""

from __future__ import annotations

import os
import signal
import textwrap
import time
from pathlib import Path

import pytest

from helpers.cli_run import run_cli as _run
from reviewer.collectors.reaper import descendants
from reviewer.config import TestsConfig
from reviewer.collectors.testrun import run_tests
from reviewer.review.result import load_result

FAILING = "def test_fails():\n    assert 1 == 2\n"
SLEEPER = '''\
import os, subprocess, sys

def test_spawns_a_detached_sleeper():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"],
                             start_new_session=True)
    with open(os.environ["REVIEWER_TEST_PID_FILE"], "a") as fh:
        fh.write(f"{child.pid}\\n")
'''


@pytest.fixture(autouse=True)
def _env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    pid_file = tmp_path / "pids.txt"
    monkeypatch.setenv("REVIEWER_TEST_PID_FILE", str(pid_file))
    return pid_file


def _repo(tmp_path: Path, files: dict[str, str], timeout_s: float = 60) -> Path:
    repo = tmp_path / "repo"
    (repo / "tests").mkdir(parents=True)
    (repo / "app.py").write_text("def f(x):\n    return x + 1\n", encoding="utf-8")
    (repo / "pyproject.toml").write_text(f"[tool.reviewer.tests]\ntimeout_s = {timeout_s}\n", encoding="utf-8")
    for name, text in files.items():
        (repo / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return repo


def _tests_check(out: Path) -> tuple[str, bool]:
    gate = load_result(out / "review.json").gate
    assert gate is not None
    check = next(c for c in gate.checks if c.name.startswith("failing tests"))
    return check.actual, check.passed


def test_a_hanging_test_killed_by_the_timeout_is_not_a_pass(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"tests/test_a.py": FAILING + "\n\ndef test_hangs():\n    import time\n    time.sleep(600)\n"},
                 timeout_s=6)
    out = tmp_path / "out"
    assert _run("run", str(repo), "--backend", "none", "--run-tests", "--out", str(out)) == 1
    actual, passed = _tests_check(out)
    assert not passed and actual.startswith("not measured: ") and "timeout" in actual


def test_a_conftest_that_exits_early_is_not_a_pass(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"tests/test_a.py": FAILING, "conftest.py": "import os\nos._exit(0)\n"})
    out = tmp_path / "out"
    assert _run("run", str(repo), "--backend", "none", "--run-tests", "--out", str(out)) == 1
    actual, passed = _tests_check(out)
    assert not passed and actual.startswith("not measured: ") and "JUnit" in actual


def test_a_real_failing_suite_still_counts_failures(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"tests/test_a.py": FAILING + "\n\ndef test_ok():\n    assert True\n"})
    out = tmp_path / "out"
    assert _run("run", str(repo), "--backend", "none", "--run-tests", "--out", str(out)) == 1
    assert _tests_check(out) == ("1 of 2", False)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().split(b") ")[1][:1] != b"Z"  # a zombie is dead, only not yet reaped
    except (FileNotFoundError, IndexError):
        return False


def _pids(pid_file: Path) -> list[int]:
    return [int(p) for p in pid_file.read_text().split()] if pid_file.is_file() else []


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="descendant tracking needs Linux /proc")
@pytest.mark.parametrize("hang", [False, True])
def test_no_process_outlives_the_test_run(tmp_path: Path, _env: Path, hang: bool) -> None:
    body = SLEEPER + ("\n\ndef test_then_hangs():\n    import time\n    time.sleep(600)\n" if hang else "")
    repo = _repo(tmp_path, {"tests/test_spawn.py": body})
    try:
        run = run_tests(repo, TestsConfig(timeout_s=8 if hang else 120), tmp_path)
        pids = _pids(_env)
        assert run.timed_out == hang and len(pids) == 1
        deadline = time.monotonic() + 5
        while _alive(pids[0]) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(pids[0]), "the detached sleeper survived the test run"
        assert descendants(os.getpid()) == []
    finally:
        for pid in _pids(_env):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="PR_SET_PDEATHSIG and /proc are Linux")
def test_the_reaper_cleans_up_when_reviewer_itself_is_killed(tmp_path: Path) -> None:
    import subprocess
    import sys

    from reviewer.collectors import reaper

    pid_file = tmp_path / "sleeper.pid"
    spawner = (f"import subprocess, sys, time; p = subprocess.Popen([sys.executable, '-c', 'import time; "
               f"time.sleep(300)'], start_new_session=True); open({str(pid_file)!r}, 'w').write(str(p.pid)); "
               "time.sleep(300)")
    parent = (f"import subprocess, sys, time; subprocess.Popen([sys.executable, '-I', {reaper.__file__!r}, "
              f"sys.executable, '-c', {spawner!r}]); time.sleep(300)")
    fake_reviewer = subprocess.Popen([sys.executable, "-c", parent])
    try:
        deadline = time.monotonic() + 20
        while not pid_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.1)
        sleeper = int(pid_file.read_text())
        fake_reviewer.kill()  # SIGKILL: reviewer gets no chance to clean up; the reaper must
        fake_reviewer.wait()
        deadline = time.monotonic() + 10
        while _alive(sleeper) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(sleeper)
    finally:
        fake_reviewer.kill()
        if pid_file.is_file():
            try:
                os.kill(int(pid_file.read_text()), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
