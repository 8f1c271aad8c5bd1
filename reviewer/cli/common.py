"""Helpers shared by sub-commands that act on a target repository: check the path, load its config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reviewer.config import Config, apply_overrides, load_config
from reviewer.errors import TargetPathError

__all__ = ["load_target_config", "target_path"]


def target_path(path: Path | str) -> Path:
    """The resolved repository root; :class:`TargetPathError` (exit 2) when missing or not a directory."""
    candidate = Path(path).expanduser()
    if not candidate.exists():
        raise TargetPathError(candidate, "no such file or directory")
    if not candidate.is_dir():
        raise TargetPathError(candidate, "not a directory")
    return candidate.resolve()


def load_target_config(root: Path, config_file: Path | str | None, overrides: dict[str, Any] | None = None) -> Config:
    """Read the target's config (an explicit file, reviewer.yaml or [tool.reviewer]) and apply CLI overrides.

    ``overrides`` maps dotted keys (``backend.name``) to values; ``None`` values are ignored so unset CLI
    flags leave the file's value alone. Raises :class:`~reviewer.errors.ConfigError` (exit 2) on bad input.
    """
    explicit = Path(config_file).expanduser() if config_file is not None else None
    config = load_config(root, explicit)
    return apply_overrides(config, overrides) if overrides else config
