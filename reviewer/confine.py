"""Confinement to the repository root: every path the repository names (a symlink, a ``-r`` include, a config
setting) is resolved, symlinks included, and must stay inside the root; what leaves it is never read."""

from __future__ import annotations

from pathlib import Path

__all__ = ["inside"]


def inside(root: Path, path: Path) -> bool:
    """True when ``path`` (relative paths are taken from ``root``), with every symlink resolved, is in ``root``."""
    base = root.resolve()
    full = path if path.is_absolute() else base / path
    try:
        return full.resolve().is_relative_to(base)
    except (OSError, RuntimeError):  # a symlink loop
        return False
