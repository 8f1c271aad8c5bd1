"""Which files of a repository are reviewed.

Honours ``.gitignore`` (through ``git ls-files`` in a git work tree, else the ``.gitignore`` files read with
pathspec), always skips VCS folders, virtual environments (any folder holding ``pyvenv.cfg``), node_modules,
build output and caches, and applies the config's ``exclude`` globs. Files that cannot even be stat'ed
(symlink loops, dangling links, permission errors) are returned as failures, not raised.
"""

from __future__ import annotations

import os
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.confine import inside
from reviewer.evidence import FileFailure

if TYPE_CHECKING:
    import pathspec

__all__ = ["LANGUAGES", "Discovery", "RepoFile", "discover", "is_test_path", "language_of"]

SKIP_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "node_modules", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache",
        ".tox", ".nox", ".venv", "venv", ".eggs", "build", "dist", "site-packages", ".reviewer-cache",
        ".ipynb_checkpoints", "htmlcov", ".idea", ".vscode",
    }
)

LANGUAGES: dict[str, str] = {
    ".py": "Python", ".pyi": "Python", ".js": "JavaScript", ".mjs": "JavaScript", ".cjs": "JavaScript",
    ".ts": "TypeScript", ".tsx": "TypeScript", ".jsx": "JavaScript", ".go": "Go", ".rs": "Rust",
    ".java": "Java", ".kt": "Kotlin", ".c": "C", ".h": "C", ".cpp": "C++", ".cc": "C++", ".hpp": "C++",
    ".cs": "C#", ".rb": "Ruby", ".php": "PHP", ".swift": "Swift", ".sh": "Shell", ".bash": "Shell",
    ".md": "Markdown", ".rst": "reStructuredText", ".toml": "TOML", ".yaml": "YAML", ".yml": "YAML",
    ".json": "JSON", ".html": "HTML", ".css": "CSS", ".sql": "SQL", ".j2": "Jinja", ".jinja": "Jinja",
    ".cfg": "INI", ".ini": "INI", ".txt": "Text",
}


def language_of(path: str) -> str | None:
    return LANGUAGES.get(os.path.splitext(path)[1].lower())


def is_test_path(rel: str) -> bool:
    """True for test code: tests/ or test/ folders, test_*.py, *_test.py, conftest.py."""
    parts = rel.split("/")
    name = parts[-1]
    if any(p in ("tests", "test", "testing") for p in parts[:-1]):
        return True
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


@dataclass(frozen=True)
class RepoFile:
    rel: str
    """POSIX path relative to the repository root."""
    path: Path
    size: int
    mtime_ns: int = 0
    """Modification time when discovered (the evidence memo's key; 0 when unknown)."""

    @property
    def language(self) -> str | None:
        return language_of(self.rel)

    @property
    def is_python(self) -> bool:
        return self.rel.endswith((".py", ".pyi"))

    @property
    def is_test(self) -> bool:
        return is_test_path(self.rel)


@dataclass
class Discovery:
    root: Path
    files: list[RepoFile] = field(default_factory=list)
    failures: list[FileFailure] = field(default_factory=list)
    used_git: bool = False

    @property
    def python_files(self) -> list[RepoFile]:
        return [f for f in self.files if f.is_python]


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None


def _git_listing(root: Path) -> list[str] | None:
    """Files git would show under ``root``; None when ``root`` is not in a work tree or git ignores it
    (for example a package inside an ignored virtual environment of an enclosing repository)."""
    ignored = _git(root, "check-ignore", "-q", ".")
    if ignored is None or ignored.returncode == 0:
        return None
    proc = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if proc is None or proc.returncode != 0:
        return None
    return [p for p in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if p]


def _ignore_lines(path: Path) -> list[str] | None:
    """The patterns of one .gitignore; None when it cannot be read (discover() records that file as a failure)."""
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None


def _walk_listing(root: Path) -> list[str]:
    import pathspec

    specs: list[tuple[str, pathspec.PathSpec]] = []
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir
        lines = _ignore_lines(Path(dirpath, ".gitignore")) if ".gitignore" in filenames else None
        if lines is not None:
            specs.append((rel_dir, pathspec.GitIgnoreSpec.from_lines(lines)))

        def ignored(rel: str, is_dir: bool) -> bool:
            for base, spec in specs:
                if base and not rel.startswith(base + "/"):
                    continue
                sub = rel[len(base) + 1 :] if base else rel
                if spec.match_file(sub + ("/" if is_dir else "")):
                    return True
            return False

        keep = []
        for d in dirnames:
            rel = f"{rel_dir}/{d}" if rel_dir else d
            if not ignored(rel, True):
                keep.append(d)
        dirnames[:] = keep
        for name in filenames:
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if not ignored(rel, False):
                out.append(rel)
    return out


def _skipped_dir(parts: list[str], root: Path, venv_cache: dict[str, bool]) -> bool:
    prefix = ""
    for part in parts[:-1]:
        if part in SKIP_DIRS or part.endswith(".egg-info"):
            return True
        prefix = f"{prefix}/{part}" if prefix else part
        if prefix not in venv_cache:
            venv_cache[prefix] = os.path.exists(f"{root}/{prefix}/pyvenv.cfg")
        if venv_cache[prefix]:
            return True
    return False


def _exclude_spec(exclude: list[str] | None) -> pathspec.PathSpec | None:
    if not exclude:
        return None
    import pathspec  # only for exclude patterns and trees outside git (start-up of a warm collect)

    return pathspec.GitIgnoreSpec.from_lines(exclude)
def _valid_name(rel: str) -> bool:
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes were kept as surrogates (surrogateescape)
        return False
    return True


def _shown_name(rel: str) -> str:
    """The name with its undecodable bytes written as ``\\xff`` escapes."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def discover(root: Path, exclude: list[str] | None = None) -> Discovery:
    """List the reviewable files under ``root`` (which must be an existing directory)."""
    root = root.resolve()
    listing = _git_listing(root)
    result = Discovery(root=root, used_git=listing is not None)
    if listing is None:
        listing = _walk_listing(root)
    excluded = _exclude_spec(exclude)
    venv_cache: dict[str, bool] = {}
    base = str(root)
    for rel in sorted(set(listing)):
        if not _valid_name(rel):  # bytes that are not UTF-8: no JSON, cache key or report can hold the name
            result.failures.append(FileFailure(path=_shown_name(rel), collector="discovery", kind="unreadable",
                                               message="file name is not valid UTF-8; not analysed"))
            continue
        parts = rel.split("/")
        if _skipped_dir(parts, root, venv_cache) or (excluded is not None and excluded.match_file(rel)):
            continue
        full = f"{base}/{rel}"
        try:
            st = os.stat(full)  # strings, not Path objects: the common case is one system call per file
        except OSError as exc:
            if not os.path.lexists(full):
                continue  # tracked by git but deleted in the work tree
            kind = "symlink_loop" if exc.errno == 40 else "unreadable"
            result.failures.append(
                FileFailure(path=rel, collector="discovery", kind=kind, message=exc.strerror or str(exc))
            )
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        path = root / rel
        if path.is_symlink() and not inside(root, path):  # leaves the repository: recorded, never followed
            result.failures.append(FileFailure(path=rel, collector="discovery", kind="outside_root",
                                               message="symlink to a file outside the repository; not followed"))
            continue
        if not os.access(full, os.R_OK):
            result.failures.append(
                FileFailure(path=rel, collector="discovery", kind="unreadable", message="permission denied")
            )
            continue
        result.files.append(RepoFile(rel=rel, path=path, size=st.st_size, mtime_ns=st.st_mtime_ns))
    return result
