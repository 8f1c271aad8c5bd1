"""Reading a repository file named by untrusted text (a model answer, a finding) safely: inside the root only,
no traversal, no skipped folders, bounded size, text only."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from reviewer.discovery import SKIP_DIRS

__all__ = ["read_repo_lines", "resolve_repo_file"]


def resolve_repo_file(root: Path, rel: str) -> tuple[Path | None, str]:
    """The file inside ``root`` named by ``rel``, or (None, why not)."""
    text = rel.strip().replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    if not text or "\x00" in text:
        return None, "empty file name"
    pure = PurePosixPath(text)
    if pure.is_absolute() or (len(text) > 1 and text[1] == ":"):
        return None, "absolute path"
    if ".." in pure.parts:
        return None, "path traversal"
    if any(part in SKIP_DIRS for part in pure.parts):
        return None, "file in a folder that is not reviewed"
    base = root.resolve()
    candidate = (base / pure).resolve()
    if not candidate.is_relative_to(base):
        return None, "resolves outside the repository"
    if not candidate.is_file():
        return None, "file does not exist"
    return candidate, ""


def read_repo_lines(root: Path, rel: str, max_bytes: int) -> tuple[list[str] | None, str]:
    """The lines of a repository text file, or (None, why not)."""
    path, why = resolve_repo_file(root, rel)
    if path is None:
        return None, why
    try:
        if path.stat().st_size > max_bytes:
            return None, f"file larger than {max_bytes} bytes"
        data = path.read_bytes()
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc}"
    if b"\x00" in data[:8192]:
        return None, "binary file"
    try:
        return data.decode("utf-8-sig").splitlines(), ""
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
