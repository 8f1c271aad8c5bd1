"""Import name -> installed distributions, cached across runs by a fingerprint of the environment.

``importlib.metadata.packages_distributions()`` reads every installed distribution's metadata and file list
(about 0.5 s with reviewer's dependencies, the largest part of a warm collect). Its answer changes only when a
distribution is installed, removed or reinstalled, so it is stored with a fingerprint of the ``*.dist-info`` and
``*.egg-info`` entries (name and mtime) of every ``sys.path`` folder, which takes a few milliseconds to compute.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from functools import lru_cache
from importlib.metadata import packages_distributions
from pathlib import Path

from reviewer.collectors.cache import write_cache_file

__all__ = ["environment_fingerprint", "installed_distributions"]

_FILE = "installed.json"


def environment_fingerprint() -> str:
    digest = hashlib.sha256(f"{sys.version};{sys.prefix}".encode())
    for folder in sys.path:
        try:
            entries = sorted(os.scandir(folder or "."), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:  # folders without distributions (the script's folder) leave no trace
            if entry.name.endswith((".dist-info", ".egg-info")):
                with contextlib.suppress(OSError):
                    digest.update(f"\0{folder}\0{entry.name}:{entry.stat().st_mtime_ns}".encode())
    return digest.hexdigest()


def _read(path: Path, key: str) -> dict[str, list[str]] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    mapping = data.get("installed") if isinstance(data, dict) and data.get("key") == key else None
    if not isinstance(mapping, dict) or not all(isinstance(v, list) for v in mapping.values()):
        return None
    return {str(k): [str(d) for d in v] for k, v in mapping.items()}


@lru_cache(maxsize=4)
def installed_distributions(cache_dir: Path | None = None) -> dict[str, list[str]]:
    """``packages_distributions()``, read from ``cache_dir`` when the environment has not changed since."""
    if cache_dir is None:
        return packages_distributions()
    key = environment_fingerprint()
    path = cache_dir / _FILE
    cached = _read(path, key)
    if cached is not None:
        return cached
    mapping = {k: list(v) for k, v in packages_distributions().items()}
    with contextlib.suppress(OSError):  # read-only: computed again next time
        write_cache_file(path, json.dumps({"key": key, "installed": mapping}, separators=(",", ":")))
    return mapping
