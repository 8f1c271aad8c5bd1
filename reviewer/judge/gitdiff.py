"""Lines changed since a base ref (``--diff BASE``): ``git diff -U0 BASE`` in the repository, parsed.

The ref is validated first (it cannot start with ``-``), so it can never be read as an option.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from reviewer.errors import ConfigError

__all__ = ["changed_lines"]

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_REF = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./~^@{}-]*$")
_TIMEOUT_S = 60


def _parse(diff: str) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            path = line[4:].strip()
            current = out.setdefault(path[2:], set()) if path.startswith("b/") else None
        elif (match := _HUNK.match(line)) and current is not None:
            start, count = int(match.group(1)), int(match.group(2) or 1)
            current.update(range(start, start + count) if count else {max(start, 1)})
    return out


def changed_lines(root: Path, base: str) -> dict[str, set[int]]:
    """{path relative to root: changed line numbers in the working tree} since ``base``. ConfigError when the
    ref is not usable (not a git repository, unknown ref)."""
    if not _REF.match(base):
        raise ConfigError(f"not a usable git ref: {base!r}", key="review.diff_base")
    cmd = ["git", "-C", str(root), "diff", "--no-color", "--no-ext-diff", "--relative", "-U0", base, "--"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(f"git diff {base} failed: {exc}", key="review.diff_base") from exc
    if proc.returncode != 0:
        raise ConfigError(f"git diff {base} failed: {proc.stderr.strip()[:300]}", key="review.diff_base")
    return _parse(proc.stdout)
