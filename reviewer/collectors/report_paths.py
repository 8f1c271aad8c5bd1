"""Map a path written in a test or coverage report to a repository-relative POSIX path.

Reports hold absolute paths of the machine that produced them (a CI checkout), paths relative to the
directory the tool ran in, or paths relative to a Cobertura ``<source>``. The mapper tries, in order: the
path relative to the repository root, relative to each source, and the longest trailing part of the path
that names a repository file (``/ci/work/proj/src/pkg/a.py`` -> ``src/pkg/a.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePosixPath, PureWindowsPath

__all__ = ["PathMapper"]


def _posix(raw: str) -> str:
    if "\\" in raw and "/" not in raw.replace("\\", ""):
        return PureWindowsPath(raw).as_posix()
    return raw.replace("\\", "/")


class PathMapper:
    def __init__(self, root: Path, repo_files: Iterable[str], sources: Iterable[str] = ()) -> None:
        self.root = root
        self.roots = [root.as_posix(), root.resolve().as_posix()]
        self.repo_files = set(repo_files)
        self.sources = [_posix(s).rstrip("/") for s in sources if s]

    def _relative(self, path: str) -> str | None:
        for base in self.roots:
            if path.startswith(base + "/"):
                rel = path[len(base) + 1:]
                if rel in self.repo_files:
                    return rel
        return None

    def map(self, raw: str) -> str | None:
        """The repository file ``raw`` names, or None when it is not one of the repository's files."""
        path = _posix(raw.strip())
        if path.startswith("./"):
            path = path[2:]
        if path in self.repo_files:
            return path
        direct = self._relative(path)
        if direct:
            return direct
        for source in self.sources:
            joined = f"{source}/{path}"
            hit = joined if joined in self.repo_files else self._relative(joined)
            if hit:
                return hit
        parts = PurePosixPath(path).parts
        if any(p in ("site-packages", "dist-packages") for p in parts):
            return None  # an installed package, even if the repository has a file of the same name
        for i in range(1, len(parts)):
            suffix = "/".join(parts[i:])
            if suffix in self.repo_files:
                return suffix
        return None

    def from_classname(self, classname: str | None) -> str | None:
        """``tests.test_a.TestK`` -> ``tests/test_a.py`` when that file is in the repository."""
        if not classname:
            return None
        parts = classname.split(".")
        for i in range(len(parts), 0, -1):
            hit = self.map("/".join(parts[:i]) + ".py")
            if hit:
                return hit
        return None
