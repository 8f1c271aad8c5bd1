"""Write a checkpoint: a dated report pair in the reports directory, plus ``history.json`` and ``index.md``.

File names are ``YYYY-MM-DD-HHMM-<style>.md`` and ``.json``, dated by when the review was taken (the result's
``created_at``, UTC). Nothing is ever overwritten: when either name is taken, ``-2``, ``-3``, ... is added to
both, and the files are created exclusively. The trend section compares with the last checkpoint recorded in
``history.json`` and is rendered into the report (``appendix`` of ``render_markdown``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timezone
from pathlib import Path

from reviewer.checkpoint.history import HISTORY_FILE, HistoryEntry, entry_from_result, load_history, save_history
from reviewer.checkpoint.render import render_index, render_trend
from reviewer.checkpoint.trend import Trend, build_trend
from reviewer.errors import EvidenceFileError
from reviewer.findings import Finding
from reviewer.jsonfile import write_atomic
from reviewer.redact import redact, redact_json, scrub
from reviewer.report.markdown import render_markdown
from reviewer.review.result import ReviewResult, load_result

__all__ = ["INDEX_FILE", "CheckpointOutcome", "create_checkpoint", "reserve_pair"]

INDEX_FILE = "index.md"
_MAX_SUFFIX = 1000
_LOCK_FILE = ".history.lock"


@dataclass(frozen=True)
class CheckpointOutcome:
    markdown: Path
    json: Path
    index: Path
    history: Path
    entry: HistoryEntry
    trend: Trend


def reserve_pair(reports: Path, stem: str) -> tuple[Path, Path]:
    """The first free ``stem[-n].md`` / ``.json`` pair (both names free)."""
    for n in range(1, _MAX_SUFFIX):
        name = stem if n == 1 else f"{stem}-{n}"
        md, js = reports / f"{name}.md", reports / f"{name}.json"
        if not md.exists() and not js.exists():
            return md, js
    raise EvidenceFileError(reports, f"more than {_MAX_SUFFIX} checkpoints named {stem}; clean the directory up")


def _write_new(path: Path, text: str) -> None:
    """Create ``path`` exclusively: a file that appeared meanwhile is never overwritten (FileExistsError)."""
    text = redact_json(text) if path.suffix == ".json" else redact(text)  # the one redaction sink
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)


def _previous_findings(reports: Path, previous: HistoryEntry | None) -> list[Finding] | None:
    """The previous checkpoint's findings, for the titles of resolved ones; None when its JSON is gone."""
    if previous is None:
        return None
    path = reports / previous.report_json
    return load_result(path).findings if path.is_file() else None


@contextmanager
def _history_lock(reports: Path) -> Iterator[None]:
    """Serialise read-append-write of ``history.json`` between concurrent checkpoint runs (POSIX ``flock``)."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): the exclusive report files still keep both checkpoints
        yield
        return
    with (reports / _LOCK_FILE).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _candidates(stem: str) -> Iterator[str]:
    for n in range(1, _MAX_SUFFIX):
        yield stem if n == 1 else f"{stem}-{n}"


def _claim(md_path: Path, json_path: Path, markdown: str, json_text: str) -> bool:
    """Create both files exclusively; False (nothing left behind) when another run took either name first."""
    try:
        _write_new(json_path, json_text)
    except FileExistsError:
        return False
    try:
        _write_new(md_path, markdown)
    except FileExistsError:
        json_path.unlink(missing_ok=True)
        return False
    return True


def create_checkpoint(
    result: ReviewResult,
    reports: Path,
    *,
    style: str = "checkpoint",
    chart_points: int = 10,
    max_items: int = 25,
    template: Path | None = None,
) -> CheckpointOutcome:
    """Write the report pair with its trend section, append to the history and rewrite the index.

    Concurrent runs in the same minute both keep their checkpoint: names are claimed by exclusive creation
    (a taken name moves on to the next suffix) and the history is updated under a lock."""
    result = scrub(result)  # before Markdown escaping can hide a token from the detectors
    reports.mkdir(parents=True, exist_ok=True)
    history_path = reports / HISTORY_FILE
    stamp = result.created_at.astimezone(timezone.utc).strftime("%Y-%m-%d-%H%M")
    json_text = result.model_dump_json(indent=2) + "\n"
    for name in _candidates(f"{stamp}-{style}"):
        md_path, json_path = reports / f"{name}.md", reports / f"{name}.json"
        if md_path.exists() or json_path.exists():
            continue
        history = load_history(history_path)
        previous = history.entries[-1] if history.entries else None
        entry = entry_from_result(result, style=style, report_md=md_path.name, report_json=json_path.name)
        window = [*history.entries[-(chart_points - 1):], entry] if chart_points > 1 else [entry]
        trend = build_trend(entry, result.findings, previous, _previous_findings(reports, previous), window)
        markdown = render_markdown(result, style, template=template,
                                   appendix=render_trend(trend, max_items=max_items), max_items=max_items)
        if _claim(md_path, json_path, markdown, json_text):
            break
    else:
        raise EvidenceFileError(reports, f"more than {_MAX_SUFFIX} checkpoints named {stamp}-{style}; clean up")
    with _history_lock(reports):
        history = load_history(history_path)  # again: another run may have appended meanwhile
        history.entries.append(entry)
        save_history(history, history_path)
        index_path = reports / INDEX_FILE
        write_atomic(render_index(history.entries), index_path)
    return CheckpointOutcome(md_path, json_path, index_path, history_path, entry, trend)
