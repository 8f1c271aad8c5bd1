"""Where the packaged prompts and rubrics are, and how a user's repository overrides them.

In an installed wheel they live in ``reviewer/_data/{prompts,rubrics}`` (force-included by pyproject.toml);
in a source checkout (editable install) they are the repository's top-level ``prompts/`` and ``rubrics/``.
A user's override directory is searched first, file by file.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["packaged_dir", "search_path"]

_PACKAGE = Path(__file__).resolve().parent


def packaged_dir(kind: str) -> Path:
    """The built-in directory for ``kind`` ('prompts' or 'rubrics')."""
    installed = _PACKAGE / "_data" / kind
    if installed.is_dir():
        return installed
    source = _PACKAGE.parent / kind
    if source.is_dir():
        return source
    raise FileNotFoundError(f"packaged {kind} directory not found (looked in {installed} and {source})")


def search_path(kind: str, override: Path | None) -> list[Path]:
    """Directories to look in, override first."""
    dirs = [override] if override is not None and override.is_dir() else []
    return [*dirs, packaged_dir(kind)]
