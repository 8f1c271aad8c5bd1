"""Unit answers cached by unit hash, model id and prompt version, so an unchanged unit is not asked again.

One JSON file, ``judge.json`` in the repository's cache folder (:func:`reviewer.collectors.cache.cache_dir`,
with the collectors' conventions): a map from
the key to the unit's answers, one per site (``kind@line:facts`` with the line relative to the unit's first line,
so a unit that only moved keeps its answers, and a hash of what the tool saw there, which is part of the question). Saving keeps only the entries of units that still exist, so the
file never outgrows the repository. An unreadable cache is a miss; one that cannot be written is reported.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.collectors.cache import write_cache_file

__all__ = ["CachedUnit", "UnitCache"]

_FORMAT = 3
_FILE = "judge.json"


@dataclass
class CachedUnit:
    verdicts: dict[str, list[str | float | None]] = field(default_factory=dict)
    """site (``kind@relative line:hash of its facts``) -> [answer, reason, probability of yes or None]."""


def cache_key(unit_hash: str, model: str, prompt_version: str) -> str:
    return f"{unit_hash}:{model}:{prompt_version}"


class UnitCache:
    """Thread-safe; ``directory`` None disables it (nothing is read or written)."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._entries: dict[str, CachedUnit] = self._load() if directory is not None else {}
        self.hits = 0

    def _load(self) -> dict[str, CachedUnit]:
        assert self.directory is not None
        try:
            data = json.loads((self.directory / _FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("format") != _FORMAT or not isinstance(data.get("entries"), dict):
            return {}
        out = {}
        for key, entry in data["entries"].items():
            if isinstance(entry, dict) and isinstance(entry.get("verdicts"), dict):
                out[key] = CachedUnit(verdicts=entry["verdicts"])
        return out

    def get(self, key: str) -> CachedUnit | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self.hits += 1
            return found

    def put(self, key: str, entry: CachedUnit) -> None:
        with self._lock:
            self._entries[key] = entry

    def save(self, live_hashes: set[str]) -> None:
        """Write the entries of units that still exist. Raises OSError when the folder cannot be written."""
        if self.directory is None:
            return
        with self._lock:
            entries = {k: {"verdicts": v.verdicts} for k, v in sorted(self._entries.items())
                       if k.split(":", 1)[0] in live_hashes}
        # the collectors' cache writer: atomic, self-ignoring folder, through the redaction sink
        write_cache_file(self.directory / _FILE, json.dumps({"format": _FORMAT, "entries": entries},
                                                            separators=(",", ":")))
