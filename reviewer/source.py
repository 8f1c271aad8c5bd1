"""Read and parse each Python file once, shared by every collector.

:class:`SourceStore` loads a file on first request (thread-safe) and keeps the bytes, the decoded text and the
AST. A file that cannot be read, decoded or parsed yields a :class:`~reviewer.evidence.FileFailure` (recorded
once, with collector ``"source"``) instead of a source; collectors simply skip it.
"""

from __future__ import annotations

import ast
import hashlib
import io
import re
import threading
import tokenize
import warnings
from dataclasses import dataclass, field

from reviewer.discovery import RepoFile
from reviewer.evidence import FileFailure

__all__ = ["SourceFile", "SourceStore", "content_hash"]

# Syntax that a SyntaxError on this interpreter most likely means "written for a newer Python".
_NEWER_SYNTAX = [
    (re.compile(r"^\s*type\s+[A-Za-z_]\w*(\[[^\]]*\])?\s*=", re.M), "type alias statement (Python 3.12+)"),
    (re.compile(r"^\s*(async\s+)?def\s+\w+\s*\[", re.M), "generic function syntax (Python 3.12+)"),
    (re.compile(r"^\s*class\s+\w+\s*\[", re.M), "generic class syntax (Python 3.12+)"),
]


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class SourceFile:
    file: RepoFile
    data: bytes
    text: str
    tree: ast.Module
    sha256: str
    lines: list[str] = field(default_factory=list)

    @property
    def rel(self) -> str:
        return self.file.rel

    def line(self, lineno: int) -> str:
        """The text of a 1-based line, or '' when out of range."""
        if 1 <= lineno <= len(self.lines):
            return self.lines[lineno - 1]
        return ""


@dataclass(frozen=True)
class _Read:
    data: bytes
    text: str
    sha256: str
    lines: list[str]


def _decode(data: bytes) -> str:
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    text = data.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text


def _newer_syntax_reason(text: str) -> str | None:
    for pattern, reason in _NEWER_SYNTAX:
        if reason and pattern.search(text):
            return reason
    return None


class SourceStore:
    """Loads Python files once; thread-safe. ``max_bytes`` bounds what is read and parsed.

    Reading (bytes, hash, decoded text) and parsing (AST) are separate steps: :meth:`digest`, :meth:`text` and
    :meth:`line` never parse, so a run whose per-file results all come from the cache parses nothing.
    """

    def __init__(self, files: list[RepoFile], max_bytes: int) -> None:
        self._files = {f.rel: f for f in files if f.is_python}
        self._max_bytes = max_bytes
        self._lock = threading.Lock()
        self._read: dict[str, _Read | FileFailure] = {}
        self._loaded: dict[str, SourceFile | FileFailure] = {}
        self._file_locks: dict[str, threading.Lock] = {}

    @property
    def paths(self) -> list[str]:
        return sorted(self._files)

    def digest(self, rel: str) -> str | None:
        """Content hash without parsing (for cache look-ups); None if the file cannot be read or decoded."""
        read = self._read_once(rel)
        return read.sha256 if isinstance(read, _Read) else None

    def text(self, rel: str) -> str | None:
        """Decoded text without parsing; None if the file cannot be read or decoded."""
        read = self._read_once(rel) if rel in self._files else None
        return read.text if isinstance(read, _Read) else None

    def line(self, rel: str, lineno: int) -> str:
        """The text of a 1-based line without parsing; '' when unknown or out of range."""
        read = self._read_once(rel) if rel in self._files else None
        if isinstance(read, _Read) and 1 <= lineno <= len(read.lines):
            return read.lines[lineno - 1]
        return ""

    def texts(self) -> list[str]:
        """Every decodable file's text, without parsing."""
        return [t for t in (self.text(p) for p in self.paths) if t is not None]

    def get(self, rel: str) -> SourceFile | FileFailure:
        """The parsed file, or the reason it cannot be parsed (computed once)."""
        with self._lock:
            if rel in self._loaded:
                return self._loaded[rel]
            lock = self._file_locks.setdefault(rel, threading.Lock())
        with lock:
            with self._lock:
                if rel in self._loaded:
                    return self._loaded[rel]
            read = self._read_once(rel)
            result = read if isinstance(read, FileFailure) else self._parse(self._files[rel], read)
            with self._lock:
                self._loaded[rel] = result
            return result

    def sources(self) -> list[SourceFile]:
        return [s for s in (self.get(p) for p in self.paths) if isinstance(s, SourceFile)]

    def failures(self) -> list[FileFailure]:
        return [s for s in (self.get(p) for p in self.paths) if isinstance(s, FileFailure)]

    def known_failures(self) -> list[FileFailure]:
        """The read and parse failures found so far, once per file, without reading or parsing anything more."""
        with self._lock:
            found = {rel: r for rel, r in self._read.items() if isinstance(r, FileFailure)}
            found.update({rel: r for rel, r in self._loaded.items() if isinstance(r, FileFailure)})
        return [found[rel] for rel in sorted(found)]

    def _fail(self, file: RepoFile, kind: str, message: str, line: int | None = None) -> FileFailure:
        return FileFailure(path=file.rel, collector="source", kind=kind, message=message, line=line)  # type: ignore[arg-type]

    def _read_once(self, rel: str) -> _Read | FileFailure:
        with self._lock:
            cached = self._read.get(rel)
        if cached is None:
            cached = self._read_file(self._files[rel])
            with self._lock:
                cached = self._read.setdefault(rel, cached)
        return cached

    def _read_file(self, file: RepoFile) -> _Read | FileFailure:
        if file.size > self._max_bytes:
            return self._fail(file, "too_large", f"{file.size} bytes > max_file_bytes {self._max_bytes}")
        try:
            data = file.path.read_bytes()
        except OSError as exc:
            kind = "symlink_loop" if exc.errno == 40 else "unreadable"
            return self._fail(file, kind, exc.strerror or str(exc))
        if b"\0" in data[:8192]:
            return self._fail(file, "binary", "contains NUL bytes: not Python source")
        try:
            text = _decode(data)
        except (UnicodeDecodeError, SyntaxError, LookupError) as exc:
            return self._fail(file, "decode_error", f"cannot decode: {exc}")
        return _Read(data=data, text=text, sha256=content_hash(data), lines=text.splitlines())

    def _parse(self, file: RepoFile, read: _Read) -> SourceFile | FileFailure:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # SyntaxWarning for invalid escapes in the target's code
                tree = ast.parse(read.text, filename=file.rel)
        except SyntaxError as exc:
            reason = _newer_syntax_reason(read.text)
            if reason:
                return self._fail(file, "newer_syntax", f"{reason}; this Python cannot parse it", exc.lineno)
            return self._fail(file, "syntax_error", f"{exc.msg}", exc.lineno)
        except (ValueError, RecursionError, MemoryError) as exc:
            return self._fail(file, "syntax_error", f"cannot parse: {type(exc).__name__}: {exc}")
        return SourceFile(file=file, data=read.data, text=read.text, tree=tree, sha256=read.sha256, lines=read.lines)
