"""Helpers shared by sub-commands that act on a target repository: check the path, load its config."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import click

from reviewer.config import Config, apply_overrides, load_config
from reviewer.errors import ConfigError, TargetPathError
from reviewer.trust import check_config_files, check_repo_config, inside, merge_user_config

__all__ = ["load_target_config", "target_path", "trust_option", "writable_dir"]

trust_option = click.option(
    "--trust-repo-config", "trust_repo_config", is_flag=True,
    help="Honour the repository's own settings that choose templates, prompts, rubrics, the model server or "
         "the API key variable (refused otherwise: the repository is untrusted input).")


def target_path(path: Path | str) -> Path:
    """The resolved repository root; :class:`TargetPathError` (exit 2) when missing or not a directory."""
    candidate = Path(path).expanduser()
    if not candidate.exists():
        raise TargetPathError(candidate, "no such file or directory")
    if not candidate.is_dir():
        raise TargetPathError(candidate, "not a directory")
    return candidate.resolve()


def writable_dir(path: Path, option: str = "--out") -> Path:
    """``path`` created if needed and checked writable now, before any work: :class:`ConfigError` (exit 2)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".reviewer-probe-"):
            pass
    except OSError as exc:
        raise ConfigError(f"cannot write the output folder ({option}): {exc.strerror or exc}", file=path) from exc
    return path


def load_target_config(root: Path, config_file: Path | str | None, overrides: dict[str, Any] | None = None,
                       *, trust_repo: bool = False) -> Config:
    """Read the target's config (an explicit file, reviewer.yaml or [tool.reviewer]) and apply CLI overrides.

    ``overrides`` maps dotted keys (``backend.name``) to values; ``None`` values are ignored so unset CLI
    flags leave the file's value alone. Raises :class:`~reviewer.errors.ConfigError` (exit 2) on bad input.
    """
    explicit = Path(config_file).expanduser() if config_file is not None else None
    if explicit is None:
        check_config_files(root)
    config = load_config(root, explicit)
    # A --config file outside the repository is the user's own; one inside it is the repository's.
    if explicit is None or inside(root, explicit.resolve()):
        check_repo_config(root, config, trusted=trust_repo)
    config = merge_user_config(config)
    return apply_overrides(config, overrides) if overrides else config
