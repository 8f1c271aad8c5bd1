"""Git facts of a work tree: branch, commit, dirty state and churn per file over recent commits.

Every git call is a subprocess with a timeout. A directory that is not inside a git work tree (or a machine
without git) gives ``None``; a git command that fails or times out once the tree is known raises
:class:`~reviewer.errors.CollectorError` with the command and its message.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
from pathlib import Path

from pydantic import ValidationError

from reviewer.collectors.cache import write_cache_file
from reviewer.errors import CollectorError
from reviewer.evidence import GitChurn, GitInfo

__all__ = ["git_info", "parse_numstat"]

_TIMEOUT_S = 30.0
_COMMIT_MARK = "@@commit "  # numstat lines start with a digit or "-"


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, encoding="utf-8",
            errors="replace", timeout=_TIMEOUT_S, check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise CollectorError("repo_facts", f"git {' '.join(args)} timed out after {_TIMEOUT_S:.0f}s",
                             path=str(root)) from exc


def _checked(root: Path, *args: str) -> str:
    proc = _git(root, *args)
    if proc.returncode != 0:
        raise CollectorError("repo_facts", f"git {' '.join(args)} failed: {proc.stderr.strip()[:300]}",
                             path=str(root))
    return proc.stdout


def parse_numstat(text: str) -> tuple[int, list[GitChurn]]:
    """Parse ``git log --numstat --format=<mark>%H`` output into (commits, churn per file)."""
    commits = 0
    churn: dict[str, list[int]] = {}
    for line in text.splitlines():
        if line.startswith(_COMMIT_MARK):
            commits += 1
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            continue
        added, deleted, path = parts
        entry = churn.setdefault(path, [0, 0, 0])
        entry[0] += 1
        entry[1] += int(added) if added.isdigit() else 0  # "-" for binary files
        entry[2] += int(deleted) if deleted.isdigit() else 0
    rows = [GitChurn(path=p, commits=c, added=a, deleted=d) for p, (c, a, d) in churn.items()]
    rows.sort(key=lambda r: (-r.commits, -(r.added + r.deleted), r.path))
    return commits, rows


def _cached_churn(cache_file: Path, key: str) -> tuple[int, list[GitChurn]] | None:
    try:
        data = json.loads(cache_file.read_text(encoding="utf-8"))
        if data.get("key") != key:
            return None
        return int(data["commits"]), [GitChurn.model_validate(row) for row in data["churn"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError, ValidationError):
        return None  # a damaged cache is a miss


def _churn(root: Path, head: str, max_commits: int, cache_file: Path | None) -> tuple[int, list[GitChurn]]:
    """Churn over the last ``max_commits`` commits up to ``head``: fixed for a commit, so cached by it (the
    ``git log --numstat`` of a long history is the slowest part of a warm collect)."""
    key = f"format=1;head={head};n={max_commits}"
    cached = _cached_churn(cache_file, key) if cache_file is not None else None
    if cached is not None:
        return cached
    log = _checked(root, "log", f"-n{max_commits}", "--no-renames", "--numstat", "--relative",
                   f"--format={_COMMIT_MARK}%H", "--", ".")
    commits, churn = parse_numstat(log)
    if cache_file is not None:
        body = {"key": key, "commits": commits, "churn": [row.model_dump(mode="json") for row in churn]}
        with contextlib.suppress(OSError):  # a read-only checkout: the next run asks git again
            write_cache_file(cache_file, json.dumps(body, separators=(",", ":")))
    return commits, churn


def git_info(root: Path, max_commits: int = 100, max_files: int = 100,
             cache_file: Path | None = None) -> GitInfo | None:
    """Git facts of ``root``, or None when it is not in a git work tree (or git is not installed).

    With ``cache_file`` the churn of the current commit is read from there when it was stored before."""
    try:
        probe = _git(root, "rev-parse", "--is-inside-work-tree")
    except FileNotFoundError:
        return None
    if probe.returncode != 0 or probe.stdout.strip() != "true":
        return None
    head = _git(root, "rev-parse", "--verify", "-q", "HEAD")
    if head.returncode != 0:  # a fresh repository without commits
        return GitInfo(branch=_checked(root, "symbolic-ref", "--short", "-q", "HEAD").strip() or None)
    branch = _checked(root, "rev-parse", "--abbrev-ref", "HEAD").strip()
    status = _checked(root, "status", "--porcelain", "--untracked-files=no", "--", ".")
    commits, churn = _churn(root, head.stdout.strip(), max_commits, cache_file)
    return GitInfo(
        branch=None if branch == "HEAD" else branch, commit=head.stdout.strip(), dirty=bool(status.strip()),
        commits_considered=commits, churn=churn[:max_files],
    )
