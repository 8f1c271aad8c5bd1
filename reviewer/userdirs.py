"""Where reviewer keeps its own files on this machine: never inside the repository under review."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_path

__all__ = ["CACHE_ENV", "cache_base"]

CACHE_ENV = "REVIEWER_CACHE_DIR"
"""Moves the base of every cache (models, per-file results, model answers, the fence key)."""


def cache_base() -> Path:
    """``$REVIEWER_CACHE_DIR`` or the user's cache folder for reviewer."""
    override = os.environ.get(CACHE_ENV)
    return Path(override).expanduser() if override else user_cache_path("reviewer")
