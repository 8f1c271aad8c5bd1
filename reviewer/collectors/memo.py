"""The whole evidence of an unchanged repository, reused: a warm collect at the speed of a few ``stat`` calls.

The per-file cache (:mod:`reviewer.collectors.cache`) spares re-analysing unchanged files, but a warm collect
still loads every per-file result and summarises them again. When nothing the collectors read has changed, the
previous evidence is the answer. The key covers everything they read:

* every discovered file's path, size and mtime (in nanoseconds), and the discovery failures;
* the files read outside discovery: dependency declarations, ``.coveragerc`` and the test/coverage reports
  that ``tests`` would ingest (often git-ignored);
* git ``HEAD`` and the branch (churn, commit and branch in the evidence);
* the configuration, the collectors chosen, reviewer's and the tools' versions, and a fingerprint of the
  installed distributions (import-to-distribution mapping).

A run of the target's tests is never memoised. A memo that cannot be read or does not match is a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import subprocess
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError, create_model

from reviewer.collectors.base import CollectContext
from reviewer.collectors.cache import cache_salt, write_cache_file
from reviewer.collectors.installed import environment_fingerprint
from reviewer.collectors.report_files import find_reports
from reviewer.evidence import Evidence

__all__ = ["evidence_key", "load_memo", "save_memo"]

MEMO_FILE = "evidence.json"
_FORMAT = 1
_OUTSIDE_DISCOVERY = ("pyproject.toml", "setup.cfg", "setup.py", ".coveragerc", "requirements.txt")


def _stat(path: Path) -> str:
    try:
        st = path.stat()
    except OSError:
        return "-"
    return f"{st.st_size}:{st.st_mtime_ns}"


def _git_head(root: Path) -> str:
    try:
        proc = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD", "--symbolic-full-name", "HEAD"],
                              capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "no-git"
    return proc.stdout.strip() if proc.returncode == 0 else f"git:{proc.returncode}"


@cache
def _own_code() -> str:
    """reviewer's own modules (path, size, mtime): a changed collector never reuses an older answer."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(f"{path.relative_to(package)}:{_stat(path)}\n".encode())
    return digest.hexdigest()


def evidence_key(ctx: CollectContext, collectors: list[str]) -> str:
    """A digest of everything the collectors read; equal keys mean equal evidence."""
    digest = hashlib.sha256()

    def add(*parts: object) -> None:
        digest.update(("\0".join(str(p) for p in parts) + "\n").encode("utf-8", "surrogateescape"))

    add(f"format={_FORMAT}", cache_salt(), environment_fingerprint(), _own_code(), str(ctx.root), ",".join(collectors))
    add(ctx.config.model_dump_json())
    for f in ctx.discovery.files:
        add(f.rel, f"{f.size}:{f.mtime_ns}" if f.mtime_ns else _stat(f.path))
    for failure in ctx.discovery.failures:
        add("failure", failure.path, failure.message)
    for name in _OUTSIDE_DISCOVERY:
        add(name, _stat(ctx.root / name))
    reports = find_reports(ctx.root, ctx.config.tests)
    for path in [*reports.junit, *reports.coverage]:
        add("report", path, _stat(path))
    add("git", _git_head(ctx.root))
    return digest.hexdigest()


@cache
def _adapter() -> TypeAdapter[Any]:
    return TypeAdapter(create_model("EvidenceMemo", key=(str, ...), evidence=(Evidence, ...)))


def load_memo(cache_dir: Path, key: str) -> Evidence | None:
    """The stored evidence for ``key``; None when there is none, it is for another key, or it is damaged."""
    try:
        text = (cache_dir / MEMO_FILE).read_text(encoding="utf-8")
    except OSError:
        return None
    if f'"key":"{key}"' not in text[:100]:
        return None
    try:
        memo = _adapter().validate_json(text)
    except ValidationError:
        return None
    if memo.key != key:
        return None
    evidence: Evidence = memo.evidence
    evidence.created_at = datetime.now(timezone.utc)
    for status in evidence.collectors:
        status.cached_files = status.files
    return evidence


def save_memo(cache_dir: Path, key: str, evidence: Evidence) -> None:
    """Store the evidence for ``key``; a folder that cannot be written is left alone (the next run is warm
    per file, just not memoised)."""
    body = '{"key":' + json.dumps(key) + ',"evidence":' + evidence.model_dump_json() + "}"
    with contextlib.suppress(OSError):
        write_cache_file(cache_dir / MEMO_FILE, body)
