"""``reviewer report``: re-render reports from an existing ``review.json``; ``reviewer schema``.

``reviewer report --result review.json --out DIR [--style S] [--format md,sarif,summary] [--template FILE]
[--appendix FILE] [--max-items N]`` writes the rendered formats into DIR (``json`` is already the input).
``reviewer schema [--evidence] [--out FILE]`` prints (or writes) the JSON Schema of review.json or evidence.json.
"""

from __future__ import annotations

from pathlib import Path

import click

from reviewer.config import ReportConfig
from reviewer.console import Terminal
from reviewer.errors import ConfigError
from reviewer.report.environment import STYLES
from reviewer.report.schema import schema_text
from reviewer.report.writer import read_annotations, write_reports
from reviewer.review.result import load_result

__all__ = ["commands", "report_command", "schema_command"]

EXIT_OK = 0
FORMATS = ("md", "json", "sarif", "summary")


def _formats(value: str) -> list[str]:
    chosen = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [part for part in chosen if part not in FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(f"{value!r}: choose from {', '.join(FORMATS)}", param_hint="--format")
    return chosen


def _read_appendix(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read appendix: {exc}", file=path) from exc


@click.command("report")
@click.option("--result", "result_file", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="An existing review.json.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Directory for the reports.")
@click.option("--style", type=click.Choice(STYLES), default="review", show_default=True, help="Markdown style.")
@click.option("--format", "formats", default="md,sarif", show_default=True, help="Comma list of md,sarif,summary.")
@click.option("--template", type=click.Path(path_type=Path, dir_okay=False), help="Your own Jinja2 template.")
@click.option("--appendix", type=click.Path(path_type=Path, dir_okay=False),
              help="Markdown inserted before the conclusion (e.g. a checkpoint trend section).")
@click.option("--max-items", type=click.IntRange(min=1), default=25, show_default=True, help="Cap on long lists.")
@click.pass_obj
def report_command(terminal: Terminal, result_file: Path, out_dir: Path, style: str, formats: str,
                   template: Path | None, appendix: Path | None, max_items: int) -> int:
    """Render reports (Markdown, SARIF, GitHub summary) from a review result."""
    result = load_result(result_file)
    config = ReportConfig(style=style, formats=_formats(formats), max_items=max_items,  # type: ignore[arg-type]
                          template=str(template) if template is not None else None)
    written = write_reports(result, out_dir, config, appendix=_read_appendix(appendix))
    terminal.workflow_commands(read_annotations(written))
    for path in written:
        terminal.info(f"wrote {path}")
    return EXIT_OK


@click.command("schema")
@click.option("--evidence", is_flag=True, help="The schema of evidence.json instead of review.json.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write to this file instead of stdout.")
@click.pass_obj
def schema_command(terminal: Terminal, evidence: bool, out: Path | None) -> int:
    """Print the JSON Schema of review.json (or of evidence.json with --evidence)."""
    text = schema_text("evidence" if evidence else "review")
    if out is None:
        terminal.raw(text)
        return EXIT_OK
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write schema: {exc.strerror or exc}", file=out) from exc
    terminal.info(f"wrote {out}")
    return EXIT_OK


commands: list[click.Command] = [report_command, schema_command]
