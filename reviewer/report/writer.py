"""Write the rendered reports of one result into the output directory.

``review.json`` is not written here: the review engine writes it as soon as the result exists. This module
only renders: ``md`` -> ``review.md``, ``sarif`` -> ``review.sarif``, ``summary`` -> the GitHub step summary
(appended to ``$GITHUB_STEP_SUMMARY`` when set) and ``github-annotations.txt`` with workflow commands, which the
caller prints to stdout (the runner only reads them from there).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from reviewer.config import ReportConfig
from reviewer.errors import ConfigError
from reviewer.jsonfile import write_atomic
from reviewer.redact import scrub
from reviewer.report.github import annotations, append_step_summary, step_summary
from reviewer.report.markdown import render_markdown
from reviewer.report.sarif import to_sarif
from reviewer.review.result import ReviewResult

__all__ = ["ANNOTATIONS_FILE", "MARKDOWN_FILE", "SARIF_FILE", "read_annotations", "write_reports"]

MARKDOWN_FILE = "review.md"
SARIF_FILE = "review.sarif"
ANNOTATIONS_FILE = "github-annotations.txt"


def _write(path: Path, text: str) -> Path:
    """Atomic write (temp file + rename): an interrupted run never leaves half a report."""
    try:
        write_atomic(text, path)  # unique temp name; the redaction sink
    except OSError as exc:
        raise ConfigError(f"cannot write report: {exc.strerror or exc}", file=path) from exc
    return path


def _template_path(template: str | None, base: Path | None) -> Path | None:
    if not template:
        return None
    path = Path(template).expanduser()
    return base / path if base is not None and not path.is_absolute() else path


def write_reports(
    result: ReviewResult,
    out_dir: Path,
    report: ReportConfig,
    *,
    appendix: str | None = None,
    template_base: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[Path]:
    """Render every format in ``report.formats`` (except ``json``) into ``out_dir``; return the paths written.

    A relative ``report.template`` is resolved against ``template_base`` (the directory of the config file
    it came from, or the repository root), else the working directory. ``environ`` defaults to the process
    environment (read at call time) for ``GITHUB_STEP_SUMMARY``.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create output directory: {exc.strerror or exc}", file=out_dir) from exc
    written: list[Path] = []
    formats = set(report.formats)
    result = scrub(result)  # before Markdown escaping can hide a token from the detectors
    if "md" in formats:
        template = _template_path(report.template, template_base)
        text = render_markdown(result, report.style, template=template, appendix=appendix, max_items=report.max_items)
        written.append(_write(out_dir / MARKDOWN_FILE, text))
    if "sarif" in formats:
        sarif = json.dumps(to_sarif(result), indent=2, ensure_ascii=False) + "\n"
        written.append(_write(out_dir / SARIF_FILE, sarif))
    if "summary" in formats:
        report_path = (out_dir / MARKDOWN_FILE).as_posix()
        lines = annotations(result, report_path)
        written.append(_write(out_dir / ANNOTATIONS_FILE, "".join(line + "\n" for line in lines)))
        target = (os.environ if environ is None else environ).get("GITHUB_STEP_SUMMARY")
        if target:
            summary = step_summary(result, report_path, max_items=min(report.max_items, 10))
            try:
                written.append(append_step_summary(Path(target), summary))
            except OSError as exc:
                raise ConfigError(f"cannot append the step summary: {exc.strerror or exc}",
                                  file=target, key="GITHUB_STEP_SUMMARY") from exc
    return written


def read_annotations(paths: list[Path]) -> list[str]:
    """The workflow commands among the written files, for the caller to print to stdout."""
    for path in paths:
        if path.name == ANNOTATIONS_FILE:
            return path.read_text(encoding="utf-8").splitlines()
    return []
