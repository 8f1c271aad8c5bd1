"""Run the target's tests under coverage in a subprocess (explicit opt-in: the target's code is untrusted).

``python -m coverage run -m pytest --junitxml=... -o junit_family=xunit1`` in the target's directory, with
the interpreter of the target's environment when configured. The process runs in its own session; on
timeout the whole process group is killed. Output goes to a file (no pipe to fill), of which the tail is
kept. The coverage data is then turned into ``coverage.json`` with ``coverage json``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from reviewer.collectors.interpreter import Interpreter, choose_interpreter
from reviewer.config import TestsConfig
from reviewer.errors import CollectorError

__all__ = ["TestRun", "build_command", "run_tests"]

_TAIL = 4000
_REPORT_TIMEOUT_S = 120.0


@dataclass
class TestRun:
    __test__ = False

    command: list[str]
    exit_code: int | None
    timed_out: bool
    duration_s: float
    output_tail: str
    junit: Path | None
    coverage_json: Path | None
    report_error: str | None = None
    interpreter: Interpreter | None = None


def build_command(config: TestsConfig, junit: Path) -> list[str]:
    """The full command line: the configured test command wrapped in ``coverage run``."""
    python = config.python or sys.executable
    cmd = list(config.command) or ["pytest"]
    if Path(cmd[0]).name in ("pytest", "py.test"):
        args, is_pytest = ["-m", "pytest", *cmd[1:]], True
    elif len(cmd) >= 3 and cmd[1] == "-m" and Path(cmd[0]).name.startswith("python"):
        args, is_pytest = cmd[1:], cmd[2] == "pytest"
    elif cmd[0] == "-m":
        args, is_pytest = cmd, len(cmd) > 1 and cmd[1] == "pytest"
    else:  # a script: coverage run script.py args
        args, is_pytest = cmd, False
    if is_pytest:
        args += [f"--junitxml={junit}", "-o", "junit_family=xunit1"]
    return [python, "-m", "coverage", "run", *args]


def _env(data_file: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_CORE_", "COVERAGE_", "PYTEST_"))}
    env["COVERAGE_FILE"] = str(data_file)
    return env


def _tail(log: Path) -> str:
    with log.open("rb") as fh:
        fh.seek(max(0, log.stat().st_size - _TAIL))
        return fh.read().decode("utf-8", "replace")


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        return  # it ended between the timeout and the kill
    proc.wait()


_REAPER = Path(__file__).with_name("reaper.py")
_STOP_GRACE_S = 10.0


def _reaped(command: list[str]) -> list[str]:
    """``command`` run under the reaper helper (:mod:`reviewer.collectors.reaper`): no process outlives it."""
    return [sys.executable, "-I", str(_REAPER), *command]


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End a timed-out run: SIGTERM lets the reaper kill every descendant; then the whole group is killed."""
    try:
        proc.terminate()
        proc.wait(timeout=_STOP_GRACE_S)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    _kill_group(proc)


def _coverage_json(python: str, root: Path, data_file: Path, out: Path) -> str | None:
    """Write coverage.json from the data file; the error text when that fails."""
    env = _env(data_file)
    if not data_file.exists() and list(data_file.parent.glob(data_file.name + ".*")):
        subprocess.run([python, "-m", "coverage", "combine"], cwd=root, env=env, capture_output=True,
                       timeout=_REPORT_TIMEOUT_S, check=False)
    if not data_file.exists():
        return "the test run wrote no coverage data"
    proc = subprocess.run([python, "-m", "coverage", "json", "-i", "-o", str(out)], cwd=root, env=env,
                          capture_output=True, text=True, timeout=_REPORT_TIMEOUT_S, check=False)
    if proc.returncode != 0 or not out.is_file():
        return f"coverage json failed ({proc.returncode}): {(proc.stderr or proc.stdout).strip()[-500:]}"
    return None


def run_tests(root: Path, config: TestsConfig, workdir: Path) -> TestRun:
    """Run the tests of ``root``; reports are written under ``workdir``."""
    junit, data_file, json_out, log = (workdir / n for n in ("junit.xml", ".coverage", "coverage.json", "out.log"))
    interpreter = choose_interpreter(root, config.python)
    command = build_command(config.model_copy(update={"python": interpreter.path}), junit)
    started = time.monotonic()
    timed_out = False
    with log.open("wb") as out:
        try:
            proc = subprocess.Popen(_reaped(command), cwd=root, env=_env(data_file), stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as exc:
            raise CollectorError("tests", f"cannot start {command[0]}: {exc.strerror or exc}", path=str(root)) from exc
        try:
            proc.wait(timeout=config.timeout_s)
            _kill_group(proc)  # whatever is left in its process group (the reaper already ended the rest)
        except subprocess.TimeoutExpired:
            timed_out = True
            _stop(proc)
        except BaseException:  # Ctrl-C or any error while waiting: leave nothing of the run behind
            _stop(proc)
            raise
    duration = round(time.monotonic() - started, 3)
    report_error = None
    if not timed_out:
        try:
            report_error = _coverage_json(command[0], root, data_file, json_out)
        except subprocess.TimeoutExpired:
            report_error = f"coverage json took more than {_REPORT_TIMEOUT_S:.0f}s"
    return TestRun(
        command=command, exit_code=None if timed_out else proc.returncode, timed_out=timed_out,
        duration_s=duration, output_tail=_tail(log), junit=junit if junit.is_file() else None,
        coverage_json=json_out if json_out.is_file() else None, report_error=report_error, interpreter=interpreter,
    )
