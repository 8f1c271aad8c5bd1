"""``reviewer checkpoint`` (a dated report pair with a trend section) and ``reviewer trend`` (the history).

``reviewer checkpoint PATH [--reports DIR] [--style checkpoint] [--backend NAME] [--model M] [--run-tests]``
reviews PATH and writes ``DIR/YYYY-MM-DD-HHMM-<style>.md`` and ``.json`` (default DIR: ``PATH/reports``),
updating ``history.json`` and ``index.md``. ``--result review.json`` checkpoints an existing result instead of
reviewing again. ``reviewer trend [DIR]`` prints the history as a table.
"""

from __future__ import annotations

from pathlib import Path

import click

from reviewer.checkpoint.create import create_checkpoint
from reviewer.checkpoint.history import HISTORY_FILE, HistoryEntry, load_history
from reviewer.checkpoint.live import run_review
from reviewer.cli.common import load_target_config, target_path, trust_option
from reviewer.console import Terminal
from reviewer.errors import EvidenceFileError
from reviewer.gate.evaluate import evaluate_gate
from reviewer.report.environment import STYLES
from reviewer.review.result import load_result

__all__ = ["checkpoint_command", "commands", "trend_command", "trend_rows"]

EXIT_OK = 0


@click.command("checkpoint")
@click.argument("path", type=click.Path(path_type=Path), default=Path("."))
@click.option("--reports", type=click.Path(path_type=Path), help="Reports directory [default: PATH/reports].")
@click.option("--style", type=click.Choice(STYLES), default="checkpoint", show_default=True)
@click.option("--result", "result_file", type=click.Path(path_type=Path), help="Checkpoint this review.json.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Config file.")
@click.option("--backend", help="Backend for a fresh review (default: the configured one).")
@click.option("--model", help="Model for the backend.")
@click.option("--base-url", help="Server URL for the backend.")
@click.option("--run-tests", is_flag=True, help="Run the target's tests (its code is untrusted: opt in).")
@click.option("--chart-points", type=click.IntRange(1, 100), default=10, show_default=True,
              help="Checkpoints drawn in the trend chart.")
@trust_option
@click.pass_obj
def checkpoint_command(terminal: Terminal, path: Path, reports: Path | None, style: str, result_file: Path | None,
                       config_file: Path | None, backend: str | None, model: str | None, base_url: str | None,
                       run_tests: bool, chart_points: int, trust_repo_config: bool = False) -> int:
    """Review PATH (or take --result) and write a dated checkpoint report with its trend.

    The gate is evaluated (when the result has none yet) and recorded in the report; the exit code stays 0."""
    root = target_path(path)
    config = load_target_config(root, config_file, trust_repo=trust_repo_config)
    if result_file is not None:
        result = load_result(result_file)
    else:
        result = run_review(root, config, backend=backend, model=model, base_url=base_url,
                            run_tests=run_tests or config.tests.run, terminal=terminal)
    if result.gate is None:  # a checkpoint records the gate too; it reports, it does not fail the job
        result.gate = evaluate_gate(result, config.gate)
    template = root / config.report.template if config.report.template else None
    outcome = create_checkpoint(result, reports if reports is not None else root / "reports", style=style,
                                chart_points=chart_points, max_items=config.report.max_items, template=template)
    terminal.line(f"checkpoint written: {outcome.markdown} and {outcome.json.name}")
    if outcome.trend.previous is not None:
        terminal.line(f"against {outcome.trend.previous.report_md}: {len(outcome.trend.new)} new, "
                      f"{len(outcome.trend.resolved)} resolved finding(s)")
    terminal.info(f"index: {outcome.index}; history: {outcome.history}")
    return EXIT_OK


def _tests(entry: HistoryEntry) -> str:
    t = entry.tests
    if t.total is None:
        return "not run"
    failing = (t.failed or 0) + (t.errors or 0)
    return f"{t.passed if t.passed is not None else '?'}/{t.total} ({failing} failing)"


def trend_rows(entries: list[HistoryEntry]) -> list[list[str]]:
    """One row per checkpoint, oldest first, with the change of the overall score."""
    rows: list[list[str]] = []
    previous: HistoryEntry | None = None
    for e in entries:
        change = "" if previous is None else f"{e.overall - previous.overall:+d}"
        counts = e.severity_counts
        rows.append([
            e.date.strftime("%Y-%m-%d %H:%M"), (e.commit or "")[:10], str(e.overall), change,
            e.verdict.replace("_", " "), "not measured" if e.coverage is None else f"{e.coverage:.1f}%",
            _tests(e), e.worst_complexity_rank or "n/a",
            "/".join(str(counts.get(s, 0)) for s in ("critical", "high", "medium", "low")), e.report_md,
        ])
        previous = e
    return rows


@click.command("trend")
@click.argument("reports", type=click.Path(path_type=Path), default=Path("reports"))
@click.pass_obj
def trend_command(terminal: Terminal, reports: Path) -> int:
    """Print the checkpoint history of REPORTS (default: reports/) as a table."""
    history_path = reports / HISTORY_FILE
    if not history_path.is_file():
        raise EvidenceFileError(history_path, "no checkpoint history here (run `reviewer checkpoint` first)")
    entries = load_history(history_path).entries
    columns = ["date (UTC)", "commit", "overall", "change", "verdict", "coverage", "tests", "worst cc",
               "crit/high/med/low", "report"]
    terminal.table(f"Checkpoints in {reports}", columns, trend_rows(entries))
    return EXIT_OK


commands: list[click.Command] = [checkpoint_command, trend_command]
