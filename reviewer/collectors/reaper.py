"""Run a command and leave no process of it behind: ``python -I reaper.py COMMAND...``.

The target's test command may start processes that outlive it, even ones that call ``setsid`` to leave its
process group. On Linux this helper makes itself a *child subreaper* (``prctl(PR_SET_CHILD_SUBREAPER)``): every
orphaned descendant is re-parented to it instead of to init. When the command ends (or this helper gets
SIGTERM, which is how a timeout ends it), every remaining descendant is killed and reaped, then the helper
exits with the command's exit code. Elsewhere it falls back to killing the command's process group.

It imports only the standard library and is started by file path with ``-I`` (isolated mode): run from the
target's directory, a ``reviewer`` package of the target can never be imported in its place.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
_ROUNDS = 50


def set_subreaper() -> bool:
    """Become the child subreaper of this process's descendants (Linux); False where that is not possible."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        # If reviewer itself dies (SIGKILL, SIGTERM), this helper gets SIGTERM and still cleans up.
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _parents() -> dict[int, int]:
    out: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue  # it ended meanwhile
        fields = stat[stat.rfind(b")") + 2:].split()  # after "(comm)": state, ppid, ...
        out[int(entry)] = int(fields[1])
    return out


def descendants(pid: int) -> list[int]:
    """Every living process below ``pid`` (from /proc)."""
    parents = _parents()
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    found: list[int] = []
    stack = list(children.get(pid, []))
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, []))
    return found


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def kill_descendants() -> int:
    """Kill and reap every descendant of this process; how many were killed."""
    killed = 0
    for _ in range(_ROUNDS):  # a process may fork while we look: repeat until none is left
        _reap()
        living = descendants(os.getpid())
        if not living:
            return killed
        for pid in living:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        time.sleep(0.02)
    return killed


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: reaper.py COMMAND [ARGS...]", file=sys.stderr)
        return 2
    stop = {"signal": 0}
    proc: subprocess.Popen[bytes] | None = None

    def on_term(signum: int, _frame: object) -> None:
        stop["signal"] = signum
        if proc is not None:
            proc.kill()

    signal.signal(signal.SIGTERM, on_term)
    tracked = set_subreaper() and os.path.isdir("/proc")
    if os.getppid() == 1 and not stop["signal"]:  # the parent died before PR_SET_PDEATHSIG took effect
        return 128 + signal.SIGTERM
    proc = subprocess.Popen(argv)
    code = proc.wait()
    if tracked:  # elsewhere the caller kills the process group, which is all that can be found
        kill_descendants()
    if stop["signal"]:
        return 128 + stop["signal"]
    return 128 - code if code < 0 else code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
