"""Write a review's outputs: review.json always (first), then the rendered reports; print the summary."""

from __future__ import annotations

from pathlib import Path

from reviewer.config import Config
from reviewer.console import Terminal
from reviewer.report.writer import read_annotations, write_reports
from reviewer.review.result import ReviewResult, write_result

__all__ = ["write_outputs"]


def write_outputs(result: ReviewResult, out_dir: Path, config: Config, terminal: Terminal) -> list[Path]:
    """review.json, then every format in ``config.report.formats``; the paths written, review.json first."""
    paths = [write_result(result, out_dir / "review.json")]
    # A relative report.template is the config file's neighbour (the repository's, when it came from there).
    base = Path(config.source).parent if config.source else None
    written = write_reports(result, out_dir, config.report, template_base=base)
    terminal.workflow_commands(read_annotations(written))
    paths.extend(written)
    terminal.review_summary(result, paths)
    return paths
