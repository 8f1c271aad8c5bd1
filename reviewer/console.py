"""All terminal output goes through here: the only module that talks to rich.

On a terminal it shows rich progress bars and tables; when stderr is not a terminal (CI, pipes) or ``CI`` is
set it prints plain lines instead, so logs stay readable.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from reviewer.review.result import ReviewResult

# rich is imported on first output, not at start-up: `reviewer --version` and `--help` never pay for it.


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def _table(title: str | None) -> Any:
    from rich.table import Table

    return Table(title=title, show_lines=False)

__all__ = ["ProgressTask", "Terminal"]


@dataclass
class ProgressTask:
    """Handle returned by :meth:`Terminal.progress`; ``advance`` moves the bar or prints a plain line."""

    _advance: "callable[[str | None], None]" = field(repr=False)  # type: ignore[valid-type]

    def advance(self, label: str | None = None) -> None:
        self._advance(label)


class Terminal:
    def __init__(self, *, quiet: bool = False, debug: bool = False, force_plain: bool | None = None) -> None:
        self.quiet = quiet
        self.debug = debug
        plain = force_plain if force_plain is not None else (bool(os.environ.get("CI")) or not sys.stderr.isatty())
        self.plain = plain

    @cached_property
    def err(self) -> Console:
        from rich.console import Console

        from reviewer.redact import RedactingStream

        # Every byte printed passes through the redaction sink (reviewer.redact).
        return Console(file=RedactingStream(lambda: sys.stderr), highlight=False, soft_wrap=True)  # type: ignore[arg-type]

    @cached_property
    def out(self) -> Console:
        from rich.console import Console

        from reviewer.redact import RedactingStream

        return Console(file=RedactingStream(lambda: sys.stdout), highlight=False, soft_wrap=True)  # type: ignore[arg-type]

    # --- messages on stderr ---------------------------------------------------------------------
    def info(self, message: str) -> None:
        if not self.quiet:
            self.err.print(escape(message))

    def warn(self, message: str) -> None:
        self.err.print(f"[yellow]warning:[/yellow] {escape(message)}")

    def error(self, message: str) -> None:
        self.err.print(f"[bold red]error:[/bold red] {escape(message)}")

    def traceback(self) -> None:
        self.err.print_exception(show_locals=False)

    # --- results on stdout ----------------------------------------------------------------------
    def line(self, text: str = "") -> None:
        self.out.print(escape(text))

    def table(self, title: str | None, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        table = _table(title)
        for col in columns:
            table.add_column(col)
        for row in rows:
            table.add_row(*(escape(str(c)) for c in row))
        self.out.print(table)

    def raw(self, text: str) -> None:
        """Exact text on stdout (machine-readable output such as JSON): no markup, wrapping or emoji."""
        self.out.file.write(text if text.endswith("\n") else text + "\n")
        self.out.file.flush()

    def workflow_commands(self, lines: Sequence[str]) -> None:
        """GitHub workflow commands (``::error ...``), verbatim on stdout where the runner reads them."""
        for line in lines:
            self.raw(line)

    def review_summary(self, result: "ReviewResult", paths: list[Path]) -> None:
        """End-of-run summary: score per persona, severity counts, verdict, where the files are."""
        if self.quiet:
            return
        table = _table(f"Review of {escape(result.repo_name)}")
        for col, justify in (("persona", "left"), ("score", "right"), ("rubric", "right"), ("findings", "right")):
            table.add_column(col, justify=justify)  # type: ignore[arg-type]
        for agent in result.agents:
            table.add_row(escape(agent.name), str(agent.score), str(agent.base_score), str(len(agent.findings)))
        table.add_row("[bold]overall[/bold]", f"[bold]{result.overall_score}[/bold]", "", str(len(result.findings)))
        self.out.print(table)
        from reviewer.report.context import severity_counts  # only a review needs the report layer

        counts = ", ".join(f"{n} {sev}" for sev, n in severity_counts(result))
        self.out.print(f"findings: {escape(counts)}")
        colour = {"ready": "green", "ready_with_fixes": "yellow", "not_confirmed": "yellow", "not_ready": "red"}.get(result.verdict, "white")
        label = result.verdict.replace("_", " ")
        self.out.print(f"verdict: [bold {colour}]{escape(label)}[/bold {colour}]")
        for reason in result.verdict_reasons[:5]:
            self.out.print(f"  - {escape(reason)}")
        self._model_line(result)
        dropped = result.model_context.claims_dropped
        if dropped:
            self.out.print(f"unverified model claims dropped: {dropped}")
        for path in paths:
            self.out.print(f"wrote {escape(str(path))}")

    def _model_line(self, result: "ReviewResult") -> None:
        mc = result.model_context
        if mc.status == "off":
            return
        if mc.status == "failed":
            self.out.print(f"[bold red]model: failed[/bold red] ({mc.calls_failed} of {mc.calls} calls failed): "
                           f"{escape(mc.status_reason or '')}; the review is deterministic only")
            return
        riskiest = " (the riskiest)" if mc.units_read < mc.units_with_sites else ""
        text = (f"model: asked about {mc.sites_asked} of {mc.sites_total} possible defects in {mc.units_read} of "
                f"{mc.units_with_sites} units{riskiest}"
                + (f", read {mc.units_read_openly} of {mc.units_openable} more openly" if mc.units_openable else "")
                + f" ({mc.units_total} units in all), {mc.findings_kept} findings "
                f"kept, {mc.claims_dropped} dropped; {mc.calls} calls, {mc.tokens} tokens")
        self.out.print(escape(text))
        if mc.status == "partial" and mc.status_reason:
            self.out.print(f"[yellow]model: partial[/yellow]: {escape(mc.status_reason)}")

    # --- progress -------------------------------------------------------------------------------
    @contextmanager
    def progress(self, description: str, total: int | None) -> Iterator[ProgressTask]:
        if self.quiet:
            yield ProgressTask(lambda label: None)
            return
        if self.plain:
            done = [0]

            def plain_advance(label: str | None) -> None:
                done[0] += 1
                suffix = f"/{total}" if total else ""
                self.err.print(escape(f"{description}: {done[0]}{suffix}" + (f" {label}" if label else "")))

            yield ProgressTask(plain_advance)
            return
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}"),
                   TimeElapsedColumn()]
        with Progress(*columns, console=self.err, transient=True) as progress:
            task_id = progress.add_task(description, total=total)

            def rich_advance(label: str | None) -> None:
                progress.update(task_id, advance=1, description=f"{description} {label}" if label else description)

            yield ProgressTask(rich_advance)
