"""Per-file result cache keyed by content hash, so an unchanged repository collects again in a fraction of the time.

One JSON file per per-file collector in the folder :func:`cache_dir` gives the repository: in the user's cache
folder, never inside the repository, whose files are untrusted (a committed cache folder could otherwise hand
reviewer forged results and hide findings). The folder holds its own ``.gitignore`` with ``*``. Each file maps a repository path to the sha256 of the content the
result was computed from, and the result (or the collector's :class:`~reviewer.evidence.FileFailure`). A file
is only reused when the whole key matches: reviewer version, Python version, radon and bandit versions, and the
collector's own ``version``. Each save rewrites the file with the current entries only, so it never grows past
the repository's size.

A cache that cannot be read (corrupt, another format) is a miss, not an error; one that cannot be written (a
read-only checkout) is reported to the caller, who records it and goes on.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from dataclasses import dataclass
from typing import Any
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from pydantic import BaseModel, TypeAdapter, ValidationError, create_model

from reviewer import __version__
from reviewer.evidence import FileFailure
from reviewer.jsonfile import write_atomic
from reviewer.userdirs import cache_base

__all__ = ["CACHE_DIR_NAME", "CachedResult", "ResultCache", "cache_dir", "cache_salt", "write_cache_file"]

CACHE_DIR_NAME = ".reviewer-cache"
"""The in-repository folder of earlier versions: skipped by discovery and never read."""


def cache_dir(root: Path) -> Path:
    """The cache folder of the repository at ``root``: one folder per resolved repository path under the user's
    cache folder (``$REVIEWER_CACHE_DIR`` moves the base). Nothing in the repository can choose or fill it."""
    resolved = root.resolve()
    base_path = cache_base()
    digest = hashlib.sha256(str(resolved).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return base_path / "repos" / f"{resolved.name or 'root'}-{digest}"
_FORMAT = 1


def _dist_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "absent"


def cache_salt() -> str:
    """What, besides a collector's own version, changes per-file results: the tools and the interpreter."""
    py = f"{sys.version_info.major}.{sys.version_info.minor}"
    return f"reviewer={__version__};python={py};radon={_dist_version('radon')};bandit={_dist_version('bandit')}"


@dataclass(frozen=True)
class CachedResult:
    sha256: str
    result: BaseModel | FileFailure


class ResultCache:
    """Loads and saves one collector's per-file results under ``directory``."""

    def __init__(self, directory: Path, salt: str | None = None) -> None:
        self.directory = directory
        self.salt = salt if salt is not None else cache_salt()

    def _file(self, collector: str) -> Path:
        return self.directory / f"{collector}.json"

    def _key(self, collector: str, collector_version: str) -> str:
        return f"format={_FORMAT};{self.salt};{collector}={collector_version}"

    def load(self, collector: str, collector_version: str, model: type[BaseModel]) -> dict[str, CachedResult]:
        """The stored results whose key matches; {} when there is no usable cache file.

        The file is validated in one pass by pydantic-core straight from JSON (several times faster than
        parsing, then validating entry by entry); a file that does not validate is a miss as a whole."""
        try:
            text = self._file(collector).read_text(encoding="utf-8")
        except OSError:
            return {}
        if f'"key":{json.dumps(self._key(collector, collector_version))}' not in text[:512]:
            return {}
        try:
            stored = _file_adapter(model).validate_json(text)
        except ValidationError:
            return {}
        if stored.key != self._key(collector, collector_version):
            return {}
        out: dict[str, CachedResult] = {}
        for rel, entry in stored.entries.items():
            result = entry.failure if entry.failure is not None else entry.result
            if result is not None:
                out[rel] = CachedResult(sha256=entry.sha256, result=result)
        return out

    def save(self, collector: str, collector_version: str, entries: dict[str, CachedResult]) -> None:
        """Write atomically. Raises OSError when the folder cannot be written."""
        body = {
            "key": self._key(collector, collector_version),
            "entries": {
                rel: {"sha256": c.sha256,
                      ("failure" if isinstance(c.result, FileFailure) else "result"): c.result.model_dump(mode="json")}
                for rel, c in sorted(entries.items())
            },
        }
        write_cache_file(self._file(collector), json.dumps(body, separators=(",", ":")))


@functools.cache
def _file_adapter(model: type[BaseModel]) -> TypeAdapter[Any]:
    entry = create_model(f"Cached{model.__name__}", sha256=(str, ...), result=(model | None, None),
                         failure=(FileFailure | None, None))
    stored = create_model(f"Cache{model.__name__}", key=(str, ...), entries=(dict[str, entry], ...))  # type: ignore[valid-type]
    return TypeAdapter(stored)


def write_cache_file(target: Path, text: str) -> None:
    """Write one file of the cache folder with the project's atomic writer (unique temporary name, redaction
    sink), creating the folder with its own ``.gitignore``. Raises OSError when the folder cannot be written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    ignore = target.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# created by reviewer: the whole folder is a cache\n*\n", encoding="utf-8")
    write_atomic(text, target)
