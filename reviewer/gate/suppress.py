"""Suppressions: inline ``# reviewer: ignore[...]`` comments and a suppressions file.

Suppressed findings stay in the result, marked ``suppressed`` with the reason; reports show them as suppressed
and the gate does not count them. Nothing is hidden.

Inline comments (any file where ``#`` starts a comment: Python, YAML, TOML, shell)::

    eval(data)  # reviewer: ignore[bandit.B307]             one rule
    eval(data)  # reviewer: ignore[bandit.B307,markers.*]   several rules; fnmatch globs allowed
    eval(data)  # reviewer: ignore                          every rule on this line
    # reviewer: ignore[bandit.*] -- input is a constant     on its own line: applies to the next line

The comment counts on the finding's own line, or on the line directly above when that line holds nothing but
the comment (for lines too long to carry it). Text after ``--`` is kept as the reason.

The suppressions file (``suppressions_file`` in the config, relative to the repository root) is a YAML list::

    - rule: "bandit.B101"          # fnmatch glob on the rule id (required)
      file: "tests/**"             # gitignore-style glob on the repo-relative path (optional: any file)
      fingerprint: "3f2a..."       # only the finding with this fingerprint (optional)
      reason: "asserts are fine in tests"   # required: a suppression says why
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from pathlib import Path

import pathspec
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reviewer.config import Config, read_yaml
from reviewer.errors import CollectorError, ConfigError
from reviewer.findings import Finding

__all__ = ["FileSuppression", "InlineSuppression", "apply_suppressions", "load_suppressions", "parse_inline"]

_INLINE = re.compile(r"#\s*reviewer:\s*ignore(?:\[(?P<rules>[^\]]*)\])?(?:\s*--\s*(?P<reason>.*))?", re.IGNORECASE)


class InlineSuppression(BaseModel):
    rules: list[str] = Field(description="Rule globs; empty means every rule")
    reason: str | None = None
    standalone: bool = Field(description="The comment is the whole line (so it also covers the next line)")

    def matches(self, rule: str) -> bool:
        return not self.rules or any(fnmatchcase(rule, pattern) for pattern in self.rules)


class FileSuppression(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: str = Field(min_length=1)
    file: str | None = None
    fingerprint: str | None = None
    reason: str = Field(min_length=1)

    def matches(self, finding: Finding) -> bool:
        if not fnmatchcase(finding.rule, self.rule):
            return False
        if self.fingerprint is not None and finding.with_fingerprint().fingerprint != self.fingerprint:
            return False
        if self.file is None:
            return True
        if finding.file is None:
            return False
        return pathspec.GitIgnoreSpec.from_lines([self.file]).match_file(finding.file)


def parse_inline(line: str) -> InlineSuppression | None:
    """The suppression comment on a line, if any."""
    match = _INLINE.search(line)
    if match is None:
        return None
    rules = [r.strip() for r in (match.group("rules") or "").split(",") if r.strip()]
    reason = (match.group("reason") or "").strip() or None
    standalone = line[: match.start()].strip() == ""
    return InlineSuppression(rules=rules, reason=reason, standalone=standalone)


def load_suppressions(path: Path) -> list[FileSuppression]:
    """Read and validate a suppressions file; :class:`ConfigError` names the file and the entry."""
    data = read_yaml(path, what="suppressions file")
    if data is None:
        return []
    if not isinstance(data, list):
        raise ConfigError("a suppressions file is a YAML list of {rule, file, fingerprint, reason}", file=path)
    entries: list[FileSuppression] = []
    for index, item in enumerate(data):
        try:
            entries.append(FileSuppression.model_validate(item))
        except ValidationError as exc:
            first = exc.errors()[0]
            key = ".".join([f"[{index}]", *map(str, first["loc"])])
            raise ConfigError(first["msg"], file=path, key=key) from exc
    return entries


class _Lines:
    """Lines of repository files, read once each; files outside the root or missing give no lines."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._cache: dict[str, list[str]] = {}

    def get(self, rel: str) -> list[str]:
        if rel not in self._cache:
            self._cache[rel] = self._read(rel)
        return self._cache[rel]

    def _read(self, rel: str) -> list[str]:
        path = (self.root / rel).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            return []
        try:
            return path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError as exc:
            raise CollectorError("suppressions", f"cannot read: {exc.strerror or exc}", path=rel) from exc


def _inline_reason(finding: Finding, lines: _Lines) -> str | None:
    if finding.file is None or finding.line is None:
        return None
    text = lines.get(finding.file)
    candidates = [(finding.line, False), (finding.line - 1, True)]
    for lineno, must_stand_alone in candidates:
        if not 1 <= lineno <= len(text):
            continue
        inline = parse_inline(text[lineno - 1])
        if inline is None or (must_stand_alone and not inline.standalone) or not inline.matches(finding.rule):
            continue
        why = f": {inline.reason}" if inline.reason else ""
        return f"inline comment at {finding.file}:{lineno}{why}"
    return None


def _file_entries(root: Path, config: Config) -> tuple[str, list[FileSuppression]]:
    if config.suppressions_file is None:
        return "", []
    path = Path(config.suppressions_file)
    path = path if path.is_absolute() else root / path
    if not path.is_file():
        raise ConfigError("suppressions file not found", file=path, key="suppressions_file")
    return config.suppressions_file, load_suppressions(path)


def apply_suppressions(findings: list[Finding], root: Path, config: Config) -> int:
    """Mark findings suppressed (with the reason) by inline comments or the suppressions file.

    Inline comments win over file entries for the reason text. Returns how many findings are suppressed
    afterwards (already-suppressed ones included), so calling it twice gives the same answer.
    """
    lines = _Lines(root)
    source, entries = _file_entries(root, config)
    for finding in findings:
        if finding.suppressed:
            continue
        reason = _inline_reason(finding, lines)
        if reason is None:
            entry = next((e for e in entries if e.matches(finding)), None)
            reason = f"suppressions file {source}: {entry.reason}" if entry is not None else None
        if reason is not None:
            finding.suppressed = True
            finding.suppression = reason
    return sum(1 for f in findings if f.suppressed)
