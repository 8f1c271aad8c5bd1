"""The units of a repository from the shared parse (:class:`~reviewer.source.SourceStore`).

The file list comes from the evidence, which may have been loaded from a file: each path is resolved inside the
root first (no traversal, no symlink out), so a doctored evidence file cannot make the model read other files.
"""

from __future__ import annotations

from pathlib import Path

from reviewer.discovery import RepoFile
from reviewer.judge.units import Unit, extract_units
from reviewer.review.repofile import resolve_repo_file
from reviewer.source import SourceFile, SourceStore

__all__ = ["repository_units"]


def repository_units(root: Path, python_files: list[str], max_bytes: int) -> list[Unit]:
    files = []
    for rel in python_files:
        path, _ = resolve_repo_file(root, rel)
        if path is not None and rel.endswith(".py"):
            files.append(RepoFile(rel=rel, path=path, size=path.stat().st_size))
    store = SourceStore(files, max_bytes)
    return [u for src in store.sources() if isinstance(src, SourceFile) for u in extract_units(src)]
